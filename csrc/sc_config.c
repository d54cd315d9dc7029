/* sc_config: command line, environment and pod annotations (SPEC §1.3, §1.4, §1.8).
 *
 * The original parses its command line with Python's argparse (3.11) and parse_known_args, so
 * this file reproduces argparse's algorithm rather than getopt's: every argument is first
 * classified as an option ('O'), a value ('A') or the '--' marker ('-'), then options and the
 * one positional are consumed alternately; what nobody consumes is collected as unknown.
 * Doing the classification pass first matters: an ambiguous prefix anywhere is an error even
 * when -h comes before it, exactly as in the original.
 *
 * Text is built in an sc_buf and written with one fwrite, so a short write is detected once.
 */
#include "sc_config.h"

#include "sc_buf.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define PROG "seldon-core-microservice"
/* argparse formats for an 80-column terminal (COLUMNS unset): width 78, help column 24. */
#define TEXT_WIDTH 78
#define HELP_COL 24
#define ANNOTATIONS_DEFAULT_PATH "/etc/podinfo/annotations"
#define ANNOTATION_GRPC_MAX "seldon.io/grpc-max-message-size"
#define ANNOTATION_REST_TIMEOUT "seldon.io/rest-timeout"
#define MAX_BODY_DEFAULT 1073741824LL

/* ---------------------------------------------------------------------------------------------
 * Text output: an sc_buf that remembers an allocation failure, so callers check once.
 */
typedef struct text {
    sc_buf b;
    int failed;
} text;

static void t_mem(text *t, const char *s, size_t n)
{
    if (!t->failed && sc_buf_append(&t->b, s, n) != 0)
        t->failed = 1;
}

static void t_str(text *t, const char *s)
{
    t_mem(t, s, strlen(s));
}

static void t_chr(text *t, char c)
{
    t_mem(t, &c, 1);
}

static void t_spaces(text *t, size_t n)
{
    while (n-- > 0)
        t_chr(t, ' ');
}

static void t_fmt_ll(text *t, long long v)
{
    char num[32];
    int n = snprintf(num, sizeof num, "%lld", v);
    if (n < 0 || (size_t)n >= sizeof num) {
        t->failed = 1;
        return;
    }
    t_mem(t, num, (size_t)n);
}

/* Writes the text to f and frees it; returns 0, or -1 when building or writing failed. */
static int t_flush(text *t, FILE *f)
{
    int rc = t->failed ? -1 : 0;
    if (rc == 0 && t->b.len > 0) {
        if (fwrite(t->b.data, 1, t->b.len, f) != t->b.len || fflush(f) != 0)
            rc = -1;
    }
    sc_buf_free(&t->b);
    t->failed = 0;
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Python's view of characters. argv and the environment reach Python decoded as UTF-8 with
 * surrogateescape, so an undecodable byte b is the code point U+DC00+b; we decode the same way
 * so that int() and repr() give the original's answers.
 */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        goto bad;
    }
    if (len > n)
        goto bad;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            goto bad;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        goto bad;
    *cp = v;
    return len;
bad:
    *cp = 0xdc00 + c;
    return 1;
}

/* str.isspace(); int() uses the same set except U+001C..U+001F. */
static int py_isspace(uint32_t c, int for_int)
{
    if (c == ' ' || (c >= '\t' && c <= '\r'))
        return 1;
    if (c >= 0x1c && c <= 0x1f)
        return !for_int;
    return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
           c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* The zero of every run of Unicode decimal digits (Python 3.11, Unicode 14): int() and the
 * regex \d accept all of them, each run being ten consecutive code points. */
static const uint32_t unicode_zeros[] = {
    0x30,    0x660,   0x6f0,   0x7c0,   0x966,   0x9e6,   0xa66,   0xae6,   0xb66,   0xbe6,
    0xc66,   0xce6,   0xd66,   0xde6,   0xe50,   0xed0,   0xf20,   0x1040,  0x1090,  0x17e0,
    0x1810,  0x1946,  0x19d0,  0x1a80,  0x1a90,  0x1b50,  0x1bb0,  0x1c40,  0x1c50,  0xa620,
    0xa8d0,  0xa900,  0xa9d0,  0xa9f0,  0xaa50,  0xabf0,  0xff10,  0x104a0, 0x10d30, 0x11066,
    0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0,
    0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2,
    0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
};

static int py_digit(uint32_t c)
{
    for (size_t i = 0; i < sizeof unicode_zeros / sizeof unicode_zeros[0]; i++) {
        if (c >= unicode_zeros[i] && c < unicode_zeros[i] + 10)
            return (int)(c - unicode_zeros[i]);
    }
    return -1;
}

enum { PYINT_OK = 0, PYINT_INVALID = -1, PYINT_RANGE = -2 };

/* Python int(s): surrounding whitespace, one sign, digits with single '_' between digits.
 * Returns PYINT_OK, PYINT_INVALID, or PYINT_RANGE when it does not fit a long long. */
static int py_int(const char *str, size_t n, long long *out)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, end = n, len;
    uint32_t c;
    while (i < end && (len = utf8_decode(s + i, end - i, &c)) > 0 && py_isspace(c, 1))
        i += len;
    /* Trailing whitespace: step back over whole code points from the end. */
    while (end > i) {
        size_t start = end - 1;
        while (start > i && (s[start] & 0xc0) == 0x80 && end - start < 4)
            start--;
        if (utf8_decode(s + start, end - start, &c) != end - start || !py_isspace(c, 1))
            break;
        end = start;
    }
    int neg = 0;
    if (i < end && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    unsigned long long v = 0, limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    int ndigits = 0, range = 0, prev_underscore = 0;
    while (i < end) {
        if (s[i] == '_') {
            if (ndigits == 0 || prev_underscore)
                return PYINT_INVALID;
            prev_underscore = 1;
            i++;
            continue;
        }
        i += utf8_decode(s + i, end - i, &c);
        int d = py_digit(c);
        if (d < 0)
            return PYINT_INVALID;
        if (v > (limit - (unsigned)d) / 10)
            range = 1;
        else
            v = v * 10 + (unsigned)d;
        ndigits++;
        prev_underscore = 0;
    }
    if (ndigits == 0 || prev_underscore)
        return PYINT_INVALID;
    if (range)
        return PYINT_RANGE;
    *out = neg ? -(long long)(v - 1) - 1 : (long long)v;
    return PYINT_OK;
}

/* Python repr(str) for messages: the quote that avoids escaping, escapes for the characters
 * str.isprintable() rejects (C0/C1 controls, surrogates, the separators and format characters
 * that can appear in practice). Other non-ASCII text is copied as is. */
static void t_repr(text *t, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    char q = '\'';
    if (memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL)
        q = '"';
    t_chr(t, q);
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t len = utf8_decode(s + i, n - i, &c);
        char esc[16];
        const char *e = NULL;
        if (c == (uint32_t)q || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c, esc[2] = 0;
            e = esc;
        } else if (c == '\t') {
            e = "\\t";
        } else if (c == '\n') {
            e = "\\n";
        } else if (c == '\r') {
            e = "\\r";
        } else if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad) {
            snprintf(esc, sizeof esc, "\\x%02x", (unsigned)c);
            e = esc;
        } else if (c == 0x1680 || (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
                   (c >= 0x205f && c <= 0x2064) || c == 0x3000 || c == 0xfeff ||
                   (c >= 0xd800 && c <= 0xdfff)) {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)c);
            e = esc;
        }
        if (e != NULL)
            t_str(t, e);
        else
            t_mem(t, str + i, len);
        i += len;
    }
    t_chr(t, q);
}

