/* sc_h1: HTTP/1.1 request framing as gunicorn 20.1 (the original's server) does it, as pure
 * functions over bytes: where a request head ends, what it says (method, target, version,
 * fields, keep-alive, body framing), chunked body decoding, and gunicorn's own error pages.
 *
 * gunicorn's rules are kept where a client can observe them: the same limits (request line 4094
 * bytes, 100 fields of 8190 bytes, 819204 bytes of head), the same 400 messages, methods of 3+
 * characters from [$-_] upper-cased, any "HTTP/<d>.<d>" version, a repeated Content-Length
 * refused, Transfer-Encoding "chunked" winning over Content-Length, chunk extensions skipped.
 * Deliberately not kept (docs/differences.md): a bare LF ends a line (gunicorn waits for CRLF
 * forever); obs-fold continuation lines are joined with spaces instead of keeping CR LF inside a
 * value; a corrupt chunk or trailer is the client's error (400, not gunicorn's 500); chunked
 * bodies have a size limit; the 819204-byte head limit also applies to a head that arrived
 * complete in one read (gunicorn reads 8192 bytes at a time, so it never sees one).
 *
 * Pure: no I/O, no allocation except into the sc_buf arguments; any thread; no GIL.
 */
#ifndef SC_H1_H
#define SC_H1_H

#include <stddef.h>

#include "sc_buf.h"

#define SC_H1_LINE_LIMIT 4094   /* gunicorn limit_request_line */
#define SC_H1_FIELD_LIMIT 8190  /* gunicorn limit_request_field_size */
#define SC_H1_FIELDS_MAX 100    /* gunicorn limit_request_fields */
#define SC_H1_HEAD_MAX (SC_H1_FIELDS_MAX * (SC_H1_FIELD_LIMIT + 2) + 4) /* its max_buffer_headers */
#define SC_H1_CHUNK_LINE_MAX 4096 /* a chunk-size line longer than this is refused */

typedef struct sc_h1_error {
    int status;  /* 400 or 413 */
    int page;    /* 1: answer with gunicorn's HTML page (sc_h1_render_page) before the
                    application sees the request; 0: a body error the application answers
                    in Seldon's format, with mesg as the info */
    sc_buf mesg; /* the message, latin-1, not HTML-escaped; the caller frees it */
} sc_h1_error;

void sc_h1_error_init(sc_h1_error *e);
void sc_h1_error_free(sc_h1_error *e);

/* --- finding the head ---------------------------------------------------------------------- */

typedef struct sc_h1_scan {
    size_t pos;      /* bytes already scanned */
    size_t line_end; /* offset just after the request line's terminator; 0 until it is known */
} sc_h1_scan;

/* Looks for the end of a request head in buf[0..len), the same growing buffer on every call
 * with the same scan state (zeroed before the first call). Returns the head's length (up to and
 * including the empty line), 0 when more bytes are needed, -1 with e filled (a page error).
 * The request line is checked as soon as it is complete, as gunicorn does. */
long sc_h1_scan_head(sc_h1_scan *sc, const char *buf, size_t len, sc_h1_error *e);

/* --- parsing the head ---------------------------------------------------------------------- */

typedef struct sc_h1_field {
    const char *name;  /* NUL-terminated, as sent (case kept) */
    const char *value; /* NUL-terminated, stripped, continuation lines joined with spaces */
    size_t name_len, value_len;
} sc_h1_field;

typedef struct sc_h1_head {
    const char *method; /* NUL-terminated, upper-cased */
    size_t method_len;
    const char *target; /* NUL-terminated, as sent */
    size_t target_len;
    int major, minor;   /* HTTP version (saturated at 999999) */
    sc_h1_field fields[SC_H1_FIELDS_MAX];
    size_t nfields;
    long long content_length; /* -1 when absent; saturated at LLONG_MAX */
    int chunked;         /* Transfer-Encoding: chunked */
    int te;              /* a Transfer-Encoding field was present (chunked or not) */
    int keep_alive;      /* gunicorn's should_close(), negated */
    int expect_continue; /* Expect: 100-continue */
} sc_h1_head;

/* Parses a complete head (as sc_h1_scan_head found it) in place: terminators become NULs and
 * h points into buf. trusted_proxy: the client is in gunicorn's forwarded_allow_ips, whose
 * X-Forwarded-Proto/-Protocol/-Ssl fields must then agree. Returns 0, or -1 with e filled (a
 * page error). */
int sc_h1_parse_head(char *buf, size_t len, int trusted_proxy, sc_h1_head *h, sc_h1_error *e);

/* The value of the first (or last) field with this name (ASCII case-insensitive), or NULL. */
const char *sc_h1_field_first(const sc_h1_head *h, const char *name);
const char *sc_h1_field_last(const sc_h1_head *h, const char *name);

/* --- chunked bodies ------------------------------------------------------------------------ */

typedef struct sc_h1_chunked { /* zeroed before the first call */
    int state;
    unsigned long long left; /* bytes of the current chunk still to come */
    size_t trailer;          /* bytes of trailer fields seen */
    size_t tfields;          /* trailer fields seen */
    size_t tflen;            /* bytes of the current trailer field (continuations included) */
    int terror;              /* a trailer field was refused: e holds why */
} sc_h1_chunked;

/* Decodes chunked data in[0..len), appending the payload to body. Only whole lines are
 * consumed: the caller keeps the unconsumed rest and calls again with it and more bytes.
 * e must be the same error across the calls for one body (a refused trailer field is reported
 * once the trailer's empty line arrives, as gunicorn reads trailers whole).
 * Returns the number of bytes consumed (sets *done after the last chunk's trailer), or -1 with
 * e filled: 400 for a corrupt chunk or trailer field (gunicorn's message), 413 when the payload
 * would exceed max_body bytes. */
long sc_h1_dechunk(sc_h1_chunked *c, const char *in, size_t len, sc_buf *body, long long max_body,
                   int *done, sc_h1_error *e);

/* --- answers ------------------------------------------------------------------------------- */

/* Appends gunicorn's whole error answer (status line, its three headers, the HTML page with the
 * escaped message) to out. Returns 0 or -1 (no memory). */
int sc_h1_render_page(sc_buf *out, int status, const char *reason, const char *mesg, size_t mesg_len);

/* Python's int(s) for a stripped decimal string (sign, digits, single underscores between
 * digits), saturated to +-LLONG_MAX. Returns 0, or -1 when int() would raise ValueError. */
int sc_h1_pyint(const char *s, size_t n, int base, long long *out);

#endif
