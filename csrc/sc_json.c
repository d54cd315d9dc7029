/* sc_json: one-pass JSON parser reproducing CPython 3.11 `json.loads(str)` (strict mode).
 *
 * Shape of the parser: an explicit state machine (no C recursion, so max_depth is bounded by
 * memory, not by the thread's stack) with three scratch stacks — pending array items, pending
 * object members and open containers. A container's children are copied once into the arena
 * when it closes, so arrays never grow by reallocation inside the arena. Nodes and strings come
 * from a bump region carved out of the arena in growing blocks, which avoids one arena call and
 * 16-byte rounding per node.
 *
 * Error fidelity: Python decodes the bytes before it parses, so an invalid UTF-8 byte anywhere
 * beats any JSON error. The happy path only validates UTF-8 inside strings (outside them any
 * non-ASCII byte is already a syntax error); every error path re-validates the whole buffer to
 * find the byte Python's decoder would name. Positions in messages count code points.
 */
#include "sc_json.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_float.h"

/* Scratch space kept inside the parser (on the caller's stack) so typical requests never touch
 * malloc; larger documents spill to the heap and the heap blocks are freed at the end. */
#define SC_JSON_INLINE_ITEMS 256
#define SC_JSON_INLINE_MEMBERS 32
#define SC_JSON_INLINE_FRAMES 32
#define SC_JSON_INLINE_STR 256

/* Bump blocks start small (tiny documents stay tiny) and double up to this size. */
#define SC_JSON_BUMP_MIN 256
#define SC_JSON_BUMP_MAX 65536

/* Up to this many members, duplicate keys are found by a linear scan; above it, a hash table
 * keeps a hostile object with many keys from costing O(n^2). */
#define SC_JSON_LINEAR_DEDUP 16

enum { SC_JSON_FRAME_ARRAY, SC_JSON_FRAME_OBJECT };

enum {
    SC_JSON_ERR_SYNTAX = 1, /* JSONDecodeError: message + position */
    SC_JSON_ERR_DEPTH,      /* RecursionError */
    SC_JSON_ERR_ENCODING,   /* invalid UTF-8 found while scanning a string */
    SC_JSON_ERR_NOMEM
};

typedef struct sc_json_frame {
    size_t base; /* first index of this container's children in the items/members stack */
    int kind;
} sc_json_frame;

typedef struct sc_json_parser {
    sc_arena *arena;
    const unsigned char *buf;
    size_t len;
    size_t max_depth;

    unsigned char *bump;
    size_t bump_left;
    size_t bump_next;

    sc_json **items;
    size_t items_len, items_cap;
    sc_json_member *members;
    size_t members_len, members_cap;
    sc_json_frame *frames;
    size_t frames_len, frames_cap;
    unsigned char *str; /* decoded text of a string that contains escapes */
    size_t str_cap;
    size_t *hash; /* dedup table for large objects: member index + 1, 0 = empty */
    size_t hash_cap;
    uint64_t hash_seed;

    int err_kind;
    size_t err_off;
    const char *err_msg;

    sc_json *items_inline[SC_JSON_INLINE_ITEMS];
    sc_json_member members_inline[SC_JSON_INLINE_MEMBERS];
    sc_json_frame frames_inline[SC_JSON_INLINE_FRAMES];
    unsigned char str_inline[SC_JSON_INLINE_STR];
} sc_json_parser;

/* ---- errors -------------------------------------------------------------------------------- */

static int sc_json_fail(sc_json_parser *ps, int kind, size_t off, const char *msg)
{
    ps->err_kind = kind;
    ps->err_off = off;
    ps->err_msg = msg;
    return kind == SC_JSON_ERR_NOMEM ? -ENOMEM : -EINVAL;
}

static int sc_json_syntax(sc_json_parser *ps, size_t off, const char *msg)
{
    return sc_json_fail(ps, SC_JSON_ERR_SYNTAX, off, msg);
}

static int sc_json_nomem(sc_json_parser *ps)
{
    return sc_json_fail(ps, SC_JSON_ERR_NOMEM, 0, "out of memory");
}

/* ---- memory -------------------------------------------------------------------------------- */

