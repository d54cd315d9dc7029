/* sc_metrics_render: the Prometheus text exposition of the store, byte for byte what the
 * original (prometheus_client 0.8 generate_latest over one metric family per series) prints:
 * SPEC §6.6. Also the default labels, which only the exposition uses. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_arena.h"
#include "sc_float.h"
#include "sc_json.h"
#include "sc_metrics.h"
#include "sc_metrics_shm.h"

#define SC_NOT_IMPLEMENTED "NOT_IMPLEMENTED"

sc_mlabel sc_mdefault_labels[SC_MDEFAULT_LABELS];

/* ---- default labels --------------------------------------------------------------------- */

static int sc_set_label(int i, const char *name, const char *value, size_t len)
{
    char *v = malloc(len + 1);
    if (v == NULL)
        return -ENOMEM;
    memcpy(v, value, len);
    v[len] = '\0';
    free((void *)sc_mdefault_labels[i].value);
    sc_mdefault_labels[i] = (sc_mlabel){name, strlen(name), v, len};
    return 0;
}

static const char *sc_env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v != NULL ? v : dflt;
}

/* PREDICTOR_LABELS' "version" (the original does json.loads(...).get("version")). A value
 * that is not a JSON object, or a missing/non-string version, gives the default; an integer
 * version is printed as Python's str() would. */
static int sc_predictor_version(char *out, size_t cap)
{
    snprintf(out, cap, "%s", SC_NOT_IMPLEMENTED);
    const char *s = getenv("PREDICTOR_LABELS");
    if (s == NULL)
        return 0;
    sc_arena arena;
    sc_arena_init(&arena, 4096);
    sc_json *root = NULL;
    int rc = sc_json_parse(&arena, s, strlen(s), 64, &root, NULL);
    if (rc == -ENOMEM) {
        sc_arena_free(&arena);
        return rc;
    }
    sc_json *v = rc == 0 ? sc_json_get(root, "version") : NULL;
    if (v != NULL && v->type == SC_JSON_STRING)
        snprintf(out, cap, "%.*s", (int)v->u.s.len, v->u.s.ptr);
    else if (v != NULL && v->type == SC_JSON_INT)
        snprintf(out, cap, "%lld", (long long)v->u.i);
    sc_arena_free(&arena);
    return 0;
}

int sc_metrics_load_default_labels(void)
{
    const char *image = sc_env_or("PREDICTIVE_UNIT_IMAGE", SC_NOT_IMPLEMENTED ":" SC_NOT_IMPLEMENTED);
    /* Split at the last ':' (the original: *name_parts, version = tag.split(":")); without a
     * ':' the name is empty and the version is the whole string. */
    const char *colon = strrchr(image, ':');
    size_t name_len = colon != NULL ? (size_t)(colon - image) : 0;
    const char *version = colon != NULL ? colon + 1 : image;
    const char *deployment = sc_env_or("SELDON_DEPLOYMENT_ID", SC_NOT_IMPLEMENTED);
    char pversion[1024];
    int rc = sc_predictor_version(pversion, sizeof(pversion));
    if (rc == 0)
        rc = sc_set_label(0, "deployment_name", deployment, strlen(deployment));
    if (rc == 0) {
        const char *m = sc_env_or("PREDICTIVE_UNIT_ID", SC_NOT_IMPLEMENTED);
        rc = sc_set_label(1, "model_name", m, strlen(m));
    }
    if (rc == 0)
        rc = sc_set_label(2, "model_image", image, name_len);
    if (rc == 0)
        rc = sc_set_label(3, "model_version", version, strlen(version));
    if (rc == 0) {
        const char *p = sc_env_or("PREDICTOR_ID", SC_NOT_IMPLEMENTED);
        rc = sc_set_label(4, "predictor_name", p, strlen(p));
    }
    if (rc == 0)
        rc = sc_set_label(5, "predictor_version", pversion, strlen(pversion));
    /* The compatibility copies of Seldon Core < 1.3. */
    if (rc == 0)
        rc = sc_set_label(6, "seldon_deployment_name", deployment, strlen(deployment));
    if (rc == 0)
        rc = sc_set_label(7, "image_name", image, name_len);
    if (rc == 0)
        rc = sc_set_label(8, "image_version", version, strlen(version));
    return rc;
}

