#include "sc_master.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

#include "sc_grpc_worker.h"
#include "sc_http.h"
#include "sc_log.h"
#include "sc_metrics_builtin.h"
#include "sc_metrics.h"
#include "sc_pyembed.h"
#include "sc_worker.h"

#define SC_MAX_SLOTS 256
#define SC_CUSTOM_SLOT (SC_MAX_SLOTS - 1) /* outside the metric numbering of workers */
#define SC_CRASH_LOOP 5                    /* failed boots in a row before giving up */

typedef enum sc_kind { SC_KIND_NONE = 0, SC_KIND_REST, SC_KIND_GRPC, SC_KIND_CUSTOM } sc_kind;

typedef struct sc_master sc_master;

typedef struct sc_slot {
    sc_kind kind;
    int index;
    int active;              /* should be running: respawned when it dies */
    pid_t pid;               /* current process; 0 when none */
    pid_t retiring;          /* the process a reload is replacing; 0 when none */
    int ready;               /* the current process reported that it serves */
    struct timespec started;
    int quick_deaths;        /* consecutive deaths within a second of starting, for back-off */
    int fails_before_ready;  /* consecutive deaths before ever serving, for crash-loop exit */
    int retire_pending;      /* the current process asked to be replaced during a replacement */
    const char *retire_cause; /* why `retiring` is being replaced: "recycle" or "reload" */
    struct event *respawn_ev;
    sc_master *m;
} sc_slot;

struct sc_master {
    const sc_config *cfg;
    int listen_fd;
    struct event_base *base;
    sc_slot slots[SC_MAX_SLOTS];
    int stopping;
    int exit_code;
    struct event *kill_ev;
    int ready_rd, ready_wr;  /* workers write their pid here once they serve */
    struct event *ready_ev;
    int reloading;           /* a SIGHUP reload is rolling through the slots */
    int reload_next;         /* next slot index the reload will replace */
    int reload_again;        /* another SIGHUP arrived during the reload */
    /* Replaced processes finishing their last requests after SIGTERM: reaped, counted and
     * signalled like the others, but no longer tied to a slot. */
    pid_t draining[SC_MAX_SLOTS];
    int ndraining;
};

int sc_listen_tcp(int port, int reuseport)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    /* TCP_NODELAY on the listener is inherited by every accepted connection: without it a
     * response's last partial segment waits for the client's delayed ACK (tens of ms). */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
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
static int sc_custom_run(const sc_config *cfg)
{
    const int sigs[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGTTIN, SIGTTOU, SIGUSR1};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
        SC_WARN("prctl(PR_SET_PDEATHSIG) failed");
    SC_INFO("Starting custom service with pid: %d", (int)getpid());
    return sc_py_run_custom_service(cfg);
}

static const char *sc_kind_label(sc_kind k)
{
    return k == SC_KIND_CUSTOM ? "custom" : k == SC_KIND_GRPC ? "grpc" : "rest";
}

/* Before each scrape: memory and CPU of every child, per slot (SC_BUILTIN_METRICS). */
static void sc_on_scrape(void *arg)
{
    sc_master *m = arg;
    for (int i = 0; i < SC_MAX_SLOTS; i++) {
        if (m->slots[i].pid != 0)
            sc_builtin_sample(i, m->slots[i].pid, sc_kind_label(m->slots[i].kind));
    }
}

static const char *sc_kind_name(sc_kind k)
{
    return k == SC_KIND_CUSTOM ? "custom_service" : k == SC_KIND_GRPC ? "gRPC worker" : "Worker";
}

static int sc_spawn(sc_master *m, sc_slot *s)
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
        close(m->ready_rd);
        int code = s->kind == SC_KIND_CUSTOM ? sc_custom_run(m->cfg)
                   : s->kind == SC_KIND_GRPC ? sc_grpc_worker_run(m->cfg, s->index)
                                             : sc_worker_run(m->cfg, m->listen_fd, s->index, 1);
        fflush(stdout);
        fflush(stderr);
        _exit(code);
    }
    s->pid = pid;
    s->ready = 0;
    clock_gettime(CLOCK_MONOTONIC, &s->started);
    return 0;
}

static int sc_live_processes(const sc_master *m)
{
    int n = m->ndraining;
    for (int i = 0; i < SC_MAX_SLOTS; i++)
        n += (m->slots[i].pid != 0) + (m->slots[i].retiring != 0);
    return n;
}

static void sc_signal_all(sc_master *m, int sig)
{
    for (int i = 0; i < SC_MAX_SLOTS; i++) {
        if (m->slots[i].pid != 0)
            kill(m->slots[i].pid, sig);
        if (m->slots[i].retiring != 0)
            kill(m->slots[i].retiring, sig);
    }
    for (int i = 0; i < m->ndraining; i++)
        kill(m->draining[i], sig);
}

