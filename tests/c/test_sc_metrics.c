/* test_sc_metrics: the shared metric store and its exposition (SPEC §6.6, decisions 6 and 11).
 *
 * 1. floatToGoString cases.
 * 2. Exact exposition text: the SPEC's COUNTER example, a GAUGE, the 20.2 ms TIMER.
 * 3. Histogram edge cases (0, an exact bound, negative, NaN, >= 30 s), label rules (defaults
 *    override tags, escaping, sorting, "_total" not doubled), name validation.
 * 4. Order: slots in order of first record, series in insertion order.
 * 5. 2 forked processes x 2 threads record into the same store: exact totals, no duplicates.
 * 6. Capacity: new series dropped and counted, existing ones still updated.
 * 7. Cost: ns per record, and render time with 1,000 series (printed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "sc_metrics.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sc_test.h"

/* The bounds exactly as SPEC §6.6 prints them. */
static const char *const BOUNDS[SC_METRICS_NBUCKETS] = {
    "0.001", "0.0012341553253454693", "0.0015231393670785815", "0.0018797905611233593",
    "0.0023199535315445415", "0.002863183005509725", "0.0035336125536884733",
    "0.004361026750842238", "0.005382184388525997", "0.006642451525090608",
    "0.008197816923039709", "0.010117379411776668", "0.012486417679584786",
    "0.015410178873747385", "0.019018554321561593", "0.02347185009632733",
    "0.028967908792092944", "0.03575089889988335", "0.04412216226317852", "0.05445360152285871",
    "0.06720420230367624", "0.0829404241586763", "0.10236136616184238", "0.12632982515827532",
    "0.15591062646904755", "0.19241792993472334", "0.2374736129208902", "0.2930793240153456",
    "0.3617054084821892", "0.44640065608455204", "0.5509277469444613", "0.6799304127720881",
    "0.8391397397870157", "1.035628778567157", "1.2781267721496807", "1.5774069623151439",
    "1.9467652027782552", "2.402610642206036", "2.965194718810281", "3.65951085290597",
    "4.516404807273444", "5.573945044312399", "6.879113959621136", "8.489895126924782",
    "10.477849282518772", "12.931293490187748", "15.959224724520412", "19.696162182151948",
    "24.30812344597087", "29.999999999999996", "+Inf",
};

#define DEFAULTS_BEFORE_METHOD                                                                     \
    "deployment_name=\"NOT_IMPLEMENTED\",image_name=\"NOT_IMPLEMENTED\","                          \
    "image_version=\"NOT_IMPLEMENTED\""
#define DEFAULTS_AFTER_METHOD                                                                      \
    "model_image=\"NOT_IMPLEMENTED\",model_name=\"NOT_IMPLEMENTED\","                              \
    "model_version=\"NOT_IMPLEMENTED\",predictor_name=\"NOT_IMPLEMENTED\","                        \
    "predictor_version=\"NOT_IMPLEMENTED\",seldon_deployment_name=\"NOT_IMPLEMENTED\""

static const char *const ENV_VARS[] = {"SELDON_DEPLOYMENT_ID", "PREDICTIVE_UNIT_ID",
                                       "PREDICTIVE_UNIT_IMAGE", "PREDICTOR_ID", "PREDICTOR_LABELS",
                                       "SC_METRICS_MAX_SERIES", NULL};

static void fresh_store(size_t cap)
{
    for (int i = 0; ENV_VARS[i] != NULL; i++)
        ASSERT_EQ_INT(unsetenv(ENV_VARS[i]), 0);
    ASSERT_EQ_INT(sc_metrics_init(cap), 0);
    sc_metrics_set_slot(0);
}

/* The render as a NUL-terminated string (caller frees; "" when empty). */
static char *render(void)
{
    sc_buf b;
    sc_buf_init(&b);
    ASSERT_EQ_INT(sc_metrics_render(&b), 0);
    ASSERT_EQ_INT(sc_buf_append_char(&b, '\0'), 0);
    return sc_buf_release(&b, NULL);
}

static int rec(int type, const char *key, const char *method, double v)
{
    return sc_metrics_record(type, key, strlen(key), NULL, 0, method, v);
}

