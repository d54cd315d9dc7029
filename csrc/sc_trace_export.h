/* sc_trace_export: the wire formats and transports of finished spans.
 *
 *  - Jaeger: jaeger.thrift `Batch` inside agent.thrift `Agent.emitBatch` (a oneway call), in the
 *    Thrift compact protocol, one UDP datagram per batch of at most SC_TRACE_UDP_MAX bytes. This
 *    is what jaeger-client-python sends to its configured agent port (6831 on current agents;
 *    the original's default port 5775 is the agent's zipkin.thrift port, see docs/tracing.md).
 *  - OTLP: ExportTraceServiceRequest in the OTLP/HTTP JSON encoding, POSTed to the traces URL.
 *
 * Encoders are pure functions over sc_buf (any thread, no global state). The senders keep their
 * socket state in the caller's struct and block (with timeouts): they run only on the reporter
 * thread, never on the request path. No GIL anywhere.
 */
#ifndef SC_TRACE_EXPORT_H
#define SC_TRACE_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sc_buf.h"
#include "sc_trace.h"

/* jaeger-client's max UDP packet size. */
#define SC_TRACE_UDP_MAX 65000

/* The process (jaeger Process / OTLP resource) of a worker. */
typedef struct sc_trace_process {
    const char *service;
    int ntags;
    const char *const *keys;
    const char *const *vals;
} sc_trace_process;

/* Appends one jaeger.thrift Span struct (compact protocol, ending with its field stop). */
int sc_trace_encode_jaeger_span(sc_buf *out, const sc_trace_span *s);

/* Appends a whole emitBatch message: header (oneway, seqid), Batch{process, spans, seqNo,
 * stats}. spans holds nspans already-encoded Span structs back to back (from
 * sc_trace_encode_jaeger_span). */
int sc_trace_encode_jaeger_batch(sc_buf *out, const sc_trace_process *p, const char *spans, size_t spans_len,
                                 size_t nspans, int64_t seq_no, const sc_trace_stats *stats);

/* Bytes emitBatch adds around the spans of a batch for this process (an upper bound), to keep a
 * datagram under SC_TRACE_UDP_MAX. */
size_t sc_trace_jaeger_overhead(const sc_trace_process *p);

/* Appends an OTLP ExportTraceServiceRequest (JSON) holding spans[0..n). resource_attrs: raw
 * OTEL_RESOURCE_ATTRIBUTES ("k=v,k=v", percent-decoded) or NULL. */
int sc_trace_encode_otlp(sc_buf *out, const sc_trace_process *p, const char *resource_attrs,
                         sc_trace_span *const *spans, size_t n);

/* ---- senders (reporter thread) -------------------------------------------------------------- */

typedef struct sc_trace_udp {
    int fd;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int resolved;
    int64_t retry_at_ms; /* monotonic; after a resolution failure, do not retry before this */
} sc_trace_udp;

void sc_trace_udp_init(sc_trace_udp *u);
/* Sends one datagram to host:port (resolved on first use, again after failures). 0 or -errno. */
int sc_trace_udp_send(sc_trace_udp *u, const char *host, int port, const void *buf, size_t len);
void sc_trace_udp_close(sc_trace_udp *u);

/* POSTs body (JSON) to an http:// URL with extra "k=v,k=v" headers (may be NULL) and a total
 * timeout. Returns the HTTP status (> 0), or -errno / -EPROTO when no status line came back. */
int sc_trace_http_post(const char *url, const char *headers, const char *body, size_t len, int timeout_ms);

/* Splits "http://host[:port][/path]". 0 or -1 (https and other schemes are not supported).
 * host/path are NUL-terminated; path defaults to "/". */
int sc_trace_parse_url(const char *url, char *host, size_t hostlen, int *port, char *path, size_t pathlen);

#endif
