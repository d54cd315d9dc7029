/* sc_metrics: the custom-metric store (SPEC §6) and its Prometheus exposition (SPEC §6.6).
 *
 * One shared-memory region, created by the master before it forks (MAP_SHARED|MAP_ANONYMOUS),
 * so every worker writes into the same store and the master renders it without asking anyone.
 * A series is identified by (type, key, sorted tags including `method`, worker slot): keying by
 * slot rather than PID is SPEC decision 6, so a respawned worker continues its slot's counters
 * and the scrape does not grow with restarts.
 *
 * Recording takes no lock: a series is found in an open-addressing table of entry numbers and
 * updated with atomics (CAS loops on the bit patterns of doubles). A new series is built
 * privately and published with one CAS on its table bucket. Capacity is bounded; when it is
 * full new series are dropped, counted and logged, existing ones keep being updated.
 *
 * Threading: sc_metrics_record() from any thread of any process that inherited the region; no
 * GIL. sc_metrics_init() and the default labels: master, before fork, single-threaded.
 * sc_metrics_render(): any process, any time (the master does it).
 */
#ifndef SC_METRICS_H
#define SC_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "sc_buf.h"

enum { SC_METRIC_COUNTER = 0, SC_METRIC_GAUGE = 1, SC_METRIC_TIMER = 2 };

/* The TIMER histogram: 51 buckets, numpy-histogram edges 0, logspace(-3, log10(30), 50), +Inf. */
#define SC_METRICS_NBUCKETS 51

#define SC_METRICS_DEFAULT_MAX_SERIES 10000

/* A tag (Prometheus label) as pointer+length; not NUL-terminated necessarily. */
typedef struct sc_metric_tag {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} sc_metric_tag;

/* Maps the store. max_series 0 means $SC_METRICS_MAX_SERIES, else 10000. Reads the default
 * labels from the environment (SELDON_DEPLOYMENT_ID, PREDICTIVE_UNIT_ID, PREDICTIVE_UNIT_IMAGE,
 * PREDICTOR_ID, PREDICTOR_LABELS) once. Calling it again drops the old store (tests).
 * Returns 0, -EINVAL (bad capacity) or -errno of mmap. */
int sc_metrics_init(size_t max_series);

/* The worker slot this process records under (its `worker_id` label). Worker, after fork,
 * before any thread records. Default 0. */
void sc_metrics_set_slot(int slot);

/* Records one observation. type is SC_METRIC_*; key the metric name; tags the user tags (their
 * order does not matter; a duplicate name is -EINVAL); method, when not NULL, is the `method`
 * label and replaces a tag of that name. value: COUNTER increment, GAUGE new value, TIMER
 * observation in SECONDS (the runtime has already divided the milliseconds by 1000).
 * Returns 0; -EINVAL for an invalid metric or label name (SPEC decision 11: the caller answers
 * 500 MICROSERVICE_BAD_METRIC) or an unknown type; -ENOSPC when the series is new and the store
 * is full (dropped, counted, logged); -ENODEV when sc_metrics_init() was not called; -ENOMEM. */
int sc_metrics_record(int type, const char *key, size_t klen, const sc_metric_tag *tags,
                      size_t ntags, const char *method, double value);

/* Name rules (Prometheus): metric [a-zA-Z_:][a-zA-Z0-9_:]*; label [a-zA-Z_][a-zA-Z0-9_]* and not
 * starting with "__". A COUNTER's exposed name drops a trailing "_total" first, so "_total"
 * alone is invalid for a COUNTER. */
int sc_metrics_valid_name(int type, const char *key, size_t klen);
int sc_metrics_valid_label(const char *name, size_t len);

/* Appends the exposition text of every series (empty when none) to out. Returns 0 or -ENOMEM
 * (out then holds a partial text), -ENODEV when not initialised. */
int sc_metrics_render(sc_buf *out);

/* Live series, and new series dropped because the store was full (for tests and logs). */
size_t sc_metrics_series(void);
uint64_t sc_metrics_dropped(void);

/* Prometheus client's floatToGoString: "+Inf", "-Inf", "NaN", else Python repr() except that
 * positive values written positionally with 7+ integer digits become "d.ddde+0N". Writes a NUL;
 * returns the length. buf must hold SC_FLOAT_BUFSIZE + 8 bytes. */
size_t sc_metrics_format_value(double v, char *buf);

/* --- the metrics port (sc_metrics_http.c) ------------------------------------------------ */

/* Called on the serving thread right before each scrape renders (the master samples its
 * children's memory and CPU there). NULL removes it. */
void sc_metrics_set_scrape_hook(void (*fn)(void *arg), void *arg);

struct event_base;

/* Serves GET/HEAD <endpoint> (the render, `text/plain; version=0.0.4; charset=utf-8`) on the
 * already listening fd from base's loop; other paths get Flask's 404 page, other methods 405,
 * OPTIONS 200 with Allow. Master, its event-loop thread. Returns 0 or a negative errno. */
int sc_metrics_http_start(struct event_base *base, int fd, const char *endpoint);

/* The same on a thread of its own with its own event base (--debug mode, where the only event
 * loop belongs to sc_http). Returns 0 or a negative errno. */
int sc_metrics_http_start_thread(int fd, const char *endpoint);

#endif
