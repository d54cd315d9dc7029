/* sc_job_free and sc_job_body_in, in a file of their own: they need no Python at link time, so
 * the fuzz targets that run the HTTP transport without an interpreter link this same code
 * (tests/fuzz/build.sh). */
#include <stdlib.h>

#include "sc_dispatch.h"
#include "sc_reqbody.h"

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

sc_reqbody_in sc_job_body_in(const sc_job *job)
{
    sc_reqbody_in in = {
        .content_type = job->content_type,
        .query = job->query,
        .query_len = job->query_len,
        .body = job->body,
        .body_len = job->body_len,
        .passthrough = job->passthrough,
    };
    return in;
}
