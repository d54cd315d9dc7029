/* sc_grpc_fast: the numeric fast path of the gRPC worker (docs/architecture.md, "gRPC workers").
 *
 * Predict / TransformInput / TransformOutput / Route requests whose SeldonMessage is only
 * `meta` + `data{names, tensor | ndarray}` are decoded here without the GIL: tensor values
 * (protobuf-c, packed doubles) and rectangular all-number ndarray ListValues (our own walker) go
 * straight into one float64 buffer that becomes the numpy array; names become str; meta stays
 * bytes for the runtime to turn into the proto-JSON dict. Anything else — other payload kinds,
 * unknown or repeated fields, NaN/Infinity, ragged lists, invalid UTF-8, malformed bytes — is
 * refused (SC_GRPC_FAST_NO) and the call takes the general path, runtime.handle_grpc(method,
 * bytes), which defines the behaviour. So the fast path never decides an error.
 *
 * The reverse direction: `_seldon_core_c.grpc_encode_data(meta, names, kind, array)` writes a
 * whole SeldonMessage response with a tensor or ndarray payload, byte for byte what the Python
 * protobuf runtime serialises for the same message, without one Python object per number.
 *
 * Memory: a decoded request lives in the caller's sc_grpc_fast_ctx (one per executor thread)
 * and in the request buffer it points into, until sc_grpc_fast_reset().
 */
#ifndef SC_GRPC_FAST_H
#define SC_GRPC_FAST_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <stdint.h>

#include "sc_arena.h"

/* numpy accepts 32 dimensions (64 from numpy 2); deeper lists go the general way. */
#define SC_GRPC_FAST_MAX_DIMS 32

enum { SC_GRPC_FAST_NO = 0, SC_GRPC_FAST_YES = 1 };

/* The request's DefaultData kind (what the response mirrors, SPEC §5.5). */
enum { SC_GRPC_KIND_NONE = 0, SC_GRPC_KIND_TENSOR = 1, SC_GRPC_KIND_NDARRAY = 2 };

typedef struct {
    const uint8_t *data; /* inside the request buffer */
    size_t len;
} sc_grpc_span;

/* One decoded request. Pointers are into the request buffer or the context's arena. */
typedef struct {
    int kind;
    int ndim;
    Py_ssize_t dims[SC_GRPC_FAST_MAX_DIMS];
    const double *values; /* prod(dims) values, C order; NULL when there are none */
    size_t n_values;
    sc_grpc_span *names;
    size_t n_names;
    int has_meta;
    sc_grpc_span meta; /* the serialized Meta, when has_meta */
} sc_grpc_parts;

/* Per executor thread. */
typedef struct {
    sc_arena arena;
} sc_grpc_fast_ctx;

void sc_grpc_fast_ctx_init(sc_grpc_fast_ctx *ctx);
void sc_grpc_fast_ctx_free(sc_grpc_fast_ctx *ctx);

/* Releases what the last decode allocated (keeps the arena's first chunk for the next call). */
void sc_grpc_fast_reset(sc_grpc_fast_ctx *ctx);

/* No GIL, any thread. Decodes a serialized SeldonMessage of `len` bytes into *out. Returns
 * SC_GRPC_FAST_YES, or SC_GRPC_FAST_NO when the request must take the general path (also on
 * allocation failure). `buf` must outlive *out. */
int sc_grpc_fast_decode(sc_grpc_fast_ctx *ctx, const uint8_t *buf, size_t len, sc_grpc_parts *out);

/* GIL held. The parts tuple of runtime.handle_grpc_parts: (kind str or None, float64 ndarray,
 * list of str names, meta bytes or None). New reference; NULL with no exception set when the
 * request must take the general path after all (names that are not valid UTF-8), NULL with an
 * exception set on a real error (out of memory). */
PyObject *sc_grpc_fast_to_python(const sc_grpc_parts *parts);

/* GIL held, gRPC worker start-up: adds grpc_encode_data to the `_seldon_core_c` module (only
 * gRPC workers have it; the runtime serialises with protobuf when it is absent). 0 or -1 with
 * an exception set. */
int sc_grpc_fast_register(void);

#endif
