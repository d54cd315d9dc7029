#include "sc_metrics_builtin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc_config.h"
#include "sc_metrics.h"

#define SC_MAX_SAMPLED_SLOTS 256

static int sc_builtin_on = 1;

/* Last CPU time seen per slot and the pid it belonged to, so the counter gets deltas only. */
static struct {
    pid_t pid;
    double cpu;
} sc_cpu_seen[SC_MAX_SAMPLED_SLOTS];

void sc_builtin_init(void)
{
    const char *v = getenv("SC_BUILTIN_METRICS");
    sc_builtin_on = v == NULL || *v == '\0' || sc_config_parse_bool(v);
}

int sc_builtin_enabled(void)
{
    return sc_builtin_on;
}

static sc_metric_tag sc_tag(const char *name, const char *value)
{
    sc_metric_tag t = {name, strlen(name), value, strlen(value)};
    return t;
}

static void sc_record(int type, const char *key, const sc_metric_tag *tags, size_t n, double v)
{
    /* A full store only drops new series (counted and logged by the store); never fail here. */
    (void)sc_metrics_record(type, key, strlen(key), tags, n, NULL, v);
}

void sc_builtin_request(const char *route, int status, double seconds)
{
    if (!sc_builtin_on)
        return;
    char code[16];
    snprintf(code, sizeof(code), "%d", status);
    sc_metric_tag tags[2] = {sc_tag("route", route), sc_tag("code", code)};
    sc_record(SC_METRIC_COUNTER, "seldon_core_c_requests", tags, 2, 1.0);
    sc_record(SC_METRIC_TIMER, "seldon_core_c_request_duration_seconds", tags, 1, seconds);
}

void sc_builtin_grpc(const char *method, int code, double seconds)
{
    if (!sc_builtin_on)
        return;
    static const char *const names[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
                                        "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                                        "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
                                        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    char other[16];
    const char *name = other;
    if (code >= 0 && (size_t)code < sizeof(names) / sizeof(names[0]))
        name = names[code];
    else
        snprintf(other, sizeof(other), "%d", code);
    sc_metric_tag tags[2] = {sc_tag("method", method), sc_tag("code", name)};
    sc_record(SC_METRIC_COUNTER, "seldon_core_c_grpc_requests", tags, 2, 1.0);
    sc_record(SC_METRIC_TIMER, "seldon_core_c_grpc_request_duration_seconds", tags, 1, seconds);
}

void sc_builtin_inflight(int n)
{
    if (sc_builtin_on)
        sc_record(SC_METRIC_GAUGE, "seldon_core_c_requests_in_flight", NULL, 0, (double)n);
}

void sc_builtin_restart(int slot, const char *kind, const char *cause)
{
    if (!sc_builtin_on)
        return;
    sc_metric_tag tags[2] = {sc_tag("kind", kind), sc_tag("cause", cause)};
    sc_metrics_set_slot(slot); /* the master records on behalf of the slot */
    sc_record(SC_METRIC_COUNTER, "seldon_core_c_worker_restarts", tags, 2, 1.0);
}

/* RSS in bytes and user+system CPU seconds of pid from /proc; 0 on success. */
static int sc_proc_usage(pid_t pid, double *rss, double *cpu)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* Fields after the command name (which may hold spaces) start after the last ')'. */
    char *p = strrchr(buf, ')');
    if (p == NULL)
        return -1;
    unsigned long utime = 0, stime = 0;
    long rss_pages = 0;
    /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
     * cstime priority nice threads itrealvalue starttime vsize rss */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d %*u %*u %ld",
               &utime, &stime, &rss_pages) != 3)
        return -1;
    long tick = sysconf(_SC_CLK_TCK);
    long page = sysconf(_SC_PAGESIZE);
    *cpu = (double)(utime + stime) / (double)(tick > 0 ? tick : 100);
    *rss = (double)rss_pages * (double)(page > 0 ? page : 4096);
    return 0;
}

void sc_builtin_sample(int slot, pid_t pid, const char *kind)
{
    if (!sc_builtin_on || pid <= 0 || slot < 0 || slot >= SC_MAX_SAMPLED_SLOTS)
        return;
    double rss, cpu;
    if (sc_proc_usage(pid, &rss, &cpu) != 0)
        return;
    sc_metric_tag tag = sc_tag("kind", kind);
    sc_metrics_set_slot(slot);
    sc_record(SC_METRIC_GAUGE, "seldon_core_c_worker_resident_memory_bytes", &tag, 1, rss);
    double delta = sc_cpu_seen[slot].pid == pid ? cpu - sc_cpu_seen[slot].cpu : cpu;
    sc_cpu_seen[slot].pid = pid;
    sc_cpu_seen[slot].cpu = cpu;
    if (delta > 0)
        sc_record(SC_METRIC_COUNTER, "seldon_core_c_worker_cpu_seconds", &tag, 1, delta);
}
