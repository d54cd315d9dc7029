/* Tests for sc_form (sc_urlform.c, sc_multipart.c, sc_base64.c) and the helpers behind it
 * (sc_pystr.c, sc_mimeopts.c): fixed cases first, then the differential check against the
 * original's Werkzeug 2.2 run by tests/c/check_form.py, which calls this binary back as
 * `test_sc_form --cases FILE` to get the C answers for the same inputs. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sc_arena.h"
#include "sc_form.h"
#include "sc_json.h"
#include "sc_mimeopts.h"
#include "sc_pystr.h"
#include "sc_tbuf.h"
#include "sc_test.h"
#include "sc_testpy.h"

/* Readable form for the fixed cases: JSON-like, strings raw with \xHH for bytes outside
 * printable ASCII and \" \\ escaped, floats with %.17g. */
static void tb_text(tbuf *b, const char *s, size_t n)
{
    tb_str(b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            tb_fmt(b, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            tb_fmt(b, "\\x%02x", c);
        else
            tb_put(b, &c, 1);
    }
    tb_str(b, "\"");
}

/* mode 0: readable (fixed cases); mode 1: the exact form check_form.py builds in Python —
 * strings as hex of their UTF-8 (lone surrogates in 3-byte form), floats by their bits. */
static void tb_json(tbuf *b, const sc_json *j, int mode)
{
    switch (j->type) {
    case SC_JSON_NULL:
        tb_str(b, mode ? "N" : "null");
        break;
    case SC_JSON_FALSE:
        tb_str(b, mode ? "F" : "false");
        break;
    case SC_JSON_TRUE:
        tb_str(b, mode ? "T" : "true");
        break;
    case SC_JSON_INT:
        tb_fmt(b, mode ? "i%" PRId64 : "%" PRId64, j->u.i);
        break;
    case SC_JSON_BIGINT:
        if (mode)
            tb_str(b, "i");
        tb_put(b, j->u.s.ptr, j->u.s.len);
        break;
    case SC_JSON_REAL:
        if (mode) {
            if (j->u.d != j->u.d) {
                tb_str(b, "rnan");
            } else {
                uint64_t bits;
                memcpy(&bits, &j->u.d, sizeof(bits));
                tb_fmt(b, "r%016" PRIx64, bits);
            }
        } else {
            tb_fmt(b, "%.17g", j->u.d);
        }
        break;
    case SC_JSON_BYTES:
        tb_str(b, mode ? "b" : "b\"");
        if (mode)
            tb_hex(b, j->u.s.ptr, j->u.s.len);
        else
            tb_fmt(b, "%.*s\"", (int)j->u.s.len, j->u.s.ptr);
        break;
    case SC_JSON_STRING:
        if (mode) {
            tb_str(b, "s");
            tb_hex(b, j->u.s.ptr, j->u.s.len);
        } else {
            tb_text(b, j->u.s.ptr, j->u.s.len);
        }
        break;
    case SC_JSON_ARRAY:
        tb_str(b, "[");
        for (size_t i = 0; i < j->u.a.len; i++) {
            if (i)
                tb_str(b, ",");
            tb_json(b, j->u.a.items[i], mode);
        }
        tb_str(b, "]");
        break;
    case SC_JSON_OBJECT:
        tb_str(b, "{");
        for (size_t i = 0; i < j->u.o.len; i++) {
            const sc_json_member *m = &j->u.o.members[i];
            if (i)
                tb_str(b, ",");
            if (mode) {
                tb_str(b, "s");
                tb_hex(b, m->key, m->key_len);
            } else {
                tb_text(b, m->key, m->key_len);
            }
            tb_str(b, ":");
            tb_json(b, m->value, mode);
        }
        tb_str(b, "}");
        break;
    }
}

/* ---- calling the decoders ------------------------------------------------------------------ */

static sc_arena g_arena;

/* sc_multipart_decode() as a string: the object, or "ERR <status> <message>". */
static void run_multipart(tbuf *out, const char *ct, const char *body, size_t len, int mode)
{
    sc_json *doc = NULL;
    sc_form_error err;
    int rc = sc_multipart_decode(&g_arena, ct, body, len, &doc, &err);
    if (rc == 0) {
        if (mode)
            tb_str(out, "OK ");
        tb_json(out, doc, mode);
    } else {
        ASSERT_EQ_INT(rc, -EINVAL);
        tb_fmt(out, "ERR %d ", err.status);
        if (mode)
            tb_hex(out, err.message, strlen(err.message));
        else
            tb_str(out, err.message);
    }
}

static char *mp_text(const char *ct, const char *body, size_t len)
{
    tbuf b = {0};
    sc_arena_reset(&g_arena);
    run_multipart(&b, ct, body, len, 0);
    return b.p;
}

#define MP(ct, lit) mp_text((ct), (lit), sizeof(lit) - 1)

#define CHECK_MP(ct, lit, want)                                                                    \
    do {                                                                                           \
        char *got_ = MP(ct, lit);                                                                  \
        ASSERT_EQ_STR(got_, want);                                                                 \
        free(got_);                                                                                \
    } while (0)

#define CT "multipart/form-data; boundary=XyZ"

/* ---- fixed cases: base64 ------------------------------------------------------------------- */

static void check_b64d(const char *in, const char *want_hex, const char *want_err)
{
    unsigned char *out = NULL;
    size_t n = 0;
    const char *msg = NULL;
    sc_arena_reset(&g_arena);
    int rc = sc_base64_decode(&g_arena, in, strlen(in), &out, &n, &msg);
    if (want_err != NULL) {
        ASSERT_EQ_INT(rc, -EINVAL);
        ASSERT_EQ_STR(msg, want_err);
        return;
    }
    ASSERT_EQ_INT(rc, 0);
    tbuf b = {0};
    tb_hex(&b, out, n);
    tb_str(&b, "");
    ASSERT_EQ_STR(b.p, want_hex);
    free(b.p);
}

static void test_base64(void)
{
    static const struct {
        const char *in, *out;
    } enc[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
               {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
               {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
        size_t n = 99;
        sc_arena_reset(&g_arena);
        char *s = sc_base64_encode(&g_arena, (const unsigned char *)enc[i].in,
                                   strlen(enc[i].in), &n);
        ASSERT_TRUE(s != NULL);
        ASSERT_EQ_STR(s, enc[i].out);
        ASSERT_EQ_INT(n, strlen(enc[i].out));
    }
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    size_t n;
    char *s = sc_base64_encode(&g_arena, all, sizeof(all), &n);
    ASSERT_TRUE(s != NULL && n == 344);
    unsigned char *back;
    size_t blen;
    ASSERT_EQ_INT(sc_base64_decode(&g_arena, s, n, &back, &blen, NULL), 0);
    ASSERT_EQ_MEM(back, blen, all, sizeof(all));

    check_b64d("", "", NULL);
    check_b64d("QQ==", "41", NULL);
    check_b64d("QUJD", "414243", NULL);
    check_b64d("QQ==QUJD", "41", NULL);    /* data after complete padding is ignored */
    check_b64d("Q=Q==", "41", NULL);       /* '=' before two data characters does not count */
    check_b64d("QQ=a=", "4106", NULL);     /* one '=' after two characters is not enough */
    check_b64d("AA=AA", "000000", NULL);
    check_b64d("QUJ=D", "4142", NULL);
    check_b64d("Q!!Q\n==", "41", NULL);    /* non-alphabet characters are skipped */
    check_b64d("====", "", NULL);
    check_b64d("QQ", NULL, "Incorrect padding");
    check_b64d("QQ=", NULL, "Incorrect padding");
    check_b64d("QUJDRA=", NULL, "Incorrect padding");
    check_b64d("Q", NULL,
               "Invalid base64-encoded string: number of data characters (1) cannot be 1 more "
               "than a multiple of 4");
    check_b64d("QUJDR===", NULL,
               "Invalid base64-encoded string: number of data characters (5) cannot be 1 more "
               "than a multiple of 4");
    check_b64d("QQ\xc3\xa9==", NULL, "string argument should contain only ASCII characters");
}

/* ---- fixed cases: urlencoded ------------------------------------------------------------- */

static void check_get(const char *data, const char *name, const char *want)
{
    const char *v = NULL;
    size_t vlen = 0;
    sc_arena_reset(&g_arena);
    int rc = sc_form_get(&g_arena, data, strlen(data), name, &v, &vlen);
    if (want == NULL) {
        ASSERT_EQ_INT(rc, 0);
        return;
    }
    ASSERT_EQ_INT(rc, 1);
    ASSERT_EQ_MEM(v, vlen, want, strlen(want));
    ASSERT_EQ_INT(v[vlen], 0);
}

static void test_urlform(void)
{
    check_get("json=%7B%22a%22%3A1%7D", "json", "{\"a\":1}");
    check_get("a=1&json=x+y&json=second", "json", "x y"); /* first value wins */
    check_get("json", "json", "");                        /* no '=': empty value */
    check_get("json=", "json", "");
    check_get("&&json=1&&", "json", "1");
    check_get("jsonx=1&xjson=2", "json", NULL);
    check_get("", "json", NULL);
    check_get("j%73on=1", "json", "1");                   /* keys are decoded too */
    check_get("js+on=1&json=2", "json", "2");
    check_get("json=%2B+%2b", "json", "+ +");
    check_get("json=%zz%4%", "json", "%zz%4%");           /* bad escapes stay literal */
    check_get("json=%%41", "json", "%A");
    check_get("json=%2+", "json", "%2 ");                 /* '+' is a space before unquoting */
    check_get("json=a=b=c", "json", "a=b=c");
    check_get("json=%ff%C3%A9%e2%82", "json", "\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd");
    check_get("json=a;b", "json", "a;b");                 /* ';' is not a separator */
    check_get("%ff=1&\xef\xbf\xbd=2", "\xef\xbf\xbd", "1"); /* an invalid key byte is U+FFFD */
}

/* ---- fixed cases: header options ------------------------------------------------------- */

static char *opts_text(const char *hdr)
{
    sc_mimeopt want[4] = {{.key = "name"}, {.key = "filename"}, {.key = "boundary"},
                          {.key = "charset"}};
    const char *mt;
    size_t mtl;
    sc_pyexc exc;
    tbuf b = {0};
    sc_arena_reset(&g_arena);
    int rc = sc_mimeopts_parse(&g_arena, hdr, strlen(hdr), &mt, &mtl, want, 4, &exc);
    if (rc != 0) {
        ASSERT_EQ_INT(rc, -EINVAL);
        tb_fmt(&b, "ERR %s %s", exc.kind == SC_PYEXC_VALUE ? "V" : "O", exc.msg);
        return b.p;
    }
    tb_text(&b, mt, mtl);
    for (int i = 0; i < 4; i++) {
        tb_fmt(&b, " %s=", want[i].key);
        if (want[i].state == SC_OPT_ABSENT)
            tb_str(&b, "-");
        else if (want[i].state == SC_OPT_NONE)
            tb_str(&b, "None");
        else
            tb_text(&b, want[i].val, want[i].len);
    }
    return b.p;
}

#define CHECK_OPTS(hdr, want)                                                                      \
    do {                                                                                           \
        char *got_ = opts_text(hdr);                                                               \
        ASSERT_EQ_STR(got_, want);                                                                 \
        free(got_);                                                                                \
    } while (0)

static void test_mimeopts(void)
{
    CHECK_OPTS("", "\"\" name=- filename=- boundary=- charset=-");
    CHECK_OPTS("multipart/form-data; boundary=abc",
               "\"multipart/form-data\" name=- filename=- boundary=\"abc\" charset=-");
    CHECK_OPTS("Multipart/Form-Data; BOUNDARY=\"a\\\"b\"",
               "\"Multipart/Form-Data\" name=- filename=- boundary=\"a\\\"b\" charset=-");
    /* a token runs to ';' or ',' and keeps trailing blanks */
    CHECK_OPTS("multipart/form-data; boundary=b ; x=y",
               "\"multipart/form-data\" name=- filename=- boundary=\"b \" charset=-");
    /* blanks between the type and ';' drop every parameter */
    CHECK_OPTS("multipart/form-data ; boundary=b",
               "\"multipart/form-data\" name=- filename=- boundary=- charset=-");
    CHECK_OPTS("x; boundary", "\"x\" name=- filename=- boundary=None charset=-");
    CHECK_OPTS("x; boundary=", "\"x\" name=- filename=- boundary=None charset=-");
    CHECK_OPTS("x; boundary=\"\"", "\"x\" name=- filename=- boundary=\"\" charset=-");
    CHECK_OPTS("form-data; name=\"a\"b; filename=\"x\"",
               "\"form-data\" name=\"a\" filename=- boundary=- charset=-");
    CHECK_OPTS("form-data; name*0=a; name*1=\"b\"; filename*=UTF-8''%C3%A9%20x",
               "\"form-data\" name=\"ab\" filename=\"\\xc3\\xa9 x\" boundary=- charset=-");
    CHECK_OPTS("form-data; filename=\"\\\\\\\\srv\\\\x\"",
               "\"form-data\" name=- filename=\"\\\\\\\\\\\\\\\\srv\\\\\\\\x\" boundary=- charset=-");
    CHECK_OPTS("form-data; name=\"\\\\\\\"q\"",
               "\"form-data\" name=\"\\\\\\\"q\" filename=- boundary=- charset=-");
    CHECK_OPTS("form-data; \"NAME\"=v", "\"form-data\" name=\"v\" filename=- boundary=- charset=-");
    CHECK_OPTS("a, b; name=x", "\"a\" name=- filename=- boundary=- charset=-");
    CHECK_OPTS("t;\n name=x", "\"t\" name=\"x\" filename=- boundary=- charset=-");
    CHECK_OPTS("form-data; name; name*1=x",
               "ERR O unsupported operand type(s) for +: 'NoneType' and 'str'");
    CHECK_OPTS("form-data; name*=nope''x", "ERR O unknown encoding: nope");
    CHECK_OPTS("form-data; name*=utf-8''%ff",
               "ERR V 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte");
    CHECK_OPTS("form-data; name*=utf-8''", "\"form-data\" name=None filename=- boundary=- charset=-");
    /* Unicode blanks count as \s: U+00A0 ends the type, U+2028 is skipped after ';' */
    CHECK_OPTS("form-data\xc2\xa0; name=x", "\"form-data\" name=- filename=- boundary=- charset=-");
    CHECK_OPTS("form-data;\xe2\x80\xa8name=x", "\"form-data\" name=\"x\" filename=- boundary=- charset=-");
    /* a continuation index is any Unicode decimal digit (here U+0663) */
    CHECK_OPTS("form-data; name*\xd9\xa3=x", "\"form-data\" name=\"x\" filename=- boundary=- charset=-");
}

/* Key names from a part header may hold a NUL: they must not compare equal to "name". */
static void test_mimeopts_nul(void)
{
    static const char hdr[] = "form-data; name\0x=1; name=2";
    sc_mimeopt want[1] = {{.key = "name"}};
    const char *mt;
    size_t mtl;
    sc_pyexc exc;
    sc_arena_reset(&g_arena);
    ASSERT_EQ_INT(sc_mimeopts_parse(&g_arena, hdr, sizeof(hdr) - 1, &mt, &mtl, want, 1, &exc), 0);
    ASSERT_EQ_INT(want[0].state, SC_OPT_STR);
    ASSERT_EQ_MEM(want[0].val, want[0].len, "2", 1);
}

/* ---- fixed cases: multipart ---------------------------------------------------------------- */

static void test_multipart_basic(void)
{
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n"
             "{\"ndarray\":[[1,2.5]],\"names\":[\"a\"]}\r\n"
             "--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{\"puid\":\"1\"}\r\n"
             "--XyZ--\r\n",
             "{\"data\":{\"ndarray\":[[1,2.5]],\"names\":[\"a\"]},\"meta\":{\"puid\":\"1\"}}");
    /* strData stays text; files: binData is base64, others UTF-8 text */
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name=\"strData\"\r\n\r\nnot json\r\n"
             "--XyZ\r\nContent-Disposition: form-data; name=\"binData\"; filename=\"b.bin\"\r\n"
             "Content-Type: application/octet-stream\r\n\r\n\x00\x01\xfe\xff\r\n"
             "--XyZ\r\nContent-Disposition: form-data; name=\"t\"; filename=\"\"\r\n\r\n\xc3\xa9\r\n"
             "--XyZ--",
             "{\"strData\":\"not json\",\"binData\":b\"AAH+/w==\",\"t\":\"\\xc3\\xa9\"}");
    /* quoted boundary, LF-only lines, preamble and epilogue */
    CHECK_MP("multipart/form-data; boundary=\"a b\"",
             "preamble\n--a b\nContent-Disposition: form-data; name=x\n\n1\n--a b--\nepilogue",
             "{\"x\":1}");
    /* repeated names keep the first value; a file replaces a field of the same name in place */
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
             "--XyZ\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n"
             "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n{bad\r\n"
             "--XyZ\r\nContent-Disposition: form-data; name=a; filename=f\r\n\r\nfile\r\n"
             "--XyZ--\r\n",
             "{\"a\":\"file\",\"b\":2}");
    /* no parts at all */
    CHECK_MP(CT, "--XyZ--\r\n", "{}");
    /* the part's Content-Type charset decodes a field */
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name=strData\r\n"
             "Content-Type: text/plain; charset=latin-1\r\n\r\n\xe9\r\n--XyZ--",
             "{\"strData\":\"\\xc3\\xa9\"}");
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name=strData\r\n\r\na\xff\xe2\x82\r\n--XyZ--",
             "{\"strData\":\"a\\xef\\xbf\\xbd\\xef\\xbf\\xbd\"}");
    /* a part without a name is decoded (its errors count) but has no key in the object */
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data\r\n\r\n1\r\n"
             "--XyZ\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n--XyZ--",
             "{\"b\":2}");
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name\r\n\r\nnot json\r\n--XyZ--",
             "ERR 500 Expecting value: line 1 column 1 (char 0)");
    /* a bare `filename` is None, so the part is a field, not a file */
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name=a; filename\r\n\r\n[1]\r\n--XyZ--",
             "{\"a\":[1]}");
    /* a header continued on the next line */
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data;\r\n\tname=k\r\n\r\ntrue\r\n--XyZ--",
             "{\"k\":true}");
}

