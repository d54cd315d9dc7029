#include "sc_grpc_worker.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>

#include "sc_log.h"
#include "sc_metrics.h"
#include "sc_pyembed.h"
#include "sc_worker.h"

/* Method numbers shared with seldon_core_c/_grpc_runtime.py (GRPC_* constants). 0..7 are the
 * REST endpoint numbers of the same operation, so metrics carry the same `method` tags. */
enum {
    SC_GM_PREDICT = 0,
    SC_GM_TRANSFORM_INPUT = 2,
    SC_GM_TRANSFORM_OUTPUT = 3,
    SC_GM_ROUTE = 4,
    SC_GM_AGGREGATE = 5,
    SC_GM_SEND_FEEDBACK = 6,
    SC_GM_MODEL_METADATA = 7,  /* Model/Metadata (Empty) */
    SC_GM_SELDON_METADATA = 8, /* Seldon/ModelMetadata (SeldonModelMetadataRequest) */
    SC_GM_GRAPH_METADATA = 9,
    SC_GM_HEALTH_CHECK = 10,
    SC_GM_REFLECTION_V1ALPHA = 11,
    SC_GM_REFLECTION_V1 = 12,
    SC_GM_UNIMPLEMENTED = -1, /* known to us, answered UNIMPLEMENTED without Python */
};

typedef struct {
    const char *path;
    int method;
    int streaming; /* bidi stream: one Python call per received message */
} sc_grpc_method;

/* SPEC §4.2: every service is registered on every server, whatever the model is. */
static const sc_grpc_method sc_methods[] = {
    {"/seldon.protos.Generic/TransformInput", SC_GM_TRANSFORM_INPUT, 0},
    {"/seldon.protos.Generic/TransformOutput", SC_GM_TRANSFORM_OUTPUT, 0},
    {"/seldon.protos.Generic/Route", SC_GM_ROUTE, 0},
    {"/seldon.protos.Generic/Aggregate", SC_GM_AGGREGATE, 0},
    {"/seldon.protos.Generic/SendFeedback", SC_GM_SEND_FEEDBACK, 0},
    {"/seldon.protos.Model/Predict", SC_GM_PREDICT, 0},
    {"/seldon.protos.Model/SendFeedback", SC_GM_SEND_FEEDBACK, 0},
    {"/seldon.protos.Model/Metadata", SC_GM_MODEL_METADATA, 0},
    {"/seldon.protos.Router/Route", SC_GM_ROUTE, 0},
    {"/seldon.protos.Router/SendFeedback", SC_GM_SEND_FEEDBACK, 0},
    {"/seldon.protos.Transformer/TransformInput", SC_GM_TRANSFORM_INPUT, 0},
    {"/seldon.protos.OutputTransformer/TransformOutput", SC_GM_TRANSFORM_OUTPUT, 0},
    {"/seldon.protos.Combiner/Aggregate", SC_GM_AGGREGATE, 0},
    {"/seldon.protos.Seldon/Predict", SC_GM_PREDICT, 0},
    {"/seldon.protos.Seldon/SendFeedback", SC_GM_SEND_FEEDBACK, 0},
    {"/seldon.protos.Seldon/ModelMetadata", SC_GM_SELDON_METADATA, 0},
    {"/seldon.protos.Seldon/GraphMetadata", SC_GM_GRAPH_METADATA, 0},
    {"/grpc.health.v1.Health/Check", SC_GM_HEALTH_CHECK, 0},
    /* Watch is a server stream that stays open; not offered (documented). */
    {"/grpc.health.v1.Health/Watch", SC_GM_UNIMPLEMENTED, 0},
    {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", SC_GM_REFLECTION_V1ALPHA, 1},
    {"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", SC_GM_REFLECTION_V1, 1},
};

/* What the call's outstanding batch is; the completion is dispatched on it. Exactly one batch
 * is outstanding per call at any time, so whoever owns that batch owns the call. */
enum { SC_ST_REQUESTED, SC_ST_RECV, SC_ST_DONE };

typedef struct sc_gcall {
    struct sc_gcall *next; /* executor queue link */
    int state;
    grpc_call *call;
    grpc_call_details details;
    grpc_metadata_array request_md;
    const sc_grpc_method *method; /* NULL: unknown path */
    int sent_initial_md;
    grpc_byte_buffer *recv_buf; /* RECV_MESSAGE target */
    grpc_slice request;         /* the received message, contiguous */
    grpc_byte_buffer *send_buf;
    grpc_slice status_details;
    int has_status_details;
    int cancelled; /* RECV_CLOSE_ON_SERVER result */
} sc_gcall;

/* Process-wide state of the worker (one server, one completion queue). */
static grpc_server *sc_server;
static grpc_completion_queue *sc_cq;
static volatile sig_atomic_t sc_stop_requested;
static int sc_shutting_down; /* CQ thread only */
static int sc_shutdown_tag;  /* its address tags grpc_server_shutdown_and_notify */
static PyObject *sc_handle_grpc; /* bound runtime.handle_grpc */

/* ---- executor: --grpc-threads Python threads fed by the CQ thread -------------------------- */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    sc_gcall *head, *tail;
    int stopping;
    int nthreads;
    pthread_t *threads;
} sc_ex = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void sc_gcall_free(sc_gcall *c)
{
    if (c->call != NULL)
        grpc_call_unref(c->call);
    grpc_call_details_destroy(&c->details);
    grpc_metadata_array_destroy(&c->request_md);
    if (c->recv_buf != NULL)
        grpc_byte_buffer_destroy(c->recv_buf);
    if (c->send_buf != NULL)
        grpc_byte_buffer_destroy(c->send_buf);
    grpc_slice_unref(c->request);
    if (c->has_status_details)
        grpc_slice_unref(c->status_details);
    free(c);
}

