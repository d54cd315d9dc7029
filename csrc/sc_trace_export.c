#include "sc_trace_export.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- Thrift compact protocol (the subset jaeger.thrift needs) --------------------------------
 * Field header: (delta << 4) | type when the field id grows by 1..15 from the previous one in
 * the same struct, else the type byte and the zigzag-varint id. Integers are zigzag varints,
 * doubles 8 bytes little-endian, strings a varint length and the bytes, booleans live in the
 * field header's type (1 true, 2 false). */

enum {
    TC_STOP = 0,
    TC_TRUE = 1,
    TC_FALSE = 2,
    TC_I32 = 5,
    TC_I64 = 6,
    TC_DOUBLE = 7,
    TC_BINARY = 8,
    TC_LIST = 9,
    TC_STRUCT = 12,
};

static int tc_varint(sc_buf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (unsigned char)v;
    return sc_buf_append(b, tmp, n);
}

static int tc_i64(sc_buf *b, int64_t v)
{
    return tc_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static int tc_byte(sc_buf *b, int v)
{
    return sc_buf_append_char(b, (char)(unsigned char)v);
}

static int tc_binary(sc_buf *b, const char *p, size_t n)
{
    return tc_varint(b, n) | sc_buf_append(b, p, n);
}

static int tc_field(sc_buf *b, int *last, int id, int type)
{
    int rc;
    if (id > *last && id - *last <= 15)
        rc = tc_byte(b, ((id - *last) << 4) | type);
    else
        rc = tc_byte(b, type) | tc_i64(b, id);
    *last = id;
    return rc;
}

static int tc_list(sc_buf *b, int elem, size_t n)
{
    if (n <= 14)
        return tc_byte(b, (int)(n << 4) | elem);
    return tc_byte(b, 0xF0 | elem) | tc_varint(b, n);
}

static int tc_double(sc_buf *b, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(u >> (8 * i));
    return sc_buf_append(b, le, 8);
}

/* jaeger.thrift Tag { 1: key, 2: vType, 3: vStr | 4: vDouble | 5: vBool | 6: vLong } */
static int tc_tag(sc_buf *b, const sc_trace_tag *t)
{
    int last = 0;
    int rc = tc_field(b, &last, 1, TC_BINARY) | tc_binary(b, t->key, t->key_len);
    rc |= tc_field(b, &last, 2, TC_I32) | tc_i64(b, t->type);
    switch (t->type) {
    case SC_TAG_STR:
        rc |= tc_field(b, &last, 3, TC_BINARY) | tc_binary(b, t->str, t->str_len);
        break;
    case SC_TAG_DOUBLE:
        rc |= tc_field(b, &last, 4, TC_DOUBLE) | tc_double(b, t->dbl);
        break;
    case SC_TAG_BOOL:
        rc |= tc_field(b, &last, 5, t->num ? TC_TRUE : TC_FALSE);
        break;
    default:
        rc |= tc_field(b, &last, 6, TC_I64) | tc_i64(b, t->num);
        break;
    }
    return rc | tc_byte(b, TC_STOP);
}

static int tc_kv_tag(sc_buf *b, const char *k, const char *v)
{
    sc_trace_tag t = {.key = k, .key_len = strlen(k), .type = SC_TAG_STR, .str = v, .str_len = strlen(v)};
    return tc_tag(b, &t);
}

int sc_trace_encode_jaeger_span(sc_buf *out, const sc_trace_span *s)
{
    int last = 0, rc = 0;
    size_t ol;
    const char *op = sc_trace_span_op(s, &ol);
    rc |= tc_field(out, &last, 1, TC_I64) | tc_i64(out, (int64_t)s->trace_lo);
    rc |= tc_field(out, &last, 2, TC_I64) | tc_i64(out, (int64_t)s->trace_hi);
    rc |= tc_field(out, &last, 3, TC_I64) | tc_i64(out, (int64_t)s->span_id);
    rc |= tc_field(out, &last, 4, TC_I64) | tc_i64(out, (int64_t)s->parent_id);
    rc |= tc_field(out, &last, 5, TC_BINARY) | tc_binary(out, op, ol);
    rc |= tc_field(out, &last, 7, TC_I32) | tc_i64(out, (int32_t)s->flags);
    rc |= tc_field(out, &last, 8, TC_I64) | tc_i64(out, s->start_us);
    rc |= tc_field(out, &last, 9, TC_I64) | tc_i64(out, s->duration_us);
    sc_trace_iter it;
    sc_trace_tag t;
    int64_t ts;
    int nf, k;
    if (s->ntags > 0) {
        rc |= tc_field(out, &last, 10, TC_LIST) | tc_list(out, TC_STRUCT, s->ntags);
        sc_trace_iter_init(&it, s);
        while ((k = sc_trace_iter_next(&it, &t, &ts, &nf)) != 0) {
            if (k == 2) { /* skip the log and its fields */
                for (int i = 0; i < nf; i++)
                    sc_trace_iter_next(&it, &t, &ts, &nf);
                continue;
            }
            rc |= tc_tag(out, &t);
        }
    }
    if (s->nlogs > 0) {
        rc |= tc_field(out, &last, 11, TC_LIST) | tc_list(out, TC_STRUCT, s->nlogs);
        sc_trace_iter_init(&it, s);
        while ((k = sc_trace_iter_next(&it, &t, &ts, &nf)) != 0) {
            if (k != 2)
                continue;
            /* Log { 1: timestamp, 2: fields list<Tag> } */
            int ll = 0;
            rc |= tc_field(out, &ll, 1, TC_I64) | tc_i64(out, ts);
            rc |= tc_field(out, &ll, 2, TC_LIST) | tc_list(out, TC_STRUCT, (size_t)nf);
            int n = nf;
            for (int i = 0; i < n; i++) {
                int dummy;
                if (sc_trace_iter_next(&it, &t, &ts, &dummy) != 1)
                    return -1;
                rc |= tc_tag(out, &t);
            }
            rc |= tc_byte(out, TC_STOP);
        }
    }
    rc |= tc_byte(out, TC_STOP);
    return rc ? -1 : 0;
}

static int tc_process(sc_buf *b, const sc_trace_process *p)
{
    int last = 0;
    int rc = tc_field(b, &last, 1, TC_BINARY) | tc_binary(b, p->service, strlen(p->service));
    if (p->ntags > 0) {
        rc |= tc_field(b, &last, 2, TC_LIST) | tc_list(b, TC_STRUCT, (size_t)p->ntags);
        for (int i = 0; i < p->ntags; i++)
            rc |= tc_kv_tag(b, p->keys[i], p->vals[i]);
    }
    return rc | tc_byte(b, TC_STOP);
}

int sc_trace_encode_jaeger_batch(sc_buf *out, const sc_trace_process *p, const char *spans, size_t spans_len,
                                 size_t nspans, int64_t seq_no, const sc_trace_stats *stats)
{
    /* message header: protocol id 0x82, version 1 | type ONEWAY (4) << 5, seqid, name */
    int rc = tc_byte(out, 0x82) | tc_byte(out, 0x81) | tc_varint(out, (uint64_t)(seq_no & 0x7fffffff));
    rc |= tc_binary(out, "emitBatch", 9);
    int args = 0, batch = 0, st = 0;
    rc |= tc_field(out, &args, 1, TC_STRUCT); /* emitBatch_args.batch */
    rc |= tc_field(out, &batch, 1, TC_STRUCT) | tc_process(out, p);
    rc |= tc_field(out, &batch, 2, TC_LIST) | tc_list(out, TC_STRUCT, nspans);
    rc |= sc_buf_append(out, spans, spans_len);
    rc |= tc_field(out, &batch, 3, TC_I64) | tc_i64(out, seq_no);
    /* ClientStats { 1: fullQueueDroppedSpans, 2: tooLargeDroppedSpans, 3: failedToEmitSpans } */
    rc |= tc_field(out, &batch, 4, TC_STRUCT);
    rc |= tc_field(out, &st, 1, TC_I64) | tc_i64(out, stats->dropped_full);
    rc |= tc_field(out, &st, 2, TC_I64) | tc_i64(out, stats->dropped_too_large);
    rc |= tc_field(out, &st, 3, TC_I64) | tc_i64(out, stats->failed_emit);
    rc |= tc_byte(out, TC_STOP);       /* ClientStats */
    rc |= tc_byte(out, TC_STOP);       /* Batch */
    rc |= tc_byte(out, TC_STOP);       /* emitBatch_args */
    return rc ? -1 : 0;
}

size_t sc_trace_jaeger_overhead(const sc_trace_process *p)
{
    sc_buf b;
    sc_buf_init(&b);
    size_t n = tc_process(&b, p) == 0 ? b.len : 4096;
    sc_buf_free(&b);
    /* header 2 + seqid 5 + name 10, three field headers, list header 6, seqNo 11, stats 35,
     * stops: well under 96 */
    return n + 96;
}

/* ---- OTLP/HTTP JSON -------------------------------------------------------------------------- */

/* A JSON string; invalid UTF-8 becomes U+FFFD so the document always parses. */
static int js_str(sc_buf *b, const char *p, size_t n)
{
    int rc = sc_buf_append_char(b, '"');
    size_t i = 0;
    while (i < n && rc == 0) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\') {
            rc |= sc_buf_append_char(b, '\\') | sc_buf_append_char(b, (char)c);
            i++;
        } else if (c < 0x20) {
            rc |= sc_buf_printf(b, "\\u%04x", c);
            i++;
        } else if (c < 0x80) {
            rc |= sc_buf_append_char(b, (char)c);
            i++;
        } else {
            size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
            int ok = len > 0 && c <= 0xF4 && i + len <= n;
            for (size_t k = 1; ok && k < len; k++)
                ok = ((unsigned char)p[i + k] & 0xC0) == 0x80;
            if (ok && len == 3) {
                unsigned char c1 = (unsigned char)p[i + 1];
                ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0); /* overlong, surrogates */
            } else if (ok && len == 4) {
                unsigned char c1 = (unsigned char)p[i + 1];
                ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
            }
            if (ok) {
                rc |= sc_buf_append(b, p + i, len);
                i += len;
            } else {
                rc |= sc_buf_append_str(b, "\\ufffd");
                i++;
            }
        }
    }
    return rc | sc_buf_append_char(b, '"');
}

