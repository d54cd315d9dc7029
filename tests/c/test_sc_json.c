/* Tests for sc_json: fixed cases, a differential run against CPython's json.loads over a corpus
 * of valid, invalid and mutated documents (checked by tests/c/check_json.py), and a timing of
 * the 100x100 float payload. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sc_arena.h"
#include "sc_json.h"
#include "sc_tbuf.h"
#include "sc_test.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static uint64_t rng_state = 0x5C0DE5EEDu;

static uint64_t rnd(void)
{
    /* splitmix64: deterministic, so a failing corpus entry reproduces. */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static unsigned rndn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static sc_json *parse_ok(sc_arena *a, const char *s)
{
    sc_json *v = NULL;
    sc_json_error e;
    int rc = sc_json_parse(a, s, strlen(s), SC_JSON_DEFAULT_MAX_DEPTH, &v, &e);
    if (rc != 0)
        SC_FAIL("parse of %s failed: %s", s, e.message);
    ASSERT_TRUE(v != NULL);
    return v;
}

static void expect_error(const char *s, size_t len, size_t max_depth, const char *msg,
                         int is_depth, int is_encoding)
{
    sc_arena a;
    sc_arena_init(&a, 4096);
    sc_json *v = (sc_json *)&a; /* must be reset to NULL */
    sc_json_error e;
    ASSERT_EQ_INT(sc_json_parse(&a, s, len, max_depth, &v, &e), -EINVAL);
    ASSERT_TRUE(v == NULL);
    ASSERT_EQ_STR(e.message, msg);
    ASSERT_EQ_INT(e.is_depth, is_depth);
    ASSERT_EQ_INT(e.is_encoding, is_encoding);
    /* A NULL error pointer is allowed. */
    ASSERT_EQ_INT(sc_json_parse(&a, s, len, max_depth, &v, NULL), -EINVAL);
    sc_arena_free(&a);
}

/* ---- fixed cases --------------------------------------------------------------------------- */

static void test_values(void)
{
    sc_arena a;
    sc_arena_init(&a, 1024);
    sc_json *v = parse_ok(&a, " {\"a\": 1, \"b\": [true, false, null], \"a\": 2} \n");
    ASSERT_EQ_INT(v->type, SC_JSON_OBJECT);
    ASSERT_EQ_INT(v->u.o.len, 2);
    ASSERT_EQ_STR(v->u.o.members[0].key, "a"); /* first position ... */
    ASSERT_EQ_INT(v->u.o.members[0].value->u.i, 2); /* ... last value */
    ASSERT_EQ_STR(v->u.o.members[1].key, "b");
    sc_json *b = sc_json_get(v, "b");
    ASSERT_TRUE(b != NULL && b->type == SC_JSON_ARRAY && b->u.a.len == 3);
    ASSERT_EQ_INT(b->u.a.items[0]->type, SC_JSON_TRUE);
    ASSERT_EQ_INT(b->u.a.items[1]->type, SC_JSON_FALSE);
    ASSERT_EQ_INT(b->u.a.items[2]->type, SC_JSON_NULL);
    ASSERT_TRUE(sc_json_get(v, "c") == NULL);
    ASSERT_TRUE(sc_json_get(b, "a") == NULL);

    v = parse_ok(&a, "[9223372036854775807, -9223372036854775808, 9223372036854775808, -0, "
                     "-12345678901234567890123, 0.5, -0.0, 1e400, NaN, -Infinity, []]");
    ASSERT_EQ_INT(v->u.a.len, 11);
    ASSERT_TRUE(v->u.a.items[0]->type == SC_JSON_INT && v->u.a.items[0]->u.i == INT64_MAX);
    ASSERT_TRUE(v->u.a.items[1]->type == SC_JSON_INT && v->u.a.items[1]->u.i == INT64_MIN);
    ASSERT_EQ_INT(v->u.a.items[2]->type, SC_JSON_BIGINT);
    ASSERT_EQ_STR(v->u.a.items[2]->u.s.ptr, "9223372036854775808");
    ASSERT_TRUE(v->u.a.items[3]->type == SC_JSON_INT && v->u.a.items[3]->u.i == 0);
    ASSERT_EQ_STR(v->u.a.items[4]->u.s.ptr, "-12345678901234567890123");
    ASSERT_EQ_INT(v->u.a.items[4]->u.s.len, 24);
    ASSERT_TRUE(v->u.a.items[5]->type == SC_JSON_REAL && v->u.a.items[5]->u.d == 0.5);
    ASSERT_TRUE(v->u.a.items[6]->u.d == 0.0 && signbit(v->u.a.items[6]->u.d));
    ASSERT_TRUE(isinf(v->u.a.items[7]->u.d) && v->u.a.items[7]->u.d > 0);
    ASSERT_TRUE(isnan(v->u.a.items[8]->u.d));
    ASSERT_TRUE(isinf(v->u.a.items[9]->u.d) && v->u.a.items[9]->u.d < 0);
    ASSERT_TRUE(v->u.a.items[10]->u.a.len == 0 && v->u.a.items[10]->u.a.items != NULL);

    v = parse_ok(&a, "\"\\ud83d\\ude00|\\ud800|\\u00e9\\u0000\\/\\b\\f\\n\\r\\t\\\"\\\\\"");
    ASSERT_EQ_MEM(v->u.s.ptr, v->u.s.len,
                  "\xF0\x9F\x98\x80|\xED\xA0\x80|\xC3\xA9\0/\b\f\n\r\t\"\\", 20);
    ASSERT_EQ_INT(v->u.s.ptr[v->u.s.len], 0);

    /* Keys equal after unescaping are the same key. */
    v = parse_ok(&a, "{\"\\u0061\": 1, \"a\": 2}");
    ASSERT_EQ_INT(v->u.o.len, 1);
    ASSERT_EQ_INT(sc_json_get(v, "a")->u.i, 2);
    sc_arena_free(&a);
}

