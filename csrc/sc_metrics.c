/* sc_metrics: the shared store and the lock-free recording path. Layout: sc_metrics_shm.h. */
#include "sc_metrics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sc_log.h"
#include "sc_metrics_shm.h"

/* C11 atomics on a MAP_SHARED mapping only work across processes when they are lock-free
 * (a lock-based fallback would live in process-private memory). */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "32-bit atomics must be lock-free");

#define SC_MMAGIC 0x53434d4554524943ull /* "SCMETRIC" */
/* Average identity bytes budgeted per series; the arena is virtual memory, only pages that
 * are written are ever committed. */
#define SC_MARENA_PER_SERIES 1024
/* Identities longer than this are refused (-EINVAL): a tag set this big is a bug, and the
 * bound keeps one series from eating the arena. */
#define SC_MIDENT_MAX (64 * 1024)

sc_mstore sc_mstore_g;
static int sc_mslot;

/* numpy.logspace(-3, log10(30), 50), exactly (each literal is the double's shortest repr). */
const double sc_medges[SC_METRICS_NBUCKETS - 1] = {
    0.001, 0.0012341553253454693, 0.0015231393670785815, 0.0018797905611233593,
    0.0023199535315445415, 0.002863183005509725, 0.0035336125536884733, 0.004361026750842238,
    0.005382184388525997, 0.006642451525090608, 0.008197816923039709, 0.010117379411776668,
    0.012486417679584786, 0.015410178873747385, 0.019018554321561593, 0.02347185009632733,
    0.028967908792092944, 0.03575089889988335, 0.04412216226317852, 0.05445360152285871,
    0.06720420230367624, 0.0829404241586763, 0.10236136616184238, 0.12632982515827532,
    0.15591062646904755, 0.19241792993472334, 0.2374736129208902, 0.2930793240153456,
    0.3617054084821892, 0.44640065608455204, 0.5509277469444613, 0.6799304127720881,
    0.8391397397870157, 1.035628778567157, 1.2781267721496807, 1.5774069623151439,
    1.9467652027782552, 2.402610642206036, 2.965194718810281, 3.65951085290597,
    4.516404807273444, 5.573945044312399, 6.879113959621136, 8.489895126924782,
    10.477849282518772, 12.931293490187748, 15.959224724520412, 19.696162182151948,
    24.30812344597087, 29.999999999999996,
};

static size_t sc_mcapacity_from_env(void)
{
    const char *s = getenv("SC_METRICS_MAX_SERIES");
    if (s == NULL || *s == '\0')
        return SC_METRICS_DEFAULT_MAX_SERIES;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v == 0) {
        SC_WARN("SC_METRICS_MAX_SERIES=%s is not a positive integer: using %d", s,
                SC_METRICS_DEFAULT_MAX_SERIES);
        return SC_METRICS_DEFAULT_MAX_SERIES;
    }
    return (size_t)v;
}

int sc_metrics_init(size_t max_series)
{
    if (max_series == 0)
        max_series = sc_mcapacity_from_env();
    /* Entry numbers are u32 and the table has at least twice as many buckets. */
    if (max_series > (1u << 24))
        return -EINVAL;
    size_t tsize = 16;
    while (tsize < 2 * max_series)
        tsize <<= 1;
    size_t arena = max_series * SC_MARENA_PER_SERIES;
    if (arena < (1u << 20))
        arena = 1u << 20;
    if (arena > UINT32_MAX)
        arena = UINT32_MAX;
    size_t hdr_len = (sizeof(sc_mshm) + 63) & ~(size_t)63;
    size_t table_len = (tsize * sizeof(uint32_t) + 63) & ~(size_t)63;
    size_t entries_len = max_series * sizeof(sc_mentry);
    size_t len = hdr_len + table_len + entries_len + arena;

    int rc = sc_metrics_load_default_labels();
    if (rc != 0)
        return rc;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    if (sc_mstore_g.hdr != NULL && munmap(sc_mstore_g.hdr, sc_mstore_g.map_len) != 0)
        SC_WARN("munmap of the previous metric store failed");
    unsigned char *base = p;
    sc_mshm *hdr = p; /* anonymous memory is zeroed: every bucket empty, every counter 0 */
    hdr->magic = SC_MMAGIC;
    hdr->max_series = (uint32_t)max_series;
    hdr->table_mask = (uint32_t)(tsize - 1);
    hdr->arena_size = arena;
    sc_mstore_g.hdr = hdr;
    sc_mstore_g.table = (_Atomic uint32_t *)(void *)(base + hdr_len);
    sc_mstore_g.entries = (sc_mentry *)(void *)(base + hdr_len + table_len);
    sc_mstore_g.arena = base + hdr_len + table_len + entries_len;
    sc_mstore_g.map_len = len;
    return 0;
}