/* ---- values ----------------------------------------------------------------------------- */

size_t sc_metrics_format_value(double v, char *buf)
{
    if (v != v)
        return (size_t)(stpcpy(buf, "NaN") - buf);
    if (v == 1.0 / 0.0)
        return (size_t)(stpcpy(buf, "+Inf") - buf);
    if (v == -1.0 / 0.0)
        return (size_t)(stpcpy(buf, "-Inf") - buf);
    size_t n = sc_float_repr(v, buf);
    const char *dot = memchr(buf, '.', n);
    size_t d = dot != NULL ? (size_t)(dot - buf) : 0;
    if (!(v > 0 && dot != NULL && d > 6))
        return n;
    /* Go prints 1e6 <= v < 1e16 in exponent form: digits as "d.ddd" with trailing '0' and '.'
     * stripped, then "e+0" and the exponent (prometheus_client writes the "0" even for a
     * two-digit exponent: 1e15 is "1e+015"). */
    char mant[SC_FLOAT_BUFSIZE + 8];
    size_t m = 0;
    mant[m++] = buf[0];
    mant[m++] = '.';
    memcpy(mant + m, buf + 1, d - 1);
    m += d - 1;
    memcpy(mant + m, buf + d + 1, n - d - 1);
    m += n - d - 1;
    while (m > 0 && (mant[m - 1] == '0' || mant[m - 1] == '.'))
        m--;
    mant[m] = '\0';
    return (size_t)snprintf(buf, SC_FLOAT_BUFSIZE + 8, "%se+0%zu", mant, d - 1);
}

/* The printed `le` bounds: computed once from the edges so the two can never disagree. */
static char sc_bounds[SC_METRICS_NBUCKETS][SC_FLOAT_BUFSIZE + 8];
static pthread_once_t sc_bounds_once = PTHREAD_ONCE_INIT;

static void sc_init_bounds(void)
{
    for (int i = 0; i < SC_METRICS_NBUCKETS - 1; i++)
        sc_metrics_format_value(sc_medges[i], sc_bounds[i]);
    sc_metrics_format_value(1.0 / 0.0, sc_bounds[SC_METRICS_NBUCKETS - 1]);
}

/* ---- one series ------------------------------------------------------------------------- */

static int sc_label_cmp(const void *pa, const void *pb)
{
    const sc_mlabel *a = pa, *b = pb;
    size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
    int c = memcmp(a->name, b->name, n);
    return c != 0 ? c : (a->name_len > b->name_len) - (a->name_len < b->name_len);
}

static int sc_is(const sc_mlabel *l, const char *name)
{
    return l->name_len == strlen(name) && memcmp(l->name, name, l->name_len) == 0;
}

static int sc_put_label(sc_buf *b, const char *name, size_t nlen, const char *v, size_t vlen)
{
    int rc = sc_buf_append(b, name, nlen);
    rc |= sc_buf_append(b, "=\"", 2);
    size_t start = 0;
    for (size_t i = 0; i < vlen; i++) {
        const char *esc = v[i] == '\\' ? "\\\\" : v[i] == '\n' ? "\\n" : v[i] == '"' ? "\\\"" : NULL;
        if (esc != NULL) {
            rc |= sc_buf_append(b, v + start, i - start);
            rc |= sc_buf_append(b, esc, 2);
            start = i + 1;
        }
    }
    rc |= sc_buf_append(b, v + start, vlen - start);
    rc |= sc_buf_append_char(b, '"');
    return rc != 0 ? -ENOMEM : 0;
}

/* Appends the labels l[from..to) to b, comma-separated, leaving out a label called "le" when
 * skip_le. Returns 0 or -ENOMEM. */
