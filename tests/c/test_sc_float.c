/* test_sc_float: sc_float against CPython.
 *
 * 1. Fixed cases (layout rules, extremes, famous values).
 * 2. The committed power-of-ten table equals the generator's output (which also re-proves the
 *    rounding argument).
 * 3. Over a million doubles from several families are printed to a temp file and
 *    tests/c/check_float_repr.py checks each against repr() and float() in the real interpreter
 *    ($SC_PYTHON, else python3).
 * 4. sc_float_parse against strtod on random JSON literals, and on every string printed in 3.
 *
 * SC_FLOAT_BENCH=1 additionally prints ns/op for printing and parsing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mkstemp, clock_gettime under -std=c11 */
#endif

#include "sc_float.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sc_test.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* splitmix64: fast, and its fixed seed makes a failure reproducible. */
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint64_t to_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static void check_repr(double v, const char *want)
{
    char buf[SC_FLOAT_BUFSIZE];
    size_t n = sc_float_repr(v, buf);
    ASSERT_EQ_STR(buf, want);
    ASSERT_EQ_INT(n, strlen(want));
}

static void check_json(double v, const char *want)
{
    char buf[SC_FLOAT_BUFSIZE];
    size_t n = sc_float_json(v, buf);
    ASSERT_EQ_STR(buf, want);
    ASSERT_EQ_INT(n, strlen(want));
}

static void test_fixed(void)
{
    check_repr(0.0, "0.0");
    check_repr(-0.0, "-0.0");
    check_repr(1.0, "1.0");
    check_repr(-1.0, "-1.0");
    check_repr(0.1, "0.1");
    check_repr(0.1 + 0.2, "0.30000000000000004");
    check_repr(1.5, "1.5");
    check_repr(100.0, "100.0");
    check_repr(1e-05, "1e-05");
    check_repr(0.0001, "0.0001");
    check_repr(0.00012345, "0.00012345");
    check_repr(1.2345e-05, "1.2345e-05");
    check_repr(1e16, "1e+16");
    check_repr(1e15, "1000000000000000.0");
    check_repr(1234567890123456.0, "1234567890123456.0");
    check_repr(12345678901234567.0, "1.2345678901234568e+16");
    check_repr(1.2345e20, "1.2345e+20");
    check_repr(1e22, "1e+22");
    check_repr(1e23, "1e+23");
    check_repr(1e100, "1e+100");
    check_repr(1e-100, "1e-100");
    check_repr(123456789.0, "123456789.0");
    check_repr(9007199254740992.0, "9007199254740992.0");
    check_repr(9007199254740993.0, "9007199254740992.0"); /* rounds to even on the way in */
    check_repr(9007199254740994.0, "9007199254740994.0");
    check_repr(9007199254740991.0, "9007199254740991.0");
    check_repr(18014398509481984.0, "1.8014398509481984e+16");
    check_repr(DBL_MAX, "1.7976931348623157e+308");
    check_repr(-DBL_MAX, "-1.7976931348623157e+308");
    check_repr(DBL_MIN, "2.2250738585072014e-308");
    check_repr(from_bits(1), "5e-324");
    check_repr(from_bits(2), "1e-323");
    check_repr(from_bits(0x000fffffffffffffu), "2.225073858507201e-308");
    check_repr(from_bits(0x7fefffffffffffffu), "1.7976931348623157e+308");
    check_repr(2.0 / 3.0, "0.6666666666666666");
    check_repr(1.0 / 3.0, "0.3333333333333333");
    check_repr(5e-324 * 3, "1.5e-323");
    check_repr(123.456, "123.456");
    check_repr(-0.5, "-0.5");
    check_repr(2.5e-5, "2.5e-05");
    check_repr(0.001, "0.001");
    check_repr(4.35, "4.35");
    check_repr(0.3, "0.3");
    check_repr(2e-7, "2e-07");
    check_repr(1.7976931348623157e308 / 10, "1.7976931348623158e+307");
    check_repr(ldexp(1.0, 60), "1.152921504606847e+18");
    check_repr(ldexp(1.0, -1074), "5e-324");
    check_repr(ldexp(1.0, 1023), "8.98846567431158e+307");
    check_repr((double)0.1f, "0.10000000149011612");
    check_repr(NAN, "nan");
    check_repr(-NAN, "nan");
    check_repr(INFINITY, "inf");
    check_repr(-INFINITY, "-inf");
    check_json(NAN, "NaN");
    check_json(INFINITY, "Infinity");
    check_json(-INFINITY, "-Infinity");
    check_json(0.1, "0.1");
    check_json(1e-05, "1e-05");

    char buf[SC_FLOAT_BUFSIZE];
    const char *lits[] = {"0", "-0", "1", "0.1", "1e-05", "1E+16", "9007199254740993",
                          "1.7976931348623157e308", "1.8e308", "5e-324", "2e-324", "3e-324",
                          "123456789012345678901234567890", "0.30000000000000004",
                          "2.2250738585072011e-308", "1e23", "8.98846567431158e307",
                          "-12.5e-3", "12e30", "1e-400", "1e400", "0.000000000000000000001"};
    for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++) {
        double want = strtod(lits[i], NULL);
        double got = sc_float_parse(lits[i], strlen(lits[i]));
        if (to_bits(want) != to_bits(got))
            SC_FAIL("parse %s: %.17g != %.17g", lits[i], got, want);
    }
    ASSERT_TRUE(sc_float_parse("-0", 2) == 0.0 && signbit(sc_float_parse("-0", 2)));
    ASSERT_TRUE(sc_float_parse("1e400", 5) == INFINITY);
    ASSERT_TRUE(sc_float_parse("-1e400", 6) == -INFINITY);
    ASSERT_TRUE(signbit(sc_float_parse("-1e-400", 7)));
    /* Not NUL-terminated: a digit right after the literal must be ignored. */
    ASSERT_TRUE(sc_float_parse("1.259", 3) == 1.2);
    ASSERT_TRUE(sc_float_parse("0.30000000000000004", 19) == 0.1 + 0.2);
    ASSERT_EQ_INT(sc_float_repr(-1.2345678901234567e-300, buf), 24);
    printf("fixed cases ok\n");
}

