#include "sc_buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sc_buf_init(sc_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

int sc_buf_reserve(sc_buf *b, size_t extra)
{
    /* +1 keeps room for a terminating NUL so release() can hand out a C string. */
    if (extra > SIZE_MAX - b->len - 1)
        return -ENOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (p == NULL)
        return -ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int sc_buf_append(sc_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    int rc = sc_buf_reserve(b, n);
    if (rc != 0)
        return rc;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int sc_buf_append_str(sc_buf *b, const char *s)
{
    return sc_buf_append(b, s, strlen(s));
}

int sc_buf_append_char(sc_buf *b, char c)
{
    int rc = sc_buf_reserve(b, 1);
    if (rc != 0)
        return rc;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return 0;
}

int sc_buf_printf(sc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -EINVAL;
    int rc = sc_buf_reserve(b, (size_t)n);
    if (rc != 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void sc_buf_clear(sc_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *sc_buf_release(sc_buf *b, size_t *len)
{
    char *d = b->data;
    if (len)
        *len = b->len;
    sc_buf_init(b);
    return d;
}

void sc_buf_free(sc_buf *b)
{
    free(b->data);
    sc_buf_init(b);
}
