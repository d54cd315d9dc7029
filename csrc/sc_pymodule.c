/* The embedded module `_seldon_core_c`: what the C server offers to the Python runtime. */
#include "sc_pyembed.h"
#include "sc_pyjson.h"
#include "sc_pymetrics.h"

static struct PyModuleDef sc_module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_seldon_core_c",
    .m_doc = "Services of the seldon-core-c server to its Python runtime.",
    .m_size = -1,
};

PyObject *sc_pymodule_create(void)
{
    PyObject *m = PyModule_Create(&sc_module_def);
    if (m == NULL)
        return NULL;
    if (sc_pyjson_add_types(m) < 0 || sc_pymetrics_add(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
