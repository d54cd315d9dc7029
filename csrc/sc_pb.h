/* sc_pb: protocol-buffers wire format primitives for the gRPC fast path (csrc/sc_grpc_fast.c).
 *
 * The fast path walks the few messages it understands itself (SeldonMessage, DefaultData,
 * google.protobuf.ListValue/Value) because it must refuse, rather than interpret, anything the
 * general Python path would treat differently, and because protobuf-c would build one struct per
 * number of an ndarray and recurse without a depth limit. Whole flat messages are decoded with
 * the protobuf-c code generated from proto/ at build time (see sc_grpc_fast.c).
 *
 * Reading never allocates and never reads outside [p, end). Writing fills a buffer whose size the
 * caller computed first with the *_size functions; it is never bounds-checked again.
 * Threading: pure functions, no GIL, any thread.
 */
#ifndef SC_PB_H
#define SC_PB_H

#include <stddef.h>
#include <stdint.h>

/* Wire types (the low 3 bits of a tag). */
enum { SC_PB_VARINT = 0, SC_PB_I64 = 1, SC_PB_LEN = 2, SC_PB_I32 = 5 };

/* A cursor over bytes being read. */
typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} sc_pb_reader;

/* One field read by sc_pb_next. For SC_PB_LEN, data/len is the payload (inside the reader's
 * buffer); for SC_PB_I64 data points at the 8 little-endian bytes; for SC_PB_VARINT value holds
 * the number. */
typedef struct {
    uint32_t number;
    int wire_type;
    uint64_t value;
    const uint8_t *data;
    size_t len;
} sc_pb_field;

static inline void sc_pb_reader_init(sc_pb_reader *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->end = p + len;
}

/* Reads one varint (at most 10 bytes). 0, or -1 when truncated or too long. */
int sc_pb_read_varint(sc_pb_reader *r, uint64_t *out);

/* Reads the next field. 1: a field was read; 0: end of the buffer; -1: malformed (bad tag,
 * field number 0, truncated payload, or a group wire type, which no message of ours uses). */
int sc_pb_next(sc_pb_reader *r, sc_pb_field *f);

/* Encoded size of a varint. */
size_t sc_pb_varint_size(uint64_t v);

/* Writes a varint at p; returns the byte after it. */
uint8_t *sc_pb_write_varint(uint8_t *p, uint64_t v);

/* Size of a length-delimited field of `len` payload bytes (tag, length, payload), for field
 * numbers below 16 (one tag byte), which is all the fast path writes. */
static inline size_t sc_pb_len_field_size(size_t len)
{
    return 1 + sc_pb_varint_size(len) + len;
}

/* Writes the tag and length of a length-delimited field (number < 16); the caller writes the
 * payload at the returned pointer. */
static inline uint8_t *sc_pb_write_len_header(uint8_t *p, uint32_t number, size_t len)
{
    *p++ = (uint8_t)(number << 3 | SC_PB_LEN);
    return sc_pb_write_varint(p, len);
}

#endif
