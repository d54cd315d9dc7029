#include "sc_pyembed.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc_log.h"
#include "sc_numpy.h"
#include "sc_route.h"

static PyObject *sc_runtime;          /* seldon_core_c.runtime.Runtime instance */
static PyThreadState *sc_main_tstate; /* saved while the GIL is released */
static int sc_lazy;                  /* SC_LAZY_INIT: construct the model in each worker */
static int sc_wants_dict[SC_EP_COUNT];
static char *sc_openapi;
static size_t sc_openapi_len;

static void sc_load_openapi(void);

static PyObject *sc_init_module(void)
{
    return sc_pymodule_create();
}

static int sc_py_configure(int argc, char **argv)
{
    PyStatus status;
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    /* Signals belong to the C master/worker loops; a Python SIGINT handler would turn a drain
     * into a KeyboardInterrupt inside user code. */
    config.install_signal_handlers = 0;
    config.parse_argv = 0;
    /* The console script tells us which interpreter (and so which virtualenv) to be: CPython
     * derives sys.prefix and site-packages from the executable path and its pyvenv.cfg. */
    const char *exe = getenv("SC_PYTHON_EXECUTABLE");
    if (exe != NULL && *exe) {
        status = PyConfig_SetBytesString(&config, &config.program_name, exe);
        if (PyStatus_Exception(status))
            goto fail;
        status = PyConfig_SetBytesString(&config, &config.executable, exe);
        if (PyStatus_Exception(status))
            goto fail;
    }
    status = PyConfig_SetBytesArgv(&config, argc, argv);
    if (PyStatus_Exception(status))
        goto fail;
    status = Py_InitializeFromConfig(&config);
    if (PyStatus_Exception(status))
        goto fail;
    PyConfig_Clear(&config);
    return 0;
fail:
    PyConfig_Clear(&config);
    SC_ERROR("cannot initialise Python: %s", status.err_msg ? status.err_msg : "unknown error");
    return -1;
}

/* Writes the pending exception's traceback to stderr with one write(2), so the tracebacks of
 * workers failing together do not interleave; PyErr_Print() when it cannot be formatted. */
static void sc_py_write_traceback(PyObject *type, PyObject *value, PyObject *tb)
{
    if (type == NULL)
        return; /* no exception pending */
    PyObject *mod = PyImport_ImportModule("traceback");
    PyObject *lines = mod ? PyObject_CallMethod(mod, "format_exception", "OOO", type, value ? value : Py_None,
                                                 tb ? tb : Py_None) : NULL;
    PyObject *empty = lines ? PyUnicode_FromString("") : NULL;
    PyObject *text = empty ? PyUnicode_Join(empty, lines) : NULL;
    Py_ssize_t n = 0;
    const char *utf8 = text ? PyUnicode_AsUTF8AndSize(text, &n) : NULL;
    PyObject *err = PySys_GetObject("stderr"); /* borrowed: what Python buffered goes first */
    PyObject *r = err ? PyObject_CallMethod(err, "flush", NULL) : NULL;
    if (r == NULL)
        PyErr_Clear();
    Py_XDECREF(r);
    if (utf8 != NULL) {
        ssize_t w = write(STDERR_FILENO, utf8, (size_t)n);
        (void)w; /* nowhere left to report a failed write to stderr */
    }
    Py_XDECREF(text);
    Py_XDECREF(empty);
    Py_XDECREF(lines);
    Py_XDECREF(mod);
    if (utf8 == NULL) {
        PyErr_Clear();
        PyErr_Restore(type, value, tb);
        PyErr_Print();
        return;
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

/* Prints the pending exception's traceback. A Seldon exception keeps its text in `message`
 * (its str() is empty, as in the original), so that text is logged after the traceback. */
void sc_py_print_error(void)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL && value != NULL)
        PyException_SetTraceback(value, tb);
    PyObject *msg = value ? PyObject_GetAttrString(value, "message") : NULL;
    if (msg == NULL)
        PyErr_Clear();
    sc_py_write_traceback(type, value, tb);
    if (msg != NULL) {
        PyObject *s = PyObject_Str(msg);
        const char *text = s ? PyUnicode_AsUTF8(s) : NULL;
        if (text != NULL)
            SC_ERROR("%s", text);
        else
            PyErr_Clear();
        Py_XDECREF(s);
        Py_DECREF(msg);
    }
}

/* runtime.boot(): import and construct the user's class. GIL held. 0, or -1 with the error
 * printed. */
static int sc_py_boot_locked(const sc_config *cfg)
{
    PyObject *mod = PyImport_ImportModule("seldon_core_c.runtime");
    if (mod != NULL) {
        const char *level = cfg->seldon_log_level ? cfg->seldon_log_level : cfg->log_level;
        sc_runtime = PyObject_CallMethod(mod, "boot", "sss", cfg->interface_name, cfg->parameters, level);
        Py_DECREF(mod);
    }
    if (sc_runtime == NULL) {
        sc_py_print_error();
        return -1;
    }
    return 0;
}