static void test_multipart_errors(void)
{
    /* what Werkzeug's parser swallows: the form is just empty */
    CHECK_MP(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n", "{}");
    CHECK_MP(CT, "", "{}");
    CHECK_MP(CT, "--XyZ\r\nContent-Type: text/plain\r\n\r\n1\r\n--XyZ--", "{}");
    CHECK_MP(CT, "--XyZ\r\nno colon here\r\n\r\n1\r\n--XyZ--", "{}");
    CHECK_MP(CT, "--XyZ\r\nContent-Disposition: form-data; name=\xff\r\n\r\n1\r\n--XyZ--", "{}");
    CHECK_MP("multipart/form-data", "--XyZ--", "{}");
    CHECK_MP("multipart/form-data; boundary=\"\"", "----", "{}");
    CHECK_MP("multipart/form-data; boundary=\xe9", "--\xe9--", "{}");
    CHECK_MP("text/plain; x=multipart/form-data; boundary=XyZ", "--XyZ--", "{}");
    /* the empty-part quirk: the delimiter right after the blank line is not seen */
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name=strData\r\n\r\n--XyZ\r\n"
             "Content-Disposition: form-data; name=b\r\n\r\n2\r\n--XyZ--",
             "{\"strData\":\"--XyZ\\x0d\\x0aContent-Disposition: form-data; name=b\\x0d\\x0a\\x0d\\x0a2\"}");
}

