#include "sc_h1.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sc_pystr.h"
#include "sc_repr.h"

void sc_h1_error_init(sc_h1_error *e)
{
    e->status = 0;
    e->page = 0;
    sc_buf_init(&e->mesg);
}

void sc_h1_error_free(sc_h1_error *e)
{
    sc_buf_free(&e->mesg);
}

/* Sets a 400 page error whose message is prefix + repr(latin-1 text) + suffix. */
static void sc_h1_fail_repr(sc_h1_error *e, const char *prefix, const char *p, size_t n, const char *suffix)
{
    e->status = 400;
    e->page = 1;
    sc_buf_clear(&e->mesg);
    int rc = sc_buf_append_str(&e->mesg, prefix);
    rc |= sc_repr_latin1(&e->mesg, p, n);
    rc |= sc_buf_append_str(&e->mesg, suffix);
    (void)rc; /* out of memory: the page says less, the status is still right */
}

static void sc_h1_fail(sc_h1_error *e, int status, int page, const char *mesg)
{
    e->status = status;
    e->page = page;
    sc_buf_clear(&e->mesg);
    (void)sc_buf_append_str(&e->mesg, mesg);
}

/* bytes.split()'s whitespace (the request line is split as bytes) */
static int sc_h1_bws(unsigned char c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0d);
}

static void sc_h1_pystrip(const char **p, size_t *n)
{
    while (*n > 0 && sc_py_isspace((unsigned char)(*p)[0])) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && sc_py_isspace((unsigned char)(*p)[*n - 1]))
        (*n)--;
}

/* Python's str.upper() for the latin-1 letters that stay in latin-1 (a-z, U+00E0-U+00FE but
 * U+00F7). ß, µ and ÿ have no latin-1 capital: left as they are. */
static char sc_h1_upper(char ch)
{
    unsigned char c = (unsigned char)ch;
    if ((c >= 'a' && c <= 'z') || (c >= 0xe0 && c <= 0xfe && c != 0xf7))
        return (char)(c - 0x20);
    return ch;
}

int sc_h1_pyint(const char *s, size_t n, int base, long long *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (base == 16 && i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        i += 2;
        if (i < n && s[i] == '_') /* int("0x_1f", 16) is 31 */
            i++;
    }
    unsigned long long v = 0;
    int sat = 0, digits = 0, prev_us = 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int d;
        if (c == '_') {
            if (!digits || prev_us)
                return -1;
            prev_us = 1;
            continue;
        }
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        prev_us = 0;
        digits++;
        if (v > ((unsigned long long)LLONG_MAX - (unsigned)d) / (unsigned)base)
            sat = 1;
        else
            v = v * (unsigned)base + (unsigned)d;
    }
    if (!digits || prev_us)
        return -1;
    if (base == 10 && digits > 4300) /* Python's int_max_str_digits (3.11) */
        return -1;
    long long r = sat ? LLONG_MAX : (long long)v;
    *out = neg ? -r : r;
    return 0;
}

/* --- the request line ------------------------------------------------------------------------ */

typedef struct sc_h1_line {
    const char *bits[3];
    size_t lens[3];
    int major, minor;
} sc_h1_line;

static int sc_h1_digits(const char *p, size_t n, size_t *i, int *out)
{
    size_t start = *i;
    long v = 0;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9') {
        if (v < 999999)
            v = v * 10 + (p[*i] - '0');
        (*i)++;
    }
    *out = v > 999999 ? 999999 : (int)v;
    return *i > start ? 0 : -1;
}

/* Python's ipaddress.ip_address() on a bracketed host accepts IPv6 (with an optional non-empty
 * %scope); an "IPvFuture" host starts with 'v' and must match v<hex>+.<anything>. */
