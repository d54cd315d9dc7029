/* sc_trace: server spans for --tracing / TRACING (SPEC §8), the C equivalent of the original's
 * jaeger-client + flask-opentracing + grpcio-opentracing set-up.
 *
 * One span per REST request and per gRPC call is recorded on the request path into a bounded
 * lock-free ring (multi-producer, single consumer). A background thread per worker process
 * drains the ring every flush interval (or sooner when it fills up), encodes the spans and sends
 * them: jaeger.thrift `Agent.emitBatch` in the Thrift compact protocol over UDP to the Jaeger
 * agent, and/or OTLP/HTTP JSON when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/tracing.md). When
 * the ring is full the span is dropped and counted; nothing on the request path ever blocks.
 *
 * Threading and processes:
 *   - sc_trace_config_load / sc_trace_start / sc_trace_stop: a worker process (REST or gRPC, or
 *     the single process in --debug), on its main thread, after fork (the background thread must
 *     be created in the process that uses it). No GIL involved anywhere in this module.
 *   - sc_trace_on, context parsing, sc_trace_span_*: any thread of that process.
 *   - A span is owned by one thread at a time (the one that started it, until it hands it on);
 *     sc_trace_span_finish passes ownership to the reporter.
 */
#ifndef SC_TRACE_H
#define SC_TRACE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "sc_config.h"

/* ---- configuration -------------------------------------------------------------------------- */

enum { SC_SAMPLER_CONST = 0, SC_SAMPLER_PROBABILISTIC = 1, SC_SAMPLER_RATELIMITING = 2 };

#define SC_TRACE_MAX_EXTRA 32
#define SC_TRACE_MAX_PTAGS 32

typedef struct sc_trace_config {
    int enabled;               /* 0: YAML `enabled: false` (a no-op tracer, as jaeger-client) */
    char service_name[256];    /* interface_name unless the YAML sets service_name */
    int jaeger;                /* send to the agent over UDP */
    char agent_host[256];      /* JAEGER_AGENT_HOST (default 0.0.0.0) or YAML reporting_host */
    int agent_port;            /* JAEGER_AGENT_PORT (default 5775) or YAML reporting_port */
    int otlp;                  /* send OTLP/HTTP JSON */
    char otlp_url[1024];       /* full URL of the traces endpoint (".../v1/traces") */
    char otlp_headers[2048];   /* OTEL_EXPORTER_OTLP_(TRACES_)HEADERS, "k=v,k=v" (raw) */
    int otlp_timeout_ms;       /* OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT, default 10000 */
    char otlp_service[256];    /* OTEL_SERVICE_NAME, or service_name */
    int sampler;               /* SC_SAMPLER_* */
    double sampler_param;      /* const: 0/1; probabilistic: rate; ratelimiting: traces/s */
    int logging;               /* "Reporting span ..." INFO line per span (jaeger `logging`) */
    int max_tag_len;           /* bytes kept of a string tag value (jaeger: 1024) */
    int flush_ms;              /* reporter flush interval (jaeger: 1 s) */
    int queue_size;            /* ring capacity in spans (rounded up to a power of two) */
    int trace_128bit;          /* JAEGER_TRACEID_128BIT=true or YAML generate_128bit_trace_id */
    char trace_id_header[64];  /* lower case; "uber-trace-id" unless the YAML sets another */
    int http_port;             /* for http.url when a request has no Host header */
    /* JAEGER_EXTRA_TAGS, split on ',', stripped, blanks dropped (the original's parsing). */
    int n_extra;
    char extra[SC_TRACE_MAX_EXTRA][64];
    /* process tags: JAEGER_TAGS / YAML `tags`, then jaeger.version, ip, hostname */
    int n_ptags;
    char ptag_key[SC_TRACE_MAX_PTAGS][64];
    char ptag_val[SC_TRACE_MAX_PTAGS][256];
    /* OTEL_RESOURCE_ATTRIBUTES (raw "k=v,k=v"), for the OTLP resource */
    char otel_resource[1024];
} sc_trace_config;

/* Fills tc from the environment (JAEGER_*, OTEL_*, TRACING-related; SPEC §1.4, §8) and, when
 * JAEGER_CONFIG_PATH is set, from that YAML file. service and http_port come from the command
 * line. Returns 0, or -1 with the reason logged (unreadable YAML, unknown sampler type): a
 * worker that cannot set up its tracer fails to boot, as the original's does. */
int sc_trace_config_load(sc_trace_config *tc, const char *service, int http_port);

/* Applies the keys of a jaeger-client YAML configuration that matter here (service_name,
 * enabled, logging, sampler.type/param, local_agent.reporting_host/port, tags,
 * max_tag_value_length, reporter_flush_interval, reporter_queue_size, trace_id_header,
 * generate_128bit_trace_id) to tc. Block-style mappings only. Returns 0, or -1 with a message
 * in err. Exposed for the unit tests. */
int sc_trace_config_apply_yaml(sc_trace_config *tc, const char *text, size_t len, char *err, size_t errlen);

/* ---- lifecycle (worker main thread) ---------------------------------------------------------- */

/* Worker start: when cfg->tracing is non-zero, loads the configuration and starts the reporter
 * thread. Returns 0 (also when tracing is off), or -1 (logged): the worker must not boot. */
int sc_trace_worker_start(const sc_config *cfg);

/* Starts tracing with an explicit configuration (copied). 0 or -1. */
int sc_trace_start(const sc_trace_config *tc);

/* Sends what is still queued (waiting at most about two seconds) and stops the reporter
 * thread. Safe to call when tracing never started. */
void sc_trace_stop(void);
#define sc_trace_worker_stop sc_trace_stop

/* Non-zero when spans are being recorded: the one branch the transports pay when tracing is
 * off. */
