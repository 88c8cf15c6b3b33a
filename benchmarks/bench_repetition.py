"""Throughput of the repetition statistics (corpus_engine.repetition.measure): every column at once.

Run (pytest-benchmark; the timings are medians, nothing is asserted on them)::

    PYTHONPATH=. python -m pytest benchmarks -k bench_repetition --benchmark-json=/tmp/rep.json
    PYTHONPATH=. python benchmarks/bench_repetition.py /tmp/rep.json   # markdown table

(Name the folder, not the file: benchmarks/conftest.py collects ``bench_*.py`` itself.)

Text: the default benchmark corpus of benchmarks/conftest.py (real Chinese: the clean_zh
tencentpretrain zhwiki and CLUECorpusSmall samples plus the 100 raw c4 web pages, shuffled,
repeated to CORPUS_ENGINE_BENCH_MB, default 32 MB); the pure-Python twin runs on the every-k-th
slice (CORPUS_ENGINE_BENCH_REF_MB, default 4 MB), and native runs on that slice too in the same
session, so the ratio compares like with like. MB/s is decimal MB of UTF-8 input per second.

Every result is checked against native (one thread, buffer form) outside the timed calls; the
twin's result on the slice is compared with native's on the slice.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path
from typing import Optional

import numpy as np
import pytest

from _bench_util import MB, Corpus, record, report_check, slow_rounds


def _import(name: str):
    """Import a module; the in-place .so may be being rebuilt by someone else for a moment."""
    last = None
    for _ in range(40):
        try:
            return importlib.import_module(name)
        except ImportError as e:  # pragma: no cover - only while the extension is rebuilt
            last = e
            time.sleep(0.5)
    raise last


rep = _import("corpus_engine.repetition")
from corpus_engine import _native  # noqa: E402
from corpus_engine import text as native_text  # noqa: E402
from corpus_engine.reference import repetition as reference  # noqa: E402

GROUP = "repetition: all 20 statistics"
TARGET_1T = 300.0  # the target, MB/s on one core


def same_stats(a, b) -> bool:
    return list(a) == list(b) and all(a[c].dtype == b[c].dtype and np.array_equal(a[c], b[c]) for c in a)


@pytest.fixture(scope="module")
def anchor(corpus, ref_slice):
    """Native statistics, buffer form, one thread: what every other result must equal."""
    return {c.name: rep.measure(c.batch, threads=1) for c in (corpus, ref_slice)}


def _record(benchmark, corpus: Corpus, impl: str, form: str, threads: str, **meta):
    benchmark.group = GROUP
    record(benchmark, corpus, kernel="repetition", impl=impl, form=form, threads=threads,
           threads_used=1 if threads == "1" else _native.max_threads(), **meta)


NATIVE = [("buffer", "1", "auto"), ("buffer", "all", "auto"), ("list", "1", "auto"), ("list", "all", "auto"),
          ("buffer", "1", "scalar")]


@pytest.mark.parametrize("form,threads,level", NATIVE, ids=[f"{f}-t{t}-{lv}" for f, t, lv in NATIVE])
def test_native(benchmark, corpus, anchor, form, threads, level):
    th = 1 if threads == "1" else None
    docs = corpus.batch if form == "buffer" else corpus.docs
    before = native_text.simd_level()
    if level != "auto":
        native_text.set_simd_level(level)
    try:
        active = native_text.simd_level()
        result = benchmark(lambda: rep.measure(docs, threads=th))
    finally:
        native_text.set_simd_level(before)
    report_check(benchmark, same_stats(result, anchor[corpus.name]), "vs native buffer 1 thread")
    _record(benchmark, corpus, "native", form, threads, simd=active)


def test_native_on_slice(benchmark, ref_slice, anchor):
    """Native on the twin's slice, one thread: the same input as test_reference."""
    result = benchmark(lambda: rep.measure(ref_slice.batch, threads=1))
    report_check(benchmark, same_stats(result, anchor[ref_slice.name]), "vs native buffer 1 thread")
    _record(benchmark, ref_slice, "native", "buffer", "1", simd=native_text.simd_level())


def test_reference(benchmark, ref_slice, anchor):
    result = benchmark.pedantic(reference.measure, args=(ref_slice.docs,), rounds=slow_rounds(), warmup_rounds=0,
                                iterations=1)
    report_check(benchmark, same_stats(result, anchor[ref_slice.name]), "pure-Python twin vs native")
    _record(benchmark, ref_slice, "reference", "list", "1")


# --------------------------------------------------------------------------- table


def _fmt(x: Optional[float], digits: int = 1) -> str:
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}" if x >= 1 else f"{x:.3g}"


def tables(path: str) -> str:
    """Markdown table of a --benchmark-json file of this module."""
    data = json.loads(Path(path).read_text())
    rows = [b for b in data["benchmarks"] if b.get("extra_info", {}).get("kernel") == "repetition"]
    m = data.get("machine_info", {})
    out = [
        f"Machine: {m.get('lscpu_model') or m.get('cpu', {}).get('brand_raw', '?')}, {m.get('cpu_count')} CPUs, "
        f"Python {m.get('python_version')}, NumPy {m.get('numpy')}, OMP max threads "
        f"{m.get('omp_max_threads', '?')}, SIMD {m.get('simd_default', '?')}; other processes during the run: "
        f"{m.get('other_cpu_pct', '?')} % of one core; {data.get('datetime', '')[:19]}.",
        "",
        f"### {GROUP}",
        "",
        "| implementation | threads | SIMD | input | MB/s | docs/s | median s | rounds | check | other CPU % |",
        "|---|---:|---|---|---:|---:|---:|---:|---|---:|",
    ]
    for b in sorted(rows, key=lambda b: -b["extra_info"].get("MB/s", 0)):
        e = b["extra_info"]
        name = f"native measure, {e['form']}" if e["impl"] == "native" else "pure-Python twin"
        check = "MISMATCH" if e.get("mismatch") else ("ok" if e.get("checks") else "")
        busy = "-" if e.get("other_cpu_pct") is None else f"{e['other_cpu_pct']:.0f}"
        threads = e["threads"] if e["threads"] == "1" else f"all ({e.get('threads_used')})"
        out.append(f"| {name} | {threads} | {e.get('simd', '-')} | {e['corpus']} ({e['bytes'] / MB:.1f} MB, "
                   f"{e['docs']:,} docs) | {_fmt(e.get('MB/s'))} | {_fmt(e.get('docs/s'))} | "
                   f"{b['stats']['median']:.4g} | {b['stats']['rounds']} | {check} | {busy} |")

    def find(**kw):
        return next((b["extra_info"] for b in rows if all(b["extra_info"].get(k) == v for k, v in kw.items())), None)

    one = find(impl="native", form="buffer", threads="1", corpus="default", simd=m.get("simd_default")) or find(
        impl="native", form="buffer", threads="1", corpus="default")
    sl, tw = find(impl="native", corpus="ref-slice"), find(impl="reference")
    out.append("")
    if one:
        out.append(f"- native, buffer, 1 core: {_fmt(one['MB/s'])} MB/s (target >= {TARGET_1T:.0f}: "
                   f"{'met' if one['MB/s'] >= TARGET_1T else 'NOT met'})")
    if sl and tw:
        out.append(f"- on the same slice: native {_fmt(sl['MB/s'])} MB/s, pure-Python twin {_fmt(tw['MB/s'], 2)} MB/s "
                   f"({sl['MB/s'] / tw['MB/s']:,.0f}x)")
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python benchmarks/bench_repetition.py RESULTS.json")
    print(tables(sys.argv[1]))
