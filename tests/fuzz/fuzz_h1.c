/* libFuzzer target: the HTTP/1.1 framing functions of csrc/sc_h1.c on their own (no sockets),
 * much faster than fuzz_http, with oracles beyond the sanitizers:
 *
 *  - the head scan gives the same outcome whether the bytes come at once, in two reads split at
 *    a point the input chooses, or one byte at a time (same head length, or an error with the
 *    same message; "Request Line is too large (N > 4094)" names how much had arrived, as
 *    gunicorn's does, so only its status is compared);
 *  - a parsed head keeps its promises: an upper-case method of 3+ characters whose first three
 *    are in gunicorn's [$-_] range, at most 100 fields, names without the characters gunicorn
 *    refuses, values without LF, a Content-Length >= -1 that is -1 when chunked;
 *  - the chunked decoder gives the same payload or the same error whether the body comes at
 *    once or in two reads (with the unconsumed rest handed back as sc_hconn does), and never
 *    more payload than the limit;
 *  - the error page renders and states its own Content-Length correctly.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "sc_buf.h"
#include "sc_h1.h"

#define SC_FUZZ_H1_MAX_BODY 4096

typedef struct {
    long r;
    int status;
    sc_buf mesg;
} sc_fuzz_scan_out;

static void sc_fuzz_scan(const char *buf, size_t len, const size_t *cuts, size_t ncuts, sc_fuzz_scan_out *o)
{
    sc_h1_scan sc;
    memset(&sc, 0, sizeof(sc));
    sc_h1_error e;
    sc_h1_error_init(&e);
    o->r = 0;
    for (size_t k = 0; k <= ncuts; k++) {
        size_t upto = k < ncuts ? cuts[k] : len;
        o->r = sc_h1_scan_head(&sc, buf, upto, &e);
        if (o->r != 0)
            break;
    }
    o->status = o->r < 0 ? e.status : 0;
    sc_buf_init(&o->mesg);
    if (o->r < 0)
        SC_FUZZ_CHECK(sc_buf_append(&o->mesg, e.mesg.data, e.mesg.len) == 0);
    sc_h1_error_free(&e);
}

static void sc_fuzz_same_scan(const sc_fuzz_scan_out *a, const sc_fuzz_scan_out *b)
{
    SC_FUZZ_CHECK(a->r == b->r);
    if (a->r < 0) {
        SC_FUZZ_CHECK(a->status == b->status);
        static const char too_long[] = "Request Line is too large";
        if (a->mesg.len < sizeof(too_long) - 1 || memcmp(a->mesg.data, too_long, sizeof(too_long) - 1) != 0)
            SC_FUZZ_CHECK(a->mesg.len == b->mesg.len && memcmp(a->mesg.data, b->mesg.data, a->mesg.len) == 0);
    }
}

static int sc_fuzz_bad_name_char(unsigned char c)
{
    return c <= 0x1f || c == 0x7f || strchr("()<>@,;:[]={} \t\\\"", c) != NULL;
}

static void sc_fuzz_check_head(const sc_h1_head *h)
{
    SC_FUZZ_CHECK(h->method_len >= 3 && h->method[h->method_len] == '\0'); /* NULs inside are kept */
    for (size_t i = 0; i < 3; i++)
        SC_FUZZ_CHECK((unsigned char)h->method[i] >= '$' && (unsigned char)h->method[i] <= '_');
    for (size_t i = 0; i < h->method_len; i++)
        SC_FUZZ_CHECK(!(h->method[i] >= 'a' && h->method[i] <= 'z'));
    SC_FUZZ_CHECK(h->major >= 0 && h->minor >= 0);
    SC_FUZZ_CHECK(h->nfields <= SC_H1_FIELDS_MAX);
    for (size_t i = 0; i < h->nfields; i++) {
        const sc_h1_field *f = &h->fields[i];
        for (size_t k = 0; k < f->name_len; k++)
            SC_FUZZ_CHECK(!sc_fuzz_bad_name_char((unsigned char)f->name[k]));
        SC_FUZZ_CHECK(memchr(f->value, '\n', f->value_len) == NULL); /* a lone CR is content */
        SC_FUZZ_CHECK(f->name[f->name_len] == '\0' && f->value[f->value_len] == '\0');
    }
    SC_FUZZ_CHECK(h->content_length >= -1);
    if (h->chunked)
        SC_FUZZ_CHECK(h->content_length == -1 && h->te);
}

typedef struct {
    long consumed; /* total, or -1 */
    int done, status;
    sc_buf body, mesg;
} sc_fuzz_chunk_out;