/* ---------------------------------------------------------------------------------------------
 * The option table. Its order is the original's add_argument order: usage, --help, the
 * ambiguity message and the reference all list options in it.
 */
typedef enum opt_type { OPT_HELP, OPT_STR, OPT_CHOICE, OPT_INT, OPT_BOOL } opt_type;

typedef struct sc_opt {
    const char *name;            /* long option string */
    opt_type type;
    int value_optional;          /* nargs='?': a bare flag stores konst */
    int konst;
    const char *env;             /* environment variable giving the default, or NULL */
    /* The original hands argparse the env text unconverted (GRPC_THREADS, GRPC_WORKERS), so
     * argparse converts it only when the flag is absent, with its own error message. Other int
     * env defaults go through int() when the parser is built: a bad value fails even --help. */
    int env_lazy;
    const char *def;             /* default as text; NULL: none */
    const char *const *choices;  /* NULL-terminated, OPT_CHOICE only */
    size_t off;                  /* field in sc_config */
    const char *help;
} sc_opt;

static const char *const service_types[] = {"MODEL",    "ROUTER",           "TRANSFORMER",
                                            "COMBINER", "OUTLIER_DETECTOR", NULL};
static const char *const log_levels[] = {"DEBUG", "INFO", "WARNING", "ERROR", NULL};

#define F(field) offsetof(sc_config, field)

static const sc_opt opts[] = {
    {"--help", OPT_HELP, 0, 0, NULL, 0, NULL, NULL, 0, "show this help message and exit"},
    {"--service-type", OPT_CHOICE, 0, 0, NULL, 0, "MODEL", service_types, F(service_type),
     "Kind of graph unit. Validated only: every endpoint is served whatever the type."},
    {"--persistence", OPT_INT, 1, 1, NULL, 0, "0", NULL, F(persistence),
     "Deprecated and ignored; a non-zero value logs an error."},
    {"--parameters", OPT_STR, 0, 0, "PREDICTIVE_UNIT_PARAMETERS", 0, "[]", NULL, F(parameters),
     "JSON list of {name, value, type} objects passed to the model class constructor."},
    {"--log-level", OPT_CHOICE, 0, 0, NULL, 0, "INFO", log_levels, F(log_level),
     "Log level (SELDON_LOG_LEVEL overrides it)."},
    {"--debug", OPT_BOOL, 1, 1, "SELDON_DEBUG", 0, "false", NULL, F(debug),
     "Debug mode: one foreground process, no worker timeout. A value is true only for 1, true "
     "or t."},
    {"--tracing", OPT_INT, 1, 1, "TRACING", 0, "0", NULL, F(tracing),
     "Non-zero enables OpenTracing (Jaeger) spans."},
    {"--workers", OPT_INT, 0, 0, "GUNICORN_WORKERS", 0, "1", NULL, F(workers),
     "Number of REST worker processes."},
    {"--threads", OPT_INT, 0, 0, "GUNICORN_THREADS", 0, "1", NULL, F(threads),
     "Python executor threads per REST worker."},
    {"--max-requests", OPT_INT, 0, 0, "GUNICORN_MAX_REQUESTS", 0, "0", NULL, F(max_requests),
     "Replace a worker after this many requests; 0 never."},
    {"--max-requests-jitter", OPT_INT, 0, 0, "GUNICORN_MAX_REQUESTS_JITTER", 0, "0", NULL,
     F(max_requests_jitter), "Random 0..N added to --max-requests for each worker."},
    {"--keepalive", OPT_INT, 0, 0, "GUNICORN_KEEPALIVE", 0, "2", NULL, F(keepalive),
     "Seconds an idle keep-alive connection waits for its next request."},
    {"--single-threaded", OPT_INT, 0, 0, "FLASK_SINGLE_THREADED", 0, "0", NULL,
     F(single_threaded), "Non-zero forces one executor thread per worker."},
    {"--http-port", OPT_INT, 0, 0, "PREDICTIVE_UNIT_HTTP_SERVICE_PORT", 0, "9000", NULL,
     F(http_port), "REST port, on all interfaces."},
    {"--grpc-port", OPT_INT, 0, 0, "PREDICTIVE_UNIT_GRPC_SERVICE_PORT", 0, "5000", NULL,
     F(grpc_port), "gRPC port, on all interfaces."},
    {"--metrics-port", OPT_INT, 0, 0, "PREDICTIVE_UNIT_METRICS_SERVICE_PORT", 0, "6000", NULL,
     F(metrics_port), "Prometheus metrics port, on all interfaces."},
    {"--pidfile", OPT_STR, 0, 0, NULL, 0, NULL, NULL, F(pidfile),
     "File the master writes its PID to; removed on exit."},
    {"--access-log", OPT_BOOL, 1, 1, "GUNICORN_ACCESS_LOG", 0, "false", NULL, F(access_log),
     "Log every request to stdout. A value is true only for 1, true or t."},
    {"--grpc-threads", OPT_INT, 0, 0, "GRPC_THREADS", 1, "1", NULL, F(grpc_threads),
     "Threads per gRPC worker process."},
    {"--grpc-workers", OPT_INT, 0, 0, "GRPC_WORKERS", 1, "1", NULL, F(grpc_workers),
     "Number of gRPC worker processes; 0 disables gRPC."},
};

