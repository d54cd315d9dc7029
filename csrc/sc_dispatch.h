/* sc_dispatch: one REST request from bytes to bytes on an executor thread:
 * body decoding (sc_reqbody) → sc_message → Python (sc_pybridge) → runtime.handle() →
 * response bytes (sc_pyjson). Parsing and classification run without the GIL; the GIL is taken
 * once per request for the Python part and the encoding.
 *
 * Threading: worker processes. sc_dispatch_init() with the GIL held, before executor threads
 * start; sc_dispatch_thread_init()/run() on each executor thread, which must not hold the GIL.
 */
#ifndef SC_DISPATCH_H
#define SC_DISPATCH_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>

#include "sc_arena.h"

struct sc_reqbody_in;

typedef struct sc_job {
    struct sc_job *next;
    void *transport;  /* the transport's request handle; never touched by dispatch */
    void *transport_timer; /* the transport's deadline timer, or NULL; never touched by dispatch */
    int abandoned;    /* transport: already answered (deadline passed); drop the result */
    const char *route_name; /* transport: the route's view name, for the built-in metrics */
    double start_time;      /* transport: monotonic seconds when the request arrived */
    int endpoint;     /* sc_endpoint */
    int passthrough;  /* PAYLOAD_PASSTHROUGH applies to this request */
    char *content_type; /* owned (malloc), may be NULL */
    char *query;        /* owned, may be NULL */
    size_t query_len;
    char *body;         /* owned, may be NULL */
    size_t body_len;
    /* result, filled by sc_dispatch_run */
    int status;
    const char *out_type; /* static string */
    char *out;            /* owned (malloc) */
    size_t out_len;
    char *out_headers;    /* owned: extra answer headers as "name\0value\0..." (mode 2), or NULL */
    size_t out_nheaders;  /* number of name/value pairs in out_headers */
} sc_job;

typedef struct sc_dispatch_thread {
    sc_arena arena;
    PyThreadState *tstate;
} sc_dispatch_thread;

/* GIL held, worker start: caches the runtime's methods and constants. 0 or -1 (traceback
 * printed). */
int sc_dispatch_init(void);

/* On a new executor thread (GIL not held): creates its Python thread state. */
void sc_dispatch_thread_init(sc_dispatch_thread *t);
void sc_dispatch_thread_free(sc_dispatch_thread *t);

/* Runs the job and fills its result; never fails (errors become Seldon error responses). */
void sc_dispatch_run(sc_dispatch_thread *t, sc_job *job);

/* The request-body decoder's input for a job (pointers into the job). */
struct sc_reqbody_in sc_job_body_in(const sc_job *job);

/* Frees the owned fields of a job and the job itself. */
void sc_job_free(sc_job *job);

#endif
