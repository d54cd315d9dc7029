"""Differential checker for tests/c/test_sc_json.c: compares sc_json_parse with CPython.

Usage: check_json.py RECORDS_FILE

Each line of RECORDS_FILE is "<max_depth> <input as hex> <canonical result from C>". The input
bytes are decoded as UTF-8 and given to json.loads(str) (the semantics sc_json promises); the
outcome is written in the same canonical form as the C side and compared:

  N T F                  null true false
  i<int> / I<int>        integer inside / outside int64
  r<16 hex digits>       float by its IEEE-754 bits (big-endian); rnan for any NaN
  s<hex>                 string as UTF-8 bytes, lone surrogates in their 3-byte form
  [a,b]  {k:v,...}       containers, members in dict order
  E:enc:<msg>            UnicodeDecodeError text
  E:json:<msg>           JSONDecodeError text
  E:depth:<msg>          RecursionError text

Exit status 0 when every record matches, 1 otherwise.
"""
import json
import struct
import sys

# The C side keeps integers of any length as text (SC_JSON_BIGINT); whether a >4300-digit
# integer is refused is decided where that text becomes a Python int, not by the parser.
sys.set_int_max_str_digits(0)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def canon(o, out):
    if o is None:
        out.append("N")
    elif o is True:
        out.append("T")
    elif o is False:
        out.append("F")
    elif isinstance(o, int):
        out.append(("i%d" if INT64_MIN <= o <= INT64_MAX else "I%d") % o)
    elif isinstance(o, float):
        out.append("rnan" if o != o else "r" + struct.pack(">d", o).hex())
    elif isinstance(o, str):
        out.append("s" + o.encode("utf-8", "surrogatepass").hex())
    elif isinstance(o, list):
        out.append("[")
        for i, x in enumerate(o):
            if i:
                out.append(",")
            canon(x, out)
        out.append("]")
    elif isinstance(o, dict):
        out.append("{")
        for i, (k, v) in enumerate(o.items()):
            if i:
                out.append(",")
            canon(k, out)
            out.append(":")
            canon(v, out)
        out.append("}")
    else:
        raise TypeError(type(o))


def depth_messages():
    """The RecursionError texts of a too-deep array and object, taken from CPython itself."""
    msgs = {}
    for kind, doc in (("[", "[" * 100000), ("{", '{"k":' * 100000)):
        try:
            json.loads(doc)
            sys.exit("check_json: json.loads accepted 100000 nested levels")
        except RecursionError as e:
            msgs[kind] = str(e)
    return msgs


def first_too_deep(text, end, max_depth):
    """The kind ('[' or '{') of the first container opened beyond max_depth in text[:end], or
    None. The caller has had json.loads accept text[:end] as a prefix, so every bracket outside
    a string there opens or closes a container.

    Why a model instead of a low sys.setrecursionlimit: at a limit tight enough to emulate a
    small max_depth, CPython also fails on unrelated Python calls made inside the decoder (NaN,
    building the JSONDecodeError), so the real thing cannot be driven to "depth N exactly"."""
    depth = 0
    in_str = False
    i = 0
    while i < end:
        c = text[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c in "[{":
            depth += 1
            if depth > max_depth:
                return c
        elif c in "]}":
            depth -= 1
        i += 1
    return None


def expected(data, max_depth, depth_msgs):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return "E:enc:" + str(e)
    try:
        obj = json.loads(text)
        end = len(text)
        err = None
    except json.JSONDecodeError as e:
        end = e.pos
        err = "E:json:" + str(e)
    kind = first_too_deep(text, end, max_depth)
    if kind is not None:
        return "E:depth:" + depth_msgs[kind]
    if err is not None:
        return err
    out = []
    canon(obj, out)
    return "".join(out)


def main():
    if sys.version_info[:2] != (3, 11):
        print("check_json: warning: messages are those of CPython 3.11; running %s"
              % sys.version.split()[0], file=sys.stderr)
    depth_msgs = depth_messages()  # at the default limit: a high one would overflow the C stack
    # The corpus nests up to ~1000 levels, which must parse and canonicalise without a limit hit.
    sys.setrecursionlimit(5000)
    total = bad = 0
    with open(sys.argv[1], "r", encoding="ascii") as f:
        for line in f:
            line = line.rstrip("\n")
            md, hexin, got = line.split(" ", 2)
            data = bytes.fromhex(hexin)
            want = expected(data, int(md), depth_msgs)
            total += 1
            if want != got:
                bad += 1
                if bad <= 20:
                    shown = data if len(data) < 300 else data[:300] + b"..."
                    print("MISMATCH input=%r max_depth=%s\n  python: %.400s\n  c:      %.400s"
                          % (shown, md, want, got), file=sys.stderr)
    print("check_json: %d records, %d mismatches" % (total, bad))
    return 1 if bad or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