enum { N_OPTS = (int)(sizeof opts / sizeof opts[0]) };

#define POSITIONAL "interface_name"
#define POSITIONAL_HELP                                                                            \
    "Model class to serve: Name (class Name in module Name) or package.module.Class."

/* Settings read only from the environment (and the annotations file), for the reference. */
typedef struct env_setting {
    const char *env, *type, *def, *help;
} env_setting;

static const env_setting env_settings[] = {
    {"SELDON_LOG_LEVEL", "log level name", "value of `--log-level`",
     "Overrides `--log-level`: DEBUG, INFO, WARNING (WARN), ERROR, CRITICAL (FATAL) or NOTSET, "
     "exact case. Anything else is a start-up error."},
    {"PREDICTIVE_UNIT_METRICS_ENDPOINT", "str", "/metrics",
     "Path of the Prometheus endpoint on the metrics port."},
    {"PAYLOAD_PASSTHROUGH", "bool", "false",
     "REST predict passes the raw body to the model and its result back unchanged."},
    {"FILTER_METRICS_ACCESS_LOGS", "bool", "not `--debug`",
     "Leave requests of the metrics endpoint out of the access log."},
    {"SC_MAX_BODY_BYTES", "int", "1073741824",
     "Largest accepted request body in bytes (seldon-core-c only)."},
    {"SC_ANNOTATIONS_PATH", "path", ANNOTATIONS_DEFAULT_PATH,
     "Pod annotations file (seldon-core-c only)."},
};

/* Option strings in argparse's registration order: "-h" first, then every long name. */
enum { N_OPTSTRINGS = N_OPTS + 1 };

static const char *optstring_at(int k, int *opt)
{
    if (k == 0) {
        *opt = 0;
        return "-h";
    }
    *opt = k - 1;
    return opts[k - 1].name;
}

static int find_optstring(const char *s, size_t n)
{
    for (int k = 0; k < N_OPTSTRINGS; k++) {
        int o;
        const char *name = optstring_at(k, &o);
        if (strlen(name) == n && memcmp(name, s, n) == 0)
            return o;
    }
    return -1;
}

static int *int_field(sc_config *cfg, const sc_opt *o)
{
    return (int *)(void *)((char *)cfg + o->off);
}

static const char **str_field(sc_config *cfg, const sc_opt *o)
{
    return (const char **)(void *)((char *)cfg + o->off);
}

/* argparse's metavar: the long name without dashes, upper case, '-' → '_'; "{A,B}" for
 * choices; in brackets when the value is optional. */
static void t_metavar(text *t, const sc_opt *o)
{
    if (o->type == OPT_CHOICE) {
        t_chr(t, '{');
        for (int i = 0; o->choices[i] != NULL; i++) {
            if (i > 0)
                t_chr(t, ',');
            t_str(t, o->choices[i]);
        }
        t_chr(t, '}');
        return;
    }
    if (o->value_optional)
        t_chr(t, '[');
    for (const char *p = o->name + 2; *p; p++)
        t_chr(t, *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p));
    if (o->value_optional)
        t_chr(t, ']');
}

/* "--workers WORKERS" (usage and help share it); help is "-h" in usage, "-h, --help" in help. */
static void t_invocation(text *t, const sc_opt *o, int for_help)
{
    if (o->type == OPT_HELP) {
        t_str(t, for_help ? "-h, --help" : "-h");
        return;
    }
    t_str(t, o->name);
    t_chr(t, ' ');
    t_metavar(t, o);
}

/* ---------------------------------------------------------------------------------------------
 * Usage and help, laid out like argparse's HelpFormatter at width 78.
 */
static void t_usage(text *t)
{
    static const char prefix[] = "usage: ";
    const size_t indent = sizeof prefix - 1 + sizeof PROG - 1 + 1;
    /* argparse fills lines with parts while line_len + 1 + len(part) <= width, counting the
     * prefix for the first line and the indent for the others. */
    size_t line_len = sizeof prefix - 2;
    int line_has_parts = 0;
    t_str(t, prefix);
    for (int i = -1; i <= N_OPTS; i++) {
        text part = {0};
        if (i < 0) {
            t_str(&part, PROG);
        } else if (i < N_OPTS) {
            t_chr(&part, '[');
            t_invocation(&part, &opts[i], 0);
            t_chr(&part, ']');
        } else {
            /* Positionals start a line of their own when the usage is wrapped (it always is). */
            t_chr(t, '\n');
            t_spaces(t, indent);
            line_len = indent - 1;
            line_has_parts = 0;
            t_str(&part, POSITIONAL);
        }
        if (part.failed) {
            t->failed = 1;
            sc_buf_free(&part.b);
            return;
        }
        if (line_has_parts && line_len + 1 + part.b.len > TEXT_WIDTH) {
            t_chr(t, '\n');
            t_spaces(t, indent);
            line_len = indent - 1;
            line_has_parts = 0;
        }
        if (line_has_parts)
            t_chr(t, ' ');
        t_mem(t, part.b.data, part.b.len);
        line_len += part.b.len + 1;
        line_has_parts = 1;
        sc_buf_free(&part.b);
    }
    t_chr(t, '\n');
}

