#include "sc_pb.h"

int sc_pb_read_varint(sc_pb_reader *r, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end)
            return -1;
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1; /* more than 10 bytes: not a varint */
}

/* A tag or a length: protobuf's parsers read these as 32-bit varints of at most 5 bytes, and
 * upb (the Python runtime behind the general path) refuses a longer, non-canonical encoding such
 * as 0 written in 6 to 10 bytes, which a 64-bit reader would take. Refusing it here too keeps the
 * fast path from accepting a message the general path answers INVALID_ARGUMENT (found by
 * tests/fuzz/fuzz_proto.c). */
static int sc_pb_read_varint32(sc_pb_reader *r, uint64_t *out)
{
    const uint8_t *start = r->p;
    if (sc_pb_read_varint(r, out) < 0 || r->p - start > 5)
        return -1;
    return 0;
}

int sc_pb_next(sc_pb_reader *r, sc_pb_field *f)
{
    if (r->p >= r->end)
        return 0;
    uint64_t tag;
    if (sc_pb_read_varint32(r, &tag) < 0 || tag >> 3 == 0 || tag >> 3 > 0x1fffffff)
        return -1;
    f->number = (uint32_t)(tag >> 3);
    f->wire_type = (int)(tag & 7);
    f->value = 0;
    f->data = NULL;
    f->len = 0;
    switch (f->wire_type) {
    case SC_PB_VARINT:
        return sc_pb_read_varint(r, &f->value) < 0 ? -1 : 1;
    case SC_PB_I64:
    case SC_PB_I32: {
        size_t n = f->wire_type == SC_PB_I64 ? 8 : 4;
        if ((size_t)(r->end - r->p) < n)
            return -1;
        f->data = r->p;
        f->len = n;
        r->p += n;
        return 1;
    }
    case SC_PB_LEN: {
        uint64_t len;
        if (sc_pb_read_varint32(r, &len) < 0 || len > (uint64_t)(r->end - r->p))
            return -1;
        f->data = r->p;
        f->len = (size_t)len;
        r->p += len;
        return 1;
    }
    default: /* groups (3, 4) and the unused 6, 7 */
        return -1;
    }
}

size_t sc_pb_varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

uint8_t *sc_pb_write_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}