/* Starts the final batch: (initial metadata), (message), status, and the close notification
 * whose completion frees the call. Any thread. */
static void sc_gcall_finish(sc_gcall *c, grpc_status_code code, const char *details, size_t details_len)
{
    grpc_op ops[4];
    size_t n = 0;
    memset(ops, 0, sizeof(ops));
    if (!c->sent_initial_md) {
        ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
        n++;
        c->sent_initial_md = 1;
    }
    if (c->send_buf != NULL) {
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n].data.send_message.send_message = c->send_buf;
        n++;
    }
    if (c->has_status_details)
        grpc_slice_unref(c->status_details);
    c->status_details = grpc_slice_from_copied_buffer(details, details_len);
    c->has_status_details = 1;
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = code;
    ops[n].data.send_status_from_server.status_details = details_len ? &c->status_details : NULL;
    n++;
    ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[n].data.recv_close_on_server.cancelled = &c->cancelled;
    n++;
    c->state = SC_ST_DONE;
    grpc_call_error err = grpc_call_start_batch(c->call, ops, n, c, NULL);
    if (err != GRPC_CALL_OK) {
        /* Nothing will complete for this call: release it here. */
        SC_ERROR("grpc: cannot finish call (%d)", (int)err);
        grpc_call_cancel(c->call, NULL);
        sc_gcall_free(c);
    }
}

/* Arms RECV_MESSAGE, optionally together with a stream reply (bidi streams). Any thread. */
static void sc_gcall_recv(sc_gcall *c)
{
    grpc_op ops[3];
    size_t n = 0;
    memset(ops, 0, sizeof(ops));
    if (c->send_buf != NULL) {
        if (!c->sent_initial_md) {
            ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
            n++;
            c->sent_initial_md = 1;
        }
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n].data.send_message.send_message = c->send_buf;
        n++;
    }
    ops[n].op = GRPC_OP_RECV_MESSAGE;
    ops[n].data.recv_message.recv_message = &c->recv_buf;
    n++;
    c->state = SC_ST_RECV;
    grpc_call_error err = grpc_call_start_batch(c->call, ops, n, c, NULL);
    if (err != GRPC_CALL_OK) {
        SC_ERROR("grpc: cannot receive (%d)", (int)err);
        grpc_call_cancel(c->call, NULL);
        sc_gcall_free(c);
    }
}

