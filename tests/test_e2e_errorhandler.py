"""Black-box: a model's ``model_error_handler`` Flask blueprint over real HTTP (SPEC §5.10, E16).

Model: tests/models/errorhandler (predict / transform_input / predict_rest raise the exception
named by the request's strData). Needs Flask importable by the server's Python (the model
imports it); skipped otherwise. Every expectation was checked against the original
(SC_TEST_TARGET=original); the handler's own status, body and headers go out as they are.
"""

import importlib.util

import pytest
import requests

import e2e_util
from e2e_util import T, err_body, jbody

if not e2e_util.IS_ORIGINAL and importlib.util.find_spec("flask") is None:
    pytest.skip("Flask is not installed (the model's blueprint needs it)", allow_module_level=True)

E16_BODY = jbody({"status": {"app_code": 1402, "message": "Test-Error-Msg", "status": 402}})


@pytest.fixture(scope="module")
def handler_server():
    with e2e_util.running_server("errorhandler", "MyModel") as srv:
        yield srv


@pytest.fixture(scope="module")
def handler_rest_server():
    with e2e_util.running_server("errorhandler", "MyModel.MyModelRest") as srv:
        yield srv


def post(srv, path, kind):
    return requests.post(srv.url(path), json={"strData": kind}, timeout=T)


@pytest.mark.parametrize("path", ["/predict", "/api/v1.0/predictions", "/transform-input"])
def test_e16_predict(handler_server, path):
    r = post(handler_server, path, "custom")
    assert (r.status_code, r.content) == (402, E16_BODY)
    assert r.headers["Content-Type"] == "application/json"


def test_e16_predict_rest(handler_rest_server):
    r = post(handler_rest_server, "/predict", "custom")
    assert (r.status_code, r.content) == (402, E16_BODY)
    assert r.headers["Content-Type"] == "application/json"


def test_subclass_uses_base_handler(handler_server):
    r = post(handler_server, "/predict", "sub")
    assert (r.status_code, r.content) == (403, jbody({"status": {"app_code": 1403, "message": "Sub-Msg", "status": 403}}))


def test_unhandled_exceptions_keep_seldon_bodies(handler_server, handler_rest_server):
    r = post(handler_server, "/predict", "other")
    assert (r.status_code, r.content) == (500, err_body("plain other"))
    r = post(handler_server, "/predict", "seldon")
    assert (r.status_code, r.content) == (403, err_body("seldon-msg", "MICROSERVICE_BAD_DATA"))
    r = post(handler_rest_server, "/predict", "other")
    assert (r.status_code, r.content) == (500, err_body("plain other"))


def test_handler_status_and_body(handler_server):
    r = post(handler_server, "/predict", "headers")
    assert (r.status_code, r.content) == (409, jbody({"error": "with headers"}))
    r = post(handler_server, "/predict", "text")
    assert (r.status_code, r.content) == (418, b"text: teapot")


def test_handler_custom_header(handler_server):
    r = post(handler_server, "/predict", "headers")
    assert r.headers.get("X-Error-Id") == "e-1"


def test_handler_content_type(handler_server):
    r = post(handler_server, "/predict", "text")
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
