#include "sc_trace.h"

#include <errno.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "sc_buf.h"
#include "sc_log.h"
#include "sc_pystr.h"
#include "sc_trace_export.h"
#include "sc_trace_rest.h"

/* jaeger-client's process tag for the client library; ours says what produced the spans. */
#define SC_TRACE_CLIENT_VERSION "C-seldon-core-c"

_Atomic int sc_trace_active_flag;

/* ---- clocks and ids ------------------------------------------------------------------------- */

int64_t sc_trace_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t sc_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One generator per thread, so id generation never contends. A forked child must not repeat its
 * parent's ids: the fork handler makes the (only) thread of the child reseed. Checking getpid()
 * per id instead would cost a system call per id. */
static _Thread_local uint64_t sc_rng_state;
static _Thread_local int sc_rng_seeded;
static pthread_once_t sc_rng_once = PTHREAD_ONCE_INIT;

static void sc_rng_after_fork(void)
{
    sc_rng_seeded = 0;
}

static void sc_rng_register(void)
{
    if (pthread_atfork(NULL, NULL, sc_rng_after_fork) != 0)
        SC_WARN("tracing: pthread_atfork failed; ids of a forked process may repeat");
}

uint64_t sc_trace_random_id(void)
{
    if (!sc_rng_seeded) {
        pthread_once(&sc_rng_once, sc_rng_register);
        uint64_t seed = 0;
        if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
            seed = (uint64_t)sc_mono_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&seed;
        sc_rng_state = seed;
        sc_rng_seeded = 1;
    }
    for (;;) {
        /* splitmix64: fast, full period, good enough for ids (not for secrets). */
        uint64_t z = (sc_rng_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        if (z != 0)
            return z;
    }
}

/* ---- context parsing ------------------------------------------------------------------------ */

static int sc_is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Python's int(text, 16): surrounding whitespace, an optional sign, an optional 0x prefix,
 * digits with single underscores between them. The value is kept modulo 2^128 (jaeger keeps
 * the low 128 bits of a trace id and the low 64 of the others). *neg is set for a '-' sign. */
static int sc_parse_pyhex(const char *p, size_t n, uint64_t *hi, uint64_t *lo, int *neg)
{
    while (n > 0 && sc_is_space((unsigned char)p[0])) {
        p++;
        n--;
    }
    while (n > 0 && sc_is_space((unsigned char)p[n - 1]))
        n--;
    *neg = 0;
    if (n > 0 && (p[0] == '+' || p[0] == '-')) {
        *neg = p[0] == '-';
        p++;
        n--;
    }
    int after_prefix = 0;
    if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        n -= 2;
        after_prefix = 1;
    }
    uint64_t h = 0, l = 0;
    int digits = 0, last_us = after_prefix; /* "0x_1" is valid, "_1" and "1__2" are not */
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '_') {
            if (last_us || (digits == 0 && !after_prefix))
                return -1;
            last_us = 1;
            continue;
        }
        int d = sc_hexval((unsigned char)p[i]);
        if (d < 0)
            return -1;
        h = (h << 4) | (l >> 60);
        l = (l << 4) | (uint64_t)d;
        digits++;
        last_us = 0;
    }
    if (digits == 0 || p[n - 1] == '_')
        return -1;
    *hi = h;
    *lo = l;
    return 0;
}

int sc_trace_parse_uber(const char *v, size_t len, sc_trace_ctx *out)
{
    /* jaeger-client URL-decodes the header first ("%3A" for ':'). */
    char dec[512];
    size_t n = 0;
    if (v == NULL || len >= sizeof(dec))
        return -1;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (v[i] == '%' && i + 2 < len && (hi = sc_hexval((unsigned char)v[i + 1])) >= 0 &&
            (lo = sc_hexval((unsigned char)v[i + 2])) >= 0) {
            dec[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            dec[n++] = v[i];
        }
    }
    const char *part[4];
    size_t plen[4];
    int np = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || dec[i] == ':') {
            if (np == 4)
                return -1; /* more than four parts */
            part[np] = dec + start;
            plen[np] = i - start;
            np++;
            start = i + 1;
        }
    }
    if (np != 4)
        return -1;
    uint64_t th, tl, sh, sl, ph, pl, fh, fl;
    int tn, sn, pn, fn;
    if (sc_parse_pyhex(part[0], plen[0], &th, &tl, &tn) != 0 || sc_parse_pyhex(part[1], plen[1], &sh, &sl, &sn) != 0 ||
        sc_parse_pyhex(part[2], plen[2], &ph, &pl, &pn) != 0 || sc_parse_pyhex(part[3], plen[3], &fh, &fl, &fn) != 0)
        return -1;
    /* trace_id < 1 or span_id < 1 or parent_id < 0 or flags < 0 → corrupted (jaeger-client). */
    if (tn || (th == 0 && tl == 0) || sn || (sh == 0 && sl == 0))
        return -1;
    if ((pn && (ph || pl)) || (fn && (fh || fl)))
        return -1;
    out->trace_hi = th;
    out->trace_lo = tl;
    out->span_id = sl;
    out->flags = (uint32_t)fl;
    return 0;
}

static int sc_parse_lhex(const char *p, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (d < 0)
            return -1; /* W3C: lower-case hex only */
        x = (x << 4) | (uint64_t)d;
    }
    *v = x;
    return 0;
}

int sc_trace_parse_traceparent(const char *v, size_t len, sc_trace_ctx *out)
{
    if (v == NULL)
        return -1;
    while (len > 0 && (v[0] == ' ' || v[0] == '\t')) {
        v++;
        len--;
    }
    while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    if (len < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-')
        return -1;
    uint64_t ver, th, tl, sp, fl;
    if (sc_parse_lhex(v, 2, &ver) != 0 || ver == 0xff)
        return -1;
    /* Version 00 is exactly 55 characters; a later version may append "-..." fields. */
    if ((ver == 0 && len != 55) || (len > 55 && v[55] != '-'))
        return -1;
    if (sc_parse_lhex(v + 3, 16, &th) != 0 || sc_parse_lhex(v + 19, 16, &tl) != 0 ||
        sc_parse_lhex(v + 36, 16, &sp) != 0 || sc_parse_lhex(v + 53, 2, &fl) != 0)
        return -1;
    if ((th == 0 && tl == 0) || sp == 0)
        return -1;
    out->trace_hi = th;
    out->trace_lo = tl;
    out->span_id = sp;
    out->flags = (uint32_t)(fl & 1); /* W3C sampled → Jaeger sampled; no debug bit */
    return 0;
}

/* ---- configuration -------------------------------------------------------------------------- */

static void sc_copy(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void sc_copy_str(char *dst, size_t cap, const char *src)
{
    sc_copy(dst, cap, src, strlen(src));
}

/* Whether nothing but blanks follows a parsed number (int() and float() allow them). */
static int sc_only_blanks(const char *p)
{
    while (sc_is_space((unsigned char)*p))
        p++;
    return *p == '\0';
}

/* Python int(): the whole string, surrounding blanks allowed. */
static int sc_parse_int(const char *s, long long *out)
{
    if (s == NULL)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || errno != 0)
        return -1;
    if (!sc_only_blanks(end))
        return -1;
    *out = v;
    return 0;
}

static int sc_parse_double(const char *s, double *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0)
        return -1;
    if (!sc_only_blanks(end))
        return -1;
    *out = v;
    return 0;
}

