#!/usr/bin/env python3
"""Generates csrc/sc_float_table.h, the power-of-ten table of csrc/sc_float.c, and proves the
arithmetic facts that sc_float.c relies on.

Why a generated file: the formatter needs 128-bit approximations of 10^-k for every decimal
exponent a double can have. Building them at run time would make every caller depend on an init
call; a const table is thread-safe and free. This script is the only source of truth for the
numbers: run `python3 tests/c/gen_float_table.py > csrc/sc_float_table.h` to regenerate, or
`--check csrc/sc_float_table.h` (done by test_sc_float) to verify the committed copy.

What sc_float.c does with the table (see the comments there for the full argument):
  for v = c * 2^q it picks k = floor(log10(2^q)) (or floor(log10(3/4 * 2^q)) when v is a power
  of two whose lower neighbour is closer), takes g = floor(10^-k * 2^(127-r)) + 1 with
  r = floor(log2(10^-k)) (so 2^127 <= g < 2^128), and computes floor(cp * 2^q * 10^-k) plus an
  "inexact" flag as the top 64 bits of the 192-bit product (cp << h) * g, h = q + r + 1, with the
  flag set when any of the next STICKY_BITS bits is. As g is rounded up, the product exceeds the
  true value by less than err = (cp << h) / 2^128 < 2^-STICKY_BITS, so this is exact provided that
  for every q and every integer 1 <= x <= XMAX the fractional part of x * 2^q * 10^-k is either 0
  or lies in [2^-STICKY_BITS, 1 - err]. verify_rounding() proves this for every q
  with the three-distance construction (the nearest multiples of alpha to an integer, from
  above and from below, over x <= XMAX are found by a subtractive Euclid on the residues).
"""
import sys
from fractions import Fraction

Q_MIN, Q_MAX = -1074, 971          # v = c * 2^q over all finite doubles
XMAX = 4 * (2**53 - 1) + 2         # the largest multiplier cp = 4c + 2
LOG10_2_MUL = 315653               # floor(q*log10(2)) == (q*315653) >> 20
LOG2_10_MUL = 1741647              # floor(e*log2(10)) == (e*1741647) >> 19
STICKY_BITS = 68                   # fraction bits that decide "inexact" (sc_float.c: >> 60)


def floor_log10(f):
    f = Fraction(f)
    k = len(str(f.numerator)) - len(str(f.denominator))
    while Fraction(10) ** k > f:
        k -= 1
    while Fraction(10) ** (k + 1) <= f:
        k += 1
    return k


def floor_log2(f):
    f = Fraction(f)
    k = f.numerator.bit_length() - f.denominator.bit_length()
    while Fraction(2) ** k > f:
        k -= 1
    while Fraction(2) ** (k + 1) <= f:
        k += 1
    return k


def k_regular(q):
    return (q * LOG10_2_MUL) >> 20


def k_irregular(q, sub):
    return (q * LOG10_2_MUL - sub) >> 20


def find_irregular_sub():
    """The constant for floor(log10(3/4 * 2^q)) == (q*315653 - SUB) >> 20 on the whole range."""
    want = {q: floor_log10(Fraction(3, 4) * Fraction(2) ** q) for q in range(Q_MIN, Q_MAX + 1)}
    for sub in range(130000, 132000):
        if all(k_irregular(q, sub) == w for q, w in want.items()):
            return sub
    raise SystemExit("no constant for log10(3/4)")


def residue_extremes(a, b, n):
    """For gcd(a, b) == 1, 0 < a < b, n < b: (min of x*a mod b, min of -x*a mod b) over 1<=x<=n.

    Keeps the best 'up' point x1 (x1*a = r1 mod b) and 'down' point x2 (x2*a = -r2 mod b); each
    subtraction step is the next one-sided best approximation, and the next candidate always has
    x1 + x2, so stopping when that exceeds n leaves the two neighbours of 0 on the circle."""
    x1, r1, x2, r2 = 1, a, 0, b
    while True:
        if r1 < r2:
            j = (r2 - 1) // r1
            jmax = (n - x2) // x1
            j = min(j, jmax)
            if j <= 0:
                break
            x2 += j * x1
            r2 -= j * r1
        else:
            if x2 == 0:
                break
            j = (r1 - 1) // r2
            jmax = (n - x1) // x2
            j = min(j, jmax)
            if j <= 0:
                break
            x1 += j * x2
            r1 -= j * r2
    return r1, (r2 if x2 else b)


