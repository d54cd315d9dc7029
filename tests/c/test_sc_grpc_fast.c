/* Tests of sc_pb (wire primitives) and of sc_grpc_fast_decode: what the gRPC fast path accepts,
 * what it refuses (so the general path decides), and that hostile nesting cannot recurse. The
 * Python half (parts to objects, grpc_encode_data) is compared with protobuf end to end in
 * tests/test_e2e_grpc.py. */
#include "sc_grpc_fast.h"
#include "sc_pb.h"
#include "sc_test.h"

#include <math.h>

/* ---- a tiny message builder ---------------------------------------------------------------- */

typedef struct {
    uint8_t *p;
    size_t len, cap;
} sc_buf_t;

static void put(sc_buf_t *b, const void *data, size_t len)
{
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        ASSERT_TRUE(b->p != NULL);
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
}

static void put_varint(sc_buf_t *b, uint64_t v)
{
    uint8_t tmp[10];
    put(b, tmp, (size_t)(sc_pb_write_varint(tmp, v) - tmp));
}

/* Appends field `number` (length-delimited) holding `inner`, and frees inner. */
static void put_msg(sc_buf_t *b, uint32_t number, sc_buf_t *inner)
{
    put_varint(b, (uint64_t)number << 3 | SC_PB_LEN);
    put_varint(b, inner->len);
    if (inner->len)
        put(b, inner->p, inner->len);
    free(inner->p);
    *inner = (sc_buf_t){0};
}

static void put_str(sc_buf_t *b, uint32_t number, const char *s, size_t len)
{
    put_varint(b, (uint64_t)number << 3 | SC_PB_LEN);
    put_varint(b, len);
    put(b, s, len);
}

/* Value{number_value: d} as a ListValue element. */
static void put_number(sc_buf_t *list, double d)
{
    sc_buf_t v = {0};
    uint8_t tag = 2 << 3 | SC_PB_I64;
    put(&v, &tag, 1);
    put(&v, &d, 8);
    put_msg(list, 1, &v);
}

/* Value{list_value: inner} as a ListValue element. */
static void put_list(sc_buf_t *list, sc_buf_t *inner)
{
    sc_buf_t v = {0};
    put_msg(&v, 6, inner);
    put_msg(list, 1, &v);
}

/* SeldonMessage{data{names..., ndarray: list}} */
static sc_buf_t ndarray_message(sc_buf_t *list, const char *name)
{
    sc_buf_t data = {0}, msg = {0};
    if (name)
        put_str(&data, 1, name, strlen(name));
    put_msg(&data, 3, list);
    put_msg(&msg, 3, &data);
    return msg;
}

static sc_buf_t tensor_message(const int32_t *shape, size_t nshape, const double *values, size_t n)
{
    sc_buf_t packed = {0}, tensor = {0}, data = {0}, msg = {0};
    for (size_t i = 0; i < nshape; i++)
        put_varint(&packed, (uint64_t)(int64_t)shape[i]);
    if (nshape)
        put_msg(&tensor, 1, &packed);
    if (n) {
        put_varint(&tensor, 2 << 3 | SC_PB_LEN);
        put_varint(&tensor, n * 8);
        put(&tensor, values, n * 8);
    }
    put_msg(&data, 2, &tensor);
    put_msg(&msg, 3, &data);
    return msg;
}

static sc_grpc_fast_ctx ctx;

static int decode(const sc_buf_t *m, sc_grpc_parts *out)
{
    sc_grpc_fast_reset(&ctx);
    return sc_grpc_fast_decode(&ctx, m->p, m->len, out);
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_varint(void)
{
    const uint64_t values[] = {0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX, UINT64_MAX};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        uint8_t buf[10];
        size_t n = (size_t)(sc_pb_write_varint(buf, values[i]) - buf);
        ASSERT_EQ_INT(n, sc_pb_varint_size(values[i]));
        sc_pb_reader r;
        uint64_t v;
        sc_pb_reader_init(&r, buf, n);
        ASSERT_EQ_INT(sc_pb_read_varint(&r, &v), 0);
        ASSERT_TRUE(v == values[i] && r.p == buf + n);
        sc_pb_reader_init(&r, buf, n - 1); /* truncated */
        ASSERT_EQ_INT(sc_pb_read_varint(&r, &v), -1);
    }
    const uint8_t eleven[11] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    sc_pb_reader r;
    uint64_t v;
    sc_pb_reader_init(&r, eleven, sizeof(eleven));
    ASSERT_EQ_INT(sc_pb_read_varint(&r, &v), -1);
}

