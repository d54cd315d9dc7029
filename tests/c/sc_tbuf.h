/* tbuf: the growable text buffer the C unit tests build their expected/actual texts and case
 * records in (header-only; a failed allocation fails the test). */
#ifndef SC_TBUF_H
#define SC_TBUF_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_test.h"

typedef struct tbuf {
    char *p; /* NUL-terminated once anything was put */
    size_t len, cap;
} tbuf;

static inline void tb_put(tbuf *b, const void *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            SC_FAIL("out of memory");
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline void tb_str(tbuf *b, const char *s)
{
    tb_put(b, s, strlen(s));
}

static inline void tb_fmt(tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void tb_fmt(tbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    ASSERT_TRUE(n >= 0 && (size_t)n < sizeof(tmp));
    tb_put(b, tmp, (size_t)n);
}

/* lower-case hex of p[0..n) */
static inline void tb_hex(tbuf *b, const void *p, size_t n)
{
    static const char hexd[] = "0123456789abcdef";
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        char h[2] = {hexd[s[i] >> 4], hexd[s[i] & 15]};
        tb_put(b, h, 2);
    }
}

static inline void tb_free(tbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

#endif