static int is_letter(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Greedy word wrap like textwrap: words split at spaces, and after a hyphen with two letters
 * on each side ("Keep-Alive" may break as "Keep-" / "Alive"). Lines after the first are
 * indented to col. */
static void t_wrapped(text *t, const char *s, size_t col, size_t width)
{
    size_t line = 0;
    while (*s) {
        int space_before = 0;
        while (*s == ' ') {
            space_before = 1;
            s++;
        }
        if (!*s)
            break;
        size_t n = 0;
        while (s[n] && s[n] != ' ') {
            n++;
            if (s[n - 1] == '-' && n >= 3 && is_letter(s[n - 2]) && is_letter(s[n - 3]) &&
                is_letter(s[n]) && is_letter(s[n + 1]))
                break;
        }
        size_t need = (line > 0 && space_before ? 1 : 0) + n;
        if (line > 0 && line + need > width) {
            t_chr(t, '\n');
            t_spaces(t, col);
            need = n;
            line = 0;
        } else if (line > 0 && space_before) {
            t_chr(t, ' ');
        }
        t_mem(t, s, n);
        line += need;
        s += n;
    }
    t_chr(t, '\n');
}

static void t_help_item(text *t, const char *invocation, size_t inv_len, const char *help)
{
    t_str(t, "  ");
    t_mem(t, invocation, inv_len);
    if (inv_len <= HELP_COL - 4) {
        t_spaces(t, HELP_COL - 2 - inv_len);
    } else {
        t_chr(t, '\n');
        t_spaces(t, HELP_COL);
    }
    t_wrapped(t, help, HELP_COL, TEXT_WIDTH - HELP_COL);
}

static void t_help(text *t)
{
    t_usage(t);
    t_str(t, "\npositional arguments:\n");
    t_help_item(t, POSITIONAL, strlen(POSITIONAL), POSITIONAL_HELP);
    t_str(t, "\noptions:\n");
    for (int i = 0; i < N_OPTS; i++) {
        const sc_opt *o = &opts[i];
        text inv = {0}, help = {0};
        t_invocation(&inv, o, 1);
        t_str(&help, o->help);
        if (o->env != NULL || o->def != NULL) {
            t_str(&help, " [");
            if (o->env != NULL) {
                t_str(&help, "env ");
                t_str(&help, o->env);
                t_str(&help, ", ");
            }
            t_str(&help, "default ");
            t_str(&help, o->def);
            t_chr(&help, ']');
        }
        t_chr(&help, '\0');
        if (inv.failed || help.failed)
            t->failed = 1;
        else
            t_help_item(t, inv.b.data, inv.b.len, help.b.data);
        sc_buf_free(&inv.b);
        sc_buf_free(&help.b);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Parsing.
 */
typedef struct arg_info {
    char pattern;         /* 'O' option, 'A' value, '-' the first "--" */
    int opt;              /* option index for 'O', -1 for an unknown option */
    const char *optstr;   /* option string as registered ("-h", "--workers") */
    const char *explicit; /* text after '=' (or after "-h"), NULL when none */
} arg_info;

typedef struct parse_ctx {
    sc_config *cfg;
    FILE *out, *err;
    int n;
    char **args;
    arg_info *info;
    unsigned char seen[N_OPTS];
    int positional_done;
} parse_ctx;

enum { R_OK = 0, R_HELP = 1, R_USAGE = 2, R_ENV = 3 };

/* Starts argparse's error output: usage, then "<prog>: error: "; the caller adds the message
 * and finishes with usage_error_end. */
static void usage_error_begin(text *t)
{
    t_usage(t);
    t_str(t, PROG ": error: ");
}

static int usage_error_end(parse_ctx *c, text *t)
{
    t_chr(t, '\n');
    (void)t_flush(t, c->err); /* exiting with 2 anyway; nothing better to do if stderr fails */
    return R_USAGE;
}

static int usage_error(parse_ctx *c, const char *msg)
{
    text t = {0};
    usage_error_begin(&t);
    t_str(&t, msg);
    return usage_error_end(c, &t);
}

/* "argument --workers: <what> 'x'" */
static int argument_error(parse_ctx *c, int opt, const char *what, const char *value)
{
    text t = {0};
    usage_error_begin(&t);
    t_str(&t, "argument ");
    t_str(&t, opt == 0 ? "-h/--help" : opts[opt].name);
    t_str(&t, ": ");
    t_str(&t, what);
    if (value != NULL)
        t_repr(&t, value);
    return usage_error_end(c, &t);
}

static int env_error(parse_ctx *c, const char *env, const char *what, const char *value)
{
    text t = {0};
    t_str(&t, PROG ": error: environment variable ");
    t_str(&t, env);
    t_str(&t, ": ");
    t_str(&t, what);
    t_repr(&t, value);
    t_chr(&t, '\n');
    (void)t_flush(&t, c->err);
    return R_ENV;
}

/* Converts text for an int option; returns 0, or -1 (invalid) / -2 (out of range). */
static int to_int(const char *s, int *out)
{
    long long v = 0;
    int rc = py_int(s, strlen(s), &v);
    if (rc != PYINT_OK)
        return rc;
    if (v < INT_MIN || v > INT_MAX)
        return PYINT_RANGE;
    *out = (int)v;
    return 0;
}

static int store_int(parse_ctx *c, int opt, const char *s)
{
    int v = 0, rc = to_int(s, &v);
    if (rc == PYINT_INVALID)
        return argument_error(c, opt, "invalid int value: ", s);
    if (rc == PYINT_RANGE)
        return argument_error(c, opt, "int value out of range: ", s);
    *int_field(c->cfg, &opts[opt]) = v;
    return R_OK;
}

/* argparse's _get_values + action for one option; value NULL means "no argument given". */
static int take_action(parse_ctx *c, int opt, const char *value, int had_arg)
{
    const sc_opt *o = &opts[opt];
    c->seen[opt] = 1;
    if (o->type == OPT_HELP) {
        text t = {0};
        t_help(&t);
        (void)t_flush(&t, c->out);
        return R_HELP;
    }
    /* argparse drops a "--" from an option's arguments, so "--opt=--" has none: a '?' option
     * takes its const; the original would store an empty list for the others, which we refuse
     * as a missing argument. */
    if (had_arg && strcmp(value, "--") == 0)
        had_arg = 0;
    if (!had_arg) {
        if (!o->value_optional)
            return argument_error(c, opt, "expected one argument", NULL);
        *int_field(c->cfg, o) = o->konst;
        return R_OK;
    }
    switch (o->type) {
    case OPT_INT:
        return store_int(c, opt, value);
    case OPT_BOOL:
        *int_field(c->cfg, o) = sc_config_parse_bool(value);
        return R_OK;
    case OPT_CHOICE:
        for (int i = 0; o->choices[i] != NULL; i++) {
            if (strcmp(o->choices[i], value) == 0) {
                *str_field(c->cfg, o) = o->choices[i];
                return R_OK;
            }
        }
        {
            text t = {0};
            usage_error_begin(&t);
            t_str(&t, "argument ");
            t_str(&t, o->name);
            t_str(&t, ": invalid choice: ");
            t_repr(&t, value);
            t_str(&t, " (choose from ");
            for (int i = 0; o->choices[i] != NULL; i++) {
                if (i > 0)
                    t_str(&t, ", ");
                t_repr(&t, o->choices[i]);
            }
            t_chr(&t, ')');
            return usage_error_end(c, &t);
        }
    default:
        *str_field(c->cfg, o) = value;
        return R_OK;
    }
}

/* The regex ^-\d+$|^-\d*\.\d+$ (Python: \d is any decimal digit, $ also matches before a final
 * newline). Such arguments are values, since no option looks like a negative number. */
static int looks_negative_number(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str), i = 1;
    if (n < 2 || s[0] != '-')
        return 0;
    if (s[n - 1] == '\n')
        n--;
    int before = 0, after = 0, dot = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = utf8_decode(s + i, n - i, &cp);
        if (cp == '.' && !dot) {
            dot = 1;
        } else if (py_digit(cp) >= 0) {
            if (dot)
                after++;
            else
                before++;
        } else {
            return 0;
        }
        i += len;
    }
    return dot ? after > 0 : before > 0;
}

/* argparse's _parse_optional + _get_option_tuples for one argument. Returns R_OK, or R_USAGE
 * after an ambiguous prefix. */
static int classify(parse_ctx *c, int i)
{
    const char *a = c->args[i];
    arg_info *inf = &c->info[i];
    inf->pattern = 'A';
    inf->opt = -1;
    inf->optstr = NULL;
    inf->explicit = NULL;
    if (a[0] != '-')
        return R_OK;
    size_t n = strlen(a);
    int o = find_optstring(a, n);
    if (o >= 0) {
        inf->pattern = 'O';
        inf->opt = o;
        inf->optstr = a;
        return R_OK;
    }
    if (n == 1)
        return R_OK;
    const char *eq = strchr(a, '=');
    if (eq != NULL && (o = find_optstring(a, (size_t)(eq - a))) >= 0) {
        inf->pattern = 'O';
        inf->opt = o;
        inf->optstr = o == 0 && a[1] != '-' ? "-h" : opts[o].name;
        inf->explicit = eq + 1;
        return R_OK;
    }
    /* Prefix matching. "--x" matches long names by the part before '='; "-x..." matches the
     * short "-h" with the rest as its explicit argument. */
    int matches[N_OPTSTRINGS], nmatch = 0;
    const char *explicit = NULL;
    if (a[1] == '-') {
        size_t plen = eq != NULL ? (size_t)(eq - a) : n;
        explicit = eq != NULL ? eq + 1 : NULL;
        for (int k = 0; k < N_OPTSTRINGS; k++) {
            int ko;
            const char *name = optstring_at(k, &ko);
            if (strncmp(name, a, plen) == 0)
                matches[nmatch++] = k;
        }
    } else if (a[1] == 'h') {
        matches[nmatch++] = 0;
        explicit = a + 2;
    }
    if (nmatch > 1) {
        text t = {0};
        usage_error_begin(&t);
        t_str(&t, "ambiguous option: ");
        t_str(&t, a);
        t_str(&t, " could match ");
        for (int m = 0; m < nmatch; m++) {
            int ko;
            if (m > 0)
                t_str(&t, ", ");
            t_str(&t, optstring_at(matches[m], &ko));
        }
        return usage_error_end(c, &t);
    }
    if (nmatch == 1) {
        inf->pattern = 'O';
        inf->optstr = optstring_at(matches[0], &inf->opt);
        inf->explicit = explicit;
        return R_OK;
    }
    if (looks_negative_number(a) || strchr(a, ' ') != NULL)
        return R_OK;
    inf->pattern = 'O'; /* an option nobody knows: collected as unknown */
    return R_OK;
}

static void add_unknown(parse_ctx *c, int from, int to)
{
    for (int i = from; i < to; i++)
        c->cfg->unknown[c->cfg->n_unknown++] = c->args[i];
}

/* The positional's pattern '-*A-*' at start: returns the index after it (start when it does
 * not match or was already consumed). */
static int consume_positional(parse_ctx *c, int start)
{
    if (c->positional_done)
        return start;
    int i = start;
    while (i < c->n && c->info[i].pattern == '-')
        i++;
    if (i >= c->n || c->info[i].pattern != 'A')
        return start;
    c->cfg->interface_name = c->args[i];
    i++;
    while (i < c->n && c->info[i].pattern == '-')
        i++;
    c->positional_done = 1;
    return i;
}

/* argparse's consume_optional: *next receives the index after the option and its argument. */
static int consume_option(parse_ctx *c, int start, int *next)
{
    const arg_info *inf = &c->info[start];
    *next = start + 1;
    if (inf->opt < 0) {
        add_unknown(c, start, start + 1);
        return R_OK;
    }
    const sc_opt *o = &opts[inf->opt];
    if (inf->explicit != NULL) {
        if (o->type != OPT_HELP)
            return take_action(c, inf->opt, inf->explicit, 1);
        /* Help takes no argument. After "-h", argparse reads the rest as more single-letter
         * flags ("-hh" is -h -h) and refuses the first one it does not know; "--help=x" and
         * "-h=" are refused outright. */
        const char *rest = inf->explicit;
        if (inf->optstr[1] != '-' && rest[0] != '\0') {
            while (*rest == 'h')
                rest++;
            if (*rest == '\0')
                return take_action(c, 0, NULL, 0);
        }
        return argument_error(c, 0, "ignored explicit argument ", rest);
    }
    if (o->type == OPT_HELP)
        return take_action(c, 0, NULL, 0);
    if (start + 1 < c->n && c->info[start + 1].pattern == 'A') {
        *next = start + 2;
        return take_action(c, inf->opt, c->args[start + 1], 1);
    }
    return take_action(c, inf->opt, NULL, 0);
}

/* argparse's main loop: positionals and options alternately up to the last option, then
 * trailing positionals; everything left over is unknown. */
static int consume_all(parse_ctx *c)
{
    int last_opt = -1;
    for (int i = 0; i < c->n; i++) {
        if (c->info[i].pattern == 'O')
            last_opt = i;
    }
    int start = 0;
    while (start <= last_opt) {
        int next_opt = start;
        while (c->info[next_opt].pattern != 'O')
            next_opt++;
        if (start != next_opt) {
            int end = consume_positional(c, start);
            if (end > start) {
                start = end;
                continue;
            }
        }
        if (c->info[start].pattern != 'O') {
            add_unknown(c, start, next_opt);
            start = next_opt;
        }
        int rc = consume_option(c, start, &start);
        if (rc != R_OK)
            return rc;
    }
    int stop = consume_positional(c, start);
    add_unknown(c, stop, c->n);
    return R_OK;
}

/* Defaults that exist before any argument is read, as the original's parser construction
 * computes them. A bad int in the environment crashes the original with a ValueError; we say
 * which variable is wrong. */
static int apply_defaults(parse_ctx *c)
{
    for (int i = 1; i < N_OPTS; i++) {
        const sc_opt *o = &opts[i];
        const char *env = o->env != NULL ? getenv(o->env) : NULL;
        switch (o->type) {
        case OPT_INT: {
            const char *s = env != NULL && !o->env_lazy ? env : o->def;
            int rc = to_int(s, int_field(c->cfg, o));
            if (rc == PYINT_INVALID)
                return env_error(c, o->env, "invalid int value: ", s);
            if (rc == PYINT_RANGE)
                return env_error(c, o->env, "int value out of range: ", s);
            break;
        }
        case OPT_BOOL:
            *int_field(c->cfg, o) = env != NULL && sc_config_parse_bool(env);
            break;
        default:
            *str_field(c->cfg, o) = env != NULL ? env : o->def;
            break;
        }
    }
    return R_OK;
}

/* After the arguments: argparse converts string defaults of options not given (so a bad
 * GRPC_WORKERS fails only without --grpc-workers), then reports a missing positional. */
static int finish_defaults(parse_ctx *c)
{
    for (int i = 1; i < N_OPTS; i++) {
        const sc_opt *o = &opts[i];
        const char *env = o->env_lazy ? getenv(o->env) : NULL;
        if (c->seen[i] || env == NULL)
            continue;
        int rc = store_int(c, i, env);
        if (rc != R_OK)
            return rc;
    }
    if (!c->positional_done)
        return usage_error(c, "the following arguments are required: " POSITIONAL);
    return R_OK;
}

typedef struct level_name {
    const char *name;
    int num;
} level_name;

/* The names for which getattr(logging, name) is a level (the module's boolean switches are
 * ints too in Python, but accepting "raiseExceptions" as a level helps nobody). */
static const level_name level_names[] = {
    {"CRITICAL", 50}, {"FATAL", 50}, {"ERROR", 40}, {"WARNING", 30},
    {"WARN", 30},     {"INFO", 20},  {"DEBUG", 10}, {"NOTSET", 0},
};

static int level_num(const char *name)
{
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (strcmp(level_names[i].name, name) == 0)
            return level_names[i].num;
    }
    return -1;
}

