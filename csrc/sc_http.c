#include "sc_http.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "sc_dispatch.h"
#include "sc_executor.h"
#include "sc_hconn.h"
#include "sc_log.h"
#include "sc_metrics_builtin.h"
#include "sc_pystr.h"
#include "sc_pyembed.h"
#include "sc_route.h"
#include "sc_status.h"
#include "sc_trace_rest.h"

typedef struct sc_server {
    const sc_http_opts *opts;
    struct event_base *base;
    sc_hsrv *hs;
    sc_executor *ex;
    /* jobs finished by executor threads, waiting for the I/O thread */
    pthread_mutex_t done_lock;
    sc_job *done_head, *done_tail;
    struct event *done_ev;
    struct event *sig_ev;
    int sig_fd;
    int inflight;       /* jobs handed to the executor and not yet answered (I/O thread only) */
    const char *cur_route; /* route and arrival time of the answer being sent (built-in metrics) */
    const char *cur_headers; /* extra headers of the answer being sent ("name\0value\0..."), or NULL */
    size_t cur_nheaders;
    double cur_start;
    struct event *finish_ev; /* after draining: stop once idle */
    int draining;
    int closing;        /* retiring: answers close their connections */
    long long served;
} sc_server;

static const char sc_info_404[] =
    "404 Not Found: The requested URL was not found on the server. If you entered the URL "
    "manually please check your spelling and try again.";
static const char sc_info_405[] = "405 Method Not Allowed: The method is not allowed for the requested URL.";

static const char *sc_reason_phrase(int code)
{
    switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 418: return "I'm a teapot";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "UNKNOWN";
    }
}

static int sc_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* flask-cors answers Access-Control-Request-Headers split on commas, trimmed, sorted and joined
 * with ", ". Writes into out (empty when nothing is left). */
static void sc_cors_headers(const char *in, char *out, size_t size)
{
    char copy[1024];
    snprintf(copy, sizeof(copy), "%s", in);
    char *items[64];
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && n < 64; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t')
            tok++;
        size_t l = strlen(tok);
        while (l > 0 && (tok[l - 1] == ' ' || tok[l - 1] == '\t'))
            tok[--l] = '\0';
        if (l > 0)
            items[n++] = tok;
    }
    qsort(items, (size_t)n, sizeof(items[0]), sc_cmp_str);
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        int w = snprintf(out + o, size - o, "%s%s", i ? ", " : "", items[i]);
        if (w < 0 || (size_t)w >= size - o)
            break;
        o += (size_t)w;
    }
}

/* One line in gunicorn's default access-log format:
 *   %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"
 * written with a single write(2) so lines of concurrent workers never interleave. */
static void sc_access_log(sc_server *s, sc_hreq *req, int status, size_t len)
{
    const char *uri = req->h.target;
    if (s->opts->access_log_filter != NULL && strstr(uri, s->opts->access_log_filter) != NULL)
        return;
    const char *ref = sc_hreq_header(req, "Referer");
    const char *ua = sc_hreq_header(req, "User-Agent");
    char when[64];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(when, sizeof(when), "[%d/%b/%Y:%H:%M:%S %z]", &tm);
    char line[4096];
    int n = snprintf(line, sizeof(line), "%s - - %s \"%s %s HTTP/%d.%d\" %d %zu \"%s\" \"%s\"\n", req->peer,
                     when, req->h.method, uri, req->h.major, req->h.minor, status, len, ref ? ref : "-",
                     ua ? ua : "-");
    if (n > 0) {
        size_t w = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
        if (w == sizeof(line) - 1)
            line[w - 1] = '\n';
        ssize_t rc = write(STDOUT_FILENO, line, w);
        (void)rc;
    }
}

