#include "sc_worker.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "sc_dispatch.h"
#include "sc_http.h"
#include "sc_log.h"
#include "sc_pyembed.h"

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
    SC_INFO("Booting worker %d with pid: %d", slot, (int)getpid());
    if (sc_py_worker_start() < 0 || sc_dispatch_init() < 0) {
        SC_ERROR("worker %d (pid %d) failed to boot", slot, (int)getpid());
        return SC_EXIT_BOOT;
    }
    sc_py_release();

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
    const char *gt = getenv("SC_GRACEFUL_TIMEOUT");
    if (gt != NULL && atoi(gt) > 0)
        opts.graceful_timeout = atoi(gt);
    return sc_http_serve(&opts);
}