/* Environment-only settings, read after the arguments because some depend on them. */
static int apply_env_settings(parse_ctx *c)
{
    sc_config *cfg = c->cfg;
    const char *s = getenv("PREDICTIVE_UNIT_METRICS_ENDPOINT");
    cfg->metrics_endpoint = s != NULL ? s : "/metrics";
    cfg->payload_passthrough = sc_config_parse_bool(getenv("PAYLOAD_PASSTHROUGH"));
    s = getenv("FILTER_METRICS_ACCESS_LOGS");
    cfg->filter_metrics_access_logs = s != NULL ? sc_config_parse_bool(s) : !cfg->debug;
    cfg->log_level_num = level_num(cfg->log_level);
    cfg->seldon_log_level = getenv("SELDON_LOG_LEVEL");
    cfg->max_body_bytes = MAX_BODY_DEFAULT;
    /* The original exits 255 for unknown arguments before it looks at the log level. */
    if (cfg->n_unknown > 0)
        return R_OK;
    if (cfg->seldon_log_level != NULL) {
        int num = level_num(cfg->seldon_log_level);
        if (num < 0)
            return env_error(c, "SELDON_LOG_LEVEL",
                             "invalid log level (choose from DEBUG, INFO, WARNING, ERROR, "
                             "CRITICAL): ",
                             cfg->seldon_log_level);
        cfg->log_level_num = num;
    }
    s = getenv("SC_MAX_BODY_BYTES");
    if (s != NULL) {
        long long v = 0;
        if (py_int(s, strlen(s), &v) != PYINT_OK || v <= 0)
            return env_error(c, "SC_MAX_BODY_BYTES", "expected a positive number of bytes: ", s);
        cfg->max_body_bytes = v;
    }
    return R_OK;
}