/* Directory of this source file, for the Python helpers next to it. */
static void here(char *out, size_t cap)
{
    const char *f = __FILE__;
    const char *slash = strrchr(f, '/');
    if (slash == NULL)
        snprintf(out, cap, "tests/c");
    else
        snprintf(out, cap, "%.*s", (int)(slash - f), f);
}

static const char *python(void)
{
    const char *py = getenv("SC_PYTHON");
    return py && *py ? py : "python3";
}

static int run(const char *cmd)
{
    fflush(stdout); /* keep our lines before the child's */
    int st = system(cmd);
    if (st == -1)
        SC_FAIL("system(%s) failed", cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void test_table(void)
{
    char dir[1024], cmd[4096];
    here(dir, sizeof dir);
    snprintf(cmd, sizeof cmd, "'%s' '%s/gen_float_table.py' --check '%s/../../csrc/sc_float_table.h'",
             python(), dir, dir);
    ASSERT_EQ_INT(run(cmd), 0);
}

/* Writes v's line to f and checks that sc_float_parse reads our output back exactly. */
static size_t emit(FILE *f, double v)
{
    char buf[SC_FLOAT_BUFSIZE];
    size_t n = sc_float_repr(v, buf);
    ASSERT_TRUE(n < SC_FLOAT_BUFSIZE && strlen(buf) == n);
    if (fprintf(f, "%016" PRIx64 " %s\n", to_bits(v), buf) < 0)
        SC_FAIL("write failed");
    if (isfinite(v)) {
        double back = sc_float_parse(buf, n);
        if (to_bits(back) != to_bits(v))
            SC_FAIL("parse(repr) %s gave %.17g", buf, back);
    }
    return 1;
}

static double random_decimal(int max_digits, int emin, int emax)
{
    char lit[64];
    int nd = 1 + (int)(rnd() % (uint64_t)max_digits);
    int pos = 0;
    if (rnd() & 1)
        lit[pos++] = '-';
    for (int i = 0; i < nd; i++)
        lit[pos++] = (char)('0' + (i == 0 ? 1 + rnd() % 9 : rnd() % 10));
    int e = emin + (int)(rnd() % (uint64_t)(emax - emin + 1));
    snprintf(lit + pos, sizeof lit - (size_t)pos, "e%d", e);
    return strtod(lit, NULL);
}

static void test_against_python(void)
{
    char path[] = "/tmp/sc_float_reprXXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    FILE *f = fdopen(fd, "w");
    ASSERT_TRUE(f != NULL);
    size_t count = 0;

    for (int i = 0; i < 400000; i++) /* any bit pattern: all exponents, NaNs, infinities */
        count += emit(f, from_bits(rnd()));
    for (int i = 0; i < 100000; i++) /* uniform [0, 1), like np.random.rand */
        count += emit(f, (double)(rnd() >> 11) * 0x1p-53);
    for (int i = 0; i < 150000; i++) /* short decimals: the typical payload */
        count += emit(f, random_decimal(i % 3 == 0 ? 17 : 7, i % 5 == 0 ? -330 : -25,
                                        i % 5 == 0 ? 310 : 25));
    for (int i = 0; i < 150000; i++) { /* integers of every size */
        int bitsz = 1 + (int)(rnd() % 64);
        uint64_t x = rnd() >> (64 - bitsz);
        count += emit(f, (rnd() & 1) ? -(double)x : (double)x);
    }
    for (int i = 0; i < 100000; i++) /* subnormals */
        count += emit(f, from_bits(rnd() & 0x800fffffffffffffu));
    for (int i = 0; i < 100000; i++) { /* float32 values widened, as tolist() does */
        uint32_t b = (uint32_t)rnd();
        float x;
        memcpy(&x, &b, sizeof x);
        count += emit(f, (double)x);
    }
    for (int e = -1074; e <= 1023; e++) { /* powers of two and their neighbours */
        double p = ldexp(1.0, e);
        count += emit(f, p);
        count += emit(f, nextafter(p, 0.0));
        count += emit(f, nextafter(p, INFINITY));
        count += emit(f, nextafter(nextafter(p, INFINITY), INFINITY));
        count += emit(f, ldexp(1.5, e));
    }
    for (int e = -324; e <= 308; e++) { /* powers of ten and their neighbours */
        char lit[16];
        snprintf(lit, sizeof lit, "1e%d", e);
        double p = strtod(lit, NULL);
        count += emit(f, p);
        count += emit(f, nextafter(p, 0.0));
        count += emit(f, nextafter(p, INFINITY));
    }
    const double anchors[] = {9007199254740992.0, 18014398509481984.0, 1e15, 1e16, 1e17,
                              4503599627370496.0, 1e22, 1e23};
    for (size_t a = 0; a < sizeof anchors / sizeof anchors[0]; a++) { /* integers near 2^53.. */
        double x = anchors[a];
        for (int i = 0; i < 2000; i++) {
            count += emit(f, x);
            x = nextafter(x, INFINITY);
        }
        x = anchors[a];
        for (int i = 0; i < 2000; i++) {
            x = nextafter(x, 0.0);
            count += emit(f, x);
        }
    }
    for (int i = 0; i < 30000; i++) /* three-digit decimals: many shortest-length ties */
        count += emit(f, (double)(rnd() % 100000) / 1000.0);
    ASSERT_TRUE(fclose(f) == 0);
    printf("printed %zu doubles\n", count);
    ASSERT_TRUE(count >= 1000000);

    char dir[1024], cmd[4096];
    here(dir, sizeof dir);
    snprintf(cmd, sizeof cmd, "'%s' '%s/check_float_repr.py' '%s'", python(), dir, path);
    int rc = run(cmd);
    if (rc == 0)
        unlink(path);
    else
        fprintf(stderr, "kept %s for inspection\n", path);
    ASSERT_EQ_INT(rc, 0);
}

/* A random literal of the JSON number grammar. */
static size_t random_literal(char *lit)
{
    size_t pos = 0;
    if (rnd() & 1)
        lit[pos++] = '-';
    int shape = (int)(rnd() % 4);
    int nint = shape == 0 ? 1 : 1 + (int)(rnd() % 25);
    if (nint == 1 && (rnd() & 1)) {
        lit[pos++] = '0';
    } else {
        lit[pos++] = (char)('1' + rnd() % 9);
        for (int i = 1; i < nint; i++)
            lit[pos++] = (char)('0' + rnd() % 10);
    }
    if (shape != 1) {
        int nfrac = 1 + (int)(rnd() % (shape == 3 ? 40 : 17));
        lit[pos++] = '.';
        for (int i = 0; i < nfrac; i++)
            lit[pos++] = (char)('0' + rnd() % 10);
    }
    if (shape >= 2 || (rnd() & 1)) {
        lit[pos++] = (rnd() & 1) ? 'e' : 'E';
        int r = (int)(rnd() % 3);
        if (r == 1)
            lit[pos++] = '-';
        else if (r == 2)
            lit[pos++] = '+';
        pos += (size_t)sprintf(lit + pos, "%d", (int)(rnd() % (shape == 2 ? 30 : 360)));
    }
    lit[pos] = '\0';
    return pos;
}

static uint64_t sc_pow10_max(int digits)
{
    uint64_t p = 1;
    for (int i = 0; i < digits; i++)
        p *= 10;
    return p;
}

static void test_parse(void)
{
    char lit[128];
    for (int i = 0; i < 1000000; i++) {
        size_t n = random_literal(lit);
        double want = strtod(lit, NULL);
        double got = sc_float_parse(lit, n);
        if (to_bits(want) != to_bits(got))
            SC_FAIL("parse %s: %.17g != strtod %.17g", lit, got, want);
    }
    /* Up to 19 significant digits at any exponent: the 128-bit scaling path. */
    for (int i = 0; i < 1000000; i++) {
        int nd = 1 + (int)(rnd() % 19);
        uint64_t w = rnd() % sc_pow10_max(nd);
        int n = snprintf(lit, sizeof lit, "%" PRIu64 "e%d", w, (int)(rnd() % 700) - 350);
        double want = strtod(lit, NULL);
        double got = sc_float_parse(lit, (size_t)n);
        if (to_bits(want) != to_bits(got))
            SC_FAIL("parse %s: %.17g != strtod %.17g", lit, got, want);
    }
    /* Exact midpoints between two doubles (ties to even) and their neighbours. */
    for (int i = 0; i < 200000; i++) {
        uint64_t mant = (UINT64_C(1) << 53) | (rnd() >> 11); /* 54 bits: odd = midpoint */
        mant |= 1;
        int sh = (int)(rnd() % 10);
        uint64_t x = (mant << sh) + (uint64_t)(rnd() % 3) - 1;
        int n = snprintf(lit, sizeof lit, "%" PRIu64, x);
        double want = strtod(lit, NULL);
        double got = sc_float_parse(lit, (size_t)n);
        if (to_bits(want) != to_bits(got))
            SC_FAIL("parse %s: %.17g != strtod %.17g", lit, got, want);
    }
    printf("parse: 2200000 random literals match strtod\n");
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void bench(void)
{
    enum { N = 1000000 };
    double *vals = malloc(sizeof(double) * N);
    char(*strs)[SC_FLOAT_BUFSIZE] = malloc((size_t)N * SC_FLOAT_BUFSIZE);
    ASSERT_TRUE(vals != NULL && strs != NULL);
    const char *names[] = {"uniform [0,1)", "random finite bits", "3-digit decimals", "integers"};
    for (int kind = 0; kind < 4; kind++) {
        for (int i = 0; i < N; i++) {
            double v;
            do {
                switch (kind) {
                case 0: v = (double)(rnd() >> 11) * 0x1p-53; break;
                case 1: v = from_bits(rnd()); break;
                case 2: v = (double)(rnd() % 100000) / 1000.0; break;
                default: v = (double)(rnd() % 1000000); break;
                }
            } while (!isfinite(v));
            vals[i] = v;
        }
        size_t total = 0;
        double t0 = now_ns();
        for (int i = 0; i < N; i++)
            total += sc_float_repr(vals[i], strs[i]);
        double t1 = now_ns();
        double sink = 0;
        for (int i = 0; i < N; i++)
            sink += sc_float_parse(strs[i], strlen(strs[i]));
        double t2 = now_ns();
        for (int i = 0; i < N / 10; i++)
            total += (size_t)snprintf(strs[i], SC_FLOAT_BUFSIZE, "%.17g", vals[i]);
        double t3 = now_ns();
        printf("bench %-20s repr %6.1f ns/op   parse(repr) %6.1f ns/op   [snprintf %%.17g %6.1f ns/op]"
               " (%zu %g)\n",
               names[kind], (t1 - t0) / N, (t2 - t1) / N, (t3 - t2) / (N / 10), total, sink);
    }
    const char *shorts[] = {"0.5", "123.25", "-7.125e3", "0.1", "42", "3.14159", "-0.001", "1e-5"};
    const char *longs[] = {"0.8444218515250481", "0.7579544029403025", "0.420571580830845",
                           "0.25891675029296335", "0.5112747213686085", "0.4049341374504143",
                           "0.7837985890347726", "0.30331272607892745"};
    size_t lens[8];
    for (int i = 0; i < 8; i++)
        lens[i] = strlen(shorts[i]);
    double sink = 0, t0 = now_ns();
    for (int i = 0; i < N; i++)
        sink += sc_float_parse(shorts[i & 7], lens[i & 7]);
    double t1 = now_ns();
    printf("bench short literals parse %6.1f ns/op (%g)\n", (t1 - t0) / N, sink);
    for (int i = 0; i < 8; i++)
        lens[i] = strlen(longs[i]);
    sink = 0;
    t0 = now_ns();
    for (int i = 0; i < N; i++)
        sink += sc_float_parse(longs[i & 7], lens[i & 7]);
    t1 = now_ns();
    printf("bench 16-17 digit literals parse %6.1f ns/op (%g)\n", (t1 - t0) / N, sink);
    free(vals);
    free(strs);
}

int main(void)
{
    sc_float_init();
    sc_float_init(); /* idempotent */
    test_fixed();
    test_table();
    test_against_python();
    test_parse();
    const char *b = getenv("SC_FLOAT_BENCH");
    if (b && *b && strcmp(b, "0") != 0)
        bench();
    printf("test_sc_float: ok\n");
    return 0;
}
