/* sc_json: a JSON document model and parser with Python `json.loads` semantics.
 *
 * Why not jansson: the original decodes requests with Python's json module, which accepts NaN,
 * Infinity and -Infinity, keeps integers of any size, keeps lone \uD800-style surrogates, lets
 * the last duplicate key win while keeping the key's first position, and reports errors as
 * "Expecting value: line 1 column 1 (char 0)". jansson does none of these, and allocates per
 * node; this parser allocates every node from a per-request arena.
 *
 * Ownership: every node, string and array returned lives in the caller's arena.
 * Threading: pure C, no GIL, no global state; runs in workers on any thread.
 */
#ifndef SC_JSON_H
#define SC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "sc_arena.h"

typedef enum sc_json_type {
    SC_JSON_NULL = 0,
    SC_JSON_FALSE,
    SC_JSON_TRUE,
    SC_JSON_INT,    /* integer literal that fits int64_t: u.i */
    SC_JSON_BIGINT, /* integer literal outside int64_t: its decimal text in u.s (e.g. "-123456789012345678901") */
    SC_JSON_REAL,   /* number with fraction or exponent, or NaN / Infinity / -Infinity: u.d */
    SC_JSON_STRING, /* u.s: UTF-8, NUL-terminated; a lone surrogate escape is kept as its 3-byte
                       (WTF-8) form so Python can rebuild it with the "surrogatepass" handler */
    SC_JSON_ARRAY,  /* u.a */
    SC_JSON_OBJECT, /* u.o */
    SC_JSON_BYTES   /* never produced by the parser: bytes in u.s that Python must see as `bytes`
                       (a multipart binData file, which the original base64-encodes to bytes) */
} sc_json_type;

typedef struct sc_json sc_json;

typedef struct sc_json_member {
    const char *key; /* UTF-8 (WTF-8), NUL-terminated */
    size_t key_len;
    sc_json *value;
} sc_json_member;

struct sc_json {
    sc_json_type type;
    union {
        int64_t i;
        double d;
        struct {
            const char *ptr;
            size_t len;
        } s;
        struct {
            sc_json **items;
            size_t len;
        } a;
        struct {
            /* Members in order of first appearance; a repeated key keeps its first position
             * and takes its last value, as a Python dict does. Keys are unique. */
            sc_json_member *members;
            size_t len;
        } o;
    } u;
};

typedef struct sc_json_error {
    /* Python's json.JSONDecodeError text, e.g. "Expecting ',' delimiter: line 1 column 5 (char 4)";
     * positions count code points like Python does. For nesting deeper than max_depth the text is
     * Python's RecursionError message "maximum recursion depth exceeded while decoding a JSON
     * array from a unicode string" (or "...a JSON object..."). */
    char message[256];
    size_t byte_offset; /* where the error was detected, in bytes */
    int is_depth;       /* 1 when the nesting limit was hit (the original answers that with 500) */
    int is_encoding;    /* 1 when the input is not valid UTF-8 */
} sc_json_error;

#define SC_JSON_DEFAULT_MAX_DEPTH 990

/* Parses exactly one JSON value from buf[0..len) (leading/trailing JSON whitespace allowed).
 * Input must be UTF-8; invalid UTF-8 is an error with is_encoding set.
 * Returns 0 and sets *out, -EINVAL on a syntax/encoding/depth error (err filled when non-NULL),
 * or -ENOMEM. */
int sc_json_parse(sc_arena *arena, const char *buf, size_t len, size_t max_depth, sc_json **out,
                  sc_json_error *err);

/* Object member lookup by key (linear; objects in Seldon messages are small). NULL if absent or
 * if obj is not an object. */
sc_json *sc_json_get(const sc_json *obj, const char *key);

/* Small constructors used by the multipart and form decoders. They return NULL on ENOMEM. */
sc_json *sc_json_new_string(sc_arena *arena, const char *s, size_t len);
sc_json *sc_json_new_object(sc_arena *arena, size_t capacity);
/* Sets key (copied) in an object built by sc_json_new_object; replaces the value of an existing
 * key in place; returns 0 or -ENOMEM (when the object is full or memory ran out). */
int sc_json_object_set(sc_arena *arena, sc_json *obj, const char *key, size_t key_len,
                       sc_json *value);

#endif