/* GIL held. Calls runtime.handle_grpc(method, request) and stores the answer in the call.
 * Returns the gRPC status; details are copied into `details` (NUL-terminated, truncated). */
static grpc_status_code sc_call_python(sc_gcall *c, char *details, size_t cap)
{
    static const char internal[] = "Exception calling application: internal error in the gRPC runtime";
    grpc_status_code code = GRPC_STATUS_UNKNOWN;
    details[0] = '\0';
    PyObject *req = PyBytes_FromStringAndSize((const char *)GRPC_SLICE_START_PTR(c->request),
                                              (Py_ssize_t)GRPC_SLICE_LENGTH(c->request));
    PyObject *r = req ? PyObject_CallFunction(sc_handle_grpc, "iO", c->method->method, req) : NULL;
    Py_XDECREF(req);
    long pycode;
    const char *det, *body;
    Py_ssize_t det_len, body_len;
    if (r == NULL || !PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 3 ||
        (pycode = PyLong_AsLong(PyTuple_GET_ITEM(r, 0))) < 0 || pycode > 16 ||
        (det = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(r, 1), &det_len)) == NULL ||
        PyBytes_AsStringAndSize(PyTuple_GET_ITEM(r, 2), (char **)&body, &body_len) < 0) {
        /* handle_grpc never raises by contract: this is a bug of ours, keep the trace. */
        if (PyErr_Occurred())
            PyErr_Print();
        snprintf(details, cap, "%s", internal);
        Py_XDECREF(r);
        return code;
    }
    code = (grpc_status_code)pycode;
    size_t dl = (size_t)det_len < cap - 1 ? (size_t)det_len : cap - 1;
    memcpy(details, det, dl);
    details[dl] = '\0';
    if (code == GRPC_STATUS_OK) {
        grpc_slice s = grpc_slice_from_copied_buffer(body, (size_t)body_len);
        c->send_buf = grpc_raw_byte_buffer_create(&s, 1);
        grpc_slice_unref(s);
    }
    Py_DECREF(r);
    return code;
}

static void sc_execute(sc_gcall *c, PyThreadState *tstate)
{
    char details[4096];
    PyEval_RestoreThread(tstate);
    grpc_status_code code = sc_call_python(c, details, sizeof(details));
    PyEval_SaveThread();
    grpc_slice_unref(c->request);
    c->request = grpc_empty_slice();
    if (c->method->streaming && code == GRPC_STATUS_OK) {
        sc_gcall_recv(c); /* reply and wait for the client's next request */
        return;
    }
    sc_gcall_finish(c, code, details, strlen(details));
}

static void *sc_executor_main(void *arg)
{
    (void)arg;
    /* PyGILState_Ensure registers the thread state for the PyGILState API too, so a C extension
     * in user code that calls PyGILState_Ensure finds it instead of deadlocking. */
    PyGILState_Ensure();
    PyThreadState *tstate = PyEval_SaveThread();
    for (;;) {
        pthread_mutex_lock(&sc_ex.lock);
        while (sc_ex.head == NULL && !sc_ex.stopping)
            pthread_cond_wait(&sc_ex.cond, &sc_ex.lock);
        sc_gcall *c = sc_ex.head;
        if (c != NULL) {
            sc_ex.head = c->next;
            if (sc_ex.head == NULL)
                sc_ex.tail = NULL;
        }
        pthread_mutex_unlock(&sc_ex.lock);
        if (c == NULL)
            break;
        c->next = NULL;
        sc_execute(c, tstate);
    }
    return NULL;
}

static int sc_executor_start(int nthreads)
{
    sc_ex.threads = calloc((size_t)nthreads, sizeof(pthread_t));
    if (sc_ex.threads == NULL)
        return -ENOMEM;
    for (int i = 0; i < nthreads; i++) {
        int rc = pthread_create(&sc_ex.threads[i], NULL, sc_executor_main, NULL);
        if (rc != 0) {
            SC_ERROR("cannot start gRPC executor thread: %s", strerror(rc));
            return -rc;
        }
        sc_ex.nthreads = i + 1;
    }
    return 0;
}

