#include "sc_trace_rest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sc_hconn.h"
#include "sc_log.h"
#include "sc_repr.h"

/* ---- spans of the requests in flight ---------------------------------------------------------
 * Keyed by the request: a span lives from routing to the answer, across the executor
 * hand-over. Chained buckets; in flight is capped
 * (SC_MAX_INFLIGHT), so chains stay short. An entry whose request never reaches sc_reply (the
 * client went away) is purged when its address is reused. */

#define SC_PEND_BUCKETS 256

static sc_trace_span *sc_pending[SC_PEND_BUCKETS];

static size_t sc_pend_bucket(const void *key)
{
    uint64_t x = (uint64_t)(uintptr_t)key;
    x ^= x >> 29;
    x *= 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 56) & (SC_PEND_BUCKETS - 1);
}

static sc_trace_span *sc_pend_take(const void *key)
{
    sc_trace_span **pp = &sc_pending[sc_pend_bucket(key)];
    for (; *pp != NULL; pp = &(*pp)->owner_next) {
        if ((*pp)->owner_key == key) {
            sc_trace_span *s = *pp;
            *pp = s->owner_next;
            s->owner_next = NULL;
            return s;
        }
    }
    return NULL;
}

static void sc_pend_put(const void *key, sc_trace_span *s)
{
    size_t b = sc_pend_bucket(key);
    s->owner_key = key;
    s->owner_next = sc_pending[b];
    sc_pending[b] = s;
}

/* ---- request attributes ---------------------------------------------------------------------- */

/* Flask's request.endpoint: the view of the matched rule. A route answers its methods (HEAD
 * with GET) and OPTIONS; otherwise the catch-all static rule matches GET, HEAD and OPTIONS; any
 * other method fails routing with 405 and Flask has no endpoint (None: an empty name). */
static const char *sc_endpoint_name(const sc_route *r, const char *method, const char *path, size_t path_len)
{
    int m = sc_route_method_bit(method);
    if (r == NULL && !sc_route_static_matches(path, path_len))
        return ""; /* "/": not even the static rule matches */
    if (r != NULL) {
        int ok = r->methods | (r->methods & SC_M_GET ? SC_M_HEAD : 0) | SC_M_OPTIONS;
        if (ok & m)
            return r->name;
    }
    if (m & (SC_M_GET | SC_M_HEAD | SC_M_OPTIONS))
        return "static";
    return "";
}

/* What a request looks like to the tags: the pieces werkzeug derives its attributes from. */
typedef struct {
    const sc_hreq *req;
    const char *method;
    const char *endpoint;
    const char *path;    /* decoded */
    size_t path_len;
    const char *raw_path; /* as sent, up to '?' or '#' */
    size_t raw_path_len;
    const char *query;   /* raw, without '?', or NULL */
    size_t query_len;
    char host[300];      /* Host header, or SERVER_NAME:SERVER_PORT as gunicorn sets them */
} sc_req_view;

/* Python's repr() of bytes. */
static int sc_base_url(sc_buf *b, const sc_req_view *v)
{
    int rc = sc_buf_append_str(b, "http://");
    rc |= sc_buf_append_str(b, v->host);
    rc |= sc_buf_append(b, v->raw_path, v->raw_path_len);
    return rc;
}

/* The request attributes JAEGER_EXTRA_TAGS may name, as str(getattr(flask.request, name)).
 * Returns 1 and fills b, 0 when the value is empty (flask-opentracing skips ''), -1 when the
 * name is not one we support. */
