/* sc_hconn: the connections of the REST port. Accepts on the inherited listening socket, reads
 * requests framed by sc_h1 (gunicorn's rules and error pages), enforces the body limit and the
 * idle/head/write timeouts, sends "100 Continue" as gunicorn does, hands each complete request to
 * the application and writes its answer (one writev when the socket takes it), with keep-alive,
 * in-order pipelining (one request per connection at a time) and a lingering close, so a client
 * still sending a refused body reads its answer instead of a reset.
 *
 * Ownership: a request handed to on_request belongs to the application until it calls
 * sc_hreq_send() exactly once; that frees it. If the client disconnects meanwhile the request
 * stays valid and sc_hreq_send() just drops the answer.
 *
 * Threading: the worker's I/O thread (its libevent base) only; never holds the GIL. Created in
 * the worker after fork.
 */
#ifndef SC_HCONN_H
#define SC_HCONN_H

#include <stddef.h>

#include "sc_buf.h"
#include "sc_h1.h"

struct event_base;
struct sc_hconn;

typedef struct sc_hreq {
    sc_h1_head h;         /* method, target, version, fields; points into the request's copy */
    char *body;           /* malloc'd, owned by the request; the application may take it */
    size_t body_len;
    int error_status;     /* 0, or 400/413: the body could not be read (error_info says why);
                             the answer to it closes the connection */
    const char *error_info;
    char peer[64];        /* the client's address, "-" when unknown */
    double start;         /* monotonic seconds when the request was complete */
    /* private to sc_hconn */
    struct sc_hconn *conn;
    char *head;
    sc_buf out_headers;
    sc_h1_error err;
    int close;
} sc_hreq;

typedef struct sc_hsrv_opts {
    int listen_fd;          /* bound, listening, non-blocking; shared with the other workers */
    int idle_timeout_s;     /* a connection waiting for a request (or for more of one) is closed
                               after this many seconds without bytes; also the keep-alive */
    int keepalive;          /* 0: every answer closes its connection */
    int head_timeout_s;     /* a request's head must be complete this long after its first byte */
    long long max_body;     /* larger bodies are answered 413 (error_status) unread */
    void (*on_request)(sc_hreq *req, void *arg);
    void (*on_page)(int status, void *arg); /* the transport answered a malformed request itself */
    void *arg;
} sc_hsrv_opts;

typedef struct sc_hsrv sc_hsrv;

/* Starts accepting. Returns NULL on failure (logged). */
sc_hsrv *sc_hsrv_start(struct event_base *base, const sc_hsrv_opts *opts);

/* Stops accepting new connections; the listening socket stays open (the master owns it), so
 * new connections wait in the backlog for another worker. Open connections keep being served. */
void sc_hsrv_stop_accepting(sc_hsrv *s);

/* The value of the first / last request field with this name (case-insensitive), or NULL. */
const char *sc_hreq_header(const sc_hreq *r, const char *name);
const char *sc_hreq_header_last(const sc_hreq *r, const char *name);

/* Non-zero for a HEAD request (answers carry the headers of the GET answer and no body). */
int sc_hreq_is_head(const sc_hreq *r);

/* Adds a field to the answer. Returns 0 or -1 (no memory). */
int sc_hreq_add_header(sc_hreq *r, const char *name, const char *value);

/* flask-cors's defaults, which both of the original's Flask apps (REST and metrics) apply to every
 * answer: echo the Origin (and vary on it), else allow any origin. Returns 0 or -1. */
int sc_hreq_add_cors(sc_hreq *r);

/* The answer closes the connection. */
void sc_hreq_set_close(sc_hreq *r);

/* Sends the answer (body: malloc'd, ownership taken, NULL when len is 0) and frees r.
 * Content-Length, Date and Connection are added here. */
void sc_hreq_send(sc_hreq *r, int status, const char *reason, char *body, size_t len);

#endif