static void test_big_containers(void)
{
    /* Grow every scratch stack past its inline size; large objects take the hashed dedup. */
    sc_arena a;
    sc_arena_init(&a, 4096);
    tbuf t = {0};
    tb_str(&t, "{");
    for (int i = 0; i < 3000; i++)
        tb_fmt(&t, "%s\"k%d\":%d", i ? "," : "", i % 1000, i);
    tb_str(&t, ",\"long\":\"");
    for (int i = 0; i < 2000; i++)
        tb_str(&t, i % 7 ? "abc" : "\\u00e9\\n");
    tb_str(&t, "\",\"deep\":");
    for (int i = 0; i < 200; i++)
        tb_str(&t, "[");
    for (int i = 0; i < 200; i++)
        tb_str(&t, "]");
    tb_str(&t, "}");
    sc_json *v = parse_ok(&a, t.p);
    ASSERT_EQ_INT(v->u.o.len, 1002);
    for (int i = 0; i < 1000; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        ASSERT_EQ_STR(v->u.o.members[i].key, key);
        ASSERT_EQ_INT(v->u.o.members[i].value->u.i, 2000 + i);
    }
    /* 286 copies of "\u00e9\n" (3 bytes decoded) and 1714 of "abc" */
    ASSERT_EQ_INT(sc_json_get(v, "long")->u.s.len, 6000);
    sc_json *d = sc_json_get(v, "deep");
    for (int i = 0; i < 199; i++) {
        ASSERT_TRUE(d->type == SC_JSON_ARRAY && d->u.a.len == 1);
        d = d->u.a.items[0];
    }
    ASSERT_EQ_INT(d->u.a.len, 0);
    free(t.p);
    sc_arena_free(&a);
}

static void test_errors(void)
{
    expect_error("", 0, 990, "Expecting value: line 1 column 1 (char 0)", 0, 0);
    expect_error("[1,\n 2 3]", 9, 990, "Expecting ',' delimiter: line 2 column 4 (char 7)", 0, 0);
    expect_error("\"\xC3\xA9\\x\"", 6, 990, "Invalid \\escape: line 1 column 3 (char 2)", 0, 0);
    expect_error("[[1]]", 5, 1,
                 "maximum recursion depth exceeded while decoding a JSON array from a unicode "
                 "string",
                 1, 0);
    expect_error("{\"a\": {}}", 9, 1,
                 "maximum recursion depth exceeded while decoding a JSON object from a unicode "
                 "string",
                 1, 0);
    /* Python decodes before parsing: a bad byte after a syntax error still wins. */
    expect_error("[x, \"\xFF\"]", 8, 990,
                 "'utf-8' codec can't decode byte 0xff in position 5: invalid start byte", 0, 1);
    expect_error("\xEF\xBB\xBF{}", 5, 990,
                 "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)", 0, 0);

    sc_arena a;
    sc_arena_init(&a, 1024);
    sc_json *v;
    sc_json_error e;
    ASSERT_EQ_INT(sc_json_parse(&a, "[1, }", 5, 990, &v, &e), -EINVAL);
    ASSERT_EQ_INT(e.byte_offset, 4);
    ASSERT_EQ_INT(sc_json_parse(&a, "\"\xE2\x82\xAC\x01\"", 6, 990, &v, &e), -EINVAL);
    ASSERT_EQ_STR(e.message, "Invalid control character at: line 1 column 3 (char 2)");
    ASSERT_EQ_INT(e.byte_offset, 4); /* bytes, while the message counts code points */
    ASSERT_EQ_INT(sc_json_parse(&a, "[1]", 3, 0, &v, &e), -EINVAL);
    ASSERT_EQ_INT(e.is_depth, 1);
    ASSERT_EQ_INT(sc_json_parse(&a, "1", 1, 0, &v, &e), 0);
    sc_arena_free(&a);
}

