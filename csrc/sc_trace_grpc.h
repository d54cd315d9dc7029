/* sc_trace_grpc: the gRPC side of tracing (SPEC §8), what grpcio-opentracing's server
 * interceptor does for the original: one server span per call, named after the full method path
 * ("/seldon.protos.Model/Predict"), the parent taken from the call's uber-trace-id (or W3C
 * traceparent) metadata, tags component=grpc, span.kind=server, peer.ipv4/peer.ipv6 and
 * peer.port, and on a non-OK status error=true plus an error log (error.kind "StatusCode.X",
 * message = the status details).
 *
 * Threading: begin on the completion-queue thread when the call arrives; end on whichever
 * thread sends the status (the call's owner). No GIL.
 */
#ifndef SC_TRACE_GRPC_H
#define SC_TRACE_GRPC_H

#include <stddef.h>

#include <grpc/grpc.h>

#include "sc_trace.h"

/* Starts the call's span; NULL when tracing is off or the call is not sampled. */
sc_trace_span *sc_trace_grpc_begin(grpc_call *call, const grpc_call_details *details, const grpc_metadata_array *md);

/* The status is being sent: ends and reports the span (s may be NULL). */
void sc_trace_grpc_end(sc_trace_span *s, int code, const char *details, size_t details_len);

#endif
