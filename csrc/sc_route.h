/* sc_route: the REST route table of the original (SPEC §3.1) and its quirks for unknown paths and
 * methods (SPEC "Corrections" 1). Pure data + lookup; any thread, no GIL.
 */
#ifndef SC_ROUTE_H
#define SC_ROUTE_H

#include <stddef.h>

/* Endpoint numbers shared with seldon_core_c/runtime.py. */
typedef enum sc_endpoint {
    SC_EP_PREDICT = 0,
    SC_EP_HEALTH_STATUS = 1,
    SC_EP_TRANSFORM_INPUT = 2,
    SC_EP_TRANSFORM_OUTPUT = 3,
    SC_EP_ROUTE = 4,
    SC_EP_AGGREGATE = 5,
    SC_EP_SEND_FEEDBACK = 6,
    SC_EP_METADATA = 7,
    SC_EP_COUNT = 8,
    /* handled in C only */
    SC_EP_PING = 100,
    SC_EP_OPENAPI = 101,
} sc_endpoint;

enum {
    SC_M_GET = 1 << 0,
    SC_M_POST = 1 << 1,
    SC_M_HEAD = 1 << 2,
    SC_M_OPTIONS = 1 << 3,
    SC_M_PUT = 1 << 4,
    SC_M_DELETE = 1 << 5,
    SC_M_PATCH = 1 << 6,
    SC_M_OTHER = 1 << 7,
};

typedef struct sc_route {
    const char *path;
    int methods; /* SC_M_* the route itself accepts (HEAD and OPTIONS implied as Flask does) */
    sc_endpoint endpoint;
    const char *name; /* Flask view name, used later for tracing operation names */
} sc_route;

/* The SC_M_* bit of an (upper-case) method name; SC_M_OTHER for any other token. */
int sc_route_method_bit(const char *method);

/* The path Werkzeug routes a request-target to: after the authority of an absolute-form target,
 * up to '?' or '#', repeated leading slashes as one ("//x/y" is a path, not an authority),
 * percent-decoded. Writes it NUL-terminated into out (cut to size) and returns its length; *query
 * is the raw query string (without '?' and any fragment) or NULL. */
size_t sc_route_target_path(const char *target, char *out, size_t size, const char **query, size_t *query_len);

/* Returns the route for an exact path (no trailing-slash folding, as Flask's strict routes), or
 * NULL. */
const sc_route *sc_route_find(const char *path, size_t len);

/* Whether the original's catch-all static rule (/<path:filename>) matches the decoded path: any
 * path but "/" itself, which no rule matches (every method gets 404 there). */
int sc_route_static_matches(const char *path, size_t len);

/* Writes the Allow header value Flask gives for path (the catch-all static route adds GET,
 * HEAD and OPTIONS to every path). buf must hold 64 bytes. */
void sc_route_allow(const sc_route *route, char *buf, size_t size);

#endif