static int rec_tag(int type, const char *key, const char *tn, const char *tv, double v)
{
    sc_metric_tag t = {tn, strlen(tn), tv, strlen(tv)};
    return sc_metrics_record(type, key, strlen(key), &t, 1, "predict", v);
}

/* The value printed after the sample whose text (up to and including "} ") starts with
 * prefix and contains needle; NULL-terminated copy in a static buffer. */
static const char *sample(const char *text, const char *prefix, const char *needle)
{
    static char val[64];
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (strncmp(p, prefix, strlen(prefix)) != 0)
            continue;
        const char *n = needle ? memmem(p, len, needle, strlen(needle)) : p;
        if (n == NULL)
            continue;
        const char *sp = memmem(p, len, "} ", 2);
        ASSERT_TRUE(sp != NULL);
        snprintf(val, sizeof(val), "%.*s", (int)(len - (size_t)(sp + 2 - p)), sp + 2);
        return val;
    }
    return NULL;
}

static void test_format(void)
{
    static const struct {
        double v;
        const char *s;
    } cases[] = {
        {1.0, "1.0"}, {0.0, "0.0"}, {-0.0, "-0.0"}, {0.0202, "0.0202"},
        {0.10000000149011612, "0.10000000149011612"}, {123456.0, "123456.0"},
        {999999.0, "999999.0"}, {1e6, "1e+06"}, {1234567.0, "1.234567e+06"},
        {1234567.5, "1.2345675e+06"}, {1e9, "1e+09"}, {1234567890.0, "1.23456789e+09"},
        {1e15, "1e+015"}, {9999999999999998.0, "9.999999999999998e+015"}, {1e16, "1e+16"},
        {1.5e17, "1.5e+17"}, {-1234567.0, "-1234567.0"}, {1e-05, "1e-05"},
        {29.999999999999996, "29.999999999999996"}, {NAN, "NaN"}, {INFINITY, "+Inf"},
        {-INFINITY, "-Inf"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];
        size_t n = sc_metrics_format_value(cases[i].v, buf);
        ASSERT_EQ_STR(buf, cases[i].s);
        ASSERT_EQ_INT(n, strlen(cases[i].s));
    }
}

static void test_counter_exact(void)
{
    fresh_store(100);
    char *t = render();
    ASSERT_EQ_STR(t, ""); /* nothing recorded: empty body */
    free(t);
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "mycounter", "predict", 1.0), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "mycounter", "health", 1.0), 0);
    t = render();
    const char *want =
        "# HELP mycounter_total \n# TYPE mycounter_total counter\n"
        "mycounter_total{" DEFAULTS_BEFORE_METHOD ",method=\"predict\"," DEFAULTS_AFTER_METHOD
        ",worker_id=\"0\"} 1.0\n"
        "# HELP mycounter_total \n# TYPE mycounter_total counter\n"
        "mycounter_total{" DEFAULTS_BEFORE_METHOD ",method=\"health\"," DEFAULTS_AFTER_METHOD
        ",worker_id=\"0\"} 1.0\n";
    ASSERT_EQ_STR(t, want);
    free(t);
    /* Counting goes on in the same series; a trailing _total is never doubled. */
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "mycounter", "predict", 0.5), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "reqs_total", "predict", 2.0), 0);
    t = render();
    ASSERT_EQ_STR(sample(t, "mycounter_total{", "predict"), "1.5");
    ASSERT_TRUE(strstr(t, "# HELP reqs_total \n# TYPE reqs_total counter\nreqs_total{") != NULL);
    ASSERT_TRUE(strstr(t, "_total_total") == NULL);
    free(t);
    ASSERT_EQ_INT(sc_metrics_series(), 3);
}

static void test_gauge_exact(void)
{
    fresh_store(100);
    ASSERT_EQ_INT(rec(SC_METRIC_GAUGE, "mygauge", "predict", 100.0), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_GAUGE, "mygauge", "predict", 7.25), 0);
    char *t = render();
    ASSERT_EQ_STR(t, "# HELP mygauge \n# TYPE mygauge gauge\n"
                     "mygauge{" DEFAULTS_BEFORE_METHOD ",method=\"predict\"," DEFAULTS_AFTER_METHOD
                     ",worker_id=\"0\"} 7.25\n");
    free(t);
}