static void sc_on_kill_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sc_master *m = arg;
    SC_WARN("graceful timeout: killing %d remaining processes", sc_live_processes(m));
    sc_signal_all(m, SIGKILL);
}

static void sc_begin_stop(sc_master *m, int exit_code, const char *why)
{
    if (m->stopping)
        return;
    m->stopping = 1;
    m->exit_code = exit_code;
    SC_INFO("Shutting down: %s", why);
    for (int i = 0; i < SC_MAX_SLOTS; i++) {
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
    if (sc_live_processes(m) == 0)
        event_base_loopexit(m->base, NULL);
}

static void sc_on_respawn(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sc_slot *s = arg;
    if (!s->m->stopping && s->active && s->pid == 0 && sc_spawn(s->m, s) != 0)
        sc_begin_stop(s->m, 1, "cannot fork a worker");
}

/* Rolling reload (SIGHUP): each serving slot in turn gets a fresh process; the old one is
 * stopped only once the new one serves, so capacity never drops. */
static void sc_reload_step(sc_master *m)
{
    while (m->reload_next < SC_MAX_SLOTS) {
        sc_slot *s = &m->slots[m->reload_next++];
        if ((s->kind != SC_KIND_REST && s->kind != SC_KIND_GRPC) || !s->active || s->pid == 0 ||
            s->retiring != 0)
            continue;
        s->retiring = s->pid;
        s->retire_cause = "reload";
        s->pid = 0;
        if (sc_spawn(m, s) != 0) {
            sc_begin_stop(m, 1, "cannot fork a worker");
            return;
        }
        return; /* continues when the new process is ready and the old one has exited */
    }
    m->reloading = 0;
    SC_INFO("Reload complete");
    if (m->reload_again) {
        m->reload_again = 0;
        m->reloading = 1;
        m->reload_next = 0;
        sc_reload_step(m);
    }
}

static void sc_start_reload(sc_master *m)
{
    if (m->stopping)
        return;
    if (m->reloading) {
        m->reload_again = 1;
        return;
    }
    SC_INFO("Hang up: reloading workers one by one");
    m->reloading = 1;
    m->reload_next = 0;
    sc_reload_step(m);
}

static void sc_retire(sc_master *m, pid_t pid);

/* The successor in slot s serves: the old process drains and exits on its own; the slot is free
 * for the next replacement at once (a recycle or the reload's next step). */
static void sc_hand_over(sc_master *m, sc_slot *s)
{
    pid_t old = s->retiring;
    kill(old, SIGTERM);
    if (m->ndraining < SC_MAX_SLOTS)
        m->draining[m->ndraining++] = old;
    sc_builtin_restart(s->index, sc_kind_label(s->kind), s->retire_cause ? s->retire_cause : "reload");
    s->retiring = 0;
    if (s->retire_pending && s->pid != 0 && !m->stopping) {
        s->retire_pending = 0;
        sc_retire(m, s->pid);
    }
    if (m->reloading && !m->stopping)
        sc_reload_step(m);
}

/* A worker reached --max-requests: start its successor in the same slot; the old process is
 * stopped (gracefully) once the successor serves, as in a reload. */
static void sc_retire(sc_master *m, pid_t pid)
{
    if (m->stopping)
        return;
    for (int i = 0; i < SC_MAX_SLOTS; i++) {
        sc_slot *s = &m->slots[i];
        if (s->pid != pid)
            continue;
        if (s->retiring != 0) {
            s->retire_pending = 1; /* one replacement at a time per slot */
            return;
        }
        s->retiring = pid;
        s->retire_cause = "recycle";
        s->pid = 0;
        if (sc_spawn(m, s) != 0)
            sc_begin_stop(m, 1, "cannot fork a worker");
        return;
    }
}

static void sc_on_ready(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    sc_master *m = arg;
    pid_t pids[64];
    ssize_t n = read(fd, pids, sizeof(pids));
    for (ssize_t k = 0; k + (ssize_t)sizeof(pid_t) <= n; k += (ssize_t)sizeof(pid_t)) {
        pid_t pid = pids[k / (ssize_t)sizeof(pid_t)];
        if (pid < 0) {
            sc_retire(m, -pid);
            continue;
        }
        for (int i = 0; i < SC_MAX_SLOTS; i++) {
            sc_slot *s = &m->slots[i];
            if (s->pid != pid)
                continue;
            s->ready = 1;
            s->fails_before_ready = 0;
            if (s->retiring != 0)
                sc_hand_over(m, s); /* the replacement serves: retire the old process */
            else if (m->reloading && !m->stopping && s->index == m->reload_next - 1)
                sc_reload_step(m); /* its predecessor died meanwhile: the reload goes on */
        }
    }
}

/* Every active slot of the kind has failed to boot SC_CRASH_LOOP times in a row. */
static int sc_crash_looping(const sc_master *m, sc_kind kind)
{
    int any = 0;
    for (int i = 0; i < SC_MAX_SLOTS; i++) {
        const sc_slot *s = &m->slots[i];
        if (s->kind != kind || !s->active)
            continue;
        if (s->fails_before_ready < SC_CRASH_LOOP)
            return 0;
        any = 1;
    }
    return any;
}

static void sc_reap_one(sc_master *m, pid_t pid, int status)
{
    for (int i = 0; i < m->ndraining; i++) {
        if (m->draining[i] == pid) {
            m->draining[i] = m->draining[--m->ndraining];
            SC_INFO("Worker (pid:%d) retired", (int)pid);
            return;
        }
    }
    for (int i = 0; i < SC_MAX_SLOTS; i++) {
        sc_slot *s = &m->slots[i];
        if (s->retiring == pid) {
            /* It died before its successor was ready: nothing left to hand over. */
            s->retiring = 0;
            SC_WARN("Worker (pid:%d) exited before its successor was ready", (int)pid);
            return;
        }
        if (s->pid != pid)
            continue;
        int was_ready = s->ready;
        s->pid = 0;
        s->ready = 0;
        double lived = sc_elapsed(&s->started);
        if (WIFEXITED(status) && WEXITSTATUS(status) == SC_EXIT_BOOT && s->kind != SC_KIND_CUSTOM) {
            SC_ERROR("Worker (pid:%d) failed to boot.", (int)pid);
            sc_begin_stop(m, SC_EXIT_BOOT, "a worker failed to boot");
            return;
        }
        if (m->stopping || !s->active)
            return;
        if (s->kind == SC_KIND_CUSTOM && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            SC_INFO("custom_service (pid:%d) returned", (int)pid);
            s->active = 0; /* it finished its work: nothing to restart */
            return;
        }
        if (WIFSIGNALED(status))
            SC_WARN("%s (pid:%d) was killed by signal %d", sc_kind_name(s->kind), (int)pid, WTERMSIG(status));
        else if (WEXITSTATUS(status) != 0)
            SC_WARN("%s (pid:%d) exited with code %d", sc_kind_name(s->kind), (int)pid, WEXITSTATUS(status));
        else
            SC_INFO("%s (pid:%d) exited", sc_kind_name(s->kind), (int)pid);
        if (!was_ready && s->kind != SC_KIND_CUSTOM) {
            s->fails_before_ready++;
            if (sc_crash_looping(m, s->kind)) {
                sc_begin_stop(m, 1, "every worker keeps dying before it serves");
                return;
            }
        }
        sc_builtin_restart(s->index, sc_kind_label(s->kind),
                           WIFSIGNALED(status)                                   ? "crash"
                           : WEXITSTATUS(status) == SC_EXIT_STUCK                ? "stuck"
                                                                                 : "exit");
        /* Back off when a process keeps dying right after start, so a crash loop does not spin. */
        s->quick_deaths = lived < 1.0 ? s->quick_deaths + 1 : 0;
        int delay_ms = s->quick_deaths > 0 ? 100 << (s->quick_deaths > 6 ? 6 : s->quick_deaths) : 0;
        struct timeval tv = {delay_ms / 1000, (delay_ms % 1000) * 1000};
        evtimer_add(s->respawn_ev, &tv);
        return;
    }
    /* not ours: a grandchild re-parented to us, or a user subprocess */
}

static void sc_reap(sc_master *m)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        sc_reap_one(m, pid, status);
    if (m->stopping && sc_live_processes(m) == 0)
        event_base_loopexit(m->base, NULL);
}

