/* sc_pybridge: sc_json / sc_message → Python objects for the runtime (docs/architecture.md,
 * "C ↔ Python contract").
 *
 * Numeric arrays become one numpy array over one buffer filled from C; every other value
 * becomes what json.loads would have produced (dict in member order, str via "surrogatepass",
 * int of any size, float).
 *
 * Ownership: every function returns a new reference, or NULL with a Python exception set.
 * Threading: GIL held; worker executor threads.
 */
#ifndef SC_PYBRIDGE_H
#define SC_PYBRIDGE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "sc_json.h"
#include "sc_message.h"

PyObject *sc_py_from_json(const sc_json *v);

/* numpy array for an ok view (shape, dtype as inspected). */
PyObject *sc_py_ndarray(const sc_ndview *v);

/* The parts tuple (data_type, features, names, meta, datadef_kind) for a message whose kind is
 * not SC_PAYLOAD_NONE. */
PyObject *sc_py_parts(const sc_message *m);

#endif