static int js_attr(sc_buf *b, int first, const sc_trace_tag *t)
{
    int rc = sc_buf_append_str(b, first ? "{\"key\":" : ",{\"key\":");
    rc |= js_str(b, t->key, t->key_len);
    switch (t->type) {
    case SC_TAG_STR:
        rc |= sc_buf_append_str(b, ",\"value\":{\"stringValue\":") | js_str(b, t->str, t->str_len);
        break;
    case SC_TAG_BOOL:
        rc |= sc_buf_printf(b, ",\"value\":{\"boolValue\":%s", t->num ? "true" : "false");
        break;
    case SC_TAG_LONG:
        rc |= sc_buf_printf(b, ",\"value\":{\"intValue\":\"%lld\"", (long long)t->num); /* int64 as string */
        break;
    default:
        if (isfinite(t->dbl))
            rc |= sc_buf_printf(b, ",\"value\":{\"doubleValue\":%.17g", t->dbl);
        else
            rc |= sc_buf_printf(b, ",\"value\":{\"doubleValue\":\"%s\"",
                                isnan(t->dbl) ? "NaN" : t->dbl > 0 ? "Infinity" : "-Infinity");
        break;
    }
    return rc | sc_buf_append_str(b, "}}");
}

static int js_kv(sc_buf *b, int first, const char *k, size_t kl, const char *v, size_t vl)
{
    sc_trace_tag t = {.key = k, .key_len = kl, .type = SC_TAG_STR, .str = v, .str_len = vl};
    return js_attr(b, first, &t);
}

