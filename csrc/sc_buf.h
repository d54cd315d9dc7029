/* sc_buf: a growable byte buffer for building responses.
 *
 * Ownership: the buffer owns data; sc_buf_release() hands it to the caller (free() it).
 * Threading: one thread at a time; no GIL needed. Master or worker.
 * All append functions return 0 or -ENOMEM; once an append failed the buffer stays valid.
 */
#ifndef SC_BUF_H
#define SC_BUF_H

#include <stddef.h>

typedef struct sc_buf {
    char *data;
    size_t len;
    size_t cap;
} sc_buf;

void sc_buf_init(sc_buf *b);
/* Makes room for at least extra more bytes; returns 0 or -ENOMEM. */
int sc_buf_reserve(sc_buf *b, size_t extra);
int sc_buf_append(sc_buf *b, const void *p, size_t n);
int sc_buf_append_str(sc_buf *b, const char *s);
int sc_buf_append_char(sc_buf *b, char c);
int sc_buf_printf(sc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeping its memory. */
void sc_buf_clear(sc_buf *b);
/* Returns the data (NUL-terminated, may be NULL when empty) and empties the buffer. Caller frees. */
char *sc_buf_release(sc_buf *b, size_t *len);
void sc_buf_free(sc_buf *b);

#endif
