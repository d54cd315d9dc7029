/* sc_urlform: one value out of an application/x-www-form-urlencoded body or a query string,
 * decoded as Werkzeug 2.2's url_decode() does it (see sc_form.h). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sc_form.h"
#include "sc_pystr.h"

/* url_unquote_plus() up to the charset step: '+' is a space, then "%XX" with two hex digits is
 * a byte and any other '%' stays as it is. Since '+' is replaced first, "%2+" stays literal and
 * "%2B" gives '+'. out needs len bytes; returns the decoded length. */
static size_t sc_unquote_plus(const unsigned char *in, size_t len, unsigned char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = in[i];
        int hi, lo;
        if (c == '%' && i + 2 < len && (hi = sc_hexval(in[i + 1])) >= 0 &&
            (lo = sc_hexval(in[i + 2])) >= 0) {
            out[n++] = (unsigned char)(hi * 16 + lo);
            i += 3;
        } else {
            out[n++] = c == '+' ? ' ' : c;
            i++;
        }
    }
    return n;
}

/* Whether bytes b, decoded as UTF-8 with errors="replace", equal the UTF-8 text name: compared
 * as we decode, so looking at a key costs no allocation. */
static int sc_key_equals(const unsigned char *b, size_t blen, const char *name, size_t nlen)
{
    static const char repl[] = "\xEF\xBF\xBD";
    size_t j = 0;
    for (size_t i = 0; i < blen;) {
        uint32_t cp;
        size_t bad;
        const char *reason;
        size_t k = sc_utf8_decode1(b + i, blen - i, &cp, &bad, &reason);
        const char *piece = k ? (const char *)b + i : repl;
        size_t plen = k ? k : 3;
        if (nlen - j < plen || memcmp(name + j, piece, plen) != 0)
            return 0;
        j += plen;
        i += k ? k : bad;
    }
    return j == nlen;
}

int sc_form_get(sc_arena *arena, const char *data, size_t len, const char *name, const char **val,
                size_t *vlen)
{
    const unsigned char *d = (const unsigned char *)data;
    size_t nlen = strlen(name);
    unsigned char *scratch = NULL;
    size_t scratch_cap = 0;

    /* Pairs are separated by '&' only (Werkzeug 2.x dropped ';'); empty pairs are skipped; a
     * pair without '=' is a key with an empty value. */
    size_t pos = 0;
    while (pos < len) {
        const unsigned char *amp = memchr(d + pos, '&', len - pos);
        size_t end = amp ? (size_t)(amp - d) : len;
        if (end > pos) {
            const unsigned char *pair = d + pos;
            size_t plen = end - pos;
            const unsigned char *eq = memchr(pair, '=', plen);
            size_t klen = eq ? (size_t)(eq - pair) : plen;
            if (klen > scratch_cap) {
                /* Grow geometrically so many long keys cost O(longest key) of arena. */
                size_t cap = scratch_cap ? scratch_cap : 64;
                while (cap < klen)
                    cap = cap > SIZE_MAX / 2 ? klen : cap * 2;
                scratch = sc_arena_alloc(arena, cap);
                if (scratch == NULL)
                    return -ENOMEM;
                scratch_cap = cap;
            }
            size_t kdec = sc_unquote_plus(pair, klen, scratch);
            if (sc_key_equals(scratch, kdec, name, nlen)) {
                const unsigned char *v = eq ? eq + 1 : pair + plen;
                size_t vraw = (size_t)(pair + plen - v);
                unsigned char *tmp = sc_arena_alloc(arena, vraw + 1);
                if (tmp == NULL)
                    return -ENOMEM;
                size_t vdec = sc_unquote_plus(v, vraw, tmp);
                char *out;
                size_t out_len;
                sc_pyexc exc;
                int rc = sc_py_decode(arena, SC_CODEC_UTF8, 1, tmp, vdec, &out, &out_len, &exc);
                if (rc != 0)
                    return rc == -ENOMEM ? -ENOMEM : -EINVAL;
                *val = out;
                *vlen = out_len;
                return 1;
            }
        }
        pos = end + 1;
    }
    return 0;
}
