/* sc_pyjson: the response encoder. It walks Python objects the way CPython 3.11's C encoder
 * (Modules/_json.c, used by json.dumps and so by Flask's jsonify) does -- same type tests in the
 * same order, same sorting of dict items, same error types and messages, same points where
 * circular references and recursion depth are checked -- so that output and failures are
 * byte-identical. It differs in speed only: floats through sc_float, ASCII escaping in place,
 * and numpy arrays wrapped in ArrayOut printed straight from their buffer.
 */
#include "sc_numpy.h"

#include "sc_pyjson.h"

#include <stdint.h>
#include <string.h>

#include "sc_float.h"

/* ---------------------------------------------------------------------------------------------
 * ArrayOut: the marker type
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    PyObject *array;
} sc_arrayout;

static PyObject *sc_arrayout_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"array", NULL};
    PyObject *array;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:ArrayOut", kwlist, &array))
        return NULL;
    /* Only arrays: anything else would have no tolist() layout to promise, and failing here
     * points at the runtime bug instead of at the encoder much later. */
    if (!PyArray_Check(array)) {
        PyErr_Format(PyExc_TypeError, "ArrayOut() argument must be a numpy.ndarray, not %.100s",
                     Py_TYPE(array)->tp_name);
        return NULL;
    }
    sc_arrayout *self = (sc_arrayout *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    Py_INCREF(array);
    self->array = array;
    return (PyObject *)self;
}

/* GC support: an object array may hold the ArrayOut that holds it. */
static int sc_arrayout_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(((sc_arrayout *)self)->array);
    return 0;
}

static int sc_arrayout_clear(PyObject *self)
{
    Py_CLEAR(((sc_arrayout *)self)->array);
    return 0;
}