static void test_constructors(void)
{
    sc_arena a;
    sc_arena_init(&a, 1024);
    sc_json *s = sc_json_new_string(&a, "ab\0c", 4);
    ASSERT_TRUE(s != NULL && s->type == SC_JSON_STRING);
    ASSERT_EQ_MEM(s->u.s.ptr, s->u.s.len, "ab\0c", 4);
    ASSERT_EQ_INT(s->u.s.ptr[4], 0);

    sc_json *o = sc_json_new_object(&a, 2);
    ASSERT_TRUE(o != NULL && o->type == SC_JSON_OBJECT && o->u.o.len == 0);
    ASSERT_TRUE(sc_json_get(o, "x") == NULL);
    char key[] = "data";
    ASSERT_EQ_INT(sc_json_object_set(&a, o, key, 4, s), 0);
    key[0] = 'X'; /* the key was copied */
    ASSERT_TRUE(sc_json_get(o, "data") == s);
    sc_json *s2 = sc_json_new_string(&a, "", 0);
    ASSERT_EQ_INT(sc_json_object_set(&a, o, "data", 4, s2), 0); /* replace in place */
    ASSERT_EQ_INT(o->u.o.len, 1);
    ASSERT_TRUE(sc_json_get(o, "data") == s2);
    ASSERT_EQ_INT(sc_json_object_set(&a, o, "meta", 4, s), 0);
    ASSERT_EQ_INT(sc_json_object_set(&a, o, "more", 4, s), -ENOMEM); /* full */
    ASSERT_EQ_INT(sc_json_object_set(&a, o, "meta", 4, s2), 0);      /* replacing still works */
    ASSERT_EQ_STR(o->u.o.members[1].key, "meta");
    ASSERT_TRUE(o->u.o.members[1].value == s2);

    sc_json *empty = sc_json_new_object(&a, 0);
    ASSERT_TRUE(empty != NULL);
    ASSERT_EQ_INT(sc_json_object_set(&a, empty, "k", 1, s), -ENOMEM);
    sc_arena_free(&a);
}

/* ---- differential corpus ------------------------------------------------------------------- */

static void canon(FILE *f, const sc_json *v)
{
    switch (v->type) {
    case SC_JSON_NULL:
        fputc('N', f);
        break;
    case SC_JSON_TRUE:
        fputc('T', f);
        break;
    case SC_JSON_FALSE:
        fputc('F', f);
        break;
    case SC_JSON_INT:
        fprintf(f, "i%lld", (long long)v->u.i);
        break;
    case SC_JSON_BIGINT:
        fprintf(f, "I%s", v->u.s.ptr);
        break;
    case SC_JSON_REAL:
        if (isnan(v->u.d)) {
            fputs("rnan", f);
        } else {
            uint64_t bits;
            memcpy(&bits, &v->u.d, sizeof(bits));
            fprintf(f, "r%016llx", (unsigned long long)bits);
        }
        break;
    case SC_JSON_BYTES: /* not produced by the parser */
        fputc('b', f);
        break;
    case SC_JSON_STRING:
        fputc('s', f);
        for (size_t i = 0; i < v->u.s.len; i++)
            fprintf(f, "%02x", (unsigned char)v->u.s.ptr[i]);
        break;
    case SC_JSON_ARRAY:
        fputc('[', f);
        for (size_t i = 0; i < v->u.a.len; i++) {
            if (i)
                fputc(',', f);
            canon(f, v->u.a.items[i]);
        }
        fputc(']', f);
        break;
    case SC_JSON_OBJECT:
        fputc('{', f);
        for (size_t i = 0; i < v->u.o.len; i++) {
            if (i)
                fputc(',', f);
            fputc('s', f);
            for (size_t k = 0; k < v->u.o.members[i].key_len; k++)
                fprintf(f, "%02x", (unsigned char)v->u.o.members[i].key[k]);
            fputc(':', f);
            canon(f, v->u.o.members[i].value);
        }
        fputc('}', f);
        break;
    }
}

