/* sc_pyjson: Python object -> JSON bytes, byte-identical to the original's Flask 2.2 `jsonify`
 * (json.dumps with sort_keys=True, ensure_ascii=True, separators (",", ":"), allow_nan=True;
 * floats as float.__repr__, NaN/Infinity/-Infinity; the caller appends the trailing "\n").
 *
 * Fast path: an `ArrayOut` object (a marker type defined here and exported by the embedded
 * module `_seldon_core_c`) wraps a numpy array that the runtime wants emitted as
 * `array.tolist()` would be; for C-contiguous (or any strided) float64, float32, signed and unsigned int and bool
 * arrays the numbers are printed straight from the buffer (float32 widened to double, as tolist
 * does), any ndim including 0 (a bare scalar). Other dtypes fall back to `.tolist()`.
 * A bare numpy ndarray NOT wrapped in ArrayOut is treated like any other unknown type (the
 * original cannot serialise it either).
 *
 * Unknown types: `default(obj)` is called (the runtime passes a callable that implements
 * Flask 2.2's JSONEncoder.default and raises TypeError("Object of type X is not JSON
 * serializable")); its result is encoded in place. Python float subclasses (np.float64) are
 * floats; int subclasses (bool excluded) are ints, printed with int.__repr__ semantics.
 * Dict keys: str as is; int/float/bool/None keys converted like json.dumps does; other key
 * types raise TypeError("keys must be str, int, float, bool or None, not tuple"). With mixed
 * key types sorting raises TypeError like Python's sorted() would.
 *
 * Threading: GIL must be held (walks Python objects). Worker processes; any executor thread.
 */
#ifndef SC_PYJSON_H
#define SC_PYJSON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "sc_buf.h"

/* Appends the JSON text of obj to out. default_fn may be NULL (then unknown types raise
 * TypeError as above). Returns 0, or -1 with a Python exception set (out then holds a partial
 * document the caller discards). Recursion deeper than Python's recursion limit raises
 * RecursionError. */
int sc_pyjson_encode(PyObject *obj, PyObject *default_fn, sc_buf *out);

/* Adds the ArrayOut type to module (called when `_seldon_core_c` is created). 0 or -1. */
int sc_pyjson_add_types(PyObject *module);

#endif
