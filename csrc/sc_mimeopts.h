/* sc_mimeopts: Werkzeug 2.2's parse_options_header(), the parser behind request.mimetype,
 * the multipart boundary, a part's name/filename and a part's charset.
 *
 * It is reproduced quirk for quirk because the original's answers depend on it: a value token
 * runs to the next ';' or ',' (so `boundary=b ; x=y` gives the boundary "b "), whitespace
 * between the media type and ';' drops every parameter, parsing stops silently at the first
 * piece that does not start with ';', an option without '=' is None, RFC 2231 `name*=utf-8''..`
 * values are %-decoded with their charset, `name*0=`/`name*1=` continuations are concatenated,
 * and a continuation after a value-less option of the same name raises TypeError.
 *
 * Ownership: results live in the caller's arena. Threading: pure C, any thread, no GIL.
 * Internal to the form decoders.
 */
#ifndef SC_MIMEOPTS_H
#define SC_MIMEOPTS_H

#include <stddef.h>

#include "sc_arena.h"
#include "sc_pystr.h"

typedef enum sc_optstate {
    SC_OPT_ABSENT = 0, /* not in the options dict */
    SC_OPT_NONE,       /* present with the value None (`; boundary` or `; boundary=`) */
    SC_OPT_STR         /* present with a string value */
} sc_optstate;

typedef struct sc_mimeopt {
    const char *key;   /* in: lower-case ASCII option name, e.g. "boundary" */
    sc_optstate state; /* out */
    const char *val;   /* out when SC_OPT_STR: UTF-8, NUL-terminated, in the arena */
    size_t len;
} sc_mimeopt;

#define SC_MIMEOPTS_MAX_WANT 8

/* Parses the header value text[0..len), which must be valid UTF-8 (header text as Python sees
 * it). Sets *mimetype and *mlen to the media type as written (not lower-cased; "" when there is
 * none, pointing into the arena) and fills want[0..nwant), nwant <= SC_MIMEOPTS_MAX_WANT.
 * Returns 0; -EINVAL with exc set to the exception parse_options_header() raises (TypeError for
 * a continuation of a None option; LookupError, UnicodeDecodeError or ValueError from an
 * RFC 2231 charset); or -ENOMEM. */
int sc_mimeopts_parse(sc_arena *a, const char *text, size_t len, const char **mimetype,
                      size_t *mlen, sc_mimeopt *want, size_t nwant, sc_pyexc *exc);

#endif
