#include "sc_message.h"

#include <errno.h>
#include <string.h>

#include "sc_form.h"

/* Element classes seen while inspecting, combined as numpy's type promotion does. */
enum { SC_SEEN_BOOL = 1, SC_SEEN_INT = 2, SC_SEEN_REAL = 4 };

static int sc_ndview_check(const sc_json *n, const sc_ndview *v, int depth, int *seen)
{
    if (depth == v->ndim) {
        switch (n->type) {
        case SC_JSON_TRUE:
        case SC_JSON_FALSE:
            *seen |= SC_SEEN_BOOL;
            return 1;
        case SC_JSON_INT:
            *seen |= SC_SEEN_INT;
            return 1;
        case SC_JSON_REAL:
            *seen |= SC_SEEN_REAL;
            return 1;
        default:
            /* strings, nulls, big ints, nested objects: numpy's own rules apply */
            return 0;
        }
    }
    if (n->type != SC_JSON_ARRAY || (int64_t)n->u.a.len != v->shape[depth])
        return 0;
    for (size_t i = 0; i < n->u.a.len; i++) {
        if (!sc_ndview_check(n->u.a.items[i], v, depth + 1, seen))
            return 0;
    }
    return 1;
}

void sc_ndview_inspect(const sc_json *node, sc_ndview *v)
{
    memset(v, 0, sizeof(*v));
    v->node = node;
    if (node == NULL || node->type != SC_JSON_ARRAY)
        return;
    /* The shape is read down the first elements; every other element must then agree. An empty
     * array ends the descent (numpy gives shape (..., 0) float64). */
    const sc_json *n = node;
    while (n->type == SC_JSON_ARRAY) {
        if (v->ndim == SC_MAX_NDIM)
            return;
        v->shape[v->ndim++] = (int64_t)n->u.a.len;
        if (n->u.a.len == 0)
            break;
        n = n->u.a.items[0];
    }
    int empty = v->shape[v->ndim - 1] == 0;
    int seen = 0;
    if (empty) {
        /* numpy accepts it only if every array at every level has the same length. */
        const sc_json *stack[SC_MAX_NDIM + 1];
        size_t idx[SC_MAX_NDIM + 1];
        int d = 0;
        stack[0] = node;
        idx[0] = 0;
        while (d >= 0) {
            const sc_json *cur = stack[d];
            if (cur->type != SC_JSON_ARRAY || (int64_t)cur->u.a.len != v->shape[d])
                return;
            if (d == v->ndim - 1 || idx[d] >= cur->u.a.len) {
                d--;
                if (d >= 0)
                    idx[d]++;
                continue;
            }
            stack[d + 1] = cur->u.a.items[idx[d]];
            idx[d + 1] = 0;
            d++;
        }
        v->dtype = SC_DT_FLOAT64;
        v->count = 0;
        v->ok = 1;
        return;
    }
    if (!sc_ndview_check(node, v, 0, &seen))
        return;
    if (seen & SC_SEEN_REAL)
        v->dtype = SC_DT_FLOAT64;
    else if (seen & SC_SEEN_INT)
        v->dtype = SC_DT_INT64;
    else
        v->dtype = SC_DT_BOOL;
    size_t count = 1;
    for (int i = 0; i < v->ndim; i++)
        count *= (size_t)v->shape[i];
    v->count = count;
    v->ok = 1;
}

static void sc_ndview_fill_rec(const sc_json *n, sc_dtype dt, int depth, int ndim, unsigned char **p)
{
    if (depth < ndim) {
        for (size_t i = 0; i < n->u.a.len; i++)
            sc_ndview_fill_rec(n->u.a.items[i], dt, depth + 1, ndim, p);
        return;
    }
    switch (dt) {
    case SC_DT_BOOL:
        **p = n->type == SC_JSON_TRUE;
        *p += 1;
        break;
    case SC_DT_INT64: {
        int64_t x = n->type == SC_JSON_INT ? n->u.i : (n->type == SC_JSON_TRUE);
        memcpy(*p, &x, 8);
        *p += 8;
        break;
    }
    case SC_DT_FLOAT64: {
        double x = n->type == SC_JSON_REAL  ? n->u.d
                   : n->type == SC_JSON_INT ? (double)n->u.i
                                            : (double)(n->type == SC_JSON_TRUE);
        memcpy(*p, &x, 8);
        *p += 8;
        break;
    }
    }
}