static int sc_h1_bad_bracketed_host(const char *h, size_t n)
{
    if (n > 0 && h[0] == 'v') {
        size_t i = 1;
        while (i < n && isxdigit((unsigned char)h[i]))
            i++;
        return !(i > 1 && i < n && h[i] == '.' && i + 1 < n);
    }
    char addr[64];
    const char *pct = memchr(h, '%', n);
    size_t an = pct ? (size_t)(pct - h) : n;
    if (pct != NULL && (pct + 1 == h + n || memchr(pct + 1, '%', (size_t)(h + n - pct - 1)) != NULL))
        return 1;
    if (an == 0 || an >= sizeof(addr))
        return 1;
    memcpy(addr, h, an);
    addr[an] = '\0';
    struct in6_addr a6;
    return inet_pton(AF_INET6, addr, &a6) != 1;
}

/* Whether Python's urlsplit() raises ValueError on the request-target (gunicorn then reports a
 * bad request line): an authority ("scheme://host" or "//host" once leading C0 controls and
 * spaces are stripped) with unbalanced brackets or a bracketed host that is not an IPv6 address.
 * A target that starts with "//" is a path to gunicorn (it prefixes a dot before splitting). */
static int sc_h1_bad_target(const char *t, size_t n)
{
    if (n >= 2 && t[0] == '/' && t[1] == '/')
        return 0;
    while (n > 0 && (unsigned char)t[0] <= 0x20) {
        t++;
        n--;
    }
    const char *colon = memchr(t, ':', n);
    if (colon != NULL && colon > t && isalpha((unsigned char)t[0])) {
        const char *c = t;
        while (c < colon && (isalnum((unsigned char)*c) || *c == '+' || *c == '-' || *c == '.'))
            c++;
        if (c == colon) { /* a scheme: the rest follows the colon */
            n -= (size_t)(colon + 1 - t);
            t = colon + 1;
        }
    }
    if (n < 2 || t[0] != '/' || t[1] != '/')
        return 0;
    size_t end = 2;
    while (end < n && t[end] != '/' && t[end] != '?' && t[end] != '#')
        end++;
    const char *net = t + 2;
    size_t nn = end - 2;
    const char *open = memchr(net, '[', nn), *close = memchr(net, ']', nn);
    if ((open != NULL) != (close != NULL))
        return 1;
    if (open == NULL)
        return 0;
    const char *host = open + 1;
    const char *hend = memchr(host, ']', (size_t)(net + nn - host));
    if (hend == NULL) /* "a]b[": the ']' comes first; the host runs to the end */
        hend = net + nn;
    return sc_h1_bad_bracketed_host(host, (size_t)(hend - host));
}

/* gunicorn's parse_request_line(): three whitespace-separated parts, a method of 3+ characters
 * from [$-_] (METH_RE.match), any target, "HTTP/<digits>.<digits>" at the start of the rest. */
static int sc_h1_request_line(const char *p, size_t n, sc_h1_line *l, sc_h1_error *e)
{
    size_t i = 0;
    int nbits = 0;
    while (nbits < 3) {
        while (i < n && sc_h1_bws((unsigned char)p[i]))
            i++;
        if (i >= n)
            break;
        size_t start = i;
        if (nbits < 2) {
            while (i < n && !sc_h1_bws((unsigned char)p[i]))
                i++;
        } else {
            i = n; /* split(None, 2): the rest, trailing whitespace included */
        }
        l->bits[nbits] = p + start;
        l->lens[nbits] = i - start;
        nbits++;
    }
    if (nbits != 3) {
        sc_h1_fail_repr(e, "Invalid Request Line 'Invalid HTTP request line: ", p, n, "'");
        return -1;
    }
    int meth_ok = l->lens[0] >= 3;
    for (size_t k = 0; k < 3 && meth_ok; k++) {
        unsigned char c = (unsigned char)l->bits[0][k];
        meth_ok = c >= '$' && c <= '_';
    }
    if (!meth_ok) {
        sc_h1_fail_repr(e, "Invalid Method 'Invalid HTTP method: ", l->bits[0], l->lens[0], "'");
        return -1;
    }
    if (sc_h1_bad_target(l->bits[1], l->lens[1])) { /* after the method, as gunicorn checks */
        sc_h1_fail_repr(e, "Invalid Request Line 'Invalid HTTP request line: ", p, n, "'");
        return -1;
    }
    const char *v = l->bits[2];
    size_t vn = l->lens[2], k = 5;
    if (vn < 5 || memcmp(v, "HTTP/", 5) != 0 || sc_h1_digits(v, vn, &k, &l->major) != 0 || k >= vn ||
        v[k++] != '.' || sc_h1_digits(v, vn, &k, &l->minor) != 0) {
        sc_h1_fail_repr(e, "Invalid HTTP Version 'Invalid HTTP Version: ", v, vn, "'");
        return -1;
    }
    return 0;
}

