/* sc_metrics_shm: the layout of the shared metric store, private to sc_metrics.c (recording) and
 * sc_metrics_render.c (exposition). Not for other modules: use sc_metrics.h.
 *
 * Region: [header][table: uint32 x table_size][entries x max_series][identity arena].
 * - table: open addressing, linear probing; 0 = empty, else entry number + 1. A bucket goes
 *   from 0 to its final value once (CAS, release) and never changes again, so a reader that
 *   sees a non-zero bucket sees a fully initialised entry (acquire).
 * - entries: claimed in order with a bounded counter, so the entry number is the insertion
 *   order the exposition needs (SPEC §6.6). An entry whose publication lost the race to an
 *   identical series is never in the table: the renderer only shows entries the table names.
 * - arena: the identity bytes of each entry (see below), bump-allocated.
 *
 * Identity bytes: u32 key_len, key, u32 ntags, then per tag u32 name_len, name, u32 value_len,
 * value; tags sorted by name (bytewise = code point order, as Python sorts str), `method`
 * included. u32s are native-endian and unaligned (memcpy).
 */
#ifndef SC_METRICS_SHM_H
#define SC_METRICS_SHM_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "sc_metrics.h"

/* v[] of an entry: COUNTER/GAUGE use v[0] (double bits); TIMER uses v[0..50] (bucket counts,
 * not cumulative) and v[SC_MSUM] (double bits of the sum in seconds). */
#define SC_MSUM SC_METRICS_NBUCKETS

typedef struct sc_mentry {
    uint64_t hash;
    uint32_t ident_off; /* in the arena */
    uint32_t ident_len;
    uint32_t slot;
    uint32_t type;
    _Atomic uint64_t v[SC_METRICS_NBUCKETS + 1];
} sc_mentry;

typedef struct sc_mshm {
    uint64_t magic;
    uint32_t max_series;
    uint32_t table_mask;     /* table_size - 1, table_size a power of two >= 2 * max_series */
    uint64_t arena_size;
    _Atomic uint32_t nentries;   /* entries claimed, <= max_series */
    _Atomic uint64_t arena_used; /* may pass arena_size after a failed claim; never used then */
    _Atomic uint64_t dropped;    /* new series refused because the store was full */
} sc_mshm;

/* The mapped store of this process (set by sc_metrics_init, inherited across fork). */
typedef struct sc_mstore {
    sc_mshm *hdr;
    _Atomic uint32_t *table;
    sc_mentry *entries;
    unsigned char *arena;
    size_t map_len;
} sc_mstore;

extern sc_mstore sc_mstore_g;

/* The 50 finite histogram edges after 0: numpy.logspace(-3, log10(30), 50) (sc_metrics.c). */
extern const double sc_medges[SC_METRICS_NBUCKETS - 1];

/* The default labels (SPEC §6.6), read from the environment by sc_metrics_init. */
#define SC_MDEFAULT_LABELS 9
typedef struct sc_mlabel {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} sc_mlabel;

extern sc_mlabel sc_mdefault_labels[SC_MDEFAULT_LABELS];

/* Reads the default labels from the environment (sc_metrics_render.c). Returns 0 or -ENOMEM. */
int sc_metrics_load_default_labels(void);

static inline uint32_t sc_mread_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

#endif