static void test_multipart_raises(void)
{
    /* exceptions that reach the original's generic handler: 500 with str(exception) */
    CHECK_MP(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n{x\r\n--XyZ--",
             "ERR 500 Expecting property name enclosed in double quotes: line 1 column 2 (char 1)");
    CHECK_MP(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--XyZ--",
             "ERR 500 Expecting value: line 1 column 1 (char 0)");
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name=strData; filename=x\r\n\r\nab\xff\r\n"
             "--XyZ--",
             "ERR 500 'utf-8' codec can't decode byte 0xff in position 2: invalid start byte");
    CHECK_MP("multipart/form-data; boundary", "--XyZ--",
             "ERR 500 'NoneType' object has no attribute 'encode'");
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type: text/plain; "
             "charset=foo\r\n\r\n1\r\n--XyZ--",
             "ERR 500 unknown encoding: foo");
    /* an empty field is never decoded, so its charset is never looked up */
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name=strData\r\nContent-Type: text/plain; "
             "charset=foo\r\n\r\n\r\n--XyZ--",
             "{\"strData\":\"\"}");
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type: text/plain; "
             "charset=\r\n\r\n1\r\n--XyZ--",
             "ERR 500 decode() argument 'encoding' must be str, not None");
    CHECK_MP(CT,
             "--XyZ\r\nContent-Disposition: form-data; name=a; name*1=x; name; name*2=y\r\n\r\n1\r\n"
             "--XyZ--",
             "ERR 500 unsupported operand type(s) for +: 'NoneType' and 'str'");
}

