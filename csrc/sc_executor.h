/* sc_executor: the Python executor threads of a worker and their job queue.
 *
 * The I/O thread submits jobs; N threads each run sc_dispatch_run() on one job at a time and
 * hand it to `done` (called on the executor thread: it must only queue the job back to the I/O
 * thread). Threading: worker processes; submit from the I/O thread; the GIL is never held by
 * the caller of any function here.
 */
#ifndef SC_EXECUTOR_H
#define SC_EXECUTOR_H

#include "sc_dispatch.h"

typedef struct sc_executor sc_executor;
typedef void (*sc_executor_done_fn)(sc_job *job, void *arg);

/* Starts nthreads threads. NULL on failure (errno set). */
sc_executor *sc_executor_start(int nthreads, sc_executor_done_fn done, void *arg);

/* Queues a job (ownership passes to the executor until `done`). 0 or -ESHUTDOWN. */
int sc_executor_submit(sc_executor *ex, sc_job *job);

/* Number of jobs queued or running. */
int sc_executor_pending(sc_executor *ex);

/* Lets queued jobs finish, then joins the threads and frees the executor. */
void sc_executor_stop(sc_executor *ex);

#endif