/* jaeger-client's get_boolean() on a value PyYAML has already typed: yes/on are True and
 * no/off/null are False in YAML 1.1; anything else gives the default. */
static int sc_yaml_bool(const char *s, int dflt)
{
    static const char *const t[] = {"true", "1", "yes", "on"};
    static const char *const f[] = {"false", "0", "none", "no", "off", "null", "~"};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcasecmp(s, t[i]) == 0)
            return 1;
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if (strcasecmp(s, f[i]) == 0)
            return 0;
    return dflt;
}

static void sc_add_ptag(sc_trace_config *tc, const char *k, size_t kl, const char *v, size_t vl)
{
    for (int i = 0; i < tc->n_ptags; i++) {
        if (strlen(tc->ptag_key[i]) == kl && memcmp(tc->ptag_key[i], k, kl) == 0) {
            sc_copy(tc->ptag_val[i], sizeof(tc->ptag_val[i]), v, vl); /* later wins, as a dict */
            return;
        }
    }
    if (tc->n_ptags >= SC_TRACE_MAX_PTAGS) {
        SC_WARN("tracing: more than %d process tags; %.*s ignored", SC_TRACE_MAX_PTAGS, (int)kl, k);
        return;
    }
    sc_copy(tc->ptag_key[tc->n_ptags], sizeof(tc->ptag_key[0]), k, kl);
    sc_copy(tc->ptag_val[tc->n_ptags], sizeof(tc->ptag_val[0]), v, vl);
    tc->n_ptags++;
}

static const char *sc_find_ptag(const sc_trace_config *tc, const char *k)
{
    for (int i = 0; i < tc->n_ptags; i++)
        if (strcmp(tc->ptag_key[i], k) == 0)
            return tc->ptag_val[i];
    return NULL;
}

static void sc_trim(const char **p, size_t *n)
{
    while (*n > 0 && sc_is_space((unsigned char)(*p)[0])) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && sc_is_space((unsigned char)(*p)[*n - 1]))
        (*n)--;
}

/* A YAML scalar: strips an inline comment and quotes. Writes a C string into out. */
static void sc_yaml_scalar(const char *p, size_t n, char *out, size_t cap)
{
    sc_trim(&p, &n);
    if (n > 0 && (p[0] == '"' || p[0] == '\'')) {
        char q = p[0];
        size_t o = 0;
        for (size_t i = 1; i < n && o + 1 < cap; i++) {
            if (p[i] == q) {
                if (q == '\'' && i + 1 < n && p[i + 1] == '\'') { /* '' is a quote */
                    out[o++] = '\'';
                    i++;
                    continue;
                }
                break;
            }
            if (q == '"' && p[i] == '\\' && i + 1 < n) {
                i++;
                out[o++] = p[i] == 'n' ? '\n' : p[i] == 't' ? '\t' : p[i];
                continue;
            }
            out[o++] = p[i];
        }
        out[o] = '\0';
        return;
    }
    /* plain scalar: a comment starts at " #" */
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '#' && (i == 0 || p[i - 1] == ' ' || p[i - 1] == '\t')) {
            n = i;
            break;
        }
    }
    sc_trim(&p, &n);
    sc_copy(out, cap, p, n);
}

/* What the YAML said about the sampler, resolved after the whole file is read. */
typedef struct {
    char type[64];
    char param[64];
    int has_param;
} sc_yaml_sampler;

