#include "sc_grpc_worker.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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

#include "sc_grpc_fast.h"
#include "sc_log.h"
#include "sc_metrics.h"
#include "sc_metrics_builtin.h"
#include "sc_pb.h"
#include "sc_pyembed.h"
#include "sc_trace_grpc.h"
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
    SC_GM_HEALTH_WATCH = 13, /* server stream, answered on the CQ thread without Python */
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
    {"/grpc.health.v1.Health/Watch", SC_GM_HEALTH_WATCH, 0},
    {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", SC_GM_REFLECTION_V1ALPHA, 1},
    {"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", SC_GM_REFLECTION_V1, 1},
};

/* What the call's outstanding batch is; the completion is dispatched on it. Exactly one batch
 * is outstanding per call at any time, so whoever owns that batch owns the call — except for
 * Health/Watch, which also keeps a RECV_CLOSE_ON_SERVER batch open (see "Health/Watch"). */
enum { SC_ST_REQUESTED, SC_ST_RECV, SC_ST_DONE, SC_ST_WATCH_SEND, SC_ST_WATCH_IDLE, SC_ST_WATCH_FINAL };

/* Completion-queue tags: every batch of a call is tagged with one of the call's two tags. */
enum { SC_TAG_MAIN, SC_TAG_WATCH_CLOSE };
struct sc_gcall;
typedef struct {
    int kind;
    struct sc_gcall *call;
} sc_gtag;

typedef struct sc_gcall {
    struct sc_gcall *next; /* open-watch list (Health/Watch only) */
    struct sc_gcall *prev; /* open-watch list only */
    sc_gtag tag;           /* kind SC_TAG_MAIN */
    sc_gtag close_tag;     /* kind SC_TAG_WATCH_CLOSE */
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
    int watch_pending; /* Health/Watch: batches not completed yet */
    int watch_closed;  /* Health/Watch: RECV_CLOSE_ON_SERVER completed (client gone or status sent) */
    sc_trace_span *trace; /* tracing hook: the call's span, or NULL */
    double start;         /* monotonic seconds when the call arrived (built-in metrics) */
} sc_gcall;

/* Process-wide state of the worker (one server, one completion queue). */
static grpc_server *sc_server;
static grpc_completion_queue *sc_cq;
/* Registered with the server but never given a call: the main thread polls it, which makes it
 * read the sockets, while every serving thread is stuck in a long Python call (see sc_serve). */
static grpc_completion_queue *sc_backup_cq;
static volatile sig_atomic_t sc_stop_requested;
static atomic_int sc_shutting_down; /* set once by the main thread */
static int sc_shutdown_tag;  /* its address tags grpc_server_shutdown_and_notify */
static PyObject *sc_handle_grpc; /* bound runtime.handle_grpc */
static PyObject *sc_handle_grpc_parts; /* bound runtime.handle_grpc_parts; NULL: no fast path */
static pthread_mutex_t sc_watch_lock = PTHREAD_MUTEX_INITIALIZER; /* every Health/Watch step */
static sc_gcall *sc_watches; /* open Health/Watch calls, under sc_watch_lock */

/* One serving thread (--grpc-threads of them): it polls the completion queue and runs the
 * Python of the calls it receives itself (see "serving threads" below). */
typedef struct {
    pthread_t id;
    PyThreadState *tstate;
    sc_grpc_fast_ctx fast; /* decoding memory, reused call after call */
    atomic_int in_call;    /* inside sc_execute (Python) */
    atomic_uint calls;     /* calls started, to tell a long call from a stream of short ones */
    unsigned seen_calls;   /* main thread only: `calls` at its previous look */
} sc_thread;

/* ---- calls ---------------------------------------------------------------------------------- */

