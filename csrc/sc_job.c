/* sc_job_free, in a file of its own: it needs no Python at link time, so the fuzz targets that
 * run the HTTP transport without an interpreter link this same code (tests/fuzz/build.sh). */
#include <stdlib.h>

#include "sc_dispatch.h"

void sc_job_free(sc_job *job)
{
    if (job == NULL)
        return;
    free(job->content_type);
    free(job->query);
    free(job->body);
    free(job->out);
    free(job->out_headers);
    free(job);
}
