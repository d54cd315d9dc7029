/* sc_repr: Python's text renderings that error messages of the original quote: repr() of bytes,
 * repr() of the str gunicorn makes from request bytes (latin-1), and html.escape().
 *
 * Pure functions on sc_buf; any thread, no GIL, no fork concerns.
 * Each returns 0, or -1 when the buffer could not grow (the buffer stays valid).
 */
#ifndef SC_REPR_H
#define SC_REPR_H

#include <stddef.h>

#include "sc_buf.h"

/* repr(bytes): b'...' (double quotes when the value has a ' and no "). */
int sc_repr_bytes(sc_buf *out, const char *p, size_t n);

/* repr(p.decode("latin-1")): '...' with Python's escapes for the non-printable characters. */
int sc_repr_latin1(sc_buf *out, const char *p, size_t n);

/* html.escape(s, quote=True): & < > " ' become entities. */
int sc_html_escape(sc_buf *out, const char *p, size_t n);

#endif
