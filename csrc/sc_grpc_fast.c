#include "sc_grpc_fast.h"

#include "sc_numpy.h"

#include <math.h>
#include <string.h>

#include "prediction.pb-c.h"
#include "sc_pb.h"

/* Doubles are copied between the wire (little-endian) and numpy (native) with memcpy. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "sc_grpc_fast assumes a little-endian host (protobuf doubles are little-endian)"
#endif

/* Field numbers of proto/prediction.proto and google/protobuf/struct.proto. */
enum {
    SC_F_MESSAGE_META = 2,
    SC_F_MESSAGE_DATA = 3,
    SC_F_DATA_NAMES = 1,
    SC_F_DATA_TENSOR = 2,
    SC_F_DATA_NDARRAY = 3,
    SC_F_TENSOR_SHAPE = 1,
    SC_F_TENSOR_VALUES = 2,
    SC_F_LIST_VALUES = 1,
    SC_F_VALUE_NUMBER = 2,
    SC_F_VALUE_LIST = 6,
};

/* The one-byte encodings the writer uses (field number << 3 | wire type). */
#define SC_TAG(field, wt) ((uint8_t)((field) << 3 | (wt)))

/* A response larger than this is left to protobuf (gRPC refuses messages above 2 GiB anyway);
 * it also keeps every size computation below far from overflow. */
#define SC_ENCODE_MAX ((size_t)INT32_MAX)

/* ---- decoding (no GIL) ---------------------------------------------------------------------- */

void sc_grpc_fast_ctx_init(sc_grpc_fast_ctx *ctx)
{
    sc_arena_init(&ctx->arena, 64 * 1024);
}

void sc_grpc_fast_ctx_free(sc_grpc_fast_ctx *ctx)
{
    sc_arena_free(&ctx->arena);
}

void sc_grpc_fast_reset(sc_grpc_fast_ctx *ctx)
{
    sc_arena_reset(&ctx->arena);
}

/* protobuf-c allocates through these: everything goes into the call's arena and is released
 * at once by sc_grpc_fast_reset, so there is nothing to free one by one. */
static void *sc_pbc_alloc(void *arena, size_t size)
{
    return sc_arena_alloc(arena, size);
}

static void sc_pbc_free(void *arena, void *ptr)
{
    (void)arena;
    (void)ptr;
}

enum { SC_VALUE_OTHER = 0, SC_VALUE_NUMBER = 1, SC_VALUE_LIST = 2 };

/* A google.protobuf.Value with exactly one field, a number or a list (*f gets it); anything
 * else (other kinds, an unset kind, repeated or unknown fields) is SC_VALUE_OTHER. */
static int sc_value_kind(const uint8_t *p, size_t len, sc_pb_field *f)
{
    sc_pb_reader r;
    sc_pb_field extra;
    sc_pb_reader_init(&r, p, len);
    if (sc_pb_next(&r, f) != 1 || sc_pb_next(&r, &extra) != 0)
        return SC_VALUE_OTHER;
    if (f->number == SC_F_VALUE_NUMBER && f->wire_type == SC_PB_I64)
        return SC_VALUE_NUMBER;
    if (f->number == SC_F_VALUE_LIST && f->wire_type == SC_PB_LEN)
        return SC_VALUE_LIST;
    return SC_VALUE_OTHER;
}

/* The shape of an ndarray ListValue, read along its first elements: what numpy.array() of the
 * nested lists gives when they are rectangular (checked while filling). An empty list ends the
 * shape with a 0, as numpy does for [] and [[], []]. 0, or -1: not for the fast path. */
static int sc_ndarray_shape(const uint8_t *p, size_t len, sc_grpc_parts *out)
{
    int ndim = 0;
    for (;;) {
        if (ndim == SC_GRPC_FAST_MAX_DIMS)
            return -1;
        sc_pb_reader r;
        sc_pb_field f, first = {0};
        size_t count = 0;
        int rc;
        sc_pb_reader_init(&r, p, len);
        while ((rc = sc_pb_next(&r, &f)) == 1) {
            if (f.number != SC_F_LIST_VALUES || f.wire_type != SC_PB_LEN)
                return -1;
            if (count++ == 0)
                first = f;
        }
        if (rc < 0)
            return -1;
        out->dims[ndim++] = (Py_ssize_t)count;
        if (count == 0)
            break;
        sc_pb_field v;
        int kind = sc_value_kind(first.data, first.len, &v);
        if (kind == SC_VALUE_NUMBER)
            break;
        if (kind != SC_VALUE_LIST)
            return -1;
        p = v.data;
        len = v.len;
    }
    out->ndim = ndim;
    return 0;
}

