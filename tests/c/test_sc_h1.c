/* Tests for sc_h1 (HTTP/1.1 request framing as gunicorn 20.1 does it) and sc_repr (the Python
 * renderings its messages use): fixed cases first, then the differential check against gunicorn
 * and Python run by tests/c/check_h1.py, which calls this binary back as
 * `test_sc_h1 --cases FILE` to get the C answers for the same inputs (see that script for the
 * case kinds). Without gunicorn 20.1 (the /opt/seldon-orig venv) the script prints a SKIP line
 * for the gunicorn part and still checks the Python-only parts. */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sc_buf.h"
#include "sc_h1.h"
#include "sc_pystr.h"
#include "sc_repr.h"
#include "sc_tbuf.h"
#include "sc_test.h"
#include "sc_testpy.h"

/* the client of the head being parsed is in gunicorn's forwarded_allow_ips (HEAD records) */
static int g_trusted;

/* hex of p[0..n), "-" when empty (check_h1.py's hx()) */
static void tb_hexd(tbuf *b, const void *p, size_t n)
{
    if (n == 0)
        tb_str(b, "-");
    tb_hex(b, p, n);
}

/* xorshift64*: the random splits, reproducible */
static uint64_t g_rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 0x2545f4914f6cdd1dULL;
}

/* ---- scanning heads ------------------------------------------------------------------------- */

/* How the buffer grows between sc_h1_scan_head calls. */
enum { FEED_WHOLE = 0, FEED_BYTES = 1, FEED_RANDOM = 2, FEED_STEP = 3 };

/* Scans data[0..len) fed as a growing buffer (one scan state). Returns the scan's result; e is
 * filled when it is -1. */
static long scan_fed(const char *data, size_t len, int mode, size_t step, sc_h1_error *e)
{
    sc_h1_scan sc;
    memset(&sc, 0, sizeof(sc));
    size_t have = 0;
    for (;;) {
        size_t n;
        switch (mode) {
        case FEED_WHOLE: n = len - have; break;
        case FEED_BYTES: n = 1; break;
        case FEED_RANDOM: n = rnd() % 4 == 0 ? 1 + rnd() % 300 : 1 + rnd() % 12; break;
        default: n = step; break;
        }
        have = n > len - have ? len : have + n;
        long r = sc_h1_scan_head(&sc, data, have, e);
        if (r != 0)
            return r;
        ASSERT_TRUE(sc.pos <= have);
        if (have >= len)
            return 0;
    }
}

static int starts_with(const sc_buf *b, const char *prefix)
{
    size_t n = strlen(prefix);
    return b->len >= n && memcmp(b->data, prefix, n) == 0;
}

static void put_err(tbuf *out, const sc_h1_error *e)
{
    tb_fmt(out, "E %d %d ", e->status, e->page);
    tb_hexd(out, e->mesg.data, e->mesg.len);
}

/* The canonical answer for a head: "I" (needs more), "E status page mesg", or
 * "H head_len method target major minor content_length chunked keep_alive expect nfields
 *  name=value..." (hex strings). Also checks the invariants of a parsed head. */
static void head_answer(tbuf *out, const char *data, size_t len, int mode, size_t step)
{
    sc_h1_error e;
    sc_h1_error_init(&e);
    long r = scan_fed(data, len, mode, step, &e);
    if (r < 0) {
        ASSERT_TRUE(e.page == 1 && e.status == 400);
        put_err(out, &e);
        sc_h1_error_free(&e);
        return;
    }
    sc_h1_error_free(&e);
    if (r == 0) {
        tb_str(out, "I");
        return;
    }
    ASSERT_TRUE((size_t)r <= len);
    char *copy = malloc((size_t)r + 1);
    sc_h1_head *h = calloc(1, sizeof(*h)); /* zeroed: see test_parse_resets_head() */
    ASSERT_TRUE(copy != NULL && h != NULL);
    memcpy(copy, data, (size_t)r);
    sc_h1_error_init(&e);
    if (sc_h1_parse_head(copy, (size_t)r, g_trusted, h, &e) != 0) {
        ASSERT_TRUE(e.page == 1 && e.status == 400);
        put_err(out, &e);
    } else {
        ASSERT_TRUE(h->method[h->method_len] == '\0' && h->target[h->target_len] == '\0');
        ASSERT_TRUE(h->nfields <= SC_H1_FIELDS_MAX);
        tb_fmt(out, "H %ld ", r);
        tb_hexd(out, h->method, h->method_len);
        tb_str(out, " ");
        tb_hexd(out, h->target, h->target_len);
        tb_fmt(out, " %d %d %lld %d %d %d %zu", h->major, h->minor, h->content_length, h->chunked,
               h->keep_alive, h->expect_continue, h->nfields);
        for (size_t i = 0; i < h->nfields; i++) {
            const sc_h1_field *f = &h->fields[i];
            ASSERT_TRUE(f->name[f->name_len] == '\0' && f->value[f->value_len] == '\0');
            /* continuation lines are joined with spaces: no CR or LF is left in a value */
        ASSERT_TRUE(memchr(f->value, '\n', f->value_len) == NULL); /* a lone CR is content */
            tb_str(out, " ");
            tb_hexd(out, f->name, f->name_len);
            tb_str(out, "=");
            tb_hexd(out, f->value, f->value_len);
        }
    }
    sc_h1_error_free(&e);
    free(h);
    free(copy);
}

