#include "sc_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sc_arena_chunk {
    sc_arena_chunk *next;
    size_t size; /* usable bytes in data[] */
    size_t used;
    _Alignas(16) unsigned char data[];
};

#define SC_ARENA_ALIGN 16u

void sc_arena_init(sc_arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size < 1024 ? 1024 : chunk_size;
}

static sc_arena_chunk *sc_arena_new_chunk(size_t size)
{
    sc_arena_chunk *c = malloc(sizeof(*c) + size);
    if (c == NULL)
        return NULL;
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

void *sc_arena_alloc(sc_arena *a, size_t size)
{
    size_t need = (size + SC_ARENA_ALIGN - 1) & ~(size_t)(SC_ARENA_ALIGN - 1);
    if (need < size)
        return NULL; /* overflow */
    if (need == 0)
        need = SC_ARENA_ALIGN;
    sc_arena_chunk *c = a->head;
    if (c == NULL || c->size - c->used < need) {
        /* Large requests get a chunk of their own so one big body does not waste a default chunk. */
        size_t sz = need > a->chunk_size ? need : a->chunk_size;
        sc_arena_chunk *n = sc_arena_new_chunk(sz);
        if (n == NULL)
            return NULL;
        n->next = c;
        a->head = n;
        c = n;
    }
    void *p = c->data + c->used;
    c->used += need;
    return p;
}

char *sc_arena_strndup(sc_arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = sc_arena_alloc(a, len + 1);
    if (p == NULL)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void sc_arena_reset(sc_arena *a)
{
    sc_arena_chunk *c = a->head;
    if (c == NULL)
        return;
    /* Keep the oldest chunk if it has the default size: it is the one a steady loop reuses. */
    sc_arena_chunk *keep = NULL;
    while (c != NULL) {
        sc_arena_chunk *next = c->next;
        if (next == NULL && c->size == a->chunk_size) {
            keep = c;
        } else {
            free(c);
        }
        c = next;
    }
    if (keep != NULL)
        keep->used = 0;
    a->head = keep;
}

void sc_arena_free(sc_arena *a)
{
    sc_arena_chunk *c = a->head;
    while (c != NULL) {
        sc_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}
