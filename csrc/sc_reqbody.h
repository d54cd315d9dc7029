/* sc_reqbody: where the JSON of a REST request comes from (SPEC §3.2), in the original's order:
 * multipart/form-data → form field json= → query parameter json= → the body.
 *
 * Ownership: results live in the caller's arena (or point into the caller's body/query).
 * Threading: executor threads, no GIL (pure C).
 */
#ifndef SC_REQBODY_H
#define SC_REQBODY_H

#include <stddef.h>

#include "sc_arena.h"
#include "sc_json.h"
#include "sc_status.h"

typedef struct sc_reqbody_in {
    const char *content_type; /* header value or NULL */
    const char *query;        /* raw query string without '?', or NULL */
    size_t query_len;
    const char *body;
    size_t body_len;
    int passthrough; /* PAYLOAD_PASSTHROUGH on a predict route: hand over undecoded */
} sc_reqbody_in;

typedef enum sc_body_kind {
    SC_BODY_JSON = 0,   /* json: the decoded document */
    SC_BODY_PASS_STR,   /* raw: the json= value (passthrough) */
    SC_BODY_PASS_BYTES, /* raw: the body bytes (passthrough) */
} sc_body_kind;

typedef struct sc_body {
    sc_body_kind kind;
    sc_json *json;
    const char *raw;
    size_t raw_len;
} sc_body;

/* Returns 0 with out filled, -EINVAL with st filled (the original's status and message), or
 * -ENOMEM. */
int sc_reqbody_decode(sc_arena *arena, const sc_reqbody_in *in, sc_body *out, sc_status *st);

/* Werkzeug's Request.is_json on a Content-Type value: application/json or application/<x>+json
 * (case-insensitive, parameters ignored). */
int sc_reqbody_is_json_type(const char *content_type);

#endif
