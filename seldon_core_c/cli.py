"""The `seldon-core-microservice` console script: becomes the C server.

It only records which interpreter (and so which virtualenv) the server must embed, then
replaces itself with the server binary: the same PID, the same arguments, no Python left
running in between.

Two first arguments are answered here instead (neither is a valid invocation of the original,
which requires the model's interface name first):
  --version      prints "seldon-core-c <version> (seldon-core <version> compatible)".
  --help-config  prints the configuration reference (every flag, environment variable and
                 annotation) as Markdown, from the server's own option table; docs/configuration.md
                 embeds this text (`make docs`).
"""
import os
import sys

from seldon_core_c import __version__

_BINARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bin", "seldon-core-c-server")

# The release of the original whose behaviour this package reproduces (its last Apache-2.0 one).
SELDON_CORE_COMPATIBLE = "1.17.1"

# Hidden server flag behind --help-config (csrc/sc_config.c, sc_config_parse).
_REFERENCE_FLAG = "--print-config-reference"


def version_text() -> str:
    return f"seldon-core-c {__version__} (seldon-core {SELDON_CORE_COMPATIBLE} compatible)"


def main(argv: "list[str] | None" = None) -> None:  # a string: `typing` costs ~8 ms of start-up
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--version"]:
        print(version_text())
        sys.stdout.flush()
        return
    if args[:1] == ["--help-config"]:
        args = [_REFERENCE_FLAG]
    if not os.access(_BINARY, os.X_OK):
        sys.exit(f"seldon-core-c: server binary missing at {_BINARY}; reinstall the package")
    os.environ["SC_PYTHON_EXECUTABLE"] = sys.executable
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(_BINARY, ["seldon-core-microservice"] + args)


if __name__ == "__main__":
    main()
