#include "sc_dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sc_buf.h"
#include "sc_log.h"
#include "sc_message.h"
#include "sc_pybridge.h"
#include "sc_pyembed.h"
#include "sc_pyjson.h"
#include "sc_reqbody.h"
#include "sc_route.h"
#include "sc_status.h"

static PyObject *sc_handle_fn;  /* bound runtime.handle */
static PyObject *sc_error_fn;   /* bound runtime.error */
static PyObject *sc_default_fn; /* bound runtime.json_default */
static PyObject *sc_endpoint_obj[SC_EP_COUNT];

static const char sc_type_json[] = "application/json";

int sc_dispatch_init(void)
{
    PyObject *rt = sc_py_runtime();
    sc_handle_fn = PyObject_GetAttrString(rt, "handle");
    sc_error_fn = sc_handle_fn ? PyObject_GetAttrString(rt, "error") : NULL;
    sc_default_fn = sc_error_fn ? PyObject_GetAttrString(rt, "json_default") : NULL;
    if (sc_default_fn == NULL) {
        sc_py_print_error();
        return -1;
    }
    for (int i = 0; i < SC_EP_COUNT; i++) {
        sc_endpoint_obj[i] = PyLong_FromLong(i);
        if (sc_endpoint_obj[i] == NULL) {
            sc_py_print_error();
            return -1;
        }
    }
    return 0;
}

void sc_dispatch_thread_init(sc_dispatch_thread *t)
{
    sc_arena_init(&t->arena, 64 * 1024);
    /* PyGILState_Ensure registers this thread's state for the PyGILState API too, so a C
     * extension in user code that calls PyGILState_Ensure finds it instead of deadlocking. */
    PyGILState_Ensure();
    t->tstate = PyEval_SaveThread();
}

void sc_dispatch_thread_free(sc_dispatch_thread *t)
{
    sc_arena_free(&t->arena);
}


static void sc_job_set_output(sc_job *job, int status, const char *type, sc_buf *b)
{
    job->status = status;
    job->out_type = type;
    job->out = sc_buf_release(b, &job->out_len);
}

/* Last resort when even rendering an error failed (out of memory): a static body. */
static void sc_job_fail_static(sc_job *job)
{
    static const char body[] =
        "{\"status\":{\"code\":-1,\"info\":\"Internal server error\",\"reason\":\"MICROSERVICE_INTERNAL_ERROR\",\"status\":1}}\n";
    free(job->out);
    job->status = 500;
    job->out_type = sc_type_json;
    job->out = malloc(sizeof(body) - 1);
    job->out_len = job->out ? sizeof(body) - 1 : 0;
    if (job->out)
        memcpy(job->out, body, sizeof(body) - 1);
}

static void sc_job_set_status(sc_job *job, const sc_status *st)
{
    sc_buf b;
    sc_buf_init(&b);
    if (sc_status_render(st, &b) != 0) {
        sc_buf_free(&b);
        sc_job_fail_static(job);
        return;
    }
    sc_job_set_output(job, st->http, sc_type_json, &b);
}

/* GIL held. Encodes (status, body) as JSON + "\n". Returns 0, or -1 with a Python error set. */
static int sc_encode_json(sc_job *job, long status, PyObject *body)
{
    sc_buf b;
    sc_buf_init(&b);
    if (sc_pyjson_encode(body, sc_default_fn, &b) < 0 || sc_buf_append_char(&b, '\n') != 0) {
        sc_buf_free(&b);
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        return -1;
    }
    sc_job_set_output(job, (int)status, sc_type_json, &b);
    return 0;
}

/* GIL held, a Python exception set: asks the runtime for the error response and encodes it. */
static void sc_encode_exception(sc_job *job)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL && value != NULL)
        PyException_SetTraceback(value, tb);
    PyObject *res = value ? PyObject_CallOneArg(sc_error_fn, value) : NULL;
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    long status = 500;
    if (res != NULL && PyTuple_Check(res) && PyTuple_GET_SIZE(res) == 2 &&
        (status = PyLong_AsLong(PyTuple_GET_ITEM(res, 0))) > 0 &&
        sc_encode_json(job, status, PyTuple_GET_ITEM(res, 1)) == 0) {
        Py_DECREF(res);
        return;
    }
    Py_XDECREF(res);
    sc_py_print_error();
    sc_job_fail_static(job);
}

/* GIL held: copies a list of (str, str) header pairs into job->out_headers, leaving out the
 * ones the transport owns (Content-Length, Connection, Transfer-Encoding). 0, or -1 with a
 * Python error set. */
static int sc_take_headers(sc_job *job, PyObject *headers)
{
    PyObject *seq = PySequence_Fast(headers, "headers must be a sequence");
    if (seq == NULL)
        return -1;
    sc_buf b;
    sc_buf_init(&b);
    size_t n = 0;
    int rc = 0;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq) && rc == 0; i++) {
        PyObject *pair = PySequence_Fast_GET_ITEM(seq, i);
        const char *name, *value;
        if (!PyArg_ParseTuple(pair, "ss", &name, &value)) {
            rc = -1;
            break;
        }
        if (strcasecmp(name, "Content-Length") == 0 || strcasecmp(name, "Connection") == 0 ||
            strcasecmp(name, "Transfer-Encoding") == 0)
            continue;
        if (sc_buf_append(&b, name, strlen(name) + 1) != 0 || sc_buf_append(&b, value, strlen(value) + 1) != 0) {
            PyErr_NoMemory();
            rc = -1;
        }
        n++;
    }
    Py_DECREF(seq);
    if (rc != 0) {
        sc_buf_free(&b);
        return -1;
    }
    free(job->out_headers);
    job->out_headers = sc_buf_release(&b, NULL);
    job->out_nheaders = n;
    return 0;
}