static void test_timer_exact(void)
{
    fresh_store(100);
    ASSERT_EQ_INT(rec(SC_METRIC_TIMER, "mytimer", "predict", 20.2 / 1000), 0);
    sc_buf want;
    sc_buf_init(&want);
    const char *labels_a = DEFAULTS_BEFORE_METHOD;
    const char *labels_b = "method=\"predict\"," DEFAULTS_AFTER_METHOD ",worker_id=\"0\"";
    sc_buf_append_str(&want, "# HELP mytimer \n# TYPE mytimer histogram\n");
    for (int i = 0; i < SC_METRICS_NBUCKETS; i++) {
        /* 0.0202 s lies in [0.019018554321561593, 0.02347185009632733). */
        sc_buf_printf(&want, "mytimer_bucket{%s,le=\"%s\",%s} %s\n", labels_a, BOUNDS[i], labels_b,
                      i >= 15 ? "1.0" : "0.0");
    }
    sc_buf_printf(&want, "mytimer_count{%s,%s} 1.0\n", labels_a, labels_b);
    sc_buf_printf(&want, "mytimer_sum{%s,%s} 0.0202\n", labels_a, labels_b);
    sc_buf_append_char(&want, '\0');
    char *t = render();
    ASSERT_EQ_STR(t, want.data);
    free(t);
    sc_buf_free(&want);
}

/* Index of the first bucket whose cumulative count is 1 after one observation of v, or -1. */
static int first_bucket(double v)
{
    fresh_store(10);
    ASSERT_EQ_INT(rec(SC_METRIC_TIMER, "t", "predict", v), 0);
    char *t = render();
    int found = -1;
    for (int i = 0; i < SC_METRICS_NBUCKETS && found < 0; i++) {
        char needle[64];
        snprintf(needle, sizeof(needle), "le=\"%s\"", BOUNDS[i]);
        const char *s = sample(t, "t_bucket{", needle);
        ASSERT_TRUE(s != NULL);
        if (strcmp(s, "1.0") == 0)
            found = i;
        else
            ASSERT_EQ_STR(s, "0.0");
    }
    ASSERT_EQ_STR(sample(t, "t_count{", NULL), found >= 0 ? "1.0" : "0.0");
    free(t);
    return found;
}

static void test_buckets(void)
{
    ASSERT_EQ_INT(first_bucket(0.0), 0);
    ASSERT_EQ_INT(first_bucket(-0.0), 0);
    ASSERT_EQ_INT(first_bucket(0.0009), 0);
    ASSERT_EQ_INT(first_bucket(0.001), 1); /* left-closed: an exact bound goes to the next */
    ASSERT_EQ_INT(first_bucket(0.019018554321561593), 15);
    ASSERT_EQ_INT(first_bucket(nextafter(0.019018554321561593, 0.0)), 14);
    ASSERT_EQ_INT(first_bucket(24.30812344597087), 49);
    ASSERT_EQ_INT(first_bucket(29.999999999999996), 50);
    ASSERT_EQ_INT(first_bucket(30.0), 50);
    ASSERT_EQ_INT(first_bucket(1e9), 50);
    ASSERT_EQ_INT(first_bucket(INFINITY), 50);
    ASSERT_EQ_INT(first_bucket(-0.5), -1); /* negative: in no bucket... */
    char *t = render();
    ASSERT_EQ_STR(sample(t, "t_sum{", NULL), "-0.5"); /* ...but in the sum */
    free(t);
    ASSERT_EQ_INT(first_bucket(NAN), -1);
    t = render();
    ASSERT_EQ_STR(sample(t, "t_sum{", NULL), "NaN");
    free(t);
    /* Sums accumulate; the count is the +Inf bucket. */
    fresh_store(10);
    for (int i = 0; i < 3; i++)
        ASSERT_EQ_INT(rec(SC_METRIC_TIMER, "t", "predict", 0.5), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_TIMER, "t", "predict", -1.0), 0);
    t = render();
    ASSERT_EQ_STR(sample(t, "t_count{", NULL), "3.0");
    ASSERT_EQ_STR(sample(t, "t_sum{", NULL), "0.5");
    ASSERT_EQ_STR(sample(t, "t_bucket{", "le=\"+Inf\""), "3.0");
    free(t);
}

