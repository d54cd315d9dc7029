#include "sc_trace_grpc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <grpc/support/alloc.h>

static int sc_slice_is(grpc_slice s, const char *name)
{
    size_t n = strlen(name);
    return GRPC_SLICE_LENGTH(s) == n && strncasecmp((const char *)GRPC_SLICE_START_PTR(s), name, n) == 0;
}

/* grpcio-opentracing's peer tags: "ipv4:ADDR:PORT" and "ipv6:[ADDR]:PORT"; others get none. */
static void sc_peer_tags(sc_trace_span *s, grpc_call *call)
{
    char *peer = grpc_call_get_peer(call);
    if (peer == NULL)
        return;
    const char *port = strrchr(peer, ':');
    if (strncmp(peer, "ipv4:", 5) == 0 && port != NULL && port > peer + 5) {
        sc_trace_span_tag_str(s, "peer.ipv4", peer + 5, (size_t)(port - (peer + 5)));
        sc_trace_span_tag_str(s, "peer.port", port + 1, strlen(port + 1));
    } else if (strncmp(peer, "ipv6:[", 6) == 0 && port != NULL && port > peer + 6 && port[-1] == ']') {
        sc_trace_span_tag_str(s, "peer.ipv6", peer + 6, (size_t)(port - 1 - (peer + 6)));
        sc_trace_span_tag_str(s, "peer.port", port + 1, strlen(port + 1));
    }
    gpr_free(peer);
}

sc_trace_span *sc_trace_grpc_begin(grpc_call *call, const grpc_call_details *details, const grpc_metadata_array *md)
{
    if (!sc_trace_on())
        return NULL;
    const sc_trace_config *tc = sc_trace_config_get();
    /* the last value of a repeated key, as dict(metadata) keeps */
    const grpc_metadata *uber = NULL, *tp = NULL;
    for (size_t i = 0; i < md->count; i++) {
        if (sc_slice_is(md->metadata[i].key, tc->trace_id_header))
            uber = &md->metadata[i];
        else if (sc_slice_is(md->metadata[i].key, "traceparent"))
            tp = &md->metadata[i];
    }
    sc_trace_ctx ctx;
    const sc_trace_ctx *parent = NULL;
    if (uber != NULL && sc_trace_parse_uber((const char *)GRPC_SLICE_START_PTR(uber->value),
                                            GRPC_SLICE_LENGTH(uber->value), &ctx) == 0)
        parent = &ctx;
    else if (tp != NULL && sc_trace_parse_traceparent((const char *)GRPC_SLICE_START_PTR(tp->value),
                                                      GRPC_SLICE_LENGTH(tp->value), &ctx) == 0)
        parent = &ctx;
    sc_trace_span *s = sc_trace_span_start((const char *)GRPC_SLICE_START_PTR(details->method),
                                           GRPC_SLICE_LENGTH(details->method), parent);
    if (s == NULL)
        return NULL;
    sc_trace_span_tag_str(s, "component", "grpc", 4);
    sc_trace_span_tag_str(s, "span.kind", "server", 6);
    sc_peer_tags(s, call);
    return s;
}

void sc_trace_grpc_end(sc_trace_span *s, int code, const char *details, size_t details_len)
{
    static const char *const names[] = {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
        "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    if (s == NULL)
        return;
    if (code != 0) {
        /* grpcio-opentracing's check of the servicer's code: error=true and a log with
         * error.kind = str(grpc.StatusCode.X) and the details as message. */
        char kind[48];
        snprintf(kind, sizeof(kind), "StatusCode.%s", code > 0 && code <= 16 ? names[code] : "UNKNOWN");
        sc_trace_span_tag_bool(s, "error", 1);
        const char *keys[3] = {"event", "error.kind", "message"};
        const char *vals[3] = {"error", kind, details ? details : ""};
        size_t lens[3] = {5, strlen(kind), details ? details_len : 0};
        sc_trace_span_log(s, 3, keys, vals, lens);
    }
    sc_trace_span_finish(s);
}