/* Sends body (malloc'd; ownership taken, may be NULL when len is 0). */
static double sc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sc_reply(sc_server *s, sc_hreq *req, int status, const char *type, char *body, size_t len)
{
    sc_builtin_request(s->cur_route ? s->cur_route : "unknown", status, sc_now() - s->cur_start);
    sc_trace_rest_end(req, status); /* tracing hook: the request's span ends with its answer */
    if (s->opts->access_log)
        sc_access_log(s, req, status, len);
    int typed = 0, rc = 0;
    for (size_t i = 0, off = 0; s->cur_headers != NULL && i < s->cur_nheaders; i++) {
        const char *name = s->cur_headers + off;
        const char *value = name + strlen(name) + 1;
        off += strlen(name) + strlen(value) + 2;
        rc |= sc_hreq_add_header(req, name, value);
        typed |= strcasecmp(name, "Content-Type") == 0;
    }
    s->cur_headers = NULL;
    s->cur_nheaders = 0;
    if (type != NULL && !typed)
        rc |= sc_hreq_add_header(req, "Content-Type", type);
    rc |= sc_hreq_add_header(req, "Server", "seldon-core-c");
    rc |= sc_hreq_add_cors(req);
    if (rc != 0)
        sc_hreq_set_close(req); /* out of memory: an answer missing headers ends its connection */
    if (s->opts->keepalive <= 0 || s->draining || s->closing)
        sc_hreq_set_close(req);
    sc_hreq_send(req, status, sc_reason_phrase(status), body, len);
}

static void sc_reply_status(sc_server *s, sc_hreq *req, int http, const char *reason, const char *info)
{
    sc_status st;
    sc_status_set(&st, http, reason, "%s", info);
    sc_buf b;
    sc_buf_init(&b);
    if (sc_status_render(&st, &b) != 0) {
        sc_buf_free(&b);
        sc_reply(s, req, http, NULL, NULL, 0);
        return;
    }
    size_t len;
    char *body = sc_buf_release(&b, &len);
    sc_reply(s, req, http, "application/json", body, len);
}

static void sc_reply_options(sc_server *s, sc_hreq *req, const sc_route *r)
{
    char allow[96];
    sc_route_allow(r, allow, sizeof(allow));
    int rc = sc_hreq_add_header(req, "Allow", allow);
    if (sc_hreq_header(req, "Access-Control-Request-Method") != NULL) {
        rc |= sc_hreq_add_header(req, "Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
        const char *hdrs = sc_hreq_header(req, "Access-Control-Request-Headers");
        char norm[1024];
        if (hdrs != NULL) {
            sc_cors_headers(hdrs, norm, sizeof(norm));
            if (norm[0] != '\0')
                rc |= sc_hreq_add_header(req, "Access-Control-Allow-Headers", norm);
        }
    }
    if (rc != 0)
        sc_hreq_set_close(req);
    sc_reply(s, req, 200, "text/html; charset=utf-8", NULL, 0);
}

static char *sc_strdup_or_null(const char *s, size_t *len)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p != NULL)
        memcpy(p, s, n + 1);
    if (len)
        *len = n;
    return p;
}

static void sc_begin_drain(sc_server *s, const char *why);
static void sc_stop_accepting(sc_server *s);

static void sc_on_finish_check(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sc_server *s = arg;
    /* Requests may have arrived on open keep-alive connections meanwhile: only an idle worker
     * stops, otherwise the next answered request checks again. */
    if (s->inflight == 0)
        event_base_loopbreak(s->base);
}

static void sc_maybe_finish(sc_server *s)
{
    if (!s->draining || s->inflight != 0 || s->finish_ev == NULL)
        return;
    /* Stop after a quiet period with every answer written: a client that just got an answer on
     * a keep-alive connection sends its next request within it and is answered (with
     * Connection: close) instead of finding the connection closed under it, even when it was
     * descheduled for a while. Any answer re-arms the timer; a peer that stops reading only
     * delays the stop by the same period. (The master does not wait for this exit: the slot's
     * successor already serves.) */
    struct timeval tv = {0, 300 * 1000};
    evtimer_add(s->finish_ev, &tv);
}

/* The rest-timeout passed before the model answered: the client gets 504 now; the job's
 * result, when it comes, is dropped. */
static sc_server *sc_the_server; /* one server per worker process */