/* --- the head's extent ----------------------------------------------------------------------- */

static size_t sc_h1_content_len(const char *buf, size_t nl)
{
    return nl > 0 && buf[nl - 1] == '\r' ? nl - 1 : nl;
}

static long sc_h1_scan_rest(sc_h1_scan *sc, const char *buf, size_t len);

long sc_h1_scan_head(sc_h1_scan *sc, const char *buf, size_t len, sc_h1_error *e)
{
    if (sc->line_end == 0) {
        const char *nl = memchr(buf + sc->pos, '\n', len - sc->pos);
        if (nl == NULL) {
            sc->pos = len;
            /* gunicorn: the line is too long once the buffer minus a CRLF exceeds the limit */
            if (len > SC_H1_LINE_LIMIT + 2) {
                char m[96];
                snprintf(m, sizeof(m), "Request Line is too large (%zu > %d)", len, SC_H1_LINE_LIMIT);
                sc_h1_fail(e, 400, 1, m);
                return -1;
            }
            return 0;
        }
        size_t idx = (size_t)(nl - buf);
        size_t ll = sc_h1_content_len(buf, idx);
        if (ll > SC_H1_LINE_LIMIT) {
            char m[96];
            snprintf(m, sizeof(m), "Request Line is too large (%zu > %d)", ll, SC_H1_LINE_LIMIT);
            sc_h1_fail(e, 400, 1, m);
            return -1;
        }
        sc_h1_line l;
        if (sc_h1_request_line(buf, ll, &l, e) != 0)
            return -1;
        sc->line_end = idx + 1;
        sc->pos = sc->line_end;
    }
    long end = sc_h1_scan_rest(sc, buf, len);
    /* gunicorn checks its header buffer only while the end is missing; checking a complete
     * head too keeps the outcome independent of how the bytes were split into reads */
    size_t seen = end > 0 ? (size_t)end : len;
    if (seen - sc->line_end > SC_H1_HEAD_MAX) {
        sc_h1_fail(e, 400, 1, "Error parsing headers: 'max buffer headers'");
        return -1;
    }
    return end;
}

static long sc_h1_scan_rest(sc_h1_scan *sc, const char *buf, size_t len)
{
    /* An empty line ends the head: right after the request line, or after any '\n'. */
    size_t i = sc->pos;
    if (i == sc->line_end) {
        /* no fields at all: the empty line follows the request line */
        if (i >= len || (buf[i] == '\r' && i + 1 >= len))
            return 0;
        if (buf[i] == '\n')
            return (long)(i + 1);
        if (buf[i] == '\r' && buf[i + 1] == '\n')
            return (long)(i + 2);
    }
    for (;;) {
        const char *nl = i < len ? memchr(buf + i, '\n', len - i) : NULL;
        if (nl == NULL) {
            sc->pos = len;
            break;
        }
        size_t at = (size_t)(nl - buf);
        if (at + 1 < len && buf[at + 1] == '\n')
            return (long)(at + 2);
        if (at + 2 < len && buf[at + 1] == '\r' && buf[at + 2] == '\n')
            return (long)(at + 3);
        if (at + 1 >= len || (at + 2 >= len && buf[at + 1] == '\r')) {
            sc->pos = at; /* cannot tell yet: look at this '\n' again with more bytes */
            break;
        }
        i = at + 1;
    }
    return 0;
}