static int sc_yaml_key(sc_trace_config *tc, sc_yaml_sampler *smp, const char *section, const char *key,
                       const char *val, char *err, size_t errlen)
{
    long long iv;
    double dv;
    if (section[0] == '\0') {
        if (strcmp(key, "service_name") == 0) {
            if (val[0] == '\0') {
                snprintf(err, errlen, "service_name required in the config or param");
                return -1;
            }
            sc_copy_str(tc->service_name, sizeof(tc->service_name), val);
        } else if (strcmp(key, "enabled") == 0) {
            tc->enabled = sc_yaml_bool(val, 1);
        } else if (strcmp(key, "logging") == 0) {
            tc->logging = sc_yaml_bool(val, 0);
        } else if (strcmp(key, "max_tag_value_length") == 0) {
            if (sc_parse_int(val, &iv) != 0 || iv < 1 || iv > 1 << 20) {
                snprintf(err, errlen, "max_tag_value_length: not a usable integer: '%s'", val);
                return -1;
            }
            tc->max_tag_len = (int)iv;
        } else if (strcmp(key, "reporter_flush_interval") == 0) {
            if (sc_parse_double(val, &dv) != 0 || !(dv > 0) || dv > 3600) {
                snprintf(err, errlen, "reporter_flush_interval: not a usable number of seconds: '%s'", val);
                return -1;
            }
            tc->flush_ms = dv * 1000 < 1 ? 1 : (int)(dv * 1000);
        } else if (strcmp(key, "reporter_queue_size") == 0) {
            if (sc_parse_int(val, &iv) != 0 || iv < 1 || iv > 1 << 24) {
                snprintf(err, errlen, "reporter_queue_size: not a usable integer: '%s'", val);
                return -1;
            }
            tc->queue_size = (int)iv;
        } else if (strcmp(key, "trace_id_header") == 0) {
            size_t n = strlen(val);
            if (n == 0 || n >= sizeof(tc->trace_id_header)) {
                snprintf(err, errlen, "trace_id_header: unusable value '%s'", val);
                return -1;
            }
            /* jaeger-client: lower-cased, '_' → '-' */
            for (size_t i = 0; i <= n; i++) {
                char c = val[i];
                tc->trace_id_header[i] = c == '_' ? '-' : (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
            }
        } else if (strcmp(key, "generate_128bit_trace_id") == 0) {
            tc->trace_128bit = sc_yaml_bool(val, 0);
        }
        /* other keys (metrics, propagation, throttler, ...) have no effect here */
        return 0;
    }
    if (strcmp(section, "sampler") == 0) {
        if (strcmp(key, "type") == 0)
            sc_copy_str(smp->type, sizeof(smp->type), val);
        else if (strcmp(key, "param") == 0) {
            sc_copy_str(smp->param, sizeof(smp->param), val);
            smp->has_param = 1;
        }
    } else if (strcmp(section, "local_agent") == 0) {
        if (strcmp(key, "reporting_host") == 0 && val[0] != '\0')
            sc_copy_str(tc->agent_host, sizeof(tc->agent_host), val);
        else if (strcmp(key, "reporting_port") == 0 && sc_parse_int(val, &iv) == 0 && iv > 0 && iv < 65536)
            tc->agent_port = (int)iv; /* int() failing falls back to the env/default, as jaeger */
    } else if (strcmp(section, "tags") == 0) {
        sc_add_ptag(tc, key, strlen(key), val, strlen(val));
    }
    return 0;
}

int sc_trace_config_apply_yaml(sc_trace_config *tc, const char *text, size_t len, char *err, size_t errlen)
{
    char section[64] = "";
    int child_indent = -1; /* indentation of the current section's keys */
    sc_yaml_sampler smp;
    memset(&smp, 0, sizeof(smp));
    err[0] = '\0';
    size_t pos = 0;
    int lineno = 0;
    while (pos < len) {
        size_t eol = pos;
        while (eol < len && text[eol] != '\n')
            eol++;
        const char *line = text + pos;
        size_t n = eol - pos;
        pos = eol + 1;
        lineno++;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        size_t indent = 0;
        while (indent < n && line[indent] == ' ')
            indent++;
        if (indent < n && line[indent] == '\t') {
            snprintf(err, errlen, "line %d: tabs are not allowed in YAML indentation", lineno);
            return -1;
        }
        const char *p = line + indent;
        size_t m = n - indent;
        sc_trim(&p, &m);
        if (m == 0 || p[0] == '#')
            continue;
        if ((m >= 3 && memcmp(p, "---", 3) == 0) || (m >= 3 && memcmp(p, "...", 3) == 0))
            continue;
        if (p[0] == '{' || p[0] == '[') {
            snprintf(err, errlen, "line %d: flow-style YAML is not supported; write block mappings", lineno);
            return -1;
        }
        if (p[0] == '-')
            continue; /* sequence items: no key we use is a list */
        /* key: the text up to ": " or a final ':' */
        size_t colon = 0;
        while (colon < m && !(p[colon] == ':' && (colon + 1 == m || p[colon + 1] == ' ' || p[colon + 1] == '\t')))
            colon++;
        if (colon == m) {
            snprintf(err, errlen, "line %d: expected 'key: value'", lineno);
            return -1;
        }
        char key[64], val[512];
        sc_yaml_scalar(p, colon, key, sizeof(key));
        sc_yaml_scalar(p + colon + 1, m - colon - 1, val, sizeof(val));
        const char *raw = p + colon + 1;
        size_t raw_len = m - colon - 1;
        sc_trim(&raw, &raw_len);
        int no_value = raw_len == 0 || raw[0] == '#'; /* "key:" rather than "key: ''" */
        if (indent == 0) {
            section[0] = '\0';
            child_indent = -1;
            if (no_value) { /* "key:" opens a nested mapping */
                sc_copy_str(section, sizeof(section), key);
                continue;
            }
            if (sc_yaml_key(tc, &smp, "", key, val, err, errlen) != 0)
                return -1;
            continue;
        }
        if (section[0] == '\0')
            continue; /* indented under a key we do not know as a section: ignore */
        if (child_indent < 0)
            child_indent = (int)indent;
        if ((int)indent != child_indent)
            continue; /* deeper nesting: no key we use lives there */
        if (strcmp(val, "~") == 0 || strcmp(val, "null") == 0)
            continue;
        if (sc_yaml_key(tc, &smp, section, key, val, err, errlen) != 0)
            return -1;
    }
    if (smp.type[0] != '\0') {
        if (strcmp(smp.type, "const") == 0) {
            tc->sampler = SC_SAMPLER_CONST;
            tc->sampler_param = sc_yaml_bool(smp.has_param ? smp.param : "none", 0);
        } else if (strcmp(smp.type, "probabilistic") == 0 || strcmp(smp.type, "ratelimiting") == 0 ||
                   strcmp(smp.type, "rate_limiting") == 0) {
            double d;
            if (!smp.has_param || sc_parse_double(smp.param, &d) != 0 || d < 0) {
                snprintf(err, errlen, "sampler.param must be a number for sampler type %s", smp.type);
                return -1;
            }
            tc->sampler = smp.type[0] == 'p' ? SC_SAMPLER_PROBABILISTIC : SC_SAMPLER_RATELIMITING;
            tc->sampler_param = d;
        } else {
            snprintf(err, errlen, "Unknown sampler type %s", smp.type);
            return -1;
        }
    }
    return 0;
}

/* JAEGER_AGENT_PORT as jaeger-client reads it: int() or the agent's compact-thrift port. */
static int sc_env_port(int dflt)
{
    long long v;
    const char *s = getenv("JAEGER_AGENT_PORT");
    if (s != NULL && sc_parse_int(s, &v) == 0 && v > 0 && v < 65536)
        return (int)v;
    return dflt;
}

static void sc_local_ip(char *out, size_t cap)
{
    /* jaeger-client: the host name's address, else the first non-loopback interface. */
    snprintf(out, cap, "127.0.0.1");
    struct ifaddrs *ifa = NULL;
    if (getifaddrs(&ifa) != 0)
        return;
    for (struct ifaddrs *i = ifa; i != NULL; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
            continue;
        const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)i->ifa_addr;
        if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127)
            continue;
        if (inet_ntop(AF_INET, &sin->sin_addr, out, (socklen_t)cap) != NULL)
            break;
    }
    freeifaddrs(ifa);
}

/* "k=v,k=v" (JAEGER_TAGS): malformed items are skipped with a warning (jaeger-client raises). */
static void sc_parse_kv_tags(sc_trace_config *tc, const char *s)
{
    while (s != NULL && *s != '\0') {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        const char *eq = memchr(s, '=', n);
        if (eq == NULL || memchr(eq + 1, '=', n - (size_t)(eq + 1 - s)) != NULL) {
            SC_WARN("tracing: JAEGER_TAGS item '%.*s' is not key=value; ignored", (int)n, s);
        } else {
            const char *k = s, *v = eq + 1;
            size_t kl = (size_t)(eq - s), vl = n - kl - 1;
            sc_trim(&k, &kl);
            sc_trim(&v, &vl);
            sc_add_ptag(tc, k, kl, v, vl);
        }
        s = end ? end + 1 : NULL;
    }
}

static int sc_read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -errno;
    sc_buf b;
    sc_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (sc_buf_append(&b, chunk, n) != 0 || b.len > (1 << 20)) {
            fclose(f);
            sc_buf_free(&b);
            return -EFBIG;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        sc_buf_free(&b);
        return -EIO;
    }
    *out = sc_buf_release(&b, len);
    if (*out == NULL) {
        *out = strdup("");
        if (*out == NULL)
            return -ENOMEM;
    }
    return 0;
}