void sc_metrics_set_slot(int slot)
{
    sc_mslot = slot;
}

/* ---- names ------------------------------------------------------------------------------ */

static int sc_is_alpha_(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int sc_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int sc_metrics_valid_name(int type, const char *key, size_t klen)
{
    if (type == SC_METRIC_COUNTER && klen >= 6 && memcmp(key + klen - 6, "_total", 6) == 0)
        klen -= 6; /* the exposed family name, which the exposition re-suffixes */
    if (klen == 0 || !(sc_is_alpha_(key[0]) || key[0] == ':'))
        return 0;
    for (size_t i = 1; i < klen; i++) {
        if (!(sc_is_alpha_(key[i]) || sc_is_digit(key[i]) || key[i] == ':'))
            return 0;
    }
    return 1;
}

int sc_metrics_valid_label(const char *name, size_t len)
{
    if (len == 0 || !sc_is_alpha_(name[0]))
        return 0;
    if (len >= 2 && name[0] == '_' && name[1] == '_')
        return 0; /* reserved for Prometheus' own labels */
    for (size_t i = 1; i < len; i++) {
        if (!(sc_is_alpha_(name[i]) || sc_is_digit(name[i])))
            return 0;
    }
    return 1;
}

/* ---- identity --------------------------------------------------------------------------- */

static int sc_tag_cmp(const sc_metric_tag *a, const sc_metric_tag *b)
{
    size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
    int c = memcmp(a->name, b->name, n);
    if (c != 0)
        return c;
    return (a->name_len > b->name_len) - (a->name_len < b->name_len);
}

static unsigned char *sc_put_u32(unsigned char *p, size_t v)
{
    uint32_t u = (uint32_t)v;
    memcpy(p, &u, sizeof(u));
    return p + sizeof(u);
}

static unsigned char *sc_put_bytes(unsigned char *p, const char *s, size_t n)
{
    p = sc_put_u32(p, n);
    if (n > 0)
        memcpy(p, s, n);
    return p + n;
}

/* FNV-1a: identities are short and this runs once per record; quality is ample for a table
 * kept at most half full. */
static uint64_t sc_hash(const unsigned char *p, size_t n, uint64_t seed)
{
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* ---- values ----------------------------------------------------------------------------- */

static uint64_t sc_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    return u;
}

static double sc_double(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof(d));
    return d;
}

