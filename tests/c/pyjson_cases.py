"""Cases for test_sc_pyjson, run inside that test binary's embedded interpreter.

The binary provides the module `_sc_test` with encode(obj, default=None) (sc_pyjson_encode) and
ArrayOut (sc_pyjson_add_types). Every case is encoded both ways and must give the same text, or
the same exception type and message, as Flask 2.2's jsonify core:
json.dumps(obj, sort_keys=True, ensure_ascii=True, separators=(",", ":"), default=...), where
ArrayOut(a) stands for a.tolist(). Exits with an AssertionError on the first mismatch.
"""
import collections
import decimal
import enum
import gc
import json
import random
import struct
import sys

import numpy as np

from _sc_test import ArrayOut, encode


def base_default(o):
    return json.JSONEncoder().default(o)  # raises "Object of type X is not JSON serializable"


def reference(obj, default=None):
    def fallback(o):
        if type(o) is ArrayOut:
            return o.array.tolist()
        return (default or base_default)(o)

    return json.dumps(obj, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=True,
                      default=fallback)


def outcome(fn):
    try:
        return ("ok", fn())
    except Exception as e:  # the comparison is the point: any exception is an outcome
        return (type(e).__name__, str(e))


counts = collections.Counter()


def check(obj, default=None, group="misc", expect_error=None):
    want = outcome(lambda: reference(obj, default))
    got = outcome(lambda: encode(obj, default))
    if want != got:
        raise AssertionError("%s case %r:\n want %.400r\n got  %.400r" % (group, obj, want, got))
    if expect_error is not None and want[0] != expect_error:
        raise AssertionError("%s case %r: expected %s, both gave %.200r" % (group, obj, expect_error, want))
    counts[group] += 1
    return got


# ---- scalars ----------------------------------------------------------------------------------
class IntE(enum.IntEnum):
    A = 7


class MyInt(int):
    def __repr__(self):
        return "MyInt!"


class MyFloat(float):
    def __repr__(self):
        return "MyFloat!"


class MyStr(str):
    def __str__(self):
        return "MyStr!"


scalars = [None, True, False, 0, 1, -1, 2**31, 2**63 - 1, -2**63, 2**63, -2**63 - 1, 2**64, 10**30,
           -10**200, 10**4299, IntE.A, MyInt(5), MyFloat(1.5), MyStr("s"), 0.0, -0.0, 1.0, 0.1, 1e16,
           1e-5, 1e22, 5e-324, 1.7976931348623157e308, float("nan"), float("inf"), float("-inf"),
           np.float64(0.1), np.float64("nan"), np.float64(-np.inf), "", "abc",
           '"\\/\b\f\n\r\t', "".join(map(chr, range(128))), "é", "\xff\xe9", "中文", "\U0001f600",
           "\ud800", "\udfff", "a\ud83d\ude00b", "\U0010ffff", "\u2028\u2029", "\ufeff", "x" * 5000,
           "é" * 3000 + "\U0001f600"]
for s in scalars:
    check(s, group="scalars")
check(10**4301, group="scalars", expect_error="ValueError")  # int max str digits

for i in range(2000):
    bits = random.Random(i).getrandbits(64)
    check(struct.unpack("<d", bits.to_bytes(8, "little"))[0], group="random floats")

# ---- containers -------------------------------------------------------------------------------
Point = collections.namedtuple("Point", "x y")


class RevList(list):
    def __iter__(self):
        return iter(self[::-1])  # slicing does not go through __iter__


class ItemsDict(dict):
    def items(self):
        return [("b", 1), ("a", 2)]


class BadItems(dict):
    def items(self):
        return [(1, 2, 3)]


class AlwaysEqual(str):
    def __eq__(self, other):
        return True

    def __hash__(self):
        return id(self)

    def __lt__(self, other):
        return False


containers = [
    [], {}, (), [[]], [{}], {"a": {}}, {"a": []}, [1, "a", None, True, 1.5],
    (1, 2), Point(1, 2.5), RevList([1, 2, 3]), ItemsDict(z=1), BadItems(a=1),
    {"b": 1, "a": 2, "c": {"z": [1, 2, {"y": None, "x": False}], "é": 1, "e": 2}},
    {"\U0001f600": 1, "\uffff": 2, "a": 3, "B": 4, "é": 5, "": 6, "\x00": 7},
    {1: "a", 2: "b", 10: "c"}, {1.5: 1, -0.0: 2, float("nan"): 3, float("inf"): 4, float("-inf"): 5},
    {True: 1, False: 2}, {None: 1}, {2**100: 1, -5: 2}, {0.5: "x", False: "y", 1: "z"},
    {1: "a", "b": 2}, {None: 1, "a": 2}, {(1, 2): 3}, {np.int64(1): 2}, {np.float64(2.5): 1},
    {MyInt(3): 1, IntE.A: 2}, {MyStr("k"): MyStr("v")},
    {float("nan"): 1, float("nan"): 2},
    {AlwaysEqual("b"): 2, AlwaysEqual("a"): 1}, {AlwaysEqual("b"): 1, AlwaysEqual("a"): 2},
    collections.OrderedDict([("b", 1), ("a", 2)]), collections.defaultdict(int, {"q": 1}),
    {"k": set()}, [b"bytes"], [1j], [np.int64(3)], {"a": np.float32(1)}, [np.bool_(True)],
    [object()], {"deep": [[[[[[[[[[1]]]]]]]]]]},
]
for c in containers:
    check(c, group="containers")

