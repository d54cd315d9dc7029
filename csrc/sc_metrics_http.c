/* sc_metrics_http: the metrics port (SPEC §2.5, §3.9). The original serves it with a separate
 * Flask app whose only route is GET <endpoint>, plus Flask's static-file catch-all (the app has
 * static_url_path=""): so GET/HEAD elsewhere is Werkzeug's 404 page, any other method anywhere
 * is its 405 page, OPTIONS anywhere is 200 with Allow, and flask-cors adds its headers to all.
 * Framing (gunicorn's limits and 400 pages, keep-alive) is sc_hconn's, as on the REST port. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "sc_buf.h"
#include "sc_hconn.h"
#include "sc_log.h"
#include "sc_metrics.h"
#include "sc_route.h"

/* prometheus_client's CONTENT_TYPE_LATEST, once (SPEC decision 11: one charset). */
#define SC_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define SC_HTML "text/html; charset=utf-8"
#define SC_ALLOW "HEAD, OPTIONS, GET"

/* Werkzeug 2.2's exception pages, byte for byte. */
static const char sc_page_404[] =
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server. If you entered the URL manually please "
    "check your spelling and try again.</p>\n";
static const char sc_page_405[] =
    "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
    "<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n";
static const char sc_page_400[] =
    "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n"
    "<p>The browser (or proxy) sent a request that this server could not understand.</p>\n";
static const char sc_page_500[] =
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable "
    "to complete your request. Either the server is overloaded or there is an error in the "
    "application.</p>\n";

static const char sc_page_413[] =
    "<!doctype html>\n<html lang=en>\n<title>413 Request Entity Too Large</title>\n"
    "<h1>Request Entity Too Large</h1>\n<p>The data value transmitted exceeds the capacity limit.</p>\n";

typedef struct sc_mhttp {
    sc_hsrv *hs;
    char *endpoint;
} sc_mhttp;

/* Sends status with body (malloc'd and owned when owned, else static, copied). HEAD gets the
 * headers of the GET answer, Content-Length included, and no body (sc_hconn). */
static void sc_mreply(sc_hreq *req, int status, const char *reason, const char *type, const char *body, size_t len,
                      int owned)
{
    char *out = (char *)body;
    if (!owned && len > 0) {
        out = malloc(len);
        if (out != NULL)
            memcpy(out, body, len);
    }
    if (len > 0 && out == NULL) {
        SC_WARN("metrics: out of memory for an answer");
        sc_hreq_set_close(req);
        len = 0;
    }
    int rc = sc_hreq_add_header(req, "Content-Type", type);
    rc |= sc_hreq_add_header(req, "Server", "seldon-core-c");
    rc |= sc_hreq_add_cors(req);
    if (rc != 0)
        sc_hreq_set_close(req); /* out of memory: an answer missing headers ends its connection */
    sc_hreq_send(req, status, reason, len > 0 ? out : NULL, len);
}

static void (*sc_scrape_hook)(void *);
static void *sc_scrape_arg;

void sc_metrics_set_scrape_hook(void (*fn)(void *arg), void *arg)
{
    sc_scrape_hook = fn;
    sc_scrape_arg = arg;
}

static void sc_reply_metrics(sc_hreq *req)
{
    if (sc_scrape_hook != NULL)
        sc_scrape_hook(sc_scrape_arg);
    sc_buf b;
    sc_buf_init(&b);
    int rc = sc_metrics_render(&b);
    if (rc != 0) {
        sc_buf_free(&b);
        SC_ERROR("metrics: cannot render the exposition: %s", strerror(-rc));
        sc_mreply(req, 500, "INTERNAL SERVER ERROR", SC_HTML, sc_page_500, sizeof(sc_page_500) - 1, 0);
        return;
    }
    size_t len;
    char *body = sc_buf_release(&b, &len);
    sc_mreply(req, 200, "OK", SC_PROM_CONTENT_TYPE, body, len, 1);
}

