"""Builds the C server with CMake against the interpreter running the build and ships the
binary inside the package (seldon_core_c/_bin/). Everything else is in pyproject.toml."""
import os
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

ROOT = os.path.dirname(os.path.abspath(__file__))
BINARY = "seldon-core-c-server"


class BinaryDistribution(Distribution):
    """The wheel holds a compiled program: it is platform-specific, not pure Python."""

    def has_ext_modules(self) -> bool:
        return True


class BuildWithCMake(build_py):
    def run(self) -> None:
        super().run()
        build_temp = os.path.join(self.get_finalized_command("build").build_temp, "cmake")
        os.makedirs(build_temp, exist_ok=True)
        sanitize = os.environ.get("SC_SANITIZE", "") in ("1", "true", "ON")
        configure = [
            "cmake", "-S", ROOT, "-B", build_temp,
            f"-DPython3_EXECUTABLE={sys.executable}",
            f"-DCMAKE_BUILD_TYPE={os.environ.get('SC_BUILD_TYPE', 'Release')}",
            f"-DSC_SANITIZE={'ON' if sanitize else 'OFF'}",
        ]
        jobs = os.environ.get("SC_BUILD_JOBS", "2")
        build = ["cmake", "--build", build_temp, "--target", BINARY, "-j", jobs]
        for cmd in (configure, build):
            try:
                subprocess.run(cmd, check=True)
            except FileNotFoundError:
                sys.exit("seldon-core-c: cmake not found; install it (apt-get install -y cmake, or pip install cmake)")
            except subprocess.CalledProcessError as e:
                sys.exit(f"seldon-core-c: building the C server failed ({' '.join(cmd)} exited {e.returncode}); "
                         "see the CMake output above for the Debian packages to install")
        dest = os.path.join(self.build_lib, "seldon_core_c", "_bin")
        os.makedirs(dest, exist_ok=True)
        shutil.copy2(os.path.join(build_temp, BINARY), os.path.join(dest, BINARY))


setup(distclass=BinaryDistribution, cmdclass={"build_py": BuildWithCMake})
