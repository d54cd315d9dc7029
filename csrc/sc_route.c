#include "sc_route.h"

#include "sc_pystr.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const sc_route sc_routes[] = {
    {"/predict", SC_M_GET | SC_M_POST, SC_EP_PREDICT, "Predict"},
    {"/api/v1.0/predictions", SC_M_POST, SC_EP_PREDICT, "Predict"},
    {"/api/v0.1/predictions", SC_M_POST, SC_EP_PREDICT, "Predict"},
    {"/send-feedback", SC_M_GET | SC_M_POST, SC_EP_SEND_FEEDBACK, "SendFeedback"},
    {"/api/v1.0/feedback", SC_M_POST, SC_EP_SEND_FEEDBACK, "SendFeedback"},
    {"/api/v0.1/feedback", SC_M_POST, SC_EP_SEND_FEEDBACK, "SendFeedback"},
    {"/transform-input", SC_M_GET | SC_M_POST, SC_EP_TRANSFORM_INPUT, "TransformInput"},
    {"/transform-output", SC_M_GET | SC_M_POST, SC_EP_TRANSFORM_OUTPUT, "TransformOutput"},
    {"/route", SC_M_GET | SC_M_POST, SC_EP_ROUTE, "Route"},
    {"/aggregate", SC_M_GET | SC_M_POST, SC_EP_AGGREGATE, "Aggregate"},
    {"/health/ping", SC_M_GET, SC_EP_PING, "HealthPing"},
    {"/health/status", SC_M_GET, SC_EP_HEALTH_STATUS, "HealthStatus"},
    {"/api/v1.0/health/status", SC_M_GET, SC_EP_HEALTH_STATUS, "HealthStatus"},
    {"/metadata", SC_M_GET, SC_EP_METADATA, "Metadata"},
    {"/api/v1.0/metadata", SC_M_GET, SC_EP_METADATA, "Metadata"},
    {"/seldon.json", SC_M_GET, SC_EP_OPENAPI, "openAPI"},
};

const sc_route *sc_route_find(const char *path, size_t len)
{
    for (size_t i = 0; i < sizeof(sc_routes) / sizeof(sc_routes[0]); i++) {
        if (strlen(sc_routes[i].path) == len && memcmp(sc_routes[i].path, path, len) == 0)
            return &sc_routes[i];
    }
    return NULL;
}

void sc_route_allow(const sc_route *route, char *buf, size_t size)
{
    /* Werkzeug lists the methods of every rule matching the path, sorted; the catch-all GET
     * rule matches every path, so GET, HEAD and OPTIONS are always there. */
    int m = SC_M_GET | SC_M_HEAD | SC_M_OPTIONS | (route ? route->methods : 0);
    static const struct {
        int bit;
        const char *name;
    } order[] = {{SC_M_DELETE, "DELETE"}, {SC_M_GET, "GET"},   {SC_M_HEAD, "HEAD"},
                 {SC_M_OPTIONS, "OPTIONS"}, {SC_M_PATCH, "PATCH"}, {SC_M_POST, "POST"},
                 {SC_M_PUT, "PUT"}};
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (!(m & order[i].bit))
            continue;
        int w = snprintf(buf + n, size - n, "%s%s", n ? ", " : "", order[i].name);
        if (w < 0 || (size_t)w >= size - n)
            return;
        n += (size_t)w;
    }
}

int sc_route_method_bit(const char *m)
{
    static const struct {
        const char *name;
        int bit;
    } bits[] = {
        {"GET", SC_M_GET}, {"POST", SC_M_POST}, {"HEAD", SC_M_HEAD}, {"OPTIONS", SC_M_OPTIONS},
        {"PUT", SC_M_PUT}, {"DELETE", SC_M_DELETE}, {"PATCH", SC_M_PATCH},
    };
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        if (strcmp(m, bits[i].name) == 0)
            return bits[i].bit;
    }
    return SC_M_OTHER;
}

size_t sc_route_target_path(const char *target, char *out, size_t size, const char **query, size_t *query_len)
{
    /* absolute-form ("GET http://host/path"): the path starts after the authority */
    if (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0) {
        const char *p = strchr(target, ':') + 3;
        p += strcspn(p, "/?#");
        target = *p == '/' ? p : "/";
    }
    size_t len = strcspn(target, "?#");
    *query = target[len] == '?' ? target + len + 1 : NULL;
    *query_len = *query ? strcspn(*query, "#") : 0;
    const char *raw = target;
    while (len > 1 && raw[0] == '/' && raw[1] == '/') {
        raw++;
        len--;
    }
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < size; i++) {
        int hi, lo;
        if (raw[i] == '%' && i + 2 < len && (hi = sc_hexval((unsigned char)raw[i + 1])) >= 0 &&
            (lo = sc_hexval((unsigned char)raw[i + 2])) >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = raw[i];
        }
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return o;
}

int sc_route_static_matches(const char *path, size_t len)
{
    return !(len == 1 && path[0] == '/');
}
