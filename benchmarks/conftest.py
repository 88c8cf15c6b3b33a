"""Shared fixtures of the corpus_engine benchmarks (pytest-benchmark).

The benchmarks live in ``bench_*.py`` files, which the default pytest discovery
(``test_*.py``) does not pick up, and ``pyproject.toml`` limits a bare ``pytest``
to ``tests/``. They run only when asked for explicitly::

    PYTHONPATH=. python -m pytest benchmarks --benchmark-json=/tmp/bench.json
    python benchmarks/make_table.py /tmp/bench.json      # rewrites benchmarks/README.md

Input is real shared text (see README.md). Knobs, all optional:

  CORPUS_ENGINE_DATA               data folder (default <repo>/../shared/data)
  CORPUS_ENGINE_BENCH_MB           size of the default corpus in MB (default 32)
  CORPUS_ENGINE_BENCH_LARGE_MB     size of the large corpus of the thread-scaling cases (default 128)
  CORPUS_ENGINE_BENCH_REF_MB       size of the slice the pure-Python twins run on (default 4)
  CORPUS_ENGINE_BENCH_SLOW_ROUNDS  rounds of the pure-Python twins (default 3; the peers run 2x+1)
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shlex
import subprocess
import time
from pathlib import Path
from typing import Dict, Optional, Tuple

import numpy as np
import pytest

from _bench_util import (
    CHECK_PROBLEMS,
    CLEAN_FILES,
    MB,
    NOISY_JSONL,
    REPO,
    Corpus,
    corpus_mb,
    data_dir,
    large_mb,
    load_base_docs,
    make_corpus,
    ref_mb,
    replicate,
    slow_rounds,
    split_lines,
    strided_slice,
)

# --------------------------------------------------------------------------- collection


def pytest_collect_file(file_path: Path, parent):
    """Collect ``bench_*.py`` in this folder (only ever reached when benchmarks/ is asked for)."""
    if file_path.suffix == ".py" and file_path.name.startswith("bench_"):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "large: thread-scaling cases on the large corpus (>= 100 MB, CORPUS_ENGINE_BENCH_LARGE_MB); "
        "deselect with -m 'not large'",
    )
    for knob in (corpus_mb, large_mb, ref_mb, slow_rounds):  # fail early on a bad CORPUS_ENGINE_BENCH_* value
        knob()


# --------------------------------------------------------------------------- corpora


@pytest.fixture(scope="session")
def base_docs():
    return load_base_docs()


@pytest.fixture(scope="session")
def corpus(base_docs) -> Corpus:
    """The default corpus (~CORPUS_ENGINE_BENCH_MB MB), buffer and list[str] forms."""
    base, _ = base_docs
    blob, offsets = replicate(base, int(corpus_mb() * MB))
    return make_corpus("default", blob, offsets, with_list=True)


@pytest.fixture(scope="session")
def large_corpus(base_docs) -> Corpus:
    """The large corpus of the thread-scaling cases (buffer form only)."""
    base, _ = base_docs
    blob, offsets = replicate(base, int(large_mb() * MB))
    return make_corpus("large", blob, offsets, with_list=False)


def _slice_corpus(name: str, items) -> Corpus:
    part = strided_slice(items, int(ref_mb() * MB))
    lens = np.fromiter((len(d) for d in part), dtype=np.int64, count=len(part))
    offsets = np.zeros(len(part) + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    return make_corpus(name, b"".join(part), offsets, with_list=True)


@pytest.fixture(scope="session")
def ref_slice(base_docs) -> Corpus:
    """The slice the slow pure-Python twins run on (every k-th real document)."""
    return _slice_corpus("ref-slice", base_docs[0])


@pytest.fixture(scope="session")
def base_lines(base_docs):
    return split_lines(base_docs[0])


@pytest.fixture(scope="session")
def lines_corpus(base_lines) -> Corpus:
    """The same text cut into its non-blank lines (how the pipeline calls zh_ratio), same size."""
    blob, offsets = replicate(base_lines, int(corpus_mb() * MB))
    return make_corpus("lines", blob, offsets, with_list=True)


@pytest.fixture(scope="session")
def lines_ref_slice(base_lines) -> Corpus:
    return _slice_corpus("lines-ref-slice", base_lines)


@pytest.fixture(scope="session")
def results_cache():
    """Per-session cache of expected outputs: {(kernel, corpus name, who): result}."""
    return {}


# --------------------------------------------------------------------------- contention
# This kind of box is small and shared: a compile or a test run elsewhere takes a core and
# ruins the multi-thread figures. Each case records how much CPU the *other* processes (and
# the hypervisor, as steal time) used while it ran, in % of one core.


def _cpu_snapshot() -> Optional[Tuple[float, float, float]]:
    """(wall s, busy CPU s of the whole machine, CPU s of this process) or None off Linux."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    t = os.times()
    return time.perf_counter(), busy, t.user + t.system


