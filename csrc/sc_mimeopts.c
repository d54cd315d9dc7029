#include "sc_mimeopts.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/* The parser walks a copy of the value laid out as Werkzeug builds it: "," + value with every
 * "\n" turned into ",". Positions are byte offsets into that UTF-8 text; character classes are
 * decided on whole code points because Werkzeug's patterns are str patterns (`\s` includes
 * U+0085, U+00A0, U+2028, ...; `\d` is any Unicode decimal digit). */
typedef struct sc_mo {
    sc_arena *arena;
    const unsigned char *s;
    size_t n;
    /* Quoted strings: positions a failed scan examined (lazily allocated bitmap). A later scan
     * that examines one of them would fail the same way, which keeps hostile headers linear. */
    unsigned char *qfail;
    /* RFC 2231 charset'lang' prefix: [lo, hi) is a whitespace-free run known to hold fewer
     * than two quote characters, so a prefix search starting inside it fails at once. */
    size_t encfail_lo, encfail_hi;
    /* Keys that currently hold None, for the TypeError of a continuation after them. */
    struct sc_mo_key *none_keys;
    size_t none_cap, none_used;
} sc_mo;

typedef struct sc_mo_key {
    const char *key; /* NULL: empty slot */
    size_t len;
    uint32_t hash;
    int is_none;
} sc_mo_key;

/* More value-less options than this in one header are not tracked for the TypeError (a header
 * would have to be built to exploit it; memory stays bounded). */
#define SC_MO_MAX_NONE_KEYS 1024

#define SC_MO_FAIL SIZE_MAX

static size_t sc_mo_width(unsigned char lead)
{
    return lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

static uint32_t sc_mo_cp(const sc_mo *p, size_t i, size_t *w)
{
    uint32_t cp;
    size_t bad;
    const char *reason;
    size_t k = sc_utf8_decode1(p->s + i, p->n - i, &cp, &bad, &reason);
    if (k == 0) {
        /* Not reachable with the valid UTF-8 the callers pass; treat as an opaque character. */
        *w = bad;
        return 0xFFFD;
    }
    *w = k;
    return cp;
}

static int sc_mo_is_space(const sc_mo *p, size_t i, size_t *w)
{
    if (p->s[i] < 0x80) {
        *w = 1;
        return sc_py_isspace(p->s[i]);
    }
    return sc_py_isspace(sc_mo_cp(p, i, w));
}

static size_t sc_mo_skip_space(const sc_mo *p, size_t i)
{
    size_t w;
    while (i < p->n && sc_mo_is_space(p, i, &w))
        i += w;
    return i;
}

/* Where the closing quote of a quoted string whose opening quote is at q sits, or SC_MO_FAIL:
 * `"[^"\\]*(?:\\.[^"\\]*)*"`. */
static size_t sc_mo_quoted_end(sc_mo *p, size_t q)
{
    size_t k = q + 1;
    while (k < p->n) {
        if (p->qfail != NULL && (p->qfail[k >> 3] & (1u << (k & 7))))
            break;
        unsigned char c = p->s[k];
        if (c == '"')
            return k;
        if (c == '\\') {
            if (k + 1 >= p->n)
                break;
            k += 1 + sc_mo_width(p->s[k + 1]);
        } else {
            k += sc_mo_width(c);
        }
    }
    /* Remember the positions this scan examined; if the bitmap cannot be allocated we only
     * lose speed. */
    if (p->qfail == NULL) {
        size_t bytes = p->n / 8 + 1;
        p->qfail = sc_arena_alloc(p->arena, bytes);
        if (p->qfail != NULL)
            memset(p->qfail, 0, bytes);
    }
    if (p->qfail != NULL) {
        for (size_t j = q + 1; j < k && j < p->n;) {
            p->qfail[j >> 3] |= (unsigned char)(1u << (j & 7));
            /* j < k means the scan moved on from j, so an escaped character follows it. */
            j += p->s[j] == '\\' ? 1 + sc_mo_width(p->s[j + 1]) : sc_mo_width(p->s[j]);
        }
    }
    return SC_MO_FAIL;
}

/* ---- string helpers ------------------------------------------------------------------------ */

/* unquote_header_value(): strip one pair of surrounding quotes, then replace "\\\\" by "\\" and
 * then "\\\"" by "\"" (two sequential passes, as str.replace twice), except for a filename that
 * looks like a UNC path. Writes into out (capacity >= len). */
static size_t sc_mo_unquote(const unsigned char *v, size_t len, int is_filename, unsigned char *out)
{
    if (len >= 1 && v[0] == '"' && v[len - 1] == '"') {
        const unsigned char *in = v + 1;
        size_t n = len >= 2 ? len - 2 : 0;
        if (is_filename && n >= 2 && in[0] == '\\' && in[1] == '\\') {
            memcpy(out, in, n);
            return n;
        }
        size_t m = 0;
        for (size_t i = 0; i < n;) {
            if (in[i] == '\\' && i + 1 < n && in[i + 1] == '\\') {
                out[m++] = '\\';
                i += 2;
            } else {
                out[m++] = in[i++];
            }
        }
        size_t r = 0;
        for (size_t i = 0; i < m;) {
            if (out[i] == '\\' && i + 1 < m && out[i + 1] == '"') {
                out[r++] = '"';
                i += 2;
            } else {
                out[r++] = out[i++];
            }
        }
        return r;
    }
    memcpy(out, v, len);
    return len;
}

/* urllib.parse.unquote_to_bytes() of UTF-8 text, in place: "%XX" with two hex digits is a
 * byte, any other "%" stays. */
static size_t sc_mo_pct_decode(unsigned char *v, size_t len)
{
    size_t m = 0;
    for (size_t i = 0; i < len;) {
        int hi, lo;
        if (v[i] == '%' && i + 2 < len && (hi = sc_hexval(v[i + 1])) >= 0 &&
            (lo = sc_hexval(v[i + 2])) >= 0) {
            v[m++] = (unsigned char)(hi * 16 + lo);
            i += 3;
        } else {
            v[m++] = v[i++];
        }
    }
    return m;
}

/* ---- the None-valued keys ------------------------------------------------------------------ */

static uint32_t sc_mo_hash(const unsigned char *k, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= k[i];
        h *= 16777619u;
    }
    return h;
}