# circular references and recursion depth
a = []
a.append(a)
check(a, group="errors", expect_error="ValueError")
d = {}
d["x"] = [1, d]
check(d, group="errors", expect_error="ValueError")
shared = [1]
check([shared, shared, {"s": shared}], group="containers")  # repeated, not circular
deep = []
for _ in range(100000):
    deep = [deep]
check(deep, group="errors", expect_error="RecursionError")
ok_deep = []
for _ in range(300):
    ok_deep = [ok_deep]
check(ok_deep, group="containers")
ok_deep_d = {}
for _ in range(300):
    ok_deep_d = {"k": ok_deep_d}
check(ok_deep_d, group="containers")


# ---- default ----------------------------------------------------------------------------------
class Thing:
    pass


def flask_like(o):
    if isinstance(o, decimal.Decimal):
        return str(o)
    if isinstance(o, (set, frozenset)):
        return sorted(o)
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


thing = Thing()
check([decimal.Decimal("1.10"), {3, 1, 2}, np.int64(5), np.float32(0.1)], flask_like, "default")
check({"a": thing}, flask_like, "default", expect_error="TypeError")
check(thing, lambda o: o, "default", expect_error="ValueError")  # default returns its argument
check(thing, lambda o: [o], "default", expect_error="ValueError")
check(thing, lambda o: {"again": [o]}, "default", expect_error="ValueError")
check(thing, lambda o: 1 / 0, "default", expect_error="ZeroDivisionError")
check([thing, thing], lambda o: "T", "default")
check(thing, lambda o: {"b": [1, 2], "a": "x"}, "default")
check(np.int64(7), None, "errors", expect_error="TypeError")
assert check(np.int64(7))[1] == "Object of type int64 is not JSON serializable"

# ---- ArrayOut ---------------------------------------------------------------------------------
arr = np.arange(6.0).reshape(2, 3)
w = ArrayOut(arr)
assert w.array is arr
assert outcome(lambda: ArrayOut([1, 2]))[0] == "TypeError"
assert outcome(lambda: ArrayOut())[0] == "TypeError"
assert outcome(lambda: ArrayOut(arr, arr))[0] == "TypeError"
assert ArrayOut(array=arr).array is arr
loop = np.empty(1, dtype=object)
loop[0] = ArrayOut(loop)  # a reference cycle only the GC can free
del loop
gc.collect()

rng = np.random.default_rng(7)
SHAPES = [(), (0,), (0, 3), (3, 0), (1, 4), (4,), (2, 3), (2, 3, 4), (1, 1, 1, 1), (2, 0, 2), (37,)]


def values(dtype, shape):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        x = rng.standard_normal(shape) * 10.0 ** rng.integers(-40, 40, shape)
        with np.errstate(over="ignore"):  # float16 overflows to inf: fine, also a case
            x = np.asarray(x).astype(dt)
        flat = x.reshape(-1)
        if flat.size >= 4:
            flat[:4] = [np.nan, np.inf, -np.inf, -0.0]
        return x
    if dt.kind in "iu":
        info = np.iinfo(dt)
        x = rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
        flat = x.reshape(-1)
        if flat.size >= 2:
            flat[:2] = [info.min, info.max]
        return x
    if dt.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dt.kind == "c":
        return np.asarray(rng.standard_normal(shape) + 1j, dtype=dt)
    if dt.kind == "O":
        return np.array(rng.integers(0, 9, size=shape), dtype=object)
    if dt.kind == "U":
        return np.array(rng.integers(0, 9, size=shape)).astype(str)
    if dt.kind == "M":
        return np.array(rng.integers(0, 10**9, size=shape)).astype(dt)
    raise ValueError(dt)


DTYPES = [np.float64, np.float32, np.float16, np.longdouble, np.int8, np.int16, np.int32, np.int64,
          np.uint8, np.uint16, np.uint32, np.uint64, np.byte, np.ubyte, np.short, np.ushort,
          np.intc, np.uintc, np.int_, np.uint, np.longlong, np.ulonglong, np.bool_, np.complex128,
          object, str, "datetime64[s]"]