/* Copies the numbers of a ListValue at `depth` into *out, checking that every list has the
 * length of the shape and every leaf is a finite number (the general path refuses NaN and
 * Infinity: protobuf's JSON mapping has no number for them). Recursion depth is bounded by
 * SC_GRPC_FAST_MAX_DIMS. 0, or -1: not for the fast path. */
static int sc_ndarray_fill(const uint8_t *p, size_t len, int depth, const sc_grpc_parts *parts, double **out)
{
    const size_t want = (size_t)parts->dims[depth];
    const int leaf = depth == parts->ndim - 1;
    const uint8_t *end = p + len;
    size_t count = 0;
    if (leaf) {
        double *o = *out;
        while (p < end) {
            double d;
            if (++count > want)
                return -1;
            /* The encoding every serializer writes for Value{number_value}: element tag, length
             * 9, number tag, 8 bytes. Anything else goes through the general reader. */
            if (end - p >= 11 && p[0] == SC_TAG(SC_F_LIST_VALUES, SC_PB_LEN) && p[1] == 9 &&
                p[2] == SC_TAG(SC_F_VALUE_NUMBER, SC_PB_I64)) {
                memcpy(&d, p + 3, sizeof(d));
                p += 11;
            } else {
                sc_pb_reader r;
                sc_pb_field f, v;
                sc_pb_reader_init(&r, p, (size_t)(end - p));
                if (sc_pb_next(&r, &f) != 1 || f.number != SC_F_LIST_VALUES || f.wire_type != SC_PB_LEN ||
                    sc_value_kind(f.data, f.len, &v) != SC_VALUE_NUMBER)
                    return -1;
                memcpy(&d, v.data, sizeof(d));
                p = r.p;
            }
            if (!isfinite(d))
                return -1;
            *o++ = d;
        }
        *out = o;
        return count == want ? 0 : -1;
    }
    sc_pb_reader r;
    sc_pb_field f, v;
    int rc;
    sc_pb_reader_init(&r, p, len);
    while ((rc = sc_pb_next(&r, &f)) == 1) {
        if (++count > want || f.number != SC_F_LIST_VALUES || f.wire_type != SC_PB_LEN ||
            sc_value_kind(f.data, f.len, &v) != SC_VALUE_LIST ||
            sc_ndarray_fill(v.data, v.len, depth + 1, parts, out) < 0)
            return -1;
    }
    return rc == 0 && count == want ? 0 : -1;
}

static int sc_decode_ndarray(sc_grpc_fast_ctx *ctx, const uint8_t *p, size_t len, sc_grpc_parts *out)
{
    if (sc_ndarray_shape(p, len, out) < 0)
        return -1;
    /* The shape comes from the first elements only: a product the bytes cannot hold (each
     * number takes at least 11) is a ragged or malformed list, refused before allocating. */
    size_t total = 1;
    for (int i = 0; i < out->ndim; i++) {
        size_t d = (size_t)out->dims[i];
        if (d != 0 && total > SIZE_MAX / d)
            return -1;
        total *= d;
    }
    if (total > len / 11)
        return -1;
    double *values = sc_arena_alloc(&ctx->arena, total * sizeof(double));
    if (values == NULL)
        return -1;
    double *cursor = values;
    if (sc_ndarray_fill(p, len, 0, out, &cursor) < 0 || (size_t)(cursor - values) != total)
        return -1;
    out->values = values;
    out->n_values = total;
    return 0;
}

