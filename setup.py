"""Builds corpus_engine._native with CMake (pybind11 + OpenMP).

Environment:
  CE_ENABLE_SIMD=0     build the scalar kernels only
  CE_BUILD_TYPE=Debug  debug build
  CMAKE_BUILD_PARALLEL_LEVEL=N  parallel compile jobs
"""

import os
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        import pybind11

        out_dir = Path(self.get_ext_fullpath(ext.name)).resolve().parent
        build_dir = Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        simd = os.environ.get("CE_ENABLE_SIMD", "1").lower() not in ("0", "off", "false", "no")
        cfg = os.environ.get("CE_BUILD_TYPE", "Release")
        args = [
            f"-DCMAKE_BUILD_TYPE={cfg}",
            f"-DCE_OUTPUT_DIR={out_dir}",
            f"-DPython_EXECUTABLE={sys.executable}",
            f"-Dpybind11_DIR={pybind11.get_cmake_dir()}",
            f"-DCE_ENABLE_SIMD={'ON' if simd else 'OFF'}",
        ]
        subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build_dir), *args], check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_native", "-j", jobs], check=True)


setup(ext_modules=[CMakeExtension("corpus_engine._native")], cmdclass={"build_ext": CMakeBuild})
