/* sc_grpc_worker: the life of one gRPC worker process after fork (SPEC §2.4, §4, DESIGN
 * "Processes"): load() the model, start gRPC core (only here, never in the master: gRPC starts
 * threads and does not survive fork), serve every method of SPEC §4.2 plus grpc.health.v1 and
 * server reflection on 0.0.0.0:<grpc_port> (SO_REUSEPORT, shared by all gRPC workers), and stop
 * gracefully on SIGTERM/SIGINT.
 *
 * Process: a child forked by the master (slots after the REST workers). Entered with the GIL held
 * (the fork child is the only thread); the GIL is released before any thread starts and is then
 * taken once per call by the serving thread that polled the call (`--grpc-threads` of them).
 * The main thread waits for the stop signal, polls gRPC in their stead while all of them are
 * stuck in long Python calls (so keepalive pings and new connections are still served), and
 * drives the drain.
 *
 * Transport only: the request bytes of one call go to runtime.handle_grpc(method, bytes), or,
 * for plain numeric SeldonMessages of Predict/TransformInput/TransformOutput/Route, the parts
 * decoded by sc_grpc_fast to runtime.handle_grpc_parts(method, parts); both return (grpc status
 * code, details, response bytes). Health/Watch is answered in C. See docs/architecture.md.
 */
#ifndef SC_GRPC_WORKER_H
#define SC_GRPC_WORKER_H

#include "sc_config.h"

/* Runs until SIGTERM/SIGINT, then drains in-flight calls (bounded by SC_GRACEFUL_TIMEOUT,
 * default 30 s) and returns 0. Returns SC_EXIT_BOOT (3) when load() or the Python gRPC runtime
 * fails, 1 when the server cannot be created or the port cannot be bound. The caller _exit()s
 * with the result; the GIL is not held on return. */
int sc_grpc_worker_run(const sc_config *cfg, int slot);

#endif
