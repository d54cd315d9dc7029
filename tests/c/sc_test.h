/* Minimal assertion helpers for the C unit tests: each test file is one ctest executable that
 * exits non-zero on the first failure and prints both sides of a failed comparison. */
#ifndef SC_TEST_H
#define SC_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SC_FAIL(...)                                                                               \
    do {                                                                                           \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                           \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n");                                                                     \
        exit(1);                                                                                   \
    } while (0)

#define ASSERT_TRUE(c)                                                                             \
    do {                                                                                           \
        if (!(c))                                                                                  \
            SC_FAIL("assertion failed: %s", #c);                                                   \
    } while (0)

#define ASSERT_EQ_INT(a, b)                                                                        \
    do {                                                                                           \
        long long sc_a_ = (long long)(a), sc_b_ = (long long)(b);                                  \
        if (sc_a_ != sc_b_)                                                                        \
            SC_FAIL("%s == %s: %lld != %lld", #a, #b, sc_a_, sc_b_);                               \
    } while (0)

#define ASSERT_EQ_STR(a, b)                                                                        \
    do {                                                                                           \
        const char *sc_a_ = (a), *sc_b_ = (b);                                                     \
        if (sc_a_ == NULL || sc_b_ == NULL || strcmp(sc_a_, sc_b_) != 0)                           \
            SC_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, sc_a_ ? sc_a_ : "(null)",                \
                    sc_b_ ? sc_b_ : "(null)");                                                     \
    } while (0)

#define ASSERT_EQ_MEM(a, alen, b, blen)                                                            \
    do {                                                                                           \
        size_t sc_al_ = (alen), sc_bl_ = (blen);                                                   \
        if (sc_al_ != sc_bl_ || memcmp((a), (b), sc_al_) != 0)                                     \
            SC_FAIL("%s == %s: \"%.*s\" != \"%.*s\"", #a, #b, (int)sc_al_, (const char *)(a),      \
                    (int)sc_bl_, (const char *)(b));                                               \
    } while (0)

#endif