/* Scanning byte by byte and in random splits must end as scanning all at once does. Two answers
 * depend on how much had arrived, as they do in gunicorn: the size in "Request Line is too
 * large (N > 4094)" is the buffer's length when no line end had come yet, and a head longer
 * than the header buffer fails with "max buffer headers" before its end arrives. Returns NULL
 * or what differed. */
static const char *incremental_check(const char *data, size_t len, tbuf *why)
{
    sc_h1_error e0;
    sc_h1_error_init(&e0);
    long r0 = scan_fed(data, len, FEED_WHOLE, 0, &e0);
    const char *bad = NULL;
    for (int round = 0; round < 4 && bad == NULL; round++) {
        int mode = round == 0 ? FEED_BYTES : FEED_RANDOM;
        sc_h1_error e;
        sc_h1_error_init(&e);
        long r = scan_fed(data, len, mode, 0, &e);
        int same = r == r0;
        if (same && r < 0)
            same = e.status == e0.status && e.page == e0.page && e.mesg.len == e0.mesg.len &&
                   memcmp(e.mesg.data, e0.mesg.data, e.mesg.len) == 0;
        if (!same && r < 0 && r0 < 0 && starts_with(&e.mesg, "Request Line is too large (") &&
            starts_with(&e0.mesg, "Request Line is too large ("))
            same = 1;
        if (!same && r < 0 && r0 > (long)SC_H1_HEAD_MAX &&
            starts_with(&e.mesg, "Error parsing headers: 'max buffer headers'"))
            same = 1;
        if (!same) {
            tb_fmt(why, "%s: %ld ", mode == FEED_BYTES ? "bytewise" : "random-splits", r);
            if (r < 0)
                tb_put(why, e.mesg.data, e.mesg.len);
            tb_fmt(why, " vs one-shot %ld ", r0);
            if (r0 < 0)
                tb_put(why, e0.mesg.data, e0.mesg.len);
            for (size_t i = 0; i < why->len; i++) {
                if (why->p[i] == '\t' || why->p[i] == '\n')
                    why->p[i] = ' ';
            }
            bad = why->p;
        }
        sc_h1_error_free(&e);
    }
    sc_h1_error_free(&e0);
    return bad;
}

/* ---- dechunking ----------------------------------------------------------------------------- */

typedef struct dres {
    char kind; /* 'D' done, 'P' needs more, 'E' error */
    size_t consumed;
    sc_buf payload;
    sc_h1_error e;
} dres;

static void dres_free(dres *d)
{
    sc_buf_free(&d->payload);
    sc_h1_error_free(&d->e);
}

/* Decodes in[0..len) fed whole, byte by byte or in random pieces, keeping the unconsumed rest
 * as a caller must. */
static void dechunk_fed(const char *in, size_t len, int mode, long long max_body, dres *d)
{
    sc_h1_chunked c;
    memset(&c, 0, sizeof(c));
    sc_buf_init(&d->payload);
    sc_h1_error_init(&d->e);
    d->consumed = 0;
    tbuf pend = {0};
    size_t fed = 0;
    int done = 0;
    for (;;) {
        size_t n = mode == FEED_WHOLE ? len - fed : mode == FEED_BYTES ? 1 : (rnd() % 4 == 0 ? 1 + rnd() % 200 : 1 + rnd() % 9);
        if (n > len - fed)
            n = len - fed;
        tb_put(&pend, in + fed, n);
        fed += n;
        long r = sc_h1_dechunk(&c, pend.p, pend.len, &d->payload, max_body, &done, &d->e);
        if (r < 0) {
            d->kind = 'E';
            break;
        }
        ASSERT_TRUE((size_t)r <= pend.len);
        memmove(pend.p, pend.p + r, pend.len - (size_t)r);
        pend.len -= (size_t)r;
        d->consumed += (size_t)r;
        if (done || fed >= len) {
            d->kind = done ? 'D' : 'P';
            break;
        }
    }
    tb_free(&pend);
}

static void dres_answer(tbuf *out, const dres *d)
{
    if (d->kind == 'E') {
        put_err(out, &d->e);
    } else if (d->kind == 'P') {
        tb_str(out, "P ");
        tb_hexd(out, d->payload.data, d->payload.len);
    } else {
        tb_fmt(out, "D %zu ", d->consumed);
        tb_hexd(out, d->payload.data, d->payload.len);
    }
}