static void sc_otlp_config(sc_trace_config *tc)
{
    const char *traces = getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    const char *base = getenv("OTEL_EXPORTER_OTLP_ENDPOINT");
    const char *sel = getenv("OTEL_TRACES_EXPORTER");
    if (traces != NULL && traces[0] != '\0') {
        sc_copy_str(tc->otlp_url, sizeof(tc->otlp_url), traces);
    } else if (base != NULL && base[0] != '\0') {
        size_t n = strlen(base);
        snprintf(tc->otlp_url, sizeof(tc->otlp_url), "%.*s/v1/traces", (int)(n > 0 && base[n - 1] == '/' ? n - 1 : n),
                 base);
    }
    tc->otlp = tc->otlp_url[0] != '\0';
    if (sel != NULL && sel[0] != '\0') {
        /* OTEL_TRACES_EXPORTER, when given, chooses the exporters: otlp, jaeger, none. */
        tc->jaeger = strstr(sel, "jaeger") != NULL;
        tc->otlp = strstr(sel, "otlp") != NULL;
        if (tc->otlp && tc->otlp_url[0] == '\0')
            sc_copy_str(tc->otlp_url, sizeof(tc->otlp_url), "http://localhost:4318/v1/traces");
    }
    if (tc->otlp) {
        char host[256], path[512];
        int port;
        if (sc_trace_parse_url(tc->otlp_url, host, sizeof(host), &port, path, sizeof(path)) != 0) {
            SC_ERROR("tracing: OTLP endpoint '%s' is not an http:// URL (https is not supported); OTLP export is off",
                     tc->otlp_url);
            tc->otlp = 0;
        }
        const char *proto = getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL");
        if (proto == NULL)
            proto = getenv("OTEL_EXPORTER_OTLP_PROTOCOL");
        if (proto != NULL && proto[0] != '\0' && strcmp(proto, "http/json") != 0)
            SC_WARN("tracing: OTLP protocol '%s' requested; seldon-core-c sends OTLP/HTTP JSON", proto);
    }
    const char *h = getenv("OTEL_EXPORTER_OTLP_TRACES_HEADERS");
    if (h == NULL)
        h = getenv("OTEL_EXPORTER_OTLP_HEADERS");
    if (h != NULL)
        sc_copy_str(tc->otlp_headers, sizeof(tc->otlp_headers), h);
    long long to;
    const char *t = getenv("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT");
    if (t == NULL)
        t = getenv("OTEL_EXPORTER_OTLP_TIMEOUT");
    tc->otlp_timeout_ms = (t != NULL && sc_parse_int(t, &to) == 0 && to > 0 && to < 600000) ? (int)to : 10000;
    const char *svc = getenv("OTEL_SERVICE_NAME");
    sc_copy_str(tc->otlp_service, sizeof(tc->otlp_service), svc != NULL && svc[0] != '\0' ? svc : tc->service_name);
    const char *ra = getenv("OTEL_RESOURCE_ATTRIBUTES");
    if (ra != NULL)
        sc_copy_str(tc->otel_resource, sizeof(tc->otel_resource), ra);
}

int sc_trace_config_load(sc_trace_config *tc, const char *service, int http_port)
{
    memset(tc, 0, sizeof(*tc));
    tc->enabled = 1;
    sc_copy_str(tc->service_name, sizeof(tc->service_name), service ? service : "");
    tc->jaeger = 1;
    tc->sampler = SC_SAMPLER_CONST;
    tc->sampler_param = 1;
    tc->max_tag_len = 1024;
    tc->flush_ms = 1000;
    tc->queue_size = 4096;
    tc->http_port = http_port;
    sc_copy_str(tc->trace_id_header, sizeof(tc->trace_id_header), "uber-trace-id");
    const char *host = getenv("JAEGER_AGENT_HOST");
    const char *path = getenv("JAEGER_CONFIG_PATH");
    if (path == NULL) {
        /* seldon's default config: const sampler 1, the agent at JAEGER_AGENT_HOST (0.0.0.0:
         * Linux delivers datagrams sent to 0.0.0.0 locally) : JAEGER_AGENT_PORT (5775),
         * logging on. */
        SC_INFO("Using default tracing config");
        sc_copy_str(tc->agent_host, sizeof(tc->agent_host), host ? host : "0.0.0.0");
        tc->agent_port = sc_env_port(6831);
        if (getenv("JAEGER_AGENT_PORT") == NULL)
            tc->agent_port = 5775;
        tc->logging = 1;
    } else {
        /* the YAML is the whole jaeger-client config: what it leaves out takes jaeger-client's
         * defaults (agent from the env or localhost:6831, remote sampler, logging off). */
        SC_INFO("Loading tracing config from %s", path);
        sc_copy_str(tc->agent_host, sizeof(tc->agent_host), host ? host : "localhost");
        tc->agent_port = sc_env_port(6831);
        tc->sampler = SC_SAMPLER_PROBABILISTIC;
        tc->sampler_param = 0.001; /* jaeger's remote sampler before its first poll */
        char *text = NULL;
        size_t len = 0;
        int rc = sc_read_file(path, &text, &len);
        if (rc != 0) {
            SC_ERROR("tracing: cannot read JAEGER_CONFIG_PATH %s: %s", path, strerror(-rc));
            return -1;
        }
        char err[256];
        rc = sc_trace_config_apply_yaml(tc, text, len, err, sizeof(err));
        free(text);
        if (rc != 0) {
            SC_ERROR("tracing: %s: %s", path, err);
            return -1;
        }
    }
    const char *t128 = getenv("JAEGER_TRACEID_128BIT");
    if (t128 != NULL && strcmp(t128, "true") == 0)
        tc->trace_128bit = 1;
    sc_parse_kv_tags(tc, getenv("JAEGER_TAGS"));
    /* JAEGER_EXTRA_TAGS: split on ',', strip, drop blanks (the original's list comprehension) */
    const char *ex = getenv("JAEGER_EXTRA_TAGS");
    while (ex != NULL && *ex != '\0') {
        const char *end = strchr(ex, ',');
        const char *p = ex;
        size_t n = end ? (size_t)(end - ex) : strlen(ex);
        sc_trim(&p, &n);
        if (n > 0) {
            if (tc->n_extra < SC_TRACE_MAX_EXTRA && n < sizeof(tc->extra[0]))
                sc_copy(tc->extra[tc->n_extra++], sizeof(tc->extra[0]), p, n);
            else
                SC_WARN("tracing: JAEGER_EXTRA_TAGS item '%.*s' ignored (too many or too long)", (int)n, p);
        }
        ex = end ? end + 1 : NULL;
    }
    /* process tags jaeger-client adds unless the config already has them */
    if (sc_find_ptag(tc, "jaeger.version") == NULL)
        sc_add_ptag(tc, "jaeger.version", 14, SC_TRACE_CLIENT_VERSION, strlen(SC_TRACE_CLIENT_VERSION));
    if (sc_find_ptag(tc, "ip") == NULL) {
        char ip[64];
        sc_local_ip(ip, sizeof(ip));
        sc_add_ptag(tc, "ip", 2, ip, strlen(ip));
    }
    if (sc_find_ptag(tc, "hostname") == NULL) {
        char hn[256];
        if (gethostname(hn, sizeof(hn)) == 0) {
            hn[sizeof(hn) - 1] = '\0';
            sc_add_ptag(tc, "hostname", 8, hn, strlen(hn));
        }
    }
    sc_otlp_config(tc);
    return 0;
}

