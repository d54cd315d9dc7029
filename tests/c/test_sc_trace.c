/* test_sc_trace: tracing (SPEC §8).
 *
 * 1. uber-trace-id and traceparent parsing, valid and invalid.
 * 2. Configuration: the environment (defaults, JAEGER_AGENT_PORT fallbacks, JAEGER_EXTRA_TAGS
 *    splitting, JAEGER_TAGS, OTLP endpoint) and the YAML subset of JAEGER_CONFIG_PATH.
 * 3. Thrift compact emitBatch: spans are encoded, sent over UDP to a socket of this test,
 *    received and decoded back with the small compact-protocol reader below; every field is
 *    checked (ids, names, flags, times, tags of the four types, logs, process, seqNo, stats).
 * 4. OTLP JSON: encoded and parsed back with sc_json.
 * 5. A full ring drops and counts (the reporter is held up by an OTLP endpoint that never
 *    answers).
 * 6. Four producer threads and the reporter: every span is either reported or counted as dropped
 *    (run it under -fsanitize=thread to check the ring's memory ordering).
 * 7. Cost per span on the request path and per encoded span (printed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "sc_trace.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sc_arena.h"
#include "sc_json.h"
#include "sc_trace_export.h"
#include "sc_repr.h"
#include "sc_trace_rest.h"
#include "sc_test.h"

/* ---- 1. context parsing --------------------------------------------------------------------- */