static int sc_hexd(char c)
{
    return (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* %XX at q (with end as the limit): the byte, or -1 when q is not a valid escape. */
static int sc_pct(const char *q, const char *end)
{
    if (q[0] != '%' || q + 2 >= end || sc_hexd(q[1]) < 0 || sc_hexd(q[2]) < 0)
        return -1;
    return sc_hexd(q[1]) * 16 + sc_hexd(q[2]);
}

/* OTEL_RESOURCE_ATTRIBUTES: "k=v,k=v" with percent-encoded values. */
static int js_resource_attrs(sc_buf *b, const char *s)
{
    int rc = 0;
    while (s != NULL && *s != '\0' && rc == 0) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        const char *eq = memchr(s, '=', n);
        if (eq != NULL && eq > s) {
            char val[512];
            size_t o = 0;
            for (const char *q = eq + 1; q < s + n && o + 1 < sizeof(val); q++) {
                int c = sc_pct(q, s + n);
                if (c >= 0) {
                    val[o++] = (char)c;
                    q += 2;
                } else {
                    val[o++] = *q;
                }
            }
            rc |= js_kv(b, 0, s, (size_t)(eq - s), val, o);
        }
        s = end ? end + 1 : NULL;
    }
    return rc;
}

static int js_span(sc_buf *b, const sc_trace_span *s)
{
    size_t ol;
    const char *op = sc_trace_span_op(s, &ol);
    int rc = sc_buf_printf(b, "{\"traceId\":\"%016llx%016llx\",\"spanId\":\"%016llx\"", (unsigned long long)s->trace_hi,
                           (unsigned long long)s->trace_lo, (unsigned long long)s->span_id);
    if (s->parent_id != 0)
        rc |= sc_buf_printf(b, ",\"parentSpanId\":\"%016llx\"", (unsigned long long)s->parent_id);
    rc |= sc_buf_append_str(b, ",\"name\":") | js_str(b, op, ol);
    /* kind 2 = SPAN_KIND_SERVER; times in ns since the epoch, as strings (int64) */
    rc |= sc_buf_printf(b, ",\"kind\":2,\"startTimeUnixNano\":\"%lld000\",\"endTimeUnixNano\":\"%lld000\"",
                        (long long)s->start_us, (long long)(s->start_us + s->duration_us));
    rc |= sc_buf_append_str(b, ",\"attributes\":[");
    sc_trace_iter it;
    sc_trace_tag t;
    int64_t ts;
    int nf, k, first = 1;
    sc_trace_iter_init(&it, s);
    while ((k = sc_trace_iter_next(&it, &t, &ts, &nf)) != 0) {
        if (k == 2) {
            for (int i = 0; i < nf; i++)
                sc_trace_iter_next(&it, &t, &ts, &nf);
            continue;
        }
        rc |= js_attr(b, first, &t);
        first = 0;
    }
    rc |= sc_buf_append_char(b, ']');
    if (s->nlogs > 0) {
        /* each log is an event named after its "event" field */
        rc |= sc_buf_append_str(b, ",\"events\":[");
        int fe = 1;
        sc_trace_iter_init(&it, s);
        while ((k = sc_trace_iter_next(&it, &t, &ts, &nf)) != 0) {
            if (k != 2)
                continue;
            sc_trace_tag f[16];
            int n = nf, kept = 0;
            const char *name = "log";
            size_t name_len = 3;
            for (int i = 0; i < n; i++) {
                int dummy;
                if (sc_trace_iter_next(&it, &t, &ts, &dummy) != 1)
                    return -1;
                if (t.type == SC_TAG_STR && t.key_len == 5 && memcmp(t.key, "event", 5) == 0) {
                    name = t.str;
                    name_len = t.str_len;
                } else if (kept < 16) {
                    f[kept++] = t;
                }
            }
            rc |= sc_buf_printf(b, "%s{\"timeUnixNano\":\"%lld000\",\"name\":", fe ? "" : ",", (long long)ts);
            rc |= js_str(b, name, name_len) | sc_buf_append_str(b, ",\"attributes\":[");
            for (int i = 0; i < kept; i++)
                rc |= js_attr(b, i == 0, &f[i]);
            rc |= sc_buf_append_str(b, "]}");
            fe = 0;
        }
        rc |= sc_buf_append_char(b, ']');
    }
    /* STATUS_CODE_ERROR when the span carries error=true; otherwise unset */
    rc |= sc_buf_append_str(b, s->error ? ",\"status\":{\"code\":2}}" : ",\"status\":{}}");
    return rc;
}

int sc_trace_encode_otlp(sc_buf *out, const sc_trace_process *p, const char *resource_attrs,
                         sc_trace_span *const *spans, size_t n)
{
    int rc = sc_buf_append_str(out, "{\"resourceSpans\":[{\"resource\":{\"attributes\":[");
    rc |= js_kv(out, 1, "service.name", 12, p->service, strlen(p->service));
    for (int i = 0; i < p->ntags; i++)
        rc |= js_kv(out, 0, p->keys[i], strlen(p->keys[i]), p->vals[i], strlen(p->vals[i]));
    if (resource_attrs != NULL)
        rc |= js_resource_attrs(out, resource_attrs);
    rc |= sc_buf_append_str(out, "]},\"scopeSpans\":[{\"scope\":{\"name\":\"seldon-core-c\"},\"spans\":[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            rc |= sc_buf_append_char(out, ',');
        rc |= js_span(out, spans[i]);
    }
    rc |= sc_buf_append_str(out, "]}]}]}");
    return rc ? -1 : 0;
}

/* ---- UDP -------------------------------------------------------------------------------------- */

static int64_t sc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sc_trace_udp_init(sc_trace_udp *u)
{
    memset(u, 0, sizeof(*u));
    u->fd = -1;
}

void sc_trace_udp_close(sc_trace_udp *u)
{
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
    u->resolved = 0;
}

int sc_trace_udp_send(sc_trace_udp *u, const char *host, int port, const void *buf, size_t len)
{
    if (!u->resolved) {
        /* resolved lazily on the reporter thread, so a slow resolver never delays a request;
         * after a failure, retried at most every 10 s */
        if (sc_now_ms() < u->retry_at_ms)
            return -EHOSTUNREACH;
        struct addrinfo hints, *res = NULL;
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_DGRAM;
        hints.ai_flags = AI_NUMERICSERV;
        char portstr[16];
        snprintf(portstr, sizeof(portstr), "%d", port);
        int rc = getaddrinfo(host, portstr, &hints, &res);
        if (rc != 0 || res == NULL) {
            u->retry_at_ms = sc_now_ms() + 10000;
            return -EHOSTUNREACH;
        }
        int fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            int e = errno;
            freeaddrinfo(res);
            return -e;
        }
        memcpy(&u->addr, res->ai_addr, res->ai_addrlen);
        u->addrlen = res->ai_addrlen;
        freeaddrinfo(res);
        u->fd = fd;
        u->resolved = 1;
    }
    ssize_t w = sendto(u->fd, buf, len, 0, (const struct sockaddr *)&u->addr, u->addrlen);
    if (w < 0) {
        int e = errno;
        if (e != EAGAIN && e != ENOBUFS && e != EINTR && e != ECONNREFUSED)
            sc_trace_udp_close(u); /* re-resolve next time (the agent may have moved) */
        return -e;
    }
    return 0;
}

