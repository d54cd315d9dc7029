/* sc_pymetrics: `_seldon_core_c.record_metrics(method, entries)`, the runtime's door into the
 * shared metric store (sc_metrics.h).
 *
 * entries: a list of tuples (type, key, value, tags) as seldon_core_c.runtime._record_metrics
 * builds them: type "COUNTER" | "GAUGE" | "TIMER"; key str; value float (COUNTER increment,
 * GAUGE value, TIMER observation in seconds); tags a dict str -> str (it may hold `method`,
 * which the method argument replaces). The whole list is checked before anything is recorded:
 * an invalid metric or label name raises ValueError, a non-str tag TypeError (SPEC decision 11:
 * the runtime answers 500 MICROSERVICE_BAD_METRIC). A full store drops the series silently
 * (sc_metrics logs and counts it); without a store (sc_metrics_init never called) nothing is
 * recorded.
 *
 * Threading: GIL held; any worker thread.
 */
#ifndef SC_PYMETRICS_H
#define SC_PYMETRICS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Adds record_metrics to the module. Returns 0, or -1 with a Python exception set. */
int sc_pymetrics_add(PyObject *module);

#endif