static void chunk_answer(tbuf *out, const char *in, size_t len)
{
    dres d0;
    dechunk_fed(in, len, FEED_WHOLE, -1, &d0);
    if (d0.kind == 'E')
        ASSERT_TRUE(d0.e.status == 400 && d0.e.page == 0);
    dres_answer(out, &d0);
    /* the same answer byte by byte and in random pieces */
    tbuf a0 = {0};
    dres_answer(&a0, &d0);
    const char *inc = "ok";
    for (int round = 0; round < 5; round++) {
        dres d;
        dechunk_fed(in, len, round == 0 ? FEED_BYTES : FEED_RANDOM, -1, &d);
        tbuf a = {0};
        dres_answer(&a, &d);
        if (strcmp(a.p, a0.p) != 0)
            inc = round == 0 ? "bytewise-differs" : "random-splits-differ";
        tb_free(&a);
        dres_free(&d);
    }
    tb_str(out, "\t");
    tb_str(out, inc);
    tb_free(&a0);
    dres_free(&d0);
}

/* ---- fixed cases ---------------------------------------------------------------------------- */

/* Parses a complete head (checking that every way of feeding it finds the same end). */
static long parse_ok(char *buf, size_t len, sc_h1_head *h)
{
    sc_h1_error e;
    sc_h1_error_init(&e);
    tbuf why = {0};
    const char *bad = incremental_check(buf, len, &why);
    if (bad != NULL)
        SC_FAIL("incremental scan differs: %s", bad);
    tb_free(&why);
    long r = scan_fed(buf, len, FEED_WHOLE, 0, &e);
    if (r <= 0)
        SC_FAIL("scan of %.*s: %ld %.*s", (int)len, buf, r, (int)e.mesg.len, e.mesg.data ? e.mesg.data : "");
    memset(h, 0, sizeof(*h)); /* see test_parse_resets_head() */
    if (sc_h1_parse_head(buf, (size_t)r, g_trusted, h, &e) != 0)
        SC_FAIL("parse of %.*s: %.*s", (int)len, buf, (int)e.mesg.len, e.mesg.data);
    sc_h1_error_free(&e);
    return r;
}

/* The 400 page message a head gets (scan or parse). */
static void expect_head_error(const char *data, size_t len, const char *mesg)
{
    tbuf why = {0};
    const char *bad = incremental_check(data, len, &why);
    if (bad != NULL)
        SC_FAIL("incremental scan differs: %s", bad);
    tb_free(&why);
    sc_h1_error e;
    sc_h1_error_init(&e);
    long r = scan_fed(data, len, FEED_WHOLE, 0, &e);
    if (r > 0) {
        char *copy = malloc((size_t)r);
        sc_h1_head *h = calloc(1, sizeof(*h));
        ASSERT_TRUE(copy != NULL && h != NULL);
        memcpy(copy, data, (size_t)r);
        if (sc_h1_parse_head(copy, (size_t)r, g_trusted, h, &e) == 0)
            SC_FAIL("%.*s: parsed, expected %s", (int)(len > 200 ? 200 : len), data, mesg);
        free(copy);
        free(h);
    } else if (r == 0) {
        SC_FAIL("%.*s: needs more, expected %s", (int)(len > 200 ? 200 : len), data, mesg);
    }
    ASSERT_EQ_INT(e.status, 400);
    ASSERT_EQ_INT(e.page, 1);
    ASSERT_EQ_MEM(e.mesg.data, e.mesg.len, mesg, strlen(mesg));
    sc_h1_error_free(&e);
}

#define S(lit) lit, sizeof(lit) - 1

