/* libFuzzer target: the whole REST body decoding step of a worker (sc_reqbody_decode: multipart
 * → form json= → query json= → body, with the UTF-16/32 detection of json.loads(bytes)), followed
 * by the message classification, exactly as sc_dispatch.c runs them before taking the GIL.
 *
 * Input layout: one flags byte (bit 0: a Content-Type header is present, bit 1: a query string
 * is present, bit 2: PAYLOAD_PASSTHROUGH), then the Content-Type value up to '\n', the query up
 * to '\n', and the body (the rest). Header values and request targets never hold '\n', so the
 * split loses nothing a client could send. Missing separators mean empty fields.
 *
 * Oracles beyond the sanitizers: success gives a well-formed document or raw bytes inside the
 * request, errors a 400/500 status that renders as a Seldon error body.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "sc_arena.h"
#include "sc_message.h"
#include "sc_reqbody.h"
#include "sc_status.h"

/* Takes the next '\n'-terminated field off [*p, end) as a malloc'd C string (cut at a NUL as
 * the transport's header strings are). */
static char *sc_fuzz_field(const char **p, const char *end, size_t *len)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    char *s = malloc(n + 1);
    SC_FUZZ_CHECK(s != NULL);
    memcpy(s, *p, n);
    s[n] = '\0';
    *p += nl ? n + 1 : n;
    if (len)
        *len = n;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned flags = data[0];
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    size_t qlen = 0;
    char *ct = sc_fuzz_field(&p, end, NULL);
    char *query = sc_fuzz_field(&p, end, &qlen);
    /* The body in its own allocation of exactly its size, so ASan sees any overread. */
    size_t blen = (size_t)(end - p);
    char *body = blen ? malloc(blen) : NULL;
    SC_FUZZ_CHECK(blen == 0 || body != NULL);
    if (blen)
        memcpy(body, p, blen);

    sc_reqbody_in in = {
        .content_type = (flags & 1) ? ct : NULL,
        .query = (flags & 2) ? query : NULL,
        .query_len = (flags & 2) ? qlen : 0,
        .body = body,
        .body_len = blen,
        .passthrough = (flags & 4) != 0,
    };
    sc_arena arena;
    sc_arena_init(&arena, 4096);
    sc_body out;
    sc_status st;
    memset(&st, 0, sizeof(st));
    int rc = sc_reqbody_decode(&arena, &in, &out, &st);
    if (rc == 0) {
        switch (out.kind) {
        case SC_BODY_JSON: {
            sc_fuzz_check_json(out.json, 0);
            sc_message m;
            int mrc = sc_message_from_json(&arena, out.json, &m);
            SC_FUZZ_CHECK(mrc == 0 || mrc == -ENOMEM);
            break;
        }
        case SC_BODY_PASS_STR:
            SC_FUZZ_CHECK(in.passthrough && out.raw != NULL && out.raw[out.raw_len] == '\0');
            break;
        case SC_BODY_PASS_BYTES:
            SC_FUZZ_CHECK(in.passthrough && out.raw_len == blen);
            break;
        default:
            SC_FUZZ_CHECK(!"unknown body kind");
        }
    } else {
        SC_FUZZ_CHECK(rc == -EINVAL || rc == -ENOMEM);
        if (rc == -EINVAL)
            sc_fuzz_check_status(&st);
    }
    (void)sc_reqbody_is_json_type(ct);
    sc_arena_free(&arena);
    free(body);
    free(query);
    free(ct);
    return 0;
}