/* Decodes in[0..len) as sc_hconn feeds it: each read appends to what was not consumed. */
static void sc_fuzz_dechunk(const char *in, size_t len, size_t cut, sc_fuzz_chunk_out *o)
{
    sc_h1_chunked c;
    memset(&c, 0, sizeof(c));
    sc_h1_error e;
    sc_h1_error_init(&e);
    sc_buf_init(&o->body);
    sc_buf_init(&o->mesg);
    o->done = 0;
    o->status = 0;
    size_t pos = 0;
    size_t ends[2] = {cut, len};
    for (int k = 0; k < 2 && !o->done; k++) {
        long n = sc_h1_dechunk(&c, in + pos, ends[k] - pos, &o->body, SC_FUZZ_H1_MAX_BODY, &o->done, &e);
        if (n < 0) {
            o->status = e.status;
            SC_FUZZ_CHECK(e.status == 400 || e.status == 413);
            SC_FUZZ_CHECK(sc_buf_append(&o->mesg, e.mesg.data, e.mesg.len) == 0);
            pos = (size_t)-1;
            break;
        }
        SC_FUZZ_CHECK((size_t)n <= ends[k] - pos);
        pos += (size_t)n;
    }
    o->consumed = pos == (size_t)-1 ? -1 : (long)pos;
    SC_FUZZ_CHECK(o->body.len <= SC_FUZZ_H1_MAX_BODY);
    sc_h1_error_free(&e);
}

static void sc_fuzz_chunk_free(sc_fuzz_chunk_out *o)
{
    sc_buf_free(&o->body);
    sc_buf_free(&o->mesg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cut = size > 1 ? data[0] * (size - 1) / 255 : 0;
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;

    sc_fuzz_scan_out whole, two, bytes;
    sc_fuzz_scan(buf, len, NULL, 0, &whole);
    size_t cuts[1] = {cut};
    sc_fuzz_scan(buf, len, cuts, 1, &two);
    sc_fuzz_same_scan(&whole, &two);
    if (len <= 2048) {
        size_t *each = malloc(len * sizeof(size_t) + 1);
        SC_FUZZ_CHECK(each != NULL);
        for (size_t i = 0; i < len; i++)
            each[i] = i + 1;
        sc_fuzz_scan(buf, len, each, len, &bytes);
        free(each);
        sc_fuzz_same_scan(&whole, &bytes);
        sc_buf_free(&bytes.mesg);
    }

    if (whole.r < 0) {
        sc_buf page;
        sc_buf_init(&page);
        SC_FUZZ_CHECK(sc_h1_render_page(&page, whole.status, "Bad Request", whole.mesg.data, whole.mesg.len) == 0);
        const char *sep = memmem(page.data, page.len, "\r\n\r\n", 4);
        SC_FUZZ_CHECK(sep != NULL);
        const char *cl = memmem(page.data, (size_t)(sep - page.data), "Content-Length: ", 16);
        SC_FUZZ_CHECK(cl != NULL);
        SC_FUZZ_CHECK(strtoull(cl + 16, NULL, 10) == page.len - (size_t)(sep + 4 - page.data));
        sc_buf_free(&page);
    } else if (whole.r > 0) {
        size_t hl = (size_t)whole.r;
        char *head = malloc(hl);
        SC_FUZZ_CHECK(head != NULL);
        memcpy(head, buf, hl);
        sc_h1_head *h = malloc(sizeof(*h));
        SC_FUZZ_CHECK(h != NULL);
        sc_h1_error e;
        sc_h1_error_init(&e);
        if (sc_h1_parse_head(head, hl, data[0] & 1, h, &e) == 0)
            sc_fuzz_check_head(h);
        else
            SC_FUZZ_CHECK(e.status == 400 && e.page == 1 && e.mesg.len > 0);
        sc_h1_error_free(&e);
        free(h);
        free(head);

        /* whatever follows the head, as a chunked body, at once and in two reads */
        const char *rest = buf + hl;
        size_t rlen = len - hl;
        size_t rcut = rlen > 0 ? data[0] * rlen / 255 : 0;
        sc_fuzz_chunk_out a, b;
        sc_fuzz_dechunk(rest, rlen, rlen, &a);
        sc_fuzz_dechunk(rest, rlen, rcut, &b);
        SC_FUZZ_CHECK(a.consumed == b.consumed && a.done == b.done && a.status == b.status);
        SC_FUZZ_CHECK(a.body.len == b.body.len && (a.body.len == 0 || memcmp(a.body.data, b.body.data, a.body.len) == 0));
        SC_FUZZ_CHECK(a.mesg.len == b.mesg.len && (a.mesg.len == 0 || memcmp(a.mesg.data, b.mesg.data, a.mesg.len) == 0));
        sc_fuzz_chunk_free(&a);
        sc_fuzz_chunk_free(&b);
    }
    sc_buf_free(&whole.mesg);
    sc_buf_free(&two.mesg);
    return 0;
}