/* --- the fields ------------------------------------------------------------------------------ */

/* gunicorn's HEADER_RE: characters a field name may not contain */
static int sc_h1_bad_name_char(unsigned char c)
{
    return c <= 0x1f || c == 0x7f || strchr("()<>@,;:[]={} \t\\\"", c) != NULL;
}

static int sc_h1_is(const char *name, size_t n, const char *upper)
{
    size_t m = strlen(upper);
    if (n != m)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (sc_h1_upper(name[i]) != upper[i])
            return 0;
    }
    return 1;
}

static int sc_h1_lower_is(const char *v, size_t n, const char *lower)
{
    return strlen(lower) == n && strncasecmp(v, lower, n) == 0;
}

/* One line of the head: [start, start + len) without its terminator; next is where the next
 * line starts. */
static size_t sc_h1_next_line(char *buf, size_t pos, size_t end, size_t *len)
{
    char *nl = memchr(buf + pos, '\n', end - pos);
    size_t at = nl ? (size_t)(nl - buf) : end;
    *len = sc_h1_content_len(buf + pos, at - pos);
    return nl ? at + 1 : end;
}

/* The checks gunicorn's parse_headers() makes on the first line of a field (head or trailer):
 * a colon, and a name without the characters it refuses. Returns the colon, or NULL with e set
 * (a page error). */
static const char *sc_h1_field_line(const char *line, size_t n, sc_h1_error *e)
{
    const char *colon = memchr(line, ':', n);
    if (colon == NULL) {
        const char *s = line;
        size_t sn = n;
        sc_h1_pystrip(&s, &sn);
        sc_h1_fail_repr(e, "Invalid HTTP Header: ", s, sn, "");
        return NULL;
    }
    size_t nn = (size_t)(colon - line);
    for (size_t i = 0; i < nn; i++) {
        if (sc_h1_bad_name_char((unsigned char)line[i])) {
            char up[SC_H1_FIELD_LIMIT + 2];
            size_t un = nn < sizeof(up) ? nn : sizeof(up);
            for (size_t k = 0; k < un; k++)
                up[k] = sc_h1_upper(line[k]);
            sc_h1_fail_repr(e, "Invalid HTTP header name: ", up, un, "");
            return NULL;
        }
    }
    return colon;
}

/* gunicorn's secure_scheme_headers: a field that says the client used https or http */
static const char *sc_h1_scheme_value(const sc_h1_field *f)
{
    if (sc_h1_is(f->name, f->name_len, "X-FORWARDED-PROTOCOL"))
        return "ssl";
    if (sc_h1_is(f->name, f->name_len, "X-FORWARDED-PROTO"))
        return "https";
    if (sc_h1_is(f->name, f->name_len, "X-FORWARDED-SSL"))
        return "on";
    return NULL;
}