/* Finds key in the table; when create is set and it is absent, inserts it (if there is room).
 * Returns NULL when absent (and not created) or on allocation failure. */
static sc_mo_key *sc_mo_none_slot(sc_mo *p, const unsigned char *key, size_t len, int create)
{
    if (p->none_keys == NULL) {
        if (!create)
            return NULL;
        p->none_cap = 2 * SC_MO_MAX_NONE_KEYS;
        p->none_keys = sc_arena_alloc(p->arena, p->none_cap * sizeof(sc_mo_key));
        if (p->none_keys == NULL)
            return NULL;
        memset(p->none_keys, 0, p->none_cap * sizeof(sc_mo_key));
    }
    uint32_t h = sc_mo_hash(key, len);
    size_t mask = p->none_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        sc_mo_key *e = &p->none_keys[i];
        if (e->key == NULL) {
            if (!create || p->none_used >= SC_MO_MAX_NONE_KEYS)
                return NULL;
            char *copy = sc_arena_strndup(p->arena, (const char *)key, len);
            if (copy == NULL)
                return NULL;
            e->key = copy;
            e->len = len;
            e->hash = h;
            e->is_none = 0;
            p->none_used++;
            return e;
        }
        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
            return e;
    }
}

/* ---- wanted values ------------------------------------------------------------------------- */

typedef struct sc_mo_val {
    char *buf;
    size_t len, cap;
} sc_mo_val;

static int sc_mo_val_append(sc_arena *a, sc_mo_val *v, const unsigned char *s, size_t len,
                            int replace)
{
    if (replace)
        v->len = 0;
    if (v->cap - v->len < len + 1) {
        size_t cap = v->cap ? v->cap : 32;
        while (cap - v->len < len + 1) {
            if (cap > SIZE_MAX / 2)
                return -ENOMEM;
            cap *= 2;
        }
        char *nb = sc_arena_alloc(a, cap);
        if (nb == NULL)
            return -ENOMEM;
        if (v->len)
            memcpy(nb, v->buf, v->len);
        v->buf = nb;
        v->cap = cap;
    }
    if (len)
        memcpy(v->buf + v->len, s, len);
    v->len += len;
    v->buf[v->len] = '\0';
    return 0;
}

/* ---- the parser ---------------------------------------------------------------------------- */

static int sc_mo_is_token_stop(unsigned char c)
{
    return c == ';' || c == ',' || c == '=' || c == '*';
}

/* `(?P<encoding>[^\s]+?)'(?P<language>[^\s]*?)'` at m: sets *enc_end (the first quote) and
 * *after (past the second quote) and returns 1, or returns 0. */
static int sc_mo_charset_prefix(sc_mo *p, size_t m, size_t *enc_end, size_t *after)
{
    if (m >= p->n)
        return 0;
    if (m >= p->encfail_lo && m < p->encfail_hi)
        return 0;
    size_t w;
    if (sc_mo_is_space(p, m, &w))
        return 0;
    size_t k = m + w, qa = SC_MO_FAIL;
    while (k < p->n && !sc_mo_is_space(p, k, &w)) {
        if (p->s[k] == '\'') {
            if (qa == SC_MO_FAIL) {
                qa = k;
            } else {
                *enc_end = qa;
                *after = k + 1;
                return 1;
            }
        }
        k += w;
    }
    p->encfail_lo = m;
    p->encfail_hi = k;
    return 0;
}

