"""Black-box tests of the metrics port: SPEC §2.5, §3.9, §6 and decisions 6 and 11.

Tests not marked ours_only also pass against the original (SC_TEST_TARGET=original), except for
what the original does differently by design: its Content-Type repeats the charset and its
worker_id is a PID.
"""

import os
import re
import signal
import time

import pytest
import requests

import e2e_util
from e2e_util import T

PROM_CT = "text/plain; version=0.0.4; charset=utf-8"
PAGE_404 = (b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
            b"<p>The requested URL was not found on the server. If you entered the URL manually "
            b"please check your spelling and try again.</p>\n")
PAGE_405 = (b"<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
            b"<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n")

# SPEC §6.6, exactly as printed.
BOUNDS = """0.001 0.0012341553253454693 0.0015231393670785815 0.0018797905611233593 0.0023199535315445415
0.002863183005509725 0.0035336125536884733 0.004361026750842238 0.005382184388525997
0.006642451525090608 0.008197816923039709 0.010117379411776668 0.012486417679584786
0.015410178873747385 0.019018554321561593 0.02347185009632733 0.028967908792092944
0.03575089889988335 0.04412216226317852 0.05445360152285871 0.06720420230367624 0.0829404241586763
0.10236136616184238 0.12632982515827532 0.15591062646904755 0.19241792993472334 0.2374736129208902
0.2930793240153456 0.3617054084821892 0.44640065608455204 0.5509277469444613 0.6799304127720881
0.8391397397870157 1.035628778567157 1.2781267721496807 1.5774069623151439 1.9467652027782552
2.402610642206036 2.965194718810281 3.65951085290597 4.516404807273444 5.573945044312399
6.879113959621136 8.489895126924782 10.477849282518772 12.931293490187748 15.959224724520412
19.696162182151948 24.30812344597087 29.999999999999996 +Inf""".split()
assert len(BOUNDS) == 51

NI = "NOT_IMPLEMENTED"


def labels(method, worker="W", **extra):
    """The label text of a sample: the defaults (all NOT_IMPLEMENTED), method, worker_id."""
    d = {k: NI for k in ("deployment_name", "model_name", "model_image", "model_version",
                         "predictor_name", "predictor_version", "seldon_deployment_name",
                         "image_name", "image_version")}
    d.update(extra, method=method, worker_id=worker)
    return ",".join('%s="%s"' % (k, d[k]) for k in sorted(d))


def scrape(srv, path="/metrics"):
    r = requests.get(srv.metrics_url + path, timeout=T)
    assert r.status_code == 200, r.content
    return r


def anon(text):
    """worker_id values replaced by W (ours: slot numbers; the original: PIDs)."""
    return re.sub(r'worker_id="[0-9]+"', 'worker_id="W"', text)


def predict(srv, metrics, **kw):
    r = requests.post(srv.url("/api/v1.0/predictions"), json={"jsonData": {"metrics": metrics}},
                      timeout=T, **kw)
    assert r.status_code == 200, r.content
    return r.json()["jsonData"]["pid"]