static int sc_decode_tensor(sc_grpc_fast_ctx *ctx, const uint8_t *p, size_t len, sc_grpc_parts *out)
{
    ProtobufCAllocator alloc = {.alloc = sc_pbc_alloc, .free = sc_pbc_free, .allocator_data = &ctx->arena};
    Seldon__Protos__Tensor *t = seldon__protos__tensor__unpack(&alloc, len, p);
    /* Unknown fields: the general path reads the values from the tail of the re-serialized
     * Tensor (as the original does), which unknown fields would shift; let it. */
    if (t == NULL || t->base.n_unknown_fields != 0 || t->n_shape > SC_GRPC_FAST_MAX_DIMS)
        return -1;
    size_t total = 1;
    for (size_t i = 0; i < t->n_shape; i++) {
        /* A negative dimension would make numpy infer it (-1) or fail: not ours to decide. */
        if (t->shape[i] < 0)
            return -1;
        size_t d = (size_t)t->shape[i];
        if (d != 0 && total > SIZE_MAX / d)
            return -1;
        total *= d;
        out->dims[i] = (Py_ssize_t)d;
    }
    /* A count that does not match the shape is numpy's reshape error on the general path. */
    if (total != t->n_values)
        return -1;
    out->ndim = (int)t->n_shape;
    out->values = t->values;
    out->n_values = total;
    return 0;
}

/* DefaultData: names, then exactly one of tensor / ndarray, or neither (an empty float array). */
static int sc_decode_data(sc_grpc_fast_ctx *ctx, const uint8_t *p, size_t len, sc_grpc_parts *out)
{
    sc_pb_reader r;
    sc_pb_field f;
    sc_grpc_span payload = {NULL, 0};
    int rc;
    size_t n_names = 0;
    sc_pb_reader_init(&r, p, len);
    while ((rc = sc_pb_next(&r, &f)) == 1) {
        if (f.wire_type != SC_PB_LEN)
            return -1;
        if (f.number == SC_F_DATA_NAMES) {
            n_names++;
        } else if (f.number == SC_F_DATA_TENSOR || f.number == SC_F_DATA_NDARRAY) {
            /* Two payload fields would be oneof "last wins" or a merge: not the common case. */
            if (out->kind != SC_GRPC_KIND_NONE)
                return -1;
            out->kind = f.number == SC_F_DATA_TENSOR ? SC_GRPC_KIND_TENSOR : SC_GRPC_KIND_NDARRAY;
            payload.data = f.data;
            payload.len = f.len;
        } else {
            return -1; /* tftensor, unknown fields */
        }
    }
    if (rc < 0)
        return -1;
    if (n_names) {
        out->names = sc_arena_alloc(&ctx->arena, n_names * sizeof(*out->names));
        if (out->names == NULL)
            return -1;
        sc_pb_reader_init(&r, p, len);
        while (sc_pb_next(&r, &f) == 1)
            if (f.number == SC_F_DATA_NAMES)
                out->names[out->n_names++] = (sc_grpc_span){f.data, f.len};
    }
    switch (out->kind) {
    case SC_GRPC_KIND_TENSOR:
        return sc_decode_tensor(ctx, payload.data, payload.len, out);
    case SC_GRPC_KIND_NDARRAY:
        return sc_decode_ndarray(ctx, payload.data, payload.len, out);
    default:
        out->ndim = 1; /* numpy.array([]): float64, shape (0,) */
        out->dims[0] = 0;
        return 0;
    }
}

int sc_grpc_fast_decode(sc_grpc_fast_ctx *ctx, const uint8_t *buf, size_t len, sc_grpc_parts *out)
{
    memset(out, 0, sizeof(*out));
    sc_pb_reader r;
    sc_pb_field f;
    sc_grpc_span data = {NULL, 0};
    int has_data = 0, rc;
    sc_pb_reader_init(&r, buf, len);
    while ((rc = sc_pb_next(&r, &f)) == 1) {
        /* A second meta or data would be merged by protobuf; status and the other payload
         * kinds are rare: all of them take the general path. */
        if (f.wire_type != SC_PB_LEN)
            return SC_GRPC_FAST_NO;
        if (f.number == SC_F_MESSAGE_META && !out->has_meta) {
            out->has_meta = 1;
            out->meta = (sc_grpc_span){f.data, f.len};
        } else if (f.number == SC_F_MESSAGE_DATA && !has_data) {
            has_data = 1;
            data = (sc_grpc_span){f.data, f.len};
        } else {
            return SC_GRPC_FAST_NO;
        }
    }
    if (rc < 0 || !has_data || sc_decode_data(ctx, data.data, data.len, out) < 0)
        return SC_GRPC_FAST_NO;
    return SC_GRPC_FAST_YES;
}

/* ---- to Python (GIL held) -------------------------------------------------------------------- */

