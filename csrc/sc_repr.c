#include "sc_repr.h"

#include <string.h>

static char sc_repr_quote(const char *p, size_t n)
{
    /* Python picks double quotes only when that avoids escaping: a ' and no ". */
    return (memchr(p, '\'', n) != NULL && memchr(p, '"', n) == NULL) ? '"' : '\'';
}

/* The escapes both reprs share; returns 1 when c was written as one. */
static int sc_repr_common(sc_buf *out, unsigned char c, char q, int *rc)
{
    switch (c) {
    case '\t': *rc |= sc_buf_append(out, "\\t", 2); return 1;
    case '\n': *rc |= sc_buf_append(out, "\\n", 2); return 1;
    case '\r': *rc |= sc_buf_append(out, "\\r", 2); return 1;
    case '\\': *rc |= sc_buf_append(out, "\\\\", 2); return 1;
    default:
        if (c == (unsigned char)q) {
            *rc |= sc_buf_append_char(out, '\\');
            *rc |= sc_buf_append_char(out, (char)c);
            return 1;
        }
        return 0;
    }
}

int sc_repr_bytes(sc_buf *out, const char *p, size_t n)
{
    char q = sc_repr_quote(p, n);
    int rc = sc_buf_append_char(out, 'b');
    rc |= sc_buf_append_char(out, q);
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)p[i];
        if (sc_repr_common(out, c, q, &rc))
            continue;
        if (c < 0x20 || c >= 0x7f)
            rc |= sc_buf_printf(out, "\\x%02x", c);
        else
            rc |= sc_buf_append_char(out, (char)c);
    }
    rc |= sc_buf_append_char(out, q);
    return rc ? -1 : 0;
}

int sc_repr_latin1(sc_buf *out, const char *p, size_t n)
{
    char q = sc_repr_quote(p, n);
    int rc = sc_buf_append_char(out, q);
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)p[i];
        if (sc_repr_common(out, c, q, &rc))
            continue;
        /* str.isprintable() in latin-1: not the C0/C1 controls, DEL, NBSP or the soft hyphen. */
        if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad) {
            rc |= sc_buf_printf(out, "\\x%02x", c);
        } else {
            rc |= sc_buf_append_char(out, (char)c);
        }
    }
    rc |= sc_buf_append_char(out, q);
    return rc ? -1 : 0;
}

int sc_html_escape(sc_buf *out, const char *p, size_t n)
{
    int rc = 0;
    size_t run = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *ent;
        switch (p[i]) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#x27;"; break;
        default: continue;
        }
        rc |= sc_buf_append(out, p + run, i - run);
        rc |= sc_buf_append_str(out, ent);
        run = i + 1;
    }
    rc |= sc_buf_append(out, p + run, n - run);
    return rc ? -1 : 0;
}
