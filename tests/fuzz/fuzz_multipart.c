/* libFuzzer target: the form decoders of a REST request — multipart/form-data bodies
 * (sc_multipart_decode: Werkzeug's parser, header parameters, per-field JSON, base64 of binData
 * files), urlencoded bodies and query strings (sc_form_get), and the base64 codec.
 *
 * Input layout: the Content-Type header value up to the first '\n' (at most 1 KiB, as a header
 * would be; no '\n' at all means the whole input is the body under a fixed boundary), then
 * the body. The seeds in corpus/fuzz_multipart/ follow it.
 *
 * Oracles beyond the sanitizers: the decoded form is a well-formed object (fuzz_util.h), errors
 * are 500 with a NUL-terminated message, and base64 decode(encode(x)) == x for any x.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "sc_arena.h"
#include "sc_form.h"
#include "sc_json.h"

static void sc_fuzz_form_get(sc_arena *a, const char *d, size_t n, const char *name)
{
    const char *val = NULL;
    size_t vlen = 0;
    int rc = sc_form_get(a, d, n, name, &val, &vlen);
    SC_FUZZ_CHECK(rc == 0 || rc == 1 || rc == -ENOMEM);
    if (rc == 1) {
        SC_FUZZ_CHECK(val != NULL && val[vlen] == '\0');
        /* decoded with errors="replace": always valid UTF-8 */
        SC_FUZZ_CHECK(sc_fuzz_is_wtf8((const unsigned char *)val, vlen));
        SC_FUZZ_CHECK(vlen <= 3 * n); /* each input byte gives at most one U+FFFD */
    }
}

static void sc_fuzz_base64(sc_arena *a, const unsigned char *d, size_t n)
{
    size_t elen = 0;
    char *enc = sc_base64_encode(a, d, n, &elen);
    SC_FUZZ_CHECK(enc != NULL);
    SC_FUZZ_CHECK(elen == (n + 2) / 3 * 4 && enc[elen] == '\0');
    unsigned char *dec = NULL;
    size_t dlen = 0;
    const char *msg = NULL;
    SC_FUZZ_CHECK(sc_base64_decode(a, enc, elen, &dec, &dlen, &msg) == 0);
    SC_FUZZ_CHECK(dlen == n && (n == 0 || memcmp(dec, d, n) == 0));
    /* and the raw input as base64 text: any outcome but a crash, with a message on error */
    int rc = sc_base64_decode(a, (const char *)d, n, &dec, &dlen, &msg);
    SC_FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
    if (rc == -EINVAL)
        SC_FUZZ_CHECK(msg != NULL && msg[0] != '\0');
    if (rc == 0)
        SC_FUZZ_CHECK(dlen <= n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size < 1024 ? size : 1024);
    char ct[1025];
    const char *body;
    size_t blen;
    if (nl != NULL) {
        size_t clen = (size_t)(nl - in);
        memcpy(ct, in, clen);
        ct[clen] = '\0'; /* a header value is a C string (sc_h1): cut at a NUL like it is */
        body = nl + 1;
        blen = size - clen - 1;
    } else {
        strcpy(ct, "multipart/form-data; boundary=b");
        body = in;
        blen = size;
    }

    sc_arena arena;
    sc_arena_init(&arena, 4096);
    sc_json *doc = NULL;
    sc_form_error err;
    memset(&err, 0x5A, sizeof(err));
    int rc = sc_multipart_decode(&arena, ct, body, blen, &doc, &err);
    if (rc == 0) {
        SC_FUZZ_CHECK(doc != NULL && doc->type == SC_JSON_OBJECT);
        sc_fuzz_check_json(doc, 0);
    } else {
        SC_FUZZ_CHECK(rc == -EINVAL || rc == -ENOMEM);
        if (rc == -EINVAL) {
            SC_FUZZ_CHECK(err.status == 500 || err.status == 400);
            SC_FUZZ_CHECK(memchr(err.message, '\0', sizeof(err.message)) != NULL);
        }
    }
    sc_arena_reset(&arena);

    sc_fuzz_form_get(&arena, body, blen, "json");
    sc_fuzz_form_get(&arena, ct, strlen(ct), "json");
    sc_fuzz_form_get(&arena, body, blen, "\xEF\xBF\xBD"); /* U+FFFD matches any invalid byte */
    sc_arena_reset(&arena);

    sc_fuzz_base64(&arena, (const unsigned char *)body, blen);
    sc_arena_free(&arena);
    return 0;
}
