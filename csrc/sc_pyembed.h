/* sc_pyembed: the embedded interpreter's life cycle: start-up in the master, construction of
 * the user class through seldon_core_c.runtime.boot(), fork with CPython's fork hooks, and the
 * per-worker load().
 *
 * GIL protocol: sc_py_init() returns with the GIL released. The master takes it only inside
 * sc_py_fork() and at exit. A forked child returns from sc_py_fork() HOLDING the GIL (it is the
 * only thread); the worker releases it with sc_py_release() once its threads are set up.
 */
#ifndef SC_PYEMBED_H
#define SC_PYEMBED_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <sys/types.h>

#include "sc_config.h"

/* Master, once: configures CPython so it sees the virtualenv of the interpreter named by
 * $SC_PYTHON_EXECUTABLE (set by the console script), registers the `_seldon_core_c` module,
 * imports numpy's C API and seldon_core_c.runtime, and calls runtime.boot(). On failure the
 * Python traceback is printed and -1 returned (exit 1, as the original). */
int sc_py_init(const sc_config *cfg, int argc, char **argv);

/* Whether SC_LAZY_INIT is on: the model is constructed in each worker, not in the master. */
int sc_py_lazy(void);

/* GIL held: constructs the model now if that has not happened (lazy mode, in a child after
 * fork). 0, or -1 with the traceback printed. */
int sc_py_boot(const sc_config *cfg);

/* GIL held: prints the pending exception's traceback (and a Seldon exception's message) to
 * stderr in one write, so tracebacks of processes failing together do not interleave; clears
 * the exception. Use it instead of PyErr_Print(). */
void sc_py_print_error(void);

/* The Runtime object (borrowed; valid for the process lifetime). */
PyObject *sc_py_runtime(void);

/* Master: fork with the GIL held and CPython's before/after hooks. Returns the pid in the
 * parent (GIL released again), 0 in the child (GIL held), -1 on error (errno set). */
pid_t sc_py_fork(void);

/* Child: the GIL is held; release it (saving the main thread state). */
void sc_py_release(void);

/* Re-takes the GIL with the main thread state (--debug: the master becomes the worker). */
void sc_py_acquire(void);

/* Worker (GIL held): calls runtime.load() and caches per-endpoint flags. Returns 0, or -1 after
 * printing the traceback. */
int sc_py_worker_start(void);

/* Our OpenAPI document (read once by sc_py_worker_start; NULL when missing). */
const char *sc_py_openapi(size_t *len);

/* Master: whether the user object has a callable custom_service (takes the GIL briefly). */
int sc_py_has_custom_service(void);

/* Child (GIL held): runs user_object.custom_service() (constructing the model first in lazy
 * mode); returns the exit status (0 when it returned or there is none, 1 after printing the
 * traceback of an exception). */
int sc_py_run_custom_service(const sc_config *cfg);

/* Whether runtime.wants_dict(endpoint) said yes (cached by sc_py_worker_start). */
int sc_py_wants_dict(int endpoint);

/* Creates the `_seldon_core_c` module (registered with PyImport_AppendInittab). */
PyObject *sc_pymodule_create(void);

#endif
