"""Our OpenAPI document (seldon_core_c/openapi/seldon.json, served at GET /seldon.json).

It is our own document written from SPEC §3.1 (not the original's file): OpenAPI 3.0.x, title
"Seldon External API", every REST route with its methods, and the payload schemas.
"""

import hashlib
import json
import os

import pytest
import requests

from e2e_util import T

HERE = os.path.dirname(os.path.abspath(__file__))
DOC_PATH = os.path.join(HERE, "..", "seldon_core_c", "openapi", "seldon.json")

# SPEC §3.1: path -> methods (/seldon.json itself is not required to describe itself).
ROUTES = {
    "/predict": {"get", "post"},
    "/api/v1.0/predictions": {"post"},
    "/api/v0.1/predictions": {"post"},
    "/send-feedback": {"get", "post"},
    "/api/v1.0/feedback": {"post"},
    "/api/v0.1/feedback": {"post"},
    "/transform-input": {"get", "post"},
    "/transform-output": {"get", "post"},
    "/route": {"get", "post"},
    "/aggregate": {"get", "post"},
    "/health/ping": {"get"},
    "/health/status": {"get"},
    "/api/v1.0/health/status": {"get"},
    "/metadata": {"get"},
    "/api/v1.0/metadata": {"get"},
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# sha256 of the original's packaged file (SPEC §3.1): ours must be a different, own document
ORIGINAL_SHA256 = "a55bca82a5374eb2356eadb085ed8974cd306c0915f5a1f65d0e5389ec64d2df"


@pytest.fixture(scope="module")
def raw():
    with open(DOC_PATH, "rb") as f:
        return f.read()


@pytest.fixture(scope="module")
def doc(raw):
    return json.loads(raw.decode("utf-8"))


def _resolve(doc, ref):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, "unresolved $ref %s" % ref
        node = node[part]
    return node


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_parses_as_json_object(raw, doc):
    assert isinstance(doc, dict)
    assert hashlib.sha256(raw).hexdigest() != ORIGINAL_SHA256


def test_openapi_version_and_info(doc):
    assert isinstance(doc["openapi"], str) and doc["openapi"].startswith("3.0")
    assert doc["info"]["title"] == "Seldon External API"
    assert isinstance(doc["info"]["version"], str) and doc["info"]["version"]


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_route_present_with_methods(doc, path):
    assert path in doc["paths"], path
    methods = {m for m in doc["paths"][path] if m in HTTP_METHODS}
    assert methods == ROUTES[path]
    for m in methods:
        operation = doc["paths"][path][m]
        assert "200" in operation["responses"]
        if m == "post":
            assert "requestBody" in operation


def test_no_routes_we_do_not_serve(doc):
    assert set(doc["paths"]) - set(ROUTES) <= {"/seldon.json"}


def test_payload_schemas(doc):
    schemas = doc["components"]["schemas"]
    msg = schemas["SeldonMessage"]["properties"]
    assert {"data", "binData", "strData", "jsonData", "meta", "status"} <= set(msg)
    data = _resolve(doc, msg["data"]["$ref"])["properties"]
    assert {"names", "tensor", "ndarray", "tftensor"} <= set(data)
    tensor = _resolve(doc, data["tensor"]["$ref"])["properties"]
    assert {"shape", "values"} <= set(tensor)
    meta = _resolve(doc, msg["meta"]["$ref"])["properties"]
    assert {"puid", "tags", "routing", "requestPath", "metrics"} <= set(meta)
    assert meta["metrics"]["type"] == "array"
    assert {"request", "response", "reward", "truth"} <= set(schemas["Feedback"]["properties"])
    assert "seldonMessages" in schemas["SeldonMessageList"]["properties"]
    assert {"name", "versions", "platform", "inputs", "outputs", "custom"} <= set(
        schemas["ModelMetadata"]["properties"])
    err = _resolve(doc, schemas["Error"]["properties"]["status"]["$ref"])["properties"]
    assert {"code", "info", "reason", "status"} == set(err)


def test_every_ref_resolves(doc):
    refs = set(_refs(doc))
    assert refs
    for ref in refs:
        _resolve(doc, ref)


def test_validates_against_openapi_schema(doc):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(doc)


def test_packaged_and_served(id_server):
    """The installed package ships the document and GET /seldon.json serves it as JSON."""
    r = requests.get(id_server.url("/seldon.json"), timeout=T)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    with open(DOC_PATH, "rb") as f:
        assert r.content == f.read()