/* Random documents (each also mutated); raise with -DSC_JSON_RANDOM_DOCS=N for a longer soak. */
#ifndef SC_JSON_RANDOM_DOCS
#define SC_JSON_RANDOM_DOCS 1500
#endif

static FILE *records;
static size_t n_records;
static sc_arena corpus_arena;

static void record(const char *s, size_t len, size_t max_depth)
{
    sc_json *v = NULL;
    sc_json_error e;
    int rc = sc_json_parse(&corpus_arena, s, len, max_depth, &v, &e);
    fprintf(records, "%zu ", max_depth);
    for (size_t i = 0; i < len; i++)
        fprintf(records, "%02x", (unsigned char)s[i]);
    fputc(' ', records);
    if (rc == 0) {
        canon(records, v);
    } else {
        ASSERT_EQ_INT(rc, -EINVAL);
        ASSERT_TRUE(strchr(e.message, '\n') == NULL);
        ASSERT_TRUE(e.byte_offset <= len);
        fprintf(records, "E:%s:%s", e.is_encoding ? "enc" : e.is_depth ? "depth" : "json",
                e.message);
    }
    fputc('\n', records);
    n_records++;
    sc_arena_reset(&corpus_arena);
}

#define REC(lit) record(lit, sizeof(lit) - 1, SC_JSON_DEFAULT_MAX_DEPTH)