int sc_h1_parse_head(char *buf, size_t len, int trusted_proxy, sc_h1_head *h, sc_h1_error *e)
{
    /* every scalar, not the (large) field array: parsing fills what it uses */
    h->method = h->target = NULL;
    h->method_len = h->target_len = 0;
    h->major = h->minor = 0;
    h->nfields = 0;
    h->content_length = -1;
    h->chunked = h->te = h->keep_alive = h->expect_continue = 0;
    int scheme = -1; /* from the first scheme field of a trusted proxy: 1 https, 0 http */
    size_t ll, pos = sc_h1_next_line(buf, 0, len, &ll);
    sc_h1_line l;
    if (sc_h1_request_line(buf, ll, &l, e) != 0)
        return -1;
    char *method = (char *)l.bits[0];
    for (size_t i = 0; i < l.lens[0]; i++)
        method[i] = sc_h1_upper(method[i]);
    method[l.lens[0]] = '\0';
    h->method = method;
    h->method_len = l.lens[0];
    ((char *)l.bits[1])[l.lens[1]] = '\0';
    h->target = l.bits[1];
    h->target_len = l.lens[1];
    h->major = l.major;
    h->minor = l.minor;

    for (;;) {
        size_t n, next = sc_h1_next_line(buf, pos, len, &n);
        if (n == 0)
            break; /* the empty line */
        char *line = buf + pos;
        if (h->nfields >= SC_H1_FIELDS_MAX) {
            sc_h1_fail(e, 400, 1, "Error parsing headers: 'limit request headers fields'");
            return -1;
        }
        char *colon = (char *)sc_h1_field_line(line, n, e);
        if (colon == NULL)
            return -1;
        size_t nn = (size_t)(colon - line);
        /* continuation lines (obs-fold) belong to this field */
        size_t flen = n + 2, vend = pos + n, cont = 0;
        for (;;) {
            if (next >= len || (buf[next] != ' ' && buf[next] != '\t'))
                break;
            size_t cn, after = sc_h1_next_line(buf, next, len, &cn);
            if (cn == 0)
                break;
            flen += cn + 2;
            if (flen > SC_H1_FIELD_LIMIT) {
                sc_h1_fail(e, 400, 1, "Error parsing headers: 'limit request headers fields size'");
                return -1;
            }
            if (cont == 0)
                cont = next;
            vend = next + cn;
            next = after;
        }
        if (flen > SC_H1_FIELD_LIMIT) {
            sc_h1_fail(e, 400, 1, "Error parsing headers: 'limit request headers fields size'");
            return -1;
        }
        const char *name = line;
        sc_h1_pystrip(&name, &nn);
        /* gunicorn: the first line's part left-stripped (only it: an empty one leaves the value
         * starting with the continuation's own blank), the continuations as sent, the whole
         * right-stripped. The line breaks inside become spaces (gunicorn keeps CR LF there). */
        char *value = colon + 1, *first_end = line + n;
        while (value < first_end && sc_py_isspace((unsigned char)*value))
            value++;
        if (value == first_end && cont != 0)
            value = buf + cont;
        size_t vn = value < buf + vend ? (size_t)(buf + vend - value) : 0;
        while (vn > 0 && sc_py_isspace((unsigned char)value[vn - 1]))
            vn--;
        for (size_t i = 0; i < vn; i++) {
            if (value[i] == '\n' || (value[i] == '\r' && i + 1 < vn && value[i + 1] == '\n'))
                value[i] = ' '; /* a lone CR is content, as for gunicorn */
        }
        ((char *)name)[nn] = '\0';
        value[vn] = '\0';
        sc_h1_field *f = &h->fields[h->nfields++];
        f->name = name;
        f->name_len = nn;
        f->value = value;
        f->value_len = vn;
        const char *secure = trusted_proxy ? sc_h1_scheme_value(f) : NULL;
        if (secure != NULL) {
            int https = strcmp(value, secure) == 0;
            if (scheme >= 0 && https != scheme) {
                sc_h1_fail(e, 400, 1, "Contradictory scheme headers");
                return -1;
            }
            scheme = https;
        }
        pos = next;
    }

    /* gunicorn's set_body_reader() and should_close() */
    const sc_h1_field *clf = NULL;
    int conn_seen = 0;
    h->keep_alive = h->major > 1 || (h->major == 1 && h->minor >= 1);
    for (size_t i = 0; i < h->nfields; i++) {
        const sc_h1_field *f = &h->fields[i];
        if (sc_h1_is(f->name, f->name_len, "CONTENT-LENGTH")) {
            if (clf != NULL) {
                sc_h1_fail(e, 400, 1, "Invalid HTTP Header: 'CONTENT-LENGTH'");
                return -1;
            }
            clf = f;
        } else if (sc_h1_is(f->name, f->name_len, "TRANSFER-ENCODING")) {
            h->te = 1;
            if (sc_h1_lower_is(f->value, f->value_len, "chunked"))
                h->chunked = 1;
        } else if (!conn_seen && sc_h1_is(f->name, f->name_len, "CONNECTION")) {
            conn_seen = 1;
            const char *v = f->value; /* should_close() strips it (a fold can leave a blank) */
            size_t vn = f->value_len;
            sc_h1_pystrip(&v, &vn);
            if (sc_h1_lower_is(v, vn, "close"))
                h->keep_alive = 0;
            else if (sc_h1_lower_is(v, vn, "keep-alive"))
                h->keep_alive = 1;
        } else if (sc_h1_is(f->name, f->name_len, "EXPECT")) {
            if (sc_h1_lower_is(f->value, f->value_len, "100-continue"))
                h->expect_continue = 1;
        }
    }
    if (!h->chunked && clf != NULL) {
        long long cl;
        const char *v = clf->value; /* int() strips whitespace (a fold can leave a blank) */
        size_t vn = clf->value_len;
        sc_h1_pystrip(&v, &vn);
        if (sc_h1_pyint(v, vn, 10, &cl) != 0 || cl < 0) {
            sc_h1_fail(e, 400, 1, "Invalid HTTP Header: 'CONTENT-LENGTH'");
            return -1;
        }
        h->content_length = cl;
    }
    return 0;
}