static void test_labels(void)
{
    fresh_store(100);
    ASSERT_EQ_INT(setenv("PREDICTIVE_UNIT_IMAGE", "reg:5000/repo/img:0.3", 1), 0);
    ASSERT_EQ_INT(setenv("PREDICTIVE_UNIT_ID", "my-model", 1), 0);
    ASSERT_EQ_INT(setenv("SELDON_DEPLOYMENT_ID", "dep", 1), 0);
    ASSERT_EQ_INT(setenv("PREDICTOR_ID", "pred", 1), 0);
    ASSERT_EQ_INT(setenv("PREDICTOR_LABELS", "{\"version\": \"v2\", \"x\": 1}", 1), 0);
    ASSERT_EQ_INT(sc_metrics_init(100), 0);
    sc_metric_tag tags[] = {
        {"zeta", 4, "a\"b\\c\nd", 7},   /* escaped */
        {"model_name", 10, "mine", 4},  /* overridden by the default label */
        {"worker_id", 9, "99", 2},      /* overridden by the slot */
        {"method", 6, "user", 4},       /* replaced by the method argument */
        {"Alpha", 5, "1", 1},           /* upper case sorts first */
    };
    sc_metrics_set_slot(3);
    ASSERT_EQ_INT(sc_metrics_record(SC_METRIC_GAUGE, "g", 1, tags, 5, "router", 2.0), 0);
    char *t = render();
    ASSERT_EQ_STR(t, "# HELP g \n# TYPE g gauge\n"
                     "g{Alpha=\"1\",deployment_name=\"dep\",image_name=\"reg:5000/repo/img\","
                     "image_version=\"0.3\",method=\"router\",model_image=\"reg:5000/repo/img\","
                     "model_name=\"my-model\",model_version=\"0.3\",predictor_name=\"pred\","
                     "predictor_version=\"v2\",seldon_deployment_name=\"dep\",worker_id=\"3\","
                     "zeta=\"a\\\"b\\\\c\\nd\"} 2.0\n");
    free(t);
    /* An image without ':' has an empty name and is all version (the original's split). */
    ASSERT_EQ_INT(setenv("PREDICTIVE_UNIT_IMAGE", "plain", 1), 0);
    ASSERT_EQ_INT(setenv("PREDICTOR_LABELS", "not json", 1), 0);
    ASSERT_EQ_INT(sc_metrics_init(100), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_GAUGE, "g", "predict", 1.0), 0);
    t = render();
    ASSERT_TRUE(strstr(t, "image_name=\"\",image_version=\"plain\"") != NULL);
    ASSERT_TRUE(strstr(t, "predictor_version=\"NOT_IMPLEMENTED\"") != NULL);
    free(t);
    /* A user tag "le" on a TIMER: the bucket's own le wins in _bucket lines. */
    fresh_store(10);
    ASSERT_EQ_INT(rec_tag(SC_METRIC_TIMER, "t", "le", "mine", 0.5), 0);
    t = render();
    ASSERT_TRUE(strstr(t, "t_bucket{" DEFAULTS_BEFORE_METHOD ",le=\"+Inf\",method=") != NULL);
    ASSERT_TRUE(strstr(t, "t_count{" DEFAULTS_BEFORE_METHOD ",le=\"mine\",method=") != NULL);
    free(t);
}

static void test_validation(void)
{
    fresh_store(100);
    const char *bad_names[] = {"my-counter", "1abc", "", "a b", "é", NULL};
    for (int i = 0; bad_names[i]; i++) {
        ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, bad_names[i], "predict", 1), -EINVAL);
        ASSERT_EQ_INT(rec(SC_METRIC_GAUGE, bad_names[i], "predict", 1), -EINVAL);
    }
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "_total", "predict", 1), -EINVAL);
    ASSERT_EQ_INT(rec(SC_METRIC_GAUGE, "_total", "predict", 1), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "a:b_c9", "predict", 1), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, ":x", "predict", 1), 0);
    const char *bad_labels[] = {"my-tag", "9a", "", "__x", "a:b", NULL};
    for (int i = 0; bad_labels[i]; i++)
        ASSERT_EQ_INT(rec_tag(SC_METRIC_COUNTER, "c", bad_labels[i], "v", 1), -EINVAL);
    ASSERT_EQ_INT(rec_tag(SC_METRIC_COUNTER, "c", "_a", "", 1), 0);
    ASSERT_EQ_INT(rec(7, "c", "predict", 1), -EINVAL);
    sc_metric_tag dup[] = {{"a", 1, "1", 1}, {"a", 1, "2", 1}};
    ASSERT_EQ_INT(sc_metrics_record(SC_METRIC_COUNTER, "c", 1, dup, 2, "predict", 1), -EINVAL);
    ASSERT_EQ_INT(sc_metrics_series(), 4); /* the refused ones created nothing */
}

