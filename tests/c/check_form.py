"""Differential check of sc_form (tests/c/test_sc_form.c) against the original's Werkzeug.

Usage: check_form.py TEST_SC_FORM_BINARY

Builds a corpus of query strings, urlencoded bodies, multipart bodies (odd boundaries, CRLF/LF/CR,
preamble/epilogue, files, repeated names, empty and malformed parts, bodies crossing Werkzeug's
64 KiB read size, seeded random mutations) plus unit inputs for base64, codec names and header
options. The C answers come from `TEST_SC_FORM_BINARY --cases FILE`; the reference answers from
Flask 2.2 / Werkzeug 2.2 and seldon_core.flask_utils.get_multi_form_data_request() itself, run in
a request context built from the same bytes. Every answer is compared exactly.

It runs under the interpreter of the original (env SC_ORIG_PYTHON, default
/opt/seldon-orig/bin/python), re-executing itself there if needed. Without that interpreter, or
without Werkzeug 2.2 / seldon_core in it, it prints a SKIP line and exits 0.
"""
import os
import random
import sys

ORIG = os.environ.get("SC_ORIG_PYTHON") or "/opt/seldon-orig/bin/python"
MARK = "SC_CHECK_FORM_REEXEC"


def skip(why):
    print("SKIP check_form: " + why)
    sys.exit(0)


def ensure_interpreter():
    # Compare by path, not realpath: a venv's python is a symlink to the system one.
    if os.environ.get(MARK) != "1" and os.path.abspath(sys.executable) != os.path.abspath(ORIG):
        if not os.access(ORIG, os.X_OK):
            skip("no original interpreter at %s" % ORIG)
        env = dict(os.environ, **{MARK: "1"})
        os.execve(ORIG, [ORIG, os.path.abspath(__file__)] + sys.argv[1:], env)
    try:
        import werkzeug  # noqa: F401
        from importlib.metadata import version

        wz = version("werkzeug")
    except Exception as e:  # noqa: BLE001 - any import problem means no reference here
        skip("werkzeug not importable by %s (%s)" % (sys.executable, e))
    if not wz.startswith("2.2."):
        skip("reference needs Werkzeug 2.2.x, found %s" % wz)
    try:
        import flask  # noqa: F401
        import seldon_core.flask_utils  # noqa: F401
    except Exception as e:  # noqa: BLE001
        skip("flask/seldon_core not importable (%s)" % e)


ensure_interpreter()

import base64  # noqa: E402
import io  # noqa: E402
import struct  # noqa: E402

from flask import Flask, request  # noqa: E402
from seldon_core import flask_utils  # noqa: E402
from werkzeug.http import parse_options_header  # noqa: E402

from checklib import run_cases  # noqa: E402

APP = Flask("check_form")
CHUNK = 64 * 1024


# ---- canonical forms (the C side prints the same) ----------------------------------------------


def hx(b):
    return b.hex() if b else ""


def s_hex(s):
    return "s" + hx(s.encode("utf-8", "surrogatepass"))


def msg_hex(s):
    """str(exception) as the C side keeps it: UTF-8, at most 255 bytes, cut on a character."""
    b = s.encode("utf-8", "surrogatepass")
    if len(b) > 255:
        b = b[:255]
        while b and (b[-1] & 0xC0) == 0x80:
            b = b[:-1]
        if b and b[-1] >= 0xC0:
            b = b[:-1]
    return hx(b)


def canon(o):
    if o is None:
        return "N"
    if o is True:
        return "T"
    if o is False:
        return "F"
    if isinstance(o, int):
        return "i%d" % o
    if isinstance(o, float):
        return "rnan" if o != o else "r" + struct.pack(">d", o).hex()
    if isinstance(o, str):
        return s_hex(o)
    if isinstance(o, bytes):  # binData: b64encode() output
        return "b" + hx(o)
    if isinstance(o, list):
        return "[" + ",".join(canon(x) for x in o) + "]"
    if isinstance(o, dict):
        # A None key (a part without a name) cannot be a JSON key: the C side leaves it out.
        return "{" + ",".join(canon(k) + ":" + canon(v) for k, v in o.items() if k is not None) + "}"
    raise TypeError(type(o))