static int sc_attr_value(const char *name, const sc_req_view *v, sc_buf *b)
{
    int rc = 0;
    if (strcmp(name, "path") == 0) {
        rc = sc_buf_append(b, v->path, v->path_len);
    } else if (strcmp(name, "full_path") == 0) {
        rc = sc_buf_append(b, v->path, v->path_len) | sc_buf_append_char(b, '?');
        if (v->query)
            rc |= sc_buf_append(b, v->query, v->query_len);
    } else if (strcmp(name, "url") == 0) {
        rc = sc_base_url(b, v);
        if (v->query && v->query_len > 0)
            rc |= sc_buf_append_char(b, '?') | sc_buf_append(b, v->query, v->query_len);
    } else if (strcmp(name, "base_url") == 0) {
        rc = sc_base_url(b, v);
    } else if (strcmp(name, "url_root") == 0 || strcmp(name, "host_url") == 0) {
        rc = sc_buf_printf(b, "http://%s/", v->host);
    } else if (strcmp(name, "host") == 0) {
        rc = sc_buf_append_str(b, v->host);
    } else if (strcmp(name, "method") == 0) {
        rc = sc_buf_append_str(b, v->method);
    } else if (strcmp(name, "scheme") == 0) {
        rc = sc_buf_append_str(b, "http");
    } else if (strcmp(name, "endpoint") == 0) {
        rc = sc_buf_append_str(b, v->endpoint[0] ? v->endpoint : "None");
    } else if (strcmp(name, "remote_addr") == 0) {
        if (strcmp(v->req->peer, "-") != 0)
            rc = sc_buf_append_str(b, v->req->peer);
    } else if (strcmp(name, "query_string") == 0) {
        rc = sc_repr_bytes(b, v->query ? v->query : "", v->query ? v->query_len : 0);
    } else if (strcmp(name, "content_type") == 0 || strcmp(name, "user_agent") == 0) {
        const char *h = sc_hreq_header(v->req, name[0] == 'c' ? "Content-Type" : "User-Agent");
        if (h != NULL)
            rc = sc_buf_append_str(b, h);
    } else if (strcmp(name, "mimetype") == 0) {
        const char *h = sc_hreq_header(v->req, "Content-Type");
        if (h != NULL) {
            size_t n = strcspn(h, ";");
            while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
                n--;
            while (n > 0 && (*h == ' ' || *h == '\t')) {
                h++;
                n--;
            }
            for (size_t i = 0; i < n && rc == 0; i++)
                rc = sc_buf_append_char(b, (char)(h[i] >= 'A' && h[i] <= 'Z' ? h[i] + 32 : h[i]));
        }
    } else if (strcmp(name, "content_length") == 0) {
        /* werkzeug: a non-negative integer, else None */
        const char *h = sc_hreq_header(v->req, "Content-Length");
        char *end = NULL;
        long long n = h ? strtoll(h, &end, 10) : -1;
        if (h == NULL || end == h || *end != '\0' || n < 0)
            rc = sc_buf_append_str(b, "None");
        else
            rc = sc_buf_printf(b, "%lld", n);
    } else if (strcmp(name, "headers") == 0) {
        /* the HTTP header block, as werkzeug's Headers.__str__ writes it */
        for (size_t i = 0; i < v->req->h.nfields; i++)
            rc |= sc_buf_printf(b, "%s: %s\r\n", v->req->h.fields[i].name, v->req->h.fields[i].value);
        rc |= sc_buf_append(b, "\r\n", 2);
    } else {
        return -1;
    }
    if (rc != 0)
        return -1;
    return b->len > 0 ? 1 : 0;
}

static const char *const sc_supported[] = {"path", "full_path", "url", "base_url", "url_root", "host_url",
                                           "host", "method", "scheme", "endpoint", "remote_addr",
                                           "query_string", "content_type", "user_agent", "mimetype",
                                           "content_length", "headers"};

void sc_trace_rest_check_extra(const sc_trace_config *tc)
{
    for (int i = 0; i < tc->n_extra; i++) {
        int known = 0;
        for (size_t j = 0; j < sizeof(sc_supported) / sizeof(sc_supported[0]); j++)
            known |= strcmp(tc->extra[i], sc_supported[j]) == 0;
        if (!known)
            SC_WARN("tracing: JAEGER_EXTRA_TAGS '%s' is not a request attribute seldon-core-c tags "
                    "(supported: path, full_path, url, base_url, url_root, host_url, host, method, scheme, "
                    "endpoint, remote_addr, query_string, content_type, mimetype, content_length, user_agent, "
                    "headers); ignored",
                    tc->extra[i]);
    }
}

