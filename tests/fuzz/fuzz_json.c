/* libFuzzer target: a REST request body through the JSON parser (sc_json_parse, Python
 * json.loads semantics) and the message classifier (sc_message_from_json, including the numeric
 * fast path that fills numpy's buffer), i.e. everything a worker does to a JSON body before
 * Python sees it.
 *
 * Oracles beyond the sanitizers: a parse either succeeds with a well-formed document
 * (fuzz_util.h) or fails with a NUL-terminated message and an offset inside the input; a numeric
 * view that claims ok is rectangular and fills exactly count elements.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "sc_arena.h"
#include "sc_json.h"
#include "sc_message.h"

static void sc_fuzz_check_view(const sc_ndview *v)
{
    if (!v->ok)
        return;
    SC_FUZZ_CHECK(v->ndim >= 1 && v->ndim <= SC_MAX_NDIM);
    size_t prod = 1;
    for (int d = 0; d < v->ndim; d++) {
        SC_FUZZ_CHECK(v->shape[d] >= 0);
        prod *= (size_t)v->shape[d];
    }
    SC_FUZZ_CHECK(prod == v->count);
    size_t elem = v->dtype == SC_DT_BOOL ? 1 : 8;
    /* count is bounded by the input size (every element is at least one byte of JSON) */
    unsigned char *dst = malloc(v->count * elem + 1);
    SC_FUZZ_CHECK(dst != NULL);
    sc_ndview_fill(v, dst);
    if (v->dtype == SC_DT_BOOL) {
        for (size_t i = 0; i < v->count; i++)
            SC_FUZZ_CHECK(dst[i] <= 1);
    }
    free(dst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sc_arena arena;
    sc_arena_init(&arena, 4096);
    sc_json *doc = NULL;
    sc_json_error err;
    memset(&err, 0x5A, sizeof(err)); /* the parser must fill what it reports */
    int rc = sc_json_parse(&arena, (const char *)data, size, SC_JSON_DEFAULT_MAX_DEPTH, &doc, &err);
    if (rc == 0) {
        sc_fuzz_check_json(doc, 0);
        SC_FUZZ_CHECK(doc->type != SC_JSON_BYTES);
        sc_message m;
        int mrc = sc_message_from_json(&arena, doc, &m);
        SC_FUZZ_CHECK(mrc == 0 || mrc == -ENOMEM);
        if (mrc == 0) {
            SC_FUZZ_CHECK(m.root == doc);
            if (m.kind == SC_PAYLOAD_DATA)
                sc_fuzz_check_view(&m.array);
            if (m.kind == SC_PAYLOAD_BIN)
                SC_FUZZ_CHECK(m.bin != NULL || m.bin_len == 0);
        }
        /* The classifier must also cope with any sub-document as the root. */
        if (doc->type == SC_JSON_OBJECT && doc->u.o.len > 0) {
            sc_ndview v;
            sc_ndview_inspect(doc->u.o.members[0].value, &v);
            sc_fuzz_check_view(&v);
        } else if (doc->type == SC_JSON_ARRAY) {
            sc_ndview v;
            sc_ndview_inspect(doc, &v);
            sc_fuzz_check_view(&v);
        }
    } else {
        SC_FUZZ_CHECK(rc == -EINVAL || rc == -ENOMEM);
        if (rc == -EINVAL) {
            SC_FUZZ_CHECK(memchr(err.message, '\0', sizeof(err.message)) != NULL);
            SC_FUZZ_CHECK(err.message[0] != '\0');
            SC_FUZZ_CHECK(err.byte_offset <= size);
            SC_FUZZ_CHECK(err.is_depth == 0 || err.is_depth == 1);
            SC_FUZZ_CHECK(err.is_encoding == 0 || err.is_encoding == 1);
        }
    }
    sc_arena_free(&arena);
    return 0;
}