static void sc_on_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sc_job *job = arg;
    sc_server *s = sc_the_server;
    if (job->abandoned) {
        /* Still in Python a whole grace period after its deadline: the thread cannot be
         * interrupted, so the worker is replaced. faulthandler (registered for SIGUSR2 at worker
         * start) prints every thread's Python stack first, without needing the GIL. */
        SC_ERROR("worker %d: a request is still running %lld ms after its deadline; dumping Python "
                 "stacks and restarting the worker", (int)getpid(), s->opts->stuck_grace_ms);
        raise(SIGUSR2);
        _exit(SC_EXIT_STUCK);
    }
    if (job->transport == NULL)
        return;
    char info[128];
    snprintf(info, sizeof(info), "Request timed out: no answer within the rest-timeout of %lld ms",
             s->opts->deadline_ms);
    SC_WARN("worker %d: %s", (int)getpid(), info);
    s->cur_route = job->route_name;
    s->cur_start = job->start_time;
    sc_reply_status(s, job->transport, 504, "MICROSERVICE_TIMEOUT", info);
    job->abandoned = 1;
    job->transport = NULL;
    if (s->opts->stuck_grace_ms > 0) {
        struct timeval tv = {s->opts->stuck_grace_ms / 1000, (s->opts->stuck_grace_ms % 1000) * 1000};
        if (evtimer_add(job->transport_timer, &tv) != 0)
            SC_WARN("cannot arm the stuck-request timer");
    }
}

/* The transport answered a malformed request with gunicorn's page. */
static void sc_on_page(int status, void *arg)
{
    (void)arg;
    sc_builtin_request("unknown", status, 0.0);
}