def self_test_extremes():
    import random
    rnd = random.Random(5)
    for _ in range(3000):
        b = rnd.randrange(3, 4000)
        a = rnd.randrange(1, b)
        from math import gcd
        if gcd(a, b) != 1:
            continue
        n = rnd.randrange(1, b)
        res = [x * a % b for x in range(1, n + 1)]
        assert residue_extremes(a, b, n) == (min(res), min(b - r for r in res)), (a, b, n)


def g_of(k):
    """(g, r): g = floor(10^-k * 2^(127-r)) + 1 with r = floor(log2(10^-k))."""
    p = Fraction(10) ** (-k)
    r = floor_log2(p)
    scaled = p * Fraction(2) ** (127 - r)
    g = scaled.numerator // scaled.denominator + 1
    assert 2**127 <= g < 2**128
    assert r == (-k * LOG2_10_MUL) >> 19
    return g, r


def verify_rounding(q, k):
    _, r = g_of(k)
    h = q + r + 1
    assert 1 <= h <= 4, (q, k, h)
    # an exact product stays below the flag threshold despite the rounded-up g
    assert (XMAX << h) * 2**STICKY_BITS < 2**128
    alpha = Fraction(2) ** q / Fraction(10) ** k
    b = alpha.denominator
    a = alpha.numerator % b
    if b <= 2**64 or a == 0:
        return  # every non-zero residue is at least 1/b >= 2^-64 (or every product is exact)
    assert b > XMAX
    up, down = residue_extremes(a, b, XMAX)
    # inexact results must set the flag: frac >= 2^-STICKY_BITS
    assert up * 2**STICKY_BITS >= b, ("up", q)
    # the product overestimates by < (cp << h) / 2^128; it must not reach the next integer
    assert down * 2**128 > b * (XMAX << h), ("down", q)


def main():
    self_test_extremes()
    for q in range(Q_MIN, Q_MAX + 1):
        assert k_regular(q) == floor_log10(Fraction(2) ** q), q
    sub = find_irregular_sub()
    ks = set()
    for q in range(Q_MIN, Q_MAX + 1):
        ks.add(k_regular(q))
        verify_rounding(q, k_regular(q))
        if q > Q_MIN:
            ks.add(k_irregular(q, sub))
            verify_rounding(q, k_irregular(q, sub))
    k_min, k_max = min(ks), max(ks)
    out = []
    w = out.append
    w("/* GENERATED by tests/c/gen_float_table.py -- do not edit. sc_float.c's power-of-ten table:")
    w(" * entry [k - SC_FLOAT_K_MIN] = floor(10^-k * 2^(127 - floor(log2(10^-k)))) + 1, as {high, low}")
    w(" * 64-bit halves; every entry lies in [2^127, 2^128). The script also proves the rounding")
    w(" * argument sc_float.c relies on for every binary exponent. */")
    w("#ifndef SC_FLOAT_TABLE_H")
    w("#define SC_FLOAT_TABLE_H")
    w("")
    w("#include <stdint.h>")
    w("")
    w("#define SC_FLOAT_K_MIN (%d)" % k_min)
    w("#define SC_FLOAT_K_MAX %d" % k_max)
    w("/* floor(log10(3/4 * 2^q)) == (q * 315653 - SC_FLOAT_LOG10_3_4_SUB) >> 20 */")
    w("#define SC_FLOAT_LOG10_3_4_SUB %d" % sub)
    w("")
    w("static const uint64_t sc_float_g[%d][2] = {" % (k_max - k_min + 1))
    for k in range(k_min, k_max + 1):
        g, _ = g_of(k)
        w("    {0x%016xu, 0x%016xu}, /* %d */" % (g >> 64, g & (2**64 - 1), k))
    w("};")
    w("")
    w("#endif")
    text = "\n".join(out) + "\n"
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        with open(sys.argv[2]) as f:
            if f.read() != text:
                print("%s differs from the generator's output" % sys.argv[2], file=sys.stderr)
                return 1
        print("table ok: k in [%d, %d], rounding proven for q in [%d, %d]" % (k_min, k_max, Q_MIN, Q_MAX))
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