static PyObject *sc_str_tensor, *sc_str_ndarray; /* interned "tensor", "ndarray" */

PyObject *sc_grpc_fast_to_python(const sc_grpc_parts *parts)
{
    PyObject *array = NULL, *names = NULL, *meta = NULL;
    npy_intp dims[SC_GRPC_FAST_MAX_DIMS];
    for (int i = 0; i < parts->ndim; i++)
        dims[i] = (npy_intp)parts->dims[i];
    /* A fresh C-contiguous float64 array that owns its data, like numpy.array(list). */
    array = PyArray_SimpleNew(parts->ndim, dims, NPY_DOUBLE);
    if (array == NULL)
        goto fail;
    if (parts->n_values)
        memcpy(PyArray_DATA((PyArrayObject *)array), parts->values, parts->n_values * sizeof(double));
    names = PyList_New((Py_ssize_t)parts->n_names);
    if (names == NULL)
        goto fail;
    for (size_t i = 0; i < parts->n_names; i++) {
        PyObject *s = PyUnicode_DecodeUTF8((const char *)parts->names[i].data, (Py_ssize_t)parts->names[i].len, NULL);
        if (s == NULL) {
            if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
                /* protobuf refuses the whole message (INVALID_ARGUMENT): the general path says so. */
                PyErr_Clear();
            }
            goto fail;
        }
        PyList_SET_ITEM(names, (Py_ssize_t)i, s);
    }
    if (parts->has_meta) {
        meta = PyBytes_FromStringAndSize((const char *)parts->meta.data, (Py_ssize_t)parts->meta.len);
        if (meta == NULL)
            goto fail;
    } else {
        Py_INCREF(Py_None);
        meta = Py_None;
    }
    PyObject *kind = parts->kind == SC_GRPC_KIND_TENSOR    ? sc_str_tensor
                     : parts->kind == SC_GRPC_KIND_NDARRAY ? sc_str_ndarray
                                                           : Py_None;
    PyObject *tuple = PyTuple_New(4);
    if (tuple == NULL)
        goto fail;
    Py_INCREF(kind);
    PyTuple_SET_ITEM(tuple, 0, kind);
    PyTuple_SET_ITEM(tuple, 1, array);
    PyTuple_SET_ITEM(tuple, 2, names);
    PyTuple_SET_ITEM(tuple, 3, meta);
    return tuple;
fail:
    Py_XDECREF(array);
    Py_XDECREF(names);
    Py_XDECREF(meta);
    return NULL;
}

/* ---- encoding a response (GIL held) ----------------------------------------------------------- */

/* numpy types whose float64 cast is exactly what the general path sends: tolist() gives Python
 * ints/floats that protobuf stores as doubles, and astype('<f8') for tensors. */
static int sc_encodable_type(int type)
{
    switch (type) {
    case NPY_BYTE:
    case NPY_UBYTE:
    case NPY_SHORT:
    case NPY_USHORT:
    case NPY_INT:
    case NPY_UINT:
    case NPY_LONG:
    case NPY_ULONG:
    case NPY_LONGLONG:
    case NPY_ULONGLONG:
    case NPY_HALF:
    case NPY_FLOAT:
    case NPY_DOUBLE:
        return 1;
    default: /* bool, complex, longdouble, strings, objects, datetimes: protobuf decides */
        return 0;
    }
}

/* a + b, failing above SC_ENCODE_MAX. */
static int sc_size_add(size_t *acc, size_t b)
{
    if (b > SC_ENCODE_MAX || *acc > SC_ENCODE_MAX - b)
        return -1;
    *acc += b;
    return 0;
}

static int sc_size_mul(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SC_ENCODE_MAX / b)
        return -1;
    *out = a * b;
    return 0;
}

/* Sizes of the nested ListValue encoding of an ndarray, per depth k: elem[k] is one element
 * (tag, length, Value) of a list at depth k, list[k] the whole list. All lists of one depth
 * have the same size, the array being rectangular. */
typedef struct {
    size_t elem[NPY_MAXDIMS];
    size_t list[NPY_MAXDIMS];
    size_t value[NPY_MAXDIMS]; /* the Value inside elem[k] */
} sc_nd_sizes;