static void sc_on_request(sc_hreq *req, void *arg)
{
    sc_server *s = arg;
    int mbit = sc_route_method_bit(req->h.method);
    const char *q;
    size_t qlen;
    char pathbuf[1024];
    size_t plen = sc_route_target_path(req->h.target, pathbuf, sizeof(pathbuf), &q, &qlen);
    const sc_route *r = sc_route_find(pathbuf, plen);
    s->cur_route = r ? r->name : "unknown";
    s->cur_start = sc_now();
    sc_trace_rest_begin(req, r, pathbuf, plen); /* tracing hook: the request's span starts */

    if (req->error_status != 0) {
        /* the body could not be read (over SC_MAX_BODY_BYTES, or corrupt chunking) */
        sc_reply_status(s, req, req->error_status, SC_REASON_BAD_DATA, req->error_info);
        return;
    }
    /* "/" matches no rule at all (the static route needs a file name): 404 for every method */
    int no_rule = r == NULL && !sc_route_static_matches(pathbuf, plen);
    if (mbit == SC_M_OPTIONS && !no_rule) {
        sc_reply_options(s, req, r);
        return;
    }
    int get_like = mbit & (SC_M_GET | SC_M_HEAD);
    if (r == NULL || !((r->methods | (r->methods & SC_M_GET ? SC_M_HEAD : 0)) & mbit)) {
        /* The original's catch-all static-file route answers GET/HEAD on any path with 404;
         * other methods get 405; its generic error handler turns both into a 500. */
        sc_reply_status(s, req, 500, SC_REASON_INTERNAL, get_like || no_rule ? sc_info_404 : sc_info_405);
        return;
    }
    if (r->endpoint == SC_EP_PING) {
        char *body = sc_strdup_or_null("pong", NULL);
        sc_reply(s, req, 200, "text/html; charset=utf-8", body, body ? 4 : 0);
        return;
    }
    if (r->endpoint == SC_EP_OPENAPI) {
        size_t len;
        const char *doc = sc_py_openapi(&len);
        char *body = doc ? malloc(len ? len : 1) : NULL;
        if (body == NULL) {
            sc_reply_status(s, req, 500, SC_REASON_INTERNAL, sc_info_404);
            return;
        }
        memcpy(body, doc, len);
        sc_reply(s, req, 200, "application/json", body, len);
        return;
    }

    if (s->opts->max_inflight > 0 && s->inflight >= s->opts->max_inflight) {
        /* Backpressure: answer now rather than queue without bound behind a slow model. */
        sc_reply_status(s, req, 503, SC_REASON_INTERNAL, "Too many requests in flight; try again later");
        return;
    }
    sc_job *job = calloc(1, sizeof(*job));
    if (job == NULL) {
        sc_reply_status(s, req, 503, SC_REASON_INTERNAL, "out of memory");
        return;
    }
    job->transport = req;
    job->route_name = r->name;
    job->start_time = s->cur_start;
    job->endpoint = r->endpoint;
    job->passthrough = s->opts->passthrough && r->endpoint == SC_EP_PREDICT;
    /* the last Content-Type: what gunicorn's WSGI environ holds */
    const char *ct = sc_hreq_header_last(req, "Content-Type");
    job->content_type = sc_strdup_or_null(ct, NULL);
    if (q != NULL) {
        job->query = malloc(qlen + 1);
        if (job->query != NULL) {
            memcpy(job->query, q, qlen);
            job->query[qlen] = '\0';
            job->query_len = qlen;
        }
    }
    job->body = req->body; /* taken, not copied */
    job->body_len = req->body_len;
    req->body = NULL;
    if ((ct && !job->content_type) || (q && !job->query)) {
        sc_job_free(job);
        sc_reply_status(s, req, 503, SC_REASON_INTERNAL, "out of memory");
        return;
    }
    if (s->opts->deadline_ms > 0) {
        /* Armed before submit: once submitted, an executor thread may finish the job at any
         * moment, and only this thread touches the timer. */
        job->transport_timer = evtimer_new(s->base, sc_on_deadline, job);
        struct timeval tv = {s->opts->deadline_ms / 1000, (s->opts->deadline_ms % 1000) * 1000};
        if (job->transport_timer == NULL || evtimer_add(job->transport_timer, &tv) != 0) {
            if (job->transport_timer)
                event_free(job->transport_timer);
            sc_job_free(job);
            sc_reply_status(s, req, 503, SC_REASON_INTERNAL, "out of memory");
            return;
        }
    }
    if (sc_executor_submit(s->ex, job) != 0) {
        if (job->transport_timer)
            event_free(job->transport_timer);
        sc_job_free(job);
        sc_reply_status(s, req, 503, SC_REASON_INTERNAL, "server is shutting down");
        return;
    }
    s->inflight++;
    sc_builtin_inflight(s->inflight);
}

/* Executor thread: queue the finished job for the I/O thread. */
static void sc_on_job_done(sc_job *job, void *arg)
{
    sc_server *s = arg;
    pthread_mutex_lock(&s->done_lock);
    job->next = NULL;
    if (s->done_tail)
        s->done_tail->next = job;
    else
        s->done_head = job;
    s->done_tail = job;
    pthread_mutex_unlock(&s->done_lock);
    event_active(s->done_ev, EV_READ, 0);
}

/* I/O thread: send the answers of finished jobs. */
static void sc_on_done_event(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sc_server *s = arg;
    pthread_mutex_lock(&s->done_lock);
    sc_job *job = s->done_head;
    s->done_head = s->done_tail = NULL;
    pthread_mutex_unlock(&s->done_lock);
    while (job != NULL) {
        sc_job *next = job->next;
        char *out = job->out;
        job->out = NULL;
        s->served++;
        if (s->opts->max_requests > 0 && s->served == s->opts->max_requests && !s->draining) {
            if (s->opts->on_retire != NULL) {
                /* New connections wait in the master's backlog for the successor; requests on
                 * connections already open are still answered, with Connection: close, until
                 * the master's SIGTERM once the successor serves. */
                sc_stop_accepting(s);
                s->closing = 1;
                s->opts->on_retire();
            } else
                sc_begin_drain(s, "max requests reached");
        }
        if (job->transport_timer != NULL)
            event_free(job->transport_timer);
        if (job->abandoned) {
            free(out);
        } else {
            s->cur_route = job->route_name;
            s->cur_start = job->start_time;
            s->cur_headers = job->out_headers;
            s->cur_nheaders = job->out_nheaders;
            sc_reply(s, job->transport, job->status, job->out_type, out, job->out_len);
        }
        sc_job_free(job);
        s->inflight--;
        sc_builtin_inflight(s->inflight);
        job = next;
    }
    sc_maybe_finish(s);
}