static int sc_put_labels(sc_buf *b, const sc_mlabel *l, size_t from, size_t to, int skip_le)
{
    int rc = 0;
    for (size_t i = from; i < to; i++) {
        if (skip_le && sc_is(&l[i], "le"))
            continue;
        if (b->len > 0)
            rc |= sc_buf_append_char(b, ',');
        rc |= sc_put_label(b, l[i].name, l[i].name_len, l[i].value, l[i].value_len);
    }
    return rc != 0 ? -ENOMEM : 0;
}

/* One sample line: name suffix{pre[,le="le"][,post]} value. */
static int sc_put_sample(sc_buf *b, const char *name, size_t nlen, const char *suffix,
                         const sc_buf *pre, const char *le, const sc_buf *post, double v)
{
    char num[SC_FLOAT_BUFSIZE + 8];
    size_t len = sc_metrics_format_value(v, num);
    int rc = sc_buf_append(b, name, nlen);
    rc |= sc_buf_append_str(b, suffix);
    rc |= sc_buf_append_char(b, '{');
    rc |= sc_buf_append(b, pre->data, pre->len);
    if (le != NULL) {
        rc |= pre->len > 0 ? sc_buf_append_char(b, ',') : 0;
        rc |= sc_put_label(b, "le", 2, le, strlen(le));
    }
    if (post != NULL && post->len > 0) {
        rc |= sc_buf_append_char(b, ',');
        rc |= sc_buf_append(b, post->data, post->len);
    }
    rc |= sc_buf_append(b, "} ", 2);
    rc |= sc_buf_append(b, num, len);
    rc |= sc_buf_append_char(b, '\n');
    return rc != 0 ? -ENOMEM : 0;
}

static double sc_load_double(_Atomic uint64_t *cell)
{
    uint64_t u = atomic_load_explicit(cell, memory_order_relaxed);
    double d;
    memcpy(&d, &u, sizeof(d));
    return d;
}

static int sc_render_entry(sc_buf *b, sc_mentry *e)
{
    const unsigned char *p = sc_mstore_g.arena + e->ident_off;
    uint32_t klen = sc_mread_u32(p);
    const char *key = (const char *)p + 4;
    p += 4 + klen;
    uint32_t ntags = sc_mread_u32(p);
    p += 4;
    sc_mlabel stack[32];
    size_t cap = ntags + SC_MDEFAULT_LABELS + 1;
    sc_mlabel *l = cap <= 32 ? stack : malloc(cap * sizeof(*l));
    if (l == NULL)
        return -ENOMEM;
    size_t n = 0;
    for (uint32_t i = 0; i < ntags; i++) {
        sc_mlabel t;
        t.name_len = sc_mread_u32(p);
        t.name = (const char *)p + 4;
        p += 4 + t.name_len;
        t.value_len = sc_mread_u32(p);
        t.value = (const char *)p + 4;
        p += 4 + t.value_len;
        /* Default labels and worker_id override user tags of the same name. */
        int shadowed = sc_is(&t, "worker_id");
        for (int d = 0; d < SC_MDEFAULT_LABELS && !shadowed; d++)
            shadowed = sc_is(&t, sc_mdefault_labels[d].name);
        if (!shadowed)
            l[n++] = t;
    }
    for (int d = 0; d < SC_MDEFAULT_LABELS; d++)
        l[n++] = sc_mdefault_labels[d];
    char wid[16];
    int wlen = snprintf(wid, sizeof(wid), "%u", (unsigned)e->slot);
    l[n++] = (sc_mlabel){"worker_id", 9, wid, (size_t)wlen};
    qsort(l, n, sizeof(*l), sc_label_cmp);

    /* A COUNTER family drops a trailing "_total" and its samples add it back. */
    size_t nlen = klen;
    if (e->type == SC_METRIC_COUNTER && klen >= 6 && memcmp(key + klen - 6, "_total", 6) == 0)
        nlen -= 6;
    const char *suffix = e->type == SC_METRIC_COUNTER ? "_total" : "";
    const char *tname = e->type == SC_METRIC_COUNTER ? "counter"
                        : e->type == SC_METRIC_GAUGE ? "gauge"
                                                     : "histogram";
    /* The label text is escaped once per series: all labels, and for the _bucket lines the
     * labels before and after the position of "le" (whose value there is the bound, replacing
     * a user tag "le" as prometheus_client's dict(labels, le=...) does). */
    sc_buf all, pre, post;
    sc_buf_init(&all);
    sc_buf_init(&pre);
    sc_buf_init(&post);
    int rc = sc_put_labels(&all, l, 0, n, 0);
    if (e->type == SC_METRIC_TIMER) {
        const sc_mlabel le_label = {"le", 2, "", 0};
        size_t split = 0;
        while (split < n && sc_label_cmp(&l[split], &le_label) < 0)
            split++;
        rc |= sc_put_labels(&pre, l, 0, split, 1);
        rc |= sc_put_labels(&post, l, split, n, 1);
    }
    rc |= sc_buf_printf(b, "# HELP %.*s%s \n# TYPE %.*s%s %s\n", (int)nlen, key, suffix,
                        (int)nlen, key, suffix, tname);
    if (e->type != SC_METRIC_TIMER) {
        rc |= sc_put_sample(b, key, nlen, suffix, &all, NULL, NULL, sc_load_double(&e->v[0]));
    } else {
        uint64_t cum = 0;
        for (int i = 0; i < SC_METRICS_NBUCKETS && rc == 0; i++) {
            cum += atomic_load_explicit(&e->v[i], memory_order_relaxed);
            rc |= sc_put_sample(b, key, nlen, "_bucket", &pre, sc_bounds[i], &post, (double)cum);
        }
        rc |= sc_put_sample(b, key, nlen, "_count", &all, NULL, NULL, (double)cum);
        rc |= sc_put_sample(b, key, nlen, "_sum", &all, NULL, NULL, sc_load_double(&e->v[SC_MSUM]));
    }
    sc_buf_free(&all);
    sc_buf_free(&pre);
    sc_buf_free(&post);
    if (l != stack)
        free(l);
    return rc != 0 ? -ENOMEM : 0;
}

