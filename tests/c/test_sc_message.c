/* Unit tests for sc_message: payload classification and the numeric fast path (numpy's dtype
 * and shape inference without Python). */
#include <math.h>

#include "sc_json.h"
#include "sc_message.h"
#include "sc_test.h"

static sc_arena arena;

static sc_json *parse(const char *text)
{
    sc_json *doc = NULL;
    sc_json_error err;
    if (sc_json_parse(&arena, text, strlen(text), SC_JSON_DEFAULT_MAX_DEPTH, &doc, &err) != 0)
        SC_FAIL("parse failed for %s: %s", text, err.message);
    return doc;
}

static void check_view(const char *text, int ok, sc_dtype dt, int ndim, const int64_t *shape)
{
    sc_ndview v;
    sc_ndview_inspect(parse(text), &v);
    if (v.ok != ok)
        SC_FAIL("%s: ok %d != %d", text, v.ok, ok);
    if (!ok)
        return;
    if (v.dtype != dt || v.ndim != ndim)
        SC_FAIL("%s: dtype %d ndim %d, want %d %d", text, v.dtype, v.ndim, dt, ndim);
    for (int i = 0; i < ndim; i++)
        ASSERT_EQ_INT(v.shape[i], shape[i]);
}

static void test_inspect(void)
{
    check_view("[[1.0, 2.0]]", 1, SC_DT_FLOAT64, 2, (int64_t[]){1, 2});
    check_view("[[1, 2], [3, 4], [5, 6]]", 1, SC_DT_INT64, 2, (int64_t[]){3, 2});
    check_view("[1, 2.5]", 1, SC_DT_FLOAT64, 1, (int64_t[]){2});
    check_view("[true, false]", 1, SC_DT_BOOL, 1, (int64_t[]){2});
    check_view("[true, 2]", 1, SC_DT_INT64, 1, (int64_t[]){2});
    check_view("[true, 2.0]", 1, SC_DT_FLOAT64, 1, (int64_t[]){2});
    check_view("[]", 1, SC_DT_FLOAT64, 1, (int64_t[]){0});
    check_view("[[], []]", 1, SC_DT_FLOAT64, 2, (int64_t[]){2, 0});
    check_view("[[[1]], [[2]]]", 1, SC_DT_INT64, 3, (int64_t[]){2, 1, 1});
    check_view("[NaN, Infinity]", 1, SC_DT_FLOAT64, 1, (int64_t[]){2});
    /* numpy's own rules (strings, None, ragged, big ints) are left to numpy */
    check_view("[[1, 2], [3]]", 0, SC_DT_INT64, 0, NULL);
    check_view("[[], [1]]", 0, SC_DT_INT64, 0, NULL);
    check_view("[1, \"a\"]", 0, SC_DT_INT64, 0, NULL);
    check_view("[1, null]", 0, SC_DT_INT64, 0, NULL);
    check_view("[1, 123456789012345678901234567890]", 0, SC_DT_INT64, 0, NULL);
    check_view("[[1, 2], 3]", 0, SC_DT_INT64, 0, NULL);
    check_view("[1, [2]]", 0, SC_DT_INT64, 0, NULL);
    check_view("[{\"a\": 1}]", 0, SC_DT_INT64, 0, NULL);
}

static void test_fill(void)
{
    sc_ndview v;
    sc_ndview_inspect(parse("[[1, 2.5], [true, -4e300]]"), &v);
    ASSERT_TRUE(v.ok);
    double d[4];
    sc_ndview_fill(&v, d);
    ASSERT_TRUE(d[0] == 1.0 && d[1] == 2.5 && d[2] == 1.0 && d[3] == -4e300);

    sc_ndview_inspect(parse("[[9007199254740993, -1], [false, true]]"), &v);
    ASSERT_TRUE(v.ok && v.dtype == SC_DT_INT64);
    int64_t i[4];
    sc_ndview_fill(&v, i);
    ASSERT_EQ_INT(i[0], 9007199254740993LL);
    ASSERT_EQ_INT(i[1], -1);
    ASSERT_EQ_INT(i[2], 0);
    ASSERT_EQ_INT(i[3], 1);

    sc_ndview_inspect(parse("[true, false, true]"), &v);
    unsigned char b[3];
    sc_ndview_fill(&v, b);
    ASSERT_TRUE(b[0] == 1 && b[1] == 0 && b[2] == 1);
}

static sc_message classify(const char *text)
{
    sc_message m;
    ASSERT_EQ_INT(sc_message_from_json(&arena, parse(text), &m), 0);
    return m;
}

static void test_classify(void)
{
    sc_message m = classify("{\"data\": {\"names\": [\"a\"], \"ndarray\": [[1, 2]]}, \"meta\": {\"puid\": \"x\"}}");
    ASSERT_EQ_INT(m.kind, SC_PAYLOAD_DATA);
    ASSERT_EQ_INT(m.data_kind, SC_DATA_NDARRAY);
    ASSERT_TRUE(m.names != NULL && m.meta != NULL && m.array.ok);

    m = classify("{\"data\": {\"tensor\": {\"shape\": [2, 2], \"values\": [1, 2, 3, 4]}}}");
    ASSERT_EQ_INT(m.data_kind, SC_DATA_TENSOR);
    ASSERT_TRUE(m.tensor_shape != NULL && m.array.count == 4 && m.meta == NULL);

    /* tensor beats ndarray, as in the original */
    m = classify("{\"data\": {\"ndarray\": [1], \"tensor\": {\"shape\": [1], \"values\": [2]}}}");
    ASSERT_EQ_INT(m.data_kind, SC_DATA_TENSOR);

    m = classify("{\"data\": {}}");
    ASSERT_EQ_INT(m.kind, SC_PAYLOAD_DATA);
    ASSERT_EQ_INT(m.data_kind, SC_DATA_NONE);

    m = classify("{\"jsonData\": {\"a\": 1}, \"strData\": \"x\"}");
    ASSERT_EQ_INT(m.kind, SC_PAYLOAD_JSON);
    m = classify("{\"strData\": \"hello\"}");
    ASSERT_EQ_INT(m.kind, SC_PAYLOAD_STR);
    m = classify("{\"binData\": \"MTIz\"}");
    ASSERT_EQ_INT(m.kind, SC_PAYLOAD_BIN);
    ASSERT_EQ_MEM(m.bin, m.bin_len, "123", 3);

    /* everything unusual goes to the runtime whole, so its errors are the original's */
    const char *whole[] = {"[1, 2]", "{\"foo\": \"bar\"}", "{\"data\": [1]}", "{\"strData\": 5}",
                           "{\"data\": {\"ndarray\": 5}}", "{\"data\": {\"tftensor\": {}}}",
                           "{\"data\": {\"tensor\": {\"shape\": [1.5], \"values\": [1]}}}",
                           "{\"data\": {\"tensor\": {\"shape\": [1], \"values\": [\"a\"]}}}",
                           "{\"binData\": 7}", "{\"customData\": {}}",
                           "{\"meta\": null, \"strData\": \"x\"}",
                           "{\"data\": {\"names\": \"ab\", \"ndarray\": [1]}}"};
    for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
        m = classify(whole[i]);
        if (m.kind != SC_PAYLOAD_NONE)
            SC_FAIL("%s should go to the runtime whole, got kind %d", whole[i], m.kind);
    }
}

int main(void)
{
    sc_arena_init(&arena, 4096);
    test_inspect();
    test_fill();
    test_classify();
    sc_arena_free(&arena);
    printf("test_sc_message: ok\n");
    return 0;
}