static void test_order(void)
{
    fresh_store(100);
    sc_metrics_set_slot(1);
    ASSERT_EQ_INT(rec(SC_METRIC_GAUGE, "a", "predict", 1), 0);
    sc_metrics_set_slot(0);
    ASSERT_EQ_INT(rec(SC_METRIC_GAUGE, "b", "predict", 1), 0);
    sc_metrics_set_slot(1);
    ASSERT_EQ_INT(rec(SC_METRIC_GAUGE, "c", "predict", 1), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_GAUGE, "a", "health", 1), 0);
    sc_metrics_set_slot(0);
    ASSERT_EQ_INT(rec(SC_METRIC_GAUGE, "a", "predict", 1), 0);
    char *t = render();
    /* slot 1 first (it recorded first): a/predict, c, a/health; then slot 0: b, a/predict */
    const char *want[] = {"a{", "c{", "a{", "b{", "a{"};
    const char *want_slot[] = {"\"1\"", "\"1\"", "\"1\"", "\"0\"", "\"0\""};
    const char *p = t;
    for (int i = 0; i < 5; i++) {
        p = strstr(p, "gauge\n");
        ASSERT_TRUE(p != NULL);
        p += 6;
        ASSERT_TRUE(strncmp(p, want[i], 2) == 0);
        const char *w = strstr(p, "worker_id=");
        ASSERT_TRUE(w != NULL && strncmp(w + 10, want_slot[i], 3) == 0);
    }
    ASSERT_TRUE(strstr(p, "gauge\n") == NULL);
    free(t);
}

/* ---- concurrency ------------------------------------------------------------------------ */

#define PER_THREAD 100000
#define NEW_SERIES 50

static void *hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        if (rec(SC_METRIC_COUNTER, "hits", "predict", 1.0) != 0 ||
            rec(SC_METRIC_TIMER, "lat", "predict", 0.005) != 0)
            return (void *)1;
        if (i < NEW_SERIES * 4) {
            /* Both threads of a process create the same new series at the same moments. */
            char v[16];
            snprintf(v, sizeof(v), "%d", i / 4);
            if (rec_tag(SC_METRIC_COUNTER, "per_tag", "k", v, 1.0) != 0)
                return (void *)1;
        }
    }
    return NULL;
}

static void test_concurrent(void)
{
    fresh_store(1000);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        ASSERT_TRUE(kids[k] >= 0);
        if (kids[k] == 0) {
            sc_metrics_set_slot(k);
            pthread_t th[2];
            int bad = 0;
            for (int i = 0; i < 2; i++)
                bad |= pthread_create(&th[i], NULL, hammer, NULL) != 0;
            for (int i = 0; i < 2; i++) {
                void *r = NULL;
                bad |= pthread_join(th[i], &r) != 0 || r != NULL;
            }
            _exit(bad);
        }
    }
    for (int k = 0; k < 2; k++) {
        int st;
        ASSERT_EQ_INT(waitpid(kids[k], &st, 0), kids[k]);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    char *t = render();
    for (int k = 0; k < 2; k++) {
        char wid[32];
        snprintf(wid, sizeof(wid), "worker_id=\"%d\"", k);
        ASSERT_EQ_STR(sample(t, "hits_total{", wid), "200000.0");
        ASSERT_EQ_STR(sample(t, "lat_count{", wid), "200000.0");
        ASSERT_EQ_STR(sample(t, "lat_bucket{", wid), "0.0");
        /* the sum of 200000 x 0.005 in some order: close to 1000, not exact */
        ASSERT_TRUE(fabs(atof(sample(t, "lat_sum{", wid)) - 1000.0) < 1e-6);
        for (int s = 0; s < NEW_SERIES; s++) {
            char needle[64];
            snprintf(needle, sizeof(needle), "k=\"%d\",method", s);
            /* 2 threads x 4 records each, in one series (not duplicated) */
            int found = 0;
            for (const char *p = strstr(t, "per_tag_total{"); p; p = strstr(p + 1, "per_tag_total{")) {
                const char *eol = strchr(p, '\n');
                if (memmem(p, (size_t)(eol - p), needle, strlen(needle)) &&
                    memmem(p, (size_t)(eol - p), wid, strlen(wid))) {
                    found++;
                    ASSERT_TRUE(strncmp(eol - 4, " 8.0", 4) == 0);
                }
            }
            ASSERT_EQ_INT(found, 1);
        }
    }
    free(t);
    ASSERT_EQ_INT(sc_metrics_series(), 2 * (2 + NEW_SERIES));
    ASSERT_EQ_INT(sc_metrics_dropped(), 0);
}