int sc_config_parse(sc_config *cfg, int argc, char **argv, FILE *out, FILE *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->grpc_max_message_size = -1;
    cfg->rest_timeout_ms = -1;
    /* Hidden, exact and alone (not an option of the table, so no prefix matching): the
     * console script's `--help-config` execs the server with it to print the configuration
     * reference from this table (docs/configuration.md is generated from it: `make docs`). */
    if (argc == 2 && strcmp(argv[1], "--print-config-reference") == 0) {
        sc_config_write_reference(out);
        return ferror(out) ? R_USAGE : R_HELP;
    }
    parse_ctx c = {0};
    c.cfg = cfg;
    c.out = out;
    c.err = err;
    c.n = argc > 1 ? argc - 1 : 0;
    c.args = c.n > 0 ? argv + 1 : NULL;
    /* One slot per argument (at least one, so calloc never returns NULL for size 0). */
    c.info = calloc((size_t)c.n + 1, sizeof *c.info);
    cfg->unknown = calloc((size_t)c.n + 1, sizeof *cfg->unknown);
    int rc = R_OK;
    if (c.info == NULL || cfg->unknown == NULL) {
        (void)fputs(PROG ": error: out of memory\n", err); /* exiting with 2 regardless */
        rc = R_USAGE;
        goto done;
    }
    rc = apply_defaults(&c);
    if (rc != R_OK)
        goto done;
    for (int i = 0; i < c.n; i++) {
        if (strcmp(c.args[i], "--") == 0) {
            /* Everything after the first "--" is a value. */
            c.info[i].pattern = '-';
            for (int j = i + 1; j < c.n; j++)
                c.info[j].pattern = 'A';
            break;
        }
        rc = classify(&c, i);
        if (rc != R_OK)
            goto done;
    }
    rc = consume_all(&c);
    if (rc == R_OK)
        rc = finish_defaults(&c);
    if (rc == R_OK)
        rc = apply_env_settings(&c);
done:
    free(c.info);
    if (rc != R_OK)
        sc_config_free(cfg);
    return rc;
}

