/* sc_metrics_http: the metrics port (SPEC §2.5, §3.9). The original serves it with a separate
 * Flask app whose only route is GET <endpoint>, plus Flask's static-file catch-all (the app has
 * static_url_path=""): so GET/HEAD elsewhere is Werkzeug's 404 page, any other method anywhere
 * is its 405 page, OPTIONS anywhere is 200 with Allow, and flask-cors adds its headers to all. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>

#include "sc_buf.h"
#include "sc_log.h"
#include "sc_metrics.h"

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
static const char sc_page_500[] =
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable "
    "to complete your request. Either the server is overloaded or there is an error in the "
    "application.</p>\n";

typedef struct sc_mhttp {
    struct evhttp *http;
    char *endpoint;
} sc_mhttp;

static void sc_free_cb(const void *data, size_t len, void *arg)
{
    (void)len;
    (void)arg;
    free((void *)data);
}

/* Sends status with body (malloc'd and owned when owned, else static). HEAD gets the headers
 * of the GET answer, Content-Length included, and no body. */
static void sc_mreply(struct evhttp_request *req, int status, const char *reason,
                      const char *type, const char *body, size_t len, int owned)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    struct evbuffer *buf = evbuffer_new();
    int ok = buf != NULL;
    ok = ok && evhttp_add_header(out, "Content-Type", type) == 0;
    ok = ok && evhttp_add_header(out, "Server", "seldon-core-c") == 0;
    /* flask-cors defaults: echo the Origin (and vary on it), else allow any origin. */
    const char *origin = evhttp_find_header(in, "Origin");
    if (origin != NULL) {
        ok = ok && evhttp_add_header(out, "Access-Control-Allow-Origin", origin) == 0;
        ok = ok && evhttp_add_header(out, "Vary", "Origin") == 0;
    } else {
        ok = ok && evhttp_add_header(out, "Access-Control-Allow-Origin", "*") == 0;
    }
    if (ok && len > 0) {
        if (owned) {
            ok = evbuffer_add_reference(buf, body, len, sc_free_cb, NULL) == 0;
            owned = !ok; /* on success the buffer frees it */
        } else {
            ok = evbuffer_add_reference(buf, body, len, NULL, NULL) == 0;
        }
    }
    if (owned)
        free((void *)body);
    if (!ok) {
        if (buf != NULL)
            evbuffer_free(buf);
        evhttp_send_error(req, 500, NULL);
        return;
    }
    if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
        char clen[32];
        snprintf(clen, sizeof(clen), "%zu", len);
        if (evhttp_add_header(out, "Content-Length", clen) != 0 || evbuffer_drain(buf, len) != 0)
            SC_WARN("metrics: cannot build the HEAD answer");
    }
    evhttp_send_reply(req, status, reason, buf);
    evbuffer_free(buf);
}

static void (*sc_scrape_hook)(void *);
static void *sc_scrape_arg;

void sc_metrics_set_scrape_hook(void (*fn)(void *arg), void *arg)
{
    sc_scrape_hook = fn;
    sc_scrape_arg = arg;
}

static void sc_reply_metrics(struct evhttp_request *req)
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

/* The request path, percent-decoded as Werkzeug routes it; NULL on ENOMEM. Caller frees. */
static char *sc_request_path(struct evhttp_request *req)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
    return evhttp_uridecode(path != NULL && *path ? path : "/", 0, NULL);
}

static void sc_on_request(struct evhttp_request *req, void *arg)
{
    sc_mhttp *h = arg;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (cmd == EVHTTP_REQ_OPTIONS) {
        struct evkeyvalq *in = evhttp_request_get_input_headers(req);
        struct evkeyvalq *out = evhttp_request_get_output_headers(req);
        int ok = evhttp_add_header(out, "Allow", SC_ALLOW) == 0;
        if (ok && evhttp_find_header(in, "Access-Control-Request-Method") != NULL) {
            const char *hdrs = evhttp_find_header(in, "Access-Control-Request-Headers");
            ok = evhttp_add_header(out, "Access-Control-Allow-Methods",
                                   "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT") == 0 &&
                 (hdrs == NULL || evhttp_add_header(out, "Access-Control-Allow-Headers", hdrs) == 0);
        }
        if (!ok)
            SC_WARN("metrics: cannot add the OPTIONS headers");
        sc_mreply(req, 200, "OK", SC_HTML, "", 0, 0);
        return;
    }
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        if (evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", SC_ALLOW) != 0)
            SC_WARN("metrics: cannot add the Allow header");
        sc_mreply(req, 405, "METHOD NOT ALLOWED", SC_HTML, sc_page_405, sizeof(sc_page_405) - 1, 0);
        return;
    }
    char *path = sc_request_path(req);
    if (path == NULL) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    int match = strcmp(path, h->endpoint) == 0;
    free(path);
    if (match)
        sc_reply_metrics(req);
    else
        sc_mreply(req, 404, "NOT FOUND", SC_HTML, sc_page_404, sizeof(sc_page_404) - 1, 0);
}

int sc_metrics_http_start(struct event_base *base, int fd, const char *endpoint)
{
    sc_mhttp *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return -ENOMEM;
    /* libevent's listener accepts until EAGAIN: a blocking socket would hang the loop. */
    if (evutil_make_socket_nonblocking(fd) != 0) {
        free(h);
        return -EINVAL;
    }
    h->endpoint = strdup(endpoint != NULL && *endpoint ? endpoint : "/metrics");
    h->http = evhttp_new(base);
    if (h->endpoint == NULL || h->http == NULL) {
        free(h->endpoint);
        free(h);
        return -ENOMEM;
    }
    /* Every method reaches the callback, which answers 405 itself like the original. */
    evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH |
                                            EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT);
    evhttp_set_timeout(h->http, 60);
    /* Nothing here reads a body: refuse big ones rather than buffer them in the master. */
    evhttp_set_max_body_size(h->http, 64 * 1024);
    evhttp_set_max_headers_size(h->http, 64 * 1024);
    evhttp_set_gencb(h->http, sc_on_request, h);
    if (evhttp_accept_socket_with_handle(h->http, fd) == NULL) {
        evhttp_free(h->http);
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