static void *sc_json_bump(sc_json_parser *ps, size_t size, size_t align)
{
    size_t pad = (size_t)(-(uintptr_t)ps->bump) & (align - 1);
    if (ps->bump == NULL || ps->bump_left < pad || ps->bump_left - pad < size) {
        /* Large blocks (big arrays, long strings) go straight to the arena: carving them from a
         * bump block would strand the block's remainder. */
        if (size >= SC_JSON_BUMP_MAX / 4)
            return sc_arena_alloc(ps->arena, size);
        size_t block = ps->bump_next;
        while (block < size)
            block *= 2;
        unsigned char *b = sc_arena_alloc(ps->arena, block);
        if (b == NULL)
            return NULL;
        ps->bump = b;
        ps->bump_left = block;
        if (ps->bump_next < SC_JSON_BUMP_MAX)
            ps->bump_next *= 2;
        pad = 0; /* arena blocks are 16-aligned */
    }
    void *p = ps->bump + pad;
    ps->bump += pad + size;
    ps->bump_left -= pad + size;
    return p;
}

static sc_json *sc_json_node(sc_json_parser *ps, sc_json_type type)
{
    sc_json *n = sc_json_bump(ps, sizeof(*n), _Alignof(sc_json));
    if (n != NULL)
        n->type = type;
    return n;
}

static char *sc_json_copy_str(sc_json_parser *ps, const void *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = sc_json_bump(ps, len + 1, 1);
    if (p == NULL)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* Grows a scratch stack to hold at least need elements; *ptr starts as inline storage, which is
 * never freed. */
static int sc_json_grow(void **ptr, size_t *cap, size_t elem, const void *inline_buf, size_t need)
{
    size_t ncap = *cap;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem)
            return -ENOMEM;
        ncap *= 2;
    }
    void *p;
    if (*ptr == inline_buf) {
        p = malloc(ncap * elem);
        if (p == NULL)
            return -ENOMEM;
        memcpy(p, *ptr, *cap * elem);
    } else {
        p = realloc(*ptr, ncap * elem);
        if (p == NULL)
            return -ENOMEM;
    }
    *ptr = p;
    *cap = ncap;
    return 0;
}

static void sc_json_parser_init(sc_json_parser *ps, sc_arena *arena, const char *buf, size_t len,
                                size_t max_depth)
{
    ps->arena = arena;
    ps->buf = (const unsigned char *)buf;
    ps->len = len;
    ps->max_depth = max_depth;
    ps->bump = NULL;
    ps->bump_left = 0;
    ps->bump_next = SC_JSON_BUMP_MIN;
    /* A body of n bytes holds at most about n nodes: size the first block from it. */
    while (ps->bump_next < SC_JSON_BUMP_MAX && ps->bump_next / 4 < len)
        ps->bump_next *= 2;
    ps->items = ps->items_inline;
    ps->items_len = 0;
    ps->items_cap = SC_JSON_INLINE_ITEMS;
    ps->members = ps->members_inline;
    ps->members_len = 0;
    ps->members_cap = SC_JSON_INLINE_MEMBERS;
    ps->frames = ps->frames_inline;
    ps->frames_len = 0;
    ps->frames_cap = SC_JSON_INLINE_FRAMES;
    ps->str = ps->str_inline;
    ps->str_cap = SC_JSON_INLINE_STR;
    ps->hash = NULL;
    ps->hash_cap = 0;
    /* The stack address varies per process (ASLR) and per thread, which is enough to keep
     * dedup hash collisions from being precomputed by a client. */
    ps->hash_seed = (uint64_t)(uintptr_t)ps * 0x9E3779B97F4A7C15u;
    ps->err_kind = 0;
    ps->err_off = 0;
    ps->err_msg = NULL;
}

static void sc_json_parser_free(sc_json_parser *ps)
{
    if (ps->items != ps->items_inline)
        free(ps->items);
    if (ps->members != ps->members_inline)
        free(ps->members);
    if (ps->frames != ps->frames_inline)
        free(ps->frames);
    if (ps->str != ps->str_inline)
        free(ps->str);
    free(ps->hash);
}

/* ---- UTF-8 --------------------------------------------------------------------------------- */

static int sc_json_is_cont(unsigned c)
{
    return (c & 0xC0) == 0x80;
}

/* Length of the well-formed UTF-8 sequence starting at p (lead byte >= 0x80), or 0. Same rules
 * as Python's decoder: no overlong forms, no encoded surrogates, nothing above U+10FFFF. */
static size_t sc_json_utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t avail = (size_t)(end - p);
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return avail >= 2 && sc_json_is_cont(p[1]) ? 2 : 0;
    if (c < 0xF0) {
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return avail >= 3 && p[1] >= lo && p[1] <= hi && sc_json_is_cont(p[2]) ? 3 : 0;
    }
    if (c < 0xF5) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return avail >= 4 && p[1] >= lo && p[1] <= hi && sc_json_is_cont(p[2]) &&
                       sc_json_is_cont(p[3])
                   ? 4
                   : 0;
    }
    return 0;
}