typedef struct sc_mo_piece {
    size_t key_lo, key_hi;
    int has_count;
    size_t enc_lo, enc_hi; /* enc_lo == SC_MO_FAIL: no charset */
    size_t val_lo, val_hi; /* val_lo == SC_MO_FAIL: value None */
    size_t end;
} sc_mo_piece;

/* Matches one `;key[*N][=value]` piece at pos (Werkzeug's _option_header_piece_re). Returns 0
 * when the text there is not a piece. */
static int sc_mo_match_piece(sc_mo *p, size_t pos, sc_mo_piece *pc)
{
    const unsigned char *s = p->s;
    size_t n = p->n, w;
    if (pos >= n || s[pos] != ';')
        return 0;
    size_t q = sc_mo_skip_space(p, pos + 1);
    if (q < n && s[q] == ',')
        q++;
    q = sc_mo_skip_space(p, q);

    pc->key_lo = q;
    size_t close = (q < n && s[q] == '"') ? sc_mo_quoted_end(p, q) : SC_MO_FAIL;
    if (close != SC_MO_FAIL) {
        q = close + 1;
    } else {
        while (q < n && !sc_mo_is_token_stop(s[q]) && !sc_mo_is_space(p, q, &w))
            q += w;
        if (q == pc->key_lo)
            return 0;
    }
    pc->key_hi = q;

    pc->has_count = 0;
    if (q + 1 < n && s[q] == '*' && sc_py_isdecimal(sc_mo_cp(p, q + 1, &w))) {
        q++;
        while (q < n && sc_py_isdecimal(sc_mo_cp(p, q, &w)))
            q += w;
        pc->has_count = 1;
    }
    q = sc_mo_skip_space(p, q);

    pc->enc_lo = SC_MO_FAIL;
    pc->val_lo = SC_MO_FAIL;
    size_t t = SC_MO_FAIL;
    if (q < n && s[q] == '*') {
        size_t e = sc_mo_skip_space(p, q + 1);
        if (e < n && s[e] == '=') {
            t = sc_mo_skip_space(p, e + 1);
            size_t enc_end, after;
            if (sc_mo_charset_prefix(p, t, &enc_end, &after)) {
                pc->enc_lo = t;
                pc->enc_hi = enc_end;
                t = after;
            }
        }
    } else if (q < n && s[q] == '=') {
        t = sc_mo_skip_space(p, q + 1);
    }
    if (t != SC_MO_FAIL) {
        size_t vclose = (t < n && s[t] == '"') ? sc_mo_quoted_end(p, t) : SC_MO_FAIL;
        size_t v = t;
        if (vclose != SC_MO_FAIL) {
            v = vclose + 1;
        } else {
            while (v < n && s[v] != ';' && s[v] != ',')
                v++;
        }
        if (v > t) {
            pc->val_lo = t;
            pc->val_hi = v;
        }
        q = v;
    }
    pc->end = sc_mo_skip_space(p, q);
    return 1;
}