static void sc_executor_submit(sc_gcall *c)
{
    c->next = NULL;
    pthread_mutex_lock(&sc_ex.lock);
    if (sc_ex.tail)
        sc_ex.tail->next = c;
    else
        sc_ex.head = c;
    sc_ex.tail = c;
    pthread_cond_signal(&sc_ex.cond);
    pthread_mutex_unlock(&sc_ex.lock);
}

/* Lets queued calls finish, then joins the threads. */
static void sc_executor_stop(void)
{
    pthread_mutex_lock(&sc_ex.lock);
    sc_ex.stopping = 1;
    pthread_cond_broadcast(&sc_ex.cond);
    pthread_mutex_unlock(&sc_ex.lock);
    for (int i = 0; i < sc_ex.nthreads; i++)
        pthread_join(sc_ex.threads[i], NULL);
    free(sc_ex.threads);
    sc_ex.threads = NULL;
    sc_ex.nthreads = 0;
}

/* ---- the completion-queue thread (the process's main thread) ------------------------------- */

/* Asks gRPC for the next incoming call. 0, or -1 when the server no longer accepts calls. */
static int sc_request_call(void)
{
    sc_gcall *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        SC_ERROR("grpc: out of memory");
        return -1;
    }
    c->state = SC_ST_REQUESTED;
    c->request = grpc_empty_slice();
    grpc_call_details_init(&c->details);
    grpc_metadata_array_init(&c->request_md);
    grpc_call_error err =
        grpc_server_request_call(sc_server, &c->call, &c->details, &c->request_md, sc_cq, sc_cq, c);
    if (err != GRPC_CALL_OK) {
        SC_ERROR("grpc: request_call failed (%d)", (int)err);
        sc_gcall_free(c);
        return -1;
    }
    return 0;
}

static const sc_grpc_method *sc_find_method(grpc_slice path)
{
    size_t len = GRPC_SLICE_LENGTH(path);
    const char *p = (const char *)GRPC_SLICE_START_PTR(path);
    for (size_t i = 0; i < sizeof(sc_methods) / sizeof(sc_methods[0]); i++)
        if (strlen(sc_methods[i].path) == len && memcmp(sc_methods[i].path, p, len) == 0)
            return &sc_methods[i];
    return NULL;
}

static void sc_on_new_call(sc_gcall *c, int ok)
{
    if (!ok) { /* the server is shutting down: no call was created */
        sc_gcall_free(c);
        return;
    }
    /* Keep exactly one request outstanding; gRPC queues further incoming calls meanwhile. */
    if (!sc_shutting_down && sc_request_call() != 0)
        SC_ERROR("grpc: no longer accepting calls");
    c->method = sc_find_method(c->details.method);
    if (c->method == NULL || c->method->method == SC_GM_UNIMPLEMENTED) {
        sc_gcall_finish(c, GRPC_STATUS_UNIMPLEMENTED, "Method not found!", strlen("Method not found!"));
        return;
    }
    sc_gcall_recv(c);
}