/* Hand-written inputs: every error message, each at several positions, and the quirks. */
static const char *const fixed_cases[] = {
    "", " ", "\n\r\t ", "\f", "\v1", "null", "true", "false", "nul", "tru", "fals", "nulll",
    "NaN", "Infinity", "-Infinity", "nan", "inf", "-inf", "+1", "-", "- 1", "-NaN", "Infinityx",
    "-Infinit", "NaN1", "0", "-0", "00", "01", "-01", "1.", "1.e5", ".5", "1.5", "-0.0", "1e",
    "1e+", "1e-", "1E5", "1e+5", "1e-5", "1.5e", "1.5E-", "1.5e+3", "1ee5", "1e5.5", "1.2.3",
    "0x10", "1_000", "123abc", "1 2", "[1 2]", "[01]", "[1.]", "[1e]", "[-]", "[1,]", "[,1]",
    "[", "]", "[]", "[ ]", "[[]]", "[[],[]]", "[1,,2]", "[1;2]", "[\n1,\n2\n,\n3]",
    "{", "}", "{}", "{ }", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{,}", "{1:2}",
    "{'a':1}", "{a:1}", "{\"a\":1 \"b\":2}", "{\"a\":1,\"b\"", "{\"a\":1,\"b\":", "{\"a\"",
    "{\"a\":", "{\"a\":1", "{\"a\":1,", "{\"a\":[}", "[{]", "[{}]", "{\"\":\"\"}",
    "{\"a\":1,\"a\":2,\"b\":3,\"a\":4}", "{\"b\":1,\"a\":2,\"b\":3}",
    "\"", "\"abc", "\"abc\\", "\"abc\\\"", "\"\\\"\"", "\"\\x\"", "\"\\a\"", "\"\\U0041\"",
    "\"\\u\"", "\"\\u1\"", "\"\\u12\"", "\"\\u123\"", "\"\\u1234\"", "\"\\u123g\"", "\"\\uGGGG\"",
    "\"\\u12", "\"\\u1234", "\"\\u12345", "\"\\u00e9\"", "\"\\u00E9\"", "\"\\uFFFF\"",
    "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\udc00\"", "\"\\uD83D\\uDE00\"", "\"\\ud800\\ud800\"",
    "\"\\udc00\\ud800\"", "\"\\ud800\\u0041\"", "\"\\ud800\\u\"", "\"\\ud800\\u12\"",
    "\"\\ud800\\udcXY\"", "\"\\ud800\\udc00", "\"\\ud800\\udc00x", "\"\\ud800\\n\"",
    "\"\\ud800x\\udc00\"", "\"\\ud800\\ud800\\udc00\"", "\"\\ud800\\udc00\\udc00\"",
    "\"\\udbff\\udfff\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\/\\b\\f\\n\\r\\t\"",
    "\"\t\"", "\"a\nb\"", "\"\x1f\"", "\"\x7f\"", "\"abc\"def\"", "\"abc\" \"def\"",
    "\"\xC3\xA9\" x", "[\"\xE2\x82\xAC\", x]", "\"\xF0\x9F\x98\x80\\x\"",
    "\"\xF0\x9F\x98\x80\n\"", "\n\n  [1,\n  x]", "[1,\r\n2,\n\n3 4]", "\xC3\xA9",
    "\"\xEF\xBB\xBF\"", " \xEF\xBB\xBF" "1", "1\xEF\xBB\xBF", "\xEF\xBB\xBF", "\xEF\xBB\xBF\xFF",
    "\xEF\xBB", "\x80", "\xC0\xAF", "\xC1\xBF", "\xC2", "\xC2\x41", "\xC2\x80", "\"\xC2\x80\"",
    "\"\xDF\xBF\"", "\"\xE0\xA0\x80\"", "\"\xE0\x80\x80\"", "\"\xE0\x9F\xBF\"", "\"\xED\x9F\xBF\"",
    "\"\xED\xA0\x80\"", "\"\xED\xBF\xBF\"", "\"\xEF\xBF\xBF\"", "\"\xE2\x82\"", "\"\xE2\x82",
    "\"\xE2", "\"\xE2\x41\x41\"", "\"\xE2\x82\x41\"", "\"\xF0\x90\x80\x80\"",
    "\"\xF0\x8F\xBF\xBF\"", "\"\xF4\x8F\xBF\xBF\"", "\"\xF4\x90\x80\x80\"", "\"\xF5\x80\x80\x80\"",
    "\"\xF0\x90\x80", "\"\xF0\x90", "\"\xF0", "\"\xF0\x90\x41\x41\"", "\"\xF0\x90\x80\x41\"",
    "\"\xF8\x88\x80\x80\x80\"", "\"\xFE\"", "\"\xFF\"", "\"\xED\xA0", "\"\xE0\x80",
    "\"\xF4\x90", "[1, 2, \xFF]", "\xFF [", "[\"ok\", \"\xC3\xA9\xC3\"]",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "18446744073709551615", "18446744073709551616",
    "99999999999999999999", "-99999999999999999999", "1000000000000000000000000000000",
    "0.1", "1e308", "1e309", "-1e309", "1e-400", "-1e-400", "4.9e-324", "5e-324", "2e-324",
    "2.2250738585072011e-308", "1.7976931348623157e308", "1.7976931348623159e308",
    "9007199254740993", "9007199254740993.0", "0.30000000000000004", "123456789012345678901e-5",
    "1E-7", "1.0", "100e-2", "0e0", "-0e-0", "0.000000000000000000000000000000000000001",
    "[NaN, Infinity, -Infinity]", "{\"NaN\": NaN}", "[Nan]", "[-Inf]", "[-Infinityy]",
    "[true false]", "[true,false,null]", "{\"a\":{\"b\":{\"c\":[1,{\"d\":null}]}}}",
    "  {  \"a\"  :  [  1  ,  2  ]  }  ", "{\"a\":1}}", "[1]]", "[1]x", "{}{}", "[][]",
    "\"\\\\\"", "\"\\\\\\\"", "\"\\\\\\\\\"", "\"\\", "\"\\\"",
    "{\"data\":{\"ndarray\":[[1.0,2.5],[3,4e2]],\"names\":[\"a\",\"b\"]},\"meta\":{\"puid\":\"x\"}}",
    "{\"strData\":\"hello\\nworld\"}", "{\"binData\":\"aGVsbG8=\"}",
    "{\"data\":{\"tensor\":{\"shape\":[2,2],\"values\":[1,2,3,4]}}}",
};

/* Inputs with NUL bytes need explicit lengths. */
static void record_nul_cases(void)
{
    REC("\0");
    REC("1\0");
    REC("[1,\0]");
    REC("\"a\0b\"");
    REC("\"\\\0\"");
    REC("\"\\u00\0\"");
    REC("{\"a\0\":1}");
}

