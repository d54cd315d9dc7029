/* libFuzzer target: the REST transport end to end — the real sc_hconn.c/sc_h1.c (our HTTP/1.1
 * framing: gunicorn's limits and 400 pages, chunked bodies, the 413 body limit, 100-continue,
 * keep-alive, pipelining, lingering close), sc_http.c (routing, CORS, OPTIONS) and the real
 * executor (sc_executor.c: hand-over to a worker thread and back), serving in a thread of this
 * process on a Unix socket, fed each input as the bytes of one client connection.
 *
 * Only the Python side is replaced: sc_dispatch_run() below runs the C part of the real dispatch
 * (sc_reqbody_decode + sc_message_from_json, without the GIL) and answers with a small JSON
 * body instead of calling the model; sc_py_openapi() returns a fixed document.
 *
 * One input = one connection: the client writes the input, half-closes, and reads until the
 * server closes. Oracles beyond the sanitizers: the server must close a half-closed connection
 * within SC_FUZZ_CLOSE_MS (no hang, no leaked connection), and whatever it sends must start as an
 * HTTP status line.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "sc_arena.h"
#include "sc_buf.h"
#include "sc_dispatch.h"
#include "sc_http.h"
#include "sc_message.h"
#include "sc_metrics.h"
#include "sc_metrics_builtin.h"
#include "sc_pyembed.h"
#include "sc_reqbody.h"
#include "sc_route.h"
#include "sc_status.h"

#define SC_FUZZ_CLOSE_MS 8000 /* far above the server's 1 s keep-alive, below -timeout=10 */
#define SC_FUZZ_MAX_BODY 8192 /* small, so bodies over the limit (413) are reachable */

/* --- the Python side, replaced ------------------------------------------------------------- */

void sc_dispatch_thread_init(sc_dispatch_thread *t)
{
    sc_arena_init(&t->arena, 64 * 1024);
    t->tstate = NULL;
}

void sc_dispatch_thread_free(sc_dispatch_thread *t)
{
    sc_arena_free(&t->arena);
}


static void sc_fuzz_job_status(sc_job *job, const sc_status *st)
{
    sc_buf b;
    sc_buf_init(&b);
    SC_FUZZ_CHECK(sc_status_render(st, &b) == 0);
    job->status = st->http;
    job->out_type = "application/json";
    job->out = sc_buf_release(&b, &job->out_len);
}

void sc_dispatch_run(sc_dispatch_thread *t, sc_job *job)
{
    sc_arena_reset(&t->arena);
    sc_status st;
    memset(&st, 0, sizeof(st));
    if (job->endpoint == SC_EP_HEALTH_STATUS || job->endpoint == SC_EP_METADATA) {
        sc_status_set(&st, 200, SC_REASON_INTERNAL, "no body");
        sc_fuzz_job_status(job, &st);
        return;
    }
    sc_reqbody_in in = sc_job_body_in(job);
    sc_body body;
    int rc = sc_reqbody_decode(&t->arena, &in, &body, &st);
    if (rc == -EINVAL) {
        sc_fuzz_check_status(&st);
        sc_fuzz_job_status(job, &st);
        return;
    }
    SC_FUZZ_CHECK(rc == 0);
    size_t nodes = 0;
    int kind = -1;
    if (body.kind == SC_BODY_JSON) {
        nodes = sc_fuzz_check_json(body.json, 0);
        sc_message m;
        SC_FUZZ_CHECK(sc_message_from_json(&t->arena, body.json, &m) == 0);
        kind = (int)m.kind;
    }
    sc_status_set(&st, 200, SC_REASON_INTERNAL, "kind %d payload %d nodes %zu", (int)body.kind, kind,
                  nodes);
    sc_fuzz_job_status(job, &st);
}

const char *sc_py_openapi(size_t *len)
{
    static const char doc[] = "{\"openapi\":\"3.0.0\"}";
    *len = sizeof(doc) - 1;
    return doc;
}

/* --- the server thread ----------------------------------------------------------------------- */

static sc_http_opts sc_fuzz_opts;
static struct sockaddr_un sc_fuzz_addr;
static socklen_t sc_fuzz_addrlen;
static pthread_mutex_t sc_fuzz_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sc_fuzz_cond = PTHREAD_COND_INITIALIZER;
static int sc_fuzz_ready;

static void sc_fuzz_on_ready(void)
{
    pthread_mutex_lock(&sc_fuzz_lock);
    sc_fuzz_ready = 1;
    pthread_cond_broadcast(&sc_fuzz_cond);
    pthread_mutex_unlock(&sc_fuzz_lock);
}