static int sc_ndarray_sizes(int ndim, const npy_intp *dims, sc_nd_sizes *s)
{
    for (int k = ndim - 1; k >= 0; k--) {
        if (k == ndim - 1) {
            s->value[k] = 1 + 8; /* number_value: tag + fixed64 */
        } else {
            s->value[k] = 0;
            if (sc_size_add(&s->value[k], sc_pb_len_field_size(s->list[k + 1])) < 0)
                return -1;
        }
        s->elem[k] = sc_pb_len_field_size(s->value[k]);
        if (sc_size_mul(s->elem[k], (size_t)dims[k], &s->list[k]) < 0)
            return -1;
    }
    return 0;
}

static uint8_t *sc_write_ndarray(uint8_t *p, int depth, int ndim, const npy_intp *dims, const sc_nd_sizes *s,
                                 const double **values)
{
    if (depth == ndim - 1) {
        const double *v = *values;
        for (npy_intp i = 0; i < dims[depth]; i++) {
            p[0] = SC_TAG(SC_F_LIST_VALUES, SC_PB_LEN);
            p[1] = 9;
            p[2] = SC_TAG(SC_F_VALUE_NUMBER, SC_PB_I64);
            memcpy(p + 3, v++, 8);
            p += 11;
        }
        *values = v;
        return p;
    }
    for (npy_intp i = 0; i < dims[depth]; i++) {
        p = sc_pb_write_len_header(p, SC_F_LIST_VALUES, s->value[depth]);
        p = sc_pb_write_len_header(p, SC_F_VALUE_LIST, s->list[depth + 1]);
        p = sc_write_ndarray(p, depth + 1, ndim, dims, s, values);
    }
    return p;
}

/* grpc_encode_data(meta: bytes, names: list|tuple of str, kind: 1 tensor | 2 ndarray, array)
 *   -> bytes of SeldonMessage{meta, data{names, tensor|ndarray}}, or None when the general
 * serializer must do it (the array's type, a 0-d ndarray, a name that is not a str, sizes). */
