#!/usr/bin/env python3
"""Reference check for test_sc_float: every line of FILE is "<16 hex digits of the double's bits>
<text>"; the text must be exactly repr(value) and must read back as the same value.
Exits 1 on any mismatch (printing the first few), 0 otherwise."""
import math
import struct
import sys


def main():
    checked = bad = 0
    unpack = struct.Struct("<Q").pack
    from_bits = struct.Struct("<d").unpack
    with open(sys.argv[1]) as f:
        for line in f:
            h, text = line.split()
            v = from_bits(unpack(int(h, 16)))[0]
            checked += 1
            if math.isnan(v):
                ok = text == "nan"
            else:
                ok = repr(v) == text and float(text) == v
            if not ok:
                bad += 1
                if bad <= 20:
                    print("mismatch: bits %s ours %r python %r" % (h, text, repr(v)))
    print("check_float_repr: %d values checked, %d mismatches" % (checked, bad))
    return 1 if bad or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
