#define SC_NUMPY_IMPL
#include "sc_numpy.h"

int sc_numpy_init(void)
{
    /* import_array() is a macro that returns NULL from the caller on failure; wrap it. */
    if (_import_array() < 0)
        return -1;
    return 0;
}