/* ---- span records --------------------------------------------------------------------------- *
 * A span's data is a byte string: [u16 op length][op], then records:
 *   tag: 'T' [u8 type] [u16 key length][key] value: STR [u32 length][bytes] | LONG/DOUBLE 8 bytes
 *        (host order) | BOOL 1 byte
 *   log: 'L' [i64 timestamp µs] [u8 field count], followed by that many tag records.
 * Built by one thread, read by the reporter after the hand-over through the ring. */

static int sc_span_reserve(sc_trace_span *s, size_t extra)
{
    if (s->len + extra <= s->cap)
        return 0;
    size_t cap = s->cap * 2;
    while (cap < s->len + extra)
        cap *= 2;
    char *p;
    if (s->data == s->inl) {
        p = malloc(cap);
        if (p != NULL)
            memcpy(p, s->inl, s->len);
    } else {
        p = realloc(s->data, cap);
    }
    if (p == NULL) {
        s->oom = 1;
        return -1;
    }
    s->data = p;
    s->cap = cap;
    return 0;
}

static void sc_span_put(sc_trace_span *s, const void *p, size_t n)
{
    memcpy(s->data + s->len, p, n);
    s->len += n;
}

static size_t sc_utf8_cut(const char *v, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    /* never split a multi-byte sequence */
    while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static const sc_trace_config *sc_cfg_ptr(void);

static int sc_tag_head(sc_trace_span *s, const char *key, int type, size_t value_bytes)
{
    size_t kl = strlen(key);
    if (kl > 0xFFFF || sc_span_reserve(s, 4 + kl + value_bytes) != 0) {
        s->oom = 1;
        return -1;
    }
    uint8_t h[2] = {'T', (uint8_t)type};
    uint16_t k16 = (uint16_t)kl;
    sc_span_put(s, h, 2);
    sc_span_put(s, &k16, 2);
    sc_span_put(s, key, kl);
    return 0;
}

void sc_trace_span_tag_str(sc_trace_span *s, const char *key, const char *val, size_t len)
{
    if (s == NULL)
        return;
    const sc_trace_config *tc = sc_cfg_ptr();
    len = sc_utf8_cut(val, len, tc ? (size_t)tc->max_tag_len : 1024);
    if (sc_tag_head(s, key, SC_TAG_STR, 4 + len) != 0)
        return;
    uint32_t l32 = (uint32_t)len;
    sc_span_put(s, &l32, 4);
    sc_span_put(s, val, len);
    s->ntags++;
}

void sc_trace_span_tag_long(sc_trace_span *s, const char *key, int64_t v)
{
    if (s == NULL || sc_tag_head(s, key, SC_TAG_LONG, 8) != 0)
        return;
    sc_span_put(s, &v, 8);
    s->ntags++;
}

void sc_trace_span_tag_bool(sc_trace_span *s, const char *key, int v)
{
    if (s == NULL || sc_tag_head(s, key, SC_TAG_BOOL, 1) != 0)
        return;
    uint8_t b = v ? 1 : 0;
    sc_span_put(s, &b, 1);
    s->ntags++;
    if (v && strcmp(key, "error") == 0)
        s->error = 1;
}

void sc_trace_span_tag_double(sc_trace_span *s, const char *key, double v)
{
    if (s == NULL || sc_tag_head(s, key, SC_TAG_DOUBLE, 8) != 0)
        return;
    sc_span_put(s, &v, 8);
    s->ntags++;
}

void sc_trace_span_log(sc_trace_span *s, int nfields, const char *const *keys, const char *const *vals,
                       const size_t *val_lens)
{
    if (s == NULL || nfields <= 0 || nfields > 255)
        return;
    int64_t ts = sc_trace_now_us();
    if (sc_span_reserve(s, 10) != 0)
        return;
    uint8_t k = 'L', nf = (uint8_t)nfields;
    sc_span_put(s, &k, 1);
    sc_span_put(s, &ts, 8);
    sc_span_put(s, &nf, 1);
    uint16_t before = s->ntags;
    for (int i = 0; i < nfields; i++)
        sc_trace_span_tag_str(s, keys[i], vals[i], val_lens ? val_lens[i] : strlen(vals[i]));
    s->ntags = before; /* log fields are not span tags */
    s->nlogs++;
}

const char *sc_trace_span_op(const sc_trace_span *s, size_t *len)
{
    uint16_t n;
    memcpy(&n, s->data, 2);
    *len = n;
    return s->data + 2;
}

void sc_trace_iter_init(sc_trace_iter *it, const sc_trace_span *s)
{
    uint16_t n;
    memcpy(&n, s->data, 2);
    it->s = s;
    it->pos = 2 + (size_t)n;
}

int sc_trace_iter_next(sc_trace_iter *it, sc_trace_tag *tag, int64_t *log_ts, int *nfields)
{
    const char *d = it->s->data;
    if (it->pos >= it->s->len)
        return 0;
    char kind = d[it->pos];
    if (kind == 'L') {
        memcpy(log_ts, d + it->pos + 1, 8);
        *nfields = (unsigned char)d[it->pos + 9];
        it->pos += 10;
        return 2;
    }
    uint16_t kl;
    tag->type = (unsigned char)d[it->pos + 1];
    memcpy(&kl, d + it->pos + 2, 2);
    tag->key = d + it->pos + 4;
    tag->key_len = kl;
    size_t p = it->pos + 4 + kl;
    tag->str = NULL;
    tag->str_len = 0;
    tag->num = 0;
    tag->dbl = 0;
    switch (tag->type) {
    case SC_TAG_STR: {
        uint32_t l;
        memcpy(&l, d + p, 4);
        tag->str = d + p + 4;
        tag->str_len = l;
        p += 4 + l;
        break;
    }
    case SC_TAG_BOOL:
        tag->num = d[p] ? 1 : 0;
        p += 1;
        break;
    case SC_TAG_LONG:
        memcpy(&tag->num, d + p, 8);
        p += 8;
        break;
    default:
        memcpy(&tag->dbl, d + p, 8);
        p += 8;
        break;
    }
    it->pos = p;
    return 1;
}

/* ---- reporter state ------------------------------------------------------------------------- */

typedef struct {
    _Atomic size_t seq;
    sc_trace_span *span;
} sc_ring_cell;

static struct {
    sc_trace_config cfg;
    int started;
    /* ring: Vyukov's bounded queue; many producers (request threads), one consumer */
    sc_ring_cell *cells;
    size_t mask;
    _Alignas(64) _Atomic size_t head;
    _Alignas(64) _Atomic size_t tail;
    size_t wake_mark; /* queued spans at which a producer wakes the reporter early */
    /* reporter thread */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int stopping; /* under lock */
    int finished; /* under lock: the thread has flushed for the last time */
    /* counters */
    _Atomic int64_t dropped_full, dropped_too_large, failed_emit, reported;
    /* rate sampler */
    pthread_mutex_t rl_lock;
    double rl_balance;
    int64_t rl_last_ns;
} sc_rep = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER,
            .rl_lock = PTHREAD_MUTEX_INITIALIZER};