/* ---- HTTP POST (OTLP) -------------------------------------------------------------------------- */

int sc_trace_parse_url(const char *url, char *host, size_t hostlen, int *port, char *path, size_t pathlen)
{
    if (strncasecmp(url, "http://", 7) != 0)
        return -1;
    const char *p = url + 7;
    size_t hl = strcspn(p, "/?#");
    const char *auth = p;
    const char *rest = p + hl;
    *port = 80;
    const char *hs = auth;
    size_t hn = hl;
    if (hl > 0 && auth[0] == '[') { /* [v6]:port */
        const char *rb = memchr(auth, ']', hl);
        if (rb == NULL)
            return -1;
        hs = auth + 1;
        hn = (size_t)(rb - hs);
        if (rb + 1 < auth + hl) {
            if (rb[1] != ':')
                return -1;
            *port = atoi(rb + 2);
        }
    } else {
        const char *colon = memchr(auth, ':', hl);
        if (colon != NULL) {
            hn = (size_t)(colon - auth);
            *port = atoi(colon + 1);
        }
    }
    if (hn == 0 || hn >= hostlen || *port <= 0 || *port > 65535)
        return -1;
    memcpy(host, hs, hn);
    host[hn] = '\0';
    const char *pe = rest + strcspn(rest, "#");
    size_t pl = (size_t)(pe - rest);
    if (pl == 0 || rest[0] != '/') {
        if (pathlen < 2 + pl)
            return -1;
        path[0] = '/';
        memcpy(path + 1, rest, pl);
        path[1 + pl] = '\0';
    } else {
        if (pl >= pathlen)
            return -1;
        memcpy(path, rest, pl);
        path[pl] = '\0';
    }
    return 0;
}

