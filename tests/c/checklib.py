"""Shared by the differential checkers tests/c/check_*.py: hands a list of case lines to the C
test binary (`<binary> --cases FILE`) and returns its answer lines."""

import os
import subprocess
import tempfile


def run_cases(exe, lines, name, encoding, keep_env=None):
    """One answer line per case line, or None (after printing why) when the binary failed or
    answered a different number of lines. keep_env: an environment variable that, set to 1,
    keeps the case file for a look."""
    with tempfile.NamedTemporaryFile("w", suffix=".cases", delete=False) as f:
        for line in lines:
            f.write(line + "\n")
        path = f.name
    try:
        res = subprocess.run([exe, "--cases", path], stdout=subprocess.PIPE, check=False)
    finally:
        if keep_env and os.environ.get(keep_env) == "1":
            print("%s: cases kept in %s" % (name, path))
        else:
            os.unlink(path)
    if res.returncode != 0:
        print("%s: %s --cases exited with %d" % (name, exe, res.returncode))
        return None
    got = res.stdout.decode(encoding).split("\n")[:-1]
    if len(got) != len(lines):
        print("%s: expected %d answers, got %d" % (name, len(lines), len(got)))
        return None
    return got