/* ---- the whole store -------------------------------------------------------------------- */

int sc_metrics_render(sc_buf *out)
{
    sc_mshm *h = sc_mstore_g.hdr;
    if (h == NULL)
        return -ENODEV;
    if (pthread_once(&sc_bounds_once, sc_init_bounds) != 0)
        return -ENOMEM;
    /* Live entries are those the table names; entry numbers give the insertion order. */
    uint32_t nent = atomic_load_explicit(&h->nentries, memory_order_acquire);
    unsigned char *live = calloc(nent + 1, 1);
    uint32_t *order = malloc((nent + 1) * sizeof(*order));
    uint32_t *slots = malloc((nent + 1) * sizeof(*slots));
    int rc = -ENOMEM;
    if (live == NULL || order == NULL || slots == NULL)
        goto out;
    for (uint32_t i = 0; i <= h->table_mask; i++) {
        uint32_t b = atomic_load_explicit(&sc_mstore_g.table[i], memory_order_acquire);
        if (b != 0 && b - 1 < nent)
            live[b - 1] = 1; /* entries published after nentries was read wait for next scrape */
    }
    /* The original iterates workers in the order they first recorded, then each worker's
     * series in insertion order: group by slot in order of first appearance. */
    uint32_t nslots = 0, nlive = 0;
    for (uint32_t i = 0; i < nent; i++) {
        if (!live[i])
            continue;
        uint32_t s = sc_mstore_g.entries[i].slot, k = 0;
        while (k < nslots && slots[k] != s)
            k++;
        if (k == nslots)
            slots[nslots++] = s;
    }
    for (uint32_t k = 0; k < nslots; k++) {
        for (uint32_t i = 0; i < nent; i++) {
            if (live[i] && sc_mstore_g.entries[i].slot == slots[k])
                order[nlive++] = i;
        }
    }
    rc = 0;
    for (uint32_t i = 0; i < nlive && rc == 0; i++)
        rc = sc_render_entry(out, &sc_mstore_g.entries[order[i]]);
out:
    free(live);
    free(order);
    free(slots);
    return rc;
}
