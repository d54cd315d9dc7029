#include "sc_master.h"

#include <errno.h>
#include <pthread.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "sc_log.h"
#include "sc_metrics.h"
#include "sc_pyembed.h"
#include "sc_worker.h"

typedef struct sc_slot {
    pid_t pid;          /* 0 when empty */
    struct timespec started;
    int quick_deaths;   /* consecutive deaths shortly after start, for back-off */
    int custom;         /* runs the user's custom_service() instead of serving REST */
    struct event *respawn_ev;
} sc_slot;

typedef struct sc_master {
    const sc_config *cfg;
    int listen_fd;
    struct event_base *base;
    sc_slot *slots;
    int nslots;
    int stopping;
    int exit_code;
    struct event *kill_ev;
} sc_master;

int sc_listen_tcp(int port, int reuseport)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0)) {
        int e = errno;
        close(fd);
        return -e;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons((unsigned short)port);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 2048) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

static double sc_elapsed(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* The custom_service child (SPEC 5.2): default signal dispositions, dies with the master. */
static int sc_custom_run(void)
{
    const int sigs[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
        SC_WARN("prctl(PR_SET_PDEATHSIG) failed");
    SC_INFO("Starting custom service with pid: %d", (int)getpid());
    return sc_py_run_custom_service();
}

static int sc_spawn(sc_master *m, int slot)
{
    fflush(stdout);
    fflush(stderr);
    /* Block every signal across fork: until the child has reset its handlers, a signal would
     * run the master's (libevent's) handler in the child, which writes to the master's
     * notification socket and is lost. The child unblocks once its dispositions are reset. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = sc_py_fork();
    int saved = errno;
    if (pid != 0)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    if (pid < 0) {
        SC_ERROR("fork failed: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* Child: the master's event base is left untouched (its epoll instance is shared with
         * the parent; freeing it here would unregister the parent's events). */
        int code = m->slots[slot].custom ? sc_custom_run() : sc_worker_run(m->cfg, m->listen_fd, slot, 1);
        fflush(stdout);
        fflush(stderr);
        _exit(code);
    }
    m->slots[slot].pid = pid;
    clock_gettime(CLOCK_MONOTONIC, &m->slots[slot].started);
    return 0;
}

static int sc_live_workers(const sc_master *m)
{
    int n = 0;
    for (int i = 0; i < m->nslots; i++)
        n += m->slots[i].pid != 0;
    return n;
}

static void sc_signal_all(sc_master *m, int sig)
{
    for (int i = 0; i < m->nslots; i++) {
        if (m->slots[i].pid != 0)
            kill(m->slots[i].pid, sig);
    }
}

static void sc_on_kill_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sc_master *m = arg;
    SC_WARN("graceful timeout: killing %d remaining workers", sc_live_workers(m));
    sc_signal_all(m, SIGKILL);
}

static void sc_begin_stop(sc_master *m, int exit_code, const char *why)
{
    if (m->stopping)
        return;
    m->stopping = 1;
    m->exit_code = exit_code;
    SC_INFO("Shutting down: %s", why);
    for (int i = 0; i < m->nslots; i++) {
        if (m->slots[i].respawn_ev)
            event_del(m->slots[i].respawn_ev);
    }
    sc_signal_all(m, SIGTERM);
    const char *gt = getenv("SC_GRACEFUL_TIMEOUT");
    int grace = gt && atoi(gt) > 0 ? atoi(gt) : 30;
    struct timeval tv = {grace + 5, 0};
    m->kill_ev = evtimer_new(m->base, sc_on_kill_timer, m);
    if (m->kill_ev != NULL)
        evtimer_add(m->kill_ev, &tv);
    if (sc_live_workers(m) == 0)
        event_base_loopexit(m->base, NULL);
}

static void sc_on_respawn(evutil_socket_t fd, short what, void *arg);

typedef struct sc_respawn_arg {
    sc_master *m;
    int slot;
} sc_respawn_arg;

static void sc_on_respawn(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sc_respawn_arg *ra = arg;
    if (!ra->m->stopping && ra->m->slots[ra->slot].pid == 0 && sc_spawn(ra->m, ra->slot) != 0)
        sc_begin_stop(ra->m, 1, "cannot fork a worker");
}

