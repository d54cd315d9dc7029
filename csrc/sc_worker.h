/* sc_worker: the life of one REST worker process after fork (or of the single process in
 * --debug mode): load() the model, start the executor threads, serve HTTP until told to stop.
 *
 * Entered with the GIL held (fork child, or the master in debug mode). Returns the process exit
 * status: 0 after a graceful stop, SC_EXIT_BOOT when the model could not be loaded.
 */
#ifndef SC_WORKER_H
#define SC_WORKER_H

#include "sc_config.h"

/* gunicorn's WORKER_BOOT_ERROR: the master stops everything when a worker exits with it. */
#define SC_EXIT_BOOT 3

int sc_worker_run(const sc_config *cfg, int listen_fd, int slot, int forked);

/* Master, before forking: the pipe a worker writes its pid to once it serves (readiness for
 * rolling reloads and crash-loop detection). -1 (the default) disables it. */
void sc_worker_set_ready_fd(int fd);

/* In a worker (REST or gRPC) once it serves: tells the master, through that pipe. */
void sc_worker_notify_ready(void);

#endif