extern _Atomic int sc_trace_active_flag;
static inline int sc_trace_on(void)
{
    return atomic_load_explicit(&sc_trace_active_flag, memory_order_relaxed);
}

/* The active configuration (valid while sc_trace_on()). */
const sc_trace_config *sc_trace_config_get(void);

/* ---- propagated context --------------------------------------------------------------------- */

typedef struct sc_trace_ctx {
    uint64_t trace_hi, trace_lo; /* trace id (trace_hi is 0 for 64-bit ids) */
    uint64_t span_id;            /* the caller's span: our parent */
    uint32_t flags;              /* bit 0 sampled, bit 1 debug (Jaeger); W3C sampled → bit 0 */
} sc_trace_ctx;

/* Jaeger "{trace-id}:{span-id}:{parent-span-id}:{flags}" (hex; percent-encoded colons accepted,
 * as jaeger-client URL-decodes the header). Follows jaeger-client's rules: exactly four parts,
 * Python int(x, 16) syntax, trace and span id >= 1. 0, or -1 when malformed. */
int sc_trace_parse_uber(const char *v, size_t len, sc_trace_ctx *out);

/* W3C "traceparent": "{version}-{32 hex trace-id}-{16 hex parent-id}-{2 hex flags}", lower-case
 * hex, version ff and all-zero ids invalid, later versions may append "-...". 0 or -1. */
int sc_trace_parse_traceparent(const char *v, size_t len, sc_trace_ctx *out);

/* ---- spans ---------------------------------------------------------------------------------- */

enum { SC_TAG_STR = 0, SC_TAG_DOUBLE = 1, SC_TAG_BOOL = 2, SC_TAG_LONG = 3 }; /* jaeger TagType */

#define SC_TRACE_INLINE 448

typedef struct sc_trace_span {
    /* Free for the transport hook that holds the span between start and finish. */
    struct sc_trace_span *owner_next;
    const void *owner_key;
    /* identity */
    uint64_t trace_hi, trace_lo, span_id, parent_id; /* parent_id 0: root span */
    uint32_t flags;
    int error;          /* an `error=true` tag was set (OTLP status) */
    int64_t start_us;   /* wall clock, microseconds since the epoch */
    int64_t start_mono; /* monotonic ns, for the duration */
    int64_t duration_us;
    /* records: the operation name, then tags and logs (format in sc_trace.c) */
    uint16_t ntags, nlogs;
    int oom;            /* a record could not be stored: the span is dropped at finish */
    char *data;
    size_t len, cap;
    char inl[SC_TRACE_INLINE];
} sc_trace_span;

/* Starts a server span named op (copied). parent: the extracted context or NULL. Applies the
 * sampler to root spans (adding its sampler.type/sampler.param tags, as jaeger-client does) and
 * the parent's sampled flag to child spans. Returns NULL when tracing is off, the span is not
 * sampled, or memory is short (nothing to free then). */
sc_trace_span *sc_trace_span_start(const char *op, size_t op_len, const sc_trace_ctx *parent);

/* Tags (key must be a C string; values are copied and string values cut to max_tag_len bytes on
 * a UTF-8 boundary). A failed allocation marks the span so it is dropped at finish. */
void sc_trace_span_tag_str(sc_trace_span *s, const char *key, const char *val, size_t len);
void sc_trace_span_tag_long(sc_trace_span *s, const char *key, int64_t v);
void sc_trace_span_tag_bool(sc_trace_span *s, const char *key, int v);
void sc_trace_span_tag_double(sc_trace_span *s, const char *key, double v);

/* A log (jaeger Log / OTLP event) of nfields string key/value pairs, timestamped now. */
void sc_trace_span_log(sc_trace_span *s, int nfields, const char *const *keys, const char *const *vals,
                       const size_t *val_lens);

/* Ends the span now and hands it to the reporter (ownership passes; s may be NULL). When the
 * ring is full the span is freed and counted as dropped. */
void sc_trace_span_finish(sc_trace_span *s);

/* Frees a span that will not be reported (s may be NULL). */
void sc_trace_span_discard(sc_trace_span *s);

/* Walks the records of a finished span: the callbacks get each tag and each log (with its
 * fields as tags). Used by the encoders. */
typedef struct sc_trace_tag {
    const char *key;
    size_t key_len;
    int type; /* SC_TAG_* */
    const char *str;
    size_t str_len;
    int64_t num; /* LONG, BOOL (0/1) */
    double dbl;
} sc_trace_tag;

typedef struct sc_trace_iter {
    const sc_trace_span *s;
    size_t pos;
} sc_trace_iter;

/* The operation name of a span. */
const char *sc_trace_span_op(const sc_trace_span *s, size_t *len);
void sc_trace_iter_init(sc_trace_iter *it, const sc_trace_span *s);
/* Next record: returns 1 for a tag (in *tag), 2 for a log (timestamp in *log_ts, field count in
 * *nfields; the fields follow as tags), 0 at the end. */
int sc_trace_iter_next(sc_trace_iter *it, sc_trace_tag *tag, int64_t *log_ts, int *nfields);

/* ---- reporter internals exposed for the unit tests ------------------------------------------ */

typedef struct sc_trace_stats {
    int64_t dropped_full;      /* ring full */
    int64_t dropped_too_large; /* one span larger than a UDP packet */
    int64_t failed_emit;       /* send failures */
    int64_t reported;          /* spans taken from the ring by the reporter */
} sc_trace_stats;

/* Counters of the running reporter (approximate while running). */
void sc_trace_get_stats(sc_trace_stats *st);

/* Generates a random non-zero 64-bit id (thread-local generator seeded from getrandom()). */
uint64_t sc_trace_random_id(void);

/* Wall clock in microseconds since the epoch. */
int64_t sc_trace_now_us(void);

#endif