static void test_next(void)
{
    sc_pb_reader r;
    sc_pb_field f;
    const uint8_t ok[] = {0x08, 0x96, 0x01, 0x12, 0x02, 'h', 'i', 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x25, 1, 2, 3, 4};
    sc_pb_reader_init(&r, ok, sizeof(ok));
    ASSERT_EQ_INT(sc_pb_next(&r, &f), 1);
    ASSERT_TRUE(f.number == 1 && f.wire_type == SC_PB_VARINT && f.value == 150);
    ASSERT_EQ_INT(sc_pb_next(&r, &f), 1);
    ASSERT_TRUE(f.number == 2 && f.wire_type == SC_PB_LEN && f.len == 2 && memcmp(f.data, "hi", 2) == 0);
    ASSERT_EQ_INT(sc_pb_next(&r, &f), 1);
    ASSERT_TRUE(f.number == 3 && f.wire_type == SC_PB_I64 && f.len == 8);
    ASSERT_EQ_INT(sc_pb_next(&r, &f), 1);
    ASSERT_TRUE(f.number == 4 && f.wire_type == SC_PB_I32 && f.len == 4);
    ASSERT_EQ_INT(sc_pb_next(&r, &f), 0);

    const uint8_t *bad[] = {
        (const uint8_t *)"\x00",             /* field number 0 */
        (const uint8_t *)"\x0b",             /* start group */
        (const uint8_t *)"\x12\x05hi",       /* length past the end */
        (const uint8_t *)"\x19\x01\x02",     /* truncated fixed64 */
        (const uint8_t *)"\x12\xff\xff\xff\xff\x0f", /* huge length */
    };
    const size_t bad_len[] = {1, 1, 4, 3, 6};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sc_pb_reader_init(&r, bad[i], bad_len[i]);
        ASSERT_EQ_INT(sc_pb_next(&r, &f), -1);
    }
}

static void test_tensor(void)
{
    sc_grpc_parts p;
    const int32_t shape[] = {2, 2};
    const double values[] = {1.5, -2, 0, 1e300};
    sc_buf_t m = tensor_message(shape, 2, values, 4);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_YES);
    ASSERT_EQ_INT(p.kind, SC_GRPC_KIND_TENSOR);
    ASSERT_TRUE(p.ndim == 2 && p.dims[0] == 2 && p.dims[1] == 2 && p.n_values == 4);
    ASSERT_TRUE(memcmp(p.values, values, sizeof(values)) == 0);
    ASSERT_TRUE(!p.has_meta && p.n_names == 0);
    free(m.p);

    m = tensor_message(NULL, 0, values, 1); /* shape [] with one value: a 0-d array */
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_YES);
    ASSERT_TRUE(p.ndim == 0 && p.n_values == 1);
    free(m.p);

    const int32_t zero[] = {2, 0};
    m = tensor_message(zero, 2, NULL, 0);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_YES);
    ASSERT_TRUE(p.ndim == 2 && p.n_values == 0);
    free(m.p);

    /* Refused: the general path raises numpy's errors or infers dimensions. */
    const int32_t three[] = {3}, negative[] = {-1, 2};
    m = tensor_message(three, 1, values, 2);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_NO);
    free(m.p);
    m = tensor_message(negative, 2, values, 4);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_NO);
    free(m.p);
    m = tensor_message(NULL, 0, NULL, 0);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_NO);
    free(m.p);
}

