/* sc_master: the supervising process. Owns the listening socket, forks REST workers (with the
 * GIL held across fork, see sc_pyembed), replaces dead ones, and on SIGTERM/SIGINT stops them
 * gracefully and exits 0 (SPEC decision 1). A worker that fails to boot stops the server with
 * exit status 3.
 *
 * Threading: the master's only thread; the GIL is released except inside sc_py_fork().
 */
#ifndef SC_MASTER_H
#define SC_MASTER_H

#include "sc_config.h"

/* metrics_fd: the listening metrics port, served from the master's loop (sc_metrics_http).
 * Returns the process exit status. */
int sc_master_run(const sc_config *cfg, int listen_fd, int metrics_fd);

/* Creates a listening TCP socket on 0.0.0.0:port (SO_REUSEADDR, backlog 2048).
 * Returns the fd or -errno. */
int sc_listen_tcp(int port, int reuseport);

#endif