static int sc_init_slot(sc_master *m, int index, sc_kind kind)
{
    sc_slot *s = &m->slots[index];
    s->kind = kind;
    s->index = index;
    s->active = 1;
    s->m = m;
    if (s->respawn_ev == NULL)
        s->respawn_ev = evtimer_new(m->base, sc_on_respawn, s);
    return s->respawn_ev ? 0 : -ENOMEM;
}

/* SIGTTIN: one REST worker more, in the first free slot; SIGTTOU: one fewer (the highest). */
static void sc_scale(sc_master *m, int up)
{
    if (m->stopping)
        return;
    if (up) {
        for (int i = 0; i < SC_CUSTOM_SLOT; i++) {
            sc_slot *s = &m->slots[i];
            if ((s->kind == SC_KIND_NONE || (s->kind == SC_KIND_REST && !s->active)) && s->pid == 0) {
                if (sc_init_slot(m, i, SC_KIND_REST) != 0 || sc_spawn(m, s) != 0)
                    SC_ERROR("cannot add a worker");
                else
                    SC_INFO("SIGTTIN: added worker %d", i);
                return;
            }
        }
        SC_WARN("SIGTTIN: no free worker slot");
        return;
    }
    int active = 0, last = -1;
    for (int i = 0; i < SC_CUSTOM_SLOT; i++) {
        if (m->slots[i].kind == SC_KIND_REST && m->slots[i].active) {
            active++;
            last = i;
        }
    }
    if (active <= 1) {
        SC_WARN("SIGTTOU: keeping the last worker");
        return;
    }
    sc_slot *s = &m->slots[last];
    s->active = 0;
    event_del(s->respawn_ev);
    if (s->pid != 0)
        kill(s->pid, SIGTERM);
    SC_INFO("SIGTTOU: removing worker %d", last);
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
        sc_start_reload(m);
        break;
    case SIGTTIN:
        sc_scale(m, 1);
        break;
    case SIGTTOU:
        sc_scale(m, 0);
        break;
    case SIGUSR1:
        /* gunicorn reopens its log files here; ours go to stdout/stderr, which the platform
         * rotates, so there is nothing to reopen. */
        SC_INFO("SIGUSR1: logs go to stdout/stderr; nothing to reopen");
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
    sc_master *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        SC_ERROR("out of memory");
        return 1;
    }
    m->cfg = cfg;
    m->listen_fd = listen_fd;
    int nworkers = cfg->workers > 0 ? cfg->workers : 1;
    if (nworkers >= SC_CUSTOM_SLOT) {
        SC_ERROR("at most %d workers", SC_CUSTOM_SLOT - 1);
        return 1;
    }
    m->base = event_base_new();
    int pfd[2];
    if (m->base == NULL || pipe2(pfd, O_CLOEXEC | O_NONBLOCK) != 0) {
        SC_ERROR("cannot set up the master loop");
        return 1;
    }
    m->ready_rd = pfd[0];
    m->ready_wr = pfd[1];
    sc_worker_set_ready_fd(m->ready_wr);
    m->ready_ev = event_new(m->base, m->ready_rd, EV_READ | EV_PERSIST, sc_on_ready, m);
    if (m->ready_ev == NULL || event_add(m->ready_ev, NULL) != 0) {
        SC_ERROR("cannot set up the master loop");
        return 1;
    }
    if (cfg->pidfile != NULL) {
        int rc = sc_write_pidfile(cfg->pidfile);
        if (rc != 0) {
            SC_ERROR("cannot write pidfile %s: %s", cfg->pidfile, strerror(-rc));
            return 1;
        }
    }
    const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGTTIN, SIGTTOU, SIGUSR1};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct event *ev = evsignal_new(m->base, sigs[i], sc_on_signal, m);
        if (ev == NULL || event_add(ev, NULL) != 0) {
            SC_ERROR("cannot install signal handlers");
            return 1;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < nworkers; i++) {
        if (sc_init_slot(m, i, SC_KIND_REST) != 0) {
            SC_ERROR("out of memory");
            return 1;
        }
    }
    /* gRPC workers continue the slot numbering after the REST workers (SPEC decision 6). */
    int ngrpc = cfg->grpc_workers > 0 ? cfg->grpc_workers : 0;
    if (nworkers + ngrpc >= SC_CUSTOM_SLOT) {
        SC_ERROR("at most %d workers in all", SC_CUSTOM_SLOT - 1);
        return 1;
    }
    for (int i = 0; i < ngrpc; i++) {
        if (sc_init_slot(m, nworkers + i, SC_KIND_GRPC) != 0) {
            SC_ERROR("out of memory");
            return 1;
        }
    }
    if (sc_py_has_custom_service() && sc_init_slot(m, SC_CUSTOM_SLOT, SC_KIND_CUSTOM) != 0) {
        SC_ERROR("out of memory");
        return 1;
    }
    sc_metrics_set_scrape_hook(sc_on_scrape, m);
    int rc = sc_metrics_http_start(m->base, metrics_fd, cfg->metrics_endpoint);
    if (rc != 0) {
        SC_ERROR("cannot serve metrics on port %d: %s", cfg->metrics_port, strerror(-rc));
        return 1;
    }
    SC_INFO("REST microservice running on port %d with %d worker(s)", cfg->http_port, nworkers);
    SC_INFO("REST metrics microservice running on port %d", cfg->metrics_port);
    for (int i = 0; i < SC_MAX_SLOTS && !m->stopping; i++) {
        if (m->slots[i].kind != SC_KIND_NONE && sc_spawn(m, &m->slots[i]) != 0)
            sc_begin_stop(m, 1, "cannot fork a worker");
    }
    if (event_base_dispatch(m->base) < 0)
        SC_ERROR("master event loop failed");
    /* Reap anything left (a worker that exited between the last SIGCHLD and loop exit). */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    if (cfg->pidfile != NULL)
        unlink(cfg->pidfile);
    SC_INFO("Shutdown complete (exit %d)", m->exit_code);
    return m->exit_code;
}