int sc_py_init(const sc_config *cfg, int argc, char **argv)
{
    if (PyImport_AppendInittab("_seldon_core_c", sc_init_module) < 0) {
        SC_ERROR("cannot register the _seldon_core_c module");
        return -1;
    }
    if (sc_py_configure(argc, argv) < 0)
        return -1;
    const char *lazy = getenv("SC_LAZY_INIT");
    sc_lazy = lazy != NULL && sc_config_parse_bool(lazy);
    int rc = -1;
    PyObject *mod = NULL;
    if (sc_numpy_init() < 0)
        goto out;
    /* Lazy mode: the master only checks that the runtime imports; each worker constructs the
     * model after fork (for libraries that start threads in __init__ and do not survive fork). */
    mod = PyImport_ImportModule("seldon_core_c.runtime");
    if (mod == NULL)
        goto out;
    if (!sc_lazy && sc_py_boot_locked(cfg) < 0) {
        rc = -1;
        goto done;
    }
    /* Everything built so far (the user's model included) moves to the permanent generation:
     * the cyclic GC of a worker then never writes to these pages, so they stay shared. */
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *r = gc ? PyObject_CallMethod(gc, "freeze", NULL) : NULL;
    Py_XDECREF(gc);
    if (r == NULL)
        goto out;
    Py_DECREF(r);
    rc = 0;
out:
    if (rc < 0 && PyErr_Occurred())
        sc_py_print_error();
done:
    Py_XDECREF(mod);
    sc_main_tstate = PyEval_SaveThread();
    return rc;
}

int sc_py_lazy(void)
{
    return sc_lazy;
}

int sc_py_boot(const sc_config *cfg)
{
    return sc_runtime != NULL ? 0 : sc_py_boot_locked(cfg);
}

PyObject *sc_py_runtime(void)
{
    return sc_runtime;
}

pid_t sc_py_fork(void)
{
    PyEval_RestoreThread(sc_main_tstate);
    PyOS_BeforeFork();
    pid_t pid = fork();
    int saved = errno;
    if (pid == 0) {
        PyOS_AfterFork_Child();
        return 0;
    }
    PyOS_AfterFork_Parent();
    sc_main_tstate = PyEval_SaveThread();
    errno = saved;
    return pid;
}

void sc_py_acquire(void)
{
    PyEval_RestoreThread(sc_main_tstate);
}

void sc_py_release(void)
{
    sc_main_tstate = PyEval_SaveThread();
}

/* faulthandler on SIGUSR2: a stuck worker raises it to print every thread's Python stack
 * (async-signal-safe, no GIL needed) before it exits. */
static void sc_register_stack_dump(void)
{
    PyObject *fh = PyImport_ImportModule("faulthandler");
    PyObject *r = fh ? PyObject_CallMethod(fh, "register", "i", SIGUSR2) : NULL;
    if (r == NULL) {
        SC_WARN("faulthandler unavailable: stuck workers will not print their Python stacks");
        PyErr_Clear();
    }
    Py_XDECREF(r);
    Py_XDECREF(fh);
}

int sc_py_worker_start(void)
{
    sc_register_stack_dump();
    PyObject *r = PyObject_CallMethod(sc_runtime, "load", NULL);
    if (r == NULL) {
        sc_py_print_error();
        return -1;
    }
    Py_DECREF(r);
    for (int ep = 0; ep < SC_EP_COUNT; ep++) {
        r = PyObject_CallMethod(sc_runtime, "wants_dict", "i", ep);
        if (r == NULL) {
            sc_py_print_error();
            return -1;
        }
        sc_wants_dict[ep] = PyObject_IsTrue(r) == 1;
        Py_DECREF(r);
    }
    sc_load_openapi();
    return 0;
}

/* Reads the whole file; NULL when it cannot be read (the route then answers like an unknown
 * one). */
static char *sc_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *data = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)size + 1);
        if (data != NULL && fread(data, 1, (size_t)size, f) != (size_t)size) {
            free(data);
            data = NULL;
        }
    }
    fclose(f);
    if (data != NULL)
        *len = (size_t)size;
    return data;
}

static void sc_load_openapi(void)
{
    PyObject *p = PyObject_CallMethod(sc_runtime, "openapi_path", NULL);
    const char *path = p ? PyUnicode_AsUTF8(p) : NULL;
    if (path != NULL)
        sc_openapi = sc_read_file(path, &sc_openapi_len);
    if (path == NULL)
        PyErr_Clear();
    if (sc_openapi == NULL)
        SC_WARN("OpenAPI document not found: GET /seldon.json will answer 404");
    Py_XDECREF(p);
}

const char *sc_py_openapi(size_t *len)
{
    *len = sc_openapi_len;
    return sc_openapi;
}

int sc_py_has_custom_service(void)
{
    if (sc_lazy)
        return 1; /* unknown until the model is built: the child builds it and looks */
    PyEval_RestoreThread(sc_main_tstate);
    PyObject *fn = PyObject_CallMethod(sc_runtime, "custom_service", NULL);
    int has = fn != NULL && fn != Py_None;
    if (fn == NULL)
        sc_py_print_error();
    Py_XDECREF(fn);
    sc_main_tstate = PyEval_SaveThread();
    return has;
}

int sc_py_run_custom_service(const sc_config *cfg)
{
    if (sc_py_boot(cfg) < 0)
        return 1;
    PyObject *fn = PyObject_CallMethod(sc_runtime, "custom_service", NULL);
    if (fn == Py_None) {
        Py_DECREF(fn);
        return 0; /* lazy mode found no custom_service: nothing to run */
    }
    PyObject *r = fn != NULL ? PyObject_CallNoArgs(fn) : NULL;
    Py_XDECREF(fn);
    if (r == NULL) {
        if (PyErr_Occurred())
            sc_py_print_error();
        return 1;
    }
    Py_DECREF(r);
    return 0;
}

int sc_py_wants_dict(int endpoint)
{
    return endpoint >= 0 && endpoint < SC_EP_COUNT && sc_wants_dict[endpoint];
}
