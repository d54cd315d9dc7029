#include "sc_pystr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sc_pyexc_set(sc_pyexc *e, sc_pyexc_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    e->kind = kind;
    if (n < 0) {
        e->msg[0] = '\0';
        return;
    }
    if ((size_t)n >= sizeof(e->msg)) {
        /* Truncated: never leave half a UTF-8 sequence, the text ends up in a JSON string. */
        size_t end = sizeof(e->msg) - 1;
        size_t i = end;
        while (i > 0 && ((unsigned char)e->msg[i - 1] & 0xC0) == 0x80)
            i--;
        if (i > 0 && (unsigned char)e->msg[i - 1] >= 0xC0) {
            unsigned char lead = (unsigned char)e->msg[i - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (end - (i - 1) < need)
                end = i - 1;
        }
        e->msg[end] = '\0';
    }
}

/* ---- character classes ----------------------------------------------------------------- */

int sc_py_isspace(uint32_t cp)
{
    /* The Unicode White_Space characters plus the ASCII separators 0x1C-0x1F that CPython's
     * str.isspace() also accepts (bidirectional class B/S). */
    if (cp < 0x80)
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
    switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return 1;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

/* Unicode general category Nd (Unicode 14, as in CPython 3.11): runs of ten digits each,
 * except the mathematical digits block. */
static const uint32_t sc_nd_ranges[][2] = {
    {0x30, 0x39},       {0x660, 0x669},     {0x6F0, 0x6F9},     {0x7C0, 0x7C9},
    {0x966, 0x96F},     {0x9E6, 0x9EF},     {0xA66, 0xA6F},     {0xAE6, 0xAEF},
    {0xB66, 0xB6F},     {0xBE6, 0xBEF},     {0xC66, 0xC6F},     {0xCE6, 0xCEF},
    {0xD66, 0xD6F},     {0xDE6, 0xDEF},     {0xE50, 0xE59},     {0xED0, 0xED9},
    {0xF20, 0xF29},     {0x1040, 0x1049},   {0x1090, 0x1099},   {0x17E0, 0x17E9},
    {0x1810, 0x1819},   {0x1946, 0x194F},   {0x19D0, 0x19D9},   {0x1A80, 0x1A89},
    {0x1A90, 0x1A99},   {0x1B50, 0x1B59},   {0x1BB0, 0x1BB9},   {0x1C40, 0x1C49},
    {0x1C50, 0x1C59},   {0xA620, 0xA629},   {0xA8D0, 0xA8D9},   {0xA900, 0xA909},
    {0xA9D0, 0xA9D9},   {0xA9F0, 0xA9F9},   {0xAA50, 0xAA59},   {0xABF0, 0xABF9},
    {0xFF10, 0xFF19},   {0x104A0, 0x104A9}, {0x10D30, 0x10D39}, {0x11066, 0x1106F},
    {0x110F0, 0x110F9}, {0x11136, 0x1113F}, {0x111D0, 0x111D9}, {0x112F0, 0x112F9},
    {0x11450, 0x11459}, {0x114D0, 0x114D9}, {0x11650, 0x11659}, {0x116C0, 0x116C9},
    {0x11730, 0x11739}, {0x118E0, 0x118E9}, {0x11950, 0x11959}, {0x11C50, 0x11C59},
    {0x11D50, 0x11D59}, {0x11DA0, 0x11DA9}, {0x16A60, 0x16A69}, {0x16AC0, 0x16AC9},
    {0x16B50, 0x16B59}, {0x1D7CE, 0x1D7FF}, {0x1E140, 0x1E149}, {0x1E2F0, 0x1E2F9},
    {0x1E950, 0x1E959}, {0x1FBF0, 0x1FBF9},
};

int sc_py_isdecimal(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= '0' && cp <= '9';
    size_t lo = 0, hi = sizeof(sc_nd_ranges) / sizeof(sc_nd_ranges[0]);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < sc_nd_ranges[mid][0])
            hi = mid;
        else if (cp > sc_nd_ranges[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* ---- UTF-8 ------------------------------------------------------------------------------- */

size_t sc_utf8_decode1(const unsigned char *s, size_t len, uint32_t *cp, size_t *bad,
                       const char **reason)
{
    static const char *const k_start = "invalid start byte";
    static const char *const k_cont = "invalid continuation byte";
    static const char *const k_end = "unexpected end of data";
    unsigned b0 = s[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    uint32_t v;

    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    if (b0 < 0xC2 || b0 > 0xF4) {
        *bad = 1;
        *reason = k_start;
        return 0;
    }
    if (b0 < 0xE0) {
        need = 2;
        v = b0 & 0x1F;
    } else if (b0 < 0xF0) {
        need = 3;
        v = b0 & 0x0F;
        /* The second byte's range is what rules out overlong forms and surrogates. */
        if (b0 == 0xE0)
            lo = 0xA0;
        else if (b0 == 0xED)
            hi = 0x9F;
    } else {
        need = 4;
        v = b0 & 0x07;
        if (b0 == 0xF0)
            lo = 0x90;
        else if (b0 == 0xF4)
            hi = 0x8F;
    }
    /* CPython folds the lead byte and every continuation byte accepted so far into one error. */
    for (size_t i = 1; i < need; i++) {
        if (i >= len) {
            *bad = i;
            *reason = k_end;
            return 0;
        }
        unsigned b = s[i];
        unsigned l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
        if (b < l || b > h) {
            *bad = i;
            *reason = k_cont;
            return 0;
        }
        v = (v << 6) | (b & 0x3F);
    }
    *cp = v;
    return need;
}

size_t sc_utf8_encode1(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- codec lookup ------------------------------------------------------------------------ */

enum { SC_MOD_NONE = -1, SC_MOD_NOT_TEXT = -2 };

typedef struct sc_codec_name {
    const char *name;
    int codec; /* an sc_codec, or SC_MOD_NOT_TEXT */
} sc_codec_name;

/* Module names of Python's encodings package and their aliases (encodings/aliases.py), for the
 * codecs implemented here and for the binary-to-binary codecs bytes.decode() refuses. */
static const sc_codec_name sc_codec_modules[] = {
    {"utf_8", SC_CODEC_UTF8},           {"utf_8_sig", SC_CODEC_UTF8_SIG},
    {"latin_1", SC_CODEC_LATIN1},       {"ascii", SC_CODEC_ASCII},
    {"base64_codec", SC_MOD_NOT_TEXT},  {"bz2_codec", SC_MOD_NOT_TEXT},
    {"hex_codec", SC_MOD_NOT_TEXT},     {"quopri_codec", SC_MOD_NOT_TEXT},
    {"rot_13", SC_MOD_NOT_TEXT},        {"uu_codec", SC_MOD_NOT_TEXT},
    {"zlib_codec", SC_MOD_NOT_TEXT},
};

static const sc_codec_name sc_codec_aliases[] = {
    {"u8", SC_CODEC_UTF8},
    {"utf", SC_CODEC_UTF8},
    {"utf8", SC_CODEC_UTF8},
    {"utf8_ucs2", SC_CODEC_UTF8},
    {"utf8_ucs4", SC_CODEC_UTF8},
    {"cp65001", SC_CODEC_UTF8},
    {"8859", SC_CODEC_LATIN1},
    {"cp819", SC_CODEC_LATIN1},
    {"csisolatin1", SC_CODEC_LATIN1},
    {"ibm819", SC_CODEC_LATIN1},
    {"iso8859", SC_CODEC_LATIN1},
    {"iso8859_1", SC_CODEC_LATIN1},
    {"iso_8859_1", SC_CODEC_LATIN1},
    {"iso_8859_1_1987", SC_CODEC_LATIN1},
    {"iso_ir_100", SC_CODEC_LATIN1},
    {"l1", SC_CODEC_LATIN1},
    {"latin", SC_CODEC_LATIN1},
    {"latin1", SC_CODEC_LATIN1},
    {"646", SC_CODEC_ASCII},
    {"ansi_x3.4_1968", SC_CODEC_ASCII},
    {"ansi_x3_4_1968", SC_CODEC_ASCII},
    {"ansi_x3.4_1986", SC_CODEC_ASCII},
    {"cp367", SC_CODEC_ASCII},
    {"csascii", SC_CODEC_ASCII},
    {"ibm367", SC_CODEC_ASCII},
    {"iso646_us", SC_CODEC_ASCII},
    {"iso_646.irv_1991", SC_CODEC_ASCII},
    {"iso_ir_6", SC_CODEC_ASCII},
    {"us", SC_CODEC_ASCII},
    {"us_ascii", SC_CODEC_ASCII},
    {"base64", SC_MOD_NOT_TEXT},
    {"base_64", SC_MOD_NOT_TEXT},
    {"bz2", SC_MOD_NOT_TEXT},
    {"hex", SC_MOD_NOT_TEXT},
    {"quopri", SC_MOD_NOT_TEXT},
    {"quoted_printable", SC_MOD_NOT_TEXT},
    {"quotedprintable", SC_MOD_NOT_TEXT},
    {"rot13", SC_MOD_NOT_TEXT},
    {"uu", SC_MOD_NOT_TEXT},
    {"zip", SC_MOD_NOT_TEXT},
    {"zlib", SC_MOD_NOT_TEXT},
};

static int sc_codec_find(const sc_codec_name *tab, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(tab[i].name, key) == 0)
            return tab[i].codec;
    return SC_MOD_NONE;
}

#define SC_COUNT(a) (sizeof(a) / sizeof((a)[0]))

int sc_codec_lookup(const char *name, size_t len, sc_codec *out, sc_pyexc *exc)
{
    if (memchr(name, '\0', len) != NULL) {
        sc_pyexc_set(exc, SC_PYEXC_VALUE, "embedded null character");
        return -EINVAL;
    }
    /* CPython's normalisation: ASCII letters, digits and '.' are kept (lower-cased), every
     * other run of bytes (non-ASCII included) becomes one '_', dropped at either end. No
     * known name is longer than 32 bytes, so a longer key can only be unknown. */
    char key[40];
    size_t k = 0;
    int punct = 0, too_long = 0;
    for (size_t i = 0; i < len && !too_long; i++) {
        unsigned char c = (unsigned char)name[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum || c == '.') {
            if (punct && k > 0) {
                if (k + 1 >= sizeof(key))
                    too_long = 1;
                else
                    key[k++] = '_';
            }
            punct = 0;
            if (k + 1 >= sizeof(key))
                too_long = 1;
            else
                key[k++] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
        } else {
            punct = 1;
        }
    }
    int codec = SC_MOD_NONE;
    if (!too_long) {
        key[k] = '\0';
        codec = sc_codec_find(sc_codec_aliases, SC_COUNT(sc_codec_aliases), key);
        if (codec == SC_MOD_NONE) {
            char alt[sizeof(key)];
            memcpy(alt, key, k + 1);
            for (size_t i = 0; i < k; i++)
                if (alt[i] == '.')
                    alt[i] = '_';
            codec = sc_codec_find(sc_codec_aliases, SC_COUNT(sc_codec_aliases), alt);
        }
        /* Without an alias the key itself is tried as a module name, unless it has a dot. */
        if (codec == SC_MOD_NONE && memchr(key, '.', k) == NULL)
            codec = sc_codec_find(sc_codec_modules, SC_COUNT(sc_codec_modules), key);
    }
    if (codec == SC_MOD_NOT_TEXT) {
        sc_pyexc_set(exc, SC_PYEXC_OTHER,
                     "'%.*s' is not a text encoding; "
                     "use codecs.decode() to handle arbitrary codecs",
                     (int)(len > 400 ? 400 : len), name);
        return -EINVAL;
    }
    if (codec == SC_MOD_NONE) {
        sc_pyexc_set(exc, SC_PYEXC_OTHER, "unknown encoding: %.*s", (int)(len > 512 ? 512 : len),
                     name);
        return -EINVAL;
    }
    *out = (sc_codec)codec;
    return 0;
}

/* ---- decoding ---------------------------------------------------------------------------- */

int sc_py_decode(sc_arena *a, sc_codec codec, int replace, const unsigned char *s, size_t len,
                 char **out, size_t *out_len, sc_pyexc *exc)
{
    if (codec == SC_CODEC_UTF8_SIG) {
        if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
            s += 3;
            len -= 3;
        }
        codec = SC_CODEC_UTF8;
    }
    /* Worst cases: one invalid byte becomes U+FFFD (3 bytes); Latin-1 doubles high bytes. */
    if (len > (SIZE_MAX - 1) / 3)
        return -ENOMEM;
    char *o = sc_arena_alloc(a, len * 3 + 1);
    if (o == NULL)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c < 0x80) {
            o[n++] = (char)c;
            i++;
            continue;
        }
        if (codec == SC_CODEC_LATIN1) {
            n += sc_utf8_encode1(c, o + n);
            i++;
            continue;
        }
        size_t bad = 1;
        const char *reason = NULL;
        uint32_t cp;
        size_t k = 0;
        if (codec == SC_CODEC_ASCII)
            reason = "ordinal not in range(128)";
        else
            k = sc_utf8_decode1(s + i, len - i, &cp, &bad, &reason);
        if (k > 0) {
            memcpy(o + n, s + i, k);
            n += k;
            i += k;
            continue;
        }
        if (!replace) {
            const char *cname = codec == SC_CODEC_ASCII ? "ascii" : "utf-8";
            if (bad == 1)
                sc_pyexc_set(exc, SC_PYEXC_VALUE,
                             "'%s' codec can't decode byte 0x%02x in position %zu: %s", cname,
                             (unsigned)c, i, reason);
            else
                sc_pyexc_set(exc, SC_PYEXC_VALUE,
                             "'%s' codec can't decode bytes in position %zu-%zu: %s", cname, i,
                             i + bad - 1, reason);
            return -EINVAL;
        }
        n += sc_utf8_encode1(0xFFFD, o + n);
        i += bad;
    }
    o[n] = '\0';
    *out = o;
    *out_len = n;
    return 0;
}

int sc_py_bytes_decode(sc_arena *a, const char *name, size_t name_len, int replace,
                       const unsigned char *s, size_t len, char **out, size_t *out_len,
                       sc_pyexc *exc)
{
    if (memchr(name, '\0', name_len) != NULL) {
        sc_pyexc_set(exc, SC_PYEXC_VALUE, "embedded null character");
        return -EINVAL;
    }
    if (len == 0) {
        char *o = sc_arena_alloc(a, 1);
        if (o == NULL)
            return -ENOMEM;
        o[0] = '\0';
        *out = o;
        *out_len = 0;
        return 0;
    }
    sc_codec codec;
    int rc = sc_codec_lookup(name, name_len, &codec, exc);
    if (rc != 0)
        return rc;
    return sc_py_decode(a, codec, replace, s, len, out, out_len, exc);
}

/* ---- code point arrays ------------------------------------------------------------------- */

int sc_ustr_from_latin1(sc_arena *a, const unsigned char *s, size_t len, sc_ustr *out)
{
    if (len > SIZE_MAX / sizeof(uint32_t) - 1)
        return -ENOMEM;
    uint32_t *cp = sc_arena_alloc(a, (len + 1) * sizeof(uint32_t));
    if (cp == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < len; i++)
        cp[i] = s[i];
    out->cp = cp;
    out->len = len;
    return 0;
}

int sc_ustr_from_utf8(sc_arena *a, const char *s, size_t len, sc_ustr *out)
{
    if (len > SIZE_MAX / sizeof(uint32_t) - 1)
        return -ENOMEM;
    uint32_t *cp = sc_arena_alloc(a, (len + 1) * sizeof(uint32_t));
    if (cp == NULL)
        return -ENOMEM;
    size_t n = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t bad;
        const char *reason;
        size_t k = sc_utf8_decode1(u + i, len - i, &cp[n], &bad, &reason);
        if (k == 0) {
            /* Callers only pass text they decoded themselves; keep going defensively. */
            cp[n] = 0xFFFD;
            k = bad;
        }
        n++;
        i += k;
    }
    out->cp = cp;
    out->len = n;
    return 0;
}

int sc_ustr_to_utf8(sc_arena *a, sc_ustr u, char **out, size_t *out_len)
{
    if (u.len > (SIZE_MAX - 1) / 4)
        return -ENOMEM;
    char *o = sc_arena_alloc(a, u.len * 4 + 1);
    if (o == NULL)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < u.len; i++)
        n += sc_utf8_encode1(u.cp[i], o + n);
    o[n] = '\0';
    *out = o;
    *out_len = n;
    return 0;
}

int sc_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