/* Finds the first decoding error exactly as CPython's UTF-8 decoder reports it (including how
 * many bytes it blames and its reason). Returns 1 and fills msg/off when the buffer is invalid. */
static int sc_json_utf8_explain(const unsigned char *b, size_t n, char *msg, size_t msg_size,
                                size_t *off)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = b[i];
        size_t left = n - i, blamed = 1;
        const char *reason = NULL;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c < 0xC2 || c >= 0xF5) {
            reason = "invalid start byte";
        } else if (c < 0xE0) {
            if (left < 2) {
                reason = "unexpected end of data";
            } else if (!sc_json_is_cont(b[i + 1])) {
                reason = "invalid continuation byte";
            } else {
                i += 2;
                continue;
            }
        } else {
            size_t need = c < 0xF0 ? 3 : 4;
            unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
            unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
            /* The decoder blames one byte per continuation byte it accepted before failing. */
            if (left >= 2 && (b[i + 1] < lo || b[i + 1] > hi)) {
                reason = "invalid continuation byte";
            } else if (left >= 3 && !sc_json_is_cont(b[i + 2])) {
                reason = "invalid continuation byte";
                blamed = 2;
            } else if (need == 4 && left >= 4 && !sc_json_is_cont(b[i + 3])) {
                reason = "invalid continuation byte";
                blamed = 3;
            } else if (left < need) {
                /* A truncated but so-far valid sequence: everything to the end is blamed. */
                reason = "unexpected end of data";
                blamed = left;
            } else {
                i += need;
                continue;
            }
        }
        *off = i;
        if (blamed == 1)
            snprintf(msg, msg_size, "'utf-8' codec can't decode byte 0x%02x in position %zu: %s",
                     c, i, reason);
        else
            snprintf(msg, msg_size, "'utf-8' codec can't decode bytes in position %zu-%zu: %s", i,
                     i + blamed - 1, reason);
        return 1;
    }
    return 0;
}

/* ---- strings ------------------------------------------------------------------------------- */

/* True when one of the 8 bytes in w is '"', '\\', a control character or non-ASCII: the bytes a
 * string scan must look at. Word-at-a-time because long plain strings are common (names, keys,
 * strData) and this is 8x fewer branches. */
static int sc_json_word_special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t q = w ^ (ones * '"');
    uint64_t s = w ^ (ones * '\\');
    uint64_t t = ((q - ones) & ~q) | ((s - ones) & ~s) | ((w - ones * 0x20) & ~w) | w;
    return (t & high) != 0;
}

/* Skips string content that needs no decoding. Stops at '"', '\\', a control character, the end,
 * or an invalid UTF-8 sequence (*bad set). */
static const unsigned char *sc_json_skip_plain(const unsigned char *p, const unsigned char *end,
                                               int *bad)
{
    for (;;) {
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, sizeof(w));
            if (sc_json_word_special(w))
                break;
            p += 8;
        }
        if (p >= end)
            return p;
        unsigned c = *p;
        if (c == '"' || c == '\\' || c < 0x20)
            return p;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t n = sc_json_utf8_len(p, end);
        if (n == 0) {
            *bad = 1;
            return p;
        }
        p += n;
    }
}

static int sc_json_str_reserve(sc_json_parser *ps, size_t need)
{
    if (need <= ps->str_cap)
        return 0;
    void *p = ps->str;
    int rc = sc_json_grow(&p, &ps->str_cap, 1, ps->str_inline, need);
    ps->str = p;
    return rc;
}

