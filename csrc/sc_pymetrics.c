/* sc_pymetrics: the Python binding of the metric store. Contract: sc_pymetrics.h. */
#include "sc_pymetrics.h"

#include <errno.h>

#include "sc_metrics.h"

#define SC_STACK_TAGS 16

static int sc_metric_type(PyObject *t)
{
    if (!PyUnicode_Check(t))
        return -1;
    if (PyUnicode_CompareWithASCIIString(t, "COUNTER") == 0)
        return SC_METRIC_COUNTER;
    if (PyUnicode_CompareWithASCIIString(t, "GAUGE") == 0)
        return SC_METRIC_GAUGE;
    if (PyUnicode_CompareWithASCIIString(t, "TIMER") == 0)
        return SC_METRIC_TIMER;
    return -1;
}

/* Pass 1 for one entry: shape, type, names, tag types. Returns 0, or -1 with an exception. */
static int sc_check_entry(PyObject *item)
{
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 4) {
        PyErr_SetString(PyExc_TypeError,
                        "record_metrics(): each entry must be a tuple (type, key, value, tags)");
        return -1;
    }
    PyObject *type = PyTuple_GET_ITEM(item, 0), *key = PyTuple_GET_ITEM(item, 1);
    PyObject *tags = PyTuple_GET_ITEM(item, 3);
    int t = sc_metric_type(type);
    if (t < 0) {
        PyErr_Format(PyExc_ValueError, "Unknown metrics type: %R", type);
        return -1;
    }
    if (!PyUnicode_Check(key)) {
        PyErr_Format(PyExc_TypeError, "metric key must be str, not %.100s", Py_TYPE(key)->tp_name);
        return -1;
    }
    Py_ssize_t klen;
    const char *k = PyUnicode_AsUTF8AndSize(key, &klen);
    if (k == NULL)
        return -1;
    if (!sc_metrics_valid_name(t, k, (size_t)klen)) {
        PyErr_Format(PyExc_ValueError, "Invalid metric name: %R", key);
        return -1;
    }
    if (!PyDict_Check(tags)) {
        PyErr_Format(PyExc_TypeError, "metric tags must be a dict, not %.100s", Py_TYPE(tags)->tp_name);
        return -1;
    }
    Py_ssize_t pos = 0;
    PyObject *name, *value;
    while (PyDict_Next(tags, &pos, &name, &value)) {
        if (!PyUnicode_Check(name) || !PyUnicode_Check(value)) {
            PyErr_Format(PyExc_TypeError, "metric tags must map str to str, got %R: %R", name, value);
            return -1;
        }
        Py_ssize_t nlen, vlen;
        const char *n = PyUnicode_AsUTF8AndSize(name, &nlen);
        if (n == NULL || PyUnicode_AsUTF8AndSize(value, &vlen) == NULL)
            return -1;
        if (!sc_metrics_valid_label(n, (size_t)nlen)) {
            PyErr_Format(PyExc_ValueError, "Invalid label name: %R", name);
            return -1;
        }
    }
    return 0;
}

/* Pass 2 for one checked entry. Returns 0, or -1 with an exception. */
static int sc_record_entry(PyObject *item, const char *method)
{
    int type = sc_metric_type(PyTuple_GET_ITEM(item, 0));
    /* The value first: __float__ of an exotic object may run Python code, which must not run
     * between taking the tags' UTF-8 pointers and recording. */
    double value = PyFloat_AsDouble(PyTuple_GET_ITEM(item, 2));
    if (value == -1.0 && PyErr_Occurred())
        return -1;
    Py_ssize_t klen;
    const char *key = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(item, 1), &klen);
    if (key == NULL)
        return -1;
    PyObject *tags = PyTuple_GET_ITEM(item, 3);
    Py_ssize_t ntags = PyDict_Size(tags);
    sc_metric_tag stack[SC_STACK_TAGS];
    sc_metric_tag *t = ntags <= SC_STACK_TAGS ? stack : PyMem_Malloc((size_t)ntags * sizeof(*t));
    if (t == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t pos = 0, i = 0;
    PyObject *name, *val;
    int rc = 0;
    while (rc == 0 && i < ntags && PyDict_Next(tags, &pos, &name, &val)) {
        Py_ssize_t nlen, vlen;
        t[i].name = PyUnicode_AsUTF8AndSize(name, &nlen);
        t[i].value = PyUnicode_AsUTF8AndSize(val, &vlen);
        if (t[i].name == NULL || t[i].value == NULL)
            rc = -1;
        t[i].name_len = (size_t)nlen;
        t[i].value_len = (size_t)vlen;
        i++;
    }
    if (rc == 0) {
        int r = sc_metrics_record(type, key, (size_t)klen, t, (size_t)i, method, value);
        if (r == -EINVAL) {
            PyErr_Format(PyExc_ValueError, "Invalid metric: %R", item);
            rc = -1;
        } else if (r == -ENOMEM) {
            PyErr_NoMemory();
            rc = -1;
        }
        /* -ENOSPC (store full: logged and counted there) and -ENODEV (no store) are not the
         * request's fault. */
    }
    if (t != stack)
        PyMem_Free(t);
    return rc;
}

static PyObject *sc_py_record_metrics(PyObject *self, PyObject *args)
{
    (void)self;
    const char *method;
    PyObject *entries;
    if (!PyArg_ParseTuple(args, "sO:record_metrics", &method, &entries))
        return NULL;
    PyObject *seq = PySequence_Fast(entries, "record_metrics() expects a list of entries");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    /* Check everything first so a bad entry records nothing of its list. */
    for (Py_ssize_t i = 0; i < n; i++) {
        if (sc_check_entry(items[i]) < 0) {
            Py_DECREF(seq);
            return NULL;
        }
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (sc_record_entry(items[i], method) < 0) {
            Py_DECREF(seq);
            return NULL;
        }
    }
    Py_DECREF(seq);
    Py_RETURN_NONE;
}

static PyMethodDef sc_pymetrics_methods[] = {
    {"record_metrics", sc_py_record_metrics, METH_VARARGS,
     "record_metrics(method, entries): store (type, key, value, tags) entries in the shared "
     "metric store."},
    {NULL, NULL, 0, NULL},
};

int sc_pymetrics_add(PyObject *module)
{
    return PyModule_AddFunctions(module, sc_pymetrics_methods);
}