const char *sc_h1_field_first(const sc_h1_head *h, const char *name)
{
    for (size_t i = 0; i < h->nfields; i++) {
        if (strcasecmp(h->fields[i].name, name) == 0)
            return h->fields[i].value;
    }
    return NULL;
}

const char *sc_h1_field_last(const sc_h1_head *h, const char *name)
{
    for (size_t i = h->nfields; i-- > 0;) {
        if (strcasecmp(h->fields[i].name, name) == 0)
            return h->fields[i].value;
    }
    return NULL;
}

/* --- chunked bodies -------------------------------------------------------------------------- */

enum { SC_CH_SIZE = 0, SC_CH_DATA, SC_CH_DATA_END, SC_CH_TRAILER, SC_CH_DONE };

static void sc_h1_fail_bytes(sc_h1_error *e, const char *prefix, const char *p, size_t n)
{
    e->status = 400;
    e->page = 0;
    sc_buf_clear(&e->mesg);
    int rc = sc_buf_append_str(&e->mesg, prefix);
    rc |= sc_repr_bytes(&e->mesg, p, n);
    (void)rc;
}

static void sc_h1_fail_too_large(sc_h1_error *e, long long max_body)
{
    e->status = 413;
    e->page = 0;
    sc_buf_clear(&e->mesg);
    (void)sc_buf_printf(&e->mesg, "Request body exceeds the limit of %lld bytes (SC_MAX_BODY_BYTES)", max_body);
}