void sc_config_free(sc_config *cfg)
{
    free(cfg->unknown);
    cfg->unknown = NULL;
    cfg->n_unknown = 0;
}

int sc_config_parse_bool(const char *s)
{
    if (s == NULL)
        return 0;
    return strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0 || strcasecmp(s, "t") == 0;
}

int sc_config_write_unknown(const sc_config *cfg, FILE *out)
{
    text t = {0};
    t_chr(&t, '[');
    for (int i = 0; i < cfg->n_unknown; i++) {
        if (i > 0)
            t_str(&t, ", ");
        t_repr(&t, cfg->unknown[i]);
    }
    t_chr(&t, ']');
    return t_flush(&t, out);
}

/* ---------------------------------------------------------------------------------------------
 * Annotations.
 */

/* str.rstrip() / str.lstrip() on [*s, *s + *n), by code points. */
static void py_rstrip(const char *s, size_t *n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t e = *n;
    uint32_t c;
    while (e > 0) {
        size_t start = e - 1;
        while (start > 0 && (p[start] & 0xc0) == 0x80 && e - start < 4)
            start--;
        if (utf8_decode(p + start, e - start, &c) != e - start)
            start = e - 1; /* an undecodable byte is one character of its own */
        if (!py_isspace(c, 0))
            break;
        e = start;
    }
    *n = e;
}

static void py_lstrip(const char **s, size_t *n)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t b = 0;
    uint32_t c;
    while (b < *n) {
        size_t len = utf8_decode(p + b, *n - b, &c);
        if (!py_isspace(c, 0))
            break;
        b += len;
    }
    *s += b;
    *n -= b;
}

static void log_text(FILE *log, text *t)
{
    t_chr(t, '\n');
    if (log == NULL) {
        sc_buf_free(&t->b);
        return;
    }
    (void)t_flush(t, log); /* a lost log line must not stop start-up */
}

/* Parses an integer annotation; logs and keeps *dst when the value is not a non-negative
 * integer (a negative timeout or size has no sensible meaning for us). */
static void annotation_int(FILE *log, const char *key, const char *v, size_t n, long long *dst)
{
    long long x = 0;
    if (py_int(v, n, &x) == PYINT_OK && x >= 0) {
        *dst = x;
        return;
    }
    text t = {0};
    t_str(&t, "Ignoring annotation ");
    t_str(&t, key);
    t_str(&t, ": not a non-negative integer: ");
    t_mem(&t, v, n);
    log_text(log, &t);
}

/* One line: split at the first '=', strip both parts, drop the value's first and last
 * character (the quotes the downward API writes), counting characters as Python does. */