static const sc_trace_config *sc_cfg_ptr(void)
{
    return sc_rep.started ? &sc_rep.cfg : NULL;
}

const sc_trace_config *sc_trace_config_get(void)
{
    return sc_cfg_ptr();
}

void sc_trace_get_stats(sc_trace_stats *st)
{
    st->dropped_full = atomic_load(&sc_rep.dropped_full);
    st->dropped_too_large = atomic_load(&sc_rep.dropped_too_large);
    st->failed_emit = atomic_load(&sc_rep.failed_emit);
    st->reported = atomic_load(&sc_rep.reported);
}

static int sc_ring_push(sc_trace_span *s)
{
    size_t pos = atomic_load_explicit(&sc_rep.head, memory_order_relaxed);
    sc_ring_cell *cell;
    for (;;) {
        cell = &sc_rep.cells[pos & sc_rep.mask];
        size_t seq = atomic_load_explicit(&cell->seq, memory_order_acquire);
        intptr_t dif = (intptr_t)seq - (intptr_t)pos;
        if (dif == 0) {
            if (atomic_compare_exchange_weak_explicit(&sc_rep.head, &pos, pos + 1, memory_order_relaxed,
                                                      memory_order_relaxed))
                break;
        } else if (dif < 0) {
            return -1; /* full: the consumer has not freed this cell yet */
        } else {
            pos = atomic_load_explicit(&sc_rep.head, memory_order_relaxed);
        }
    }
    cell->span = s;
    atomic_store_explicit(&cell->seq, pos + 1, memory_order_release);
    /* Filling up faster than the flush interval: wake the reporter once, at the mark. Signalling
     * without the mutex may miss a reporter that is about to wait; it then wakes on its timer. */
    if (pos + 1 - atomic_load_explicit(&sc_rep.tail, memory_order_relaxed) == sc_rep.wake_mark)
        pthread_cond_signal(&sc_rep.cond);
    return 0;
}

static sc_trace_span *sc_ring_pop(void)
{
    size_t pos = atomic_load_explicit(&sc_rep.tail, memory_order_relaxed);
    sc_ring_cell *cell = &sc_rep.cells[pos & sc_rep.mask];
    size_t seq = atomic_load_explicit(&cell->seq, memory_order_acquire);
    if (seq != pos + 1)
        return NULL; /* empty, or the producer of this cell has not published yet */
    sc_trace_span *s = cell->span;
    atomic_store_explicit(&cell->seq, pos + sc_rep.mask + 1, memory_order_release);
    atomic_store_explicit(&sc_rep.tail, pos + 1, memory_order_relaxed);
    return s;
}

/* ---- sampling and span start/finish --------------------------------------------------------- */

static int sc_rate_sample(double per_second)
{
    /* jaeger's RateLimitingSampler: a token bucket of max(rate, 1) credits. */
    pthread_mutex_lock(&sc_rep.rl_lock);
    int64_t now = sc_mono_ns();
    double max = per_second > 1 ? per_second : 1;
    if (sc_rep.rl_last_ns == 0)
        sc_rep.rl_balance = max;
    else
        sc_rep.rl_balance += (double)(now - sc_rep.rl_last_ns) / 1e9 * per_second;
    if (sc_rep.rl_balance > max)
        sc_rep.rl_balance = max;
    sc_rep.rl_last_ns = now;
    int ok = sc_rep.rl_balance >= 1;
    if (ok)
        sc_rep.rl_balance -= 1;
    pthread_mutex_unlock(&sc_rep.rl_lock);
    return ok;
}

sc_trace_span *sc_trace_span_start(const char *op, size_t op_len, const sc_trace_ctx *parent)
{
    if (!sc_trace_on())
        return NULL;
    const sc_trace_config *tc = &sc_rep.cfg;
    uint64_t th, tl, pid = 0;
    uint32_t flags;
    int root = parent == NULL;
    if (!root) {
        /* A child inherits the caller's decision: an unsampled caller means no span. */
        if (!(parent->flags & 3))
            return NULL;
        th = parent->trace_hi;
        tl = parent->trace_lo;
        pid = parent->span_id;
        flags = parent->flags;
    } else {
        th = tc->trace_128bit ? sc_trace_random_id() : 0;
        tl = sc_trace_random_id();
        int sampled;
        switch (tc->sampler) {
        case SC_SAMPLER_PROBABILISTIC:
            sampled = (double)(tl >> 11) * (1.0 / 9007199254740992.0) < tc->sampler_param;
            break;
        case SC_SAMPLER_RATELIMITING:
            sampled = sc_rate_sample(tc->sampler_param);
            break;
        default:
            sampled = tc->sampler_param != 0;
            break;
        }
        if (!sampled)
            return NULL;
        flags = 1;
    }
    if (op_len > 0xFFFF)
        op_len = 0xFFFF;
    sc_trace_span *s = malloc(sizeof(*s));
    if (s == NULL)
        return NULL;
    s->owner_next = NULL;
    s->owner_key = NULL;
    s->trace_hi = th;
    s->trace_lo = tl;
    s->span_id = sc_trace_random_id();
    s->parent_id = pid;
    s->flags = flags;
    s->error = 0;
    s->start_us = sc_trace_now_us();
    s->start_mono = sc_mono_ns();
    s->duration_us = 0;
    s->ntags = s->nlogs = 0;
    s->oom = 0;
    s->data = s->inl;
    s->cap = sizeof(s->inl);
    s->len = 0;
    if (sc_span_reserve(s, 2 + op_len) != 0) {
        free(s);
        return NULL;
    }
    uint16_t ol = (uint16_t)op_len;
    sc_span_put(s, &ol, 2);
    sc_span_put(s, op, op_len);
    if (root) {
        /* jaeger-client tags a sampled root span with its sampler's decision */
        static const char *const names[] = {"const", "probabilistic", "ratelimiting"};
        sc_trace_span_tag_str(s, "sampler.type", names[tc->sampler], strlen(names[tc->sampler]));
        if (tc->sampler == SC_SAMPLER_CONST)
            sc_trace_span_tag_bool(s, "sampler.param", 1);
        else
            sc_trace_span_tag_double(s, "sampler.param", tc->sampler_param);
    }
    return s;
}

