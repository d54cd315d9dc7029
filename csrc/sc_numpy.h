/* sc_numpy: the one place that includes numpy's C API.
 *
 * Every C file that needs numpy includes this header. sc_numpy.c defines the API table
 * (PY_ARRAY_UNIQUE_SYMBOL) and imports it; all others see it as extern (NO_IMPORT_ARRAY).
 * We build against numpy 2.x headers with NPY_TARGET_VERSION 1.22 so the same binary runs with
 * numpy 1.22+ and 2.x at run time.
 */
#ifndef SC_NUMPY_H
#define SC_NUMPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define PY_ARRAY_UNIQUE_SYMBOL sc_numpy_api
#ifndef SC_NUMPY_IMPL
#define NO_IMPORT_ARRAY
#endif
#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
#define NPY_TARGET_VERSION NPY_1_22_API_VERSION
#include <numpy/arrayobject.h>

/* Imports numpy and its C API. GIL held; master, before fork (children inherit the table).
 * Returns 0, or -1 with a Python exception set. */
int sc_numpy_init(void);

#endif