for dt in DTYPES:
    for shape in SHAPES:
        x = values(dt, shape)
        check(ArrayOut(x), group="arrays")
        if x.ndim >= 1 and x.size:
            check(ArrayOut(x[::-1]), group="arrays strided")
            check(ArrayOut(x[::2]), group="arrays strided")
            check(ArrayOut(np.moveaxis(x, 0, -1)), group="arrays strided")
            if x.dtype.kind in "fiub":
                check(ArrayOut(x.astype(x.dtype.newbyteorder("S"))), group="arrays swapped")
                raw = np.frombuffer(b"\0" + x.tobytes(), dtype=x.dtype, offset=1).reshape(x.shape)
                check(ArrayOut(raw), group="arrays unaligned")
        if x.ndim == 2:
            check(ArrayOut(x.T), group="arrays strided")
            check(ArrayOut(x[:, ::-1]), group="arrays strided")

big = rng.random((100, 100))
check(ArrayOut(big), group="arrays")
check(ArrayOut(big[::3, 1::7]), group="arrays strided")
for n in (511, 512, 513, 1024, 1025, 10000):  # the printer works in chunks of 512
    check(ArrayOut(big.ravel()[:n]), group="arrays")
    check(ArrayOut(big.ravel()[::-1][:n]), group="arrays strided")
check(ArrayOut(big.astype(np.float32)), group="arrays")
check(ArrayOut(np.broadcast_to(np.arange(3), (4, 3))), group="arrays strided")  # zero strides
check(ArrayOut(np.float32([0.1, 3.4028235e38, 1e-45, -1.5])), group="arrays")
check(ArrayOut(np.matrix([[1.5, 2], [3, 4]])), group="arrays subclass")
check(ArrayOut(np.ma.array([1.0, 2.0, 3.0], mask=[0, 1, 0])), group="arrays subclass")
check(ArrayOut(np.zeros(2, dtype=[("a", "i4"), ("b", "f8")])), group="arrays")
check(ArrayOut(np.array([1 + 2j])), group="arrays", expect_error="TypeError")
check(ArrayOut(np.array([np.int64(1), None, "x", {"b": 1, "a": [2]}], dtype=object)), group="arrays")
check(ArrayOut(np.array([ArrayOut(np.arange(3))], dtype=object)), group="arrays")
check(ArrayOut(np.array(["é", "\U0001f600", ""])), group="arrays")
check(ArrayOut(np.array(np.int64(3))), group="arrays")
check(ArrayOut(np.array(3.0)), group="arrays")
check(ArrayOut(np.array(True)), group="arrays")
check(ArrayOut(np.array(np.float32(0.1))), group="arrays")
check({"data": {"names": [], "ndarray": ArrayOut(big[:2])}, "meta": {"tags": {"b": 1, "a": 2}}},
      group="arrays")
check([ArrayOut(np.ones((2, 2))), ArrayOut(np.zeros((0,)))], group="arrays")
check(ArrayOut(np.array([thing], dtype=object)), flask_like, "arrays", expect_error="TypeError")


# ---- random documents -------------------------------------------------------------------------
def random_docs(seed, n):
    r = random.Random(seed)
    pool = ['"', "\\", "/", "\n", "\t", "\x00", "\x1f", "\x7f", "é", "ÿ", "\u0100", "中", "\ufeff",
            "\uffff", "\U0001f600", "\U0010ffff", "\ud800", "\udc00", "\u2028"]

    def text():
        return "".join(r.choice(pool) if r.random() < 0.3 else chr(r.randrange(32, 127))
                       for _ in range(r.randrange(0, 10)))

    def number():
        k = r.randrange(6)
        if k == 0:
            return r.randrange(-1000, 1000)
        if k == 1:
            return r.getrandbits(r.randrange(1, 200)) * r.choice([1, -1])
        if k == 2:
            return struct.unpack("<d", r.getrandbits(64).to_bytes(8, "little"))[0]
        if k == 3:
            return round(r.uniform(-1000, 1000), r.randrange(0, 6))
        if k == 4:
            return r.random()
        return r.choice([0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1e16, 1e-5])

    def value(depth):
        k = r.randrange(9 if depth < 5 else 5)
        if k == 0:
            return text()
        if k in (1, 2):
            return number()
        if k == 3:
            return r.choice([None, True, False])
        if k == 4:
            return ArrayOut(values(r.choice([np.float64, np.float32, np.int64, np.uint8, np.bool_]),
                                   tuple(r.randrange(0, 4) for _ in range(r.randrange(0, 3)))))
        if k in (5, 6):
            return {text(): value(depth + 1) for _ in range(r.randrange(0, 6))}
        if k == 7:
            return [value(depth + 1) for _ in range(r.randrange(0, 6))]
        return tuple(value(depth + 1) for _ in range(r.randrange(0, 4)))

    return [value(0) for _ in range(n)]


for doc in random_docs(99, 3000):
    check(doc, group="random documents")

print("pyjson cases:", ", ".join("%s %d" % kv for kv in sorted(counts.items())),
      "- total", sum(counts.values()))
sys.stdout.flush()