static void test_heads(void)
{
    sc_h1_head h;
    char b1[] = "GET /p?q=1 HTTP/1.1\r\nHost: h\r\nX-A:  v w \t\r\nhost: second\r\n\r\nBODY";
    ASSERT_EQ_INT(parse_ok(b1, strlen(b1), &h), (long)(sizeof(b1) - 1) - 4);
    ASSERT_EQ_STR(h.method, "GET");
    ASSERT_EQ_STR(h.target, "/p?q=1");
    ASSERT_EQ_INT(h.major, 1);
    ASSERT_EQ_INT(h.minor, 1);
    ASSERT_EQ_INT(h.nfields, 3);
    ASSERT_EQ_STR(h.fields[1].name, "X-A");
    ASSERT_EQ_STR(h.fields[1].value, "v w");
    ASSERT_EQ_INT(h.content_length, -1);
    ASSERT_EQ_INT(h.chunked, 0);
    ASSERT_EQ_INT(h.te, 0);
    ASSERT_EQ_INT(h.keep_alive, 1);
    ASSERT_EQ_INT(h.expect_continue, 0);
    ASSERT_EQ_STR(sc_h1_field_first(&h, "HOST"), "h");
    ASSERT_EQ_STR(sc_h1_field_last(&h, "host"), "second");
    ASSERT_TRUE(sc_h1_field_first(&h, "Missing") == NULL && sc_h1_field_last(&h, "Missing") == NULL);

    /* HTTP/1.0: closes unless asked; the first Connection field decides */
    char b2[] = "POST / HTTP/1.0\r\nContent-Length: +2_4\r\nConnection: Keep-Alive\r\nConnection: close\r\n"
                "Expect: 100-Continue\r\n\r\n";
    parse_ok(b2, strlen(b2), &h);
    ASSERT_EQ_INT(h.content_length, 24);
    ASSERT_EQ_INT(h.keep_alive, 1);
    ASSERT_EQ_INT(h.expect_continue, 1);
    char b3[] = "GET / HTTP/1.0\r\n\r\n";
    ASSERT_EQ_INT(parse_ok(b3, strlen(b3), &h), (long)(sizeof(b3) - 1));
    ASSERT_EQ_INT(h.keep_alive, 0);
    ASSERT_EQ_INT(h.nfields, 0);
    char b4[] = "GET / HTTP/1.1\r\nConnection: upgrade\r\nConnection: close\r\n\r\n";
    parse_ok(b4, strlen(b4), &h);
    ASSERT_EQ_INT(h.keep_alive, 1);

    /* chunked wins over Content-Length, which is then not even checked */
    char b5[] = "POST / HTTP/1.1\r\nContent-Length: x\r\nTransfer-Encoding: CHUNKED\r\n\r\n";
    parse_ok(b5, strlen(b5), &h);
    ASSERT_EQ_INT(h.chunked, 1);
    ASSERT_EQ_INT(h.te, 1);
    ASSERT_EQ_INT(h.content_length, -1);
    char b6[] = "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 7\r\n\r\n";
    parse_ok(b6, strlen(b6), &h);
    ASSERT_EQ_INT(h.chunked, 0);
    ASSERT_EQ_INT(h.te, 1);
    ASSERT_EQ_INT(h.content_length, 7);
    char b7[] = "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n";
    parse_ok(b7, strlen(b7), &h);
    ASSERT_EQ_INT(h.content_length, LLONG_MAX);

    /* methods: [$-_]{3} at the start, then anything; upper-cased (latin-1 too) */
    char b8[] = "GETx\xe9\xf7 * HTTP/9999999999.01xyz\r\n\r\n";
    parse_ok(b8, strlen(b8), &h);
    ASSERT_EQ_STR(h.method, "GETX\xc9\xf7");
    ASSERT_EQ_STR(h.target, "*");
    ASSERT_EQ_INT(h.major, 999999);
    ASSERT_EQ_INT(h.minor, 1);
    /* deliberate: ß µ ÿ have no latin-1 capital and stay as they are (str.upper() would give
     * "SS", U+039C, U+0178) */
    char b9[] = "GET\xdf\xb5\xff / HTTP/1.1\r\nX\xdf: v\r\n\r\n";
    parse_ok(b9, strlen(b9), &h);
    ASSERT_EQ_STR(h.method, "GET\xdf\xb5\xff");
    ASSERT_EQ_STR(h.fields[0].name, "X\xdf");

    /* deliberate: a bare LF ends a line (gunicorn waits for CR LF) */
    char b10[] = "GET / HTTP/1.1\nHost: h\r\nX: y\n\nBODY";
    ASSERT_EQ_INT(parse_ok(b10, strlen(b10), &h), (long)(sizeof(b10) - 1) - 4);
    ASSERT_EQ_INT(h.nfields, 2);
    ASSERT_EQ_STR(h.fields[0].value, "h");
    ASSERT_EQ_STR(h.fields[1].value, "y");
    char b11[] = "GET / HTTP/1.1\n\r\n";
    ASSERT_EQ_INT(parse_ok(b11, strlen(b11), &h), (long)(sizeof(b11) - 1));
    ASSERT_EQ_INT(h.nfields, 0);

    /* deliberate: obs-fold lines joined with spaces (gunicorn keeps the CR LF) */
    char b12[] = "GET / HTTP/1.1\r\nX: a\r\n b\r\n\tc \r\nY: d\r\n\r\n";
    parse_ok(b12, strlen(b12), &h);
    ASSERT_EQ_INT(h.nfields, 2);
    ASSERT_EQ_STR(h.fields[0].value, "a   b  \tc");
    ASSERT_EQ_STR(h.fields[1].value, "d");

    /* names and values are stripped as str.strip() does (latin-1 whitespace included) */
    char b13[] = "GET / HTTP/1.1\r\n\x85X\xa0: \x1c v \x85\r\n: empty name\r\n\r\n";
    parse_ok(b13, strlen(b13), &h);
    ASSERT_EQ_STR(h.fields[0].name, "X");
    ASSERT_EQ_STR(h.fields[0].value, "v");
    ASSERT_EQ_STR(h.fields[1].name, "");
    ASSERT_EQ_STR(h.fields[1].value, "empty name");

    /* exactly 100 fields of 8190 bytes (with their CR LF), and a 4094-byte request line */
    tbuf big = {0};
    tb_str(&big, "GET /");
    for (int i = 0; i < SC_H1_LINE_LIMIT - 14; i++)
        tb_str(&big, "a");
    tb_str(&big, " HTTP/1.1\r\n");
    ASSERT_EQ_INT(big.len, SC_H1_LINE_LIMIT + 2);
    for (int i = 0; i < SC_H1_FIELDS_MAX; i++) {
        tb_fmt(&big, "X-%03d: ", i);
        for (int k = 0; k < SC_H1_FIELD_LIMIT - 2 - 7; k++)
            tb_str(&big, "v");
        tb_str(&big, "\r\n");
    }
    tb_str(&big, "\r\n");
    ASSERT_EQ_INT(parse_ok(big.p, big.len, &h), (long)big.len);
    ASSERT_EQ_INT(h.nfields, SC_H1_FIELDS_MAX);
    ASSERT_EQ_INT(h.fields[99].value_len, SC_H1_FIELD_LIMIT - 9);
    tb_free(&big);

    /* gunicorn's messages */
    expect_head_error(S("get / HTTP/1.1\r\n\r\n"), "Invalid Method 'Invalid HTTP method: 'get''");
    expect_head_error(S("GE / HTTP/1.1\r\n\r\n"), "Invalid Method 'Invalid HTTP method: 'GE''");
    expect_head_error(S("GET /\r\n\r\n"), "Invalid Request Line 'Invalid HTTP request line: 'GET /''");
    expect_head_error(S("\r\nGET / HTTP/1.1\r\n\r\n"), "Invalid Request Line 'Invalid HTTP request line: '''");
    expect_head_error(S("GET http://[/ HTTP/1.1\r\n\r\n"),
                      "Invalid Request Line 'Invalid HTTP request line: 'GET http://[/ HTTP/1.1''");
    expect_head_error(S("GET / HTTP/2\r\n\r\n"), "Invalid HTTP Version 'Invalid HTTP Version: 'HTTP/2''");
    expect_head_error(S("GET / http/1.1 \r\n"), "Invalid HTTP Version 'Invalid HTTP Version: 'http/1.1 ''");
    expect_head_error(S("GET / HTTP/1.1\r\nX Y: v\r\n\r\n"), "Invalid HTTP header name: 'X Y'");
    expect_head_error(S("GET / HTTP/1.1\r\nxy\xe9\x01: v\r\n\r\n"), "Invalid HTTP header name: 'XY\xc9\\x01'");
    expect_head_error(S("GET / HTTP/1.1\r\n bad line \r\n\r\n"), "Invalid HTTP Header: 'bad line'");
    expect_head_error(S("GET / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\n"),
                      "Invalid HTTP Header: 'CONTENT-LENGTH'");
    expect_head_error(S("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), "Invalid HTTP Header: 'CONTENT-LENGTH'");
    expect_head_error(S("GET / HTTP/1.1\r\nContent-Length: 0x1\r\n\r\n"), "Invalid HTTP Header: 'CONTENT-LENGTH'");
    expect_head_error(S("GET / HTTP/1.1\r\nContent-Length: 1\r\n 2\r\n\r\n"), "Invalid HTTP Header: 'CONTENT-LENGTH'");

    /* the limits */
    tbuf t = {0};
    tb_str(&t, "GET /");
    for (int i = 0; i < SC_H1_LINE_LIMIT - 13; i++)
        tb_str(&t, "a");
    tb_str(&t, " HTTP/1.1\r\n\r\n");
    expect_head_error(t.p, t.len, "Request Line is too large (4095 > 4094)");
    t.len = 0; /* no line end yet: the buffer's length is the size */
    tb_str(&t, "GET /");
    for (int i = 0; i < 5000; i++)
        tb_str(&t, "a");
    expect_head_error(t.p, 4097, "Request Line is too large (4097 > 4094)");
    expect_head_error(t.p, t.len, "Request Line is too large (5005 > 4094)");
    sc_h1_error e;
    sc_h1_error_init(&e);
    ASSERT_EQ_INT(scan_fed(t.p, 4096, FEED_WHOLE, 0, &e), 0);
    t.len = 0;
    tb_str(&t, "GET / HTTP/1.1\r\n");
    for (int i = 0; i <= SC_H1_FIELDS_MAX; i++)
        tb_fmt(&t, "X-%d: v\r\n", i);
    tb_str(&t, "\r\n");
    expect_head_error(t.p, t.len, "Error parsing headers: 'limit request headers fields'");
    t.len = 0;
    tb_str(&t, "GET / HTTP/1.1\r\nX: ");
    for (int i = 0; i < SC_H1_FIELD_LIMIT - 2 - 3 + 1; i++)
        tb_str(&t, "v");
    tb_str(&t, "\r\n\r\n");
    expect_head_error(t.p, t.len, "Error parsing headers: 'limit request headers fields size'");
    t.len = 0;
    tb_str(&t, "GET / HTTP/1.1\r\nX: a\r\n");
    for (int i = 0; i < 2000; i++)
        tb_str(&t, " foo\r\n"); /* folded lines count in the field's size */
    tb_str(&t, "\r\n");
    expect_head_error(t.p, t.len, "Error parsing headers: 'limit request headers fields size'");
    /* no end within the header buffer */
    t.len = 0;
    tb_str(&t, "GET / HTTP/1.1\r\n");
    while (t.len < 16 + SC_H1_HEAD_MAX + 1)
        tb_str(&t, "X: 0123456789abcdef\r\n");
    expect_head_error(t.p, t.len, "Error parsing headers: 'max buffer headers'");
    ASSERT_EQ_INT(scan_fed(t.p, 16 + SC_H1_HEAD_MAX, FEED_WHOLE, 0, &e), 0);
    sc_h1_error_free(&e);
    tb_free(&t);

    /* incomplete heads need more */
    const char *partial[] = {"", "GET", "GET / HTTP/1.1", "GET / HTTP/1.1\r", "GET / HTTP/1.1\r\n",
                             "GET / HTTP/1.1\r\n\r", "GET / HTTP/1.1\r\nX: y\r\n", "GET / HTTP/1.1\r\nX: y\r\n\r",
                             "GET / HTTP/1.1\r\nbad\r\n"};
    for (size_t i = 0; i < sizeof(partial) / sizeof(partial[0]); i++) {
        sc_h1_error_init(&e);
        ASSERT_EQ_INT(scan_fed(partial[i], strlen(partial[i]), FEED_WHOLE, 0, &e), 0);
        ASSERT_EQ_INT(scan_fed(partial[i], strlen(partial[i]), FEED_BYTES, 0, &e), 0);
        sc_h1_error_free(&e);
    }
}

/* Dechunks a whole body, checking the byte-by-byte and random-split answers agree. */
static void dechunk_all(const char *in, size_t len, long long max_body, dres *d)
{
    dechunk_fed(in, len, FEED_WHOLE, max_body, d);
    tbuf a0 = {0};
    dres_answer(&a0, d);
    for (int round = 0; round < 4; round++) {
        dres d2;
        dechunk_fed(in, len, round == 0 ? FEED_BYTES : FEED_RANDOM, max_body, &d2);
        tbuf a = {0};
        dres_answer(&a, &d2);
        ASSERT_EQ_STR(a.p, a0.p);
        tb_free(&a);
        dres_free(&d2);
    }
    tb_free(&a0);
}

static void expect_chunk_error(const char *in, size_t len, long long max_body, int status, const char *mesg)
{
    dres d;
    dechunk_all(in, len, max_body, &d);
    if (d.kind != 'E')
        SC_FAIL("%.*s: no error, expected %s", (int)len, in, mesg);
    ASSERT_EQ_INT(d.e.status, status);
    ASSERT_EQ_INT(d.e.page, 0);
    ASSERT_EQ_MEM(d.e.mesg.data, d.e.mesg.len, mesg, strlen(mesg));
    dres_free(&d);
}

static void expect_chunk_done(const char *in, size_t len, long long max_body, const char *payload, size_t consumed)
{
    dres d;
    dechunk_all(in, len, max_body, &d);
    if (d.kind != 'D')
        SC_FAIL("%.*s: %c %.*s", (int)len, in, d.kind, (int)d.e.mesg.len, d.e.mesg.data ? d.e.mesg.data : "");
    ASSERT_EQ_MEM(d.payload.len ? d.payload.data : "", d.payload.len, payload, strlen(payload));
    ASSERT_EQ_INT(d.consumed, consumed);
    dres_free(&d);
}

/* A reused sc_h1_head (here: garbage) is reset by parsing: nothing of the old request leaks. */
static void test_parse_resets_head(void)
{
    sc_h1_head *h = malloc(sizeof(*h));
    ASSERT_TRUE(h != NULL);
    memset(h, 0xa5, sizeof(*h));
    char b[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    sc_h1_error e;
    sc_h1_error_init(&e);
    ASSERT_EQ_INT(sc_h1_parse_head(b, sizeof(b) - 1, g_trusted, h, &e), 0);
    ASSERT_EQ_INT(h->nfields, 1);
    ASSERT_EQ_INT(h->content_length, -1);
    ASSERT_EQ_INT(h->keep_alive, 1);
    ASSERT_EQ_INT(h->chunked, 0);
    ASSERT_EQ_INT(h->te, 0);
    ASSERT_EQ_INT(h->expect_continue, 0);
    sc_h1_error_free(&e);
    free(h);
}

static void test_chunked(void)
{
    const char b1[] = "5;ext=1\r\nhello\r\n0x6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
    expect_chunk_done(S(b1), -1, "hello world", sizeof(b1) - 1 - 4);
    expect_chunk_done(S("1_f\r\n0123456789abcdef0123456789abcde\r\n00\r\n\r\n"), -1, "0123456789abcdef0123456789abcde",
                      44);
    expect_chunk_done(S("-0\r\n\r\n"), -1, "", 6);
    /* deliberate: bare LF line ends */
    expect_chunk_done(S("5\nhello\n0\n\n"), -1, "hello", 11);
    expect_chunk_error(S("zz\r\n"), -1, 400, "Invalid chunk size: b'zz'");
    expect_chunk_error(S(" \t\r\n"), -1, 400, "Invalid chunk size: b''");
    expect_chunk_error(S("1\r\na\r\n1__f;x\r\n"), -1, 400, "Invalid chunk size: b'1__f'");
    /* deliberate: a negative size is refused (gunicorn ends the body there) */
    expect_chunk_error(S("-5\r\nhello\r\n0\r\n\r\n"), -1, 400, "Invalid chunk size: b'-5'");
    expect_chunk_error(S("5\r\nhelloXX0\r\n\r\n"), -1, 400, "Invalid chunk terminator is not '\\r\\n': b'XX'");
    expect_chunk_error(S("5\r\nhello\r0\r\n\r\n"), -1, 400, "Invalid chunk terminator is not '\\r\\n': b'\\r0'");
    /* a size line longer than 4096 bytes without its end */
    tbuf t = {0};
    for (int i = 0; i < 5000; i++)
        tb_str(&t, "a");
    expect_chunk_error(t.p, t.len, -1, 400,
                       "Invalid chunk size: b'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'");
    tb_free(&t);
    /* max_body: 413, before the chunk's data is read */
    const char b2[] = "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n";
    expect_chunk_done(S(b2), 10, "helloworld", sizeof(b2) - 1);
    expect_chunk_error(S(b2), 9, 413, "Request body exceeds the limit of 9 bytes (SC_MAX_BODY_BYTES)");
    expect_chunk_error(S("fffffffffffffffffffffff\r\n"), 1000, 413,
                       "Request body exceeds the limit of 1000 bytes (SC_MAX_BODY_BYTES)");
    expect_chunk_done(S("0\r\n\r\n"), 0, "", 5);
    expect_chunk_error(S("1\r\n"), 0, 413, "Request body exceeds the limit of 0 bytes (SC_MAX_BODY_BYTES)");
    /* incomplete: what has come so far */
    dres d;
    dechunk_all(S("a\r\nhello"), -1, &d);
    ASSERT_EQ_INT(d.kind, 'P');
    ASSERT_EQ_MEM(d.payload.data, d.payload.len, "hello", 5);
    dres_free(&d);
    dechunk_all(S("0\r\nX: y\r\n"), -1, &d);
    ASSERT_EQ_INT(d.kind, 'P');
    dres_free(&d);
    /* done stays done */
    sc_h1_chunked c;
    memset(&c, 0, sizeof(c));
    sc_buf body;
    sc_buf_init(&body);
    sc_h1_error e;
    sc_h1_error_init(&e);
    int done = 0;
    ASSERT_EQ_INT(sc_h1_dechunk(&c, S("0\r\n\r\nGET"), &body, -1, &done, &e), 5);
    ASSERT_EQ_INT(done, 1);
    done = 0;
    ASSERT_EQ_INT(sc_h1_dechunk(&c, S("GET"), &body, -1, &done, &e), 0);
    ASSERT_EQ_INT(done, 1);
    sc_buf_free(&body);
    sc_h1_error_free(&e);
}

static void test_page(void)
{
    sc_buf out;
    sc_buf_init(&out);
    const char mesg[] = "Invalid HTTP header name: 'a<b>&\"'\xe9";
    ASSERT_EQ_INT(sc_h1_render_page(&out, 400, "Bad Request", mesg, sizeof(mesg) - 1), 0);
    const char html[] = "<html>\n  <head>\n    <title>Bad Request</title>\n  </head>\n  <body>\n"
                        "    <h1><p>Bad Request</p></h1>\n"
                        "    Invalid HTTP header name: &#x27;a&lt;b&gt;&amp;&quot;&#x27;\xe9\n"
                        "  </body>\n</html>\n";
    char want[1024];
    int n = snprintf(want, sizeof(want),
                     "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html\r\n"
                     "Content-Length: %zu\r\n\r\n%s", sizeof(html) - 1, html);
    ASSERT_TRUE(n > 0 && (size_t)n < sizeof(want));
    ASSERT_EQ_MEM(out.data, out.len, want, (size_t)n);
    sc_buf_free(&out);
}

static void test_pyint(void)
{
    struct {
        const char *s;
        int base, rc;
        long long v;
    } c[] = {{"0", 10, 0, 0},        {"+24", 10, 0, 24},       {"-2_4", 10, 0, -24},   {"2__4", 10, -1, 0},
             {"_1", 10, -1, 0},      {"1_", 10, -1, 0},        {"", 10, -1, 0},        {"-", 10, -1, 0},
             {"1f", 10, -1, 0},      {"1f", 16, 0, 31},        {"0x1F", 16, 0, 31},    {"0x_1f", 16, 0, 31},
             {"0x", 16, -1, 0},      {"0x1f", 10, -1, 0},      {"-0x1f", 16, 0, -31},  {"1 2", 10, -1, 0},
             {"9223372036854775807", 10, 0, LLONG_MAX},        {"9223372036854775808", 10, 0, LLONG_MAX},
             {"-99999999999999999999", 10, 0, -LLONG_MAX},     {"ffffffffffffffff", 16, 0, LLONG_MAX}};
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        long long v = 12345;
        int rc = sc_h1_pyint(c[i].s, strlen(c[i].s), c[i].base, &v);
        if (rc != c[i].rc || (rc == 0 && v != c[i].v))
            SC_FAIL("sc_h1_pyint(%s, %d): %d %lld", c[i].s, c[i].base, rc, v);
    }
}

static void expect_buf(const sc_buf *b, const char *want, size_t n)
{
    ASSERT_EQ_MEM(b->data, b->len, want, n);
}

static void test_repr(void)
{
    sc_buf b;
    sc_buf_init(&b);
    ASSERT_EQ_INT(sc_repr_bytes(&b, S("a'b\r\n\\\x00\xff")), 0);
    expect_buf(&b, S("b\"a'b\\r\\n\\\\\\x00\\xff\""));
    sc_buf_clear(&b);
    ASSERT_EQ_INT(sc_repr_latin1(&b, S("'\"\xe9\x85\xa0\xad\xa1")), 0);
    expect_buf(&b, S("'\\'\"\xe9\\x85\\xa0\\xad\xa1'"));
    sc_buf_clear(&b);
    ASSERT_EQ_INT(sc_html_escape(&b, S("<a href='x'>&\"</a>")), 0);
    expect_buf(&b, S("&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;&lt;/a&gt;"));
    sc_buf_free(&b);
    ASSERT_TRUE(sc_py_isspace(0x85) && sc_py_isspace(0xa0) && sc_py_isspace(0x1c) && !sc_py_isspace(0xad));
}

/* ---- the --cases mode used by check_h1.py --------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* (not sscanf: glibc's measures the whole remaining string on every call) */
static void unhex(const char *h, tbuf *out)
{
    tb_put(out, "", 0);
    if (strcmp(h, "-") == 0)
        return;
    size_t n = strlen(h);
    if (n % 2)
        SC_FAIL("bad hex in case line");
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval(h[i]), lo = hexval(h[i + 1]);
        if (hi < 0 || lo < 0)
            SC_FAIL("bad hex in case line");
        unsigned char c = (unsigned char)(hi << 4 | lo);
        tb_put(out, &c, 1);
    }
}

static void run_case(tbuf *out, char *line)
{
    char *f[4] = {0};
    size_t nf = 0;
    for (char *tok = strtok(line, " "); tok != NULL && nf < 4; tok = strtok(NULL, " "))
        f[nf++] = tok;
    const char *kind = f[0] ? f[0] : "";
    tbuf a = {0};
    if (strcmp(kind, "HEAD") == 0) {
        unhex(f[1], &a);
        size_t chunk = (size_t)strtoul(f[2], NULL, 10);
        g_trusted = f[3] != NULL && atoi(f[3]) != 0;
        head_answer(out, a.p, a.len, chunk ? FEED_STEP : FEED_WHOLE, chunk);
        g_trusted = 0;
        tb_str(out, "\t");
        tbuf why = {0};
        const char *bad = chunk ? NULL : incremental_check(a.p, a.len, &why);
        tb_str(out, bad ? bad : "ok");
        tb_free(&why);
    } else if (strcmp(kind, "CHUNK") == 0) {
        unhex(f[1], &a);
        chunk_answer(out, a.p, a.len);
    } else if (strcmp(kind, "PAGE") == 0) {
        tbuf reason = {0};
        unhex(f[2], &reason);
        unhex(f[3], &a);
        sc_buf page;
        sc_buf_init(&page);
        ASSERT_EQ_INT(sc_h1_render_page(&page, atoi(f[1]), reason.p, a.p, a.len), 0);
        tb_hexd(out, page.data, page.len);
        sc_buf_free(&page);
        tb_free(&reason);
    } else if (strcmp(kind, "INT") == 0) {
        unhex(f[2], &a);
        long long v;
        if (sc_h1_pyint(a.p, a.len, atoi(f[1]), &v) == 0)
            tb_fmt(out, "OK %lld", v);
        else
            tb_str(out, "ERR");
    } else if (strcmp(kind, "RB") == 0 || strcmp(kind, "RL") == 0 || strcmp(kind, "HE") == 0) {
        unhex(f[1], &a);
        sc_buf r;
        sc_buf_init(&r);
        int rc = kind[0] == 'H' ? sc_html_escape(&r, a.p, a.len)
                 : kind[1] == 'B' ? sc_repr_bytes(&r, a.p, a.len)
                                  : sc_repr_latin1(&r, a.p, a.len);
        ASSERT_EQ_INT(rc, 0);
        tb_hexd(out, r.data, r.len);
        sc_buf_free(&r);
    } else if (strcmp(kind, "WS") == 0) {
        for (int c = 0; c < 256; c++)
            tb_str(out, sc_py_isspace((uint32_t)c) ? "1" : "0");
    } else {
        SC_FAIL("unknown case kind %s", kind);
    }
    tb_str(out, "\n");
    tb_free(&a);
}


/* ---- the differential check ---------------------------------------------------------------- */


int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--cases") == 0)
        return sc_test_cases_mode(argv[2], run_case);
    test_heads();
    test_parse_resets_head();
    test_chunked();
    test_page();
    test_pyint();
    test_repr();
    printf("test_sc_h1: fixed cases passed\n");
    sc_test_run_check("tests/c/check_h1.py");
    printf("test_sc_h1: ok\n");
    return 0;
}