static void sc_arrayout_dealloc(PyObject *self)
{
    PyObject_GC_UnTrack(self);
    (void)sc_arrayout_clear(self);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *sc_arrayout_get_array(PyObject *self, void *closure)
{
    PyObject *a = ((sc_arrayout *)self)->array;
    if (a == NULL)
        Py_RETURN_NONE; /* only after tp_clear during collection */
    Py_INCREF(a);
    return a;
}

static PyGetSetDef sc_arrayout_getset[] = {
    {"array", sc_arrayout_get_array, NULL, "the wrapped numpy array", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* Not subclassable: the encoder tests the exact type, one pointer comparison. */
static PyTypeObject sc_arrayout_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_seldon_core_c.ArrayOut",
    .tp_basicsize = sizeof(sc_arrayout),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "ArrayOut(array): emit array as array.tolist() would be, from its buffer.",
    .tp_new = sc_arrayout_new,
    .tp_traverse = sc_arrayout_traverse,
    .tp_clear = sc_arrayout_clear,
    .tp_dealloc = sc_arrayout_dealloc,
    .tp_getset = sc_arrayout_getset,
};

int sc_pyjson_add_types(PyObject *module)
{
    if (PyType_Ready(&sc_arrayout_type) < 0)
        return -1;
    Py_INCREF(&sc_arrayout_type);
    if (PyModule_AddObject(module, "ArrayOut", (PyObject *)&sc_arrayout_type) < 0) {
        Py_DECREF(&sc_arrayout_type);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Output helpers
 * ------------------------------------------------------------------------------------------- */

/* The containers on the path from the root to the object being encoded. CPython keeps the same
 * set in a dict (`markers`) to report "Circular reference detected"; a chain of stack frames
 * gives the same answers without allocating. */
typedef struct sc_mark {
    PyObject *obj;
    const struct sc_mark *up;
} sc_mark;

typedef struct {
    sc_buf *out;
    PyObject *default_fn;
} sc_enc;

/* Room for n more bytes; NULL with MemoryError set on failure. */
static char *sc_room(sc_enc *e, size_t n)
{
    if (sc_buf_reserve(e->out, n) != 0) {
        PyErr_NoMemory();
        return NULL;
    }
    return e->out->data + e->out->len;
}

/* Commits bytes written through sc_room up to p, keeping sc_buf's NUL terminator. */
static void sc_commit(sc_enc *e, char *p)
{
    e->out->len = (size_t)(p - e->out->data);
    e->out->data[e->out->len] = '\0';
}

static int sc_put(sc_enc *e, const char *s, size_t n)
{
    if (sc_buf_append(e->out, s, n) != 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static int sc_put_char(sc_enc *e, char c)
{
    if (sc_buf_append_char(e->out, c) != 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static const char sc_pairs[] = "00010203040506070809101112131415161718192021222324"
                               "25262728293031323334353637383940414243444546474849"
                               "50515253545556575859606162636465666768697071727374"
                               "75767778798081828384858687888990919293949596979899";

/* Decimal digits of x at p; returns the end. At most 20 bytes. */
static char *sc_put_u64(char *p, uint64_t x)
{
    char tmp[20];
    char *w = tmp + sizeof tmp;
    while (x >= 100) {
        w -= 2;
        memcpy(w, sc_pairs + (x % 100) * 2, 2);
        x /= 100;
    }
    if (x >= 10) {
        w -= 2;
        memcpy(w, sc_pairs + x * 2, 2);
    } else {
        *--w = (char)('0' + x);
    }
    size_t n = (size_t)(tmp + sizeof tmp - w);
    memcpy(p, w, n);
    return p + n;
}

/* At most 20 bytes. */
static char *sc_put_i64(char *p, int64_t x)
{
    if (x < 0) {
        *p++ = '-';
        return sc_put_u64(p, (uint64_t)0 - (uint64_t)x); /* also right for INT64_MIN */
    }
    return sc_put_u64(p, (uint64_t)x);
}

/* ---------------------------------------------------------------------------------------------
 * Scalars
 * ------------------------------------------------------------------------------------------- */

/* ensure_ascii escaping: printable ASCII except '"' and '\\' as is, the five short escapes,
 * everything else as \uXXXX with lowercase hex (surrogate pairs above the BMP; lone surrogates
 * in the str are written as they are). Table: 0 = as is, else the escape letter. */
static const char sc_esc[128] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    0,   0,   '"', 0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   '\\', 0,  0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   'u',
};

static const char sc_hex[] = "0123456789abcdef";

static inline size_t sc_esc_len(Py_UCS4 c)
{
    if (c < 128)
        return sc_esc[c] == 0 ? 1 : sc_esc[c] == 'u' ? 6 : 2;
    return c < 0x10000 ? 6 : 12;
}

static inline char *sc_put_u16(char *p, Py_UCS4 c)
{
    p[0] = '\\';
    p[1] = 'u';
    p[2] = sc_hex[(c >> 12) & 0xf];
    p[3] = sc_hex[(c >> 8) & 0xf];
    p[4] = sc_hex[(c >> 4) & 0xf];
    p[5] = sc_hex[c & 0xf];
    return p + 6;
}

static inline char *sc_put_escaped(char *p, Py_UCS4 c)
{
    if (c < 128) {
        char x = sc_esc[c];
        if (x == 0) {
            *p++ = (char)c;
        } else if (x != 'u') {
            *p++ = '\\';
            *p++ = x;
        } else {
            p = sc_put_u16(p, c);
        }
    } else if (c < 0x10000) {
        p = sc_put_u16(p, c);
    } else {
        c -= 0x10000;
        p = sc_put_u16(p, 0xd800 | (c >> 10));
        p = sc_put_u16(p, 0xdc00 | (c & 0x3ff));
    }
    return p;
}

/* The quoted, escaped text of a str (or str subclass: its characters, not its __str__). */
static int sc_enc_str(sc_enc *e, PyObject *s)
{
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(s) < 0)
        return -1;
#endif
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    /* Two passes, exact size first: no worst-case (12x) reservation for long strings, and the
     * common no-escape ASCII string becomes one memcpy. */
    size_t need = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        need += sc_esc_len(PyUnicode_READ(kind, data, i));
    char *p = sc_room(e, need + 2);
    if (p == NULL)
        return -1;
    *p++ = '"';
    if (need == (size_t)n && kind == PyUnicode_1BYTE_KIND) {
        memcpy(p, data, (size_t)n);
        p += n;
    } else {
        for (Py_ssize_t i = 0; i < n; i++)
            p = sc_put_escaped(p, PyUnicode_READ(kind, data, i));
    }
    *p++ = '"';
    sc_commit(e, p);
    return 0;
}

static int sc_enc_double(sc_enc *e, double v)
{
    char *p = sc_room(e, SC_FLOAT_BUFSIZE);
    if (p == NULL)
        return -1;
    sc_commit(e, p + sc_float_json(v, p));
    return 0;
}

/* Text of an int (or int subclass) as int.__repr__ gives it, e.g. IntEnum members as numbers;
 * it also raises the same ValueError past sys.get_int_max_str_digits(). */
static int sc_enc_int(sc_enc *e, PyObject *o)
{
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (!overflow) {
        char *p = sc_room(e, 21);
        if (p == NULL)
            return -1;
        sc_commit(e, sc_put_i64(p, v));
        return 0;
    }
    PyObject *s = PyLong_Type.tp_repr(o);
    if (s == NULL)
        return -1;
    Py_ssize_t n;
    const char *t = PyUnicode_AsUTF8AndSize(s, &n);
    int rc = t == NULL ? -1 : sc_put(e, t, (size_t)n);
    Py_DECREF(s);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Containers
 * ------------------------------------------------------------------------------------------- */

static int sc_enc_obj(sc_enc *e, PyObject *o, const sc_mark *path);

static int sc_check_circular(PyObject *o, const sc_mark *path)
{
    for (; path != NULL; path = path->up) {
        if (path->obj == o) {
            PyErr_SetString(PyExc_ValueError, "Circular reference detected");
            return -1;
        }
    }
    return 0;
}

static int sc_enc_list(sc_enc *e, PyObject *o, const sc_mark *path)
{
    /* Subclasses are iterated (their __iter__ counts), exact lists and tuples read directly:
     * what PySequence_Fast does, as CPython's encoder uses it. */
    sc_mark here = {o, path};
    PyObject *seq = PySequence_Fast(o, "_iterencode_list needs a sequence");
    if (seq == NULL)
        return -1;
    int rc = -1;
    if (PySequence_Fast_GET_SIZE(seq) == 0) {
        rc = sc_put(e, "[]", 2);
        goto done;
    }
    if (sc_check_circular(o, path) < 0)
        goto done;
    if (sc_put_char(e, '[') < 0)
        goto done;
    /* The size is re-read each time: a default() callback may change the list meanwhile. */
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        if (i > 0 && sc_put_char(e, ',') < 0)
            goto done;
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        Py_INCREF(item);
        int r = sc_enc_obj(e, item, &here);
        Py_DECREF(item);
        if (r < 0)
            goto done;
    }
    rc = sc_put_char(e, ']');
done:
    Py_DECREF(seq);
    return rc;
}

/* A dict key as the text json.dumps gives it (new reference), or NULL with TypeError. */
static PyObject *sc_key_text(PyObject *key)
{
    if (PyUnicode_Check(key)) {
        Py_INCREF(key);
        return key;
    }
    if (PyFloat_Check(key)) {
        char buf[SC_FLOAT_BUFSIZE];
        size_t n = sc_float_json(PyFloat_AS_DOUBLE(key), buf);
        return PyUnicode_FromStringAndSize(buf, (Py_ssize_t)n);
    }
    /* Before the int test: True and False are ints too. */
    if (key == Py_True)
        return PyUnicode_FromString("true");
    if (key == Py_False)
        return PyUnicode_FromString("false");
    if (key == Py_None)
        return PyUnicode_FromString("null");
    if (PyLong_Check(key))
        return PyLong_Type.tp_repr(key);
    PyErr_Format(PyExc_TypeError, "keys must be str, int, float, bool or None, not %.100s",
                 Py_TYPE(key)->tp_name);
    return NULL;
}

static int sc_enc_dict(sc_enc *e, PyObject *o, const sc_mark *path)
{
    if (PyDict_GET_SIZE(o) == 0)
        return sc_put(e, "{}", 2);
    if (sc_check_circular(o, path) < 0)
        return -1;
    sc_mark here = {o, path};
    if (sc_put_char(e, '{') < 0)
        return -1;
    /* Like CPython: sort the (key, value) pairs, before converting keys. Hence mixed key types
     * fail with sorted()'s TypeError, and equal-comparing keys are ordered by their values. */
    PyObject *items = PyMapping_Items(o);
    if (items == NULL)
        return -1;
    int rc = -1;
    if (PyList_Sort(items) < 0)
        goto done;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            PyErr_SetString(PyExc_ValueError, "items must return 2-tuples");
            goto done;
        }
        PyObject *kstr = sc_key_text(PyTuple_GET_ITEM(item, 0));
        if (kstr == NULL)
            goto done;
        int r = (i > 0 ? sc_put_char(e, ',') : 0);
        if (r == 0)
            r = sc_enc_str(e, kstr);
        Py_DECREF(kstr);
        if (r < 0 || sc_put_char(e, ':') < 0)
            goto done;
        if (sc_enc_obj(e, PyTuple_GET_ITEM(item, 1), &here) < 0)
            goto done;
    }
    rc = sc_put_char(e, '}');
done:
    Py_DECREF(items);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * numpy arrays (ArrayOut)
 * ------------------------------------------------------------------------------------------- */

enum sc_elem { SC_E_BOOL, SC_E_INT, SC_E_UINT, SC_E_F32, SC_E_F64 };

typedef struct {
    enum sc_elem kind;
    int size; /* bytes, for the integer kinds */
} sc_elem_type;

/* The dtypes printed from the buffer; 0 for the others (tolist() decides their spelling). */
static int sc_elem_of(PyArrayObject *a, sc_elem_type *t)
{
    switch (PyArray_TYPE(a)) {
    case NPY_BOOL: *t = (sc_elem_type){SC_E_BOOL, 1}; return 1;
    case NPY_BYTE: *t = (sc_elem_type){SC_E_INT, (int)sizeof(npy_byte)}; return 1;
    case NPY_SHORT: *t = (sc_elem_type){SC_E_INT, (int)sizeof(npy_short)}; return 1;
    case NPY_INT: *t = (sc_elem_type){SC_E_INT, (int)sizeof(npy_int)}; return 1;
    case NPY_LONG: *t = (sc_elem_type){SC_E_INT, (int)sizeof(npy_long)}; return 1;
    case NPY_LONGLONG: *t = (sc_elem_type){SC_E_INT, (int)sizeof(npy_longlong)}; return 1;
    case NPY_UBYTE: *t = (sc_elem_type){SC_E_UINT, (int)sizeof(npy_ubyte)}; return 1;
    case NPY_USHORT: *t = (sc_elem_type){SC_E_UINT, (int)sizeof(npy_ushort)}; return 1;
    case NPY_UINT: *t = (sc_elem_type){SC_E_UINT, (int)sizeof(npy_uint)}; return 1;
    case NPY_ULONG: *t = (sc_elem_type){SC_E_UINT, (int)sizeof(npy_ulong)}; return 1;
    case NPY_ULONGLONG: *t = (sc_elem_type){SC_E_UINT, (int)sizeof(npy_ulonglong)}; return 1;
    case NPY_FLOAT: *t = (sc_elem_type){SC_E_F32, 4}; return sizeof(npy_float) == 4;
    case NPY_DOUBLE: *t = (sc_elem_type){SC_E_F64, 8}; return sizeof(npy_double) == 8;
    default: return 0;
    }
}

/* Widest element text: "-1.2345678901234567e-308" (24) or "-9223372036854775808" (20). */
#define SC_ELEM_MAX 24

/* One element at src (possibly unaligned: loads go through memcpy). */
static inline char *sc_put_elem(char *p, const char *src, sc_elem_type t)
{
    switch (t.kind) {
    case SC_E_F64: {
        double v;
        memcpy(&v, src, 8);
        return p + sc_float_json(v, p);
    }
    case SC_E_F32: {
        float v;
        memcpy(&v, src, 4);
        return p + sc_float_json((double)v, p); /* tolist() widens float32 to a Python float */
    }
    case SC_E_BOOL:
        if (*src) {
            memcpy(p, "true", 4);
            return p + 4;
        }
        memcpy(p, "false", 5);
        return p + 5;
    case SC_E_INT:
        switch (t.size) {
        case 1: { int8_t v; memcpy(&v, src, 1); return sc_put_i64(p, v); }
        case 2: { int16_t v; memcpy(&v, src, 2); return sc_put_i64(p, v); }
        case 4: { int32_t v; memcpy(&v, src, 4); return sc_put_i64(p, v); }
        default: { int64_t v; memcpy(&v, src, 8); return sc_put_i64(p, v); }
        }
    case SC_E_UINT:
    default:
        switch (t.size) {
        case 1: { uint8_t v; memcpy(&v, src, 1); return sc_put_u64(p, v); }
        case 2: { uint16_t v; memcpy(&v, src, 2); return sc_put_u64(p, v); }
        case 4: { uint32_t v; memcpy(&v, src, 4); return sc_put_u64(p, v); }
        default: { uint64_t v; memcpy(&v, src, 8); return sc_put_u64(p, v); }
        }
    }
}

/* Dimension dim of the array: a JSON list of the sub-arrays, the innermost one written with a
 * single reservation. Recursion depth is bounded by NPY_MAXDIMS. */
static int sc_enc_dim(sc_enc *e, const char *data, int dim, int ndim, const npy_intp *shape,
                      const npy_intp *strides, sc_elem_type t)
{
    npy_intp n = shape[dim];
    if (dim == ndim - 1) {
        /* Reserve per chunk of worst-case widths, not per row: a long 1-D tensor would
         * otherwise grow the buffer ~30% past what it finally holds. */
        enum { CHUNK = 512 };
        npy_intp i = 0;
        do {
            npy_intp stop = n - i > CHUNK ? i + CHUNK : n;
            char *p = sc_room(e, (size_t)(stop - i) * (SC_ELEM_MAX + 1) + 2);
            if (p == NULL)
                return -1;
            if (i == 0)
                *p++ = '[';
            for (; i < stop; i++) {
                if (i > 0)
                    *p++ = ',';
                p = sc_put_elem(p, data + i * strides[dim], t);
            }
            if (i == n)
                *p++ = ']';
            sc_commit(e, p);
        } while (i < n);
        return 0;
    }
    if (sc_put_char(e, '[') < 0)
        return -1;
    for (npy_intp i = 0; i < n; i++) {
        if (i > 0 && sc_put_char(e, ',') < 0)
            return -1;
        if (sc_enc_dim(e, data + i * strides[dim], dim + 1, ndim, shape, strides, t) < 0)
            return -1;
    }
    return sc_put_char(e, ']');
}

static int sc_enc_array(sc_enc *e, PyObject *obj, const sc_mark *path)
{
    PyArrayObject *a = (PyArrayObject *)obj;
    sc_elem_type t;
    /* Subclasses may redefine tolist() (masked arrays print None for masked items) and
     * non-native byte order would need swapping: both take the general route. */
    if (!PyArray_CheckExact(obj) || PyArray_ISBYTESWAPPED(a) || !sc_elem_of(a, &t)) {
        PyObject *list = PyObject_CallMethod(obj, "tolist", NULL);
        if (list == NULL)
            return -1;
        int rc = sc_enc_obj(e, list, path);
        Py_DECREF(list);
        return rc;
    }
    const char *data = PyArray_BYTES(a);
    int ndim = PyArray_NDIM(a);
    if (ndim == 0) { /* tolist() of a 0-d array is the bare scalar */
        char *p = sc_room(e, SC_ELEM_MAX);
        if (p == NULL)
            return -1;
        sc_commit(e, sc_put_elem(p, data, t));
        return 0;
    }
    return sc_enc_dim(e, data, 0, ndim, PyArray_DIMS(a), PyArray_STRIDES(a), t);
}

/* ---------------------------------------------------------------------------------------------
 * Dispatch
 * ------------------------------------------------------------------------------------------- */

/* What json.JSONEncoder.default does when no default is given. */
static void sc_not_serializable(PyObject *o)
{
    PyObject *cls = PyObject_GetAttrString(o, "__class__");
    PyObject *name = cls ? PyObject_GetAttrString(cls, "__name__") : NULL;
    if (name != NULL)
        PyErr_Format(PyExc_TypeError, "Object of type %S is not JSON serializable", name);
    Py_XDECREF(name);
    Py_XDECREF(cls);
}

static int sc_enc_default(sc_enc *e, PyObject *o, const sc_mark *path)
{
    if (sc_check_circular(o, path) < 0)
        return -1;
    if (e->default_fn == NULL) {
        sc_not_serializable(o);
        return -1;
    }
    sc_mark here = {o, path};
    PyObject *res = PyObject_CallFunctionObjArgs(e->default_fn, o, NULL);
    if (res == NULL)
        return -1;
    int rc = -1;
    if (Py_EnterRecursiveCall(" while encoding a JSON object") == 0) {
        rc = sc_enc_obj(e, res, &here);
        Py_LeaveRecursiveCall();
    }
    Py_DECREF(res);
    return rc;
}

/* Type tests in CPython's order (identity constants, str, int, float, list/tuple, dict, other). */
static int sc_enc_obj(sc_enc *e, PyObject *o, const sc_mark *path)
{
    if (o == Py_None)
        return sc_put(e, "null", 4);
    if (o == Py_True)
        return sc_put(e, "true", 4);
    if (o == Py_False)
        return sc_put(e, "false", 5);
    if (PyUnicode_Check(o))
        return sc_enc_str(e, o);
    if (PyLong_Check(o))
        return sc_enc_int(e, o);
    if (PyFloat_Check(o))
        return sc_enc_double(e, PyFloat_AS_DOUBLE(o));
    if (PyList_Check(o) || PyTuple_Check(o) || PyDict_Check(o)) {
        if (Py_EnterRecursiveCall(" while encoding a JSON object"))
            return -1;
        int rc = PyDict_Check(o) ? sc_enc_dict(e, o, path) : sc_enc_list(e, o, path);
        Py_LeaveRecursiveCall();
        return rc;
    }
    if (Py_TYPE(o) == &sc_arrayout_type) {
        PyObject *a = ((sc_arrayout *)o)->array;
        if (a != NULL)
            return sc_enc_array(e, a, path);
    }
    return sc_enc_default(e, o, path);
}

int sc_pyjson_encode(PyObject *obj, PyObject *default_fn, sc_buf *out)
{
    sc_enc e = {out, default_fn};
    return sc_enc_obj(&e, obj, NULL);
}