static void *sc_fuzz_server(void *arg)
{
    (void)arg;
    int rc = sc_http_serve(&sc_fuzz_opts);
    /* It only returns on a signal, which the fuzzer never sends. */
    fprintf(stderr, "sc_http_serve returned %d\n", rc);
    abort();
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* A client that is gone must not kill the process (the worker ignores SIGPIPE too). */
    signal(SIGPIPE, SIG_IGN);
    /* Access-log lines go to stdout: keep the code path, drop the lines. */
    int devnull = open("/dev/null", O_WRONLY);
    SC_FUZZ_CHECK(devnull >= 0 && dup2(devnull, STDOUT_FILENO) == STDOUT_FILENO);
    close(devnull);

    /* The built-in request metrics are recorded as in a worker, into a store of this process. */
    sc_builtin_init();
    SC_FUZZ_CHECK(sc_metrics_init(1000) == 0);
    sc_metrics_set_slot(0);

    /* A Unix socket in the abstract namespace (no file, private to this process by its pid):
     * no Nagle or delayed-ACK stalls on pipelined answers, and cheaper than loopback TCP. */
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    SC_FUZZ_CHECK(lfd >= 0);
    memset(&sc_fuzz_addr, 0, sizeof(sc_fuzz_addr));
    sc_fuzz_addr.sun_family = AF_UNIX;
    int n = snprintf(sc_fuzz_addr.sun_path + 1, sizeof(sc_fuzz_addr.sun_path) - 1, "sc-fuzz-http-%d",
                     (int)getpid());
    sc_fuzz_addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
    SC_FUZZ_CHECK(bind(lfd, (struct sockaddr *)&sc_fuzz_addr, sc_fuzz_addrlen) == 0);
    SC_FUZZ_CHECK(listen(lfd, 128) == 0);

    sc_fuzz_opts.listen_fd = lfd;
    sc_fuzz_opts.keepalive = 1;
    sc_fuzz_opts.threads = 2; /* pipelined requests really run concurrently */
    sc_fuzz_opts.passthrough = getenv("SC_FUZZ_PASSTHROUGH") != NULL;
    sc_fuzz_opts.max_body = SC_FUZZ_MAX_BODY;
    sc_fuzz_opts.head_timeout_s = 1;
    sc_fuzz_opts.graceful_timeout = 1;
    sc_fuzz_opts.max_inflight = 4;
    sc_fuzz_opts.stuck_grace_ms = 0;
    sc_fuzz_opts.on_ready = sc_fuzz_on_ready;
    sc_fuzz_opts.access_log = 1;
    sc_fuzz_opts.access_log_filter = "/prometheus";

    pthread_t th;
    SC_FUZZ_CHECK(pthread_create(&th, NULL, sc_fuzz_server, NULL) == 0);
    SC_FUZZ_CHECK(pthread_detach(th) == 0);
    pthread_mutex_lock(&sc_fuzz_lock);
    while (!sc_fuzz_ready)
        pthread_cond_wait(&sc_fuzz_cond, &sc_fuzz_lock);
    pthread_mutex_unlock(&sc_fuzz_lock);
    return 0;
}

/* --- one input: one client connection ---------------------------------------------------------- */

/* Whether the first n bytes of an answer can begin a status line "HTTP/<d>.<d> <ddd> " (the
 * version is the request's, echoed as gunicorn does, digits only). */
static int sc_fuzz_status_line(const char *h, size_t n)
{
    static const char proto[] = "HTTP/";
    size_t i = 0;
    for (; i < n && i < sizeof(proto) - 1; i++)
        if (h[i] != proto[i])
            return 0;
    int dots = 0;
    while (i < n && ((h[i] >= '0' && h[i] <= '9') || h[i] == '.'))
        dots += h[i++] == '.';
    if (dots > 1)
        return 0;
    if (i < n && h[i++] != ' ')
        return 0;
    for (int k = 0; k < 3 && i < n; k++, i++)
        if (h[i] < '0' || h[i] > '9')
            return 0;
    return i >= n || h[i] == ' ';
}

static long long sc_fuzz_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    SC_FUZZ_CHECK(fd >= 0);
    SC_FUZZ_CHECK(connect(fd, (struct sockaddr *)&sc_fuzz_addr, sc_fuzz_addrlen) == 0);
    int fl = fcntl(fd, F_GETFL);
    SC_FUZZ_CHECK(fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);

    size_t sent = 0;
    int half_closed = 0;
    char head[16];
    size_t got = 0;
    long long deadline = sc_fuzz_now_ms() + SC_FUZZ_CLOSE_MS;
    for (;;) {
        if (sent == size && !half_closed) {
            /* ENOTCONN: the server already closed both directions; reading shows the rest */
            SC_FUZZ_CHECK(shutdown(fd, SHUT_WR) == 0 || errno == ENOTCONN);
            half_closed = 1;
        }
        struct pollfd pfd = {fd, (short)(POLLIN | (half_closed ? 0 : POLLOUT)), 0};
        long long left = deadline - sc_fuzz_now_ms();
        if (left <= 0) {
            fprintf(stderr, "the server kept a half-closed connection open for %d ms\n",
                    SC_FUZZ_CLOSE_MS);
            abort();
        }
        int n = poll(&pfd, 1, (int)left);
        SC_FUZZ_CHECK(n >= 0 || errno == EINTR);
        if (n <= 0)
            continue;
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            char buf[65536];
            ssize_t r = read(fd, buf, sizeof(buf));
            if (r == 0 || (r < 0 && (errno == ECONNRESET || errno == EPIPE)))
                break; /* closed by the server: done */
            SC_FUZZ_CHECK(r > 0 || errno == EAGAIN || errno == EINTR);
            for (ssize_t i = 0; i < r && got < sizeof(head); i++)
                head[got++] = buf[i];
        }
        if (!half_closed && (pfd.revents & POLLOUT)) {
            ssize_t w = write(fd, data + sent, size - sent);
            if (w > 0)
                sent += (size_t)w;
            else if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
                sent = size; /* the server gave up on us (an error page): read it */
            else
                SC_FUZZ_CHECK(w >= 0 || errno == EAGAIN || errno == EINTR);
        }
    }
    if (getenv("SC_FUZZ_VERBOSE") != NULL)
        fprintf(stderr, "fuzz_http: %zu bytes sent, answer starts with %.*s\n", sent, (int)got, head);
    if (got > 0)
        SC_FUZZ_CHECK(sc_fuzz_status_line(head, got));
    close(fd);
    return 0;
}