def environ(ct=None, body=b"", query=b""):
    env = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/predict",
        "QUERY_STRING": query.decode("latin-1"),
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "9000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
    }
    if ct is not None:
        env["CONTENT_TYPE"] = ct.decode("latin-1")
    return env


# ---- reference answers --------------------------------------------------------------------------


def ref_multipart(ct, body):
    with APP.request_context(environ(ct, body)):
        try:
            d = flask_utils.get_multi_form_data_request()
        except Exception as e:  # noqa: BLE001 - the original's generic handler: 500, str(e)
            return "ERR 500 " + msg_hex(str(e))
    return "OK " + canon(d)


def ref_get(data, name):
    with APP.request_context(environ(query=data)):
        a = request.args.get(name)
    with APP.request_context(environ(b"application/x-www-form-urlencoded", data)):
        f = request.form.get(name)
    ra = "ABSENT" if a is None else "FOUND " + s_hex(a)
    rf = "ABSENT" if f is None else "FOUND " + s_hex(f)
    return ra, rf


def exc_line(e):
    return ("ERR V " if isinstance(e, ValueError) else "ERR O ") + msg_hex(str(e))


# Real Python codecs that sc_pystr does not implement: the C side answers as for an unknown
# name (a documented difference); the check pins that down instead of Python's answer.
UNSUPPORTED_CODECS = ("cp1252", "utf-16")


def ref_decode(name, data, errors):
    if name in UNSUPPORTED_CODECS and data:
        return "ERR O " + msg_hex("unknown encoding: " + name)
    try:
        return "OK " + s_hex(data.decode(name, errors))
    except Exception as e:  # noqa: BLE001
        return exc_line(e)


def ref_opts(text):
    try:
        mt, opts = parse_options_header(text)
    except Exception as e:  # noqa: BLE001
        return exc_line(e)
    out = ["OK m" + hx(mt.encode("utf-8"))]
    for k in ("name", "filename", "boundary", "charset"):
        if k not in opts:
            out.append("-")
        elif opts[k] is None:
            out.append("N")
        else:
            out.append(s_hex(opts[k]))
    return " ".join(out)


def ref_b64d(text):
    try:
        return "OK " + hx(base64.b64decode(text))
    except Exception as e:  # noqa: BLE001
        return "ERR " + msg_hex(str(e))


# ---- the corpus ---------------------------------------------------------------------------------

B = b"XyZ"
CT = b"multipart/form-data; boundary=XyZ"


def part(name=b"a", value=b"1", filename=None, extra=b"", nl=b"\r\n", disp=None):
    cd = disp if disp is not None else b'form-data; name="' + name + b'"'
    if filename is not None and disp is None:
        cd += b'; filename="' + filename + b'"'
    return b"--" + B + nl + b"Content-Disposition: " + cd + nl + extra + nl + value + nl


def form(*parts, end=b"--XyZ--\r\n"):
    return b"".join(parts) + end


def query_cases():
    names = ["json", "j son", "\u00e9", "\ufffd"]
    datas = [
        b"json=%7B%22a%22%3A1%7D", b"a=1&json=x+y&json=second", b"json", b"json=", b"&&json=1&&",
        b"jsonx=1&xjson=2", b"", b"j%73on=1", b"js+on=1&json=2", b"json=%2B+%2b", b"json=%zz%4%",
        b"json=%%41", b"json=%2+", b"json=a=b=c", b"json=%ff%C3%A9%e2%82", b"json=a;b",
        b"%ff=1&\xef\xbf\xbd=2", b"j+son=1", b"j%20son=2", b"%C3%A9=e&\xc3\xa9=f", b"json=\xff\xfe",
        b"json=%ED%A0%80", b"json=%F0%9F%98%80%F0%9F", b"=json&json", b"json&json=2",
        b"a=" + b"x" * 30000 + b"&json=" + b"%41" * 5000, b"json=" + b"&" * 3 + b"json=late",
        b"%6a%73%6f%6e=upper%4a", b"json=%0a%0d%00", b"json=+%20+",
    ]
    return [(d, n) for d in datas for n in names[:1]] + [(d, n) for d in datas[:12] for n in names[1:]]


