/* sc_config: the command line, environment and pod annotations of seldon-core-microservice
 * (SPEC §1.3, §1.4, §1.8), parsed the way the original's argparse set-up does.
 *
 * One static option table drives parsing, --help and the generated configuration reference.
 * Threading: master only, before any fork or thread; no GIL (no Python involved).
 */
#ifndef SC_CONFIG_H
#define SC_CONFIG_H

#include <stdio.h>

typedef struct sc_config {
    /* positional */
    const char *interface_name;
    /* flags (env defaults applied) */
    const char *service_type; /* MODEL ROUTER TRANSFORMER COMBINER OUTLIER_DETECTOR */
    int persistence;
    const char *parameters;   /* raw JSON text, parsed later by the Python runtime */
    const char *log_level;    /* DEBUG INFO WARNING ERROR (flag); */
    const char *seldon_log_level; /* SELDON_LOG_LEVEL if set, else NULL */
    int log_level_num;        /* effective Python level number: SELDON_LOG_LEVEL, else --log-level */
    int debug;
    int tracing;
    int workers;
    int threads;
    int max_requests;
    int max_requests_jitter;
    int keepalive;
    int single_threaded;
    int http_port;
    int grpc_port;
    int metrics_port;
    const char *pidfile;      /* NULL when not given */
    int access_log;
    int grpc_threads;
    int grpc_workers;
    /* environment only */
    const char *metrics_endpoint;   /* PREDICTIVE_UNIT_METRICS_ENDPOINT, default "/metrics" */
    int payload_passthrough;        /* PAYLOAD_PASSTHROUGH (bool) */
    int filter_metrics_access_logs; /* FILTER_METRICS_ACCESS_LOGS (bool), default !debug */
    /* pod annotations (file SC_ANNOTATIONS_PATH or /etc/podinfo/annotations) */
    /* Negative or non-integer values are logged and ignored, so -1 always means unset. */
    long long grpc_max_message_size; /* seldon.io/grpc-max-message-size, -1 when unset */
    long long rest_timeout_ms;       /* seldon.io/rest-timeout in ms, -1 when unset */
    /* extensions of ours (documented in docs/configuration.md) */
    long long max_body_bytes;        /* SC_MAX_BODY_BYTES, default 1 GiB */
    /* unknown arguments collected by the parse_known_args behaviour, for the exit-255 message */
    int n_unknown;
    const char **unknown;
} sc_config;

/* Parses argv (argv[0] is the program name) with argparse semantics: unambiguous long-option
 * prefixes, --opt=value, nargs='?' options, `--` ends options. Environment defaults are read
 * with getenv(). Returns:
 *   0   parsed (cfg filled; cfg->n_unknown may be > 0: the caller logs and exits 255),
 *   1   --help was printed to out: exit 0,
 *   2   a usage error was printed to err (argparse's "usage: ...\n<prog>: error: ...") : exit 2;
 *   3   a bad environment value (exit 1, as the original's crash) ("<prog>: error: environment variable X: ...", no
 *       usage): a non-integer GUNICORN_*, TRACING, FLASK_SINGLE_THREADED, PREDICTIVE_UNIT_*_PORT,
 *       an unknown SELDON_LOG_LEVEL or a bad SC_MAX_BODY_BYTES. Bad GRPC_THREADS/GRPC_WORKERS
 *       give argparse's own "argument --grpc-workers: invalid int value: 'x'", as the original.
 *       SELDON_LOG_LEVEL and SC_MAX_BODY_BYTES are not checked when there are unknown args.
 * On 1 and 2 nothing needs freeing (sc_config_free is still safe to call).
 * Memory in cfg points into argv, the environment or static storage, plus one malloc'd array
 * (unknown), freed by sc_config_free. */
int sc_config_parse(sc_config *cfg, int argc, char **argv, FILE *out, FILE *err);
void sc_config_free(sc_config *cfg);

/* Reads the annotations file (path from SC_ANNOTATIONS_PATH, default /etc/podinfo/annotations)
 * into cfg: missing file is fine; lines without '=' are reported to log as
 * "Bad annotation: <line>", unusable values and read errors are logged too (log may be NULL).
 * Returns 0. */
int sc_config_load_annotations(sc_config *cfg, FILE *log);

/* Writes cfg->unknown as Python prints a list of str (e.g. "['REST', '--foo=bar']") for the
 * "Unknown args [...]" message. Returns 0, or -1 on a write error. */
int sc_config_write_unknown(const sc_config *cfg, FILE *out);

/* Parses a boolean the way SPEC decision 4 says: 1/true/t (any case) are true, all else false. */
int sc_config_parse_bool(const char *s);

/* Writes the option table as a Markdown table (for docs/configuration.md). */
void sc_config_write_reference(FILE *out);

#endif