static int sc_wait_fd(int fd, short ev, int64_t deadline_ms)
{
    for (;;) {
        int64_t left = deadline_ms - sc_now_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        struct pollfd pfd = {.fd = fd, .events = ev};
        int rc = poll(&pfd, 1, (int)left);
        if (rc > 0)
            return 0;
        if (rc == 0)
            return -ETIMEDOUT;
        if (errno != EINTR)
            return -errno;
    }
}

static int sc_write_all(int fd, const char *p, size_t n, int64_t deadline)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                int rc = sc_wait_fd(fd, POLLOUT, deadline);
                if (rc != 0)
                    return rc;
                continue;
            }
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* "k=v,k=v" → "k: v\r\n" lines; values percent-decoded; items with CR/LF are dropped. */
static int sc_extra_headers(sc_buf *b, const char *h)
{
    int rc = 0;
    while (h != NULL && *h != '\0') {
        const char *end = strchr(h, ',');
        size_t n = end ? (size_t)(end - h) : strlen(h);
        const char *eq = memchr(h, '=', n);
        if (eq != NULL && memchr(h, '\r', n) == NULL && memchr(h, '\n', n) == NULL) {
            const char *k = h;
            size_t kl = (size_t)(eq - h);
            while (kl > 0 && (*k == ' ' || *k == '\t')) {
                k++;
                kl--;
            }
            while (kl > 0 && (k[kl - 1] == ' ' || k[kl - 1] == '\t'))
                kl--;
            if (kl > 0) {
                rc |= sc_buf_append(b, k, kl) | sc_buf_append(b, ": ", 2);
                for (const char *q = eq + 1; q < h + n; q++) {
                    int c = sc_pct(q, h + n);
                    if (c >= 0) {
                        rc |= sc_buf_append_char(b, (char)c);
                        q += 2;
                    } else {
                        rc |= sc_buf_append_char(b, *q);
                    }
                }
                rc |= sc_buf_append(b, "\r\n", 2);
            }
        }
        h = end ? end + 1 : NULL;
    }
    return rc;
}