def multipart_cases():
    c = []
    add = c.append
    # ordinary forms
    add((CT, form(part(b"data", b'{"ndarray":[[1,2.5,-3e-5]],"names":["a","b"]}'),
                  part(b"meta", b'{"puid":"p1","tags":{"x":null,"y":true}}'))))
    add((CT, form(part(b"strData", b"plain text, not json"))))
    add((CT, form(part(b"binData", bytes(range(256)), filename=b"x.bin",
                       extra=b"Content-Type: application/octet-stream\r\n"))))
    add((CT, form(part(b"strData", "h\u00e9llo \u20ac".encode(), filename=b"t.txt"))))
    add((CT, form(part(b"jsonData", b'{"big":123456789012345678901234567890,"f":1e400,"n":NaN}'))))
    add((CT, form(part(b"a", b"1"), part(b"b", b"2"), part(b"a", b"{bad"), part(b"a", b"file", filename=b"f"))))
    add((CT, form(part(b"x", b"[1]", filename=b"f"), part(b"x", b"2"))))
    add((CT, b"--XyZ--\r\n"))
    add((CT, b"--XyZ--"))
    add((CT, b"preamble text\r\n--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--\r\nepilogue"))
    add((CT, form(part(b"a", b"1", nl=b"\n"), end=b"--XyZ--\n")))
    add((CT, form(part(b"a", b"1", nl=b"\r"), end=b"--XyZ--\r")))
    add((CT, b"--XyZ\r\nContent-Disposition: form-data; name=a\n\n1\r--XyZ  \t\r\nContent-Disposition: form-data; name=b\r\r2\n--XyZ--  x"))
    # boundaries
    for ct, bnd in [(b'multipart/form-data; boundary="a b"', b"a b"),
                    (b"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", b"----WebKitFormBoundary7MA4YWxkTrZu0gW"),
                    (b"MULTIPART/FORM-DATA; BOUNDARY=q", b"q"),
                    (b'multipart/form-data; charset=utf-8; boundary="\\"q\\""', b'"q"'),
                    (b"multipart/form-data;boundary=-", b"-"),
                    (b"multipart/form-data; boundary=b ; x=y", b"b"),
                    (b"multipart/form-data; boundary=b ; x=y", b"b "),
                    (b"multipart/form-data ; boundary=b", b"b"),
                    (b"multipart/form-data; boundary*=utf-8''%62", b"b"),
                    (b"multipart/form-data; boundary*=nope''b", b"b"),
                    (b"multipart/form-data; boundary*=utf-8''%ff", b"b"),
                    (b"multipart/form-data; boundary", b"b"),
                    (b"multipart/form-data; boundary=", b"b"),
                    (b'multipart/form-data; boundary=""', b""),
                    (b"multipart/form-data; boundary=\xe9", b"\xc3\xa9"),
                    (b"multipart/form-data", b"b"),
                    (b"multipart/form-data, boundary=b", b"b"),
                    (b"text/plain; boundary=b", b"b"),
                    (b"", b"b"),
                    (b"multipart/form-data; boundary=b\xa0", b"b"),
                    (b"multipart/form-data; boundary*0=a; boundary*1=b", b"ab")]:
        body = (b"--" + bnd + b"\r\nContent-Disposition: form-data; name=k\r\n\r\n7\r\n--" + bnd + b"--\r\n")
        add((ct, body))
    # headers of a part
    for disp in [b"form-data; name=plain", b"form-data; name='single'", b'form-data; name="a\\"b"',
                 b'form-data; name="a\\\\b"', b'form-data; name="a"b; filename="f"', b"form-data; name",
                 b"form-data; name=", b"form-data", b"form-data; filename=f", b"form-data; name=x; filename",
                 b"form-data; name=x; filename=", b'form-data; name=x; filename=""', b"form-data; NAME=up",
                 b'form-data; "name"=q', b"form-data; name*=utf-8''%C3%A9", b"form-data; name*=latin-1''%E9",
                 b"form-data; name*=utf-8''%ff", b"form-data; name*=bogus''x", b"form-data; name*=hex''x",
                 b"form-data; name*0=a; name*1=b", b"form-data; name*0*=utf-8''%C3; name*1*=%A9",
                 b"form-data; name; name*1=x", b"form-data; name=a, filename=f", b"attachment; name=att",
                 b"form-data;name=nospace", b"form-data; name=x; name=y", "form-data; name=\u00e9t\u00e9".encode(),
                 b"form-data; name=\xff", b'form-data; filename="\\\\srv\\x"; name=unc', b"form-data;\tname=\ttab",
                 "form-data;\u2028name=ls".encode(), "form-data\u00a0; name=nb".encode(),
                 "form-data; name*\u0663=arabic".encode(), b"form-data; name=\"unterminated"]:
        add((CT, form(b"--XyZ\r\nContent-Disposition: " + disp + b"\r\n\r\n\"v\"\r\n")))
    for hdrs in [b"content-disposition: form-data; name=lc\r\n", b"CONTENT-DISPOSITION:form-data; name=uc\r\n",
                 b"Content-Disposition : form-data; name=sp\r\n", b"Content-Type: text/plain\r\n",
                 b"X-Other: 1\r\nContent-Disposition: form-data; name=second\r\n",
                 b"Content-Disposition: form-data; name=one\r\nContent-Disposition: form-data; name=two\r\n",
                 b"Content-Disposition: form-data;\r\n name=folded\r\n", b"Content-Disposition: form-data;\r\n\tname=tab\r\n",
                 b"   \r\nContent-Disposition: form-data; name=blankline\r\n", b"no colon\r\nContent-Disposition: form-data; name=x\r\n",
                 b"Content-Disposition: form-data; name=x\r\nBad: \xff\r\n", b"Content-Disposition: form-data; name=x\r\n\x0b\r\n",
                 "Content-Disposition: form-data; name=x\u0085\r\n".encode(),
                 b"Content-Disposition: form-data; name=x\r\nContent-Type: text/plain; charset=latin-1\r\n",
                 b"Content-Disposition: form-data; name=x\r\nContent-Type: text/plain; charset=ISO_8859-1:1987\r\n",
                 b"Content-Disposition: form-data; name=x\r\nContent-Type: text/plain; charset=us-ascii\r\n",
                 b"Content-Disposition: form-data; name=x\r\nContent-Type: text/plain; charset=utf-8-sig\r\n",
                 b"Content-Disposition: form-data; name=x\r\nContent-Type: text/plain; charset=nope\r\n",
                 b"Content-Disposition: form-data; name=x\r\nContent-Type: text/plain; charset=base64\r\n",
                 b"Content-Disposition: form-data; name=x\r\nContent-Type: text/plain; charset=\r\n",
                 b"Content-Disposition: form-data; name=x\r\nContent-Type: text/plain; charset\r\n",
                 b"Content-Disposition: form-data; name=x\r\nContent-Type: \r\n",
                 b"Content-Disposition: form-data; name=x\r\nContent-Type: text/plain; charset*=utf-8''%ff\r\n",
                 b"Content-Disposition: form-data; name=x; filename=f\r\nContent-Type: text/plain; charset=nope\r\n"]:
        for val in [b"\"v\xe9\"", b""]:
            add((CT, form(b"--XyZ\r\n" + hdrs + b"\r\n" + val + b"\r\n")))
    # values
    for name, fn in [(b"strData", None), (b"data", None), (b"strData", b"f"), (b"binData", b"f"), (b"other", b"f")]:
        for val in [b"", b"\xef\xbb\xbf{}", b"\xff", b"ok\xe2\x82", b"\xed\xa0\x80", b"[1, 2", b"{\"a\":\"\\ud800\"}",
                    b"\x00\r\n\x00", b"--XyZ", b"\r\n--XyZx", b"1 2", b" 3 ", b"\"\\u00e9\"",
                    b"[" * 1200 + b"]" * 1200]:
            add((CT, form(part(name, val, filename=fn))))
    # framing
    add((CT, form(part(b"a", b"1"), end=b"")))
    add((CT, form(part(b"a", b"1"), end=b"--XyZ")))
    add((CT, form(part(b"a", b"1"), end=b"--XyZ-")))
    add((CT, form(part(b"a", b"1"), end=b"--XyZ-x")))
    add((CT, form(part(b"a", b"1"), end=b"--XyZ\r\n")))
    add((CT, b""))
    add((CT, b"--XyZ"))
    add((CT, b"--XyZ\r\n"))
    add((CT, b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n"))
    add((CT, b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n--XyZ--"))
    add((CT, b"--XyZ\r\n\r\n1\r\n--XyZ--"))
    add((CT, b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZX\r\n--XyZ--"))
    add((CT, b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1--XyZ--\r\n--XyZ--"))
    add((CT, b"x--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--"))
    add((CT, b"--XyZ \t \r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--"))
    add((CT, b"--XyZ\x0c\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ\x0b\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n--XyZ--"))
    add((CT, b"--XyZ--\r\n--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--"))
    add((CT, b"\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n\r\n--XyZ--"))
    add((CT, b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n\r\n--XyZ--"))
    # many parts: Werkzeug's limit is 1000
    for n in (999, 1000, 1001):
        add((CT, form(*[part(b"n%d" % (i % 5), b"%d" % i) for i in range(n)])))
    return c


def window_cases():
    """Bodies that cross Werkzeug's 64 KiB reads at interesting places."""
    c = []
    head = b"--XyZ\r\nContent-Disposition: form-data; name=strData\r\n\r\n"
    for tail in [b"\r\n--XyZ\r\n\nContent-Disposition: form-data; name=x\n\n1\n--XyZ--",
                 b"\r\n--XyZ\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--XyZ--",
                 b"\r\n--XyZ  \r\n\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--XyZ--"]:
        for delta in range(-12, 6):
            pad = CHUNK - len(head) - len(b"\r\n--XyZ\r") + delta
            c.append((CT, head + b"v" * pad + tail))
    # the first boundary line ending near or after a chunk end, with long trailing blanks
    part_ = b"Content-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--"
    for spaces in (0, 3, 7, 20, 100):
        for delta in range(-14, 4, 3):
            pre = b"p" * (CHUNK - len(b"\r\n--XyZ") - spaces + delta)
            c.append((CT, pre + b"\r\n--XyZ" + b" " * spaces + b"\r\n" + part_))
    # big files and many chunks
    rnd = random.Random(7)
    blob = bytes(rnd.getrandbits(8) for _ in range(200000))
    c.append((CT, form(part(b"binData", blob, filename=b"b"))))
    c.append((CT, form(part(b"strData", (b"line\r\n" * 40000)[:-2], filename=b"t"))))
    c.append((CT, form(part(b"strData", b"\n" + b"x" * 150000))))
    c.append((CT, form(part(b"strData", b"y" * 70000 + b"\r\n--XyZy" + b"z" * 70000))))
    return c


def fuzz_cases(seed, count):
    """Seeded random multipart bodies, then random damage to some of them."""
    rnd = random.Random(seed)
    names = [b"data", b"meta", b"strData", b"binData", b"jsonData", b"a", b"", "\u00e9".encode(), b"x y"]
    values = [b"1", b"[1,2]", b'{"k":"v"}', b"", b"text", b"\xff\xfe", "\u00e9".encode(), b"null", b"{", b"--", b"\r\n"]
    good = [b"1", b"[1,2]", b'{"k":"v"}', b"null", b'"\u00e9"', b" 2.5 "]
    nls = [b"\r\n", b"\r\n", b"\n", b"\r"]
    out = []
    for _ in range(count):
        bnd = rnd.choice([b"XyZ", b"b", b"----x", b"a b", b"q-q"])
        quoted = rnd.random() < 0.3
        ct = b"multipart/form-data; boundary=" + (b'"' + bnd + b'"' if quoted or b" " in bnd else bnd)
        nl = rnd.choice(nls)
        body = b"preamble" + nl if rnd.random() < 0.2 else b""
        for _ in range(rnd.randint(0, 5)):
            pnl = nl if rnd.random() < 0.9 else rnd.choice(nls)
            name = rnd.choice(names)
            disp = b"form-data; name=" + (b'"' + name + b'"' if rnd.random() < 0.7 else name)
            if rnd.random() < 0.3:
                disp += b'; filename="' + rnd.choice([b"f.txt", b"", b"a\\b"]) + b'"'
            extra = b""
            if rnd.random() < 0.2:
                extra = b"Content-Type: " + rnd.choice([b"text/plain", b"text/plain; charset=latin-1",
                                                        b"application/json; charset=utf-8"]) + pnl
            body += b"--" + bnd + pnl + b"Content-Disposition: " + disp + pnl + extra + pnl
            body += rnd.choice(good if rnd.random() < 0.6 else values) + pnl
        if rnd.random() < 0.9:
            body += b"--" + bnd + b"--" + rnd.choice([b"", nl, b"  " + nl + b"epilogue"])
        # damage: flip, cut, duplicate or insert bytes
        for _ in range(rnd.choice([0, 0, 0, 1, 2])):
            if not body:
                break
            i = rnd.randrange(len(body))
            op = rnd.random()
            if op < 0.3:
                body = body[:i] + bytes([rnd.getrandbits(8)]) + body[i + 1:]
            elif op < 0.5:
                body = body[:i]
            elif op < 0.75:
                j = min(len(body), i + rnd.randint(1, 20))
                body = body[:j] + body[i:j] + body[j:]
            else:
                body = body[:i] + rnd.choice([b"\r", b"\n", b"-", b"--", b'"', b";", b":", b" "]) + body[i:]
        out.append((ct, body))
    return out


def unit_cases():
    cases = []
    for t in ["", "QQ==", "QQ=", "QQ", "Q", "QUJD", "QUJDR", "QUJDRA", "QUJDRA==", "QUJDRA===", "QQ==QUJD",
              "Q=Q==", "QQ=a=", "=QQ==", "QU=J", "QUJ=", "QUJ=D", "Q!!Q==", "QQ\n==", "====", "QUI=QUI=",
              "Q===", "QU==", "QUJ==", "AA=AA", "QUJD=", "QQ=x=", "QR==", "QUK=", "Q\u00e9Q==", "a-_b", "////",
              "A" * 4001]:
        cases.append(("B64D", t.encode("utf-8")))
    for t in [b"", b"\x00", b"ab", b"abc", bytes(range(256))]:
        cases.append(("B64E", t))
    names = ["utf-8", "UTF8", "utf_8", "U8", "utf", "cp65001", "UTF 8", " utf-8 ", "utf--8", "utf.8", "utf-8-sig",
             "utf8-sig", "latin-1", "LATIN1", "iso-8859-1", "ISO_8859-1:1987", "l1", "8859", "latin", "iso.8859.1",
             "us-ascii", "ASCII", "646", "ANSI_X3.4-1968", "ansi.x3.4.1968", "iso_646.irv:1991", "u8.", "..utf8..",
             "utf\u00e98", "\u00e9utf8", "l\u00e91", "", "-", "nope", "base64", "Base_64", "rot13", "zip", "a\x00b",
             "cp1252", "utf-16"]
    datas = [b"", b"abc", b"a\xe9", b"\xff", b"\xe2\x82", b"\xe2\x82A", b"\xe0\x80", b"\xed\xa0\x80", b"\xf0\x90\x80",
             b"\xf4\x90\x80\x80", b"\xc0\x80", b"a\xf0", b"\xef\xbb\xbf\xff", b"\xef\xbb\xbfok", b"\xf0\x9f\x98\x80",
             b"\x80\x80", b"\xc3"]
    for n in names:
        for d in (datas if n in ("utf-8", "latin-1", "us-ascii", "utf-8-sig") else datas[:3]):
            cases.append(("DECR", n.encode("utf-8"), d))
            cases.append(("DECS", n.encode("utf-8"), d))
    hdrs = ["", " ", ";", "a", "a;", "a; ", "a;b", "a; b=1", "a ;b=1", "a,b=1", "a; b=1, c=2", "a; b=1; c",
            "a; b=\"x;y\"; c=2", "a; b=\"x\\\"y\"", "a; b=\"x\\\\\"", "a; b=\"x", "a; b=x\"y\"", "a; b = 1 ; c = 2",
            "a; name=\"n\" ; filename=\"f\"", "a; name*=UTF-8''%E2%82%AC", "a; name*=UTF-8'en'%E2%82%AC",
            "a; name*= utf-8''x", "a; name* = x", "a; name*=x", "a; name*='x", "a; name*=a'b", "a; name*=a'b'c'd",
            "a; name*0=x; name*1=y; name*2=z", "a; name*1=y; name*0=x", "a; name*0*=utf-8''%C3; name*1*=%A9",
            "a; name*0*=latin1''%E9; name*1=%E9", "a; name*0*=latin1''%E9; name*1*=%E9", "a; name*0=x; name=y",
            "a; name=y; name*0=x", "a; name; name*0=x", "a; name=; name*0=x", "a; x; x*1=y", "a; name*01=x",
            "a; name*\u0663=x", "a; name*\u0663\u0664=x", "a; name*=", "a; \"name\"=x", "a; \"na\\\"me\"=x",
            "a; \"unterminated=x", "a; name=\"a\\", "a; name=\"\\\\\\\\host\\\\x\"", "a; filename=\"\\\\\\\\host\\\\x\"",
            "a; filename=\"\\\\x\"", "a; filename=\"\"", "a; filename=\"", "a;\n name=x", "a\n; name=x",
            "a; name=x\ny", "a;\u00a0name=x", "a\u2003; name=x", "a; name=\u00e9", "a; NaMe=x; FILENAME=y",
            "a; boundary=\"--==\"; charset=UTF-8", "a;;name=x", "a; ;name=x", "a; , name=x", "a;,name=x",
            "a; name=x;", "a; name=x; ", "a; name='x'", "\u00e9/\u00e8; name=x", "a; name*=utf-8''%",
            "a; name*=utf-8''%4", "a; name*=utf-8''%zz%41", "a; name*=ascii''%e9", "a; name*=nul\x00''x",
            "a; name*=base64''x", "a; name*0*=nope''x; name*1=y", "a; b*=utf-8''" + "%C3%A9" * 3,
            "a; " + "; ".join("p%d=v" % i for i in range(50)) + "; name=last",
            "a; name=\"" + "\\\"" * 300 + "\"", "a; name\x00=1", "a; name\x00x=1; filename\x00=2", "a; " + ";".join("x*=y" for _ in range(200)) + "; name=z"]
    for h in hdrs:
        cases.append(("OPT", h.encode("utf-8")))
    return cases


# ---- driver -------------------------------------------------------------------------------------


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    exe = sys.argv[1]
    records = []  # (line for C, expected answers, description)
    for ct, body in multipart_cases() + window_cases() + fuzz_cases(20240601, 600):
        if b"\x00" in ct:
            continue  # the C API takes the header as a C string
        records.append(("M %s %s" % (hx(ct) or "-", hx(body) or "-"), [ref_multipart(ct, body)],
                        "multipart ct=%r body=%r" % (ct, body[:160])))
    for data, name in query_cases():
        ra, rf = ref_get(data, name)
        records.append(("G %s %s" % (hx(data) or "-", hx(name.encode())), [ra, rf],
                        "urlencoded %r name=%r" % (data[:120], name)))
    for case in unit_cases():
        kind = case[0]
        if kind == "B64D":
            exp = ref_b64d(case[1].decode("utf-8"))
        elif kind == "B64E":
            exp = "OK " + hx(base64.b64encode(case[1]))
        elif kind in ("DECR", "DECS"):
            exp = ref_decode(case[1].decode("utf-8"), case[2], "replace" if kind == "DECR" else "strict")
        else:
            exp = ref_opts(case[1].decode("utf-8"))
        args = " ".join(hx(x) or "-" for x in case[1:])
        records.append(("%s %s" % (kind, args), [exp], "%s %r" % (kind, case[1:])))

    got = run_cases(exe, [line for line, _, _ in records], "check_form", "ascii")
    if got is None:
        return 1
    bad = 0
    kinds = {}
    for (line, exps, desc), g in zip(records, got):
        k = line.split(" ", 1)[0]
        kinds[k] = kinds.get(k, 0) + 1
        for e in exps:
            if e != g:
                bad += 1
                if bad <= 25:
                    print("MISMATCH %s\n  python: %s\n  c:      %s" % (desc, e[:300], g[:300]))
    print("check_form: %d cases (%s), %d mismatches" % (
        len(records), ", ".join("%s=%d" % kv for kv in sorted(kinds.items())), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
