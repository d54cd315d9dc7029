/* Shared checks of the libFuzzer targets in tests/fuzz/: invariants every decoded document must
 * satisfy whatever the input was. A violated invariant calls abort(), which libFuzzer reports
 * as a crash with the input that caused it, like a sanitizer finding.
 *
 * Header-only (static inline functions) so each target stays one translation unit plus the csrc files.
 */
#ifndef SC_FUZZ_UTIL_H
#define SC_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_json.h"
#include "sc_status.h"

#define SC_FUZZ_CHECK(cond)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Generalised UTF-8 as sc_json.h promises for strings and keys: shortest forms, code points up
 * to U+10FFFF, surrogates allowed (lone \uD800 escapes are kept in their 3-byte form). */
static inline int sc_fuzz_is_wtf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF)
            need = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            need = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            need = 3, cp = c & 0x07;
        else
            return 0;
        if (n - i <= need)
            return 0;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* Walks a document: types are known, strings are WTF-8 and NUL-terminated at their length,
 * object keys are unique, a big int is a decimal literal outside int64. Every string also goes
 * through the ASCII JSON writer the error bodies use. Returns the number of nodes. */
static inline size_t sc_fuzz_check_json(const sc_json *n, int depth)
{
    SC_FUZZ_CHECK(n != NULL);
    SC_FUZZ_CHECK(depth <= SC_JSON_DEFAULT_MAX_DEPTH + 1);
    size_t count = 1;
    switch (n->type) {
    case SC_JSON_NULL:
    case SC_JSON_FALSE:
    case SC_JSON_TRUE:
    case SC_JSON_INT:
    case SC_JSON_REAL:
        break;
    case SC_JSON_BIGINT: {
        const char *p = n->u.s.ptr;
        size_t len = n->u.s.len;
        SC_FUZZ_CHECK(p != NULL && p[len] == '\0');
        size_t i = p[0] == '-' ? 1 : 0;
        SC_FUZZ_CHECK(len > i && len - i >= 19); /* int64 holds every 18-digit number */
        for (; i < len; i++)
            SC_FUZZ_CHECK(p[i] >= '0' && p[i] <= '9');
        break;
    }
    case SC_JSON_STRING: {
        SC_FUZZ_CHECK(n->u.s.ptr != NULL && n->u.s.ptr[n->u.s.len] == '\0');
        SC_FUZZ_CHECK(sc_fuzz_is_wtf8((const unsigned char *)n->u.s.ptr, n->u.s.len));
        sc_buf b;
        sc_buf_init(&b);
        SC_FUZZ_CHECK(sc_json_write_ascii(&b, n->u.s.ptr, n->u.s.len) == 0);
        /* ensure_ascii output: ASCII without control characters (DEL stays raw, as in Python), quoted */
        SC_FUZZ_CHECK(b.len >= 2 && b.data[0] == '"' && b.data[b.len - 1] == '"');
        for (size_t i = 0; i < b.len; i++)
            SC_FUZZ_CHECK((unsigned char)b.data[i] >= 0x20 && (unsigned char)b.data[i] <= 0x7F);
        sc_buf_free(&b);
        break;
    }
    case SC_JSON_BYTES:
        SC_FUZZ_CHECK(n->u.s.ptr != NULL || n->u.s.len == 0);
        break;
    case SC_JSON_ARRAY:
        SC_FUZZ_CHECK(n->u.a.len == 0 || n->u.a.items != NULL);
        for (size_t i = 0; i < n->u.a.len; i++)
            count += sc_fuzz_check_json(n->u.a.items[i], depth + 1);
        break;
    case SC_JSON_OBJECT:
        SC_FUZZ_CHECK(n->u.o.len == 0 || n->u.o.members != NULL);
        for (size_t i = 0; i < n->u.o.len; i++) {
            const sc_json_member *m = &n->u.o.members[i];
            SC_FUZZ_CHECK(m->key != NULL && m->key[m->key_len] == '\0');
            SC_FUZZ_CHECK(sc_fuzz_is_wtf8((const unsigned char *)m->key, m->key_len));
            /* quadratic, but objects in fuzz inputs are small (max_len bounds them) */
            for (size_t j = 0; j < i; j++) {
                const sc_json_member *o = &n->u.o.members[j];
                SC_FUZZ_CHECK(!(o->key_len == m->key_len && memcmp(o->key, m->key, m->key_len) == 0));
            }
            count += sc_fuzz_check_json(m->value, depth + 1);
        }
        break;
    default:
        SC_FUZZ_CHECK(!"unknown node type");
    }
    return count;
}

/* An error status must render into a well-formed Seldon error body. */
static inline void sc_fuzz_check_status(const sc_status *st)
{
    SC_FUZZ_CHECK(st->http == 400 || st->http == 500);
    SC_FUZZ_CHECK(st->reason != NULL);
    SC_FUZZ_CHECK(memchr(st->info, '\0', sizeof(st->info)) != NULL);
    sc_buf b;
    sc_buf_init(&b);
    SC_FUZZ_CHECK(sc_status_render(st, &b) == 0);
    SC_FUZZ_CHECK(b.len > 0 && b.data[b.len - 1] == '\n');
    for (size_t i = 0; i + 1 < b.len; i++)
        SC_FUZZ_CHECK((unsigned char)b.data[i] >= 0x20 && (unsigned char)b.data[i] <= 0x7F); /* ensure_ascii, one line */
    sc_buf_free(&b);
}

#endif
