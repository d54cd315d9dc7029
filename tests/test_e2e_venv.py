"""The installed server embeds the interpreter of the venv it was installed into: the model sees
that venv's site-packages (issue 2), not the base Python's."""
import json
import os
import sys

import pytest
import requests

import e2e_util


@pytest.mark.ours_only
@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="the test suite is not running in a venv")
def test_model_sees_the_venv(server):
    with server("venvprobe") as srv:
        r = requests.post(srv.url("/predict"), json={"jsonData": {}}, timeout=e2e_util.T)
        assert r.status_code == 200, r.content
        got = json.loads(r.content)["jsonData"]
        assert os.path.realpath(got["prefix"]) == os.path.realpath(sys.prefix)
        import numpy
        assert os.path.realpath(got["numpy"]) == os.path.realpath(numpy.__file__)
