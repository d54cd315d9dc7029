#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer targets into tests/fuzz/corpus/<target>/.

The seeds are committed; this script documents where they come from and regenerates them
(`python3 tests/fuzz/seeds.py`). Each seed is a small valid or nearly valid input that reaches one
feature of the decoder, so the fuzzer starts from the interesting parts instead of finding the
syntax of JSON, multipart, HTTP or protobuf on its own. File names say what the seed is.
"""

import functools
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

JSON_SEEDS = {
    "ndarray_2d": b'{"data":{"names":["a","b"],"ndarray":[[1,2],[3,4]]}}',
    "ndarray_mixed": b'{"data":{"ndarray":[[1.5,true],[-2,1e-5]]},"meta":{"tags":{"x":1}}}',
    "ndarray_bools": b'{"data":{"ndarray":[true,false]}}',
    "ndarray_empty": b'{"data":{"ndarray":[[],[]]}}',
    "ndarray_ragged": b'{"data":{"ndarray":[[1],[2,3]]}}',
    "ndarray_strings": b'{"data":{"ndarray":[["a","\\u00e9"]]}}',
    "tensor": b'{"data":{"tensor":{"shape":[2,2],"values":[1,2,3,4.5]}}}',
    "tensor_badshape": b'{"data":{"tensor":{"shape":[2,"x"],"values":[1]}}}',
    "tftensor": b'{"data":{"tftensor":{"dtype":"DT_FLOAT","tensorShape":{"dim":[{"size":"1"}]},'
                b'"floatVal":[1]}}}',
    "jsondata": b'{"jsonData":{"a":[1,{"b":null}],"c":"d"}}',
    "strdata": b'{"strData":"hello \\"world\\" \\n\\t\\/"}',
    "bindata": b'{"binData":"aGVsbG8=","meta":{}}',
    "bindata_bad": b'{"binData":"aGVsbG8"}',
    "feedback": b'{"request":{"data":{"ndarray":[1]}},"response":{"data":{"ndarray":[2]}},'
                b'"reward":1.0,"truth":{"data":{"ndarray":[3]}}}',
    "seldon_list": b'{"seldonMessages":[{"data":{"ndarray":[1]}},{"strData":"x"}]}',
    "numbers": b'[0,-0,1e308,1e309,-1e-400,123456789012345678901234567890,-9223372036854775808,'
               b'9223372036854775808,0.1,NaN,Infinity,-Infinity,1E+2,2.5e-3]',
    "escapes": b'["\\ud83d\\ude00","\\ud800","\\udc00x","\\u0000","\\b\\f\\r"]',
    "utf8": '["é","中文","😀"]'.encode(),
    "dup_keys": b'{"a":1,"b":2,"a":3}',
    "deep_ok": b"[" * 100 + b"]" * 100,
    "deep_over": b"[" * 1000 + b"]" * 1000,
    "deep_obj": b'{"a":' * 50 + b"1" + b"}" * 50,
    "ws": b' \t\r\n{ "a" : [ 1 , 2 ] } \n',
    "null": b"null",
    "trailing": b'{"a":1} x',
    "truncated": b'{"data":{"ndarray":[1,2',
    "bad_utf8": b'["\xff\xfe", "\xc0\x80", "\xed\xa0\x80"]',
    "ctrl_in_string": b'["a\x01b"]',
    "meta_null": b'{"meta":null,"data":{"ndarray":[1]}}',
}

MP = b"multipart/form-data; boundary=b\n"


def mp_part(headers, data):
    return b"--b\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + data + b"\r\n"


def window_cr_last_byte():
    """Two parts where the "\r" ending the second boundary line is byte 65535 of the body."""
    head = b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n'
    fill = 65535 - len(head) - len(b"\r\n--b")
    return (head + b"d" * fill + b"\r\n--b\r\n" + b'Content-Disposition: form-data; name="strData"\r\n\r\n'
            + b"x\r\n--b--\r\n")


MULTIPART_SEEDS = {
    "strdata": MP + mp_part([b'Content-Disposition: form-data; name="strData"'], b"hello") + b"--b--\r\n",
    "bindata_file": MP + mp_part([b'Content-Disposition: form-data; name="binData"; filename="x.bin"',
                                  b"Content-Type: application/octet-stream"], b"\x00\x01\xff") + b"--b--\r\n",
    "json_field": MP + mp_part([b'Content-Disposition: form-data; name="data"'],
                               b'{"ndarray":[1,2]}') + mp_part(
        [b'Content-Disposition: form-data; name="meta"'], b'{"tags":{}}') + b"--b--\r\n",
    "bad_json_field": MP + mp_part([b'Content-Disposition: form-data; name="data"'], b"{bad") + b"--b--\r\n",
    "text_file": MP + mp_part([b'Content-Disposition: form-data; name="strData"; filename=""'],
                              "é".encode()) + b"--b--\r\n",
    "charset": MP + mp_part([b'Content-Disposition: form-data; name="strData"',
                             b"Content-Type: text/plain; charset=latin-1"], b"\xe9") + b"--b--\r\n",
    "charset_unknown": MP + mp_part([b'Content-Disposition: form-data; name="strData"',
                                     b"Content-Type: text/plain; charset=koi8-zz"], b"x") + b"--b--\r\n",
    "quoted_boundary": b'multipart/form-data; boundary="a b"\n--a b\r\nContent-Disposition: form-data; '
                       b'name="strData"\r\n\r\nx\r\n--a b--\r\n',
    "rfc2231": MP + mp_part([b"Content-Disposition: form-data; name*=UTF-8''%C3%A9; filename*=UTF-8''f"],
                            b"x") + b"--b--\r\n",
    "preamble_epilogue": MP + b"preamble\r\n" + mp_part(
        [b'Content-Disposition: form-data; name="strData"'], b"x") + b"--b--\r\nepilogue",
    "no_final": MP + mp_part([b'Content-Disposition: form-data; name="strData"'], b"x"),
    "no_disposition": MP + mp_part([b"Content-Type: text/plain"], b"x") + b"--b--\r\n",
    "no_colon": MP + mp_part([b"Content-Disposition form-data"], b"x") + b"--b--\r\n",
    "no_name": MP + mp_part([b"Content-Disposition: form-data"], b"x") + b"--b--\r\n",
    "dup_names": MP + mp_part([b'Content-Disposition: form-data; name="a"'], b"1") + mp_part(
        [b'Content-Disposition: form-data; name="a"; filename="f"'], b"2") + b"--b--\r\n",
    "lf_only": MP.replace(b"\n", b"") + b"\n--b\nContent-Disposition: form-data; name=\"strData\"\n\nx\n--b--\n",
    "empty_boundary": b"multipart/form-data; boundary=\n--\r\n",
    "no_boundary": b"multipart/form-data\n--b\r\n\r\n",
    "boundary_no_value": b"multipart/form-data; boundary\n--b\r\n",
    "many_parts": MP + b"".join(mp_part([b'Content-Disposition: form-data; name="f%d"' % i], b"%d" % i)
                                for i in range(40)) + b"--b--\r\n",
    # Werkzeug reads 64 KiB windows: a boundary line cut by the first window's end, far enough
    # in the preamble to be missed, and a boundary line whose "\r" is a window's last byte.
    "window_preamble_cut": MP + b"p" * (65536 - 3) + mp_part(
        [b'Content-Disposition: form-data; name="strData"'], b"x") + b"--b--\r\n",
    "window_cr_last_byte": MP + window_cr_last_byte(),
    "urlencoded": b"application/x-www-form-urlencoded\njson=%7B%22strData%22%3A%22x%22%7D&json=2&a+b=c%2",
    "folded_header": MP + mp_part([b'Content-Disposition: form-data;', b' name="strData"'], b"x") + b"--b--\r\n",
}


def reqbody(flags, ct=b"", query=b"", body=b""):
    return bytes([flags]) + ct + b"\n" + query + b"\n" + body


REQBODY_SEEDS = {
    "json_body": reqbody(1, b"application/json", b"", b'{"data":{"ndarray":[1]}}'),
    "json_plus_type": reqbody(1, b"application/vnd.x+json; charset=utf-8", b"", b'{"strData":"x"}'),
    "no_type": reqbody(0, b"", b"", b'{"strData":"x"}'),
    "text_type": reqbody(1, b"text/plain", b"", b'{"strData":"x"}'),
    "form_json": reqbody(1, b"application/x-www-form-urlencoded", b"",
                         b"json=%7B%22data%22%3A%7B%22ndarray%22%3A%5B1%5D%7D%7D"),
    "form_empty_json": reqbody(3, b"application/x-www-form-urlencoded", b"json=%7B%7D", b"json="),
    "query_json": reqbody(2, b"", b'json={"strData":"q"}&x=1', b""),
    "query_bad_json": reqbody(2, b"", b"json={bad", b""),
    "multipart": reqbody(1, b"multipart/form-data; boundary=b", b"",
                         b'--b\r\nContent-Disposition: form-data; name="strData"\r\n\r\nx\r\n--b--\r\n'),
    "multipart_substring": reqbody(1, b"text/x; y=multipart/form-data", b"", b"--b--"),
    "utf16_bom": reqbody(1, b"application/json", b"", '{"strData":"é"}'.encode("utf-16")),
    "utf16le": reqbody(1, b"application/json", b"", '{"a":1}'.encode("utf-16-le")),
    "utf32_bom": reqbody(1, b"application/json", b"", '{"a":"😀"}'.encode("utf-32")),
    "utf32be": reqbody(1, b"application/json", b"", '[1]'.encode("utf-32-be")),
    "utf8_bom": reqbody(1, b"application/json", b"", b'\xef\xbb\xbf{"a":1}'),
    "utf16_odd": reqbody(1, b"application/json", b"", b'\xff\xfe{\x00"'),
    "null_body": reqbody(1, b"application/json", b"", b"null"),
    "deep": reqbody(1, b"application/json", b"", b"[" * 995 + b"]" * 995),
    "passthrough_body": reqbody(5, b"application/octet-stream", b"", b"\x00\x01raw"),
    "passthrough_query": reqbody(6, b"", b"json=%7B%7D", b""),
    "passthrough_multipart": reqbody(5, b"multipart/form-data; boundary=b", b"",
                                     b'--b\r\nContent-Disposition: form-data; name="binData"; '
                                     b'filename="f"\r\n\r\n\xff\r\n--b--\r\n'),
}


def http(method, path, headers=(), body=b"", version=b"HTTP/1.1"):
    h = [b"Host: x"] + list(headers)
    if body and not any(x.lower().startswith(b"transfer-encoding") for x in h):
        h.append(b"Content-Length: %d" % len(body))
    return method + b" " + path + b" " + version + b"\r\n" + b"".join(x + b"\r\n" for x in h) + b"\r\n" + body


JBODY = b'{"data":{"ndarray":[[1,2]]}}'
JCT = b"Content-Type: application/json"
HTTP_SEEDS = {
    "ping": http(b"GET", b"/health/ping"),
    "predict": http(b"POST", b"/predict", [JCT], JBODY),
    "predict_v1": http(b"POST", b"/api/v1.0/predictions", [JCT], JBODY),
    "predict_get_query": http(b"GET", b"/predict?json=%7B%22strData%22%3A%22x%22%7D"),
    "feedback": http(b"POST", b"/send-feedback", [JCT], b'{"reward":1}'),
    "aggregate": http(b"POST", b"/aggregate", [JCT], b'{"seldonMessages":[]}'),
    "health_status": http(b"GET", b"/health/status"),
    "metadata": http(b"GET", b"/api/v1.0/metadata"),
    "openapi": http(b"GET", b"/seldon.json"),
    "head": http(b"HEAD", b"/health/ping"),
    "options_cors": http(b"OPTIONS", b"/predict", [b"Origin: http://a", b"Access-Control-Request-Method: POST",
                                                  b"Access-Control-Request-Headers: b, a ,c"]),
    "unknown_path": http(b"GET", b"/nope"),
    "wrong_method": http(b"DELETE", b"/predict"),
    "unknown_method": http(b"BREW", b"/predict"),
    "absolute_form": http(b"GET", b"http://x:80/health/ping?x=1#f"),
    "double_slash": http(b"GET", b"//health/%70ing"),
    "form_post": http(b"POST", b"/predict", [b"Content-Type: application/x-www-form-urlencoded"],
                      b"json=%7B%22strData%22%3A%22x%22%7D"),
    "multipart_post": http(b"POST", b"/predict", [b"Content-Type: multipart/form-data; boundary=b"],
                           b'--b\r\nContent-Disposition: form-data; name="strData"\r\n\r\nx\r\n--b--\r\n'),
    "chunked": http(b"POST", b"/predict", [JCT, b"Transfer-Encoding: chunked"],
                    b"5\r\n" + JBODY[:5] + b"\r\n%x\r\n" % (len(JBODY) - 5) + JBODY[5:] + b"\r\n0\r\n\r\n"),
    "chunked_ext_trailer": http(b"POST", b"/predict", [JCT, b"Transfer-Encoding: chunked"],
                                b"%x;ext=1\r\n" % len(JBODY) + JBODY + b"\r\n0\r\nX-T: 1\r\n\r\n"),
    "pipelined": http(b"GET", b"/health/ping") + http(b"POST", b"/predict", [JCT], JBODY)
                 + http(b"GET", b"/health/ping", [b"Connection: close"]),
    "keepalive_10": http(b"GET", b"/health/ping", version=b"HTTP/1.0") + http(b"GET", b"/health/ping", [
        b"Connection: keep-alive"], version=b"HTTP/1.0"),
    "expect_continue": http(b"POST", b"/predict", [JCT, b"Expect: 100-continue"], JBODY),
    "over_limit": http(b"POST", b"/predict", [JCT, b"Content-Length: 9000"]) + b" " * 100,
    "access_log_headers": http(b"GET", b"/health/ping", [b"Referer: r", b"User-Agent: ua\"x"]),
    "dup_content_type": http(b"POST", b"/predict", [b"Content-Type: text/plain", JCT], JBODY),
    "http09": b"GET /health/ping\r\n\r\n",
    "bare_lf": b"GET /health/ping HTTP/1.1\nHost: x\n\n",
    "folded": b"GET /health/ping HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n",
    "long_line": http(b"GET", b"/" + b"a" * 4100),
    "truncated_body": http(b"POST", b"/predict", [JCT, b"Content-Length: 100"]) + b"{",
}

# --- protobuf (a minimal encoder: the seeds must not need the protobuf package) ----------------


def pb_varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def pb_len(field, payload):
    return pb_varint(field << 3 | 2) + pb_varint(len(payload)) + payload


def pb_double(field, x):
    return pb_varint(field << 3 | 1) + struct.pack("<d", x)


def pb_packed_doubles(field, xs):
    return pb_len(field, b"".join(struct.pack("<d", x) for x in xs))


def pb_packed_ints(field, xs):
    return pb_len(field, b"".join(pb_varint(x) for x in xs))


def value(x):
    """google.protobuf.Value of a number, a string, None or a (nested) list."""
    if isinstance(x, list):
        return pb_len(6, listvalue(x))
    if isinstance(x, str):
        return pb_len(3, x.encode())
    if x is None:
        return pb_varint(1 << 3 | 0) + b"\x00"
    return pb_double(2, float(x))


def listvalue(xs):
    return b"".join(pb_len(1, value(x)) for x in xs)


def tensor(shape, values, packed=True):
    if packed:
        return pb_packed_ints(1, shape) + pb_packed_doubles(2, values)
    return (b"".join(pb_varint(1 << 3) + pb_varint(d) for d in shape)
            + b"".join(pb_double(2, v) for v in values))


def data(names=(), tensor_bytes=None, ndarray=None):
    out = b"".join(pb_len(1, n.encode()) for n in names)
    if tensor_bytes is not None:
        out += pb_len(2, tensor_bytes)
    if ndarray is not None:
        out += pb_len(3, listvalue(ndarray))
    return out


def seldon(data_bytes=None, meta=None):
    out = b""
    if meta is not None:
        out += pb_len(2, meta)
    if data_bytes is not None:
        out += pb_len(3, data_bytes)
    return out


META = pb_len(1, b"puid-1") + pb_len(2, pb_len(1, b"tag") + pb_len(2, value(1)))
PROTO_SEEDS = {
    "tensor_2x2": seldon(data(["a", "b"], tensor([2, 2], [1, 2, 3, 4]))),
    "tensor_unpacked": seldon(data([], tensor([3], [1.5, -2, 0], packed=False))),
    "tensor_scalar": seldon(data([], tensor([], [7]))),
    "tensor_nan": seldon(data([], tensor([2], [float("nan"), float("inf")]))),
    "tensor_negative_dim": seldon(data([], tensor([-1, 2], [1, 2]))),
    "tensor_count_mismatch": seldon(data([], tensor([3], [1, 2]))),
    "tensor_unknown_field": seldon(data([], tensor([1], [1]) + pb_len(9, b"x"))),
    "ndarray_2x2": seldon(data(["x", "y"], ndarray=[[1, 2], [3, 4]]), META),
    "ndarray_3d": seldon(data([], ndarray=[[[1], [2]], [[3], [4]]])),
    "ndarray_empty": seldon(data([], ndarray=[])),
    "ndarray_empty_rows": seldon(data([], ndarray=[[], []])),
    "ndarray_ragged": seldon(data([], ndarray=[[1], [2, 3]])),
    "ndarray_string": seldon(data([], ndarray=[["a", 1]])),
    "ndarray_null": seldon(data([], ndarray=[None])),
    "ndarray_nan": seldon(data([], ndarray=[float("nan")])),
    "ndarray_deep_33": seldon(data([], ndarray=functools.reduce(lambda a, _: [a], range(32), [1.0]))),
    "names_only": seldon(data(["a", "b", "c"])),
    "names_bad_utf8": seldon(pb_len(1, b"\xff\xfe") + pb_len(2, tensor([1], [1]))),
    "meta_twice": seldon(data([], tensor([1], [1])), META) + pb_len(2, META),
    "data_twice": seldon(data([], tensor([1], [1]))) + pb_len(3, data([], tensor([1], [2]))),
    "tensor_and_ndarray": seldon(data([], tensor([1], [1]), ndarray=[1])),
    "strdata": pb_len(5, b"hello"),
    "bindata": pb_len(4, b"\x00\x01"),
    "jsondata": pb_len(6, value([1, "a"])),
    "status": pb_len(1, pb_varint(1 << 3) + pb_varint(200)) + seldon(data([], tensor([1], [1]))),
    "tftensor": seldon(pb_len(4, pb_varint(1 << 3) + pb_varint(1))),
    "non_minimal_varints": b"\x9a\x00\x8f\x00\x92\x00\x0c\x11\x00\x00\x00\x00\x00\x00\xf0\x3f\x8a\x00\x00",
    "truncated": seldon(data(["a"], tensor([2, 2], [1, 2, 3, 4])))[:-5],
}

# fuzz_h1: the first byte chooses where the input is split into two reads; the rest is a head
# and, after it, what the chunked decoder is given.
H1_SEEDS = dict({name: b"\x80" + data for name, data in HTTP_SEEDS.items()}, **{
    "chunked_ext_trailer": b"\x40POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"5;a=b\r\nhello\r\n0x2\r\nhi\r\n0\r\nX-T: 1\r\n\r\n",
    "chunked_bad": b"\x20POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1_0\r\n0123456789abcdefXX",
    "bare_lf_fold": b"\x10GET / HTTP/1.0\nX-A: a\n\tb\nConnection: keep-alive\n\n",
    "bad_name": b"\xf0get / HTTP/1.1\r\nX(A : b\r\n\r\n",
})

TARGETS = {
    "fuzz_json": JSON_SEEDS,
    "fuzz_multipart": MULTIPART_SEEDS,
    "fuzz_reqbody": REQBODY_SEEDS,
    "fuzz_http": HTTP_SEEDS,
    "fuzz_h1": H1_SEEDS,
    "fuzz_proto": PROTO_SEEDS,
}


def main():
    for target, seeds in TARGETS.items():
        d = os.path.join(CORPUS, target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
    print("seeds written:", ", ".join("%s %d" % (t, len(s)) for t, s in TARGETS.items()))


if __name__ == "__main__":
    main()