/* More than Werkzeug's 1000 parts is a 413, which the original turns into a 500. */
static void test_multipart_many_parts(void)
{
    for (int parts = 1000; parts <= 1001; parts++) {
        tbuf b = {0};
        for (int i = 0; i < parts; i++)
            tb_fmt(&b, "--XyZ\r\nContent-Disposition: form-data; name=n%d\r\n\r\n%d\r\n", i % 7, i);
        tb_str(&b, "--XyZ--\r\n");
        char *got = mp_text(CT, b.p, b.len);
        if (parts == 1000)
            ASSERT_EQ_STR(got, "{\"n0\":0,\"n1\":1,\"n2\":2,\"n3\":3,\"n4\":4,\"n5\":5,\"n6\":6}");
        else
            ASSERT_EQ_STR(got, "ERR 500 413 Request Entity Too Large: The data value transmitted "
                               "exceeds the capacity limit.");
        free(got);
        free(b.p);
    }
}

/* Werkzeug's 64 KiB windows: a boundary line whose "\r" is the last byte of a window ends
 * there, and the "\n" left over starts the next part's headers. */
static void test_multipart_windows(void)
{
    tbuf b = {0};
    tb_str(&b, "--XyZ\r\nContent-Disposition: form-data; name=strData\r\n\r\n");
    /* "\r\n--XyZ\r" must end at offset 65536: pad the value accordingly */
    size_t pad = 65536 - b.len - strlen("\r\n--XyZ\r");
    for (size_t i = 0; i < pad; i++)
        tb_str(&b, "v");
    /* the next part starts with "\n": with "\n\n" after it the headers are empty */
    tb_str(&b, "\r\n--XyZ\r\n\nContent-Disposition: form-data; name=x\n\n1\n--XyZ--");
    char *got = mp_text(CT, b.p, b.len);
    ASSERT_EQ_STR(got, "{}"); /* "Missing Content-Disposition header" */
    free(got);
    /* the same body one byte later is an ordinary two-part form */
    tbuf c = {0};
    tb_str(&c, "X");
    tb_put(&c, b.p, b.len);
    got = mp_text(CT, c.p, c.len);
    ASSERT_TRUE(strncmp(got, "{\"strData\":\"vvv", 15) == 0);
    ASSERT_TRUE(strstr(got, "\",\"x\":1}") != NULL);
    free(got);
    free(b.p);
    free(c.p);
}