void sc_trace_span_discard(sc_trace_span *s)
{
    if (s == NULL)
        return;
    if (s->data != s->inl)
        free(s->data);
    free(s);
}

void sc_trace_span_finish(sc_trace_span *s)
{
    if (s == NULL)
        return;
    int64_t d = (sc_mono_ns() - s->start_mono) / 1000;
    s->duration_us = d > 0 ? d : 0;
    if (s->oom || sc_rep.cells == NULL || !sc_trace_on() || sc_ring_push(s) != 0) {
        atomic_fetch_add(&sc_rep.dropped_full, 1);
        sc_trace_span_discard(s);
    }
}

/* ---- reporter thread ------------------------------------------------------------------------ */

typedef struct {
    sc_trace_udp udp;
    sc_buf batch;   /* encoded Span structs of the datagram being filled */
    size_t nbatch;
    sc_buf one;     /* one encoded span */
    sc_buf packet;
    size_t overhead;
    int64_t seq;
    const char *pkeys[SC_TRACE_MAX_PTAGS];
    const char *pvals[SC_TRACE_MAX_PTAGS];
    sc_trace_process proc;
    sc_trace_process otlp_proc;
    int64_t last_warn_us;
    sc_trace_stats warned;
} sc_reporter;

static void sc_warn_limited(sc_reporter *r, const char *what, int err)
{
    /* at most one line per 10 s: a missing agent must not flood the log */
    int64_t now = sc_trace_now_us();
    if (now - r->last_warn_us < 10 * 1000000LL)
        return;
    r->last_warn_us = now;
    SC_WARN("tracing: %s%s%s", what, err ? ": " : "", err ? strerror(err) : "");
}

static void sc_send_batch(sc_reporter *r)
{
    const sc_trace_config *tc = &sc_rep.cfg;
    if (r->nbatch == 0)
        return;
    sc_trace_stats st;
    sc_trace_get_stats(&st);
    sc_buf_clear(&r->packet);
    r->seq++;
    if (sc_trace_encode_jaeger_batch(&r->packet, &r->proc, r->batch.data, r->batch.len, r->nbatch, r->seq, &st) != 0) {
        atomic_fetch_add(&sc_rep.failed_emit, (int64_t)r->nbatch);
    } else {
        int rc = sc_trace_udp_send(&r->udp, tc->agent_host, tc->agent_port, r->packet.data, r->packet.len);
        if (rc != 0) {
            atomic_fetch_add(&sc_rep.failed_emit, (int64_t)r->nbatch);
            sc_warn_limited(r, "cannot send spans to the Jaeger agent", -rc);
        }
    }
    sc_buf_clear(&r->batch);
    r->nbatch = 0;
}

static void sc_jaeger_add(sc_reporter *r, const sc_trace_span *s)
{
    sc_buf_clear(&r->one);
    if (sc_trace_encode_jaeger_span(&r->one, s) != 0) {
        atomic_fetch_add(&sc_rep.failed_emit, 1);
        return;
    }
    if (r->one.len + r->overhead > SC_TRACE_UDP_MAX) {
        atomic_fetch_add(&sc_rep.dropped_too_large, 1);
        sc_warn_limited(r, "a span is larger than a UDP datagram; dropped", 0);
        return;
    }
    if (r->batch.len + r->one.len + r->overhead > SC_TRACE_UDP_MAX)
        sc_send_batch(r);
    if (sc_buf_append(&r->batch, r->one.data, r->one.len) != 0) {
        atomic_fetch_add(&sc_rep.failed_emit, 1);
        return;
    }
    r->nbatch++;
}

static void sc_log_span(const sc_trace_span *s)
{
    /* jaeger-client's LoggingReporter line: trace:span:parent:flags service.operation */
    char trace[40];
    if (s->trace_hi != 0)
        snprintf(trace, sizeof(trace), "%llx%016llx", (unsigned long long)s->trace_hi, (unsigned long long)s->trace_lo);
    else
        snprintf(trace, sizeof(trace), "%llx", (unsigned long long)s->trace_lo);
    size_t ol;
    const char *op = sc_trace_span_op(s, &ol);
    if (ol == 0) { /* Flask had no endpoint: Python prints None */
        op = "None";
        ol = 4;
    }
    SC_INFO("Reporting span %s:%llx:%llx:%x %s.%.*s", trace, (unsigned long long)s->span_id,
            (unsigned long long)s->parent_id, (unsigned)s->flags, sc_rep.cfg.service_name, (int)ol, op);
}

#define SC_DRAIN_CHUNK 512

static void sc_reporter_flush(sc_reporter *r)
{
    const sc_trace_config *tc = &sc_rep.cfg;
    sc_trace_span *chunk[SC_DRAIN_CHUNK];
    for (;;) {
        size_t n = 0;
        sc_trace_span *s;
        while (n < SC_DRAIN_CHUNK && (s = sc_ring_pop()) != NULL)
            chunk[n++] = s;
        if (n == 0)
            break;
        atomic_fetch_add(&sc_rep.reported, (int64_t)n);
        for (size_t i = 0; i < n; i++) {
            if (tc->logging)
                sc_log_span(chunk[i]);
            if (tc->jaeger)
                sc_jaeger_add(r, chunk[i]);
        }
        if (tc->jaeger)
            sc_send_batch(r);
        if (tc->otlp) {
            sc_buf body;
            sc_buf_init(&body);
            if (sc_trace_encode_otlp(&body, &r->otlp_proc, tc->otel_resource, chunk, n) != 0) {
                atomic_fetch_add(&sc_rep.failed_emit, (int64_t)n);
            } else {
                int st = sc_trace_http_post(tc->otlp_url, tc->otlp_headers, body.data, body.len, tc->otlp_timeout_ms);
                if (st < 200 || st > 299) {
                    atomic_fetch_add(&sc_rep.failed_emit, (int64_t)n);
                    char why[1200];
                    if (st > 0)
                        snprintf(why, sizeof(why), "OTLP export to %s answered HTTP %d", tc->otlp_url, st);
                    else
                        snprintf(why, sizeof(why), "OTLP export to %s failed", tc->otlp_url);
                    sc_warn_limited(r, why, st > 0 ? 0 : -st);
                }
            }
            sc_buf_free(&body);
        }
        for (size_t i = 0; i < n; i++)
            sc_trace_span_discard(chunk[i]);
    }
    sc_trace_stats st;
    sc_trace_get_stats(&st);
    if (st.dropped_full != r->warned.dropped_full) {
        r->warned.dropped_full = st.dropped_full;
        sc_warn_limited(r, "span queue full; spans dropped (reporter_queue_size)", 0);
    }
}