static void sc_on_message(sc_gcall *c, int ok)
{
    if (!ok || c->recv_buf == NULL) {
        /* End of the client's stream (or a failed call, e.g. a message above the receive limit:
         * gRPC has already answered RESOURCE_EXHAUSTED and ignores our status). */
        if (c->send_buf != NULL) {
            grpc_byte_buffer_destroy(c->send_buf);
            c->send_buf = NULL;
        }
        if (c->method->streaming)
            sc_gcall_finish(c, GRPC_STATUS_OK, "", 0);
        else
            sc_gcall_finish(c, GRPC_STATUS_INTERNAL, "Request message missing", strlen("Request message missing"));
        return;
    }
    if (c->send_buf != NULL) { /* the previous stream reply has been sent */
        grpc_byte_buffer_destroy(c->send_buf);
        c->send_buf = NULL;
    }
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, c->recv_buf)) {
        grpc_byte_buffer_destroy(c->recv_buf);
        c->recv_buf = NULL;
        sc_gcall_finish(c, GRPC_STATUS_INTERNAL, "Cannot read the request", strlen("Cannot read the request"));
        return;
    }
    grpc_slice_unref(c->request);
    c->request = grpc_byte_buffer_reader_readall(&reader); /* one contiguous copy */
    grpc_byte_buffer_reader_destroy(&reader);
    grpc_byte_buffer_destroy(c->recv_buf);
    c->recv_buf = NULL;
    sc_executor_submit(c);
}

static void sc_on_event(grpc_event ev)
{
    sc_gcall *c = ev.tag;
    switch (c->state) {
    case SC_ST_REQUESTED:
        sc_on_new_call(c, ev.success);
        break;
    case SC_ST_RECV:
        sc_on_message(c, ev.success);
        break;
    default: /* SC_ST_DONE: status sent and the client is gone */
        sc_gcall_free(c);
        break;
    }
}

static void sc_on_signal(int sig)
{
    (void)sig;
    sc_stop_requested = 1; /* the CQ loop polls it at least every 200 ms */
}