int sc_mimeopts_parse(sc_arena *a, const char *text, size_t len, const char **mimetype,
                      size_t *mlen, sc_mimeopt *want, size_t nwant, sc_pyexc *exc)
{
    for (size_t i = 0; i < nwant; i++) {
        want[i].state = SC_OPT_ABSENT;
        want[i].val = NULL;
        want[i].len = 0;
    }
    *mimetype = "";
    *mlen = 0;
    if (len == 0)
        return 0;
    if (len > SIZE_MAX - 2)
        return -ENOMEM;

    unsigned char *s = sc_arena_alloc(a, len + 2);
    if (s == NULL)
        return -ENOMEM;
    s[0] = ',';
    for (size_t i = 0; i < len; i++)
        s[i + 1] = text[i] == '\n' ? ',' : (unsigned char)text[i];
    s[len + 1] = '\0';

    sc_mo p;
    memset(&p, 0, sizeof(p));
    p.arena = a;
    p.s = s;
    p.n = len + 1;

    /* `,\s*([^;,\s]+)([;,]\s*.+)?` */
    size_t w, i = sc_mo_skip_space(&p, 1), mt = i;
    while (i < p.n && s[i] != ';' && s[i] != ',' && !sc_mo_is_space(&p, i, &w))
        i += w;
    if (i == mt)
        return 0;
    *mimetype = (const char *)s + mt;
    *mlen = i - mt;
    /* The options group needs a ';' or ',' right after the type and at least one more
     * character; a ',' start then matches no piece. */
    if (!(i + 1 < p.n && (s[i] == ';' || s[i] == ',')))
        goto done;

    sc_mo_val vals[SC_MIMEOPTS_MAX_WANT];
    if (nwant > SC_MIMEOPTS_MAX_WANT) {
        sc_pyexc_set(exc, SC_PYEXC_OTHER, "too many options requested");
        return -EINVAL;
    }
    memset(vals, 0, sizeof(vals));

    unsigned char *scratch = NULL;
    size_t scratch_cap = 0;
    size_t cont_lo = SC_MO_FAIL, cont_hi = 0; /* continued_encoding */
    size_t pos = i;
    sc_mo_piece pc;
    while (pos < p.n && sc_mo_match_piece(&p, pos, &pc)) {
        size_t need = pc.key_hi - pc.key_lo;
        if (pc.val_lo != SC_MO_FAIL && pc.val_hi - pc.val_lo > need)
            need = pc.val_hi - pc.val_lo;
        if (need + 1 > scratch_cap) {
            scratch_cap = need + 1 > 2 * scratch_cap ? need + 1 : 2 * scratch_cap;
            scratch = sc_arena_alloc(a, scratch_cap);
            if (scratch == NULL)
                return -ENOMEM;
        }

        /* option = unquote_header_value(key).lower(); ASCII folding is exact for the names
         * looked up here, and only approximate for other non-ASCII names (see none_keys). */
        size_t klen = sc_mo_unquote(s + pc.key_lo, pc.key_hi - pc.key_lo, 0, scratch);
        for (size_t k = 0; k < klen; k++)
            if (scratch[k] >= 'A' && scratch[k] <= 'Z')
                scratch[k] = (unsigned char)(scratch[k] - 'A' + 'a');
        char *key = sc_arena_strndup(a, (const char *)scratch, klen);
        if (key == NULL)
            return -ENOMEM;

        size_t enc_lo = pc.enc_lo, enc_hi = pc.enc_hi;
        if (!pc.has_count) {
            cont_lo = SC_MO_FAIL;
        } else {
            if (enc_lo == SC_MO_FAIL) {
                enc_lo = cont_lo;
                enc_hi = cont_hi;
            }
            cont_lo = enc_lo;
            cont_hi = enc_hi;
        }

        const unsigned char *val = NULL;
        size_t vlen = 0;
        if (pc.val_lo != SC_MO_FAIL) {
            int is_filename = klen == 8 && memcmp(key, "filename", 8) == 0;
            vlen = sc_mo_unquote(s + pc.val_lo, pc.val_hi - pc.val_lo, is_filename, scratch);
            val = scratch;
            if (enc_lo != SC_MO_FAIL) {
                vlen = sc_mo_pct_decode(scratch, vlen);
                char *dec;
                size_t dlen;
                int rc = sc_py_bytes_decode(a, (const char *)s + enc_lo, enc_hi - enc_lo, 0,
                                            scratch, vlen, &dec, &dlen, exc);
                if (rc != 0)
                    return rc;
                val = (const unsigned char *)dec;
                vlen = dlen;
            }
        }

        size_t wi = nwant;
        for (size_t k = 0; k < nwant; k++)
            if (strlen(want[k].key) == klen && memcmp(want[k].key, key, klen) == 0)
                wi = k; /* by length: a key from a part header may hold a NUL */
        if (pc.has_count) {
            if (val != NULL) {
                /* options[option] = options.get(option, "") + value */
                sc_mo_key *e = sc_mo_none_slot(&p, (const unsigned char *)key, klen, 0);
                if ((e != NULL && e->is_none) || (wi < nwant && want[wi].state == SC_OPT_NONE)) {
                    sc_pyexc_set(exc, SC_PYEXC_OTHER,
                                 "unsupported operand type(s) for +: 'NoneType' and 'str'");
                    return -EINVAL;
                }
                if (wi < nwant) {
                    int fresh = want[wi].state != SC_OPT_STR;
                    if (sc_mo_val_append(a, &vals[wi], val, vlen, fresh) != 0)
                        return -ENOMEM;
                    want[wi].state = SC_OPT_STR;
                }
            }
        } else {
            sc_mo_key *e = sc_mo_none_slot(&p, (const unsigned char *)key, klen, val == NULL);
            if (e != NULL)
                e->is_none = val == NULL;
            if (wi < nwant) {
                if (val == NULL) {
                    want[wi].state = SC_OPT_NONE;
                } else {
                    if (sc_mo_val_append(a, &vals[wi], val, vlen, 1) != 0)
                        return -ENOMEM;
                    want[wi].state = SC_OPT_STR;
                }
            }
        }
        pos = pc.end;
    }
    for (size_t k = 0; k < nwant; k++) {
        if (want[k].state == SC_OPT_STR) {
            want[k].val = vals[k].buf;
            want[k].len = vals[k].len;
        }
    }
done:
    return 0;
}