static void sc_gcall_free(sc_gcall *c)
{
    sc_trace_span_discard(c->trace); /* tracing hook: a call freed before its status */
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
    sc_trace_grpc_end(c->trace, (int)code, details, details_len); /* tracing hook: the span ends */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    sc_builtin_grpc(c->method != NULL ? c->method->path + 1 : "unknown", (int)code,
                    (double)now.tv_sec + (double)now.tv_nsec / 1e9 - c->start);
    c->trace = NULL;
    c->state = SC_ST_DONE;
    grpc_call_error err = grpc_call_start_batch(c->call, ops, n, &c->tag, NULL);
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
    grpc_call_error err = grpc_call_start_batch(c->call, ops, n, &c->tag, NULL);
    if (err != GRPC_CALL_OK) {
        SC_ERROR("grpc: cannot receive (%d)", (int)err);
        grpc_call_cancel(c->call, NULL);
        sc_gcall_free(c);
    }
}

/* Whether the method takes a SeldonMessage that the fast path may decode (sc_grpc_fast.h). */
static int sc_fast_method(int method)
{
    return method == SC_GM_PREDICT || method == SC_GM_TRANSFORM_INPUT || method == SC_GM_TRANSFORM_OUTPUT ||
           method == SC_GM_ROUTE;
}

/* GIL held. runtime.handle_grpc_parts(method, parts) for a request the fast path decoded.
 * Returns its answer, or NULL: with an exception set on a real error, without one when the
 * call must take the general path (the runtime answered None: a raw or deprecated method, a
 * meta it cannot read; or names that are not UTF-8). Nothing of the model has run then. */
