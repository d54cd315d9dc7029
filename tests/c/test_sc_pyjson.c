/* test_sc_pyjson: sc_pyjson_encode against Python's json.dumps in an embedded interpreter.
 *
 * The cases live in tests/c/pyjson_cases.py; this binary gives them a module `_sc_test` with
 * encode(obj, default=None) and ArrayOut, runs them, then checks a few C-level properties
 * (output appended to a non-empty buffer, NUL-terminated). SC_PYJSON_BENCH=1 also times the
 * encoder on a 100x100 float64 array and a 1x4 one.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* clock_gettime under -std=c11 */
#endif

#include "sc_numpy.h"

#include <time.h>

#include "sc_pyjson.h"
#include "sc_test.h"

static PyObject *test_encode(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"obj", "default", NULL};
    PyObject *obj, *def = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:encode", kwlist, &obj, &def))
        return NULL;
    sc_buf b;
    sc_buf_init(&b);
    if (sc_pyjson_encode(obj, def == Py_None ? NULL : def, &b) < 0) {
        ASSERT_TRUE(PyErr_Occurred());
        sc_buf_free(&b);
        return NULL;
    }
    ASSERT_TRUE(b.len > 0 && b.data[b.len] == '\0');
    ASSERT_EQ_INT(strlen(b.data), b.len); /* pure ASCII, no NUL inside */
    PyObject *res = PyUnicode_DecodeASCII(b.data, (Py_ssize_t)b.len, "strict");
    sc_buf_free(&b);
    return res;
}

static PyMethodDef test_methods[] = {
    {"encode", (PyCFunction)(void (*)(void))test_encode, METH_VARARGS | METH_KEYWORDS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef test_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_sc_test",
    .m_size = -1,
    .m_methods = test_methods,
};

static PyObject *eval(const char *expr, PyObject *globals)
{
    PyObject *r = PyRun_String(expr, Py_eval_input, globals, globals);
    if (r == NULL) {
        PyErr_Print();
        SC_FAIL("eval failed: %s", expr);
    }
    return r;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Appending keeps what is already in the buffer. */
static void test_append(PyObject *globals)
{
    PyObject *obj = eval("{'b': [1, 2.5, None], 'a': 'x'}", globals);
    sc_buf b;
    sc_buf_init(&b);
    ASSERT_EQ_INT(sc_buf_append_str(&b, "prefix:"), 0);
    ASSERT_EQ_INT(sc_pyjson_encode(obj, NULL, &b), 0);
    ASSERT_EQ_STR(b.data, "prefix:{\"a\":\"x\",\"b\":[1,2.5,null]}");
    sc_buf_free(&b);
    Py_DECREF(obj);
}

static void bench_one(const char *label, PyObject *obj, int iters, PyObject *globals)
{
    sc_buf b;
    sc_buf_init(&b);
    double t0 = now_ns();
    for (int i = 0; i < iters; i++) {
        sc_buf_clear(&b);
        if (sc_pyjson_encode(obj, NULL, &b) != 0) {
            PyErr_Print();
            SC_FAIL("encode failed");
        }
    }
    double per = (now_ns() - t0) / iters;
    PyDict_SetItemString(globals, "bench_obj", obj);
    PyObject *ref = eval("min(timeit.repeat(lambda: json.dumps(bench_obj.array.tolist(), "
                         "sort_keys=True, separators=(',', ':')), number=20, repeat=5)) / 20",
                         globals);
    printf("bench %-22s sc_pyjson %9.0f ns/encode (%zu bytes)   json.dumps(tolist()) %9.0f ns\n",
           label, per, b.len, PyFloat_AsDouble(ref) * 1e9);
    Py_DECREF(ref);
    sc_buf_free(&b);
}

int main(void)
{
    Py_InitializeEx(0);
    if (sc_numpy_init() < 0) {
        PyErr_Print();
        SC_FAIL("numpy import failed");
    }
    PyObject *m = PyModule_Create(&test_module);
    ASSERT_TRUE(m != NULL);
    ASSERT_EQ_INT(sc_pyjson_add_types(m), 0);
    ASSERT_EQ_INT(PyDict_SetItemString(PyImport_GetModuleDict(), "_sc_test", m), 0);

    /* The cases file sits next to this source file. */
    char dir[1024], code[2048];
    const char *slash = strrchr(__FILE__, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - __FILE__) : 7,
             slash ? __FILE__ : "tests/c");
    snprintf(code, sizeof code,
             "import runpy\nrunpy.run_path(r'%s/pyjson_cases.py', run_name='__main__')\n", dir);
    if (PyRun_SimpleString(code) != 0)
        SC_FAIL("pyjson_cases.py failed (traceback above)");

    PyObject *globals = PyDict_New();
    ASSERT_TRUE(globals != NULL);
    ASSERT_EQ_INT(PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()), 0);
    PyObject *mods = eval("__import__('builtins').__dict__.update(np=__import__('numpy'), "
                          "json=__import__('json'), timeit=__import__('timeit'), "
                          "ArrayOut=__import__('_sc_test').ArrayOut)",
                          globals);
    Py_DECREF(mods);
    test_append(globals);

    const char *bench = getenv("SC_PYJSON_BENCH");
    if (bench && *bench && strcmp(bench, "0") != 0) {
        PyObject *a = eval("ArrayOut(np.random.default_rng(1).random((100, 100)))", globals);
        bench_one("100x100 float64", a, 300, globals);
        Py_DECREF(a);
        a = eval("ArrayOut(np.random.default_rng(1).random((1, 4)))", globals);
        bench_one("1x4 float64", a, 200000, globals);
        Py_DECREF(a);
        a = eval("ArrayOut(np.random.default_rng(1).integers(0, 1000, (100, 100)))", globals);
        bench_one("100x100 int64", a, 300, globals);
        Py_DECREF(a);
        a = eval("ArrayOut(np.random.default_rng(1).random((100, 100)).astype(np.float32))",
                 globals);
        bench_one("100x100 float32", a, 300, globals);
        Py_DECREF(a);
        PyObject *doc = eval("{'data': {'names': ['t:0', 't:1', 't:2'], 'ndarray': "
                             "np.random.default_rng(1).random((1, 3)).tolist()}, "
                             "'meta': {'tags': {'b': 'x', 'a': 1}, 'requestPath': {'m': 'img:1'}}}",
                             globals);
        sc_buf b;
        sc_buf_init(&b);
        double t0 = now_ns();
        for (int i = 0; i < 100000; i++) {
            sc_buf_clear(&b);
            ASSERT_EQ_INT(sc_pyjson_encode(doc, NULL, &b), 0);
        }
        printf("bench %-22s sc_pyjson %9.0f ns/encode (%zu bytes)\n", "typical response dict",
               (now_ns() - t0) / 100000, b.len);
        sc_buf_free(&b);
        Py_DECREF(doc);
    }
    Py_DECREF(globals);
    Py_DECREF(m);
    if (Py_FinalizeEx() < 0)
        SC_FAIL("finalize");
    printf("test_sc_pyjson: ok\n");
    return 0;
}