long sc_h1_dechunk(sc_h1_chunked *c, const char *in, size_t len, sc_buf *body, long long max_body,
                   int *done, sc_h1_error *e)
{
    size_t i = 0;
    *done = c->state == SC_CH_DONE;
    while (i < len && c->state != SC_CH_DONE) {
        switch (c->state) {
        case SC_CH_SIZE: {
            const char *nl = memchr(in + i, '\n', len - i);
            size_t avail = nl ? (size_t)(nl - in) - i : len - i;
            if (avail > SC_H1_CHUNK_LINE_MAX) { /* whether or not its end has arrived */
                sc_h1_fail_bytes(e, "Invalid chunk size: ", in + i, 64);
                return -1;
            }
            if (nl == NULL)
                return (long)i;
            size_t n = sc_h1_content_len(in + i, (size_t)(nl - in) - i);
            /* gunicorn: line.split(b";", 1)[0].strip(), then int(_, 16) */
            const char *semi = memchr(in + i, ';', n);
            const char *s = in + i;
            size_t sn = semi ? (size_t)(semi - s) : n;
            while (sn > 0 && sc_h1_bws((unsigned char)s[0])) {
                s++;
                sn--;
            }
            while (sn > 0 && sc_h1_bws((unsigned char)s[sn - 1]))
                sn--;
            long long size;
            if (sc_h1_pyint(s, sn, 16, &size) != 0 || size < 0) {
                sc_h1_fail_bytes(e, "Invalid chunk size: ", s, sn);
                return -1;
            }
            if (max_body >= 0 && (unsigned long long)size > (unsigned long long)max_body - body->len) {
                sc_h1_fail_too_large(e, max_body);
                return -1;
            }
            i = (size_t)(nl - in) + 1;
            c->left = (unsigned long long)size;
            c->state = size == 0 ? SC_CH_TRAILER : SC_CH_DATA;
            break;
        }
        case SC_CH_DATA: {
            size_t n = len - i < c->left ? len - i : (size_t)c->left;
            if (sc_buf_append(body, in + i, n) != 0) {
                sc_h1_fail_too_large(e, max_body);
                return -1;
            }
            i += n;
            c->left -= n;
            if (c->left == 0)
                c->state = SC_CH_DATA_END;
            break;
        }
        case SC_CH_DATA_END:
            if (in[i] == '\n') {
                i++;
            } else if (len - i < 2) {
                return (long)i;
            } else if (in[i] == '\r' && in[i + 1] == '\n') {
                i += 2;
            } else {
                sc_h1_fail_bytes(e, "Invalid chunk terminator is not '\\r\\n': ", in + i, 2);
                return -1;
            }
            c->state = SC_CH_SIZE;
            break;
        case SC_CH_TRAILER: {
            const char *nl = memchr(in + i, '\n', len - i);
            size_t avail = nl ? (size_t)(nl - in) - i + 1 : len - i;
            if (c->trailer + avail > SC_H1_HEAD_MAX) {
                sc_h1_fail(e, 400, 0, "max buffer headers");
                return -1;
            }
            if (nl == NULL)
                return (long)i;
            size_t n = sc_h1_content_len(in + i, (size_t)(nl - in) - i);
            /* gunicorn reads the trailer fields, once their empty line has come, with its header
             * rules; an error there reaches the application as an exception whose text is the
             * message. The first error is kept in e and reported with the empty line. */
            if (n > 0 && !c->terror) {
                if ((in[i] == ' ' || in[i] == '\t') && c->tfields > 0) {
                    c->tflen += n + 2; /* a continuation of the previous field */
                } else if (c->tfields >= SC_H1_FIELDS_MAX) {
                    sc_h1_fail(e, 400, 0, "limit request headers fields");
                    c->terror = 1;
                } else if (sc_h1_field_line(in + i, n, e) == NULL) {
                    e->page = 0;
                    c->terror = 1;
                } else {
                    c->tfields++;
                    c->tflen = n + 2;
                }
                if (!c->terror && c->tflen > SC_H1_FIELD_LIMIT) {
                    sc_h1_fail(e, 400, 0, "limit request headers fields size");
                    c->terror = 1;
                }
            }
            c->trailer += (size_t)(nl - in) - i + 1;
            i = (size_t)(nl - in) + 1;
            if (n == 0) {
                if (c->terror)
                    return -1;
                c->state = SC_CH_DONE;
            }
            break;
        }
        }
    }
    *done = c->state == SC_CH_DONE;
    return (long)i;
}

/* --- answers --------------------------------------------------------------------------------- */

int sc_h1_render_page(sc_buf *out, int status, const char *reason, const char *mesg, size_t mesg_len)
{
    sc_buf page;
    sc_buf_init(&page);
    int rc = sc_buf_printf(&page, "<html>\n  <head>\n    <title>%s</title>\n  </head>\n  <body>\n"
                                  "    <h1><p>%s</p></h1>\n    ", reason, reason);
    rc |= sc_html_escape(&page, mesg, mesg_len);
    rc |= sc_buf_append_str(&page, "\n  </body>\n</html>\n");
    rc |= sc_buf_printf(out, "HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Type: text/html\r\n"
                             "Content-Length: %zu\r\n\r\n", status, reason, page.len);
    rc |= sc_buf_append(out, page.data, page.len);
    sc_buf_free(&page);
    return rc ? -1 : 0;
}