static void record_depth_cases(void)
{
    tbuf t = {0};
    const size_t limits[] = {1, 2, 3, 5, SC_JSON_DEFAULT_MAX_DEPTH};
    for (size_t li = 0; li < sizeof(limits) / sizeof(limits[0]); li++) {
        size_t lim = limits[li];
        for (long k = (long)lim - 1; k <= (long)lim + 1; k++) {
            if (k < 0)
                continue;
            /* arrays, objects, alternating, and a syntax error beyond the limit */
            for (int shape = 0; shape < 5; shape++) {
                t.len = 0;
                for (long i = 0; i < k; i++) {
                    if (shape == 0 || (shape == 2 && i % 2) || shape == 3)
                        tb_str(&t, "[");
                    else
                        tb_str(&t, "{\"k\":");
                }
                tb_str(&t, shape == 3 ? "[x" : shape == 4 ? "1" : "0");
                for (long i = k - 1; i >= 0; i--) {
                    if (shape == 0 || (shape == 2 && i % 2) || shape == 3)
                        tb_str(&t, "]");
                    else
                        tb_str(&t, "}");
                }
                record(t.p ? t.p : "", t.len, lim);
            }
        }
    }
    /* Deep but truncated, and deep with a bad byte at the end. */
    t.len = 0;
    for (int i = 0; i < 995; i++)
        tb_str(&t, "[");
    record(t.p, t.len, SC_JSON_DEFAULT_MAX_DEPTH);
    record(t.p, 500, SC_JSON_DEFAULT_MAX_DEPTH);
    tb_str(&t, "\xFF");
    record(t.p, t.len, SC_JSON_DEFAULT_MAX_DEPTH);
    free(t.p);
}

static void record_bigint_cases(void)
{
    tbuf t = {0};
    const int lens[] = {18, 19, 20, 40, 400, 4300, 5000};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        for (int neg = 0; neg < 2; neg++) {
            t.len = 0;
            if (neg)
                tb_str(&t, "-");
            tb_str(&t, "9");
            for (int d = 1; d < lens[i]; d++)
                tb_fmt(&t, "%u", rndn(10));
            record(t.p, t.len, SC_JSON_DEFAULT_MAX_DEPTH);
            tb_str(&t, ".5");
            record(t.p, t.len, SC_JSON_DEFAULT_MAX_DEPTH);
        }
    }
    free(t.p);
}

/* A random code point, written raw (UTF-8) or as an escape, into a string literal. */
static void gen_char(tbuf *t)
{
    static const char *const esc[] = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"};
    unsigned r = rndn(100);
    if (r < 50) {
        char c = (char)(' ' + rndn(95));
        if (c == '"' || c == '\\')
            c = 'x';
        tb_put(t, &c, 1);
    } else if (r < 58) {
        tb_str(t, esc[rndn(8)]);
    } else if (r < 70) {
        unsigned cp = rndn(0x10000);
        tb_fmt(t, rndn(2) ? "\\u%04x" : "\\u%04X", cp);
    } else if (r < 78) {
        unsigned cp = 0x10000 + rndn(0x100000);
        unsigned hi = 0xD800 + ((cp - 0x10000) >> 10), lo = 0xDC00 + ((cp - 0x10000) & 0x3FF);
        tb_fmt(t, "\\u%04x\\u%04X", hi, lo);
    } else if (r < 82) {
        tb_fmt(t, "\\u%04x", 0xD800 + rndn(0x800)); /* lone surrogate */
    } else {
        /* raw UTF-8 of 2, 3 or 4 bytes, skipping the surrogate range */
        unsigned cp;
        unsigned k = rndn(3);
        cp = k == 0 ? 0x80 + rndn(0x780) : k == 1 ? 0x800 + rndn(0xF800) : 0x10000 + rndn(0x100000);
        if (cp >= 0xD800 && cp < 0xE000)
            cp = 0xFEFF;
        unsigned char o[4];
        size_t n;
        if (cp < 0x800) {
            o[0] = (unsigned char)(0xC0 | cp >> 6);
            o[1] = (unsigned char)(0x80 | (cp & 0x3F));
            n = 2;
        } else if (cp < 0x10000) {
            o[0] = (unsigned char)(0xE0 | cp >> 12);
            o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
            o[2] = (unsigned char)(0x80 | (cp & 0x3F));
            n = 3;
        } else {
            o[0] = (unsigned char)(0xF0 | cp >> 18);
            o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
            o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
            o[3] = (unsigned char)(0x80 | (cp & 0x3F));
            n = 4;
        }
        tb_put(t, o, n);
    }
}

static void gen_ws(tbuf *t)
{
    static const char ws[] = " \t\n\r";
    if (rndn(3) == 0) {
        unsigned n = 1 + rndn(3);
        for (unsigned i = 0; i < n; i++)
            tb_put(t, &ws[rndn(4)], 1);
    }
}

static void gen_string(tbuf *t, int keyish)
{
    tb_str(t, "\"");
    if (keyish) {
        /* few distinct keys, so duplicates are common */
        tb_fmt(t, "%c", 'a' + rndn(4));
        if (rndn(4) == 0)
            tb_str(t, "\\u0062");
    } else {
        unsigned n = rndn(4) == 0 ? rndn(40) : rndn(8);
        for (unsigned i = 0; i < n; i++)
            gen_char(t);
    }
    tb_str(t, "\"");
}