/* Hostile bodies must cost time linear in their size: each is a few MB and, with any
 * quadratic step, would take minutes instead of milliseconds. */
static char *repeat(const char *pre, const char *unit, size_t n, const char *post, size_t *len)
{
    tbuf b = {0};
    tb_str(&b, pre);
    for (size_t i = 0; i < n; i++)
        tb_str(&b, unit);
    tb_str(&b, post);
    *len = b.len;
    return b.p;
}

static void test_linear_time(void)
{
    static const struct {
        const char *pre, *unit, *post;
    } cases[] = {
        {"--XyZ\r\nContent-Disposition: form-data; name=strData\r\n\r\n", "\r\n--XyZx", "\r\n--XyZ--"},
        {"--XyZ\r\nContent-Disposition: form-data; name=strData\r\n\r\n\r\n--XyZ", " ", "x\r\n--XyZ--"},
        {"", "--XyZ x", ""},
        {"--XyZ\r\n", "a: b\r\n", ""},
        {"--XyZ\r\nContent-Disposition: form-data", ";a*=b'", "\r\n\r\nx\r\n--XyZ--"},
        {"--XyZ\r\nContent-Disposition: form-data", ";\"\\\\\\\"", "\r\n\r\nx\r\n--XyZ--"},
        {"--XyZ\r\nContent-Disposition: form-data", "; x", "\r\n\r\nx\r\n--XyZ--"},
        {"--XyZ\r\nContent-Disposition: form-data; name*0=a", "; name*1=b", "\r\n\r\n1\r\n--XyZ--"},
        {"--XyZ\r\nContent-Disposition: form-data; name=a", "\r\n ", "\r\n\r\n1\r\n--XyZ--"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len;
        char *body = repeat(cases[i].pre, cases[i].unit, (size_t)(3 << 20) / strlen(cases[i].unit),
                            cases[i].post, &len);
        clock_t t0 = clock();
        char *got = mp_text(CT, body, len);
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        if (secs > 5.0)
            SC_FAIL("hostile multipart case %zu took %.1f s", i, secs);
        free(got);
        free(body);
    }
    size_t len;
    char *q = repeat("", "a=1&", (size_t)(3 << 20) / 4, "json=x", &len);
    const char *v;
    size_t vlen;
    clock_t t0 = clock();
    sc_arena_reset(&g_arena);
    ASSERT_EQ_INT(sc_form_get(&g_arena, q, len, "json", &v, &vlen), 1);
    ASSERT_TRUE((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
    free(q);
}

static void test_fixed(void)
{
    test_base64();
    test_urlform();
    test_mimeopts();
    test_mimeopts_nul();
    test_multipart_basic();
    test_multipart_errors();
    test_multipart_raises();
    test_multipart_many_parts();
    test_multipart_windows();
    test_linear_time();
}

/* ---- the --cases mode used by check_form.py ------------------------------------------------- */

static int unhex(const char *h, size_t n, tbuf *out)
{
    if (n % 2)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        unsigned v;
        if (sscanf(h + i, "%2x", &v) != 1)
            return -1;
        unsigned char c = (unsigned char)v;
        tb_put(out, &c, 1);
    }
    return 0;
}

static void run_case(tbuf *out, char *line)
{
    char *fields[4] = {0};
    size_t nf = 0;
    for (char *tok = strtok(line, " "); tok != NULL && nf < 4; tok = strtok(NULL, " "))
        fields[nf++] = tok;
    tbuf arg[3] = {{0}, {0}, {0}};
    for (size_t i = 1; i < nf; i++)
        if (strcmp(fields[i], "-") != 0 && unhex(fields[i], strlen(fields[i]), &arg[i - 1]) != 0)
            SC_FAIL("bad hex in case line");
    for (size_t i = 0; i < 3; i++)
        tb_put(&arg[i], "", 0);
    sc_arena_reset(&g_arena);
    const char *kind = fields[0] ? fields[0] : "";
    if (strcmp(kind, "M") == 0) {
        run_multipart(out, arg[0].p, arg[1].p, arg[1].len, 1);
    } else if (strcmp(kind, "G") == 0) {
        const char *v;
        size_t vlen;
        int rc = sc_form_get(&g_arena, arg[0].p, arg[0].len, arg[1].p, &v, &vlen);
        if (rc == 1) {
            tb_str(out, "FOUND s");
            tb_hex(out, v, vlen);
        } else {
            ASSERT_EQ_INT(rc, 0);
            tb_str(out, "ABSENT");
        }
    } else if (strcmp(kind, "B64D") == 0) {
        unsigned char *o;
        size_t n;
        const char *msg = NULL;
        int rc = sc_base64_decode(&g_arena, arg[0].p, arg[0].len, &o, &n, &msg);
        if (rc == 0) {
            tb_str(out, "OK ");
            tb_hex(out, o, n);
        } else {
            tb_str(out, "ERR ");
            tb_hex(out, msg, strlen(msg));
        }
    } else if (strcmp(kind, "B64E") == 0) {
        size_t n;
        char *s = sc_base64_encode(&g_arena, (const unsigned char *)arg[0].p, arg[0].len, &n);
        ASSERT_TRUE(s != NULL);
        tb_str(out, "OK ");
        tb_hex(out, s, n);
    } else if (strcmp(kind, "DECR") == 0 || strcmp(kind, "DECS") == 0) {
        char *o;
        size_t n;
        sc_pyexc exc;
        int rc = sc_py_bytes_decode(&g_arena, arg[0].p, arg[0].len, kind[3] == 'R',
                                    (const unsigned char *)arg[1].p, arg[1].len, &o, &n, &exc);
        if (rc == 0) {
            tb_str(out, "OK s");
            tb_hex(out, o, n);
        } else {
            tb_str(out, exc.kind == SC_PYEXC_VALUE ? "ERR V " : "ERR O ");
            tb_hex(out, exc.msg, strlen(exc.msg));
        }
    } else if (strcmp(kind, "OPT") == 0) {
        sc_mimeopt want[4] = {{.key = "name"}, {.key = "filename"}, {.key = "boundary"},
                              {.key = "charset"}};
        const char *mt;
        size_t mtl;
        sc_pyexc exc;
        int rc = sc_mimeopts_parse(&g_arena, arg[0].p, arg[0].len, &mt, &mtl, want, 4, &exc);
        if (rc == 0) {
            tb_str(out, "OK m");
            tb_hex(out, mt, mtl);
            for (int i = 0; i < 4; i++) {
                if (want[i].state == SC_OPT_ABSENT) {
                    tb_str(out, " -");
                } else if (want[i].state == SC_OPT_NONE) {
                    tb_str(out, " N");
                } else {
                    tb_str(out, " s");
                    tb_hex(out, want[i].val, want[i].len);
                }
            }
        } else {
            ASSERT_EQ_INT(rc, -EINVAL);
            tb_str(out, exc.kind == SC_PYEXC_VALUE ? "ERR V " : "ERR O ");
            tb_hex(out, exc.msg, strlen(exc.msg));
        }
    } else {
        SC_FAIL("unknown case kind %s", kind);
    }
    tb_str(out, "\n");
    for (size_t i = 0; i < 3; i++)
        free(arg[i].p);
}


/* ---- the differential check ---------------------------------------------------------------- */


int main(int argc, char **argv)
{
    sc_arena_init(&g_arena, 1 << 16);
    if (argc == 3 && strcmp(argv[1], "--cases") == 0) {
        int rc = sc_test_cases_mode(argv[2], run_case);
        sc_arena_free(&g_arena);
        return rc;
    }
    test_fixed();
    printf("test_sc_form: fixed cases passed\n");
    sc_test_run_check("tests/c/check_form.py");
    sc_arena_free(&g_arena);
    return 0;
}