static void annotation_line(sc_config *cfg, FILE *log, const char *line, size_t n)
{
    py_rstrip(line, &n);
    const char *eq = memchr(line, '=', n);
    if (eq == NULL) {
        text t = {0};
        t_str(&t, "Bad annotation: ");
        t_mem(&t, line, n);
        log_text(log, &t);
        return;
    }
    const char *key = line, *val = eq + 1;
    size_t key_n = (size_t)(eq - line), val_n = n - key_n - 1;
    py_lstrip(&key, &key_n);
    py_rstrip(key, &key_n);
    py_lstrip(&val, &val_n);
    py_rstrip(val, &val_n);
    if (val_n > 0) {
        uint32_t cp;
        size_t first = utf8_decode((const unsigned char *)val, val_n, &cp);
        val += first;
        val_n -= first;
    }
    if (val_n > 0) {
        size_t start = val_n - 1;
        while (start > 0 && ((unsigned char)val[start] & 0xc0) == 0x80 && val_n - start < 4)
            start--;
        uint32_t cp;
        if (utf8_decode((const unsigned char *)val + start, val_n - start, &cp) == val_n - start)
            val_n = start;
        else
            val_n--;
    }
    if (key_n == strlen(ANNOTATION_GRPC_MAX) && memcmp(key, ANNOTATION_GRPC_MAX, key_n) == 0)
        annotation_int(log, ANNOTATION_GRPC_MAX, val, val_n, &cfg->grpc_max_message_size);
    else if (key_n == strlen(ANNOTATION_REST_TIMEOUT) &&
             memcmp(key, ANNOTATION_REST_TIMEOUT, key_n) == 0)
        annotation_int(log, ANNOTATION_REST_TIMEOUT, val, val_n, &cfg->rest_timeout_ms);
}

int sc_config_load_annotations(sc_config *cfg, FILE *log)
{
    const char *path = getenv("SC_ANNOTATIONS_PATH");
    if (path == NULL || path[0] == '\0')
        path = ANNOTATIONS_DEFAULT_PATH;
    struct stat st;
    /* Like os.path.isfile: no file (or not a regular one) is the normal case outside k8s. */
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    FILE *f = fopen(path, "rb");
    sc_buf data;
    sc_buf_init(&data);
    int failed = f == NULL;
    while (!failed) {
        char chunk[4096];
        size_t got = fread(chunk, 1, sizeof chunk, f);
        if (got > 0 && sc_buf_append(&data, chunk, got) != 0)
            failed = 1;
        if (got < sizeof chunk) {
            failed = failed || ferror(f);
            break;
        }
    }
    if (f != NULL && fclose(f) != 0)
        failed = 1;
    if (failed) {
        text t = {0};
        t_str(&t, "Failed to read annotations file ");
        t_str(&t, path);
        log_text(log, &t);
        sc_buf_free(&data);
        return 0;
    }
    /* Lines end at "\n", "\r\n" or "\r" (Python's universal newlines). */
    size_t i = 0;
    while (i < data.len) {
        size_t e = i;
        while (e < data.len && data.data[e] != '\n' && data.data[e] != '\r')
            e++;
        annotation_line(cfg, log, data.data + i, e - i);
        if (e < data.len && data.data[e] == '\r' && e + 1 < data.len && data.data[e + 1] == '\n')
            e++;
        i = e + 1;
    }
    sc_buf_free(&data);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Reference (docs/configuration.md).
 */
static void t_type(text *t, const sc_opt *o)
{
    switch (o->type) {
    case OPT_INT:
        t_str(t, "int");
        break;
    case OPT_BOOL:
        t_str(t, "bool");
        break;
    case OPT_CHOICE:
        t_str(t, "one of ");
        for (int i = 0; o->choices[i] != NULL; i++) {
            if (i > 0)
                t_str(t, ", ");
            t_chr(t, '`');
            t_str(t, o->choices[i]);
            t_chr(t, '`');
        }
        break;
    default:
        t_str(t, "str");
        break;
    }
    if (o->value_optional) {
        t_str(t, "; value optional, bare flag = `");
        if (o->type == OPT_BOOL)
            t_str(t, o->konst ? "true" : "false");
        else
            t_fmt_ll(t, o->konst);
        t_chr(t, '`');
    }
}

static void t_code_or_dash(text *t, const char *s)
{
    if (s == NULL) {
        t_str(t, "–");
        return;
    }
    t_chr(t, '`');
    t_str(t, s);
    t_chr(t, '`');
}

void sc_config_write_reference(FILE *out)
{
    text t = {0};
    t_str(&t, "| Flag | Environment variable | Type | Default | Meaning |\n"
              "|---|---|---|---|---|\n");
    t_str(&t, "| `" POSITIONAL "` (positional, required) | – | str | – | " POSITIONAL_HELP " |\n");
    for (int i = 1; i < N_OPTS; i++) {
        const sc_opt *o = &opts[i];
        t_str(&t, "| `");
        t_str(&t, o->name);
        t_str(&t, "` | ");
        t_code_or_dash(&t, o->env);
        t_str(&t, " | ");
        t_type(&t, o);
        t_str(&t, " | ");
        t_code_or_dash(&t, o->def);
        t_str(&t, " | ");
        t_str(&t, o->help);
        t_str(&t, " |\n");
    }
    t_str(&t, "\n| Environment variable | Type | Default | Meaning |\n|---|---|---|---|\n");
    for (size_t i = 0; i < sizeof env_settings / sizeof env_settings[0]; i++) {
        const env_setting *e = &env_settings[i];
        t_str(&t, "| `");
        t_str(&t, e->env);
        t_str(&t, "` | ");
        t_str(&t, e->type);
        t_str(&t, " | ");
        t_str(&t, e->def);
        t_str(&t, " | ");
        t_str(&t, e->help);
        t_str(&t, " |\n");
    }
    t_str(&t, "\n| Annotation | Meaning |\n|---|---|\n"
              "| `" ANNOTATION_GRPC_MAX "` | Largest gRPC message in bytes, sent and received. "
              "Unset: receive 4 MiB, send unlimited. |\n"
              "| `" ANNOTATION_REST_TIMEOUT "` | Per-request REST deadline in milliseconds "
              "(504 when exceeded). Unset: none. |\n");
    (void)t_flush(&t, out); /* a docs generator: the caller checks ferror(out) if it cares */
}