static void *sc_reporter_main(void *arg)
{
    sc_reporter *r = arg;
    for (;;) {
        pthread_mutex_lock(&sc_rep.lock);
        if (!sc_rep.stopping) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            long long ns = ts.tv_nsec + (long long)sc_rep.cfg.flush_ms * 1000000LL;
            ts.tv_sec += ns / 1000000000LL;
            ts.tv_nsec = ns % 1000000000LL;
            /* ETIMEDOUT is the normal case: flush every interval */
            int rc = pthread_cond_timedwait(&sc_rep.cond, &sc_rep.lock, &ts);
            (void)rc;
        }
        int stop = sc_rep.stopping;
        pthread_mutex_unlock(&sc_rep.lock);
        sc_reporter_flush(r);
        if (stop)
            break;
    }
    sc_trace_udp_close(&r->udp);
    sc_buf_free(&r->batch);
    sc_buf_free(&r->one);
    sc_buf_free(&r->packet);
    pthread_mutex_lock(&sc_rep.lock);
    sc_rep.finished = 1;
    pthread_cond_broadcast(&sc_rep.cond);
    pthread_mutex_unlock(&sc_rep.lock);
    return NULL;
}

static sc_reporter sc_the_reporter;

int sc_trace_start(const sc_trace_config *tc)
{
    if (sc_rep.started)
        return 0;
    sc_rep.cfg = *tc;
    /* a fresh reporter (the unit tests start and stop several; a worker starts one) */
    sc_rep.stopping = 0;
    sc_rep.finished = 0;
    atomic_store(&sc_rep.dropped_full, 0);
    atomic_store(&sc_rep.dropped_too_large, 0);
    atomic_store(&sc_rep.failed_emit, 0);
    atomic_store(&sc_rep.reported, 0);
    sc_rep.rl_last_ns = 0;
    free(sc_rep.cells);
    sc_rep.cells = NULL;
    size_t cap = 16;
    while (cap < (size_t)tc->queue_size && cap < ((size_t)1 << 24))
        cap <<= 1;
    sc_rep.cells = calloc(cap, sizeof(sc_ring_cell));
    if (sc_rep.cells == NULL) {
        SC_ERROR("tracing: out of memory for the span queue");
        return -1;
    }
    for (size_t i = 0; i < cap; i++)
        atomic_init(&sc_rep.cells[i].seq, i);
    sc_rep.mask = cap - 1;
    sc_rep.wake_mark = cap / 2;
    atomic_store(&sc_rep.head, 0);
    atomic_store(&sc_rep.tail, 0);

    sc_reporter *r = &sc_the_reporter;
    memset(r, 0, sizeof(*r));
    sc_trace_udp_init(&r->udp);
    sc_buf_init(&r->batch);
    sc_buf_init(&r->one);
    sc_buf_init(&r->packet);
    for (int i = 0; i < sc_rep.cfg.n_ptags; i++) {
        r->pkeys[i] = sc_rep.cfg.ptag_key[i];
        r->pvals[i] = sc_rep.cfg.ptag_val[i];
    }
    r->proc = (sc_trace_process){sc_rep.cfg.service_name, sc_rep.cfg.n_ptags, r->pkeys, r->pvals};
    r->otlp_proc = (sc_trace_process){sc_rep.cfg.otlp_service, sc_rep.cfg.n_ptags, r->pkeys, r->pvals};
    r->overhead = sc_trace_jaeger_overhead(&r->proc);
    sc_rep.started = 1;

    /* The reporter must never take a process signal (SIGTERM belongs to the transport's
     * signalfd or handler): it starts with every signal blocked. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&sc_rep.thread, NULL, sc_reporter_main, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        SC_ERROR("tracing: cannot start the reporter thread: %s", strerror(rc));
        sc_rep.started = 0;
        return -1;
    }
    atomic_store(&sc_trace_active_flag, 1);
    return 0;
}

void sc_trace_stop(void)
{
    if (!sc_rep.started)
        return;
    /* New spans stop here; spans already started and finished later are dropped. */
    atomic_store(&sc_trace_active_flag, 0);
    pthread_mutex_lock(&sc_rep.lock);
    sc_rep.stopping = 1;
    pthread_cond_broadcast(&sc_rep.cond);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* room for an export in progress and the final one */
    long long wait_ms = 2000 + (sc_rep.cfg.otlp ? 2LL * sc_rep.cfg.otlp_timeout_ms : 0);
    long long ns = ts.tv_nsec + (wait_ms % 1000) * 1000000LL;
    ts.tv_sec += wait_ms / 1000 + ns / 1000000000LL;
    ts.tv_nsec = ns % 1000000000LL;
    int rc = 0;
    while (!sc_rep.finished && rc == 0)
        rc = pthread_cond_timedwait(&sc_rep.cond, &sc_rep.lock, &ts);
    int finished = sc_rep.finished;
    pthread_mutex_unlock(&sc_rep.lock);
    if (finished) {
        int jr = pthread_join(sc_rep.thread, NULL);
        if (jr != 0)
            SC_WARN("tracing: cannot join the reporter thread: %s", strerror(jr));
    } else {
        /* An exporter is stuck (an OTLP endpoint that does not answer): the process is about
         * to exit, so the thread is left behind rather than delaying the stop. */
        SC_WARN("tracing: reporter still busy at exit; remaining spans are lost");
    }
    sc_rep.started = 0;
}

int sc_trace_worker_start(const sc_config *cfg)
{
    if (!cfg->tracing)
        return 0;
    SC_INFO("Initializing tracing");
    sc_trace_config tc;
    if (sc_trace_config_load(&tc, cfg->interface_name, cfg->http_port) != 0)
        return -1;
    if (!tc.enabled) {
        SC_INFO("tracing: disabled by the configuration (enabled: false)");
        return 0;
    }
    static const char *const names[] = {"ConstSampler", "ProbabilisticSampler", "RateLimitingSampler"};
    char extra[SC_TRACE_MAX_EXTRA * 66 + 2];
    size_t o = 0;
    extra[o++] = '[';
    for (int i = 0; i < tc.n_extra; i++)
        o += (size_t)snprintf(extra + o, sizeof(extra) - o, "%s'%s'", i ? ", " : "", tc.extra[i]);
    snprintf(extra + o, sizeof(extra) - o, "]");
    char agent[300] = "off";
    if (tc.jaeger)
        snprintf(agent, sizeof(agent), "%s:%d (UDP, jaeger.thrift compact)", tc.agent_host, tc.agent_port);
    SC_INFO("Tracing: service %s, %s(%g), Jaeger agent %s, OTLP/HTTP JSON %s, JAEGER_EXTRA_TAGS %s",
            tc.service_name, names[tc.sampler], tc.sampler_param, agent, tc.otlp ? tc.otlp_url : "off", extra);
    sc_trace_rest_check_extra(&tc);
    return sc_trace_start(&tc);
}