static void sc_reap(sc_master *m)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        int slot = -1;
        for (int i = 0; i < m->nslots; i++) {
            if (m->slots[i].pid == pid)
                slot = i;
        }
        if (slot < 0)
            continue; /* a grandchild re-parented to us, or a user subprocess */
        sc_slot *s = &m->slots[slot];
        s->pid = 0;
        double lived = sc_elapsed(&s->started);
        if (WIFEXITED(status) && WEXITSTATUS(status) == SC_EXIT_BOOT) {
            SC_ERROR("Worker (pid:%d) failed to boot.", (int)pid);
            sc_begin_stop(m, SC_EXIT_BOOT, "a worker failed to boot");
            continue;
        }
        if (m->stopping)
            continue;
        if (s->custom && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            SC_INFO("custom_service (pid:%d) returned", (int)pid);
            continue; /* it finished its work: nothing to restart */
        }
        if (WIFSIGNALED(status))
            SC_WARN("Worker (pid:%d) was killed by signal %d", (int)pid, WTERMSIG(status));
        else if (WEXITSTATUS(status) != 0)
            SC_WARN("Worker (pid:%d) exited with code %d", (int)pid, WEXITSTATUS(status));
        else
            SC_INFO("Worker (pid:%d) exited", (int)pid);
        /* Back off when a worker keeps dying right after start, so a crash loop does not spin. */
        s->quick_deaths = lived < 1.0 ? s->quick_deaths + 1 : 0;
        int delay_ms = s->quick_deaths > 0 ? 100 << (s->quick_deaths > 6 ? 6 : s->quick_deaths) : 0;
        struct timeval tv = {delay_ms / 1000, (delay_ms % 1000) * 1000};
        evtimer_add(s->respawn_ev, &tv);
    }
    if (m->stopping && sc_live_workers(m) == 0)
        event_base_loopexit(m->base, NULL);
}

static void sc_on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    sc_master *m = arg;
    switch (sig) {
    case SIGCHLD:
        sc_reap(m);
        break;
    case SIGTERM:
        sc_begin_stop(m, 0, "SIGTERM");
        break;
    case SIGINT:
        sc_begin_stop(m, 0, "SIGINT");
        break;
    case SIGQUIT:
        sc_signal_all(m, SIGQUIT);
        sc_begin_stop(m, 0, "SIGQUIT");
        break;
    case SIGHUP:
        /* Reload: each worker finishes its requests and is replaced by a fresh fork. */
        SC_INFO("Hang up: reloading workers");
        sc_signal_all(m, SIGTERM);
        break;
    default:
        break;
    }
}

static int sc_write_pidfile(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -errno;
    int ok = fprintf(f, "%d\n", (int)getpid()) > 0;
    if (fclose(f) != 0 || !ok)
        return -EIO;
    return 0;
}

int sc_master_run(const sc_config *cfg, int listen_fd, int metrics_fd)
{
    sc_master m;
    memset(&m, 0, sizeof(m));
    m.cfg = cfg;
    m.listen_fd = listen_fd;
    int nworkers = cfg->workers > 0 ? cfg->workers : 1;
    int custom = sc_py_has_custom_service();
    m.nslots = nworkers + (custom ? 1 : 0);
    m.slots = calloc((size_t)m.nslots, sizeof(sc_slot));
    sc_respawn_arg *ras = calloc((size_t)m.nslots, sizeof(sc_respawn_arg));
    m.base = event_base_new();
    if (m.slots == NULL || ras == NULL || m.base == NULL) {
        SC_ERROR("out of memory");
        return 1;
    }
    if (cfg->pidfile != NULL) {
        int rc = sc_write_pidfile(cfg->pidfile);
        if (rc != 0) {
            SC_ERROR("cannot write pidfile %s: %s", cfg->pidfile, strerror(-rc));
            return 1;
        }
    }
    const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct event *ev = evsignal_new(m.base, sigs[i], sc_on_signal, &m);
        if (ev == NULL || event_add(ev, NULL) != 0) {
            SC_ERROR("cannot install signal handlers");
            return 1;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < m.nslots; i++) {
        ras[i].m = &m;
        ras[i].slot = i;
        m.slots[i].respawn_ev = evtimer_new(m.base, sc_on_respawn, &ras[i]);
        if (m.slots[i].respawn_ev == NULL) {
            SC_ERROR("out of memory");
            return 1;
        }
    }
    if (custom)
        m.slots[nworkers].custom = 1;
    int rc = sc_metrics_http_start(m.base, metrics_fd, cfg->metrics_endpoint);
    if (rc != 0) {
        SC_ERROR("cannot serve metrics on port %d: %s", cfg->metrics_port, strerror(-rc));
        return 1;
    }
    SC_INFO("REST microservice running on port %d with %d worker(s)", cfg->http_port, nworkers);
    SC_INFO("REST metrics microservice running on port %d", cfg->metrics_port);
    for (int i = 0; i < m.nslots && !m.stopping; i++) {
        if (sc_spawn(&m, i) != 0)
            sc_begin_stop(&m, 1, "cannot fork a worker");
    }
    if (event_base_dispatch(m.base) < 0)
        SC_ERROR("master event loop failed");
    /* Reap anything left (a worker that exited between the last SIGCHLD and loop exit). */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    if (cfg->pidfile != NULL)
        unlink(cfg->pidfile);
    SC_INFO("Shutdown complete (exit %d)", m.exit_code);
    return m.exit_code;
}
