/* sc_status: an error as Seldon reports it (HTTP status, reason, info), carried from whatever
 * layer detects it up to the transport, and its REST rendering (SPEC §3.6):
 *   {"status":{"code":-1,"info":"<info>","reason":"<reason>","status":1}}\n
 * Threading: pure C, any thread, no GIL.
 */
#ifndef SC_STATUS_H
#define SC_STATUS_H

#include <stddef.h>

#include "sc_buf.h"

#define SC_REASON_BAD_DATA "MICROSERVICE_BAD_DATA"
#define SC_REASON_INTERNAL "MICROSERVICE_INTERNAL_ERROR"

typedef struct sc_status {
    int http;           /* HTTP status; 0 means "no error" */
    const char *reason; /* static string */
    char info[512];     /* UTF-8 */
} sc_status;

/* Fills st; info is printf-formatted and truncated to fit. */
void sc_status_set(sc_status *st, int http, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends the error body of SPEC §3.6 (with the trailing newline). 0 or -ENOMEM. */
int sc_status_render(const sc_status *st, sc_buf *out);

/* Appends s (UTF-8; lone surrogates in 3-byte form accepted) as a JSON string literal escaped
 * the way Python's json.dumps(ensure_ascii=True) does. 0 or -ENOMEM. */
int sc_json_write_ascii(sc_buf *out, const char *s, size_t len);

#endif
