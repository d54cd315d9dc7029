"""SPEC §10.2 examples E2, E11 and E12 byte for byte over real HTTP (the other examples are in
test_e2e_rest.py, test_e2e_errorhandler.py, test_e2e_grpc.py and test_e2e_metrics.py). Passes
against the original too (SC_TEST_TARGET=original)."""
import requests

T = 20
ROUTER = "../differential/models/router"     # route() -> 22, UO tags/metrics
COMBINER = "../differential/models/combiner"  # aggregate() -> Xs[0], UO tags/metrics
UO_META = b'"meta":{"metrics":[{"key":"mycounter","type":"COUNTER","value":1}],"tags":{"mytag":1}}'


def _get(srv, path, json_text):
    return requests.get(srv.url(path), params={"json": json_text}, timeout=T)


def test_e2_send_feedback(server):
    with server("id") as srv:
        r = _get(srv, "/send-feedback",
                 '{"request":{"data":{"names":["a","b"],"ndarray":[[1.0,2.0]]}},"response":{"meta":'
                 '{"routing":{"router":0}},"data":{"names":["a","b"],"ndarray":[[1.0,2.0]]}},"reward":1}')
        assert r.status_code == 200
        assert r.content == b'{"data":{"ndarray":[]},"meta":{}}\n'


def test_e11_route(server):
    with server(ROUTER) as srv:
        r = _get(srv, "/route", '{"data":{"ndarray":[2]}}')
        assert r.status_code == 200
        assert r.content == b'{"data":{"names":["t:0"],"ndarray":[[22]]},' + UO_META + b'}\n'
        r = _get(srv, "/route", '{"data":{"tensor":{"shape":[1],"values":[2]}}}')
        assert r.content == b'{"data":{"names":["t:0"],"tensor":{"shape":[1,1],"values":[22]}},' + UO_META + b'}\n'
    with server("id") as srv:  # no route(): 400
        r = _get(srv, "/route", '{"data":{"ndarray":[2]}}')
        assert r.status_code == 400
        assert r.content == (b'{"status":{"code":-1,"info":"Route not defined",'
                             b'"reason":"MICROSERVICE_BAD_DATA","status":1}}\n')


def test_e12_aggregate(server):
    with server(COMBINER) as srv:
        r = _get(srv, "/aggregate",
                 '{"seldonMessages":[{"meta":{"tags":{"input-1":"yes","common":1}},"data":{"ndarray":[0]}},'
                 '{"meta":{"tags":{"input-2":"yes","common":2}},"data":{"ndarray":[1]}}]}')
        assert r.status_code == 200
        assert r.content == (b'{"data":{"names":[],"ndarray":[0]},"meta":{"metrics":[{"key":"mycounter",'
                             b'"type":"COUNTER","value":1}],"tags":{"common":2,"input-1":"yes",'
                             b'"input-2":"yes","mytag":1}}}\n')
        r = _get(srv, "/aggregate", '[{"data":{"ndarray":[1]}}]')
        assert r.status_code == 200 and b'"ndarray":[1]' in r.content
        for bad in ('{"wrong":[{"data":{"ndarray":[1]}}]}', '{"seldonMessages":{"data":{"ndarray":[1]}}}'):
            r = _get(srv, "/aggregate", bad)
            assert r.status_code == 400 and b'"reason":"MICROSERVICE_BAD_DATA"' in r.content