static void sc_stop_accepting(sc_server *s)
{
    /* The master keeps the listening socket open, so new connections wait in the backlog for
     * the next worker instead of being refused. */
    if (s->hs != NULL)
        sc_hsrv_stop_accepting(s->hs);
}

static void sc_begin_drain(sc_server *s, const char *why)
{
    if (s->draining)
        return;
    s->draining = 1;
    SC_INFO("worker %d: %s, stopping (in flight: %d)", (int)getpid(), why, s->inflight);
    sc_stop_accepting(s);
    struct timeval tv = {s->opts->graceful_timeout > 0 ? s->opts->graceful_timeout : 30, 0};
    event_base_loopexit(s->base, &tv);
    sc_maybe_finish(s);
}

static void sc_on_signal(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    sc_server *s = arg;
    struct signalfd_siginfo si;
    if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
        return;
    int sig = (int)si.ssi_signo;
    if (sig == SIGQUIT) {
        event_base_loopbreak(s->base);
        return;
    }
    sc_begin_drain(s, sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

int sc_http_serve(const sc_http_opts *opts)
{
    sc_server s;
    memset(&s, 0, sizeof(s));
    s.opts = opts;
    sc_the_server = &s;
    int rc = 1;
    if (evthread_use_pthreads() != 0) {
        SC_ERROR("libevent has no pthread support");
        return 1;
    }
    pthread_mutex_init(&s.done_lock, NULL);
    s.base = event_base_new();
    if (s.base == NULL) {
        SC_ERROR("cannot create event base");
        return 1;
    }
    if (evutil_make_socket_nonblocking(opts->listen_fd) != 0)
        goto out;
    sc_hsrv_opts ho = {
        .listen_fd = opts->listen_fd,
        .idle_timeout_s = opts->keepalive > 0 ? opts->keepalive : 2,
        .keepalive = opts->keepalive > 0,
        .head_timeout_s = opts->head_timeout_s,
        .max_body = opts->max_body,
        .on_request = sc_on_request,
        .on_page = sc_on_page,
        .arg = &s,
    };
    s.hs = sc_hsrv_start(s.base, &ho);
    if (s.hs == NULL)
        goto out;
    s.done_ev = event_new(s.base, -1, 0, sc_on_done_event, &s);
    s.finish_ev = evtimer_new(s.base, sc_on_finish_check, &s);
    if (s.done_ev == NULL || s.finish_ev == NULL)
        goto out;
    /* Signals arrive through a signalfd, not libevent's signal handling: libevent keeps that
     * state per process, and the forked worker still carries the master's event base. The mask
     * is set before the executor threads start, so they inherit it and never take a signal. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGQUIT);
    if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0)
        goto out;
    s.sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (s.sig_fd < 0)
        goto out;
    s.sig_ev = event_new(s.base, s.sig_fd, EV_READ | EV_PERSIST, sc_on_signal, &s);
    if (s.sig_ev == NULL || event_add(s.sig_ev, NULL) != 0)
        goto out;
    s.ex = sc_executor_start(opts->threads, sc_on_job_done, &s);
    if (s.ex == NULL)
        goto out;
    if (opts->on_ready != NULL)
        opts->on_ready();
    if (event_base_dispatch(s.base) < 0)
        goto out;
    if (s.inflight > 0)
        SC_WARN("worker %d: graceful timeout with %d requests in flight", (int)getpid(), s.inflight);
    rc = 0;
out:
    /* The process exits right after this; the executor threads may still be inside Python, so
     * they are not joined (a stuck model must not keep a stopping worker alive). */
    return rc;
}