static PyObject *sc_call_fast(sc_gcall *c, const sc_grpc_parts *parts)
{
    PyObject *args = sc_grpc_fast_to_python(parts);
    if (args == NULL)
        return NULL;
    PyObject *r = PyObject_CallFunction(sc_handle_grpc_parts, "iO", c->method->method, args);
    Py_DECREF(args);
    if (r == Py_None) {
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

/* GIL held. Calls runtime.handle_grpc_parts(method, parts) when `parts` is not NULL, else (or
 * when that declines) runtime.handle_grpc(method, request), and stores the answer in the call.
 * Returns the gRPC status; details are copied into `details` (NUL-terminated, truncated). */
static grpc_status_code sc_call_python(sc_gcall *c, const sc_grpc_parts *parts, char *details, size_t cap)
{
    static const char internal[] = "Exception calling application: internal error in the gRPC runtime";
    grpc_status_code code = GRPC_STATUS_UNKNOWN;
    details[0] = '\0';
    PyObject *r = parts != NULL ? sc_call_fast(c, parts) : NULL;
    if (r == NULL && !PyErr_Occurred()) {
        PyObject *req = PyBytes_FromStringAndSize((const char *)GRPC_SLICE_START_PTR(c->request),
                                                  (Py_ssize_t)GRPC_SLICE_LENGTH(c->request));
        r = req ? PyObject_CallFunction(sc_handle_grpc, "iO", c->method->method, req) : NULL;
        Py_XDECREF(req);
    }
    long pycode;
    const char *det, *body;
    Py_ssize_t det_len, body_len;
    if (r == NULL || !PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 3 ||
        (pycode = PyLong_AsLong(PyTuple_GET_ITEM(r, 0))) < 0 || pycode > 16 ||
        (det = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(r, 1), &det_len)) == NULL ||
        PyBytes_AsStringAndSize(PyTuple_GET_ITEM(r, 2), (char **)&body, &body_len) < 0) {
        /* handle_grpc never raises by contract: this is a bug of ours, keep the trace. */
        if (PyErr_Occurred())
            sc_py_print_error();
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

/* A received request: Python (the GIL taken once), then the answer. Serving thread. */
static void sc_execute(sc_gcall *c, sc_thread *t)
{
    char details[4096];
    sc_grpc_parts parts;
    /* Decoded here, before taking the GIL, so other serving threads run Python meanwhile. */
    int use_fast = sc_handle_grpc_parts != NULL && sc_fast_method(c->method->method) &&
                   sc_grpc_fast_decode(&t->fast, GRPC_SLICE_START_PTR(c->request), GRPC_SLICE_LENGTH(c->request),
                                       &parts) == SC_GRPC_FAST_YES;
    PyEval_RestoreThread(t->tstate);
    grpc_status_code code = sc_call_python(c, use_fast ? &parts : NULL, details, sizeof(details));
    PyEval_SaveThread();
    sc_grpc_fast_reset(&t->fast);
    grpc_slice_unref(c->request);
    c->request = grpc_empty_slice();
    if (c->method->streaming && code == GRPC_STATUS_OK) {
        sc_gcall_recv(c); /* reply and wait for the client's next request */
        return;
    }
    sc_gcall_finish(c, code, details, strlen(details));
}

/* ---- events: whichever serving thread polled the completion (one batch per call at a time, so
 * one thread per call at a time; Health/Watch state is under sc_watch_lock) ------------------ */

/* Asks gRPC for the next incoming call. 0, or -1 when the server no longer accepts calls. */
static int sc_request_call(void)
{
    sc_gcall *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        SC_ERROR("grpc: out of memory");
        return -1;
    }
    c->state = SC_ST_REQUESTED;
    c->tag = (sc_gtag){SC_TAG_MAIN, c};
    c->close_tag = (sc_gtag){SC_TAG_WATCH_CLOSE, c};
    c->request = grpc_empty_slice();
    grpc_call_details_init(&c->details);
    grpc_metadata_array_init(&c->request_md);
    grpc_call_error err =
        grpc_server_request_call(sc_server, &c->call, &c->details, &c->request_md, sc_cq, sc_cq, &c->tag);
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

/* ---- Health/Watch: a server stream that stays open (no Python; every step under sc_watch_lock)
 *
 *
 * The first message tells the current status: SERVING for the server ("") and every service of
 * sc_methods (the port only opens after load(), as for Check), SERVICE_UNKNOWN for any other
 * name (the standard service's Watch, which does not fail the call). The call then stays open
 * with a RECV_CLOSE_ON_SERVER batch until the client cancels; when the server stops, every open
 * watch is told NOT_SERVING and ended with status OK, so draining never waits on a watcher.
 * Two batches can be outstanding (the sends and the close), counted in watch_pending; the call
 * is freed when both have completed. */

enum { SC_HEALTH_SERVING = 1, SC_HEALTH_NOT_SERVING = 2, SC_HEALTH_SERVICE_UNKNOWN = 3 };

/* Whether `name` is a service of ours: some method path is "/<name>/<method>". */
static int sc_service_known(const uint8_t *name, size_t len)
{
    if (len == 0)
        return 1; /* the server as a whole */
    for (size_t i = 0; i < sizeof(sc_methods) / sizeof(sc_methods[0]); i++) {
        const char *path = sc_methods[i].path;
        if (strlen(path) > len + 1 && memcmp(path + 1, name, len) == 0 && path[len + 1] == '/')
            return 1;
    }
    return 0;
}

/* HealthCheckRequest{string service = 1} -> the status to report, or -1: not that message. */
static int sc_watch_status(grpc_slice request)
{
    sc_pb_reader r;
    sc_pb_field f;
    const uint8_t *name = NULL;
    size_t len = 0;
    int rc;
    sc_pb_reader_init(&r, GRPC_SLICE_START_PTR(request), GRPC_SLICE_LENGTH(request));
    while ((rc = sc_pb_next(&r, &f)) == 1) {
        if (f.number == 1) {
            if (f.wire_type != SC_PB_LEN)
                return -1;
            name = f.data; /* a repeated singular field: the last one wins */
            len = f.len;
        }
    }
    if (rc < 0)
        return -1;
    return sc_service_known(name, len) ? SC_HEALTH_SERVING : SC_HEALTH_SERVICE_UNKNOWN;
}

/* HealthCheckResponse{ServingStatus status = 1}. */
static grpc_byte_buffer *sc_watch_response(int status)
{
    uint8_t msg[2] = {1 << 3 | SC_PB_VARINT, (uint8_t)status};
    grpc_slice s = grpc_slice_from_copied_buffer((const char *)msg, sizeof(msg));
    grpc_byte_buffer *b = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    return b;
}

static void sc_watch_release(sc_gcall *c)
{
    if (--c->watch_pending > 0)
        return;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        sc_watches = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    sc_gcall_free(c);
}

/* Sends NOT_SERVING and the final status OK (server stopping). */
static void sc_watch_end(sc_gcall *c)
{
    grpc_op ops[2];
    memset(ops, 0, sizeof(ops));
    c->send_buf = sc_watch_response(SC_HEALTH_NOT_SERVING);
    ops[0].op = GRPC_OP_SEND_MESSAGE;
    ops[0].data.send_message.send_message = c->send_buf;
    ops[1].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[1].data.send_status_from_server.status = GRPC_STATUS_OK;
    c->state = SC_ST_WATCH_FINAL;
    c->watch_pending++;
    grpc_call_error err = grpc_call_start_batch(c->call, ops, 2, &c->tag, NULL);
    if (err != GRPC_CALL_OK) {
        SC_ERROR("grpc: cannot end a health watch (%d)", (int)err);
        grpc_call_cancel(c->call, NULL); /* completes the close batch */
        sc_watch_release(c);
    }
}

/* The Watch request has arrived (c->request). */
static void sc_watch_start_locked(sc_gcall *c)
{
    int status = sc_watch_status(c->request);
    if (status < 0) {
        static const char bad[] = "Failed to parse the request as grpc.health.v1.HealthCheckRequest";
        sc_gcall_finish(c, GRPC_STATUS_INVALID_ARGUMENT, bad, strlen(bad));
        return;
    }
    grpc_op ops[2];
    memset(ops, 0, sizeof(ops));
    c->send_buf = sc_watch_response(status);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = c->send_buf;
    c->sent_initial_md = 1;
    c->state = SC_ST_WATCH_SEND;
    grpc_call_error err = grpc_call_start_batch(c->call, ops, 2, &c->tag, NULL);
    if (err != GRPC_CALL_OK) {
        SC_ERROR("grpc: cannot answer a health watch (%d)", (int)err);
        grpc_call_cancel(c->call, NULL);
        sc_gcall_free(c);
        return;
    }
    c->watch_pending = 1;
    c->next = sc_watches; /* listed before the close batch can complete */
    c->prev = NULL;
    if (sc_watches != NULL)
        sc_watches->prev = c;
    sc_watches = c;
    memset(ops, 0, sizeof(ops));
    ops[0].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[0].data.recv_close_on_server.cancelled = &c->cancelled;
    err = grpc_call_start_batch(c->call, ops, 1, &c->close_tag, NULL);
    if (err != GRPC_CALL_OK) {
        SC_ERROR("grpc: cannot wait on a health watch (%d)", (int)err);
        grpc_call_cancel(c->call, NULL); /* fails the send batch, whose completion frees the call */
        c->watch_closed = 1;
        return;
    }
    c->watch_pending++;
}

static void sc_watch_start(sc_gcall *c)
{
    pthread_mutex_lock(&sc_watch_lock);
    sc_watch_start_locked(c);
    pthread_mutex_unlock(&sc_watch_lock);
}

/* A completion of one of a watch's batches (two may complete at once on two threads). */
static void sc_watch_on_event(sc_gcall *c, int kind)
{
    pthread_mutex_lock(&sc_watch_lock);
    if (kind == SC_TAG_WATCH_CLOSE) {
        c->watch_closed = 1; /* the client cancelled, or our final status went out */
        sc_watch_release(c);
        pthread_mutex_unlock(&sc_watch_lock);
        return;
    }
    if (c->send_buf != NULL) {
        grpc_byte_buffer_destroy(c->send_buf);
        c->send_buf = NULL;
    }
    if (c->state == SC_ST_WATCH_SEND) {
        c->state = SC_ST_WATCH_IDLE;
        if (atomic_load(&sc_shutting_down) && !c->watch_closed)
            sc_watch_end(c); /* the server began stopping while the first answer was in flight */
    }
    sc_watch_release(c);
    pthread_mutex_unlock(&sc_watch_lock);
}

/* Server stopping: end every open watch whose first answer has gone out (the others end when
 * it has, in sc_watch_on_event). */
static void sc_watch_end_all(void)
{
    pthread_mutex_lock(&sc_watch_lock);
    for (sc_gcall *c = sc_watches; c != NULL; c = c->next)
        if (c->state == SC_ST_WATCH_IDLE && !c->watch_closed)
            sc_watch_end(c); /* never frees c: its close batch is still pending */
    pthread_mutex_unlock(&sc_watch_lock);
}

/* ---- calls ---------------------------------------------------------------------------------- */

static void sc_on_new_call(sc_gcall *c, int ok)
{
    if (!ok) { /* the server is shutting down: no call was created */
        sc_gcall_free(c);
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    c->start = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    /* Keep exactly one request outstanding; gRPC queues further incoming calls meanwhile. */
    if (!atomic_load(&sc_shutting_down) && sc_request_call() != 0)
        SC_ERROR("grpc: no longer accepting calls");
    c->method = sc_find_method(c->details.method);
    if (c->method == NULL) {
        sc_gcall_finish(c, GRPC_STATUS_UNIMPLEMENTED, "Method not found!", strlen("Method not found!"));
        return;
    }
    c->trace = sc_trace_grpc_begin(c->call, &c->details, &c->request_md); /* tracing hook */
    sc_gcall_recv(c);
}

static void sc_on_message(sc_gcall *c, int ok, sc_thread *t)
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
    if (c->method->method == SC_GM_HEALTH_WATCH)
        sc_watch_start(c);
    else {
        atomic_fetch_add(&t->calls, 1);
        atomic_store(&t->in_call, 1);
        sc_execute(c, t);
        atomic_store(&t->in_call, 0);
    }
}

static void sc_on_event(grpc_event ev, sc_thread *t)
{
    const sc_gtag *tag = ev.tag;
    sc_gcall *c = tag->call;
    switch (c->state) {
    case SC_ST_REQUESTED:
        sc_on_new_call(c, ev.success);
        break;
    case SC_ST_RECV:
        sc_on_message(c, ev.success, t);
        break;
    case SC_ST_WATCH_SEND:
    case SC_ST_WATCH_IDLE:
    case SC_ST_WATCH_FINAL:
        sc_watch_on_event(c, tag->kind);
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

/* ---- serving threads ------------------------------------------------------------------------
 *
 * Each of the --grpc-threads threads polls the completion queue and handles what it gets itself,
 * Python included: no hand-over between an I/O thread and an executor, which for small messages
 * cost as much as the call (two context switches and a wake-up per call). While all of them are
 * in Python nothing reads the sockets: requests wait in the kernel, as they would wait in a queue
 * for a free executor. The main thread waits for the stop signal, polls in their stead while
 * all of them are stuck in long calls (sc_main_tick), and drives the drain. */

static struct {
    pthread_mutex_t lock;
    int running;
    int started;
    sc_thread *threads;
} sc_pool = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void *sc_thread_main(void *arg)
{
    sc_thread *t = arg;
    /* PyGILState_Ensure registers the thread state for the PyGILState API too, so a C extension
     * in user code that calls PyGILState_Ensure finds it instead of deadlocking. */
    PyGILState_Ensure();
    t->tstate = PyEval_SaveThread();
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(sc_cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            break;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        if (ev.tag == &sc_shutdown_tag)
            grpc_completion_queue_shutdown(sc_cq); /* every call is finished: nothing else comes */
        else
            sc_on_event(ev, t);
    }
    pthread_mutex_lock(&sc_pool.lock);
    sc_pool.running--;
    pthread_mutex_unlock(&sc_pool.lock);
    return NULL;
}

static int sc_threads_start(int nthreads)
{
    sc_pool.threads = calloc((size_t)nthreads, sizeof(sc_thread));
    if (sc_pool.threads == NULL)
        return -1;
    for (int i = 0; i < nthreads; i++) {
        sc_thread *t = &sc_pool.threads[i];
        sc_grpc_fast_ctx_init(&t->fast);
        pthread_mutex_lock(&sc_pool.lock);
        sc_pool.running++;
        pthread_mutex_unlock(&sc_pool.lock);
        int rc = pthread_create(&t->id, NULL, sc_thread_main, t);
        if (rc != 0) {
            SC_ERROR("cannot start gRPC thread: %s", strerror(rc));
            pthread_mutex_lock(&sc_pool.lock);
            sc_pool.running--;
            pthread_mutex_unlock(&sc_pool.lock);
            return -1;
        }
        sc_pool.started = i + 1;
    }
    return 0;
}

/* Whether every serving thread has been inside the same Python call since the previous look
 * (200 ms ago). Main thread. */
static int sc_threads_stuck(void)
{
    int stuck = 1;
    for (int i = 0; i < sc_pool.started; i++) {
        sc_thread *t = &sc_pool.threads[i];
        unsigned calls = atomic_load(&t->calls);
        if (!atomic_load(&t->in_call) || calls != t->seen_calls)
            stuck = 0;
        t->seen_calls = calls;
    }
    return stuck && sc_pool.started > 0;
}

/* One 200 ms tick of the main thread. Normally it sleeps. While every serving thread is stuck in
 * a long Python call, nobody else reads the sockets: keepalive pings would go unanswered (the
 * peer, or the server's own watchdog after 20 s, then drops the connection and its calls) and
 * new connections would wait. So it polls the backup queue instead, which makes gRPC core do
 * that I/O on this thread; completions still go to the serving threads' queue. */
static void sc_main_tick(void)
{
    if (sc_threads_stuck()) {
        grpc_event ev = grpc_completion_queue_next(
            sc_backup_cq, gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(200, GPR_TIMESPAN)), NULL);
        (void)ev; /* nothing is ever queued there: only GRPC_QUEUE_TIMEOUT */
    } else {
        const struct timespec tick = {0, 200 * 1000 * 1000};
        nanosleep(&tick, NULL); /* a signal interrupts it */
    }
}

/* Waits until every serving thread has ended, at most `seconds`; then joins them. 0, or -1 on
 * timeout (threads still inside Python, which cannot be interrupted, are left alone). */
static int sc_threads_wait(int seconds)
{
    struct timespec now, deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += seconds;
    for (;;) {
        pthread_mutex_lock(&sc_pool.lock);
        int running = sc_pool.running;
        pthread_mutex_unlock(&sc_pool.lock);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (running == 0 || now.tv_sec > deadline.tv_sec ||
            (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
            break;
        sc_main_tick();
    }
    pthread_mutex_lock(&sc_pool.lock);
    int done = sc_pool.running == 0;
    pthread_mutex_unlock(&sc_pool.lock);
    if (!done)
        return -1;
    for (int i = 0; i < sc_pool.started; i++) {
        pthread_join(sc_pool.threads[i].id, NULL);
        sc_grpc_fast_ctx_free(&sc_pool.threads[i].fast);
    }
    free(sc_pool.threads);
    sc_pool.threads = NULL;
    sc_pool.started = 0;
    return 0;
}

/* Main thread: serves until a stop signal, then drains. Returns 0, or 1 when the drain overran
 * the grace period and had to give up on calls still running in Python. */
static int sc_serve(int graceful_timeout)
{
    while (!sc_stop_requested)
        sc_main_tick();
    SC_INFO("gRPC worker %d: stopping, draining in-flight calls", (int)getpid());
    atomic_store(&sc_shutting_down, 1);
    grpc_server_shutdown_and_notify(sc_server, sc_cq, &sc_shutdown_tag);
    sc_watch_end_all(); /* watchers would otherwise hold the drain until the timeout */
    if (sc_threads_wait(graceful_timeout) == 0)
        return 0;
    SC_WARN("gRPC worker %d: graceful timeout, cancelling remaining calls", (int)getpid());
    grpc_server_cancel_all_calls(sc_server);
    return sc_threads_wait(5) == 0 ? 0 : 1; /* calls stuck in Python cannot be interrupted */
}

/* Shuts down and destroys a completion queue that no thread polls any more. */
static void sc_cq_destroy(grpc_completion_queue *cq)
{
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN)
        ;
    grpc_completion_queue_destroy(cq);
}

/* GIL held: the bound runtime.handle_grpc, after runtime.grpc_init() built the message
 * classes (a failure there is a boot failure, like load()). The fast path (sc_grpc_fast.h) is
 * on unless SC_GRPC_FAST=0, which serves every call the general way (tests compare the two). */
static int sc_python_init(void)
{
    PyObject *rt = sc_py_runtime();
    const char *fast = getenv("SC_GRPC_FAST");
    int use_fast = fast == NULL || strcmp(fast, "0") != 0;
    /* Before grpc_init(), which looks the encoder up in _seldon_core_c. */
    if (use_fast && sc_grpc_fast_register() < 0) {
        sc_py_print_error();
        return -1;
    }
    PyObject *r = PyObject_CallMethod(rt, "grpc_init", NULL);
    if (r == NULL) {
        sc_py_print_error();
        return -1;
    }
    Py_DECREF(r);
    sc_handle_grpc = PyObject_GetAttrString(rt, "handle_grpc");
    if (sc_handle_grpc == NULL) {
        sc_py_print_error();
        return -1;
    }
    if (use_fast) {
        sc_handle_grpc_parts = PyObject_GetAttrString(rt, "handle_grpc_parts");
        if (sc_handle_grpc_parts == NULL) /* an older runtime: every call the general way */
            PyErr_Clear();
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
    if (sc_trace_worker_start(cfg) != 0) /* tracing hook: this worker's span reporter */
        return SC_EXIT_BOOT;

    /* Only now, in the child and after load(): gRPC core starts threads (DESIGN "Processes"). */
    grpc_init();
    grpc_arg args[6];
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
    /* gRPC's server keepalive (default: a ping every 2 h, 20 s to answer), settable for tests of
     * the backup poller and for deployments that want dead peers found sooner. */
    const char *ka_keys[] = {GRPC_ARG_KEEPALIVE_TIME_MS, GRPC_ARG_KEEPALIVE_TIMEOUT_MS};
    const char *ka_envs[] = {"SC_GRPC_KEEPALIVE_TIME_MS", "SC_GRPC_KEEPALIVE_TIMEOUT_MS"};
    for (size_t i = 0; i < 2; i++) {
        const char *v = getenv(ka_envs[i]);
        if (v != NULL && atoi(v) > 0) {
            args[nargs].type = GRPC_ARG_INTEGER;
            args[nargs].key = (char *)ka_keys[i];
            args[nargs].value.integer = atoi(v);
            nargs++;
        }
    }
    grpc_channel_args channel_args = {.num_args = nargs, .args = args};
    int rc = 1;
    sc_cq = grpc_completion_queue_create_for_next(NULL);
    sc_backup_cq = grpc_completion_queue_create_for_next(NULL);
    sc_server = grpc_server_create(&channel_args, NULL);
    grpc_server_register_completion_queue(sc_server, sc_cq, NULL);
    grpc_server_register_completion_queue(sc_server, sc_backup_cq, NULL);
    char addr[64];
    snprintf(addr, sizeof(addr), "0.0.0.0:%d", cfg->grpc_port);
    grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
    int port = grpc_server_add_http2_port(sc_server, addr, creds);
    grpc_server_credentials_release(creds);
    int nthreads = cfg->single_threaded ? 1 : (cfg->grpc_threads > 0 ? cfg->grpc_threads : 1);
    /* The threads wait on the queue of the not yet started server. */
    if (port == 0 || sc_threads_start(nthreads) != 0) {
        if (port == 0)
            SC_ERROR("gRPC worker %d: cannot bind %s", slot, addr);
        grpc_server_destroy(sc_server); /* never started: no shutdown needed */
        if (sc_pool.started == 0) {
            sc_cq_destroy(sc_cq);
        } else {
            grpc_completion_queue_shutdown(sc_cq); /* the threads see it and end */
            if (sc_threads_wait(5) != 0)
                return 1; /* cannot happen: nothing was served */
            grpc_completion_queue_destroy(sc_cq);
        }
        sc_cq_destroy(sc_backup_cq);
        grpc_shutdown();
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
    sc_trace_worker_stop(); /* tracing hook: send the spans still queued */
    if (rc != 0) {
        /* Python threads are stuck in user code: leave without joining (the caller _exit()s). */
        SC_ERROR("gRPC worker %d: calls still running after the graceful timeout", slot);
        return 0;
    }
    grpc_server_destroy(sc_server);
    grpc_completion_queue_destroy(sc_cq); /* already shut down and drained by the threads */
    sc_cq_destroy(sc_backup_cq);
    grpc_shutdown();
    SC_INFO("gRPC worker %d (pid %d) stopped", slot, (int)getpid());
    return 0;
}