static PyObject *sc_py_grpc_encode_data(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "grpc_encode_data(meta, names, kind, array)");
        return NULL;
    }
    PyObject *meta = args[0], *names = args[1], *array = args[3];
    long kind = PyLong_AsLong(args[2]);
    if (kind == -1 && PyErr_Occurred())
        return NULL;
    if ((kind != SC_GRPC_KIND_TENSOR && kind != SC_GRPC_KIND_NDARRAY) || !PyBytes_Check(meta) ||
        !(PyList_CheckExact(names) || PyTuple_CheckExact(names)) || !PyArray_Check(array) ||
        !sc_encodable_type(PyArray_TYPE((PyArrayObject *)array)))
        Py_RETURN_NONE;
    int ndim = PyArray_NDIM((PyArrayObject *)array);
    if (kind == SC_GRPC_KIND_NDARRAY && ndim == 0)
        Py_RETURN_NONE; /* protobuf raises iterating a 0-d array; let it */

    /* Contiguous float64 (a no-op for the usual float64 C array): the casts are numpy's, which
     * for these types equal Python's float(int) and float widening. */
    PyArrayObject *arr = (PyArrayObject *)PyArray_FromAny(
        array, PyArray_DescrFromType(NPY_DOUBLE), 0, 0, NPY_ARRAY_CARRAY | NPY_ARRAY_FORCECAST, NULL);
    if (arr == NULL)
        return NULL;
    PyObject *result = NULL;
    const npy_intp *dims = PyArray_DIMS(arr);
    const size_t n = (size_t)PyArray_SIZE(arr);
    const double *values = PyArray_DATA(arr);
    Py_ssize_t n_names = PySequence_Fast_GET_SIZE(names);
    PyObject **name_items = PySequence_Fast_ITEMS(names);
    size_t data_len = 0, payload_len = 0, shape_len = 0, total = 0, values_len = 0;
    sc_nd_sizes sizes;

    for (Py_ssize_t i = 0; i < n_names; i++) {
        Py_ssize_t len;
        if (!PyUnicode_CheckExact(name_items[i]) || PyUnicode_AsUTF8AndSize(name_items[i], &len) == NULL) {
            PyErr_Clear(); /* e.g. lone surrogates: protobuf's own error */
            goto general;
        }
        if (sc_size_add(&data_len, sc_pb_len_field_size((size_t)len)) < 0)
            goto general;
    }
    if (kind == SC_GRPC_KIND_TENSOR) {
        for (int i = 0; i < ndim; i++) {
            if (dims[i] > INT32_MAX) /* shape is int32 */
                goto general;
            shape_len += sc_pb_varint_size((uint64_t)dims[i]);
        }
        if (shape_len && sc_size_add(&payload_len, sc_pb_len_field_size(shape_len)) < 0)
            goto general;
        if (n && (sc_size_mul(n, 8, &values_len) < 0 || sc_size_add(&payload_len, sc_pb_len_field_size(values_len)) < 0))
            goto general;
    } else {
        if (ndim > NPY_MAXDIMS || sc_ndarray_sizes(ndim, dims, &sizes) < 0)
            goto general;
        payload_len = sizes.list[0];
    }
    if (sc_size_add(&data_len, sc_pb_len_field_size(payload_len)) < 0 ||
        sc_size_add(&total, sc_pb_len_field_size((size_t)PyBytes_GET_SIZE(meta))) < 0 ||
        sc_size_add(&total, sc_pb_len_field_size(data_len)) < 0)
        goto general;

    result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total);
    if (result == NULL)
        goto done;
    uint8_t *start = (uint8_t *)PyBytes_AS_STRING(result);
    uint8_t *p = start;
    /* SeldonMessage: meta (2) is always set, then data (3); fields in number order, as protobuf
     * serializes them. */
    p = sc_pb_write_len_header(p, SC_F_MESSAGE_META, (size_t)PyBytes_GET_SIZE(meta));
    memcpy(p, PyBytes_AS_STRING(meta), (size_t)PyBytes_GET_SIZE(meta));
    p += PyBytes_GET_SIZE(meta);
    p = sc_pb_write_len_header(p, SC_F_MESSAGE_DATA, data_len);
    for (Py_ssize_t i = 0; i < n_names; i++) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(name_items[i], &len); /* cached above */
        p = sc_pb_write_len_header(p, SC_F_DATA_NAMES, (size_t)len);
        memcpy(p, s, (size_t)len);
        p += len;
    }
    if (kind == SC_GRPC_KIND_TENSOR) {
        /* Empty repeated fields are omitted; an empty tensor is still present (length 0). */
        p = sc_pb_write_len_header(p, SC_F_DATA_TENSOR, payload_len);
        if (shape_len) {
            p = sc_pb_write_len_header(p, SC_F_TENSOR_SHAPE, shape_len);
            for (int i = 0; i < ndim; i++)
                p = sc_pb_write_varint(p, (uint64_t)dims[i]);
        }
        if (n) {
            p = sc_pb_write_len_header(p, SC_F_TENSOR_VALUES, values_len);
            memcpy(p, values, values_len);
            p += values_len;
        }
    } else {
        p = sc_pb_write_len_header(p, SC_F_DATA_NDARRAY, payload_len);
        p = sc_write_ndarray(p, 0, ndim, dims, &sizes, &values);
    }
    if ((size_t)(p - start) != total) { /* the size pass and the write pass disagree: our bug */
        Py_CLEAR(result);
        PyErr_SetString(PyExc_SystemError, "grpc_encode_data: size mismatch");
    }
    goto done;
general:
    Py_INCREF(Py_None);
    result = Py_None;
done:
    Py_DECREF(arr);
    return result;
}

static PyMethodDef sc_grpc_fast_methods[] = {
    {"grpc_encode_data", (PyCFunction)(void (*)(void))sc_py_grpc_encode_data, METH_FASTCALL,
     "grpc_encode_data(meta, names, kind, array) -> SeldonMessage bytes, or None"},
    {NULL, NULL, 0, NULL},
};

int sc_grpc_fast_register(void)
{
    if (sc_str_tensor == NULL) {
        sc_str_tensor = PyUnicode_InternFromString("tensor");
        sc_str_ndarray = PyUnicode_InternFromString("ndarray");
        if (sc_str_tensor == NULL || sc_str_ndarray == NULL)
            return -1;
    }
    PyObject *module = PyImport_ImportModule("_seldon_core_c");
    if (module == NULL)
        return -1;
    int rc = PyModule_AddFunctions(module, sc_grpc_fast_methods);
    Py_DECREF(module);
    return rc;
}
