/* sc_http: the REST side of a worker: requests from sc_hconn (our HTTP/1.1 framing on the
 * inherited listening socket), the route table and the answers that need no Python (ping,
 * unknown routes, OPTIONS, CORS, 413/400 body errors), and the hand-over of every other request
 * to the executor threads.
 *
 * Threading: runs the worker's I/O thread, which never holds the GIL. Executor threads hand
 * finished jobs back through a mutex-protected list and event_active().
 */
#ifndef SC_HTTP_H
#define SC_HTTP_H

/* Exit status of a worker that replaced itself because a request stayed stuck in Python. */
#define SC_EXIT_STUCK 4

typedef struct sc_http_opts {
    int listen_fd;          /* bound, listening; inherited from the master */
    int keepalive;          /* seconds an idle keep-alive connection is kept; <= 0: close */
    int threads;            /* executor threads */
    int passthrough;        /* PAYLOAD_PASSTHROUGH */
    long long max_body;     /* bytes */
    int head_timeout_s;     /* a request head must arrive within this many seconds */
    int graceful_timeout;   /* seconds to finish in-flight requests after SIGTERM */
    long long max_requests; /* recycle after this many requests; 0: never */
    long long deadline_ms;  /* per-request deadline (SPEC decision 7); <= 0: none */
    long long stuck_grace_ms; /* after the deadline, how long Python may keep running before
                                 the worker dumps its stacks and exits with SC_EXIT_STUCK */
    int max_inflight;       /* requests queued or running at once; more get 503; <= 0: no cap */
    void (*on_ready)(void); /* called once the server accepts requests, or NULL */
    void (*on_retire)(void); /* max_requests reached: ask to be replaced (the master spawns the
                                successor, then sends SIGTERM); NULL: drain and exit at once */
    int access_log;         /* gunicorn-format access log lines on stdout */
    const char *access_log_filter; /* drop access lines whose request contains this, or NULL */
} sc_http_opts;

/* Serves until SIGTERM/SIGINT (drain, then return 0), SIGQUIT (return at once) or
 * max_requests reached (drain, then return 0). Returns the worker's exit status. */
int sc_http_serve(const sc_http_opts *opts);

#endif
