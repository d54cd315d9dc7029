/* sc_form: request-body and query-string decoders that feed the JSON codec (SPEC §3.2, §3.3).
 *
 * - application/x-www-form-urlencoded bodies and query strings: Werkzeug's url_decode rules
 *   ('&' separates pairs, '+' is a space, %XX is a byte, a malformed %-escape stays literal,
 *   bytes decoded as UTF-8 with U+FFFD for invalid sequences, the FIRST value of a repeated key).
 * - multipart/form-data bodies: Werkzeug's form parser, then the original's get_multi_form_data_request():
 *   every non-file field is JSON-parsed except a field named "strData" (kept as text); a file
 *   field named "binData" is base64-encoded (standard alphabet, padded); any other file field is
 *   decoded as UTF-8 text. A part is a file when its Content-Disposition has a filename parameter
 *   with a value (filename="" counts, a bare `filename` does not).
 *   Non-file fields come first in the resulting object, in order, then file fields (as the
 *   original iterates request.form, then request.files); a repeated name keeps its first value;
 *   a file named like a field replaces that field's value in place (a dict assignment).
 *   A part without a name parameter (Python's None key) is decoded, so its errors count, but
 *   left out of the object: a JSON object cannot carry a None key.
 *   Werkzeug's parser details (64 KiB reads, header quirks, the 1000-part limit) are reproduced;
 *   see sc_multipart.c. Text decoding and header parameters: sc_pystr.h, sc_mimeopts.h.
 * - base64 encode/decode with Python's binascii rules (decode: non-alphabet characters are
 *   discarded, as base64.b64decode(validate=False) does; incorrect padding is an error; a
 *   non-ASCII byte is an error, as b64decode() of a str that is not ASCII).
 *
 * Ownership: results live in the caller's arena. Threading: pure C, no GIL; workers, any thread.
 */
#ifndef SC_FORM_H
#define SC_FORM_H

#include <stddef.h>

#include "sc_arena.h"
#include "sc_json.h"

/* Finds the first value of `name` in an urlencoded string (a query string without '?', or a
 * form body). Returns 1 and sets *val and *vlen (decoded, NUL-terminated, in the arena) when found,
 * 0 when absent, -ENOMEM. */
int sc_form_get(sc_arena *arena, const char *data, size_t len, const char *name, const char **val,
                size_t *vlen);

typedef struct sc_form_error {
    int status;         /* HTTP status the original answers with: 400 or 500 */
    char message[256];  /* the original's error text, e.g. a JSON decode error of a field */
} sc_form_error;

/* Decodes a multipart/form-data body into a JSON object as described above. content_type is
 * the whole header value as received (bytes read as Latin-1, like a WSGI server; the boundary
 * parameter is read from it, quoted or not). Returns 0 and sets *out — an empty object in every
 * case where Werkzeug silently yields an empty form: a media type other than
 * multipart/form-data, no or an empty boundary, bad framing, a missing final boundary, a part
 * without Content-Disposition, a header line without ':' or not in UTF-8. Returns -EINVAL with
 * err filled (status 500, str(exception) of what the original raises: a field's JSON error, a
 * file that is not UTF-8, an unknown part charset, `boundary` without a value, more than 1000
 * parts; messages longer than 255 bytes are cut), or -ENOMEM. */
int sc_multipart_decode(sc_arena *arena, const char *content_type, const char *body, size_t len,
                        sc_json **out, sc_form_error *err);

/* Standard base64 with padding. Returns the encoded length; *out NUL-terminated in the arena,
 * NULL on ENOMEM. */
char *sc_base64_encode(sc_arena *arena, const unsigned char *data, size_t len, size_t *out_len);

/* Python base64.b64decode(str) semantics: binascii.a2b_base64 (non-alphabet bytes skipped,
 * data after the padding ignored), and any non-ASCII byte refused. Returns 0, -EINVAL
 * ("Incorrect padding" and friends, message in err_msg when non-NULL, Python's text; the
 * message is static or thread-local, valid until the thread's next call), or -ENOMEM. */
int sc_base64_decode(sc_arena *arena, const char *data, size_t len, unsigned char **out,
                     size_t *out_len, const char **err_msg);

#endif