static void sc_on_request(sc_hreq *req, void *arg)
{
    sc_mhttp *h = arg;
    const char *m = req->h.method;
    if (strcmp(m, "OPTIONS") == 0) {
        int rc = sc_hreq_add_header(req, "Allow", SC_ALLOW);
        if (sc_hreq_header(req, "Access-Control-Request-Method") != NULL) {
            const char *hdrs = sc_hreq_header(req, "Access-Control-Request-Headers");
            rc |= sc_hreq_add_header(req, "Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
            if (hdrs != NULL)
                rc |= sc_hreq_add_header(req, "Access-Control-Allow-Headers", hdrs);
        }
        if (rc != 0)
            SC_WARN("metrics: cannot add the OPTIONS headers");
        sc_mreply(req, 200, "OK", SC_HTML, "", 0, 0);
        return;
    }
    if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
        if (sc_hreq_add_header(req, "Allow", SC_ALLOW) != 0)
            SC_WARN("metrics: cannot add the Allow header");
        sc_mreply(req, 405, "METHOD NOT ALLOWED", SC_HTML, sc_page_405, sizeof(sc_page_405) - 1, 0);
        return;
    }
    /* Routing comes first, as in Flask (other methods got their 405 above, body or not); a
     * scrape with a body over the 64 KB limit, or a corrupt chunked one, gets Werkzeug's page. */
    if (req->error_status == 413) {
        sc_mreply(req, 413, "REQUEST ENTITY TOO LARGE", SC_HTML, sc_page_413, sizeof(sc_page_413) - 1, 0);
        return;
    }
    if (req->error_status != 0) {
        sc_mreply(req, 400, "BAD REQUEST", SC_HTML, sc_page_400, sizeof(sc_page_400) - 1, 0);
        return;
    }
    const char *q;
    size_t qlen;
    char path[1024];
    sc_route_target_path(req->h.target, path, sizeof(path), &q, &qlen);
    if (strcmp(path, h->endpoint) == 0)
        sc_reply_metrics(req);
    else
        sc_mreply(req, 404, "NOT FOUND", SC_HTML, sc_page_404, sizeof(sc_page_404) - 1, 0);
}

int sc_metrics_http_start(struct event_base *base, int fd, const char *endpoint)
{
    sc_mhttp *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return -ENOMEM;
    /* the accept loop takes connections until EAGAIN: a blocking socket would hang it */
    if (evutil_make_socket_nonblocking(fd) != 0) {
        free(h);
        return -EINVAL;
    }
    h->endpoint = strdup(endpoint != NULL && *endpoint ? endpoint : "/metrics");
    if (h->endpoint == NULL) {
        free(h);
        return -ENOMEM;
    }
    sc_hsrv_opts o = {
        .listen_fd = fd,
        .idle_timeout_s = 60,
        .keepalive = 1,
        .head_timeout_s = 10,
        .max_body = 64 * 1024, /* nothing here reads a body: refuse big ones unread */
        .on_request = sc_on_request,
        .on_page = NULL,
        .arg = h,
    };
    h->hs = sc_hsrv_start(base, &o);
    if (h->hs == NULL) {
        free(h->endpoint);
        free(h);
        return -EINVAL;
    }
    /* h lives as long as the process: the master serves metrics until it exits. */
    return 0;
}

static void *sc_metrics_thread(void *arg)
{
    struct event_base *base = arg;
    if (event_base_dispatch(base) < 0)
        SC_ERROR("metrics: event loop failed");
    return NULL;
}

int sc_metrics_http_start_thread(int fd, const char *endpoint)
{
    if (evthread_use_pthreads() != 0)
        return -ENOMEM;
    struct event_base *base = event_base_new();
    if (base == NULL)
        return -ENOMEM;
    int rc = sc_metrics_http_start(base, fd, endpoint);
    if (rc != 0) {
        event_base_free(base);
        return rc;
    }
    /* Signals belong to the serving thread's loop: this thread blocks them all. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_t tid;
    if (pthread_sigmask(SIG_BLOCK, &all, &old) != 0)
        return -EINVAL;
    int err = pthread_create(&tid, NULL, sc_metrics_thread, base);
    if (pthread_sigmask(SIG_SETMASK, &old, NULL) != 0)
        SC_WARN("metrics: cannot restore the signal mask");
    if (err != 0)
        return -err;
    return pthread_detach(tid) == 0 ? 0 : -EINVAL;
}
