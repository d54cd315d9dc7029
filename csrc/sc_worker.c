#include "sc_worker.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "sc_dispatch.h"
#include "sc_http.h"
#include "sc_log.h"
#include "sc_metrics.h"
#include "sc_pyembed.h"
#include "sc_trace.h"

static void sc_reset_signals(void)
{
    /* The master's handlers (libevent's) are inherited across fork; the worker installs its own. */
    const int sigs[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGTTIN, SIGTTOU, SIGUSR1};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static int sc_ready_fd = -1;

void sc_worker_set_ready_fd(int fd)
{
    sc_ready_fd = fd;
}

/* Called by the transport once it accepts requests. */
void sc_worker_notify_ready(void)
{
    if (sc_ready_fd < 0)
        return;
    pid_t pid = getpid();
    /* One pid_t is far below PIPE_BUF: the write is atomic among all workers. */
    if (write(sc_ready_fd, &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
        SC_WARN("cannot report readiness to the master");
}

/* max-requests reached: a negative pid on the same pipe asks the master for a successor. */
static void sc_worker_request_retire(void)
{
    if (sc_ready_fd < 0)
        return;
    pid_t msg = -getpid();
    if (write(sc_ready_fd, &msg, sizeof(msg)) != (ssize_t)sizeof(msg))
        SC_WARN("cannot ask the master for a successor");
    else
        SC_INFO("worker %d: max requests reached, waiting for a successor", (int)getpid());
}

int sc_worker_run(const sc_config *cfg, int listen_fd, int slot, int forked)
{
    if (forked) {
        sc_reset_signals();
        /* A worker must not outlive its master (kill -9 of the master, OOM kill). */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
            SC_WARN("prctl(PR_SET_PDEATHSIG) failed");
        if (getppid() == 1)
            return 0;
    }
    sc_metrics_set_slot(slot); /* worker_id of everything this process records (decision 6) */
    SC_INFO("Booting worker %d with pid: %d", slot, (int)getpid());
    if (sc_py_boot(cfg) < 0 || sc_py_worker_start() < 0 || sc_dispatch_init() < 0) {
        SC_ERROR("worker %d (pid %d) failed to boot", slot, (int)getpid());
        return SC_EXIT_BOOT;
    }
    sc_py_release();
    if (sc_trace_worker_start(cfg) != 0) /* tracing hook: this worker's span reporter */
        return SC_EXIT_BOOT;

    long long max_requests = cfg->max_requests;
    if (max_requests > 0 && cfg->max_requests_jitter > 0) {
        /* Spread recycling so workers do not all restart together. */
        srand((unsigned)(time(NULL) ^ getpid()));
        max_requests += rand() % (cfg->max_requests_jitter + 1);
    }
    sc_http_opts opts = {
        .listen_fd = listen_fd,
        .keepalive = cfg->keepalive,
        .threads = cfg->single_threaded ? 1 : (cfg->threads > 0 ? cfg->threads : 1),
        .passthrough = cfg->payload_passthrough,
        .max_body = cfg->max_body_bytes,
        .graceful_timeout = 30,
        .max_requests = max_requests,
    };
    opts.on_ready = sc_worker_notify_ready;
    opts.on_retire = forked && sc_ready_fd >= 0 ? sc_worker_request_retire : NULL;
    opts.access_log = cfg->access_log;
    opts.access_log_filter = cfg->filter_metrics_access_logs ? cfg->metrics_endpoint : NULL;
    const char *mi = getenv("SC_MAX_INFLIGHT");
    opts.max_inflight = mi != NULL ? atoi(mi) : 1024;
    /* SPEC decision 7: the rest-timeout annotation (ms) is a real per-request deadline. */
    opts.deadline_ms = cfg->rest_timeout_ms > 0 ? cfg->rest_timeout_ms : 0;
    const char *ht = getenv("SC_HEADER_TIMEOUT");
    opts.head_timeout_s = ht != NULL && atoi(ht) > 0 ? atoi(ht) : 10;
    const char *sg = getenv("SC_STUCK_GRACE_MS");
    opts.stuck_grace_ms = sg != NULL ? atoll(sg) : 10000;
    const char *gt = getenv("SC_GRACEFUL_TIMEOUT");
    if (gt != NULL && atoi(gt) > 0)
        opts.graceful_timeout = atoi(gt);
    int rc = sc_http_serve(&opts);
    sc_trace_worker_stop(); /* tracing hook: send the spans still queued */
    return rc;
}
