/* sc_message: the protocol-neutral view of one SeldonMessage request that the bridge hands to
 * Python. REST fills it from a decoded JSON document (sc_message_from_json); the gRPC codec will
 * fill it from protobuf. It points into the document; nothing is copied except binData.
 *
 * The numeric fast path lives here: a `data.ndarray` (or `data.tensor.values`) that is a
 * rectangular nest of numbers is described by an sc_ndview, and sc_ndview_fill() writes it into
 * one contiguous buffer (numpy's memory) with numpy's dtype inference, so no Python object is
 * ever created per element.
 *
 * Ownership: everything lives in the caller's arena / document.
 * Threading: pure C, any thread, no GIL.
 */
#ifndef SC_MESSAGE_H
#define SC_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "sc_arena.h"
#include "sc_json.h"

#define SC_MAX_NDIM 32 /* numpy's limit in 1.x */

typedef enum sc_payload_kind {
    SC_PAYLOAD_NONE = 0, /* not representable as parts: the runtime gets the whole document */
    SC_PAYLOAD_DATA,
    SC_PAYLOAD_JSON,
    SC_PAYLOAD_STR,
    SC_PAYLOAD_BIN,
} sc_payload_kind;

typedef enum sc_data_kind {
    SC_DATA_NONE = 0,
    SC_DATA_TENSOR,
    SC_DATA_NDARRAY,
    SC_DATA_TFTENSOR,
} sc_data_kind;

typedef enum sc_dtype {
    SC_DT_BOOL = 0,
    SC_DT_INT64,
    SC_DT_FLOAT64,
} sc_dtype;

typedef struct sc_ndview {
    int ok; /* 1: rectangular and numeric/bool, fill() applies; 0: numpy must decide from a list */
    sc_dtype dtype;
    int ndim;
    int64_t shape[SC_MAX_NDIM];
    size_t count;
    const sc_json *node;
} sc_ndview;

typedef struct sc_message {
    sc_payload_kind kind;
    sc_data_kind data_kind;
    const sc_json *root;
    const sc_json *meta;         /* NULL when absent */
    const sc_json *names;        /* data.names, NULL when absent */
    const sc_json *payload;      /* ndarray node / tensor values / jsonData value / strData string */
    const sc_json *tensor_shape; /* tensor: the shape array (all ints) */
    sc_ndview array;             /* ndarray or tensor values */
    const unsigned char *bin;    /* binData, decoded */
    size_t bin_len;
} sc_message;

/* Classifies a decoded REST request document. Sets m->kind to SC_PAYLOAD_NONE when the runtime
 * must see the whole document (not an object, no payload key, unusual shapes: the runtime's
 * own code then raises the original's errors). Returns 0 or -ENOMEM. */
int sc_message_from_json(sc_arena *arena, const sc_json *root, sc_message *m);

/* Inspects a JSON array as numpy.array() would: sets v->ok when it is rectangular with only
 * numbers/bools (no big ints), with numpy's result dtype (any real → float64; ints, or ints with
 * bools → int64; only bools → bool; empty → float64). */
void sc_ndview_inspect(const sc_json *node, sc_ndview *v);

/* Writes the v->count elements of an ok view in C order as v->dtype (8-byte int64/double, or
 * 1-byte bool) into dst. */
void sc_ndview_fill(const sc_ndview *v, void *dst);

#endif
