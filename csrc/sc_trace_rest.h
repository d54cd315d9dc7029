/* sc_trace_rest: the REST side of tracing (SPEC §8), what flask-opentracing does for the
 * original: one server span per routed request, named after the Flask view (route->name;
 * "static" for the catch-all static route that answers unknown GET/HEAD/OPTIONS paths, and an
 * empty name where Flask has no endpoint: a 405), the parent taken from the uber-trace-id (or
 * W3C traceparent) header, tags component=Flask, http.method, http.url (the base URL),
 * span.kind=server, the JAEGER_EXTRA_TAGS request attributes, http.status_code, and error=true
 * on a 5xx answer.
 *
 * Threading: the worker's I/O thread only (begin and end keep a small table of the
 * requests in flight, unlocked). No GIL.
 */
#ifndef SC_TRACE_REST_H
#define SC_TRACE_REST_H

#include <stddef.h>

#include "sc_buf.h"
#include "sc_route.h"
#include "sc_trace.h"

struct sc_hreq;

/* A request was routed (r is NULL for an unknown path); path is the decoded path. Starts its
 * span unless tracing is off or the request is not sampled. */
void sc_trace_rest_begin(const struct sc_hreq *req, const sc_route *r, const char *path, size_t path_len);

/* The answer with this status is being sent: ends and reports the request's span, if any. */
void sc_trace_rest_end(const struct sc_hreq *req, int status);

/* Start-up: logs the JAEGER_EXTRA_TAGS names that are not request attributes we can tag. */
void sc_trace_rest_check_extra(const sc_trace_config *tc);

#endif