/* GIL held: interprets runtime.handle()'s (status, body, mode). */
static void sc_encode_result(sc_job *job, PyObject *res)
{
    if (!PyTuple_Check(res) || PyTuple_GET_SIZE(res) != 3) {
        PyErr_SetString(PyExc_TypeError, "runtime.handle must return (status, body, mode)");
        sc_encode_exception(job);
        return;
    }
    long status = PyLong_AsLong(PyTuple_GET_ITEM(res, 0));
    long mode = PyLong_AsLong(PyTuple_GET_ITEM(res, 2));
    if (PyErr_Occurred()) {
        sc_encode_exception(job);
        return;
    }
    PyObject *body = PyTuple_GET_ITEM(res, 1);
    if (mode == 2) {
        /* a user error handler's own response: (bytes, [(name, value), ...]) */
        if (!PyTuple_Check(body) || PyTuple_GET_SIZE(body) != 2 || sc_take_headers(job, PyTuple_GET_ITEM(body, 1)) < 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "runtime: mode 2 body must be (bytes, headers)");
            sc_encode_exception(job);
            return;
        }
        body = PyTuple_GET_ITEM(body, 0);
        mode = 1;
    }
    if (mode == 1) {
        /* passthrough: the bytes go out as they are */
        char *p = NULL;
        Py_ssize_t n = 0;
        if (PyBytes_Check(body)) {
            p = PyBytes_AS_STRING(body);
            n = PyBytes_GET_SIZE(body);
        } else if (PyUnicode_Check(body)) {
            p = (char *)PyUnicode_AsUTF8AndSize(body, &n);
            if (p == NULL) {
                sc_encode_exception(job);
                return;
            }
        } else {
            PyErr_SetString(PyExc_TypeError, "passthrough body must be bytes or str");
            sc_encode_exception(job);
            return;
        }
        sc_buf b;
        sc_buf_init(&b);
        if (sc_buf_reserve(&b, (size_t)n) != 0) {
            sc_job_fail_static(job);
            return;
        }
        if (n > 0)
            sc_buf_append(&b, p, (size_t)n);
        sc_job_set_output(job, (int)status, sc_type_json, &b);
        return;
    }
    if (sc_encode_json(job, status, body) < 0)
        sc_encode_exception(job);
}

static int sc_endpoint_takes_body(int ep)
{
    return ep != SC_EP_HEALTH_STATUS && ep != SC_EP_METADATA;
}

/* Endpoints whose request is one SeldonMessage, so pre-extracted parts apply. Feedback and
 * aggregate bodies are other messages: the runtime always reads those whole. */
static int sc_endpoint_takes_parts(int ep)
{
    return ep == SC_EP_PREDICT || ep == SC_EP_TRANSFORM_INPUT || ep == SC_EP_TRANSFORM_OUTPUT || ep == SC_EP_ROUTE;
}

void sc_dispatch_run(sc_dispatch_thread *t, sc_job *job)
{
    sc_arena_reset(&t->arena);
    sc_status st = {0};
    sc_body body = {0};
    sc_message msg = {0};
    int have_body = sc_endpoint_takes_body(job->endpoint);
    int use_parts = 0;

    /* Phase 1, no GIL: bytes → document → message. */
    if (have_body) {
        sc_reqbody_in in = sc_job_body_in(job);
        int rc = sc_reqbody_decode(&t->arena, &in, &body, &st);
        if (rc == -EINVAL) {
            sc_job_set_status(job, &st);
            return;
        }
        if (rc != 0) {
            sc_status_set(&st, 500, SC_REASON_INTERNAL, "out of memory");
            sc_job_set_status(job, &st);
            return;
        }
        if (body.kind == SC_BODY_JSON && sc_endpoint_takes_parts(job->endpoint) && !sc_py_wants_dict(job->endpoint)) {
            if (sc_message_from_json(&t->arena, body.json, &msg) != 0) {
                sc_status_set(&st, 500, SC_REASON_INTERNAL, "out of memory");
                sc_job_set_status(job, &st);
                return;
            }
            use_parts = msg.kind != SC_PAYLOAD_NONE;
        }
    }

    /* Phase 2, GIL held: Python objects, the user's code, the encoding. */
    PyEval_RestoreThread(t->tstate);
    PyObject *request = Py_None, *parts = Py_None;
    Py_INCREF(Py_None);
    Py_INCREF(Py_None);
    PyObject *res = NULL;
    if (have_body) {
        if (use_parts) {
            Py_DECREF(parts);
            parts = sc_py_parts(&msg);
        } else {
            Py_DECREF(request);
            if (body.kind == SC_BODY_JSON)
                request = sc_py_from_json(body.json);
            else if (body.kind == SC_BODY_PASS_STR)
                request = PyUnicode_DecodeUTF8(body.raw, (Py_ssize_t)body.raw_len, "surrogatepass");
            else
                request = PyBytes_FromStringAndSize(body.raw, (Py_ssize_t)body.raw_len);
        }
    }
    if (request != NULL && parts != NULL) {
        PyObject *args[3] = {sc_endpoint_obj[job->endpoint], request, parts};
        res = PyObject_Vectorcall(sc_handle_fn, args, 3, NULL);
    }
    if (res != NULL) {
        sc_encode_result(job, res);
        Py_DECREF(res);
    } else {
        sc_encode_exception(job);
    }
    Py_XDECREF(request);
    Py_XDECREF(parts);
    t->tstate = PyEval_SaveThread();
}