static void test_ndarray(void)
{
    sc_grpc_parts p;
    sc_buf_t outer = {0};
    for (int i = 0; i < 3; i++) {
        sc_buf_t row = {0};
        for (int j = 0; j < 2; j++)
            put_number(&row, i * 10 + j);
        put_list(&outer, &row);
    }
    sc_buf_t m = ndarray_message(&outer, "a");
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_YES);
    ASSERT_EQ_INT(p.kind, SC_GRPC_KIND_NDARRAY);
    ASSERT_TRUE(p.ndim == 2 && p.dims[0] == 3 && p.dims[1] == 2 && p.n_values == 6);
    ASSERT_TRUE(p.values[0] == 0 && p.values[1] == 1 && p.values[4] == 20 && p.values[5] == 21);
    ASSERT_TRUE(p.n_names == 1 && p.names[0].len == 1 && p.names[0].data[0] == 'a');
    free(m.p);

    /* [] and [[], []]: numpy's shapes (0,) and (2, 0). */
    sc_buf_t empty = {0};
    m = ndarray_message(&empty, NULL);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_YES);
    ASSERT_TRUE(p.ndim == 1 && p.dims[0] == 0 && p.n_values == 0);
    free(m.p);
    sc_buf_t rows = {0}, e1 = {0}, e2 = {0};
    put_list(&rows, &e1);
    put_list(&rows, &e2);
    m = ndarray_message(&rows, NULL);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_YES);
    ASSERT_TRUE(p.ndim == 2 && p.dims[0] == 2 && p.dims[1] == 0);
    free(m.p);

    /* Ragged: [[1], [2, 3]] and [1, [2]]. */
    sc_buf_t ragged = {0}, r1 = {0}, r2 = {0};
    put_number(&r1, 1);
    put_number(&r2, 2);
    put_number(&r2, 3);
    put_list(&ragged, &r1);
    put_list(&ragged, &r2);
    m = ndarray_message(&ragged, NULL);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_NO);
    free(m.p);
    sc_buf_t mixed = {0}, inner = {0};
    put_number(&mixed, 1);
    put_number(&inner, 2);
    put_list(&mixed, &inner);
    m = ndarray_message(&mixed, NULL);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_NO);
    free(m.p);

    /* NaN and Infinity: the general path refuses them with protobuf's message. */
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < 3; i++) {
        sc_buf_t l = {0};
        put_number(&l, 1);
        put_number(&l, bad[i]);
        m = ndarray_message(&l, NULL);
        ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_NO);
        free(m.p);
    }

    /* A string among numbers. */
    sc_buf_t strs = {0}, v = {0};
    put_number(&strs, 1);
    put_str(&v, 3, "x", 1);
    put_msg(&strs, 1, &v);
    m = ndarray_message(&strs, NULL);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_NO);
    free(m.p);
}

/* Writes `header` varints of a length-delimited field in front of `*start` (the buffer is
 * filled from the end, so deep nesting costs linear time). */
static void prepend_len(uint8_t **start, uint32_t number, size_t len)
{
    uint8_t tmp[11];
    uint8_t *e = tmp;
    *e++ = (uint8_t)(number << 3 | SC_PB_LEN);
    e = sc_pb_write_varint(e, len);
    *start -= e - tmp;
    memcpy(*start, tmp, (size_t)(e - tmp));
}

/* SeldonMessage{data{ndarray: [[[...[1.0]...]]]}}, `depth` lists deep. */
static sc_buf_t nested(int depth)
{
    size_t cap = (size_t)depth * 12 + 64;
    uint8_t *buf = malloc(cap), *end = buf + cap, *start = end;
    ASSERT_TRUE(buf != NULL);
    const double one = 1;
    start -= 8;
    memcpy(start, &one, 8);
    *--start = 2 << 3 | SC_PB_I64;
    prepend_len(&start, 1, (size_t)(end - start)); /* the innermost list's element */
    for (int i = 1; i < depth; i++) {
        prepend_len(&start, 6, (size_t)(end - start)); /* Value{list_value} */
        prepend_len(&start, 1, (size_t)(end - start)); /* element of the enclosing list */
    }
    prepend_len(&start, 3, (size_t)(end - start)); /* DefaultData.ndarray */
    prepend_len(&start, 3, (size_t)(end - start)); /* SeldonMessage.data */
    sc_buf_t m = {0};
    put(&m, start, (size_t)(end - start));
    free(buf);
    return m;
}