static int sc_json_hex4(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

/* The byte a one-letter escape stands for, or 0 when the letter is not an escape. */
static unsigned char sc_json_simple_escape(unsigned char c)
{
    switch (c) {
    case '"':
    case '\\':
    case '/':
        return c;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return 0;
    }
}

/* Encodes a code point; surrogates get their 3-byte (WTF-8) form like any other BMP value. */
static size_t sc_json_put_utf8(unsigned char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the string whose opening quote is at *pos; on success *pos is just past the closing
 * quote and the text (arena, NUL-terminated) is in *out / *out_len. Errors, and the order in
 * which they are noticed, follow CPython's scanstring. */
static int sc_json_string(sc_json_parser *ps, size_t *pos, const char **out, size_t *out_len)
{
    const unsigned char *buf = ps->buf, *end = buf + ps->len;
    size_t quote = *pos;
    const unsigned char *start = buf + quote + 1;
    int bad = 0;
    const unsigned char *p = sc_json_skip_plain(start, end, &bad);

    if (!bad && p < end && *p == '"') {
        /* No escapes: the bytes are the value. */
        char *s = sc_json_copy_str(ps, start, (size_t)(p - start));
        if (s == NULL)
            return sc_json_nomem(ps);
        *out = s;
        *out_len = (size_t)(p - start);
        *pos = (size_t)(p - buf) + 1;
        return 0;
    }

    /* Slow path: decode into the per-parse scratch buffer, then copy the result once. */
    size_t n = (size_t)(p - start);
    if (sc_json_str_reserve(ps, n + 64) < 0)
        return sc_json_nomem(ps);
    memcpy(ps->str, start, n);
    for (;;) {
        if (bad)
            return sc_json_fail(ps, SC_JSON_ERR_ENCODING, (size_t)(p - buf), NULL);
        if (p >= end)
            return sc_json_syntax(ps, quote, "Unterminated string starting at");
        unsigned c = *p;
        if (c == '"')
            break;
        if (c != '\\')
            return sc_json_syntax(ps, (size_t)(p - buf), "Invalid control character at");
        if (end - p < 2)
            return sc_json_syntax(ps, quote, "Unterminated string starting at");
        if (p[1] == 'u') {
            unsigned cp, lo;
            /* CPython wants the 4 digits *and* one more character after them; a failure of
             * either kind is reported at the 'u'. */
            if (end - p <= 6 || !sc_json_hex4(p + 2, &cp))
                return sc_json_syntax(ps, (size_t)(p + 1 - buf), "Invalid \\uXXXX escape");
            p += 6;
            /* A high surrogate joins a directly following low-surrogate escape; CPython only
             * looks when 7 more characters follow, and an escape that is not a low surrogate
             * is left to be decoded on its own. */
            if (cp >= 0xD800 && cp <= 0xDBFF && end - p > 6 && p[0] == '\\' && p[1] == 'u') {
                if (!sc_json_hex4(p + 2, &lo))
                    return sc_json_syntax(ps, (size_t)(p + 1 - buf), "Invalid \\uXXXX escape");
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            n += sc_json_put_utf8(ps->str + n, cp);
        } else {
            unsigned char ch = sc_json_simple_escape(p[1]);
            if (ch == 0)
                return sc_json_syntax(ps, (size_t)(p - buf), "Invalid \\escape");
            ps->str[n++] = ch;
            p += 2;
        }
        const unsigned char *q = sc_json_skip_plain(p, end, &bad);
        size_t run = (size_t)(q - p);
        /* +4: room for the next escape's output (at most 4 bytes). */
        if (sc_json_str_reserve(ps, n + run + 4) < 0)
            return sc_json_nomem(ps);
        memcpy(ps->str + n, p, run);
        n += run;
        p = q;
    }
    char *s = sc_json_copy_str(ps, ps->str, n);
    if (s == NULL)
        return sc_json_nomem(ps);
    *out = s;
    *out_len = n;
    *pos = (size_t)(p - buf) + 1;
    return 0;
}

/* ---- numbers ------------------------------------------------------------------------------- */

static int sc_json_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Matches a number at *pos like CPython's _match_number: an optional fraction or exponent that
 * is not followed by digits is simply not part of the number (it then fails as extra data or a
 * missing delimiter). */
static int sc_json_number(sc_json_parser *ps, size_t *pos, sc_json **out)
{
    const unsigned char *buf = ps->buf;
    size_t len = ps->len, start = *pos, p = start;
    int neg = 0, is_real = 0;

    if (buf[p] == '-') {
        neg = 1;
        p++;
    }
    if (p >= len || !sc_json_digit(buf[p]))
        return sc_json_syntax(ps, start, "Expecting value");
    size_t digits = p;
    if (buf[p] == '0') {
        p++;
    } else {
        while (p < len && sc_json_digit(buf[p]))
            p++;
    }
    size_t int_end = p;
    if (p + 1 < len && buf[p] == '.' && sc_json_digit(buf[p + 1])) {
        p += 2;
        while (p < len && sc_json_digit(buf[p]))
            p++;
        is_real = 1;
    }
    if (p < len && (buf[p] == 'e' || buf[p] == 'E')) {
        size_t q = p + 1;
        if (q < len && (buf[q] == '+' || buf[q] == '-'))
            q++;
        size_t exp_digits = q;
        while (q < len && sc_json_digit(buf[q]))
            q++;
        if (q > exp_digits) {
            p = q;
            is_real = 1;
        }
    }
    *pos = p;

    sc_json *n;
    if (is_real) {
        n = sc_json_node(ps, SC_JSON_REAL);
        if (n == NULL)
            return sc_json_nomem(ps);
        n->u.d = sc_float_parse((const char *)buf + start, p - start);
        *out = n;
        return 0;
    }
    size_t ndig = int_end - digits;
    /* 19 decimal digits always fit in uint64_t; more never fit in int64_t (no leading zeros). */
    if (ndig <= 19) {
        uint64_t v = 0;
        for (size_t i = digits; i < int_end; i++)
            v = v * 10 + (uint64_t)(buf[i] - '0');
        if (v <= (uint64_t)INT64_MAX || (neg && v == (uint64_t)INT64_MAX + 1)) {
            n = sc_json_node(ps, SC_JSON_INT);
            if (n == NULL)
                return sc_json_nomem(ps);
            /* Negate in unsigned arithmetic: -(2^63) has no positive int64_t counterpart. */
            n->u.i = neg ? (int64_t)(0 - v) : (int64_t)v;
            *out = n;
            return 0;
        }
    }
    n = sc_json_node(ps, SC_JSON_BIGINT);
    if (n == NULL)
        return sc_json_nomem(ps);
    n->u.s.ptr = sc_json_copy_str(ps, buf + start, p - start);
    if (n->u.s.ptr == NULL)
        return sc_json_nomem(ps);
    n->u.s.len = p - start;
    *out = n;
    return 0;
}

/* ---- containers ---------------------------------------------------------------------------- */

static int sc_json_open(sc_json_parser *ps, int kind, size_t pos)
{
    if (ps->frames_len >= ps->max_depth)
        return sc_json_fail(ps, SC_JSON_ERR_DEPTH, pos,
                            kind == SC_JSON_FRAME_ARRAY
                                ? "maximum recursion depth exceeded while decoding a JSON array "
                                  "from a unicode string"
                                : "maximum recursion depth exceeded while decoding a JSON object "
                                  "from a unicode string");
    if (ps->frames_len == ps->frames_cap) {
        void *p = ps->frames;
        int rc = sc_json_grow(&p, &ps->frames_cap, sizeof(sc_json_frame), ps->frames_inline,
                              ps->frames_len + 1);
        ps->frames = p;
        if (rc < 0)
            return sc_json_nomem(ps);
    }
    sc_json_frame *f = &ps->frames[ps->frames_len++];
    f->kind = kind;
    f->base = kind == SC_JSON_FRAME_ARRAY ? ps->items_len : ps->members_len;
    return 0;
}

static sc_json *sc_json_close_array(sc_json_parser *ps)
{
    size_t base = ps->frames[--ps->frames_len].base;
    size_t n = ps->items_len - base;
    sc_json *node = sc_json_node(ps, SC_JSON_ARRAY);
    /* Size 0 still yields a valid pointer, so callers may memcpy from an empty array. */
    sc_json **items = sc_json_bump(ps, n * sizeof(*items), _Alignof(sc_json *));
    if (node == NULL || items == NULL)
        return NULL;
    if (n)
        memcpy(items, ps->items + base, n * sizeof(*items));
    node->u.a.items = items;
    node->u.a.len = n;
    ps->items_len = base;
    return node;
}

static uint64_t sc_json_hash(uint64_t seed, const char *s, size_t len)
{
    uint64_t h = seed ^ len;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001B3u;
    /* Final avalanche so that the low bits used as the slot depend on every input bit. */
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDu;
    h ^= h >> 33;
    return h;
}

static int sc_json_same_key(const sc_json_member *a, const sc_json_member *b)
{
    return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0;
}

/* Copies src[0..n) to out, merging repeated keys the way a dict does (first position, last
 * value); returns the number of distinct keys, or (size_t)-1 on ENOMEM. */
static size_t sc_json_dedup(sc_json_parser *ps, const sc_json_member *src, size_t n,
                            sc_json_member *out)
{
    size_t k = 0;
    if (n <= SC_JSON_LINEAR_DEDUP) {
        for (size_t i = 0; i < n; i++) {
            size_t j = 0;
            while (j < k && !sc_json_same_key(&out[j], &src[i]))
                j++;
            if (j < k)
                out[j].value = src[i].value;
            else
                out[k++] = src[i];
        }
        return k;
    }
    size_t cap = 64;
    while (cap < 2 * n)
        cap *= 2;
    if (cap > ps->hash_cap) {
        size_t *h = realloc(ps->hash, cap * sizeof(*h));
        if (h == NULL)
            return (size_t)-1;
        ps->hash = h;
        ps->hash_cap = cap;
    }
    memset(ps->hash, 0, cap * sizeof(*ps->hash));
    for (size_t i = 0; i < n; i++) {
        size_t slot = (size_t)sc_json_hash(ps->hash_seed, src[i].key, src[i].key_len) & (cap - 1);
        for (;;) {
            size_t e = ps->hash[slot];
            if (e == 0) {
                ps->hash[slot] = k + 1;
                out[k++] = src[i];
                break;
            }
            if (sc_json_same_key(&out[e - 1], &src[i])) {
                out[e - 1].value = src[i].value;
                break;
            }
            slot = (slot + 1) & (cap - 1);
        }
    }
    return k;
}

static sc_json *sc_json_close_object(sc_json_parser *ps)
{
    size_t base = ps->frames[--ps->frames_len].base;
    size_t n = ps->members_len - base;
    sc_json *node = sc_json_node(ps, SC_JSON_OBJECT);
    sc_json_member *out = sc_json_bump(ps, n * sizeof(*out), _Alignof(sc_json_member));
    if (node == NULL || out == NULL)
        return NULL;
    size_t k = sc_json_dedup(ps, ps->members + base, n, out);
    if (k == (size_t)-1)
        return NULL;
    node->u.o.members = out;
    node->u.o.len = k;
    ps->members_len = base;
    return node;
}

/* ---- the document -------------------------------------------------------------------------- */

static size_t sc_json_skip_ws(const unsigned char *buf, size_t len, size_t p)
{
    while (p < len && (buf[p] == ' ' || buf[p] == '\n' || buf[p] == '\r' || buf[p] == '\t'))
        p++;
    return p;
}

static int sc_json_literal(sc_json_parser *ps, size_t *pos, const char *word, size_t wlen)
{
    if (ps->len - *pos < wlen || memcmp(ps->buf + *pos, word, wlen) != 0)
        return 0;
    *pos += wlen;
    return 1;
}

static sc_json *sc_json_real(sc_json_parser *ps, double d)
{
    sc_json *n = sc_json_node(ps, SC_JSON_REAL);
    if (n != NULL)
        n->u.d = d;
    return n;
}

/* The state machine: VALUE reads one value (or opens a container), HAVE_VALUE attaches a
 * finished value to the innermost open container and reads the delimiter after it, KEY reads a
 * member name and its ':'. Positions and messages mirror CPython's scanner step for step. */
static int sc_json_document(sc_json_parser *ps, sc_json **out)
{
    const unsigned char *buf = ps->buf;
    const size_t len = ps->len;
    size_t p = sc_json_skip_ws(buf, len, 0);
    sc_json *v = NULL;
    int rc;

value:
    if (p >= len)
        return sc_json_syntax(ps, p, "Expecting value");
    switch (buf[p]) {
    case '[':
        if ((rc = sc_json_open(ps, SC_JSON_FRAME_ARRAY, p)) < 0)
            return rc;
        p = sc_json_skip_ws(buf, len, p + 1);
        if (p < len && buf[p] == ']') {
            p++;
            if ((v = sc_json_close_array(ps)) == NULL)
                return sc_json_nomem(ps);
            goto have_value;
        }
        goto value;
    case '{':
        if ((rc = sc_json_open(ps, SC_JSON_FRAME_OBJECT, p)) < 0)
            return rc;
        p = sc_json_skip_ws(buf, len, p + 1);
        if (p < len && buf[p] == '}') {
            p++;
            if ((v = sc_json_close_object(ps)) == NULL)
                return sc_json_nomem(ps);
            goto have_value;
        }
        goto key;
    case '"': {
        const char *s;
        size_t slen;
        if ((rc = sc_json_string(ps, &p, &s, &slen)) < 0)
            return rc;
        if ((v = sc_json_node(ps, SC_JSON_STRING)) == NULL)
            return sc_json_nomem(ps);
        v->u.s.ptr = s;
        v->u.s.len = slen;
        break;
    }
    case 'n':
    case 't':
    case 'f': {
        sc_json_type t;
        if (sc_json_literal(ps, &p, "null", 4))
            t = SC_JSON_NULL;
        else if (sc_json_literal(ps, &p, "true", 4))
            t = SC_JSON_TRUE;
        else if (sc_json_literal(ps, &p, "false", 5))
            t = SC_JSON_FALSE;
        else
            return sc_json_syntax(ps, p, "Expecting value");
        if ((v = sc_json_node(ps, t)) == NULL)
            return sc_json_nomem(ps);
        break;
    }
    case 'N':
        if (!sc_json_literal(ps, &p, "NaN", 3))
            return sc_json_syntax(ps, p, "Expecting value");
        if ((v = sc_json_real(ps, NAN)) == NULL)
            return sc_json_nomem(ps);
        break;
    case 'I':
        if (!sc_json_literal(ps, &p, "Infinity", 8))
            return sc_json_syntax(ps, p, "Expecting value");
        if ((v = sc_json_real(ps, INFINITY)) == NULL)
            return sc_json_nomem(ps);
        break;
    default:
        if (buf[p] == '-' && sc_json_literal(ps, &p, "-Infinity", 9)) {
            if ((v = sc_json_real(ps, -INFINITY)) == NULL)
                return sc_json_nomem(ps);
            break;
        }
        if ((rc = sc_json_number(ps, &p, &v)) < 0)
            return rc;
        break;
    }

have_value:
    if (ps->frames_len == 0) {
        p = sc_json_skip_ws(buf, len, p);
        if (p != len)
            return sc_json_syntax(ps, p, "Extra data");
        *out = v;
        return 0;
    }
    p = sc_json_skip_ws(buf, len, p);
    if (ps->frames[ps->frames_len - 1].kind == SC_JSON_FRAME_ARRAY) {
        if (ps->items_len == ps->items_cap) {
            void *tmp = ps->items;
            rc = sc_json_grow(&tmp, &ps->items_cap, sizeof(sc_json *), ps->items_inline,
                              ps->items_len + 1);
            ps->items = tmp;
            if (rc < 0)
                return sc_json_nomem(ps);
        }
        ps->items[ps->items_len++] = v;
        if (p < len && buf[p] == ']') {
            p++;
            if ((v = sc_json_close_array(ps)) == NULL)
                return sc_json_nomem(ps);
            goto have_value;
        }
        if (p >= len || buf[p] != ',')
            return sc_json_syntax(ps, p, "Expecting ',' delimiter");
        p = sc_json_skip_ws(buf, len, p + 1);
        goto value;
    }
    ps->members[ps->members_len - 1].value = v;
    if (p < len && buf[p] == '}') {
        p++;
        if ((v = sc_json_close_object(ps)) == NULL)
            return sc_json_nomem(ps);
        goto have_value;
    }
    if (p >= len || buf[p] != ',')
        return sc_json_syntax(ps, p, "Expecting ',' delimiter");
    p = sc_json_skip_ws(buf, len, p + 1);

key:
    if (p >= len || buf[p] != '"')
        return sc_json_syntax(ps, p, "Expecting property name enclosed in double quotes");
    if (ps->members_len == ps->members_cap) {
        void *tmp = ps->members;
        rc = sc_json_grow(&tmp, &ps->members_cap, sizeof(sc_json_member), ps->members_inline,
                          ps->members_len + 1);
        ps->members = tmp;
        if (rc < 0)
            return sc_json_nomem(ps);
    }
    {
        sc_json_member *m = &ps->members[ps->members_len];
        if ((rc = sc_json_string(ps, &p, &m->key, &m->key_len)) < 0)
            return rc;
        m->value = NULL;
        ps->members_len++;
    }
    p = sc_json_skip_ws(buf, len, p);
    if (p >= len || buf[p] != ':')
        return sc_json_syntax(ps, p, "Expecting ':' delimiter");
    p = sc_json_skip_ws(buf, len, p + 1);
    goto value;
}

/* Turns the parser's error into Python's text. Runs only on failure, so the whole-buffer UTF-8
 * check (which decides whether the decoder would have failed first) costs nothing on success. */
static void sc_json_report(const sc_json_parser *ps, sc_json_error *err)
{
    memset(err, 0, sizeof(*err));
    if (sc_json_utf8_explain(ps->buf, ps->len, err->message, sizeof(err->message),
                             &err->byte_offset)) {
        err->is_encoding = 1;
        return;
    }
    err->byte_offset = ps->err_off;
    if (ps->err_kind == SC_JSON_ERR_DEPTH) {
        err->is_depth = 1;
        snprintf(err->message, sizeof(err->message), "%s", ps->err_msg);
        return;
    }
    if (ps->err_kind == SC_JSON_ERR_ENCODING) {
        /* Unreachable: the scanner and the explainer apply the same rules. Kept as a guard. */
        err->is_encoding = 1;
        snprintf(err->message, sizeof(err->message), "invalid UTF-8 at byte %zu", ps->err_off);
        return;
    }
    /* Python counts lines and columns in code points: count every byte that starts one. */
    size_t cp = 0, line = 1, nl_cp = 0;
    for (size_t i = 0; i < ps->err_off && i < ps->len; i++) {
        unsigned char b = ps->buf[i];
        if (sc_json_is_cont(b))
            continue;
        if (b == '\n') {
            line++;
            nl_cp = cp;
        }
        cp++;
    }
    size_t col = line == 1 ? cp + 1 : cp - nl_cp;
    snprintf(err->message, sizeof(err->message), "%s: line %zu column %zu (char %zu)",
             ps->err_msg, line, col, cp);
}

int sc_json_parse(sc_arena *arena, const char *buf, size_t len, size_t max_depth, sc_json **out,
                  sc_json_error *err)
{
    sc_json_parser ps;
    sc_json_parser_init(&ps, arena, buf, len, max_depth);
    int rc;
    *out = NULL;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        /* json.loads(str) refuses a leading U+FEFF before looking at anything else. */
        rc = sc_json_syntax(&ps, 0, "Unexpected UTF-8 BOM (decode using utf-8-sig)");
    } else {
        rc = sc_json_document(&ps, out);
    }
    if (rc < 0) {
        *out = NULL;
        if (rc == -ENOMEM) {
            if (err != NULL) {
                memset(err, 0, sizeof(*err));
                snprintf(err->message, sizeof(err->message), "out of memory");
            }
        } else if (err != NULL) {
            sc_json_report(&ps, err);
        }
    }
    sc_json_parser_free(&ps);
    return rc;
}

/* ---- access and construction --------------------------------------------------------------- */

sc_json *sc_json_get(const sc_json *obj, const char *key)
{
    if (obj == NULL || obj->type != SC_JSON_OBJECT || key == NULL)
        return NULL;
    size_t klen = strlen(key);
    for (size_t i = 0; i < obj->u.o.len; i++) {
        const sc_json_member *m = &obj->u.o.members[i];
        if (m->key_len == klen && memcmp(m->key, key, klen) == 0)
            return m->value;
    }
    return NULL;
}

sc_json *sc_json_new_string(sc_arena *arena, const char *s, size_t len)
{
    sc_json *n = sc_arena_alloc(arena, sizeof(*n));
    char *copy = n != NULL ? sc_arena_strndup(arena, s, len) : NULL;
    if (copy == NULL)
        return NULL;
    n->type = SC_JSON_STRING;
    n->u.s.ptr = copy;
    n->u.s.len = len;
    return n;
}

/* The struct has no capacity field, so an object built here stores its capacity in a hidden
 * member just before members[0] (key_len of members[-1]); only sc_json_object_set reads it. */
sc_json *sc_json_new_object(sc_arena *arena, size_t capacity)
{
    if (capacity > SIZE_MAX / sizeof(sc_json_member) - 1)
        return NULL;
    sc_json *n = sc_arena_alloc(arena, sizeof(*n));
    sc_json_member *m =
        n != NULL ? sc_arena_alloc(arena, (capacity + 1) * sizeof(sc_json_member)) : NULL;
    if (m == NULL)
        return NULL;
    m[0].key = NULL;
    m[0].key_len = capacity;
    m[0].value = NULL;
    n->type = SC_JSON_OBJECT;
    n->u.o.members = m + 1;
    n->u.o.len = 0;
    return n;
}

int sc_json_object_set(sc_arena *arena, sc_json *obj, const char *key, size_t key_len,
                       sc_json *value)
{
    if (obj == NULL || obj->type != SC_JSON_OBJECT)
        return -EINVAL;
    sc_json_member *m = obj->u.o.members;
    for (size_t i = 0; i < obj->u.o.len; i++) {
        if (m[i].key_len == key_len && memcmp(m[i].key, key, key_len) == 0) {
            m[i].value = value;
            return 0;
        }
    }
    if (obj->u.o.len >= m[-1].key_len)
        return -ENOMEM;
    char *k = sc_arena_strndup(arena, key, key_len);
    if (k == NULL)
        return -ENOMEM;
    m[obj->u.o.len].key = k;
    m[obj->u.o.len].key_len = key_len;
    m[obj->u.o.len].value = value;
    obj->u.o.len++;
    return 0;
}