static void test_uber(void)
{
    sc_trace_ctx c;
    const char *v = "1234abcd1234abcd:00000000000000aa:0:1";
    ASSERT_EQ_INT(sc_trace_parse_uber(v, strlen(v), &c), 0);
    ASSERT_TRUE(c.trace_hi == 0 && c.trace_lo == 0x1234abcd1234abcdull);
    ASSERT_TRUE(c.span_id == 0xaa);
    ASSERT_EQ_INT(c.flags, 1);

    v = "0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331:a:3"; /* 128-bit trace id, debug */
    ASSERT_EQ_INT(sc_trace_parse_uber(v, strlen(v), &c), 0);
    ASSERT_TRUE(c.trace_hi == 0x0af7651916cd43ddull && c.trace_lo == 0x8448eb211c80319cull);
    ASSERT_TRUE(c.span_id == 0xb7ad6b7169203331ull);
    ASSERT_EQ_INT(c.flags, 3);

    v = "abc%3Adef%3a0%3A1"; /* jaeger-client URL-decodes the header */
    ASSERT_EQ_INT(sc_trace_parse_uber(v, strlen(v), &c), 0);
    ASSERT_TRUE(c.trace_lo == 0xabc && c.span_id == 0xdef && c.flags == 1);

    v = " 0xAB_CD : 0X1 :+0: 01 "; /* Python int(x, 16) syntax: prefix, underscores, blanks, sign */
    ASSERT_EQ_INT(sc_trace_parse_uber(v, strlen(v), &c), 0);
    ASSERT_TRUE(c.trace_lo == 0xabcd && c.span_id == 1 && c.flags == 1);

    v = "1:2:-0:0"; /* parent -0 is 0: fine */
    ASSERT_EQ_INT(sc_trace_parse_uber(v, strlen(v), &c), 0);
    ASSERT_EQ_INT(c.flags, 0);

    static const char *const bad[] = {
        "",                 /* nothing */
        "1:2:3",            /* three parts */
        "1:2:3:4:5",        /* five parts */
        "0:2:0:1",          /* trace id 0 */
        "1:0:0:1",          /* span id 0 */
        "-1:2:0:1",         /* negative trace id */
        "1:2:-3:1",         /* negative parent */
        "1:2:0:-1",         /* negative flags */
        "1:2::1",           /* empty part */
        "xyz:2:0:1",        /* not hex */
        "1__2:2:0:1",       /* double underscore */
        "_1:2:0:1",         /* leading underscore */
        "1_:2:0:1",         /* trailing underscore */
        "0x:2:0:1",         /* prefix without digits */
        "1:2:0:1%3",        /* a broken escape stays literal: '%' is not hex */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (sc_trace_parse_uber(bad[i], strlen(bad[i]), &c) == 0)
            SC_FAIL("uber-trace-id '%s' should be invalid", bad[i]);
    char huge[600];
    memset(huge, '1', sizeof(huge));
    ASSERT_TRUE(sc_trace_parse_uber(huge, sizeof(huge), &c) != 0);
    ASSERT_TRUE(sc_trace_parse_uber(NULL, 0, &c) != 0);
}

static void test_traceparent(void)
{
    sc_trace_ctx c;
    const char *v = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    ASSERT_EQ_INT(sc_trace_parse_traceparent(v, strlen(v), &c), 0);
    ASSERT_TRUE(c.trace_hi == 0x0af7651916cd43ddull && c.trace_lo == 0x8448eb211c80319cull);
    ASSERT_TRUE(c.span_id == 0xb7ad6b7169203331ull);
    ASSERT_EQ_INT(c.flags, 1);
    v = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
    ASSERT_EQ_INT(sc_trace_parse_traceparent(v, strlen(v), &c), 0);
    ASSERT_EQ_INT(c.flags, 0);
    v = "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03-future"; /* later version */
    ASSERT_EQ_INT(sc_trace_parse_traceparent(v, strlen(v), &c), 0);
    ASSERT_EQ_INT(c.flags, 1); /* only the sampled bit is defined */

    static const char *const bad[] = {
        "",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",          /* no flags */
        "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01",       /* upper case */
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",       /* version ff */
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",       /* zero trace id */
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",       /* zero parent id */
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x",     /* 00 has no extra */
        "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x",      /* extra must start with - */
        "00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",       /* separator */
        "00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01",       /* not hex */
        "00-0af7651916cd43dd8448eb211c80319-cb7ad6b7169203331-01",       /* misplaced dash */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (sc_trace_parse_traceparent(bad[i], strlen(bad[i]), &c) == 0)
            SC_FAIL("traceparent '%s' should be invalid", bad[i]);
}

/* ---- 2. configuration ---------------------------------------------------------------------- */

static const char *const ENV[] = {"JAEGER_AGENT_HOST", "JAEGER_AGENT_PORT", "JAEGER_CONFIG_PATH",
                                  "JAEGER_EXTRA_TAGS", "JAEGER_TAGS", "JAEGER_TRACEID_128BIT",
                                  "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                                  "OTEL_TRACES_EXPORTER", "OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_HEADERS",
                                  "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_RESOURCE_ATTRIBUTES", NULL};

static void clear_env(void)
{
    for (int i = 0; ENV[i] != NULL; i++)
        ASSERT_EQ_INT(unsetenv(ENV[i]), 0);
}

static const char *ptag(const sc_trace_config *tc, const char *k)
{
    for (int i = 0; i < tc->n_ptags; i++)
        if (strcmp(tc->ptag_key[i], k) == 0)
            return tc->ptag_val[i];
    return NULL;
}

static void test_config_env(void)
{
    sc_trace_config tc;
    clear_env();
    ASSERT_EQ_INT(sc_trace_config_load(&tc, "MyModel", 9000), 0);
    ASSERT_EQ_STR(tc.service_name, "MyModel");
    ASSERT_EQ_STR(tc.agent_host, "0.0.0.0");
    ASSERT_EQ_INT(tc.agent_port, 5775);
    ASSERT_EQ_INT(tc.sampler, SC_SAMPLER_CONST);
    ASSERT_TRUE(tc.sampler_param == 1);
    ASSERT_EQ_INT(tc.logging, 1);
    ASSERT_EQ_INT(tc.jaeger, 1);
    ASSERT_EQ_INT(tc.otlp, 0);
    ASSERT_EQ_INT(tc.n_extra, 0);
    ASSERT_EQ_INT(tc.max_tag_len, 1024);
    ASSERT_EQ_STR(tc.trace_id_header, "uber-trace-id");
    ASSERT_EQ_STR(ptag(&tc, "jaeger.version"), "C-seldon-core-c");
    ASSERT_TRUE(ptag(&tc, "hostname") != NULL && ptag(&tc, "ip") != NULL);

    ASSERT_EQ_INT(setenv("JAEGER_AGENT_HOST", "agent.local", 1), 0);
    ASSERT_EQ_INT(setenv("JAEGER_AGENT_PORT", "6831", 1), 0);
    ASSERT_EQ_INT(setenv("JAEGER_EXTRA_TAGS", " path , ,headers,,method ", 1), 0);
    ASSERT_EQ_INT(setenv("JAEGER_TAGS", "team=ml, zone = eu-1,broken", 1), 0);
    ASSERT_EQ_INT(setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318/", 1), 0);
    ASSERT_EQ_INT(sc_trace_config_load(&tc, "MyModel", 9000), 0);
    ASSERT_EQ_STR(tc.agent_host, "agent.local");
    ASSERT_EQ_INT(tc.agent_port, 6831);
    ASSERT_EQ_INT(tc.n_extra, 3);
    ASSERT_EQ_STR(tc.extra[0], "path");
    ASSERT_EQ_STR(tc.extra[1], "headers");
    ASSERT_EQ_STR(tc.extra[2], "method");
    ASSERT_EQ_STR(ptag(&tc, "team"), "ml");
    ASSERT_EQ_STR(ptag(&tc, "zone"), "eu-1");
    ASSERT_TRUE(ptag(&tc, "broken") == NULL);
    ASSERT_EQ_INT(tc.otlp, 1);
    ASSERT_EQ_INT(tc.jaeger, 1);
    ASSERT_EQ_STR(tc.otlp_url, "http://127.0.0.1:4318/v1/traces");
    ASSERT_EQ_STR(tc.otlp_service, "MyModel");

    /* jaeger-client: a port int() rejects falls back to the agent's compact port */
    ASSERT_EQ_INT(setenv("JAEGER_AGENT_PORT", "nope", 1), 0);
    ASSERT_EQ_INT(setenv("OTEL_TRACES_EXPORTER", "otlp", 1), 0);
    ASSERT_EQ_INT(setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:55681/custom", 1), 0);
    ASSERT_EQ_INT(setenv("OTEL_SERVICE_NAME", "svc", 1), 0);
    ASSERT_EQ_INT(sc_trace_config_load(&tc, "MyModel", 9000), 0);
    ASSERT_EQ_INT(tc.agent_port, 6831);
    ASSERT_EQ_INT(tc.jaeger, 0);
    ASSERT_EQ_INT(tc.otlp, 1);
    ASSERT_EQ_STR(tc.otlp_url, "http://collector:55681/custom");
    ASSERT_EQ_STR(tc.otlp_service, "svc");

    ASSERT_EQ_INT(setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://collector/v1/traces", 1), 0);
    ASSERT_EQ_INT(sc_trace_config_load(&tc, "MyModel", 9000), 0);
    ASSERT_EQ_INT(tc.otlp, 0); /* https is not supported: logged, export off */

    char host[64], path[64];
    int port;
    ASSERT_EQ_INT(sc_trace_parse_url("http://[::1]:4318/v1/traces", host, sizeof(host), &port, path, sizeof(path)), 0);
    ASSERT_EQ_STR(host, "::1");
    ASSERT_EQ_INT(port, 4318);
    ASSERT_EQ_STR(path, "/v1/traces");
    ASSERT_EQ_INT(sc_trace_parse_url("http://h", host, sizeof(host), &port, path, sizeof(path)), 0);
    ASSERT_EQ_STR(host, "h");
    ASSERT_EQ_INT(port, 80);
    ASSERT_EQ_STR(path, "/");
    ASSERT_TRUE(sc_trace_parse_url("http://h:0/", host, sizeof(host), &port, path, sizeof(path)) != 0);
    ASSERT_TRUE(sc_trace_parse_url("ftp://h/", host, sizeof(host), &port, path, sizeof(path)) != 0);
    clear_env();
}

static void test_config_yaml(void)
{
    sc_trace_config tc;
    char err[256];
    clear_env();
    /* the original's test resource */
    const char *y = "sampler:\n  type: const\n  param: 1\nlocal_agent:\n  reporting_host: 0.0.0.0\n"
                    "  reporting_port: 5775\nlogging: true\n";
    char path[] = "/tmp/sc-trace-yaml-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    ASSERT_EQ_INT(write(fd, y, strlen(y)), (long long)strlen(y));
    ASSERT_EQ_INT(close(fd), 0);
    ASSERT_EQ_INT(setenv("JAEGER_CONFIG_PATH", path, 1), 0);
    ASSERT_EQ_INT(sc_trace_config_load(&tc, "MyModel", 9000), 0);
    ASSERT_EQ_STR(tc.agent_host, "0.0.0.0");
    ASSERT_EQ_INT(tc.agent_port, 5775);
    ASSERT_EQ_INT(tc.sampler, SC_SAMPLER_CONST);
    ASSERT_TRUE(tc.sampler_param == 1);
    ASSERT_EQ_INT(tc.logging, 1);
    ASSERT_EQ_INT(unlink(path), 0);
    ASSERT_TRUE(sc_trace_config_load(&tc, "MyModel", 9000) != 0); /* unreadable: boot fails */
    clear_env();

    /* jaeger-client defaults for what the YAML leaves out */
    ASSERT_EQ_INT(setenv("JAEGER_AGENT_HOST", "envhost", 1), 0);
    ASSERT_EQ_INT(sc_trace_config_load(&tc, "MyModel", 9000), 0);
    sc_trace_config base = tc;
    base.sampler = SC_SAMPLER_PROBABILISTIC;
    base.sampler_param = 0.001;
    base.logging = 0;
    base.agent_port = 6831;
    y = "# comment\n---\nservice_name: 'my svc'   # renamed\nenabled: yes\n"
        "sampler:\n    type: \"probabilistic\"\n    param: 0.25\n"
        "tags:\n  team: ml\n  'quoted key': \"a \\\"b\\\"\"\n"
        "unknown:\n  nested:\n    deeper: 1\n  - item\n"
        "reporter_flush_interval: 0.2\nreporter_queue_size: 50\nmax_tag_value_length: 16\n"
        "trace_id_header: My_Trace_Header\ngenerate_128bit_trace_id: true\n";
    tc = base;
    ASSERT_EQ_INT(sc_trace_config_apply_yaml(&tc, y, strlen(y), err, sizeof(err)), 0);
    ASSERT_EQ_STR(tc.service_name, "my svc");
    ASSERT_EQ_INT(tc.enabled, 1);
    ASSERT_EQ_INT(tc.sampler, SC_SAMPLER_PROBABILISTIC);
    ASSERT_TRUE(tc.sampler_param == 0.25);
    ASSERT_EQ_STR(ptag(&tc, "team"), "ml");
    ASSERT_EQ_STR(ptag(&tc, "quoted key"), "a \"b\"");
    ASSERT_EQ_INT(tc.flush_ms, 200);
    ASSERT_EQ_INT(tc.queue_size, 50);
    ASSERT_EQ_INT(tc.max_tag_len, 16);
    ASSERT_EQ_STR(tc.trace_id_header, "my-trace-header");
    ASSERT_EQ_INT(tc.trace_128bit, 1);
    ASSERT_EQ_STR(tc.agent_host, "envhost");
    ASSERT_EQ_INT(tc.agent_port, 6831);

    tc = base;
    y = "enabled: false\nsampler:\n  type: const\n  param: 0\nlocal_agent:\n  reporting_port: notaport\n";
    ASSERT_EQ_INT(sc_trace_config_apply_yaml(&tc, y, strlen(y), err, sizeof(err)), 0);
    ASSERT_EQ_INT(tc.enabled, 0);
    ASSERT_TRUE(tc.sampler == SC_SAMPLER_CONST && tc.sampler_param == 0);
    ASSERT_EQ_INT(tc.agent_port, 6831); /* int() failed: the env/default stays */

    tc = base;
    y = "sampler:\n  type: ratelimiting\n  param: 2.5\n";
    ASSERT_EQ_INT(sc_trace_config_apply_yaml(&tc, y, strlen(y), err, sizeof(err)), 0);
    ASSERT_TRUE(tc.sampler == SC_SAMPLER_RATELIMITING && tc.sampler_param == 2.5);

    static const char *const bad[] = {
        "sampler:\n  type: remote\n",            /* jaeger-client: Unknown sampler type */
        "sampler:\n  type: probabilistic\n",     /* no param */
        "{\"sampler\": {\"type\": \"const\"}}\n", /* flow style */
        "sampler:\n\ttype: const\n",             /* tab indentation */
        "just text\n",                           /* not a mapping */
        "service_name: ''\n",                    /* service name required */
        "reporter_queue_size: lots\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tc = base;
        if (sc_trace_config_apply_yaml(&tc, bad[i], strlen(bad[i]), err, sizeof(err)) == 0)
            SC_FAIL("YAML should be refused: %s", bad[i]);
        ASSERT_TRUE(err[0] != '\0');
    }
    clear_env();
}

/* ---- a Thrift compact reader, independent of the encoder ----------------------------------- */

typedef struct {
    const unsigned char *p, *end;
    int bad;
} rd;

static uint64_t rd_varint(rd *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end) {
            r->bad = 1;
            return 0;
        }
        unsigned char b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    r->bad = 1;
    return 0;
}

static int64_t rd_zz(rd *r)
{
    uint64_t u = rd_varint(r);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static int rd_byte(rd *r)
{
    if (r->p >= r->end) {
        r->bad = 1;
        return 0;
    }
    return *r->p++;
}

static void rd_bin(rd *r, char *out, size_t cap)
{
    uint64_t n = rd_varint(r);
    if (n > (uint64_t)(r->end - r->p) || n >= cap) {
        r->bad = 1;
        out[0] = '\0';
        return;
    }
    memcpy(out, r->p, n);
    out[n] = '\0';
    r->p += n;
}

static double rd_double(rd *r)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)rd_byte(r) << (8 * i);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* Reads a field header: returns the type (0 for stop), sets *id. */
static int rd_field(rd *r, int *last, int *id)
{
    int b = rd_byte(r);
    if (b == 0)
        return 0;
    int type = b & 0x0f, delta = b >> 4;
    *id = delta ? *last + delta : (int)rd_zz(r);
    *last = *id;
    return type;
}

static void rd_list(rd *r, int *elem, size_t *n)
{
    int b = rd_byte(r);
    *elem = b & 0x0f;
    *n = (b >> 4) == 15 ? (size_t)rd_varint(r) : (size_t)(b >> 4);
}

static void rd_skip(rd *r, int type);

static void rd_skip_struct(rd *r)
{
    int last = 0, id;
    int t;
    while (!r->bad && (t = rd_field(r, &last, &id)) != 0)
        rd_skip(r, t);
}

static void rd_skip(rd *r, int type)
{
    char tmp[70000];
    switch (type) {
    case 1:
    case 2:
        break; /* bool in the header */
    case 3:
        rd_byte(r);
        break;
    case 4:
    case 5:
    case 6:
        rd_varint(r);
        break;
    case 7:
        rd_double(r);
        break;
    case 8:
        rd_bin(r, tmp, sizeof(tmp));
        break;
    case 9:
    case 10: {
        int e;
        size_t n;
        rd_list(r, &e, &n);
        for (size_t i = 0; i < n && !r->bad; i++)
            rd_skip(r, e == 1 || e == 2 ? 3 : e); /* bool elements are one byte */
        break;
    }
    case 12:
        rd_skip_struct(r);
        break;
    default:
        r->bad = 1;
    }
}

typedef struct {
    char key[64];
    int vtype;
    char str[1100];
    double dbl;
    int has_bool, vbool;
    int64_t vlong;
} d_tag;

typedef struct {
    int64_t ts;
    int nfields;
    d_tag fields[4];
} d_log;

typedef struct {
    int64_t tl, th, sid, pid;
    char op[128];
    int32_t flags;
    int64_t start, dur;
    int ntags;
    d_tag tags[24];
    int nlogs;
    d_log logs[2];
} d_span;

typedef struct {
    char name[32];
    int mtype, version;
    int64_t seqid;
    char service[64];
    int nptags;
    d_tag ptags[SC_TRACE_MAX_PTAGS];
    int nspans;
    d_span spans[8];
    int64_t seq_no;
    int64_t stats[3];
} d_batch;

static void rd_tag(rd *r, d_tag *t)
{
    memset(t, 0, sizeof(*t));
    int last = 0, id, ty;
    while (!r->bad && (ty = rd_field(r, &last, &id)) != 0) {
        if (id == 1 && ty == 8)
            rd_bin(r, t->key, sizeof(t->key));
        else if (id == 2 && ty == 5)
            t->vtype = (int)rd_zz(r);
        else if (id == 3 && ty == 8)
            rd_bin(r, t->str, sizeof(t->str));
        else if (id == 4 && ty == 7)
            t->dbl = rd_double(r);
        else if (id == 5 && (ty == 1 || ty == 2)) {
            t->has_bool = 1;
            t->vbool = ty == 1;
        } else if (id == 6 && ty == 6)
            t->vlong = rd_zz(r);
        else
            rd_skip(r, ty);
    }
}

static void rd_tags(rd *r, d_tag *tags, int cap, int *n)
{
    int e;
    size_t cnt;
    rd_list(r, &e, &cnt);
    ASSERT_EQ_INT(e, 12);
    ASSERT_TRUE((int)cnt <= cap);
    *n = (int)cnt;
    for (size_t i = 0; i < cnt; i++)
        rd_tag(r, &tags[i]);
}

static void rd_span(rd *r, d_span *s)
{
    memset(s, 0, sizeof(*s));
    int last = 0, id, ty;
    while (!r->bad && (ty = rd_field(r, &last, &id)) != 0) {
        switch (id) {
        case 1: s->tl = rd_zz(r); break;
        case 2: s->th = rd_zz(r); break;
        case 3: s->sid = rd_zz(r); break;
        case 4: s->pid = rd_zz(r); break;
        case 5: rd_bin(r, s->op, sizeof(s->op)); break;
        case 7: s->flags = (int32_t)rd_zz(r); break;
        case 8: s->start = rd_zz(r); break;
        case 9: s->dur = rd_zz(r); break;
        case 10: rd_tags(r, s->tags, 24, &s->ntags); break;
        case 11: {
            int e;
            size_t n;
            rd_list(r, &e, &n);
            ASSERT_TRUE(e == 12 && n <= 2);
            s->nlogs = (int)n;
            for (size_t i = 0; i < n; i++) {
                int ll = 0, lid, lt;
                while (!r->bad && (lt = rd_field(r, &ll, &lid)) != 0) {
                    if (lid == 1)
                        s->logs[i].ts = rd_zz(r);
                    else if (lid == 2)
                        rd_tags(r, s->logs[i].fields, 4, &s->logs[i].nfields);
                    else
                        rd_skip(r, lt);
                }
            }
            break;
        }
        default: rd_skip(r, ty); break;
        }
    }
}

static void decode_batch(const unsigned char *p, size_t n, d_batch *b)
{
    rd r = {p, p + n, 0};
    memset(b, 0, sizeof(*b));
    ASSERT_EQ_INT(rd_byte(&r), 0x82);
    int vt = rd_byte(&r);
    b->version = vt & 0x1f;
    b->mtype = vt >> 5;
    b->seqid = (int64_t)rd_varint(&r);
    rd_bin(&r, b->name, sizeof(b->name));
    int al = 0, aid, at;
    while (!r.bad && (at = rd_field(&r, &al, &aid)) != 0) {
        if (aid != 1 || at != 12) {
            rd_skip(&r, at);
            continue;
        }
        int bl = 0, bid, bt;
        while (!r.bad && (bt = rd_field(&r, &bl, &bid)) != 0) {
            if (bid == 1) { /* Process */
                int pl = 0, pid, pt;
                while (!r.bad && (pt = rd_field(&r, &pl, &pid)) != 0) {
                    if (pid == 1)
                        rd_bin(&r, b->service, sizeof(b->service));
                    else if (pid == 2)
                        rd_tags(&r, b->ptags, SC_TRACE_MAX_PTAGS, &b->nptags);
                    else
                        rd_skip(&r, pt);
                }
            } else if (bid == 2) {
                int e;
                size_t cnt;
                rd_list(&r, &e, &cnt);
                ASSERT_TRUE(e == 12 && cnt <= 8);
                b->nspans = (int)cnt;
                for (size_t i = 0; i < cnt; i++)
                    rd_span(&r, &b->spans[i]);
            } else if (bid == 3) {
                b->seq_no = rd_zz(&r);
            } else if (bid == 4) {
                int sl = 0, sid, st;
                while (!r.bad && (st = rd_field(&r, &sl, &sid)) != 0) {
                    if (sid >= 1 && sid <= 3 && st == 6)
                        b->stats[sid - 1] = rd_zz(&r);
                    else
                        rd_skip(&r, st);
                }
            } else {
                rd_skip(&r, bt);
            }
        }
    }
    ASSERT_TRUE(!r.bad);
    ASSERT_TRUE(r.p == r.end); /* nothing after the args' stop */
}

static const d_tag *find_tag(const d_span *s, const char *key)
{
    for (int i = 0; i < s->ntags; i++)
        if (strcmp(s->tags[i].key, key) == 0)
            return &s->tags[i];
    return NULL;
}

/* ---- 3. emitBatch over UDP ----------------------------------------------------------------- */

static int udp_listener(int *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_TRUE(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ_INT(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t al = sizeof(a);
    ASSERT_EQ_INT(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static ssize_t recv_timeout(int fd, void *buf, size_t cap, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, ms) != 1)
        return -1;
    return recv(fd, buf, cap, 0);
}

static void base_config(sc_trace_config *tc)
{
    clear_env();
    ASSERT_EQ_INT(sc_trace_config_load(tc, "MyModel", 9000), 0);
    tc->logging = 0;
}

static void test_emit_batch(void)
{
    int port;
    int fd = udp_listener(&port);
    sc_trace_config tc;
    base_config(&tc);
    snprintf(tc.agent_host, sizeof(tc.agent_host), "127.0.0.1");
    tc.agent_port = port;
    tc.flush_ms = 60000; /* only the final flush of sc_trace_stop sends */
    tc.max_tag_len = 8;
    ASSERT_EQ_INT(sc_trace_start(&tc), 0);
    ASSERT_TRUE(sc_trace_on());

    int64_t before = sc_trace_now_us();
    /* a root span with every kind of tag and a log */
    sc_trace_span *root = sc_trace_span_start("Predict", 7, NULL);
    ASSERT_TRUE(root != NULL);
    sc_trace_span_tag_str(root, "component", "Flask", 5);
    sc_trace_span_tag_long(root, "http.status_code", 503);
    sc_trace_span_tag_bool(root, "error", 1);
    sc_trace_span_tag_double(root, "ratio", 0.5);
    sc_trace_span_tag_str(root, "long", "0123456789abcdef", 16);  /* cut to 8 bytes */
    sc_trace_span_tag_str(root, "utf8", "abcdefg\xc3\xa9", 9);      /* never split é */
    const char *lk[2] = {"event", "message"};
    const char *lv[2] = {"error", "boom"};
    sc_trace_span_log(root, 2, lk, lv, NULL);
    uint64_t root_trace = root->trace_lo, root_id = root->span_id;
    sc_trace_span_finish(root);

    /* a child of a 128-bit W3C parent */
    sc_trace_ctx parent;
    const char *tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    ASSERT_EQ_INT(sc_trace_parse_traceparent(tp, strlen(tp), &parent), 0);
    sc_trace_span *child = sc_trace_span_start("/seldon.protos.Model/Predict", 28, &parent);
    ASSERT_TRUE(child != NULL);
    sc_trace_span_finish(child);

    /* unsampled callers give no span */
    parent.flags = 0;
    ASSERT_TRUE(sc_trace_span_start("x", 1, &parent) == NULL);

    /* enough spans for a second datagram? no: but more than 14 for the long list form */
    for (int i = 0; i < 3; i++)
        sc_trace_span_finish(sc_trace_span_start("", 0, NULL));
    sc_trace_stop();
    ASSERT_TRUE(!sc_trace_on());

    static unsigned char pkt[70000];
    ssize_t n = recv_timeout(fd, pkt, sizeof(pkt), 5000);
    ASSERT_TRUE(n > 0);
    static d_batch b;
    decode_batch(pkt, (size_t)n, &b);
    ASSERT_EQ_STR(b.name, "emitBatch");
    ASSERT_EQ_INT(b.mtype, 4); /* oneway */
    ASSERT_EQ_INT(b.version, 1);
    ASSERT_EQ_INT(b.seqid, 1);
    ASSERT_EQ_STR(b.service, "MyModel");
    int has_ver = 0;
    for (int i = 0; i < b.nptags; i++)
        has_ver |= strcmp(b.ptags[i].key, "jaeger.version") == 0 && strcmp(b.ptags[i].str, "C-seldon-core-c") == 0;
    ASSERT_TRUE(has_ver);
    ASSERT_EQ_INT(b.seq_no, 1);
    ASSERT_EQ_INT(b.stats[0], 0);
    ASSERT_EQ_INT(b.nspans, 5);

    const d_span *s = &b.spans[0];
    ASSERT_EQ_STR(s->op, "Predict");
    ASSERT_TRUE((uint64_t)s->tl == root_trace && s->th == 0);
    ASSERT_TRUE((uint64_t)s->sid == root_id);
    ASSERT_EQ_INT(s->pid, 0);
    ASSERT_EQ_INT(s->flags, 1);
    ASSERT_TRUE(s->start >= before && s->start <= sc_trace_now_us());
    ASSERT_TRUE(s->dur >= 0 && s->dur < 5000000);
    /* sampler tags first (jaeger-client adds them at start), then ours in order */
    ASSERT_EQ_INT(s->ntags, 8);
    ASSERT_EQ_STR(s->tags[0].key, "sampler.type");
    ASSERT_EQ_STR(s->tags[0].str, "const");
    ASSERT_EQ_STR(s->tags[1].key, "sampler.param");
    ASSERT_TRUE(s->tags[1].vtype == SC_TAG_BOOL && s->tags[1].has_bool && s->tags[1].vbool);
    const d_tag *t = find_tag(s, "component");
    ASSERT_TRUE(t && t->vtype == SC_TAG_STR);
    ASSERT_EQ_STR(t->str, "Flask");
    t = find_tag(s, "http.status_code");
    ASSERT_TRUE(t && t->vtype == SC_TAG_LONG && t->vlong == 503);
    t = find_tag(s, "error");
    ASSERT_TRUE(t && t->vtype == SC_TAG_BOOL && t->vbool);
    t = find_tag(s, "ratio");
    ASSERT_TRUE(t && t->vtype == SC_TAG_DOUBLE && t->dbl == 0.5);
    ASSERT_EQ_STR(find_tag(s, "long")->str, "01234567");
    ASSERT_EQ_STR(find_tag(s, "utf8")->str, "abcdefg"); /* é would straddle the cut */
    ASSERT_EQ_INT(s->nlogs, 1);
    ASSERT_TRUE(s->logs[0].ts >= s->start);
    ASSERT_EQ_INT(s->logs[0].nfields, 2);
    ASSERT_EQ_STR(s->logs[0].fields[0].key, "event");
    ASSERT_EQ_STR(s->logs[0].fields[0].str, "error");
    ASSERT_EQ_STR(s->logs[0].fields[1].str, "boom");

    s = &b.spans[1];
    ASSERT_EQ_STR(s->op, "/seldon.protos.Model/Predict");
    ASSERT_TRUE((uint64_t)s->th == 0x0af7651916cd43ddull && (uint64_t)s->tl == 0x8448eb211c80319cull);
    ASSERT_TRUE((uint64_t)s->pid == 0xb7ad6b7169203331ull);
    ASSERT_TRUE(s->sid != 0 && (uint64_t)s->sid != 0xb7ad6b7169203331ull);
    ASSERT_EQ_INT(s->flags, 1);
    ASSERT_EQ_INT(s->ntags, 0); /* a child has no sampler tags */
    ASSERT_EQ_INT(s->nlogs, 0);
    ASSERT_EQ_STR(b.spans[4].op, "");
    ASSERT_TRUE(recv_timeout(fd, pkt, sizeof(pkt), 200) < 0); /* one datagram only */
    close(fd);
}

/* Direct encoder checks: the long list form (more than 14 elements) and a field-id gap. */
static void test_encode_direct(void)
{
    sc_trace_config tc;
    base_config(&tc);
    tc.jaeger = 0;
    tc.flush_ms = 60000;
    ASSERT_EQ_INT(sc_trace_start(&tc), 0);
    sc_trace_span *s = sc_trace_span_start("op", 2, NULL);
    ASSERT_TRUE(s != NULL);
    for (int i = 0; i < 20; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%d", i);
        sc_trace_span_tag_long(s, k, -i); /* negative: zigzag */
    }
    sc_buf span, pkt;
    sc_buf_init(&span);
    sc_buf_init(&pkt);
    ASSERT_EQ_INT(sc_trace_encode_jaeger_span(&span, s), 0);
    const char *keys[1] = {"k"}, *vals[1] = {"v"};
    sc_trace_process p = {"svc", 1, keys, vals};
    sc_trace_stats st = {7, 8, 9, 0};
    ASSERT_EQ_INT(sc_trace_encode_jaeger_batch(&pkt, &p, span.data, span.len, 1, 42, &st), 0);
    ASSERT_TRUE(pkt.len + 0 <= span.len + sc_trace_jaeger_overhead(&p));
    static d_batch b;
    decode_batch((const unsigned char *)pkt.data, pkt.len, &b);
    ASSERT_EQ_INT(b.seqid, 42);
    ASSERT_EQ_INT(b.seq_no, 42);
    ASSERT_TRUE(b.stats[0] == 7 && b.stats[1] == 8 && b.stats[2] == 9);
    ASSERT_EQ_STR(b.service, "svc");
    ASSERT_EQ_INT(b.nptags, 1);
    ASSERT_EQ_STR(b.ptags[0].str, "v");
    ASSERT_EQ_INT(b.spans[0].ntags, 22);
    ASSERT_EQ_INT(find_tag(&b.spans[0], "k19")->vlong, -19);

    /* 5. OTLP JSON, parsed back */
    sc_trace_span_tag_str(s, "bad\"utf8", "x\xff\x01y", 4);
    const char *lk[3] = {"event", "error.kind", "message"};
    const char *lv[3] = {"error", "StatusCode.UNKNOWN", "boom"};
    sc_trace_span_log(s, 3, lk, lv, NULL);
    sc_trace_span_tag_bool(s, "error", 1);
    sc_trace_span_tag_double(s, "d", 1.25);
    sc_buf js;
    sc_buf_init(&js);
    sc_trace_span *arr[1] = {s};
    ASSERT_EQ_INT(sc_trace_encode_otlp(&js, &p, "deployment.environment=prod,a=b%2Cc", arr, 1), 0);
    sc_arena arena;
    sc_arena_init(&arena, 16384);
    sc_json *doc = NULL;
    sc_json_error err;
    if (sc_json_parse(&arena, js.data, js.len, 64, &doc, &err) != 0)
        SC_FAIL("OTLP JSON does not parse: %s\n%.*s", err.message, (int)js.len, js.data);
    sc_json *rs = sc_json_get(doc, "resourceSpans")->u.a.items[0];
    sc_json *rattrs = sc_json_get(sc_json_get(rs, "resource"), "attributes");
    ASSERT_EQ_STR(sc_json_get(rattrs->u.a.items[0], "key")->u.s.ptr, "service.name");
    ASSERT_EQ_STR(sc_json_get(sc_json_get(rattrs->u.a.items[0], "value"), "stringValue")->u.s.ptr, "svc");
    ASSERT_EQ_INT(rattrs->u.a.len, 4);
    ASSERT_EQ_STR(sc_json_get(sc_json_get(rattrs->u.a.items[3], "value"), "stringValue")->u.s.ptr, "b,c");
    sc_json *sp = sc_json_get(sc_json_get(rs, "scopeSpans")->u.a.items[0], "spans")->u.a.items[0];
    char want[40];
    snprintf(want, sizeof(want), "%016llx%016llx", (unsigned long long)s->trace_hi, (unsigned long long)s->trace_lo);
    ASSERT_EQ_STR(sc_json_get(sp, "traceId")->u.s.ptr, want);
    snprintf(want, sizeof(want), "%016llx", (unsigned long long)s->span_id);
    ASSERT_EQ_STR(sc_json_get(sp, "spanId")->u.s.ptr, want);
    ASSERT_TRUE(sc_json_get(sp, "parentSpanId") == NULL); /* root */
    ASSERT_EQ_STR(sc_json_get(sp, "name")->u.s.ptr, "op");
    ASSERT_EQ_INT(sc_json_get(sp, "kind")->u.i, 2);
    ASSERT_EQ_INT(sc_json_get(sc_json_get(sp, "status"), "code")->u.i, 2);
    sc_json *attrs = sc_json_get(sp, "attributes");
    ASSERT_EQ_INT(attrs->u.a.len, 2 + 20 + 3);
    ASSERT_EQ_STR(sc_json_get(sc_json_get(attrs->u.a.items[2], "value"), "intValue")->u.s.ptr, "0");
    ASSERT_EQ_STR(sc_json_get(sc_json_get(attrs->u.a.items[3], "value"), "intValue")->u.s.ptr, "-1");
    ASSERT_EQ_STR(sc_json_get(attrs->u.a.items[22], "key")->u.s.ptr, "bad\"utf8");
    ASSERT_EQ_STR(sc_json_get(sc_json_get(attrs->u.a.items[22], "value"), "stringValue")->u.s.ptr,
                  "x\xef\xbf\xbd\x01y");
    ASSERT_EQ_INT(sc_json_get(sc_json_get(attrs->u.a.items[23], "value"), "boolValue")->type, SC_JSON_TRUE);
    ASSERT_TRUE(sc_json_get(sc_json_get(attrs->u.a.items[24], "value"), "doubleValue")->u.d == 1.25);
    sc_json *ev = sc_json_get(sp, "events")->u.a.items[0];
    ASSERT_EQ_STR(sc_json_get(ev, "name")->u.s.ptr, "error");
    ASSERT_EQ_INT(sc_json_get(ev, "attributes")->u.a.len, 2);
    long long st_ns = atoll(sc_json_get(sp, "startTimeUnixNano")->u.s.ptr);
    ASSERT_EQ_INT(st_ns, s->start_us * 1000);

    sc_arena_free(&arena);
    sc_buf_free(&js);
    sc_buf_free(&span);
    sc_buf_free(&pkt);
    sc_trace_span_discard(s);
    sc_trace_stop();

    /* Python's bytes repr for the query_string attribute */
    sc_buf r;
    sc_buf_init(&r);
    ASSERT_EQ_INT(sc_repr_bytes(&r, "x=1&y='2'\\\n\x80", 12), 0);
    ASSERT_EQ_MEM(r.data, r.len, "b\"x=1&y='2'\\\\\\n\\x80\"", 20);
    sc_buf_clear(&r);
    ASSERT_EQ_INT(sc_repr_bytes(&r, "a'\"", 3), 0);
    ASSERT_EQ_MEM(r.data, r.len, "b'a\\'\"'", 7);
    sc_buf_free(&r);
}

/* ---- 5. a full ring drops and counts ------------------------------------------------------- */

static void test_ring_full(void)
{
    /* An OTLP "collector" that accepts connections (the kernel does, from the backlog) and never
     * answers: the reporter blocks in its POST until the timeout, and the ring fills. */
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_TRUE(lfd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ_INT(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    ASSERT_EQ_INT(listen(lfd, 8), 0);
    socklen_t al = sizeof(a);
    ASSERT_EQ_INT(getsockname(lfd, (struct sockaddr *)&a, &al), 0);

    sc_trace_config tc;
    base_config(&tc);
    tc.jaeger = 0;
    tc.otlp = 1;
    snprintf(tc.otlp_url, sizeof(tc.otlp_url), "http://127.0.0.1:%d/v1/traces", ntohs(a.sin_port));
    tc.otlp_timeout_ms = 1500;
    tc.flush_ms = 20;
    tc.queue_size = 16;
    ASSERT_EQ_INT(sc_trace_start(&tc), 0);
    sc_trace_stats st0;
    sc_trace_get_stats(&st0);
    ASSERT_EQ_INT(st0.dropped_full, 0);
    sc_trace_span_finish(sc_trace_span_start("first", 5, NULL));
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL); /* the reporter took "first" and is now stuck in the POST */
    for (int i = 0; i < 100; i++)
        sc_trace_span_finish(sc_trace_span_start("more", 4, NULL));
    sc_trace_stats st;
    sc_trace_get_stats(&st);
    ASSERT_EQ_INT(st.dropped_full, 100 - 16);
    sc_trace_stop(); /* waits out the stuck POST, then one more for the 16 queued */
    sc_trace_get_stats(&st);
    ASSERT_EQ_INT(st.dropped_full, 100 - 16);
    ASSERT_EQ_INT(st.failed_emit, 1 + 16);
    close(lfd);
}

/* ---- 6. many producers, one reporter: nothing lost or duplicated ---------------------------- */

#define PRODUCERS 4
#define PER_PRODUCER 20000

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 0; i < PER_PRODUCER; i++) {
        sc_trace_span *s = sc_trace_span_start("p", 1, NULL);
        sc_trace_span_tag_long(s, "i", i);
        sc_trace_span_finish(s);
    }
    return NULL;
}

static void test_ring_producers(void)
{
    sc_trace_config tc;
    base_config(&tc);
    tc.jaeger = 0; /* the reporter only drains: the counters are the whole story */
    tc.flush_ms = 1;
    tc.queue_size = 256;
    ASSERT_EQ_INT(sc_trace_start(&tc), 0);
    pthread_t th[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++)
        ASSERT_EQ_INT(pthread_create(&th[i], NULL, producer, NULL), 0);
    for (int i = 0; i < PRODUCERS; i++)
        ASSERT_EQ_INT(pthread_join(th[i], NULL), 0);
    sc_trace_stop();
    sc_trace_stats st;
    sc_trace_get_stats(&st);
    printf("test_sc_trace: %d spans from %d threads: %lld reported, %lld dropped (queue 256)\n",
           PRODUCERS * PER_PRODUCER, PRODUCERS, (long long)st.reported, (long long)st.dropped_full);
    ASSERT_EQ_INT(st.reported + st.dropped_full, PRODUCERS * PER_PRODUCER);
    ASSERT_TRUE(st.reported > 0);
}

/* ---- 7. cost (printed, not asserted: the machine may be shared) ---------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_cost(void)
{
    int port;
    int fd = udp_listener(&port);
    sc_trace_config tc;
    base_config(&tc);
    snprintf(tc.agent_host, sizeof(tc.agent_host), "127.0.0.1");
    tc.agent_port = port;
    tc.flush_ms = 1000;
    ASSERT_EQ_INT(sc_trace_start(&tc), 0);
    enum { N = 20000 };
    /* the request path: start (sampler, ids, clock), the REST tags, finish (ring push) */
    double busy = 0, t0 = now_s();
    for (int i = 0; i < N; i++) {
        sc_trace_span *sp = sc_trace_span_start("Predict", 7, NULL);
        sc_trace_span_tag_str(sp, "component", "Flask", 5);
        sc_trace_span_tag_str(sp, "http.method", "POST", 4);
        sc_trace_span_tag_str(sp, "http.url", "http://127.0.0.1:9000/api/v1.0/predictions", 42);
        sc_trace_span_tag_str(sp, "span.kind", "server", 6);
        sc_trace_span_tag_long(sp, "http.status_code", 200);
        sc_trace_span_finish(sp);
        if ((i & 1023) == 1023) { /* let the reporter keep up, as real request rates do */
            busy += now_s() - t0;
            struct timespec ts = {0, 2 * 1000 * 1000};
            nanosleep(&ts, NULL);
            t0 = now_s();
        }
    }
    busy += now_s() - t0;
    sc_trace_stop();
    /* the reporter's side: encoding one span */
    ASSERT_EQ_INT(sc_trace_start(&tc), 0);
    sc_trace_span *sp = sc_trace_span_start("Predict", 7, NULL);
    sc_trace_span_tag_str(sp, "component", "Flask", 5);
    sc_trace_span_tag_str(sp, "http.method", "POST", 4);
    sc_trace_span_tag_str(sp, "http.url", "http://127.0.0.1:9000/api/v1.0/predictions", 42);
    sc_trace_span_tag_str(sp, "span.kind", "server", 6);
    sc_trace_span_tag_long(sp, "http.status_code", 200);
    sc_buf b;
    sc_buf_init(&b);
    double t2 = now_s();
    for (int i = 0; i < N; i++) {
        sc_buf_clear(&b);
        ASSERT_EQ_INT(sc_trace_encode_jaeger_span(&b, sp), 0);
    }
    double t3 = now_s();
    size_t one = b.len;
    sc_trace_span *arr[1] = {sp};
    double t4 = now_s();
    for (int i = 0; i < N / 10; i++) {
        sc_buf_clear(&b);
        ASSERT_EQ_INT(sc_trace_encode_otlp(&b, &(sc_trace_process){"MyModel", 0, NULL, NULL}, NULL, arr, 1), 0);
    }
    double t5 = now_s();
    sc_buf_free(&b);
    sc_trace_span_discard(sp);
    sc_trace_stop();
    close(fd);
    printf("test_sc_trace: request path %.0f ns/span (start + 5 tags + finish); jaeger encode %.0f ns/span "
           "(%zu bytes); OTLP JSON encode %.0f ns/span\n",
           busy / N * 1e9, (t3 - t2) / N * 1e9, one, (t5 - t4) / (N / 10) * 1e9);
}

int main(void)
{
    test_uber();
    test_traceparent();
    test_config_env();
    test_config_yaml();
    test_emit_batch();
    test_encode_direct();
    test_ring_full();
    test_ring_producers();
    test_cost();
    printf("test_sc_trace: ok\n");
    return 0;
}