static void test_capacity(void)
{
    fresh_store(3);
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "a", "predict", 1), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "b", "predict", 1), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_TIMER, "c", "predict", 1), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "d", "predict", 1), -ENOSPC);
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "a", "health", 1), -ENOSPC);
    ASSERT_EQ_INT(sc_metrics_dropped(), 2);
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "a", "predict", 1), 0); /* existing: still counted */
    char *t = render();
    ASSERT_EQ_STR(sample(t, "a_total{", NULL), "2.0");
    ASSERT_TRUE(strstr(t, "d_total") == NULL);
    free(t);
    ASSERT_EQ_INT(sc_metrics_series(), 3);
    /* From the environment. */
    ASSERT_EQ_INT(setenv("SC_METRICS_MAX_SERIES", "1", 1), 0);
    ASSERT_EQ_INT(sc_metrics_init(0), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "a", "predict", 1), 0);
    ASSERT_EQ_INT(rec(SC_METRIC_COUNTER, "b", "predict", 1), -ENOSPC);
    ASSERT_EQ_INT(unsetenv("SC_METRICS_MAX_SERIES"), 0);
}

/* ---- cost ------------------------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_cost(void)
{
    fresh_store(10000);
    sc_metric_tag tags[] = {{"model", 5, "iris", 4}, {"mytag", 5, "mytagvalue", 10}};
    const int n = 1000000;
    double t0 = now();
    for (int i = 0; i < n; i++)
        ASSERT_EQ_INT(sc_metrics_record(SC_METRIC_COUNTER, "requests", 8, tags, 2, "predict", 1), 0);
    double t1 = now();
    for (int i = 0; i < n; i++)
        ASSERT_EQ_INT(sc_metrics_record(SC_METRIC_TIMER, "latency", 7, tags, 2, "predict", 0.02), 0);
    double t2 = now();
    printf("record: COUNTER %.0f ns, TIMER %.0f ns (2 tags + method, existing series)\n",
           (t1 - t0) / n * 1e9, (t2 - t1) / n * 1e9);

    for (int kind = 0; kind < 2; kind++) {
        fresh_store(10000);
        for (int i = 0; i < 1000; i++) {
            char v[16];
            snprintf(v, sizeof(v), "%d", i);
            ASSERT_EQ_INT(rec_tag(kind ? SC_METRIC_TIMER : SC_METRIC_COUNTER, "series", "n", v, 0.01), 0);
        }
        const int reps = 20;
        size_t bytes = 0;
        double r0 = now();
        for (int i = 0; i < reps; i++) {
            char *t = render();
            bytes = strlen(t);
            free(t);
        }
        double r1 = now();
        printf("render 1,000 %s series: %.2f ms, %zu bytes\n", kind ? "TIMER" : "COUNTER",
               (r1 - r0) / reps * 1e3, bytes);
    }
}

int main(void)
{
    test_format();
    test_counter_exact();
    test_gauge_exact();
    test_timer_exact();
    test_buckets();
    test_labels();
    test_validation();
    test_order();
    test_concurrent();
    test_capacity();
    test_cost();
    printf("test_sc_metrics: ok\n");
    return 0;
}
