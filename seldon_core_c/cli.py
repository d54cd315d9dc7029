"""The `seldon-core-microservice` console script: becomes the C server.

It only records which interpreter (and so which virtualenv) the server must embed, then
replaces itself with the server binary: the same PID, the same arguments, no Python left
running in between.
"""
import os
import sys
from typing import List, Optional

_BINARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bin", "seldon-core-c-server")


def main(argv: Optional[List[str]] = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not os.access(_BINARY, os.X_OK):
        sys.exit(f"seldon-core-c: server binary missing at {_BINARY}; reinstall the package")
    os.environ["SC_PYTHON_EXECUTABLE"] = sys.executable
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(_BINARY, ["seldon-core-microservice"] + list(args))


if __name__ == "__main__":
    main()
