/* sc_pystr: the pieces of CPython's text model that the form decoders must reproduce exactly,
 * because the original runs them on request bytes (Werkzeug's header parsing, bytes.decode()).
 *
 * - UTF-8 decoding as bytes.decode("utf-8") does it: which bytes make up one invalid sequence,
 *   the UnicodeDecodeError text in strict mode, one U+FFFD per sequence with errors="replace".
 * - str.isspace() and str.isdecimal(), which are what `\s`, `\d` and str.strip() mean for the
 *   str regular expressions Werkzeug applies to header values.
 * - bytes.decode(encoding)'s codec-name lookup, for the codecs implemented here (UTF-8,
 *   UTF-8-SIG, Latin-1, ASCII), with the exceptions Python raises for the others.
 *
 * Internal to the form decoders (sc_urlform.c, sc_multipart.c, sc_mimeopts.c).
 * Ownership: results live in the caller's arena. Threading: pure functions, any thread, no GIL.
 */
#ifndef SC_PYSTR_H
#define SC_PYSTR_H

#include <stddef.h>
#include <stdint.h>

#include "sc_arena.h"

/* A Python exception as far as the form decoders care: Werkzeug swallows ValueError (and its
 * subclasses UnicodeDecodeError/UnicodeEncodeError) inside its form parser but lets every other
 * exception reach the original's generic handler, which answers 500 with str(exception). */
typedef enum sc_pyexc_kind {
    SC_PYEXC_NONE = 0,
    SC_PYEXC_VALUE, /* ValueError or a subclass */
    SC_PYEXC_OTHER  /* LookupError, TypeError, AttributeError, an HTTP 413, ... */
} sc_pyexc_kind;

typedef struct sc_pyexc {
    sc_pyexc_kind kind;
    char msg[256]; /* str(exception), truncated at a UTF-8 boundary */
} sc_pyexc;

void sc_pyexc_set(sc_pyexc *e, sc_pyexc_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int sc_py_isspace(uint32_t cp);
int sc_py_isdecimal(uint32_t cp);

/* Decodes the UTF-8 sequence at s[0..len) (len >= 1). Returns its length (1..4) and sets *cp;
 * returns 0 for an invalid sequence, setting *bad to the number of bytes CPython reports as one
 * error (>= 1) and *reason to its text ("invalid start byte", ...). */
size_t sc_utf8_decode1(const unsigned char *s, size_t len, uint32_t *cp, size_t *bad,
                       const char **reason);

/* Appends the UTF-8 form of cp (< 0x110000, surrogates allowed) to out; returns its length. */
size_t sc_utf8_encode1(uint32_t cp, char *out);

typedef enum sc_codec {
    SC_CODEC_UTF8 = 0,
    SC_CODEC_UTF8_SIG,
    SC_CODEC_LATIN1,
    SC_CODEC_ASCII
} sc_codec;

/* The codec bytes.decode(name) would use. Returns 0, or -EINVAL with exc set to what Python
 * raises: LookupError "unknown encoding: X" (also for real Python codecs not implemented here,
 * e.g. cp1252 or utf-16), LookupError "'X' is not a text encoding; ...", or ValueError
 * "embedded null character". */
int sc_codec_lookup(const char *name, size_t len, sc_codec *out, sc_pyexc *exc);

/* bytes.decode(codec, errors) with errors "strict" (replace == 0) or "replace". The result is
 * UTF-8, NUL-terminated, in the arena. Returns 0, -EINVAL (strict only; exc holds the
 * UnicodeDecodeError, kind VALUE), or -ENOMEM. */
int sc_py_decode(sc_arena *a, sc_codec codec, int replace, const unsigned char *s, size_t len,
                 char **out, size_t *out_len, sc_pyexc *exc);

/* bytes.decode(name, errors) as a whole: the embedded-NUL check, then, as CPython does, no
 * codec lookup at all for empty data (b"".decode("nonsense") is ""), then lookup and decode. */
int sc_py_bytes_decode(sc_arena *a, const char *name, size_t name_len, int replace,
                       const unsigned char *s, size_t len, char **out, size_t *out_len,
                       sc_pyexc *exc);

/* Code point arrays, the form in which header text is parsed. */
typedef struct sc_ustr {
    const uint32_t *cp;
    size_t len;
} sc_ustr;

/* Latin-1 bytes to code points (how a WSGI server hands header values to Werkzeug). */
int sc_ustr_from_latin1(sc_arena *a, const unsigned char *s, size_t len, sc_ustr *out);
/* Valid UTF-8 (as produced by sc_py_decode) to code points. */
int sc_ustr_from_utf8(sc_arena *a, const char *s, size_t len, sc_ustr *out);
/* Code points to UTF-8, NUL-terminated, in the arena. */
int sc_ustr_to_utf8(sc_arena *a, sc_ustr u, char **out, size_t *out_len);

/* The value of an ASCII hex digit, or -1 (percent-decoding of paths, forms and header
 * parameters). */
int sc_hexval(unsigned char c);

#endif
