"""Fixtures for the black-box end-to-end suites. See e2e_util.py for target selection."""

import os

import pytest

import e2e_util


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "ours_only: behaviour where SPEC decisions deliberately differ from the "
                   "original; skipped when SC_TEST_TARGET=original")
    config.addinivalue_line(
        "markers", "original_only: behaviour only the original has; skipped for ours")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("SC_TEST_RUN_ALL") == "1":  # show where the targets differ
        return
    if e2e_util.IS_ORIGINAL:
        skip = pytest.mark.skip(reason="ours_only (SC_TEST_TARGET=original)")
        for item in items:
            if "ours_only" in item.keywords:
                item.add_marker(skip)
    else:
        skip = pytest.mark.skip(reason="original_only")
        for item in items:
            if "original_only" in item.keywords:
                item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and call.when in ("setup", "call"):
        for srv in e2e_util.active_servers():
            rep.sections.append(("server %s output" % " ".join(srv.argv), srv.output()))


def pytest_sessionfinish(session, exitstatus):
    e2e_util.kill_all()


@pytest.fixture
def server():
    """Factory of context managers: `with server("id", "MyModel", env={...}, args=[...]) as srv:`
    starts the real server (cwd = tests/models/<model_dir>), waits for GET /health/ping == 200
    (30 s max; ready=False skips the wait) and yields an object with base_url, url(), proc, pid,
    ports, output(), wait_exit(). On exit: SIGTERM to the process group, wait 10 s, SIGKILL.
    The server output is printed when the body raises."""
    return e2e_util.running_server


def _module_server(name, model, interface="MyModel", env=None, args=()):
    """A server shared by the tests of one module (for tests that do not change its state)."""
    def fixture():
        with e2e_util.running_server(model, interface, env=env, args=args) as srv:
            yield srv
    return pytest.fixture(scope="module", name=name)(fixture)


id_server = _module_server("id_server", "id")
uo_server = _module_server("uo_server", "uo")
types_server = _module_server("types_server", "types")
