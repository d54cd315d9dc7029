"""The documentation cannot drift from the code:

* docs/configuration.md's reference block is exactly `seldon-core-microservice --help-config`
  (regenerate with `make docs`), and every environment variable the C server or the Python
  runtime reads is documented there;
* the quickstart's pip path is run: its commands against the installed server, its outputs
  compared byte for byte; its Docker and Kubernetes commands name files that exist;
* protocol.md names every REST route and gRPC method, metrics.md every seldon_core_c_* metric,
  differences.md every test marked ours_only;
* every relative link (and #anchor) in README.md and docs/ resolves;
* `--version` of the console script and of `python -m seldon_core_c`.
"""

import ast
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
import requests

import e2e_util

pytestmark = pytest.mark.ours_only

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
T = 20


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def _server_cmd():
    return e2e_util.server_cmd()


def _gen():
    spec = importlib.util.spec_from_file_location("gen_configuration", os.path.join(DOCS, "gen_configuration.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _version():
    import seldon_core_c
    return seldon_core_c.__version__


# ---- --version, --help-config ------------------------------------------------------------------


def test_version():
    want = "seldon-core-c %s (seldon-core 1.17.1 compatible)\n" % _version()
    p = subprocess.run(_server_cmd() + ["--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=T)
    assert (p.returncode, p.stdout.decode(), p.stderr) == (0, want, b"")
    # python -m seldon_core_c, with the interpreter the console script runs on
    exe = shutil.which(_server_cmd()[0]) or _server_cmd()[0]
    with open(exe, "rb") as f:
        first = f.readline().decode(errors="replace")
    python = first[2:].strip() if first.startswith("#!") and "python" in first else sys.executable
    p = subprocess.run([python, "-m", "seldon_core_c", "--version"], stdout=subprocess.PIPE, cwd="/", timeout=T)
    assert (p.returncode, p.stdout.decode()) == (0, want)


def test_version_only_as_first_argument():
    """`MyModel --version` stays what it is for the original: an unknown argument (exit 255)."""
    rc, out = e2e_util.run_cli("id", ["--version"] + _ports(), interface="MyModel")
    assert rc == 255 and "Unknown args ['--version']" in out, out


def test_help_config_and_the_hidden_flag():
    p = subprocess.run(_server_cmd() + ["--help-config"], stdout=subprocess.PIPE, timeout=T)
    assert p.returncode == 0
    text = p.stdout.decode()
    assert text.startswith("| Flag | Environment variable | Type | Default | Meaning |\n")
    for need in ("`--workers` | `GUNICORN_WORKERS`", "`SC_MAX_BODY_BYTES`", "`seldon.io/rest-timeout`"):
        assert need in text
    # the server's hidden flag counts only alone
    p = subprocess.run(_server_cmd() + ["--print-config-reference"], stdout=subprocess.PIPE, timeout=T)
    assert (p.returncode, p.stdout.decode()) == (0, text)
    rc, out = e2e_util.run_cli("id", ["--print-config-reference"] + _ports(), interface="MyModel")
    assert rc == 255 and not out.startswith("| Flag"), out


# ---- configuration.md --------------------------------------------------------------------------


def test_configuration_reference_is_generated():
    gen = _gen()
    page = _read("docs", "configuration.md")
    ref = gen.reference(_server_cmd())
    assert gen.generated_block(page) == ref, \
        "docs/configuration.md differs from `seldon-core-microservice --help-config`: run `make docs`"
    assert gen.render(page, ref) == page


def _names_read_by_code():
    names = {}
    for d, pattern in (("csrc", r'(?:getenv|sc_env_or)\(\s*"([A-Z][A-Z0-9_]+)"'),
                       ("seldon_core_c", r'(?:environ|env)(?:\.get)?[\[(]\s*["\']([A-Z][A-Z0-9_]+)["\']')):
        for dirpath, _, files in os.walk(os.path.join(ROOT, d)):
            for f in files:
                if f.endswith((".c", ".h", ".py")):
                    with open(os.path.join(dirpath, f), encoding="utf-8", errors="replace") as fh:
                        for name in re.findall(pattern, fh.read()):
                            names.setdefault(name, os.path.relpath(os.path.join(dirpath, f), ROOT))
    # the option table's env defaults ({"--workers", OPT_INT, 0, 0, "GUNICORN_WORKERS", ...})
    for name in re.findall(r'\{"--[a-z-]+", OPT_\w+, \d+, \d+, "([A-Z][A-Z0-9_]+)"', _read("csrc", "sc_config.c")):
        names.setdefault(name, "csrc/sc_config.c")
    return names


def test_every_environment_variable_read_is_documented():
    names = _names_read_by_code()
    assert {"GUNICORN_WORKERS", "SC_MAX_INFLIGHT", "SC_LAZY_INIT", "PREDICTIVE_UNIT_ID", "MODEL_METADATA"} <= set(names)
    page = _read("docs", "configuration.md")
    missing = {n: where for n, where in names.items() if "`%s`" % n not in page}
    assert not missing, "read by the code but not in docs/configuration.md: %s" % missing


def test_spec_environment_variables_are_documented():
    """SPEC §1.4's list of every variable the original reads (shared/SPEC.md beside the
    repository, when present)."""
    spec = next((p for p in (os.environ.get("SC_SPEC_PATH"), os.path.join(ROOT, "..", "shared", "SPEC.md"))
                 if p and os.path.exists(p)), None)
    if spec is None:
        pytest.skip("SPEC.md not found beside the repository")
    with open(spec, encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("### 1.4"):text.index("### 1.5")]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `") and not line.startswith("| `FLASK_<KEY>`"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    assert len(names) > 20
    page = _read("docs", "configuration.md")
    missing = sorted(n for n in names if "`%s`" % n not in page and not n.startswith("FLASK_"))
    assert not missing, missing


# ---- quickstart ---------------------------------------------------------------------------------


def _blocks(text, lang=None):
    """[(language, body)] of the fenced code blocks."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```$", text, re.M | re.S)
            if lang is None or m.group(1) == lang]


def _section(text, heading):
    start = text.index(heading)
    nxt = re.search(r"^## ", text[start + len(heading):], re.M)
    return text[start:start + len(heading) + nxt.start()] if nxt else text[start:]


def _console(block):
    """[(command, expected output)] of a console block (`$ ` commands, `\\` continuations)."""
    out, cmd, lines = [], None, []
    for line in block.splitlines():
        if cmd is not None and not lines and cmd.endswith("\\"):
            cmd = cmd[:-1].rstrip() + " " + line.strip()
            continue
        if line.startswith("$ "):
            if cmd is not None:
                out.append((cmd, "\n".join(lines)))
            cmd, lines = line[2:], []
        else:
            lines.append(line)
    if cmd is not None:
        out.append((cmd, "\n".join(lines)))
    return out


def _ports():
    return ["--http-port", str(e2e_util.free_port()), "--grpc-port", str(e2e_util.free_port()),
            "--metrics-port", str(e2e_util.free_port())]


def _run_doc_server_and_curl(server_line, console_block, model_dir):
    argv = shlex.split(server_line)
    assert os.path.basename(argv[0]) == "seldon-core-microservice", argv
    assert argv[0].startswith(".venv/bin/"), "the quickstart runs the venv's console script"
    interface, rest = argv[1], argv[2:]
    i = rest.index("--http-port")
    assert rest[i + 1] == "9000"
    del rest[i:i + 2]
    [(curl, expected)] = _console(console_block)
    assert curl.startswith("curl ") and "localhost:9000" in curl
    if shutil.which("curl") is None:
        pytest.skip("curl not installed")
    with e2e_util.running_server(model_dir, interface, args=rest) as srv:
        p = subprocess.run(["bash", "-c", curl.replace("localhost:9000", "127.0.0.1:%d" % srv.http_port)],
                           stdout=subprocess.PIPE, timeout=T)
        assert p.returncode == 0
        assert p.stdout.decode() == expected + "\n"


def test_quickstart_pip_install_commands():
    pip = _section(_read("docs", "quickstart.md"), "## 1. Local, with pip")
    install = _blocks(pip, "sh")[0][1].split("\n")
    assert install[:3] == ["bash scripts/install-system-deps.sh", "python3 -m venv .venv", ".venv/bin/pip install ."]
    assert os.access(os.path.join(ROOT, "scripts", "install-system-deps.sh"), os.X_OK)
    assert os.path.exists(os.path.join(ROOT, "pyproject.toml"))
    # the README's set-up command is the same path
    assert "bash scripts/install-system-deps.sh && python3 -m venv .venv && .venv/bin/pip install ." in _read("README.md")
    [(cmd, out)] = _console(_blocks(pip, "console")[0][1])
    assert cmd == ".venv/bin/seldon-core-microservice --version"
    assert out == "seldon-core-c %s (seldon-core 1.17.1 compatible)" % _version()


def test_quickstart_bundled_example(tmp_path):
    pip = _section(_read("docs", "quickstart.md"), "## 1. Local, with pip")
    server = _blocks(pip, "sh")[1][1].strip()
    _run_doc_server_and_curl(server, _blocks(pip, "console")[1][1], str(tmp_path))


def test_quickstart_own_model(tmp_path):
    pip = _section(_read("docs", "quickstart.md"), "## 1. Local, with pip")
    [(_, code)] = _blocks(pip, "python")
    assert code.startswith("# MyModel.py\n")
    (tmp_path / "MyModel.py").write_text(code)
    server = _blocks(pip, "sh")[2][1].strip()
    _run_doc_server_and_curl(server, _blocks(pip, "console")[2][1], str(tmp_path))


def test_quickstart_docker_and_kubernetes():
    qs = _read("docs", "quickstart.md")
    docker = _section(qs, "## 2. Docker")
    build, run = _blocks(docker, "sh")[0][1].strip().split("\n")
    assert build == "docker build -t seldon-core-c:%s ." % _version()
    tag = build.split()[3]
    run_args = shlex.split(run)
    assert run_args[-1] == tag
    published = {int(a.split(":")[1]) for a in run_args[run_args.index("run"):] if re.fullmatch(r"\d+:\d+", a)}
    exposed = set(map(int, re.search(r"^EXPOSE (.*)$", _read("Dockerfile"), re.M).group(1).split()))
    assert published == exposed
    model = [a.split("=", 1)[1] for a in run_args if a.startswith("MODEL_NAME=")]
    assert model and importlib.util.find_spec(model[0].rsplit(".", 1)[0]) is not None
    [(_, dockerfile)] = _blocks(docker, "dockerfile")
    assert dockerfile.startswith("FROM %s\n" % tag)
    assert "USER 8888" in dockerfile and "MODEL_NAME=" in dockerfile
    hadolint = shutil.which("hadolint") or os.path.join(os.path.dirname(sys.executable), "hadolint")
    if os.access(hadolint, os.X_OK):
        # `USER root` to install requirements is the point of the snippet (DL3066 is "info")
        p = subprocess.run([hadolint, "--failure-threshold", "warning", "-"], input=dockerfile.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        assert p.returncode == 0, p.stdout.decode()
    k8s = _section(qs, "## 3. Kubernetes")
    for path in re.findall(r"kubectl apply -f (\S+)", k8s):
        assert os.path.isfile(os.path.join(ROOT, path)), path
    assert re.findall(r"docker build -t (\S+) examples/models", k8s)
    assert os.path.isfile(os.path.join(ROOT, "examples", "models", "Dockerfile"))


# ---- protocol.md, metrics.md, differences.md ---------------------------------------------------


def test_protocol_names_every_route_and_grpc_method():
    page = _read("docs", "protocol.md")
    routes = re.findall(r'\{"(/[^"]*)", SC_M_', _read("csrc", "sc_route.c"))
    assert len(routes) >= 16
    assert not [r for r in routes if "`%s`" % r not in page]
    proto = _read("proto", "prediction.proto")
    for service, body in re.findall(r"^service (\w+) \{(.*?)^\}", proto, re.M | re.S):
        assert "`seldon.protos.%s`" % service in page, service
        for method in re.findall(r"rpc (\w+)\(", body):
            assert method in page, (service, method)


def test_protocol_examples_are_real_answers():
    """The payload table and the curl examples of protocol.md, against the identity model."""
    page = re.sub(r"^  ", "", _read("docs", "protocol.md"), flags=re.M)
    table = page[page.index("### Payload kinds"):page.index("### Errors")]
    rows = [re.findall(r"`([^`]*)`", line) for line in table.splitlines() if line.startswith("| `{")]
    assert len(rows) >= 6
    examples = [c for lang, b in _blocks(page) if lang in ("", "console") for c in _console(b)]
    examples = [(cmd, out) for cmd, out in examples if cmd.startswith("curl ")]
    assert len(examples) >= 4
    if shutil.which("curl") is None:
        pytest.skip("curl not installed")
    with e2e_util.running_server("id", "MyModel") as srv:
        for cells in rows:
            request, answer = cells[0], cells[-1]
            r = requests.post(srv.url("/api/v1.0/predictions"), data=request,
                              headers={"Content-Type": "application/json"}, timeout=T)
            assert (r.status_code, r.content.decode()) == (200, answer + "\n"), request
        for cmd, out in examples:
            p = subprocess.run(["bash", "-c", cmd.replace("localhost:9000", "127.0.0.1:%d" % srv.http_port)],
                               stdout=subprocess.PIPE, timeout=T)
            assert p.stdout.decode() == out + "\n", cmd


def test_metrics_names_every_builtin_metric():
    header = os.path.join(ROOT, "csrc", "sc_metrics_builtin.h")
    if not os.path.exists(header):
        pytest.skip("no built-in metrics")
    with open(header) as f:
        names = set(re.findall(r"\b(seldon_core_c_\w+)", f.read()))
    assert names
    page = _read("docs", "metrics.md")
    assert not [n for n in names if "`%s`" % n not in page]
    for env in ("SC_BUILTIN_METRICS", "SC_METRICS_MAX_SERIES", "worker_id"):
        assert env in page


def _ours_only_tests():
    """{test function name or module file name} of everything marked ours_only."""
    found = set()
    for f in sorted(os.listdir(os.path.dirname(os.path.abspath(__file__)))):
        if not (f.startswith("test_") and f.endswith(".py")):
            continue
        src = _read("tests", f)
        tree = ast.parse(src)
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in node.targets):
                if "ours_only" in ast.get_source_segment(src, node.value):
                    found.add(f)
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                if any("ours_only" in ast.get_source_segment(src, d) for d in node.decorator_list):
                    found.add(node.name)
    return found


def test_differences_lists_every_ours_only_test():
    found = _ours_only_tests()
    assert {"test_sigterm_drains_inflight_and_exits_0", "test_docs.py", "test_deploy.py"} <= found
    page = _read("docs", "differences.md")
    missing = sorted(n for n in found if "`%s`" % n not in page and "`%s` (" % n not in page)
    assert not missing, ("tests marked ours_only that docs/differences.md does not name (add them, in backticks, "
                         "to the row of the difference they cover): %s" % missing)
    # the rows of the first version of the page are still there
    for row in ("| 1 | SIGTERM / SIGINT |", "| 3 | `--pidfile` |", "| 4 | boolean flags |",
                "| 5 | non-JSON content type", "| 8 | `load()` errors |", "| 9 | `meta=` keyword |",
                "| 10 | `PAYLOAD_PASSTHROUGH` returning a dict |"):
        assert row in page, row


def test_differences_cover_the_known_open_protocol_differences():
    page = _read("docs", "differences.md")
    for need in ("INVALID_ARGUMENT", "grpc.health.v1", "`v1`", "Server: seldon-core-c", "100-continue",
                 "400 Bad Request", "SC_MAX_BODY_BYTES", "Invalid chunk size", "lingering close", "one charset",
                 "not cleared", "send_feedback_raw"):
        assert need in page, need


# ---- links --------------------------------------------------------------------------------------


def _slug(heading):
    """GitHub's anchor of a Markdown heading."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def _anchors(path):
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"^```.*?^```$", "", f.read(), flags=re.M | re.S)
    return {_slug(h) for h in re.findall(r"^#+ (.*)$", text, re.M)}


def test_relative_links_resolve():
    pages = [os.path.join(ROOT, "README.md")] + [os.path.join(DOCS, f) for f in sorted(os.listdir(DOCS))
                                                  if f.endswith(".md")]
    bad = []
    for page in pages:
        with open(page, encoding="utf-8") as f:
            text = re.sub(r"^```.*?^```$", "", f.read(), flags=re.M | re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+://", target):
                continue
            path, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
            if not os.path.exists(dest):
                bad.append("%s: %s (missing)" % (os.path.relpath(page, ROOT), target))
            elif anchor and dest.endswith(".md") and anchor not in _anchors(dest):
                bad.append("%s: %s (no such heading)" % (os.path.relpath(page, ROOT), target))
    assert not bad, bad
    readme = _read("README.md")
    for doc in ("quickstart", "configuration", "protocol", "metrics", "troubleshooting", "differences"):
        assert "(docs/%s.md)" % doc in readme, doc


def test_the_readme_metrics_and_examples_agree_on_ports():
    """The ports in the docs are the server's defaults (from its option table)."""
    ref = subprocess.run(_server_cmd() + ["--help-config"], stdout=subprocess.PIPE, timeout=T).stdout.decode()
    d = dict(re.findall(r"^\| `(--[a-z-]+)` \| [^|]+ \| [^|]+ \| `([^`]*)` \|", ref, re.M))
    assert (d["--http-port"], d["--grpc-port"], d["--metrics-port"]) == ("9000", "5000", "6000")
    qs = _read("docs", "quickstart.md")
    assert "port 5000" in qs and "port 6000" in qs and "localhost:9000" in qs


def test_markdown_tables_are_well_formed():
    """Every row of a table has the header's number of cells (a stray `|` breaks rendering)."""
    pages = [os.path.join(ROOT, "README.md"), os.path.join(ROOT, "examples", "README.md")] + \
        [os.path.join(DOCS, f) for f in sorted(os.listdir(DOCS)) if f.endswith(".md")]
    bad = []
    for page in pages:
        with open(page, encoding="utf-8") as f:
            text = re.sub(r"^```.*?^```$", "", f.read(), flags=re.M | re.S)
        width = None
        for n, line in enumerate(text.splitlines(), 1):
            if not line.startswith("|"):
                width = None
                continue
            cells = len(re.sub(r"`[^`]*`", "x", line).strip().strip("|").split("|"))
            if width is None:
                width = cells
            elif cells != width:
                bad.append("%s: %d cells instead of %d: %s" % (os.path.relpath(page, ROOT), cells, width, line[:60]))
    assert not bad, bad
