/* Reference servers for benchmarks/run.py: the physical limit of a REST server on this machine.
 *
 * A minimal libevent evhttp server (the HTTP layer seldon-core-c uses) that answers every POST
 * with the body seldon-core-c gives for the 1x4 identity request, and /health/ping with "pong".
 *
 *   ref_fixed: the fixed body from a C string (no Python at all).
 *   ref_py (-DREF_PYTHON): per request, take the GIL, call one trivial Python function with the
 *              request body as bytes, send the bytes it returns, release the GIL. This is what any
 *              server that calls a Python model once per request cannot go below.
 *
 * Usage: ref_server PORT [WORKERS]  -- binds 0.0.0.0:PORT, serves it from WORKERS processes
 * (forked after bind, each with its own event loop and, for ref_py, its own interpreter),
 * stops on SIGTERM/SIGINT. Built by benchmarks/run.py with gcc into a temporary directory.
 */
#define _GNU_SOURCE
#ifdef REF_PYTHON
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef REF_PYTHON
static const char BODY[] =
    "{\"data\":{\"names\":[\"t:0\",\"t:1\",\"t:2\",\"t:3\"],\"ndarray\":[[1.0,2.0,3.0,4.0]]},"
    "\"meta\":{}}\n";
#else
static PyObject *handler; /* def handle(body: bytes) -> bytes */
static const char PY_SRC[] =
    "RESP = b'{\"data\":{\"names\":[\"t:0\",\"t:1\",\"t:2\",\"t:3\"],"
    "\"ndarray\":[[1.0,2.0,3.0,4.0]]},\"meta\":{}}\\n'\n"
    "def handle(body):\n"
    "    return RESP\n";

static int py_setup(void) {
    Py_InitializeEx(0);
    PyObject *main = PyImport_AddModule("__main__"); /* borrowed */
    PyObject *globals = main ? PyModule_GetDict(main) : NULL;
    PyObject *r = globals ? PyRun_String(PY_SRC, Py_file_input, globals, globals) : NULL;
    if (!r) {
        PyErr_Print();
        return -1;
    }
    Py_DECREF(r);
    handler = PyDict_GetItemString(globals, "handle");
    Py_XINCREF(handler);
    if (!handler)
        return -1;
    PyEval_SaveThread(); /* the I/O loop runs without the GIL, takes it per request */
    return 0;
}
#endif

static void on_request(struct evhttp_request *req, void *arg) {
    (void)arg;
    const char *uri = evhttp_request_get_uri(req);
    struct evbuffer *out = evhttp_request_get_output_buffer(req);
    struct evkeyvalq *hdrs = evhttp_request_get_output_headers(req);
    if (uri && strncmp(uri, "/health/ping", 12) == 0) {
        evbuffer_add(out, "pong", 4);
        evhttp_send_reply(req, 200, "OK", NULL);
        return;
    }
    evhttp_add_header(hdrs, "Content-Type", "application/json");
#ifdef REF_PYTHON
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(in);
    const char *body = (const char *)evbuffer_pullup(in, (ev_ssize_t)n);
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *b = PyBytes_FromStringAndSize(n ? body : "", (Py_ssize_t)n);
    PyObject *r = b ? PyObject_CallOneArg(handler, b) : NULL;
    Py_XDECREF(b);
    int ok = r && PyBytes_Check(r);
    if (ok)
        evbuffer_add(out, PyBytes_AS_STRING(r), (size_t)PyBytes_GET_SIZE(r));
    else
        PyErr_Clear();
    Py_XDECREF(r);
    PyGILState_Release(g);
    evhttp_send_reply(req, ok ? 200 : 500, ok ? "OK" : "Internal Server Error", NULL);
#else
    evbuffer_add_reference(out, BODY, sizeof BODY - 1, NULL, NULL);
    evhttp_send_reply(req, 200, "OK", NULL);
#endif
}

static void on_signal(evutil_socket_t sig, short what, void *arg) {
    (void)sig;
    (void)what;
    event_base_loopbreak((struct event_base *)arg);
}

static int serve(int fd) {
#ifdef REF_PYTHON
    if (py_setup() != 0)
        return 1;
#endif
    struct event_base *base = event_base_new();
    struct evhttp *http = base ? evhttp_new(base) : NULL;
    if (!http || evhttp_accept_socket(http, fd) != 0) {
        fprintf(stderr, "ref_server: libevent setup failed\n");
        return 1;
    }
    evhttp_set_max_body_size(http, 64 << 20);
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
    evhttp_set_gencb(http, on_request, NULL);
    struct event *term = evsignal_new(base, SIGTERM, on_signal, base);
    struct event *intr = evsignal_new(base, SIGINT, on_signal, base);
    event_add(term, NULL);
    event_add(intr, NULL);
    event_base_dispatch(base);
    event_free(term);
    event_free(intr);
    evhttp_free(http);
    event_base_free(base);
    return 0;
}

static volatile sig_atomic_t stop_requested;
static void on_parent_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT [WORKERS]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    int workers = argc > 2 ? atoi(argv[2]) : 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 1024) != 0) {
        perror("ref_server: bind");
        return 1;
    }
    if (workers <= 1)
        return serve(fd);

    /* Several workers: the parent only supervises; children share the listening socket. */
    struct sigaction act = {.sa_handler = on_parent_signal};
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    pid_t kids[64];
    int n = workers > 64 ? 64 : workers;
    for (int i = 0; i < n; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            signal(SIGTERM, SIG_DFL);
            signal(SIGINT, SIG_DFL);
            _exit(serve(fd));
        }
    }
    int alive = n;
    while (alive > 0) {
        if (stop_requested) {
            for (int i = 0; i < n; i++)
                kill(kids[i], SIGTERM);
            stop_requested = 0;
        }
        pid_t p = wait(NULL);
        if (p > 0)
            alive--;
        else if (errno != EINTR)
            break;
    }
    return 0;
}
