#include "sc_pybridge.h"

#include "sc_numpy.h"

PyObject *sc_py_from_json(const sc_json *v)
{
    switch (v->type) {
    case SC_JSON_NULL:
        Py_RETURN_NONE;
    case SC_JSON_TRUE:
        Py_RETURN_TRUE;
    case SC_JSON_FALSE:
        Py_RETURN_FALSE;
    case SC_JSON_INT:
        return PyLong_FromLongLong((long long)v->u.i);
    case SC_JSON_BIGINT:
        return PyLong_FromString(v->u.s.ptr, NULL, 10);
    case SC_JSON_REAL:
        return PyFloat_FromDouble(v->u.d);
    case SC_JSON_STRING:
        return PyUnicode_DecodeUTF8(v->u.s.ptr, (Py_ssize_t)v->u.s.len, "surrogatepass");
    case SC_JSON_BYTES:
        return PyBytes_FromStringAndSize(v->u.s.ptr, (Py_ssize_t)v->u.s.len);
    case SC_JSON_ARRAY: {
        PyObject *list = PyList_New((Py_ssize_t)v->u.a.len);
        if (list == NULL)
            return NULL;
        for (size_t i = 0; i < v->u.a.len; i++) {
            PyObject *item = sc_py_from_json(v->u.a.items[i]);
            if (item == NULL) {
                Py_DECREF(list);
                return NULL;
            }
            PyList_SET_ITEM(list, (Py_ssize_t)i, item);
        }
        return list;
    }
    case SC_JSON_OBJECT: {
        PyObject *dict = PyDict_New();
        if (dict == NULL)
            return NULL;
        for (size_t i = 0; i < v->u.o.len; i++) {
            const sc_json_member *mb = &v->u.o.members[i];
            PyObject *key = PyUnicode_DecodeUTF8(mb->key, (Py_ssize_t)mb->key_len, "surrogatepass");
            PyObject *val = key ? sc_py_from_json(mb->value) : NULL;
            int rc = (key && val) ? PyDict_SetItem(dict, key, val) : -1;
            Py_XDECREF(key);
            Py_XDECREF(val);
            if (rc < 0) {
                Py_DECREF(dict);
                return NULL;
            }
        }
        return dict;
    }
    }
    PyErr_SetString(PyExc_SystemError, "sc_py_from_json: unknown node type");
    return NULL;
}

PyObject *sc_py_ndarray(const sc_ndview *v)
{
    npy_intp dims[SC_MAX_NDIM];
    for (int i = 0; i < v->ndim; i++)
        dims[i] = (npy_intp)v->shape[i];
    int typenum = v->dtype == SC_DT_BOOL ? NPY_BOOL : v->dtype == SC_DT_INT64 ? NPY_INT64 : NPY_FLOAT64;
    PyObject *arr = PyArray_SimpleNew(v->ndim, dims, typenum);
    if (arr == NULL)
        return NULL;
    sc_ndview_fill(v, PyArray_DATA((PyArrayObject *)arr));
    return arr;
}

static PyObject *sc_py_or_none(const sc_json *v)
{
    if (v == NULL)
        Py_RETURN_NONE;
    return sc_py_from_json(v);
}

static PyObject *sc_py_features(const sc_message *m)
{
    switch (m->kind) {
    case SC_PAYLOAD_DATA:
        switch (m->data_kind) {
        case SC_DATA_TENSOR: {
            PyObject *flat = sc_py_ndarray(&m->array);
            PyObject *shape = flat ? sc_py_from_json(m->tensor_shape) : NULL;
            if (shape == NULL) {
                Py_XDECREF(flat);
                return NULL;
            }
            PyObject *t = PyTuple_Pack(2, flat, shape);
            Py_DECREF(flat);
            Py_DECREF(shape);
            return t;
        }
        case SC_DATA_NDARRAY:
            if (m->array.ok)
                return sc_py_ndarray(&m->array);
            return sc_py_from_json(m->payload); /* numpy decides: strings, None, ragged */
        default: {
            /* data without a kind: np.array([]) */
            sc_ndview empty = {.ok = 1, .dtype = SC_DT_FLOAT64, .ndim = 1, .shape = {0}};
            return sc_py_ndarray(&empty);
        }
        }
    case SC_PAYLOAD_JSON:
    case SC_PAYLOAD_STR:
        return sc_py_from_json(m->payload);
    case SC_PAYLOAD_BIN:
        return PyBytes_FromStringAndSize((const char *)m->bin, (Py_ssize_t)m->bin_len);
    default:
        PyErr_SetString(PyExc_SystemError, "sc_py_parts: message has no parts");
        return NULL;
    }
}

PyObject *sc_py_parts(const sc_message *m)
{
    static const char *const types[] = {NULL, "data", "jsonData", "strData", "binData"};
    static const char *const kinds[] = {NULL, "tensor", "ndarray", "tftensor"};
    PyObject *features = sc_py_features(m);
    if (features == NULL)
        return NULL;
    PyObject *names = m->names ? sc_py_from_json(m->names) : PyList_New(0);
    PyObject *meta = names ? sc_py_or_none(m->meta) : NULL;
    if (meta == NULL) {
        Py_DECREF(features);
        Py_XDECREF(names);
        return NULL;
    }
    const char *kind = m->kind == SC_PAYLOAD_DATA ? kinds[m->data_kind] : NULL;
    PyObject *t = Py_BuildValue("(sNNNz)", types[m->kind], features, names, meta, kind);
    return t;
}