static void gen_number(tbuf *t)
{
    unsigned r = rndn(20);
    if (r == 0) {
        static const char *const named[] = {"NaN", "Infinity", "-Infinity"};
        tb_str(t, named[rndn(3)]);
        return;
    }
    if (rndn(3) == 0)
        tb_str(t, "-");
    unsigned nd = 1 + (rndn(4) == 0 ? rndn(25) : rndn(6));
    tb_fmt(t, "%u", nd == 1 ? rndn(10) : 1 + rndn(9));
    for (unsigned i = 1; i < nd; i++)
        tb_fmt(t, "%u", rndn(10));
    if (rndn(2)) {
        tb_str(t, ".");
        unsigned nf = 1 + rndn(18);
        for (unsigned i = 0; i < nf; i++)
            tb_fmt(t, "%u", rndn(10));
    }
    if (rndn(4) == 0)
        tb_fmt(t, "%c%s%u", rndn(2) ? 'e' : 'E', rndn(2) ? "" : rndn(2) ? "-" : "+", rndn(400));
}

static void gen_value(tbuf *t, int depth)
{
    unsigned r = rndn(depth > 4 ? 6 : 9);
    gen_ws(t);
    switch (r) {
    case 0:
        tb_str(t, rndn(3) == 0 ? "null" : rndn(2) ? "true" : "false");
        break;
    case 1:
    case 2:
    case 3:
        gen_number(t);
        break;
    case 4:
    case 5:
        gen_string(t, 0);
        break;
    case 6:
    case 7: {
        tb_str(t, "[");
        unsigned n = rndn(5);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                tb_str(t, ",");
            gen_value(t, depth + 1);
        }
        gen_ws(t);
        tb_str(t, "]");
        break;
    }
    default: {
        tb_str(t, "{");
        unsigned n = rndn(8) == 0 ? 20 + rndn(30) : rndn(5); /* some take the hashed dedup */
        for (unsigned i = 0; i < n; i++) {
            if (i)
                tb_str(t, ",");
            gen_ws(t);
            gen_string(t, n < 20 || rndn(2));
            gen_ws(t);
            tb_str(t, ":");
            gen_value(t, depth + 1);
        }
        gen_ws(t);
        tb_str(t, "}");
        break;
    }
    }
    gen_ws(t);
}

/* One random edit: bytes likely to turn a valid document into each kind of error. */
static void mutate(tbuf *t)
{
    static const char *const frags[] = {
        "\"", "\\", "\\u", "\\ud800", "\\udc00", "\\uXY", "[", "]", "{", "}", ",", ":", " ",
        "\n", "0", "1", "-", ".", "e", "E", "+", "N", "I", "n", "t", "f", "x", "\x01", "\x1f",
        "\x7f", "\x80", "\xBF", "\xC2", "\xE2\x82", "\xED\xA0\x80", "\xF0\x9F", "\xFF",
        "\xEF\xBB\xBF", "\xC3\xA9", "\0"};
    size_t nf = sizeof(frags) / sizeof(frags[0]);
    size_t pos = t->len ? rndn((unsigned)t->len + 1) : 0;
    unsigned op = rndn(5);
    if (op == 0 && t->len) { /* truncate */
        t->len = pos;
    } else if (op == 1 && pos < t->len) { /* delete a byte */
        memmove(t->p + pos, t->p + pos + 1, t->len - pos - 1);
        t->len--;
    } else { /* insert or replace with a fragment */
        size_t fi = rndn((unsigned)nf);
        const char *f = frags[fi];
        size_t flen = fi == nf - 1 ? 1 : strlen(f);
        if (op == 2 && pos < t->len) {
            memmove(t->p + pos, t->p + pos + 1, t->len - pos - 1);
            t->len--;
        }
        tb_put(t, f, flen); /* grow, then shift into place */
        memmove(t->p + pos + flen, t->p + pos, t->len - flen - pos);
        memcpy(t->p + pos, f, flen);
    }
    if (t->p)
        t->p[t->len] = '\0';
}