static void sc_atomic_add_double(_Atomic uint64_t *cell, double x)
{
    uint64_t old = atomic_load_explicit(cell, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(cell, &old, sc_bits(sc_double(old) + x),
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

/* numpy.histogram's bin of x (left-closed bins, last one closed): -1 for negative or NaN,
 * which fall in no bin (they only reach the sum). */
static int sc_bucket(double x)
{
    if (!(x >= 0.0))
        return -1;
    int lo = 0, hi = SC_METRICS_NBUCKETS - 1; /* count of edges <= x, in [0, 50] */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (sc_medges[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void sc_apply(sc_mentry *e, int type, double value)
{
    switch (type) {
    case SC_METRIC_COUNTER:
        sc_atomic_add_double(&e->v[0], value);
        break;
    case SC_METRIC_GAUGE:
        atomic_store_explicit(&e->v[0], sc_bits(value), memory_order_relaxed);
        break;
    default: {
        int b = sc_bucket(value);
        if (b >= 0)
            atomic_fetch_add_explicit(&e->v[b], 1, memory_order_relaxed);
        sc_atomic_add_double(&e->v[SC_MSUM], value);
        break;
    }
    }
}

/* ---- the store -------------------------------------------------------------------------- */

static int sc_entry_matches(const sc_mentry *e, uint64_t hash, int type, const unsigned char *id,
                            size_t idlen)
{
    return e->hash == hash && e->type == (uint32_t)type && e->slot == (uint32_t)sc_mslot &&
           e->ident_len == idlen && memcmp(sc_mstore_g.arena + e->ident_off, id, idlen) == 0;
}

static void sc_note_drop(const unsigned char *id)
{
    uint64_t n = atomic_fetch_add_explicit(&sc_mstore_g.hdr->dropped, 1, memory_order_relaxed) + 1;
    /* Log the 1st, 2nd, 4th, 8th... drop: visible without flooding the log per request. */
    if ((n & (n - 1)) == 0) {
        uint32_t klen = sc_mread_u32(id);
        SC_WARN("metric store full (%u series, SC_METRICS_MAX_SERIES): new series %.*s dropped"
                " (%llu dropped so far)",
                (unsigned)sc_mstore_g.hdr->max_series, (int)(klen > 200 ? 200 : klen),
                (const char *)id + 4, (unsigned long long)n);
    }
}

/* Claims and fills a private entry for the identity, with the first observation applied.
 * Returns its number, or -1 when the store is full. */
static long sc_new_entry(uint64_t hash, int type, const unsigned char *id, size_t idlen,
                         double value)
{
    sc_mshm *h = sc_mstore_g.hdr;
    uint32_t n = atomic_load_explicit(&h->nentries, memory_order_relaxed);
    do {
        if (n >= h->max_series)
            return -1;
    } while (!atomic_compare_exchange_weak_explicit(&h->nentries, &n, n + 1, memory_order_relaxed,
                                                    memory_order_relaxed));
    uint64_t off = atomic_fetch_add_explicit(&h->arena_used, idlen, memory_order_relaxed);
    if (off + idlen > h->arena_size)
        return -1; /* the claimed entry stays unused: it is never published */
    memcpy(sc_mstore_g.arena + off, id, idlen);
    sc_mentry *e = &sc_mstore_g.entries[n];
    e->hash = hash;
    e->ident_off = (uint32_t)off;
    e->ident_len = (uint32_t)idlen;
    e->slot = (uint32_t)sc_mslot;
    e->type = (uint32_t)type;
    sc_apply(e, type, value);
    return (long)n;
}

static int sc_find_and_apply(uint64_t hash, int type, const unsigned char *id, size_t idlen,
                             double value)
{
    _Atomic uint32_t *table = sc_mstore_g.table;
    uint32_t mask = sc_mstore_g.hdr->table_mask;
    long mine = -2; /* -2: no private entry yet; -1: the store is full */
    for (uint32_t i = (uint32_t)hash & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
        uint32_t b = atomic_load_explicit(&table[i], memory_order_acquire);
        if (b == 0) {
            if (mine == -2)
                mine = sc_new_entry(hash, type, id, idlen, value);
            if (mine < 0) {
                sc_note_drop(id);
                return -ENOSPC;
            }
            uint32_t want = (uint32_t)mine + 1;
            if (atomic_compare_exchange_strong_explicit(&table[i], &b, want, memory_order_release,
                                                        memory_order_acquire))
                return 0; /* published with the observation already in it */
            /* Lost the bucket: b is the winner; fall through to compare it. */
        }
        sc_mentry *e = &sc_mstore_g.entries[b - 1];
        if (sc_entry_matches(e, hash, type, id, idlen)) {
            /* A private entry built meanwhile is abandoned (never published, so never shown);
             * it costs one unit of capacity, only when two threads create a series at once. */
            sc_apply(e, type, value);
            return 0;
        }
    }
    sc_note_drop(id); /* unreachable while the table is at most half full */
    return -ENOSPC;
}

int sc_metrics_record(int type, const char *key, size_t klen, const sc_metric_tag *tags,
                      size_t ntags, const char *method, double value)
{
    if (sc_mstore_g.hdr == NULL)
        return -ENODEV;
    if (type != SC_METRIC_COUNTER && type != SC_METRIC_GAUGE && type != SC_METRIC_TIMER)
        return -EINVAL;
    if (!sc_metrics_valid_name(type, key, klen))
        return -EINVAL;

    sc_metric_tag stack_tags[16];
    sc_metric_tag *t = stack_tags;
    if (ntags + 1 > sizeof(stack_tags) / sizeof(stack_tags[0])) {
        t = malloc((ntags + 1) * sizeof(*t));
        if (t == NULL)
            return -ENOMEM;
    }
    unsigned char stack_id[512];
    unsigned char *id = stack_id;
    int rc = -EINVAL;
    size_t n = 0, idlen = 4 + klen + 4;
    for (size_t i = 0; i < ntags; i++) {
        if (!sc_metrics_valid_label(tags[i].name, tags[i].name_len))
            goto out;
        if (method != NULL && tags[i].name_len == 6 && memcmp(tags[i].name, "method", 6) == 0)
            continue;
        t[n++] = tags[i];
    }
    if (method != NULL)
        t[n++] = (sc_metric_tag){"method", 6, method, strlen(method)};
    /* Insertion sort: tag sets are a handful of entries. */
    for (size_t i = 1; i < n; i++) {
        sc_metric_tag x = t[i];
        size_t j = i;
        for (; j > 0 && sc_tag_cmp(&t[j - 1], &x) > 0; j--)
            t[j] = t[j - 1];
        t[j] = x;
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && sc_tag_cmp(&t[i - 1], &t[i]) == 0)
            goto out; /* the same label twice */
        idlen += 8 + t[i].name_len + t[i].value_len;
    }
    if (idlen > SC_MIDENT_MAX)
        goto out;
    if (idlen > sizeof(stack_id)) {
        id = malloc(idlen);
        if (id == NULL) {
            rc = -ENOMEM;
            goto out;
        }
    }
    unsigned char *p = sc_put_bytes(id, key, klen);
    p = sc_put_u32(p, n);
    for (size_t i = 0; i < n; i++) {
        p = sc_put_bytes(p, t[i].name, t[i].name_len);
        p = sc_put_bytes(p, t[i].value, t[i].value_len);
    }
    uint64_t seed = ((uint64_t)(uint32_t)sc_mslot << 8) | (uint64_t)type;
    rc = sc_find_and_apply(sc_hash(id, idlen, seed), type, id, idlen, value);
out:
    if (id != stack_id)
        free(id);
    if (t != stack_tags)
        free(t);
    return rc;
}

size_t sc_metrics_series(void)
{
    if (sc_mstore_g.hdr == NULL)
        return 0;
    size_t n = 0;
    for (uint32_t i = 0; i <= sc_mstore_g.hdr->table_mask; i++)
        n += atomic_load_explicit(&sc_mstore_g.table[i], memory_order_relaxed) != 0;
    return n;
}

uint64_t sc_metrics_dropped(void)
{
    if (sc_mstore_g.hdr == NULL)
        return 0;
    return atomic_load_explicit(&sc_mstore_g.hdr->dropped, memory_order_relaxed);
}