static void test_depth(void)
{
    sc_grpc_parts p;
    sc_buf_t m = nested(SC_GRPC_FAST_MAX_DIMS);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_YES);
    ASSERT_TRUE(p.ndim == SC_GRPC_FAST_MAX_DIMS && p.n_values == 1 && p.values[0] == 1);
    free(m.p);
    m = nested(SC_GRPC_FAST_MAX_DIMS + 1);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_NO);
    free(m.p);
    /* 200,000 levels (about 1 MB): refused after 32 without recursing. */
    m = nested(200000);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_NO);
    free(m.p);
}

static void test_message_shape(void)
{
    sc_grpc_parts p;
    const double one = 1;
    const int32_t shape1[] = {1};

    /* meta is kept as bytes; data without a kind is numpy.array([]). */
    sc_buf_t m = {0}, meta = {0}, data = {0};
    put_str(&meta, 1, "puid", 4);
    put_msg(&m, 2, &meta);
    put_str(&data, 1, "n", 1);
    put_msg(&m, 3, &data);
    ASSERT_EQ_INT(decode(&m, &p), SC_GRPC_FAST_YES);
    ASSERT_TRUE(p.has_meta && p.meta.len == 6 && p.kind == SC_GRPC_KIND_NONE && p.ndim == 1 && p.dims[0] == 0);
    free(m.p);

    /* Refused: no data, a second data (merged by protobuf), status, strData, tftensor, an
     * unknown top-level field, tensor and ndarray together, truncation. */
    sc_buf_t t = tensor_message(shape1, 1, &one, 1);
    sc_buf_t twice = {0};
    put(&twice, t.p, t.len);
    put(&twice, t.p, t.len);
    ASSERT_EQ_INT(decode(&twice, &p), SC_GRPC_FAST_NO);
    free(twice.p);
    sc_buf_t with_status = {0}, status = {0};
    put_varint(&status, 1 << 3 | SC_PB_VARINT);
    put_varint(&status, 1);
    put_msg(&with_status, 1, &status);
    put(&with_status, t.p, t.len);
    ASSERT_EQ_INT(decode(&with_status, &p), SC_GRPC_FAST_NO);
    free(with_status.p);
    sc_buf_t trunc = {t.p, t.len - 3, t.cap};
    ASSERT_EQ_INT(decode(&trunc, &p), SC_GRPC_FAST_NO);
    free(t.p);

    sc_buf_t none = {0};
    ASSERT_EQ_INT(decode(&none, &p), SC_GRPC_FAST_NO);
    sc_buf_t str = {0};
    put_str(&str, 5, "x", 1);
    ASSERT_EQ_INT(decode(&str, &p), SC_GRPC_FAST_NO);
    free(str.p);
    sc_buf_t tf = {0}, tfdata = {0}, empty = {0};
    put_msg(&tfdata, 4, &empty);
    put_msg(&tf, 3, &tfdata);
    ASSERT_EQ_INT(decode(&tf, &p), SC_GRPC_FAST_NO);
    free(tf.p);
    sc_buf_t both = {0}, bothdata = {0}, e1 = {0}, e2 = {0};
    put_msg(&bothdata, 2, &e1);
    put_msg(&bothdata, 3, &e2);
    put_msg(&both, 3, &bothdata);
    ASSERT_EQ_INT(decode(&both, &p), SC_GRPC_FAST_NO);
    free(both.p);
}

int main(void)
{
    sc_grpc_fast_ctx_init(&ctx);
    test_varint();
    test_next();
    test_tensor();
    test_ndarray();
    test_depth();
    test_message_shape();
    sc_grpc_fast_ctx_free(&ctx);
    printf("test_sc_grpc_fast: ok\n");
    return 0;
}
