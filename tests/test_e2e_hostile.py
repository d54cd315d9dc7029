"""Hostile and malformed input (issue 6, "Limits and hostile input"): a corpus of requests no
well-behaved client sends, over raw sockets (HTTP) and grpcio (gRPC), against one real server.

For every case the test asserts the exact answer (status, and the body where it is ours) or a
well-defined outcome (the connection closed without an answer), and then that the server still
serves: a normal /predict answers 200 with the right body, the master has the same worker
processes as at the start (no worker crashed and was respawned), and the server's output has no
sanitizer report (the Makefile's test-asan runs this file against an ASan + UBSan build).

The framing answers are gunicorn's (the original's) where gunicorn gives one: its 400 pages with
the same messages, an unknown method routed (405/404 through the Seldon error handler), the status
line echoing the request's version, "100 Continue" whenever asked. Where gunicorn hangs, or runs
the model on a truncated or corrupt body, ours differs on purpose (docs/differences.md): a bare LF
ends a line, a corrupt chunk is a 400 in Seldon's format, a body over SC_MAX_BODY_BYTES a 413 in
Seldon's format, an incomplete request is closed unanswered, and keep-alive with pipelining is
served (gunicorn's sync worker answers one request per connection).
"""

import os
import re
import socket
import threading
import time

import pytest

import e2e_util

pytestmark = pytest.mark.ours_only  # body limit, keep-alive and the cases above differ on purpose

T = e2e_util.T
MAX_BODY = 1_000_000  # SC_MAX_BODY_BYTES of the server under test
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer")
PREDICT_BODY = b'{"data":{"ndarray":[[1,2]]}}'
PREDICT_ANSWER = b'{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{}}\n'


# ---------------------------------------------------------------------------------------------
# the server and the "still serving" check


def _children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return sorted(int(x) for x in f.read().split())
    except OSError:
        return []


