/* libFuzzer target: the gRPC request decoding done in C — sc_grpc_fast_decode(), the numeric
 * fast path of the gRPC worker (csrc/sc_grpc_fast.c over csrc/sc_pb.c and the protobuf-c code
 * generated from proto/), fed each input as the bytes of one SeldonMessage.
 *
 * The fast path's contract is to accept only requests it decodes exactly as protobuf does and
 * to refuse (SC_GRPC_FAST_NO) everything else, so the oracle is differential: when it accepts,
 *  - the message's top level, read here by an independent minimal reader, is `meta` (at most
 *    once, kept as bytes: the runtime parses it and falls back to the general path when it
 *    cannot) and exactly one `data`;
 *  - protobuf-c's full unpack of that DefaultData succeeds, and its names, payload kind, shape
 *    and values (bit for bit) are what the fast path produced: a tensor's shape and values (any
 *    doubles, NaN included), or an ndarray ListValue that is rectangular, all finite numbers, at
 *    most 32 levels deep.
 * Sanitizers catch the rest (reads outside the input, arena misuse, overflow in size maths).
 * Only the decoder runs: nothing here needs an interpreter (libpython is linked because
 * sc_grpc_fast.c also holds the GIL-side functions).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "prediction.pb-c.h"
#include "sc_grpc_fast.h"

/* --- an independent reader of the top level ------------------------------------------------- */

static int sc_fz_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return -1;
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

/* The spans of field 3 (data) and field 2 (meta) of a SeldonMessage, and how often each
 * appears; -1 when the top level is not well-formed protobuf. */
static int sc_fz_top(const uint8_t *p, size_t len, const uint8_t **data, size_t *dlen, int *ndata,
                     int *nmeta, int *nother)
{
    const uint8_t *end = p + len;
    *ndata = *nmeta = *nother = 0;
    while (p < end) {
        uint64_t tag, n;
        if (sc_fz_varint(&p, end, &tag) < 0 || (tag >> 3) == 0)
            return -1;
        switch (tag & 7) {
        case 0:
            if (sc_fz_varint(&p, end, &n) < 0)
                return -1;
            (*nother)++;
            break;
        case 1:
            if (end - p < 8)
                return -1;
            p += 8;
            (*nother)++;
            break;
        case 5:
            if (end - p < 4)
                return -1;
            p += 4;
            (*nother)++;
            break;
        case 2:
            if (sc_fz_varint(&p, end, &n) < 0 || n > (uint64_t)(end - p))
                return -1;
            if ((tag >> 3) == 3) {
                *data = p;
                *dlen = (size_t)n;
                (*ndata)++;
            } else if ((tag >> 3) == 2) {
                (*nmeta)++;
            } else {
                (*nother)++;
            }
            p += n;
            break;
        default:
            return -1;
        }
    }
    return 0;
}

/* --- protobuf-c's view of an ndarray -------------------------------------------------------- */

typedef struct {
    int ndim;
    size_t dims[SC_GRPC_FAST_MAX_DIMS];
    double *values;
    size_t n, cap;
} sc_fz_nd;

static void sc_fz_shape(const Google__Protobuf__ListValue *l, sc_fz_nd *nd)
{
    for (;;) {
        SC_FUZZ_CHECK(nd->ndim < SC_GRPC_FAST_MAX_DIMS);
        nd->dims[nd->ndim++] = l->n_values;
        if (l->n_values == 0)
            return;
        const Google__Protobuf__Value *v = l->values[0];
        if (v->kind_case != GOOGLE__PROTOBUF__VALUE__KIND_LIST_VALUE)
            return;
        l = v->list_value;
    }
}

/* Every list at depth d has dims[d] elements, lists above the last level, finite numbers at it. */
static void sc_fz_flatten(const Google__Protobuf__ListValue *l, int depth, sc_fz_nd *nd)
{
    SC_FUZZ_CHECK(l->n_values == nd->dims[depth]);
    for (size_t i = 0; i < l->n_values; i++) {
        const Google__Protobuf__Value *v = l->values[i];
        if (depth == nd->ndim - 1) {
            SC_FUZZ_CHECK(v->kind_case == GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE);
            SC_FUZZ_CHECK(isfinite(v->number_value));
            if (nd->n == nd->cap) {
                nd->cap = nd->cap ? nd->cap * 2 : 64;
                nd->values = realloc(nd->values, nd->cap * sizeof(double));
                SC_FUZZ_CHECK(nd->values != NULL);
            }
            nd->values[nd->n++] = v->number_value;
        } else {
            SC_FUZZ_CHECK(v->kind_case == GOOGLE__PROTOBUF__VALUE__KIND_LIST_VALUE);
            sc_fz_flatten(v->list_value, depth + 1, nd);
        }
    }
}

/* --- the target ----------------------------------------------------------------------------- */

