#include "sc_status.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void sc_status_set(sc_status *st, int http, const char *reason, const char *fmt, ...)
{
    st->http = http;
    st->reason = reason;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(st->info, sizeof(st->info), fmt, ap);
    va_end(ap);
    if (n < 0)
        st->info[0] = '\0';
}

static int sc_put_u16(sc_buf *out, unsigned cp)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', hex[(cp >> 12) & 15], hex[(cp >> 8) & 15], hex[(cp >> 4) & 15],
                 hex[cp & 15]};
    return sc_buf_append(out, e, 6);
}

/* Decodes one UTF-8 (or WTF-8) sequence at s[i]; returns its length and sets *cp, or 0 when
 * the bytes are not valid (then the byte is escaped as U+FFFD, which is what a lenient decode
 * gives). */
static size_t sc_utf8_next(const unsigned char *s, size_t len, size_t i, unsigned *cp)
{
    unsigned c = s[i];
    size_t n;
    unsigned v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2;
        v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (i + n > len)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i + k] & 0x3F);
    }
    if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)))
        return 0;
    *cp = v;
    return n;
}

int sc_json_write_ascii(sc_buf *out, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    int rc = sc_buf_reserve(out, len + 2);
    if (rc)
        return rc;
    if ((rc = sc_buf_append_char(out, '"')))
        return rc;
    size_t i = 0;
    while (i < len) {
        /* Copy the longest run that needs no escaping in one go. */
        size_t j = i;
        while (j < len && s[j] >= 0x20 && s[j] < 0x80 && s[j] != '"' && s[j] != '\\')
            j++;
        if (j > i && (rc = sc_buf_append(out, s + i, j - i)))
            return rc;
        i = j;
        if (i >= len)
            break;
        unsigned c = s[i];
        const char *esc = NULL;
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        default:
            break;
        }
        if (esc) {
            if ((rc = sc_buf_append(out, esc, 2)))
                return rc;
            i++;
            continue;
        }
        if (c < 0x20) {
            if ((rc = sc_put_u16(out, c)))
                return rc;
            i++;
            continue;
        }
        unsigned cp;
        size_t n = sc_utf8_next(s, len, i, &cp);
        if (n == 0) {
            cp = 0xFFFD;
            n = 1;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            if ((rc = sc_put_u16(out, 0xD800 | (cp >> 10))) || (rc = sc_put_u16(out, 0xDC00 | (cp & 0x3FF))))
                return rc;
        } else if ((rc = sc_put_u16(out, cp))) {
            return rc;
        }
        i += n;
    }
    return sc_buf_append_char(out, '"');
}

int sc_status_render(const sc_status *st, sc_buf *out)
{
    int rc;
    if ((rc = sc_buf_append_str(out, "{\"status\":{\"code\":-1,\"info\":")))
        return rc;
    if ((rc = sc_json_write_ascii(out, st->info, strlen(st->info))))
        return rc;
    if ((rc = sc_buf_append_str(out, ",\"reason\":")))
        return rc;
    if ((rc = sc_json_write_ascii(out, st->reason, strlen(st->reason))))
        return rc;
    return sc_buf_append_str(out, ",\"status\":1}}\n");
}
