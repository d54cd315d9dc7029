/* sc_metrics_builtin: metrics of ours, beyond the original's (docs/metrics.md), kept in the same
 * shared store under names starting with `seldon_core_c_`:
 *   seldon_core_c_requests_total{route,code}            REST requests answered
 *   seldon_core_c_request_duration_seconds{route}       REST latency (the store's TIMER buckets)
 *   seldon_core_c_grpc_requests_total{method,code}      gRPC calls answered (code: the status name)
 *   seldon_core_c_grpc_request_duration_seconds{method} gRPC latency
 *   seldon_core_c_requests_in_flight                    per REST worker
 *   seldon_core_c_worker_restarts_total{kind,cause}     per slot, counted by the master
 *   seldon_core_c_worker_resident_memory_bytes{kind}    per slot, sampled at scrape time
 *   seldon_core_c_worker_cpu_seconds_total{kind}        per slot, sampled at scrape time
 * SC_BUILTIN_METRICS=0 turns all of them off, leaving exactly the original's exposition.
 *
 * Threading: request functions on a worker's I/O thread (gRPC: any of its serving threads; the
 * store is lock-free); restart/sample functions in the master
 * (its loop thread). No GIL.
 */
#ifndef SC_METRICS_BUILTIN_H
#define SC_METRICS_BUILTIN_H

#include <sys/types.h>

/* Reads SC_BUILTIN_METRICS once (master, before fork). */
void sc_builtin_init(void);
int sc_builtin_enabled(void);

/* One answered REST request: its route (Flask view name, or "unknown"), status and duration. */
void sc_builtin_request(const char *route, int status, double seconds);

/* One answered gRPC call: its method ("seldon.protos.Model/Predict", or "unknown"), status code
 * and duration. */
void sc_builtin_grpc(const char *method, int code, double seconds);

/* The worker's current number of requests in flight. */
void sc_builtin_inflight(int n);

/* Master: a child of `kind` ("rest", "grpc", "custom") in `slot` was replaced because of
 * `cause` ("crash", "exit", "stuck", "recycle", "reload"). */
void sc_builtin_restart(int slot, const char *kind, const char *cause);

/* Master, before a scrape: samples RSS and CPU time of the process serving `slot`. */
void sc_builtin_sample(int slot, pid_t pid, const char *kind);

#endif