def other_cpu_pct(before, after) -> Optional[float]:
    if before is None or after is None or after[0] <= before[0]:
        return None
    other = (after[1] - before[1]) - (after[2] - before[2])
    return max(0.0, 100.0 * other / (after[0] - before[0]))


_SESSION_START = None
_NATIVE_AT_START: Dict[str, str] = {}


def pytest_sessionstart(session):
    global _SESSION_START
    _SESSION_START = _cpu_snapshot()
    _NATIVE_AT_START.update(_native_info())


@pytest.fixture(autouse=True)
def _contention(request):
    if "benchmark" not in request.fixturenames:
        yield
        return
    bench = request.getfixturevalue("benchmark")
    before = _cpu_snapshot()
    yield
    pct = other_cpu_pct(before, _cpu_snapshot())
    if pct is not None:
        bench.extra_info["other_cpu_pct"] = round(pct, 1)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if CHECK_PROBLEMS:
        terminalreporter.section("corpus_engine benchmark output checks", red=True)
        for line in CHECK_PROBLEMS:
            terminalreporter.write_line(line)


# --------------------------------------------------------------------------- machine info


def _cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return platform.processor() or "unknown"


def _native_info() -> Dict[str, str]:
    info: Dict[str, str] = {}
    try:
        from corpus_engine import _native
    except ImportError as exc:  # the benchmarks fail anyway; keep the JSON writable
        return {"native_error": str(exc)}
    path = Path(_native.__file__).resolve()
    blob = path.read_bytes()
    info["native_so"] = str(path.relative_to(REPO)) if REPO in path.parents else str(path)
    info["native_sha256"] = hashlib.sha256(blob).hexdigest()[:16]
    m = re.search(rb"GCC: \([^)]*\) [0-9.]+|clang version [0-9.]+", blob)
    info["compiler"] = m.group(0).decode("ascii", "replace") if m else "unknown"
    info["simd_detected"] = _native.simd_detected()
    info["simd_default"] = _native.simd_level()
    info["omp_max_threads"] = str(_native.max_threads())
    return info


def pytest_benchmark_update_machine_info(config, machine_info):
    machine_info["lscpu_model"] = _cpu_model()
    machine_info["loadavg_at_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    pct = other_cpu_pct(_SESSION_START, _cpu_snapshot())
    if pct is not None:
        machine_info["other_cpu_pct"] = round(pct, 1)
    machine_info["cpu_count"] = os.cpu_count()
    machine_info["numpy"] = np.__version__
    machine_info["OMP_NUM_THREADS"] = os.environ.get("OMP_NUM_THREADS", "")
    machine_info["CORPUS_ENGINE_SIMD"] = os.environ.get("CORPUS_ENGINE_SIMD", "")
    now = _native_info()
    machine_info.update(_NATIVE_AT_START or now)  # the module this process loaded
    if _NATIVE_AT_START and now.get("native_sha256") != _NATIVE_AT_START.get("native_sha256"):
        machine_info["native_rebuilt_during_run"] = now.get("native_sha256", "?")


def pytest_benchmark_update_json(config, benchmarks, output_json):
    knobs = {
        k: v
        for k, v in sorted(os.environ.items())
        if k.startswith("CORPUS_ENGINE_") or k in ("OMP_NUM_THREADS", "PYTHONPATH")
    }
    args = [str(a) for a in config.invocation_params.args]
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in knobs.items())
    output_json["corpus_engine"] = {
        "command": (env + " " if env else "") + shlex.join(["python", "-m", "pytest", *args]),
        "cwd": str(config.invocation_params.dir),
        "corpus_mb": corpus_mb(),
        "large_mb": large_mb(),
        "ref_mb": ref_mb(),
        "slow_rounds": slow_rounds(),
        "data_dir": str(data_dir()),
        "sources": list(CLEAN_FILES) + [NOISY_JSONL + " (field text)"],
    }