static void run_differential(void)
{
    char path[] = "/tmp/sc_json_records_XXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    records = fdopen(fd, "w");
    ASSERT_TRUE(records != NULL);
    sc_arena_init(&corpus_arena, 16384);

    for (size_t i = 0; i < sizeof(fixed_cases) / sizeof(fixed_cases[0]); i++)
        record(fixed_cases[i], strlen(fixed_cases[i]), SC_JSON_DEFAULT_MAX_DEPTH);
    record_nul_cases();
    record_depth_cases();
    record_bigint_cases();

    tbuf t = {0};
    for (int i = 0; i < SC_JSON_RANDOM_DOCS; i++) {
        t.len = 0;
        gen_value(&t, 0);
        record(t.p, t.len, SC_JSON_DEFAULT_MAX_DEPTH);
        unsigned nm = 1 + rndn(3);
        for (unsigned m = 0; m < nm; m++)
            mutate(&t);
        record(t.p ? t.p : "", t.len, rndn(4) == 0 ? 3 : SC_JSON_DEFAULT_MAX_DEPTH);
    }
    /* Strings of random bytes exercise every branch of the UTF-8 error reporting. */
    static const unsigned char pool[] = {'a', '"', '\\', 'u', '0', 0x01, 0x7F, 0x80, 0x8F, 0x90,
                                         0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1,
                                         0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF};
    for (int i = 0; i < 800; i++) {
        t.len = 0;
        tb_str(&t, "\"");
        unsigned n = 1 + rndn(6);
        for (unsigned k = 0; k < n; k++)
            tb_put(&t, &pool[rndn(sizeof(pool))], 1);
        if (rndn(2))
            tb_str(&t, "\"");
        record(t.p, t.len, SC_JSON_DEFAULT_MAX_DEPTH);
    }
    free(t.p);
    sc_arena_free(&corpus_arena);
    ASSERT_EQ_INT(fclose(records), 0);

    const char *py = getenv("SC_PYTHON");
    if (py == NULL || *py == '\0')
        py = "python3";
    /* The checker sits next to this file; CMake compiles it by absolute path. */
    char checker[4096];
    const char *slash = strrchr(__FILE__, '/');
    ASSERT_TRUE(slash != NULL);
    snprintf(checker, sizeof(checker), "%.*s/check_json.py", (int)(slash - __FILE__), __FILE__);
    printf("differential: %zu records, checking with %s %s\n", n_records, py, checker);
    fflush(stdout);

    pid_t pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        execlp(py, py, checker, path, (char *)NULL);
        perror("exec python");
        _exit(127);
    }
    int status;
    ASSERT_TRUE(waitpid(pid, &status, 0) == pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        SC_FAIL("check_json.py failed (status 0x%x); records kept in %s", status, path);
    /* SC_JSON_KEEP_RECORDS=1 keeps the corpus for inspection. */
    const char *keep = getenv("SC_JSON_KEEP_RECORDS");
    if (keep != NULL && *keep == '1')
        printf("differential: records kept in %s\n", path);
    else
        ASSERT_EQ_INT(unlink(path), 0);
}

/* ---- timing -------------------------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    ASSERT_EQ_INT(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void test_timing(void)
{
    tbuf t = {0};
    tb_str(&t, "{\"data\":{\"ndarray\":[");
    for (int r = 0; r < 100; r++) {
        tb_str(&t, r ? ",[" : "[");
        for (int c = 0; c < 100; c++)
            tb_fmt(&t, "%s%.17g", c ? "," : "", (double)(rnd() >> 11) / 9007199254740992.0);
        tb_str(&t, "]");
    }
    tb_str(&t, "]}}");

    sc_arena a;
    sc_arena_init(&a, 65536);
    const int rounds = 200;
    double best = 1e9, total = 0;
    for (int i = 0; i < rounds; i++) {
        sc_json *v;
        double t0 = now_ms();
        ASSERT_EQ_INT(sc_json_parse(&a, t.p, t.len, SC_JSON_DEFAULT_MAX_DEPTH, &v, NULL), 0);
        double dt = now_ms() - t0;
        total += dt;
        if (dt < best)
            best = dt;
        const sc_json *nd = sc_json_get(sc_json_get(v, "data"), "ndarray");
        ASSERT_TRUE(nd != NULL && nd->u.a.len == 100 && nd->u.a.items[99]->u.a.len == 100);
        sc_arena_reset(&a);
    }
    printf("timing: 100x100 float ndarray (%zu bytes): best %.3f ms, mean %.3f ms over %d parses\n",
           t.len, best, total / rounds, rounds);
    /* Generous bound: the figure to watch is the one printed; this only catches disasters
     * (sanitizer builds are several times slower). */
    ASSERT_TRUE(best < 50.0);
    sc_arena_free(&a);
    free(t.p);
}

int main(void)
{
    test_values();
    test_big_containers();
    test_errors();
    test_constructors();
    run_differential();
    test_timing();
    printf("test_sc_json: ok\n");
    return 0;
}