void sc_ndview_fill(const sc_ndview *v, void *dst)
{
    if (!v->ok || v->count == 0)
        return;
    unsigned char *p = dst;
    sc_ndview_fill_rec(v->node, v->dtype, 0, v->ndim, &p);
}

static int sc_all_ints(const sc_json *arr)
{
    if (arr == NULL || arr->type != SC_JSON_ARRAY)
        return 0;
    for (size_t i = 0; i < arr->u.a.len; i++) {
        if (arr->u.a.items[i]->type != SC_JSON_INT)
            return 0;
    }
    return 1;
}

static void sc_message_data(const sc_json *data, sc_message *m)
{
    m->names = sc_json_get(data, "names");
    if (m->names != NULL && m->names->type != SC_JSON_ARRAY)
        return; /* the runtime reproduces what the original does with odd names */
    /* Same precedence as the original: tensor, then ndarray, then tftensor. */
    const sc_json *tensor = sc_json_get(data, "tensor");
    if (tensor != NULL) {
        const sc_json *values = sc_json_get(tensor, "values");
        const sc_json *shape = sc_json_get(tensor, "shape");
        if (tensor->type != SC_JSON_OBJECT || !sc_all_ints(shape) || values == NULL)
            return;
        sc_ndview_inspect(values, &m->array);
        /* Only flat lists of numbers take the fast path; numpy handles anything else. */
        if (!m->array.ok || m->array.ndim != 1)
            return;
        m->kind = SC_PAYLOAD_DATA;
        m->data_kind = SC_DATA_TENSOR;
        m->payload = values;
        m->tensor_shape = shape;
        return;
    }
    const sc_json *ndarray = sc_json_get(data, "ndarray");
    if (ndarray != NULL) {
        if (ndarray->type != SC_JSON_ARRAY)
            return; /* a scalar gives a 0-d array in numpy: rare, leave it to the runtime */
        sc_ndview_inspect(ndarray, &m->array);
        m->kind = SC_PAYLOAD_DATA;
        m->data_kind = SC_DATA_NDARRAY;
        m->payload = ndarray;
        return;
    }
    if (sc_json_get(data, "tftensor") != NULL)
        return;
    m->kind = SC_PAYLOAD_DATA;
    m->data_kind = SC_DATA_NONE;
}

int sc_message_from_json(sc_arena *a, const sc_json *root, sc_message *m)
{
    memset(m, 0, sizeof(*m));
    m->root = root;
    if (root == NULL || root->type != SC_JSON_OBJECT)
        return 0;
    m->meta = sc_json_get(root, "meta");
    if (m->meta != NULL && m->meta->type != SC_JSON_OBJECT)
        return 0; /* meta: null and other odd metas take the runtime's whole-document path */
    const sc_json *v;
    if ((v = sc_json_get(root, "data")) != NULL) {
        if (v->type == SC_JSON_OBJECT)
            sc_message_data(v, m);
        return 0;
    }
    if ((v = sc_json_get(root, "jsonData")) != NULL) {
        m->kind = SC_PAYLOAD_JSON;
        m->payload = v;
        return 0;
    }
    if ((v = sc_json_get(root, "strData")) != NULL) {
        if (v->type == SC_JSON_STRING) {
            m->kind = SC_PAYLOAD_STR;
            m->payload = v;
        }
        return 0;
    }
    if ((v = sc_json_get(root, "binData")) != NULL) {
        if (v->type != SC_JSON_STRING && v->type != SC_JSON_BYTES)
            return 0;
        unsigned char *bin = NULL;
        size_t blen = 0;
        int rc = sc_base64_decode(a, v->u.s.ptr, v->u.s.len, &bin, &blen, NULL);
        if (rc == -ENOMEM)
            return rc;
        if (rc != 0)
            return 0; /* the runtime's b64decode raises the original's error */
        m->kind = SC_PAYLOAD_BIN;
        m->payload = v;
        m->bin = bin;
        m->bin_len = blen;
    }
    return 0;
}