static void sc_reset_signals(void)
{
    /* The master's handlers are inherited across fork; this process installs its own. */
    const int sigs[] = {SIGQUIT, SIGHUP, SIGCHLD, SIGTTIN, SIGTTOU, SIGUSR1};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sc_on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
        SC_WARN("sigaction failed: %s", strerror(errno));
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static gpr_timespec sc_after_ms(long ms)
{
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

static double sc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Serves until a stop signal, then drains. Returns 0, or 1 when the drain overran the grace
 * period and had to give up on calls still running in Python. */
static int sc_serve(int graceful_timeout)
{
    double drain_deadline = 0;
    int cancelled_all = 0;
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(sc_cq, sc_after_ms(200), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            return 0;
        if (ev.type == GRPC_OP_COMPLETE) {
            if (ev.tag == &sc_shutdown_tag) {
                /* Every call is finished: nothing else can be queued. */
                grpc_completion_queue_shutdown(sc_cq);
            } else {
                sc_on_event(ev);
            }
            continue;
        }
        if (sc_stop_requested && !sc_shutting_down) {
            SC_INFO("gRPC worker %d: stopping, draining in-flight calls", (int)getpid());
            sc_shutting_down = 1;
            grpc_server_shutdown_and_notify(sc_server, sc_cq, &sc_shutdown_tag);
            drain_deadline = sc_now() + graceful_timeout;
        }
        if (sc_shutting_down && sc_now() > drain_deadline) {
            if (!cancelled_all) {
                SC_WARN("gRPC worker %d: graceful timeout, cancelling remaining calls", (int)getpid());
                grpc_server_cancel_all_calls(sc_server);
                cancelled_all = 1;
                drain_deadline = sc_now() + 5; /* calls stuck in Python cannot be interrupted */
            } else {
                return 1;
            }
        }
    }
}

/* GIL held: the bound runtime.handle_grpc, after runtime.grpc_init() built the message
 * classes (a failure there is a boot failure, like load()). */
static int sc_python_init(void)
{
    PyObject *rt = sc_py_runtime();
    PyObject *r = PyObject_CallMethod(rt, "grpc_init", NULL);
    if (r == NULL) {
        PyErr_Print();
        return -1;
    }
    Py_DECREF(r);
    sc_handle_grpc = PyObject_GetAttrString(rt, "handle_grpc");
    if (sc_handle_grpc == NULL) {
        PyErr_Print();
        return -1;
    }
    return 0;
}

int sc_grpc_worker_run(const sc_config *cfg, int slot)
{
    sc_reset_signals();
    /* A worker must not outlive its master (kill -9 of the master, OOM kill). */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
        SC_WARN("prctl(PR_SET_PDEATHSIG) failed");
    if (getppid() == 1) {
        sc_py_release();
        return 0;
    }
    sc_metrics_set_slot(slot); /* worker_id of everything this process records (decision 6) */
    SC_INFO("Booting gRPC worker %d with pid: %d", slot, (int)getpid());
    if (sc_py_boot(cfg) < 0 || sc_py_worker_start() < 0 || sc_python_init() < 0) {
        SC_ERROR("gRPC worker %d (pid %d) failed to boot", slot, (int)getpid());
        sc_py_release();
        return SC_EXIT_BOOT;
    }
    sc_py_release();

    /* Only now, in the child and after load(): gRPC core starts threads (DESIGN "Processes"). */
    grpc_init();
    grpc_arg args[4];
    size_t nargs = 0;
    args[nargs].type = GRPC_ARG_INTEGER;
    args[nargs].key = (char *)GRPC_ARG_ALLOW_REUSEPORT;
    args[nargs].value.integer = 1;
    nargs++;
    if (cfg->grpc_max_message_size >= 0) {
        /* SPEC §1.8: the annotation sets both directions; gRPC's int arguments cap at INT_MAX. */
        int max = cfg->grpc_max_message_size > INT_MAX ? INT_MAX : (int)cfg->grpc_max_message_size;
        SC_INFO("Setting grpc max message and receive length to %d", max);
        const char *keys[] = {GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, GRPC_ARG_MAX_SEND_MESSAGE_LENGTH};
        for (size_t i = 0; i < 2; i++) {
            args[nargs].type = GRPC_ARG_INTEGER;
            args[nargs].key = (char *)keys[i];
            args[nargs].value.integer = max;
            nargs++;
        }
    }
    grpc_channel_args channel_args = {.num_args = nargs, .args = args};
    int rc = 1;
    sc_cq = grpc_completion_queue_create_for_next(NULL);
    sc_server = grpc_server_create(&channel_args, NULL);
    grpc_server_register_completion_queue(sc_server, sc_cq, NULL);
    char addr[64];
    snprintf(addr, sizeof(addr), "0.0.0.0:%d", cfg->grpc_port);
    grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
    int port = grpc_server_add_http2_port(sc_server, addr, creds);
    grpc_server_credentials_release(creds);
    if (port == 0) {
        SC_ERROR("gRPC worker %d: cannot bind %s", slot, addr);
        grpc_server_destroy(sc_server); /* never started: no shutdown needed */
        grpc_completion_queue_shutdown(sc_cq);
        while (grpc_completion_queue_next(sc_cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
               GRPC_QUEUE_SHUTDOWN)
            ;
        grpc_completion_queue_destroy(sc_cq);
        grpc_shutdown();
        return 1;
    }
    int nthreads = cfg->single_threaded ? 1 : (cfg->grpc_threads > 0 ? cfg->grpc_threads : 1);
    if (sc_executor_start(nthreads) != 0) {
        sc_executor_stop();
        return 1;
    }
    grpc_server_start(sc_server);
    SC_INFO("GRPC Server Binding to '%s' with %d threads", addr, nthreads);
    sc_worker_notify_ready();
    if (sc_request_call() != 0) {
        sc_stop_requested = 1; /* cannot serve: shut down cleanly */
    }

    int graceful = 30;
    const char *gt = getenv("SC_GRACEFUL_TIMEOUT");
    if (gt != NULL && atoi(gt) > 0)
        graceful = atoi(gt);
    rc = sc_serve(graceful);
    if (rc != 0) {
        /* Python threads are stuck in user code: leave without joining (the caller _exit()s). */
        SC_ERROR("gRPC worker %d: calls still running after the graceful timeout", slot);
        return 0;
    }
    sc_executor_stop();
    grpc_server_destroy(sc_server);
    grpc_completion_queue_destroy(sc_cq);
    grpc_shutdown();
    SC_INFO("gRPC worker %d (pid %d) stopped", slot, (int)getpid());
    return 0;
}