int sc_trace_http_post(const char *url, const char *headers, const char *body, size_t len, int timeout_ms)
{
    char host[256], path[1024];
    int port;
    if (sc_trace_parse_url(url, host, sizeof(host), &port, path, sizeof(path)) != 0)
        return -EINVAL;
    int64_t deadline = sc_now_ms() + timeout_ms;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    if (getaddrinfo(host, portstr, &hints, &res) != 0 || res == NULL)
        return -EHOSTUNREACH;
    int fd = -1, rc = -ECONNREFUSED;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            rc = -errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            rc = 0;
            break;
        }
        if (errno == EINPROGRESS) {
            rc = sc_wait_fd(fd, POLLOUT, deadline);
            int err = 0;
            socklen_t el = sizeof(err);
            if (rc == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
                break;
            if (rc == 0)
                rc = -(err ? err : ECONNREFUSED);
        } else {
            rc = -errno;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return rc;
    sc_buf req;
    sc_buf_init(&req);
    int hrc = sc_buf_printf(&req,
                            "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                            "Content-Length: %zu\r\nConnection: close\r\nUser-Agent: seldon-core-c\r\n",
                            path, host, port, len);
    if (headers != NULL)
        hrc |= sc_extra_headers(&req, headers);
    hrc |= sc_buf_append(&req, "\r\n", 2);
    if (hrc != 0) {
        sc_buf_free(&req);
        close(fd);
        return -ENOMEM;
    }
    rc = sc_write_all(fd, req.data, req.len, deadline);
    sc_buf_free(&req);
    if (rc == 0)
        rc = sc_write_all(fd, body, len, deadline);
    if (rc != 0) {
        close(fd);
        return rc;
    }
    /* read the answer to its end (the server closes: Connection: close), keeping the head */
    char head[1024];
    size_t hl = 0;
    int status = -EPROTO;
    for (;;) {
        char chunk[4096];
        ssize_t r = recv(fd, chunk, sizeof(chunk), 0);
        if (r > 0) {
            size_t take = (size_t)r < sizeof(head) - 1 - hl ? (size_t)r : sizeof(head) - 1 - hl;
            memcpy(head + hl, chunk, take);
            hl += take;
            head[hl] = '\0';
            continue;
        }
        if (r == 0)
            break;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            /* the status line is all we need; do not wait for a slow close once we have it */
            if (strstr(head, "\r\n") != NULL)
                break;
            rc = sc_wait_fd(fd, POLLIN, deadline);
            if (rc != 0) {
                status = rc;
                break;
            }
            continue;
        }
        status = -errno;
        break;
    }
    close(fd);
    int code;
    if (hl >= 12 && strncmp(head, "HTTP/1.", 7) == 0 && sscanf(head + 9, "%3d", &code) == 1)
        return code;
    return status;
}