@pytest.fixture(scope="module")
def hostile():
    """One server for the whole corpus: two REST workers, one gRPC worker, a 1 MB body limit and
    the default 2 s keep-alive (which is also the idle timeout of a request being read)."""
    env = {"SC_MAX_BODY_BYTES": str(MAX_BODY)}
    n = 2 if os.environ.get("SC_TEST_NO_GRPC") == "1" else 3  # 2 REST + 1 gRPC worker
    with e2e_util.running_server("id", env=env, args=["--workers", "2"]) as srv:
        deadline = time.monotonic() + 10
        while len(_children(srv.pid)) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        srv.workers = _children(srv.pid)
        assert len(srv.workers) == n, srv.workers
        while n == 3 and time.monotonic() < deadline:  # the gRPC port opens after load()
            try:
                socket.create_connection(("127.0.0.1", srv.grpc_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield srv


def _predict_ok(srv):
    r = e2e_util.raw_http(srv.http_port, "POST", "/predict", PREDICT_BODY,
                          headers=[("Content-Type", "application/json")])
    assert (r.status, r.body) == (200, PREDICT_ANSWER)


def assert_still_serving(srv):
    # A few requests on new connections, which the kernel spreads over the REST workers; a
    # worker that crashed on the hostile input shows as a changed set of worker pids (the master
    # respawns it) even if these requests all reached the other one.
    for _ in range(4):
        _predict_ok(srv)
    assert srv.proc.poll() is None, "the master exited"
    assert _children(srv.pid) == srv.workers, "a worker was replaced (crashed?)"
    out = srv.output()
    for mark in SANITIZER_MARKS:
        at = out.find(mark)
        assert at < 0, out[max(0, at - 2000):at + 4000]


# ---------------------------------------------------------------------------------------------
# raw exchanges


def exchange(port, data, half_close=False, timeout=T, pause=None):
    """Sends data on a new connection (in pieces with a pause between them when data is a list),
    optionally half-closes, and reads until the server closes. Returns (bytes, how) where how is
    "eof", "reset" or "timeout"."""
    chunks = data if isinstance(data, list) else [data]
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            for i, c in enumerate(chunks):
                if i and pause:
                    time.sleep(pause)
                s.sendall(c)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and closed; read what it sent
        buf = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                c = s.recv(65536)
            except socket.timeout:
                return buf, "timeout"
            except ConnectionResetError:
                return buf, "reset"
            if not c:
                return buf, "eof"
            buf += c
        return buf, "timeout"


def split_responses(raw):
    """(status, headers dict, body) of each response in a byte stream, in order (an answer
    without Content-Length takes the rest of the stream)."""
    out = []
    while raw.startswith(b"HTTP/"):
        head, sep, rest = raw.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get("content-length", len(rest)))
        if status == 100:
            n = 0
        out.append((status, hdrs, rest[:n]))
        raw = rest[n:]
    return out


def post(body, ct=b"application/json", path=b"/predict", extra=b"", close=True):
    """A POST; with close, `Connection: close` so the exchange ends with the answer instead of
    the 2 s keep-alive timeout."""
    extra += b"Connection: close\r\n" if close else b""
    return (b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Type: " + ct + b"\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)


def chunked(ct, body_chunks, extra=b""):
    return (b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: " + ct +
            b"\r\nTransfer-Encoding: chunked\r\n" + extra + b"\r\n" + b"".join(body_chunks))


J = b'{"data":{"ndarray":[1]}}'
J_ANSWER = b'{"data":{"names":[],"ndarray":[1]},"meta":{}}\n'
JCT = b"application/json"
PING = b"GET /health/ping HTTP/1.1\r\nHost: x\r\n\r\n"
PING_CLOSE = b"GET /health/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


def seldon_error(info, reason):
    return e2e_util.err_body(info, reason)


def bad_data(info="Can't find JSON in data"):
    return seldon_error(info, "MICROSERVICE_BAD_DATA")


def internal(info):
    return seldon_error(info, "MICROSERVICE_INTERNAL_ERROR")


def gunicorn_400(mesg):
    return ("<html>\n  <head>\n    <title>Bad Request</title>\n  </head>\n  <body>\n"
            "    <h1><p>Bad Request</p></h1>\n    %s\n  </body>\n</html>\n" % mesg).encode()


def mp_part(name, data, extra=b""):
    return (b'--x\r\nContent-Disposition: form-data; name="' + name + b'"' + extra + b"\r\n\r\n" + data
            + b"\r\n")


MP_CT = b"multipart/form-data; boundary=x"
TOO_LARGE = seldon_error("Request body exceeds the limit of %d bytes (SC_MAX_BODY_BYTES)" % MAX_BODY,
                         "MICROSERVICE_BAD_DATA")

# ---------------------------------------------------------------------------------------------
# the corpus
#
# (id, request bytes, half_close, expectation). Expectations:
#   int                 the first (only) answer has this status
#   (int, bytes)        status and exact body
#   (int, re)           status and a body matching the regular expression
#   [int, ...]          the statuses of all answers on the connection, in order
#   "closed"            no answer at all, the connection closed (EOF or reset)

CASES = [
    # --- HTTP framing ---------------------------------------------------------------------
    ("garbage", b"\x00\x01\x02garbage\r\n\r\n", False,
     (400, gunicorn_400("Invalid Request Line &#x27;Invalid HTTP request line: &#x27;\\x00\\x01\\x02garbage&#x27;&#x27;"))),
    # a bare LF ends the (garbage) request line; gunicorn waits for a CR LF and closes at the EOF
    ("binary_noise", bytes(range(256)) * 4, True, 400),
    ("http09_request_line", b"GET /health/ping\r\n\r\n", False,
     (400, gunicorn_400("Invalid Request Line &#x27;Invalid HTTP request line: &#x27;GET /health/ping&#x27;&#x27;"))),
    # gunicorn takes any HTTP/<d>.<d> and echoes it in the status line
    ("http_version_2", b"GET /health/ping HTTP/2.0\r\nConnection: close\r\n\r\n", False, (200, b"pong")),
    ("http_version_garbage", b"GET /health/ping HTTX/1.1\r\n\r\n", False,
     (400, gunicorn_400("Invalid HTTP Version &#x27;Invalid HTTP Version: &#x27;HTTX/1.1&#x27;&#x27;"))),
    ("http_version_0_1", b"GET /health/ping HTTP/0.1\r\nConnection: close\r\n\r\n", False, (200, b"pong")),
    ("header_without_colon", b"GET /health/ping HTTP/1.1\r\nHost x\r\n\r\n", False,
     (400, gunicorn_400("Invalid HTTP Header: &#x27;Host x&#x27;"))),
    ("header_leading_fold", b"GET /health/ping HTTP/1.1\r\n folded\r\nConnection: close\r\n\r\n", False,
     (400, gunicorn_400("Invalid HTTP Header: &#x27;folded&#x27;"))),
    ("header_obs_fold", b"GET /health/ping HTTP/1.1\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n", False,
     (200, b"pong")),
    ("header_space_before_colon", b"GET /health/ping HTTP/1.1\r\nHost : x\r\nConnection: close\r\n\r\n",
     False, (400, gunicorn_400("Invalid HTTP header name: &#x27;HOST &#x27;"))),
    ("nul_in_header_value", b"GET /health/ping HTTP/1.1\r\nX-A: a\x00b\r\nConnection: close\r\n\r\n", False,
     (200, b"pong")),
    ("nul_in_path", b"GET /health/\x00ping HTTP/1.1\r\nConnection: close\r\n\r\n", False,
     (500, internal("404 Not Found: The requested URL was not found on the server. If you entered the URL "
                    "manually please check your spelling and try again."))),
    ("bare_lf_line_ends", b"GET /health/ping HTTP/1.1\nConnection: close\n\n", False, (200, b"pong")),
    ("crlf_only", b"\r\n\r\n\r\n", True,
     (400, gunicorn_400("Invalid Request Line &#x27;Invalid HTTP request line: &#x27;&#x27;&#x27;"))),
    # gunicorn reports the bytes it had read (8192) when no line end came
    ("request_line_100k", b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n\r\n", False,
     (400, gunicorn_400("Request Line is too large (8192 &gt; 4094)"))),
    ("request_line_4095", b"GET /" + b"a" * 4081 + b" HTTP/1.1\r\n\r\n", False,
     (400, gunicorn_400("Request Line is too large (4095 &gt; 4094)"))),
    ("header_field_9k", b"GET /health/ping HTTP/1.1\r\nX-A: " + b"a" * 9000 + b"\r\n\r\n", False,
     (400, gunicorn_400("Error parsing headers: &#x27;limit request headers fields size&#x27;"))),
    ("headers_900k", b"GET /health/ping HTTP/1.1\r\nX-A: " + b"a" * 900000 + b"\r\n\r\n", False,
     (400, gunicorn_400("Error parsing headers: &#x27;max buffer headers&#x27;"))),
    ("header_count_200", b"GET /health/ping HTTP/1.1\r\n" + b"".join(b"X-%d: a\r\n" % i for i in range(200))
     + b"\r\n", False, (400, gunicorn_400("Error parsing headers: &#x27;limit request headers fields&#x27;"))),
    ("lowercase_method", b"get /health/ping HTTP/1.1\r\n\r\n", False,
     (400, gunicorn_400("Invalid Method &#x27;Invalid HTTP method: &#x27;get&#x27;&#x27;"))),
    # an unknown method is routed: 405 where a rule matches the path, 404 for "/" (no rule)
    ("unknown_method", b"BREW /predict HTTP/1.1\r\nConnection: close\r\n\r\n", False,
     (500, internal("405 Method Not Allowed: The method is not allowed for the requested URL."))),
    ("connect_method", b"CONNECT x:80 HTTP/1.1\r\n\r\n", True,
     (500, internal("405 Method Not Allowed: The method is not allowed for the requested URL."))),
    ("trace_method", b"TRACE / HTTP/1.1\r\nConnection: close\r\n\r\n", False,
     (500, internal("404 Not Found: The requested URL was not found on the server. If you entered the URL "
                    "manually please check your spelling and try again."))),
    ("absolute_form_target", b"GET http://x/health/ping HTTP/1.1\r\nConnection: close\r\n\r\n", False,
     (200, b"pong")),
    ("http10_without_host", b"GET /health/ping HTTP/1.0\r\n\r\n", False, (200, b"pong")),
    ("duplicate_host", b"GET /health/ping HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
     False, (200, b"pong")),
    ("get_with_body", b"GET /health/ping HTTP/1.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
     False, (200, b"pong")),
    ("expect_100_continue", post(J, extra=b"Expect: 100-continue\r\n"), False,
     (200, J_ANSWER)),
    ("expect_unknown", post(J, extra=b"Expect: 200-ok\r\n"), False, (200, J_ANSWER)),
    ("empty_connection", b"", True, "closed"),
    ("partial_request_line_then_close", b"GET /health/pi", True, "closed"),
    ("partial_headers_then_close", b"POST /predict HTTP/1.1\r\nContent-Type: appl", True, "closed"),
    ("pipelined_4", PING * 3 + PING_CLOSE, False, [200, 200, 200, 200]),
    ("pipelined_200", PING * 199 + PING_CLOSE, False, [200] * 200),
    ("pipelined_predicts", post(J, close=False) + post(b'{"strData":"a"}', close=False) + post(J),
     False, [200, 200, 200]),
    # --- Content-Length -------------------------------------------------------------------
    ("content_length_negative", b"POST /predict HTTP/1.1\r\nContent-Length: -5\r\n\r\n" + J, False, 400),
    ("content_length_not_a_number", b"POST /predict HTTP/1.1\r\nContent-Length: abc\r\n\r\n" + J, False, 400),
    ("content_length_10e22", b"POST /predict HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"
     + J, False, (413, TOO_LARGE)),
    ("content_length_over_limit", b"POST /predict HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY + 1)
     + J, False, (413, TOO_LARGE)),
    ("content_length_underscore", post(J).replace(b"Length: 24", b"Length: 2_4"), False, (200, J_ANSWER)),
    ("content_length_plus_sign", post(J).replace(b"Length: 24", b"Length: +24"), False, (200, J_ANSWER)),
    # a repeated Content-Length is refused as gunicorn does (request smuggling otherwise)
    ("content_length_twice_different", post(J, extra=b"Content-Length: 5\r\n"), False,
     (400, gunicorn_400("Invalid HTTP Header: &#x27;CONTENT-LENGTH&#x27;"))),
    ("content_length_twice_same", post(J, extra=b"Content-Length: 24\r\n"), False,
     (400, gunicorn_400("Invalid HTTP Header: &#x27;CONTENT-LENGTH&#x27;"))),
    ("body_truncated_then_close", post(J).replace(b"Length: 24", b"Length: 100"), True, "closed"),
    # a body longer than Content-Length: the rest is the next request (here: garbage, 400)
    ("body_longer_than_content_length", post(J).replace(b"Length: 24", b"Length: 23")
     + b"\r\n\r\n", True, [400]),
    # --- chunked --------------------------------------------------------------------------
    ("chunked_ok", chunked(JCT, [b"5\r\n", J[:5], b"\r\n13\r\n", J[5:], b"\r\n0\r\n\r\n"],
                           extra=b"Connection: close\r\n"), False, (200, J_ANSWER)),
    ("chunked_trailer", chunked(JCT, [b"18\r\n", J, b"\r\n0\r\nX-T: 1\r\n\r\n"],
                                extra=b"Connection: close\r\n"), False, (200, J_ANSWER)),
    ("chunk_extension", chunked(JCT, [b"18;a=b\r\n", J, b"\r\n0\r\n\r\n"], extra=b"Connection: close\r\n"),
     False, (200, J_ANSWER)),
    # a corrupt chunk: gunicorn's message, as a 400 in Seldon's format (gunicorn: a 500)
    ("chunk_size_not_hex", chunked(JCT, [b"zz\r\nabc\r\n0\r\n\r\n"]), False,
     (400, bad_data("Invalid chunk size: b'zz'"))),
    ("chunk_size_overflow", chunked(JCT, [b"ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n"]), False, (413, TOO_LARGE)),
    ("chunk_size_int64_max", chunked(JCT, [b"7fffffffffffffff\r\nabc\r\n0\r\n\r\n"]), False, (413, TOO_LARGE)),
    ("chunk_size_negative", chunked(JCT, [b"-5\r\nabc\r\n0\r\n\r\n"]), False,
     (400, bad_data("Invalid chunk size: b'-5'"))),
    ("chunk_data_without_crlf", chunked(JCT, [b"18\r\n", J, b"XX0\r\n\r\n"]), False,
     (400, bad_data("Invalid chunk terminator is not '\\r\\n': b'XX'"))),
    ("chunked_over_limit", chunked(JCT, [b"%x\r\n" % (MAX_BODY + 10), b" " * (MAX_BODY + 10),
                                         b"\r\n0\r\n\r\n"]), False, (413, TOO_LARGE)),
    ("chunked_truncated_then_close", chunked(JCT, [b"100\r\nabc"]), True, "closed"),
    # chunked wins over Content-Length and an unknown coding is ignored, as in gunicorn; either way
    # the connection closes after the answer (a proxy in front may have framed it differently)
    ("transfer_encoding_and_content_length", chunked(JCT, [b"18\r\n", J, b"\r\n0\r\n\r\n"],
                                                     extra=b"Content-Length: 5\r\n"), False, (200, J_ANSWER)),
    ("transfer_encoding_gzip", post(J, extra=b"Transfer-Encoding: gzip\r\n", close=False), False,
     (200, J_ANSWER)),
    ("transfer_encoding_chunked_twice", chunked(JCT, [b"18\r\n", J, b"\r\n0\r\n\r\n"]).replace(
        b"chunked", b"chunked, chunked"), False, (400, bad_data())),
    # --- bad JSON -------------------------------------------------------------------------
    ("json_syntax_error", post(b"{bad"), False, (400, bad_data())),
    ("json_empty_body", post(b""), False, (400, bad_data())),
    ("json_null", post(b"null"), False, (400, bad_data())),
    ("json_trailing_garbage", post(J + b"xx"), False, (400, bad_data())),
    ("json_deep_arrays_100k", post(b"[" * 100000 + b"]" * 100000), False,
     (500, internal("maximum recursion depth exceeded while decoding a JSON array from a unicode string"))),
    ("json_deep_objects_5k", post(b'{"a":' * 5000 + b"1" + b"}" * 5000), False,
     (500, internal("maximum recursion depth exceeded while decoding a JSON object from a unicode string"))),
    # json.loads meets the recursion limit before the end of the input, as we do
    ("json_unclosed_deep", post(b"[" * 50000), False,
     (500, internal("maximum recursion depth exceeded while decoding a JSON array from a unicode string"))),
    ("json_int_5000_digits", post(b'{"data":{"ndarray":[1' + b"0" * 5000 + b"]}}"), False,
     (500, re.compile(rb'\{"status":\{"code":-1,"info":"Exceeds the limit \(4300 digits\) for integer string'
                      rb" conversion: value has 5001 digits"))),
    ("json_exponent_overflow", post(b'{"data":{"ndarray":[1e999999999,-1e999999999,1e-999999999]}}'), False,
     (200, b'{"data":{"names":[],"ndarray":[Infinity,-Infinity,0.0]},"meta":{}}\n')),
    ("json_100k_numbers", post(b'{"data":{"ndarray":[' + b",".join([b"7"] * 100000) + b"]}}"), False,
     (200, b'{"data":{"names":[],"ndarray":[' + b",".join([b"7"] * 100000) + b']},"meta":{}}\n')),
    ("json_invalid_utf8", post(b'{"strData":"\xff\xfe"}'), False, (400, bad_data())),
    ("json_overlong_utf8_nul", post(b'{"strData":"\xc0\x80"}'), False, (400, bad_data())),
    ("json_utf8_surrogate_bytes", post(b'{"strData":"\xed\xa0\x80"}'), False, (400, bad_data())),
    ("json_lone_surrogate_escape", post(b'{"strData":"\\ud800"}'), False,
     (200, b'{"meta":{},"strData":"\\ud800"}\n')),
    ("json_raw_nul_in_string", post(b'{"strData":"a\x00b"}'), False, (400, bad_data())),
    ("json_utf16_with_bom", post('{"strData":"\u00e9"}'.encode("utf-16")), False,
     (200, b'{"meta":{},"strData":"\\u00e9"}\n')),
    ("json_utf16_odd_length", post(b'\xff\xfe{\x00"'), False, (400, bad_data())),
    ("json_duplicate_keys", post(b'{"strData":"a","strData":"b"}'), False, (200, b'{"meta":{},"strData":"b"}\n')),
    ("json_query_param_bad", b"GET /predict?json=%7Bbad HTTP/1.1\r\nConnection: close\r\n\r\n", False,
     (500, internal("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"))),
    ("json_form_field_bad", post(b"json=%7B%22a%22", ct=b"application/x-www-form-urlencoded"), False,
     (500, internal("Expecting ':' delimiter: line 1 column 5 (char 4)"))),
    # --- wrong types ----------------------------------------------------------------------
    ("type_list_root", post(b"[1,2,3]"), False, (400, bad_data("Invalid request data type: [1, 2, 3]"))),
    ("type_string_root", post(b'"x"'), False, (400, bad_data("Invalid request data type: x"))),
    ("type_ndarray_string", post(b'{"data":{"ndarray":"abc"}}'), False,
     (200, b'{"data":{"names":[],"ndarray":"abc"},"meta":{}}\n')),
    ("type_tensor_shape_string", post(b'{"data":{"tensor":{"shape":"x","values":[1]}}}'), False,
     (500, internal("'str' object cannot be interpreted as an integer"))),
    ("type_bindata_int", post(b'{"binData":123}'), False,
     (500, internal("argument should be a bytes-like object or ASCII string, not 'int'"))),
    ("type_meta_list", post(b'{"meta":[1],"data":{"ndarray":[1]}}'), False,
     (500, internal("'list' object has no attribute 'get'"))),
    ("type_feedback_reward_string", post(b'{"reward":"x"}', path=b"/send-feedback"), False,
     (400, re.compile(rb'\{"status":\{"code":-1,"info":"Invalid JSON: Failed to parse reward field'))),
    ("type_aggregate_not_list", post(b'{"seldonMessages":"x"}', path=b"/aggregate"), False,
     (400, bad_data("Invalid request data type: {'seldonMessages': 'x'}"))),
    # --- multipart ------------------------------------------------------------------------
    ("multipart_no_boundary", post(b"--x\r\n", ct=b"multipart/form-data"), False,
     (400, bad_data("Invalid request data type: {}"))),
    ("multipart_boundary_without_value", post(b"--x\r\n", ct=b"multipart/form-data; boundary"), False,
     (500, internal("'NoneType' object has no attribute 'encode'"))),
    ("multipart_unterminated", post(mp_part(b"strData", b"abc")[:-2], ct=MP_CT), False,
     (400, bad_data("Invalid request data type: {}"))),
    ("multipart_2000_parts", post(b"".join(mp_part(b"f%d" % i, b"1") for i in range(2000)) + b"--x--\r\n",
                                  ct=MP_CT), False,
     (500, internal("413 Request Entity Too Large: The data value transmitted exceeds the capacity limit."))),
    ("multipart_huge_part_header", post(mp_part(b"strData", b"abc", extra=b"\r\nX-A: " + b"a" * 70000)
                                        + b"--x--\r\n", ct=MP_CT), False,
     (200, b'{"meta":{},"strData":"abc"}\n')),
    ("multipart_bad_json_field", post(mp_part(b"data", b"{bad") + b"--x--\r\n", ct=MP_CT), False,
     (500, internal("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"))),
    ("multipart_text_file_not_utf8", post(mp_part(b"strData", b"\xff\xfe", extra=b'; filename="a"')
                                          + b"--x--\r\n", ct=MP_CT), False,
     (500, internal("'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"))),
    ("multipart_unknown_charset", post(mp_part(b"strData", b"x", extra=b"\r\nContent-Type: text/plain; "
                                               b"charset=nope-9") + b"--x--\r\n", ct=MP_CT), False,
     (500, internal("unknown encoding: nope-9"))),
    ("multipart_binary_file", post(mp_part(b"binData", b"\xff\x00\xfe", extra=b'; filename="a"')
                                   + b"--x--\r\n", ct=MP_CT), False, (200, b'{"binData":"/wD+","meta":{}}\n')),
    # --- the body limit (SC_MAX_BODY_BYTES): 413 in Seldon's format, the body left unread ---
    ("body_at_limit", post(b" " * (MAX_BODY - len(J)) + J), False, (200, J_ANSWER)),
    ("body_one_over_limit", post(b" " * (MAX_BODY - len(J) + 1) + J), False, (413, TOO_LARGE)),
    ("body_over_limit_expect_100", post(b" " * MAX_BODY + J, extra=b"Expect: 100-continue\r\n"), False,
     [413]),  # refused before any "100 Continue"
]


def _check(raw, how, expect):
    if expect == "closed":
        assert raw == b"" and how in ("eof", "reset"), (how, raw[:300])
        return
    assert how in ("eof", "reset"), "the server did not close the connection: %r" % raw[:300]
    if isinstance(expect, list):
        assert [r[0] for r in split_responses(raw)] == expect, raw[:600]
        return
    resp = split_responses(raw)
    assert resp, raw[:300]
    status, _, body = resp[-1] if resp[0][0] == 100 else resp[0]
    if isinstance(expect, int):
        assert status == expect, raw[:300]
    elif isinstance(expect[1], bytes):
        assert (status, body) == expect, raw[:300]
    else:
        assert status == expect[0] and expect[1].match(body), raw[:300]


@pytest.mark.parametrize("data,half_close,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_http(hostile, data, half_close, expect):
    raw, how = exchange(hostile.http_port, data, half_close=half_close)
    _check(raw, how, expect)
    assert_still_serving(hostile)


def test_corpus_size():
    # issue 6 asks for at least 60 hostile requests; the gRPC and slow-client cases come on top.
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES)


# ---------------------------------------------------------------------------------------------
# slow clients


def test_slowloris_partial_headers_are_timed_out(hostile):
    """A client that sends part of its headers and stops is disconnected by the read timeout
    (the keep-alive setting, 2 s) without an answer, and meanwhile others are served."""
    with socket.create_connection(("127.0.0.1", hostile.http_port), timeout=T) as s:
        s.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Ty")
        t0 = time.monotonic()
        _predict_ok(hostile)
        s.settimeout(8)
        try:
            data = s.recv(1024)
        except ConnectionResetError:
            data = b""
        waited = time.monotonic() - t0
    assert data == b"" and 1.0 <= waited < 6.0, (data, waited)
    assert_still_serving(hostile)


def test_slow_drip_request_is_served(hostile):
    """A request sent a few bytes at a time, each within the read timeout, is answered normally."""
    req = post(J)
    pieces = [req[i:i + 16] for i in range(0, len(req), 16)]
    raw, how = exchange(hostile.http_port, pieces, pause=0.05)
    _check(raw, how, (200, J_ANSWER))
    assert_still_serving(hostile)


def test_client_gone_while_model_runs(server):
    """The client closes while its request is in the model: the answer is dropped, nothing else."""
    # REST only: a gRPC worker still starting would change the list of children meanwhile
    with server("slow", env={"SC_MAX_BODY_BYTES": str(MAX_BODY)}, args=["--workers", "1", "--grpc-workers", "0"]) as srv:
        before = _children(srv.pid)
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", srv.http_port), timeout=T) as s:
                s.sendall(post(b'{"data":{"ndarray":[0.3]}}'))
                time.sleep(0.05)
        time.sleep(0.5)
        r = e2e_util.raw_http(srv.http_port, "GET", "/health/ping")
        assert (r.status, r.body) == (200, b"pong")
        assert _children(srv.pid) == before
        for mark in SANITIZER_MARKS:
            assert mark not in srv.output()


# ---------------------------------------------------------------------------------------------
# gRPC

try:
    import grpc
except ImportError:  # only the gRPC cases need it
    grpc = None

needs_grpc = pytest.mark.skipif(grpc is None or os.environ.get("SC_TEST_NO_GRPC") == "1",
                                reason="grpcio not installed, or a server without gRPC workers")

GRPC_CASES = [
    # (id, method path, request bytes, expected status code name)
    ("garbage", "/seldon.protos.Model/Predict", b"\xff\xff\xff\xff\xff", "INVALID_ARGUMENT"),
    ("truncated_submessage", "/seldon.protos.Model/Predict", b"\x12\x10\x0a\x05", "INVALID_ARGUMENT"),
    ("bad_wire_type", "/seldon.protos.Seldon/Predict", b"\x0f", "INVALID_ARGUMENT"),
    ("huge_length_varint", "/seldon.protos.Model/Predict", b"\x0a\xff\xff\xff\xff\x0f", "INVALID_ARGUMENT"),
    ("overlong_varint", "/seldon.protos.Model/Predict", b"\x08" + b"\xff" * 11, "INVALID_ARGUMENT"),
    ("invalid_utf8_string", "/seldon.protos.Model/Predict", b"\x2a\x02\xff\xfe", "INVALID_ARGUMENT"),
    ("garbage_feedback", "/seldon.protos.Model/SendFeedback", b"\xff\xff", "INVALID_ARGUMENT"),
    ("garbage_aggregate", "/seldon.protos.Generic/Aggregate", b"\x0a\x05\xff", "INVALID_ARGUMENT"),
    ("garbage_metadata", "/seldon.protos.Model/Metadata", b"\xff", "INVALID_ARGUMENT"),
    # non-canonical 6-byte tag / length varints: upb refuses them, and so must the C fast path
    # (it used to decode them: found by tests/fuzz/fuzz_proto.c, fixed in csrc/sc_pb.c)
    ("six_byte_length_varint", "/seldon.protos.Model/Predict", b"\x1a\x07\x1a\x80\x80\x80\x80\x80\x00",
     "INVALID_ARGUMENT"),
    ("six_byte_tag_varint", "/seldon.protos.Model/Predict", b"\x9a\x80\x80\x80\x80\x00\x02\x1a\x00",
     "INVALID_ARGUMENT"),
    ("empty_predict", "/seldon.protos.Model/Predict", b"", "UNKNOWN"),
    ("unknown_method", "/seldon.protos.Model/Nope", b"", "UNIMPLEMENTED"),
    ("unknown_service", "/nope.Service/Predict", b"\x00", "UNIMPLEMENTED"),
    ("over_max_message_size", "/seldon.protos.Model/Predict", b"\x2a\x80\x80\x80\x03" + b"a" * (6 << 20),
     "RESOURCE_EXHAUSTED"),
]

def _grpc_predict_ok(channel):
    # SeldonMessage{strData: "ok"} (field 5, proto/prediction.proto), echoed by the identity model
    out = channel.unary_unary("/seldon.protos.Model/Predict")(b"\x2a\x02ok", timeout=T)
    assert b"\x2a\x02ok" in out


@needs_grpc
@pytest.mark.parametrize("method,payload,code", [c[1:] for c in GRPC_CASES], ids=[c[0] for c in GRPC_CASES])
def test_hostile_grpc(hostile, method, payload, code):
    with grpc.insecure_channel("127.0.0.1:%d" % hostile.grpc_port,
                               options=[("grpc.max_send_message_length", 64 << 20)]) as ch:
        call = ch.unary_unary(method)
        with pytest.raises(grpc.RpcError) as ei:
            call(payload, timeout=T)
        assert ei.value.code().name == code, ei.value.details()
        _grpc_predict_ok(ch)
    assert_still_serving(hostile)


RAW_GRPC_CASES = [
    ("not_http2", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("garbage", bytes(range(256)) * 8),
    ("preface_then_garbage", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\xff" * 64),
    ("preface_then_huge_frame", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\xff\xff\xff\x00\x00\x00\x00\x00\x00"),
    ("preface_only_then_close", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
]


@needs_grpc
@pytest.mark.parametrize("data", [c[1] for c in RAW_GRPC_CASES], ids=[c[0] for c in RAW_GRPC_CASES])
def test_hostile_grpc_transport(hostile, data):
    """Bytes that are not (valid) HTTP/2 on the gRPC port: gRPC core closes the connection
    (after a GOAWAY or an HTTP/1 error answer), within the timeout."""
    raw, how = exchange(hostile.grpc_port, data, half_close=True)
    assert how in ("eof", "reset"), raw[:200]
    with grpc.insecure_channel("127.0.0.1:%d" % hostile.grpc_port) as ch:
        _grpc_predict_ok(ch)
    assert_still_serving(hostile)


# ---------------------------------------------------------------------------------------------
# 1,000 idle or slow connections


def _raise_nofile(n):
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, n))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


def _rest_worker_sockets(srv):
    """Sockets open in the server's workers (the gRPC worker's few are counted too)."""
    n = 0
    for pid in _children(srv.pid):
        try:
            fds = os.listdir("/proc/%d/fd" % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                n += os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith("socket:")
            except OSError:
                pass
    return n


def test_1000_idle_connections_do_not_slow_others(server):
    """1,000 connections that send nothing or half a request stay open while a normal client
    makes 20 requests on new connections: the slowest answer comes within 100 ms."""
    if _raise_nofile(4096) < 2200:
        pytest.skip("RLIMIT_NOFILE hard limit too low for 1,000 connections")
    n_idle = 1000
    # keep-alive 30 s: the idle connections are not reaped by the read timeout during the test
    # (the server inherits the raised RLIMIT_NOFILE from this process)
    with server("id", args=["--workers", "2", "--keepalive", "30"]) as srv:
        socks = []
        try:
            for i in range(n_idle):
                s = socket.create_connection(("127.0.0.1", srv.http_port), timeout=T)
                if i % 3 == 1:
                    s.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Len")
                elif i % 3 == 2:
                    s.sendall(b"POST /predict HTTP/1.1\r\nContent-Type: application/json\r\n"
                              b"Content-Length: 100\r\n\r\n{\"data\":")
                socks.append(s)
            # the workers accept them all (not left in the listen backlog): count their sockets
            deadline = time.monotonic() + 10
            while _rest_worker_sockets(srv) < n_idle and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _rest_worker_sockets(srv) >= n_idle
            lat = []
            for _ in range(20):
                t0 = time.perf_counter()
                r = e2e_util.raw_http(srv.http_port, "POST", "/predict", PREDICT_BODY,
                                      headers=[("Content-Type", "application/json")])
                lat.append(time.perf_counter() - t0)
                assert (r.status, r.body) == (200, PREDICT_ANSWER)
            # every idle connection is still open (none was dropped to make room)
            alive = 0
            for s in socks:
                s.setblocking(False)
                try:
                    alive += s.recv(1) != b""
                except BlockingIOError:
                    alive += 1
                except OSError:
                    pass
        finally:
            for s in socks:
                s.close()
        slowest = max(lat)
        print("\n1,000 idle connections: 20 requests, max %.1f ms, median %.1f ms"
              % (slowest * 1000, sorted(lat)[10] * 1000))
        assert alive == n_idle
        limit = 0.1 * (3 if os.environ.get("SC_TEST_SANITIZED") == "1" else 1)
        assert slowest < limit, ["%.1f" % (x * 1000) for x in lat]
        for mark in SANITIZER_MARKS:
            assert mark not in srv.output()


def test_1000_slow_clients_dripping(server):
    """1,000 connections each dripping one header byte every ~0.5 s for 3 s: requests from a
    normal client are still answered within 100 ms at the slowest."""
    if _raise_nofile(4096) < 2200:
        pytest.skip("RLIMIT_NOFILE hard limit too low for 1,000 connections")
    with server("id", args=["--workers", "2"]) as srv:
        socks = [socket.create_connection(("127.0.0.1", srv.http_port), timeout=T) for _ in range(1000)]
        stop = threading.Event()
        header = b"GET /health/ping HTTP/1.1\r\nX-Slow: " + b"a" * 64

        def drip():
            i = 0
            while not stop.is_set() and i < len(header):
                for s in socks:
                    try:
                        s.send(header[i:i + 1])
                    except OSError:
                        pass
                i += 1
                stop.wait(0.5)

        th = threading.Thread(target=drip, daemon=True)
        th.start()
        lat = []
        try:
            t_end = time.monotonic() + 3
            while time.monotonic() < t_end and len(lat) < 20:
                t0 = time.perf_counter()
                r = e2e_util.raw_http(srv.http_port, "POST", "/predict", PREDICT_BODY,
                                      headers=[("Content-Type", "application/json")])
                lat.append(time.perf_counter() - t0)
                assert (r.status, r.body) == (200, PREDICT_ANSWER)
                time.sleep(0.1)
        finally:
            stop.set()
            th.join(5)
            for s in socks:
                s.close()
        print("\n1,000 dripping connections: %d requests, max %.1f ms" % (len(lat), max(lat) * 1000))
        limit = 0.1 * (3 if os.environ.get("SC_TEST_SANITIZED") == "1" else 1)
        assert len(lat) == 20 and max(lat) < limit, ["%.1f" % (x * 1000) for x in lat]


def test_head_dripped_slower_than_header_timeout_is_cut(server):
    """A client that keeps sending header bytes just often enough to defeat the idle timeout is
    disconnected SC_HEADER_TIMEOUT after its first byte, unanswered; its worker serves others
    meanwhile."""
    with server("id", env={"SC_HEADER_TIMEOUT": "2"}, args=["--workers", "1", "--grpc-workers", "0"]) as srv:
        with socket.create_connection(("127.0.0.1", srv.http_port), timeout=T) as s:
            t0 = time.monotonic()
            s.sendall(b"GET /health/ping HTTP/1.1\r\n")
            closed_after = None
            for i in range(40):
                time.sleep(0.25)
                if i == 2:
                    _predict_ok(srv)
                try:
                    s.sendall(b"X-%d: v\r\n" % i)
                except (BrokenPipeError, ConnectionResetError):
                    closed_after = time.monotonic() - t0
                    break
                s.settimeout(0.01)
                try:
                    data = s.recv(1024)
                except socket.timeout:
                    continue
                except ConnectionResetError:
                    data = b""
                assert data == b"", data[:200]
                closed_after = time.monotonic() - t0
                break
        assert closed_after is not None and 1.8 <= closed_after < 4.0, closed_after
        _predict_ok(srv)


def _rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_pipelining_client_that_never_reads_is_throttled(hostile):
    """A client pipelining requests without reading the answers: once its unread answers and
    read-ahead reach their bounds the worker stops reading from it, so the client's sends block
    (TCP backpressure) instead of the worker buffering without limit."""
    before = {p: _rss_kb(p) for p in hostile.workers}
    burst = PING * 20000  # ~0.8 MB per send
    sent = 0
    with socket.create_connection(("127.0.0.1", hostile.http_port), timeout=T) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(3)
        try:
            for _ in range(100):  # up to 80 MB
                s.sendall(burst)
                sent += len(burst)
        except socket.timeout:
            pass
        grown = max(_rss_kb(p) - before[p] for p in hostile.workers)
        _predict_ok(hostile)  # others are served meanwhile
    assert sent < 100 * len(burst), "the server kept reading 80 MB of requests nobody reads answers to"
    if os.environ.get("SC_TEST_SANITIZED") != "1":  # ASan keeps freed memory in quarantine
        assert grown < 64 * 1024, "a worker grew by %d kB" % grown
    assert_still_serving(hostile)


def test_large_head_then_body_later(hostile):
    """A head larger than the connection's kept input buffer, its body sent after a pause: the
    buffer is released with the head and the body is read on its own (fuzz_http found the
    released buffer being copied from; UBSan in the sanitizer run guards this)."""
    head = (b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-A: " + b"a" * 8000
            + b"\r\nX-B: " + b"b" * 8000 + b"\r\nX-C: " + b"c" * 4000 + b"\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n" % len(J))
    raw, how = exchange(hostile.http_port, [head, J], pause=0.3)
    _check(raw, how, (200, J_ANSWER))
    assert_still_serving(hostile)


@pytest.mark.parametrize("data,expect", [
    (b"\x00garbage\r\n\r\n", (400, gunicorn_400("Invalid Request Line &#x27;Invalid HTTP request line: "
                                                "&#x27;\\x00garbage&#x27;&#x27;"))),
    (b"GET /metrics HTTP/1.1\r\nX-A: " + b"a" * 9000 + b"\r\n\r\n",
     (400, gunicorn_400("Error parsing headers: &#x27;limit request headers fields size&#x27;"))),
    (b"GET /metrics HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000,
     (413, b"<!doctype html>\n<html lang=en>\n<title>413 Request Entity Too Large</title>\n"
           b"<h1>Request Entity Too Large</h1>\n<p>The data value transmitted exceeds the capacity limit.</p>\n")),
    (b"POST /metrics HTTP/1.1\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n" + b"x" * 100000,
     (405, b"<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
           b"<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n")),
], ids=["garbage", "header_9k", "get_body_100k", "post_body_100k"])
def test_hostile_metrics_port(hostile, data, expect):
    """The master's metrics port has the same framing as the REST port; a scrape still works."""
    raw, how = exchange(hostile.metrics_port, data)
    _check(raw, how, expect)
    r = e2e_util.raw_http(hostile.metrics_port, "GET", "/metrics")
    assert r.status == 200
    assert_still_serving(hostile)