static void sc_fz_check_accepted(const uint8_t *buf, size_t len, const sc_grpc_parts *parts)
{
    const uint8_t *data = NULL;
    size_t dlen = 0;
    int ndata, nmeta, nother;
    SC_FUZZ_CHECK(sc_fz_top(buf, len, &data, &dlen, &ndata, &nmeta, &nother) == 0);
    SC_FUZZ_CHECK(ndata == 1 && nmeta <= 1 && nother == 0);
    SC_FUZZ_CHECK(parts->has_meta == (nmeta == 1));
    if (parts->has_meta)
        SC_FUZZ_CHECK(parts->meta.data >= buf && parts->meta.data + parts->meta.len <= buf + len);

    Seldon__Protos__DefaultData *dd = seldon__protos__default_data__unpack(NULL, dlen, data);
    SC_FUZZ_CHECK(dd != NULL);
    SC_FUZZ_CHECK(dd->base.n_unknown_fields == 0);

    /* names: the same strings in the same order (a name with a NUL byte is cut by protobuf-c's
     * char * representation, so only its prefix can be compared) */
    SC_FUZZ_CHECK(dd->n_names == parts->n_names);
    for (size_t i = 0; i < parts->n_names; i++) {
        const sc_grpc_span *s = &parts->names[i];
        SC_FUZZ_CHECK(s->data >= buf && s->data + s->len <= buf + len);
        size_t cl = strlen(dd->names[i]);
        SC_FUZZ_CHECK(cl <= s->len && memcmp(dd->names[i], s->data, cl) == 0);
        SC_FUZZ_CHECK(cl == s->len || memchr(s->data, 0, s->len) != NULL);
    }

    /* a tensor with an empty shape and one value is a 0-d array, as numpy's reshape gives */
    SC_FUZZ_CHECK(parts->ndim >= 0 && parts->ndim <= SC_GRPC_FAST_MAX_DIMS);
    size_t prod = 1;
    for (int i = 0; i < parts->ndim; i++) {
        SC_FUZZ_CHECK(parts->dims[i] >= 0);
        prod *= (size_t)parts->dims[i];
    }
    SC_FUZZ_CHECK(prod == parts->n_values);
    SC_FUZZ_CHECK(parts->n_values == 0 || parts->values != NULL);

    switch (parts->kind) {
    case SC_GRPC_KIND_TENSOR: {
        SC_FUZZ_CHECK(dd->data_oneof_case == SELDON__PROTOS__DEFAULT_DATA__DATA_ONEOF_TENSOR);
        const Seldon__Protos__Tensor *t = dd->tensor;
        SC_FUZZ_CHECK(t->n_shape == (size_t)parts->ndim);
        for (size_t i = 0; i < t->n_shape; i++)
            SC_FUZZ_CHECK(t->shape[i] == parts->dims[i]);
        SC_FUZZ_CHECK(t->n_values == parts->n_values);
        SC_FUZZ_CHECK(t->n_values == 0 || memcmp(t->values, parts->values, t->n_values * sizeof(double)) == 0);
        break;
    }
    case SC_GRPC_KIND_NDARRAY: {
        SC_FUZZ_CHECK(dd->data_oneof_case == SELDON__PROTOS__DEFAULT_DATA__DATA_ONEOF_NDARRAY);
        sc_fz_nd nd;
        memset(&nd, 0, sizeof(nd));
        sc_fz_shape(dd->ndarray, &nd);
        sc_fz_flatten(dd->ndarray, 0, &nd);
        SC_FUZZ_CHECK(nd.ndim == parts->ndim);
        for (int i = 0; i < nd.ndim; i++)
            SC_FUZZ_CHECK(nd.dims[i] == (size_t)parts->dims[i]);
        SC_FUZZ_CHECK(nd.n == parts->n_values);
        SC_FUZZ_CHECK(nd.n == 0 || memcmp(nd.values, parts->values, nd.n * sizeof(double)) == 0);
        /* (finite: protobuf's JSON mapping of a ListValue has no NaN/Infinity; a tensor's
         * packed doubles may be anything and are compared bit for bit above) */
        free(nd.values);
        break;
    }
    case SC_GRPC_KIND_NONE:
        /* data without a payload: numpy.array([]) */
        SC_FUZZ_CHECK(dd->data_oneof_case == SELDON__PROTOS__DEFAULT_DATA__DATA_ONEOF__NOT_SET);
        SC_FUZZ_CHECK(parts->ndim == 1 && parts->dims[0] == 0);
        break;
    default:
        SC_FUZZ_CHECK(!"unknown payload kind");
    }
    seldon__protos__default_data__free_unpacked(dd, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* One context reused across inputs, as an executor thread does across calls. */
    static sc_grpc_fast_ctx ctx;
    static int ready;
    if (!ready) {
        sc_grpc_fast_ctx_init(&ctx);
        ready = 1;
    }
    sc_grpc_parts parts;
    int rc = sc_grpc_fast_decode(&ctx, data, size, &parts);
    SC_FUZZ_CHECK(rc == SC_GRPC_FAST_YES || rc == SC_GRPC_FAST_NO);
    if (rc == SC_GRPC_FAST_YES)
        sc_fz_check_accepted(data, size, &parts);
    sc_grpc_fast_reset(&ctx);
    return 0;
}
