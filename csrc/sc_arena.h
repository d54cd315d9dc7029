/* sc_arena: a bump allocator for everything that lives exactly as long as one request.
 *
 * Ownership: the arena owns every block it hands out; sc_arena_reset() frees them all at once
 * and keeps the first chunk for reuse, so a steady request loop allocates nothing from malloc.
 * Threading: an arena belongs to one thread at a time. No GIL needed. Usable in master or worker.
 */
#ifndef SC_ARENA_H
#define SC_ARENA_H

#include <stddef.h>

typedef struct sc_arena_chunk sc_arena_chunk;

typedef struct sc_arena {
    sc_arena_chunk *head;   /* current chunk (newest first) */
    size_t chunk_size;      /* default size of a new chunk */
} sc_arena;

/* Initialises an empty arena whose chunks are at least chunk_size bytes. */
void sc_arena_init(sc_arena *a, size_t chunk_size);

/* Returns size bytes aligned to 16, or NULL when malloc fails. Never returns NULL for size 0. */
void *sc_arena_alloc(sc_arena *a, size_t size);

/* Copies len bytes and appends a NUL; returns NULL on allocation failure. */
char *sc_arena_strndup(sc_arena *a, const char *s, size_t len);

/* Frees every chunk except the first, which is kept (rewound) for reuse. */
void sc_arena_reset(sc_arena *a);

/* Frees everything; the arena may be initialised again. */
void sc_arena_free(sc_arena *a);

#endif