def samples(text):
    """{sample name + labels: float value} of an exposition."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, val = line.rpartition(" ")
            assert key not in out, "duplicate sample %s" % key
            out[key] = float(val)
    return out


def test_e4_request_metrics_not_recorded(id_server):
    q = '{"meta":{"metrics":[{"key":"mygauge","type":"GAUGE","value":100}]},"data":{"ndarray":[[1]]}}'
    r = requests.get(id_server.url("/predict"), params={"json": q}, timeout=T)
    assert r.status_code == 200
    m = scrape(id_server)
    assert m.content == b""
    assert m.headers["Content-Length"] == "0"


@pytest.mark.ours_only
def test_content_type_one_charset(id_server):
    assert scrape(id_server).headers["Content-Type"] == PROM_CT  # decision 11


def test_e6_custom_port_and_endpoint():
    http, grpc, metrics = e2e_util.free_ports(3)
    env = {"PREDICTIVE_UNIT_METRICS_SERVICE_PORT": metrics,
           "PREDICTIVE_UNIT_METRICS_ENDPOINT": "/metrics-endpoint"}
    srv = e2e_util.spawn("id", "MyModel", env=env, pass_ports=False, ports=(http, grpc, metrics),
                         args=["--http-port", str(http), "--grpc-port", str(grpc)])
    try:
        e2e_util.wait_ready(srv)
        r = requests.get("http://127.0.0.1:%d/metrics-endpoint" % metrics, timeout=T)
        assert (r.status_code, r.content) == (200, b"")
        r = requests.get("http://127.0.0.1:%d/metrics" % metrics, timeout=T)
        assert (r.status_code, r.content) == (404, PAGE_404)
    finally:
        srv.stop()


def test_e15_exact_lines(server):
    with server("custom_metrics") as srv:
        r = requests.post(srv.url("/api/v1.0/predictions"), json={"data": {"ndarray": [[1, 2, 3]]}},
                          timeout=T)
        assert r.status_code == 200
        requests.get(srv.url("/health/status"), timeout=T)
        text = anon(scrape(srv).text)
        want = ""
        # runtime metrics are recorded before metrics() ones; then the health call (SPEC §3.8)
        for name, method in (("instance_counter", "predict"), ("requests_counter", "predict"),
                             ("requests_counter", "health")):
            want += "# HELP %s_total \n# TYPE %s_total counter\n%s_total{%s} 1.0\n" % (
                name, name, name, labels(method))
        assert text == want


@pytest.mark.ours_only
def test_e15_worker_id_is_the_slot(server):
    with server("custom_metrics") as srv:
        requests.post(srv.url("/api/v1.0/predictions"), json={"data": {"ndarray": [[1]]}}, timeout=T)
        assert set(re.findall(r'worker_id="([0-9]+)"', scrape(srv).text)) == {"0"}


def test_counter_gauge_timer_exact(server):
    env = {"PREDICTIVE_UNIT_IMAGE": "repo/img:0.3", "PREDICTIVE_UNIT_ID": "m1",
           "SELDON_DEPLOYMENT_ID": "dep", "PREDICTOR_ID": "p", "PREDICTOR_LABELS": '{"version":"v9"}'}
    with server("metrics_any", env=env) as srv:
        predict(srv, [{"type": "COUNTER", "key": "c", "value": 1234567},
                      {"type": "GAUGE", "key": "g", "value": 0.5, "tags": {"b": "x\"y", "a": "1"}},
                      {"type": "TIMER", "key": "t", "value": 20.2}])
        predict(srv, [{"type": "COUNTER", "key": "c_total", "value": 1},
                      {"type": "GAUGE", "key": "g", "value": 7, "tags": {"a": "1", "b": "x\"y"}}])
        text = anon(scrape(srv).text)
        d = dict(deployment_name="dep", seldon_deployment_name="dep", model_name="m1",
                 model_image="repo/img", image_name="repo/img", model_version="0.3",
                 image_version="0.3", predictor_name="p", predictor_version="v9")
        lab = labels("predict", **d)
        counter = "# HELP c_total \n# TYPE c_total counter\nc_total{%s} %s\n"
        want = counter % (lab, "1.234567e+06")
        want += "# HELP g \n# TYPE g gauge\ng{%s} 7.0\n" % labels("predict", a="1", b='x\\"y', **d)
        want += "# HELP t \n# TYPE t histogram\n"
        pre, post = lab.split(",method=")
        for i, b in enumerate(BOUNDS):
            want += 't_bucket{%s,le="%s",method=%s} %s\n' % (pre, b, post, "1.0" if i >= 15 else "0.0")
        want += "t_count{%s} 1.0\nt_sum{%s} 0.0202\n" % (lab, lab)
        # keys "c" and "c_total" are two series (as in the original), both exposed as c_total
        want += counter % (lab, "1.0")
        assert text == want


def test_timer_edges_and_feedback_reward(server):
    with server("metrics_any") as srv:
        predict(srv, [{"type": "TIMER", "key": "t", "value": v} for v in (0, 1, -5, 30000, 1e9)])
        r = requests.post(srv.url("/api/v1.0/feedback"), timeout=T,
                          json={"request": {"data": {"ndarray": [[1]]}}, "reward": 0.1})
        assert r.status_code == 200
        s = samples(anon(scrape(srv).text))
        lab = labels("predict")
        pre, post = lab.split(",method=")

        def bucket(b):
            return s['t_bucket{%s,le="%s",method=%s}' % (pre, b, post)]

        assert bucket("0.001") == 1.0  # 0 s
        assert bucket("0.0012341553253454693") == 2.0  # exactly 0.001 s: the next bucket
        assert bucket("29.999999999999996") == 2.0
        assert bucket("+Inf") == 4.0  # 30 s and 1e6 s; the negative one is in no bucket
        assert s["t_count{%s}" % lab] == 4.0
        assert s["t_sum{%s}" % lab] == 0 + 0.001 - 0.005 + 30 + 1e6
        fb = labels("feedback")
        assert s["seldon_api_model_feedback_total{%s}" % fb] == 1.0
        assert s["seldon_api_model_feedback_reward_total{%s}" % fb] == 0.10000000149011612


@pytest.mark.ours_only
def test_bad_metric_name_is_refused(server):
    with server("metrics_any") as srv:
        for bad in ([{"type": "COUNTER", "key": "my-counter", "value": 1}],
                    [{"type": "GAUGE", "key": "g", "value": 1, "tags": {"bad-label": "v"}}]):
            r = requests.post(srv.url("/api/v1.0/predictions"), json={"jsonData": {"metrics": bad}},
                              timeout=T)
            assert r.status_code == 500
            assert r.json()["status"]["reason"] == "MICROSERVICE_BAD_METRIC"
            assert r.json()["status"]["info"].startswith("Bad metric created during request: ")
        m = scrape(srv)  # nothing recorded, and the scrape keeps working
        assert m.content == b""


def allow(r):
    """The Allow methods (the original's order comes from a Python set: it varies)."""
    return sorted(m.strip() for m in r.headers["Allow"].split(","))


def test_routes(id_server):
    base = id_server.metrics_url
    r = requests.head(base + "/metrics", timeout=T)
    assert (r.status_code, r.content, r.headers["Content-Length"]) == (200, b"", "0")
    r = requests.get(base + "/metrics?x=1", timeout=T)
    assert r.status_code == 200
    for path in ("/nope", "/metrics/", "/"):
        r = requests.get(base + path, timeout=T)
        assert (r.status_code, r.content) == (404, PAGE_404)
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    for path in ("/metrics", "/nope"):
        r = requests.post(base + path, timeout=T)
        assert (r.status_code, r.content) == (405, PAGE_405)
        assert allow(r) == ["GET", "HEAD", "OPTIONS"]
    r = requests.options(base + "/metrics", timeout=T)
    assert (r.status_code, r.content, allow(r)) == (200, b"", ["GET", "HEAD", "OPTIONS"])
    r = requests.get(base + "/metrics", headers={"Origin": "http://a.example"}, timeout=T)
    assert r.headers["Access-Control-Allow-Origin"] == "http://a.example"
    assert requests.get(base + "/metrics", timeout=T).headers["Access-Control-Allow-Origin"] == "*"


def _counter_total(text, name):
    return sum(v for k, v in samples(text).items() if k.startswith(name + "_total{"))


def _workers(master_pid):
    with open("/proc/%d/task/%d/children" % (master_pid, master_pid)) as f:
        return [int(p) for p in f.read().split()]


@pytest.mark.ours_only
def test_two_workers_exact_totals(server):
    with server("metrics_any", args=["--workers", "2"]) as srv:
        n = 200
        pids = set()
        for _ in range(n):
            # a new connection each time, so both workers get traffic
            pids.add(predict(srv, [{"type": "COUNTER", "key": "hits", "value": 1},
                                   {"type": "TIMER", "key": "lat", "value": 5}],
                             headers={"Connection": "close"}))
        text = scrape(srv).text
        assert _counter_total(text, "hits") == n
        s = samples(text)
        assert sum(v for k, v in s.items() if k.startswith("lat_count{")) == n
        ids = set(re.findall(r'worker_id="([0-9]+)"', text))
        assert ids <= {"0", "1"} and len(ids) == min(len(pids), 2)
        # one series per (metric, slot): HELP lines are counted per series
        assert text.count("# HELP hits_total ") == len(ids)


@pytest.mark.ours_only
def test_kill9_worker_counters_never_go_back(server):
    with server("metrics_any", args=["--workers", "2"]) as srv:
        metric = [{"type": "COUNTER", "key": "hits", "value": 1},
                  {"type": "GAUGE", "key": "g", "value": 1}]
        sent = 0
        for _ in range(40):
            predict(srv, metric, headers={"Connection": "close"})
            sent += 1
        before = samples(scrape(srv).text)
        victim = _workers(srv.pid)[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:  # until the slot is refilled
            kids = _workers(srv.pid)
            if victim not in kids and len(kids) == 2:
                break
            time.sleep(0.1)
        else:
            pytest.fail("worker not respawned")
        for _ in range(40):
            predict(srv, metric, headers={"Connection": "close"})
            sent += 1
        after = samples(scrape(srv).text)
        # the store lives in the master: nothing is lost with the worker, the respawned worker
        # continues its slot's series (decision 6), so at most one series per slot
        assert set(before) <= set(after) and len(after) <= 4
        for k, v in before.items():
            if k.startswith("hits_total{"):
                assert after[k] >= v
        assert sum(v for k, v in after.items() if k.startswith("hits_total{")) == sent


@pytest.mark.ours_only
def test_max_requests_recycling_keeps_the_series(server):
    with server("metrics_any", args=["--workers", "1", "--max-requests", "1"]) as srv:
        metric = [{"type": "COUNTER", "key": "hits", "value": 1},
                  {"type": "TIMER", "key": "lat", "value": 2}]
        pids, sizes = set(), []
        for i in range(30):
            for _ in range(50):  # the recycled worker is back within a few ms
                try:
                    pids.add(predict(srv, metric, headers={"Connection": "close"}))
                    break
                except (requests.ConnectionError, AssertionError):
                    time.sleep(0.05)
            else:
                pytest.fail("no answer after recycling")
            text = scrape(srv).text
            sizes.append((text.count("\n"), len(set(re.findall(r'worker_id="([0-9]+)"', text)))))
        assert len(pids) > 1  # the worker really was recycled
        assert set(sizes) == {sizes[0]} and sizes[0][1] == 1  # same series, one slot
        text = scrape(srv).text
        assert _counter_total(text, "hits") == 30
        assert sum(v for k, v in samples(text).items() if k.startswith("lat_count{")) == 30