/* ---- hooks ----------------------------------------------------------------------------------- */

void sc_trace_rest_begin(const sc_hreq *req, const sc_route *r, const char *path, size_t path_len)
{
    if (!sc_trace_on())
        return;
    const sc_trace_config *tc = sc_trace_config_get();
    /* a stale entry for this address (its request was freed without an answer) */
    sc_trace_span_discard(sc_pend_take(req));

    sc_req_view v;
    memset(&v, 0, sizeof(v));
    v.req = req;
    v.method = req->h.method;
    v.endpoint = sc_endpoint_name(r, req->h.method, path, path_len);
    v.path = path;
    v.path_len = path_len;
    const char *target = req->h.target;
    if (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0) {
        const char *p = strchr(target, ':') + 3;
        p += strcspn(p, "/?#");
        target = p;
    }
    v.raw_path = target;
    v.raw_path_len = strcspn(target, "?#");
    if (v.raw_path_len == 0) {
        v.raw_path = "/";
        v.raw_path_len = 1;
    }
    if (target[strcspn(target, "?#")] == '?') {
        v.query = target + strcspn(target, "?#") + 1;
        v.query_len = strcspn(v.query, "#");
    }

    /* one pass over the headers: the last value of each, as a dict built from them keeps */
    const char *uber = NULL, *tp = NULL, *host = NULL;
    for (size_t i = 0; i < req->h.nfields; i++) {
        const sc_h1_field *h = &req->h.fields[i];
        if (strcasecmp(h->name, tc->trace_id_header) == 0)
            uber = h->value;
        else if (strcasecmp(h->name, "traceparent") == 0)
            tp = h->value;
        else if (strcasecmp(h->name, "host") == 0)
            host = h->value;
    }
    if (host != NULL && host[0] != '\0')
        snprintf(v.host, sizeof(v.host), "%s", host);
    else
        snprintf(v.host, sizeof(v.host), "0.0.0.0:%d", tc->http_port);

    sc_trace_ctx ctx;
    const sc_trace_ctx *parent = NULL;
    if (uber != NULL && sc_trace_parse_uber(uber, strlen(uber), &ctx) == 0)
        parent = &ctx;
    else if (tp != NULL && sc_trace_parse_traceparent(tp, strlen(tp), &ctx) == 0)
        parent = &ctx;
    sc_trace_span *s = sc_trace_span_start(v.endpoint, strlen(v.endpoint), parent);
    if (s == NULL)
        return;
    sc_buf b;
    sc_buf_init(&b);
    sc_trace_span_tag_str(s, "component", "Flask", 5);
    sc_trace_span_tag_str(s, "http.method", v.method, strlen(v.method));
    if (sc_base_url(&b, &v) == 0)
        sc_trace_span_tag_str(s, "http.url", b.data, b.len);
    sc_trace_span_tag_str(s, "span.kind", "server", 6);
    for (int i = 0; i < tc->n_extra; i++) {
        sc_buf_clear(&b);
        if (sc_attr_value(tc->extra[i], &v, &b) == 1)
            sc_trace_span_tag_str(s, tc->extra[i], b.data, b.len);
    }
    sc_buf_free(&b);
    sc_pend_put(req, s);
}

void sc_trace_rest_end(const sc_hreq *req, int status)
{
    if (!sc_trace_on())
        return;
    sc_trace_span *s = sc_pend_take(req);
    if (s == NULL)
        return;
    sc_trace_span_tag_long(s, "http.status_code", status);
    /* Not in the original (its error handler turns exceptions into answers, so flask-opentracing
     * never sees one): a 5xx answer is marked as an error, the OpenTracing convention. */
    if (status >= 500)
        sc_trace_span_tag_bool(s, "error", 1);
    sc_trace_span_finish(s);
}
