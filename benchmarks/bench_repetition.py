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

import contextlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from _bench_util import MB, Corpus, record, report_check, slow_rounds
from corpus_engine import _native
from corpus_engine import repetition as rep
from corpus_engine import text as native_text
from corpus_engine.reference import repetition as reference

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


@contextlib.contextmanager
def forced_simd(level: str):
    """Run at a SIMD level ("auto": the default); yields the level in use."""
    old = native_text.simd_level()
    native_text.set_simd_level(old if level == "auto" else level)
    try:
        yield native_text.simd_level()
    finally:
        native_text.set_simd_level(old)


NATIVE = [("buffer", "1", "auto"), ("buffer", "all", "auto"), ("list", "1", "auto"), ("list", "all", "auto"),
          ("buffer", "1", "scalar")]


@pytest.mark.parametrize("form,threads,level", NATIVE, ids=[f"{f}-t{t}-{lv}" for f, t, lv in NATIVE])
def test_native(benchmark, corpus, anchor, form, threads, level):
    th = None if threads == "all" else 1
    docs = {"buffer": corpus.batch, "list": corpus.docs}[form]
    with forced_simd(level) as active:
        result = benchmark(lambda: rep.measure(docs, threads=th))
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


def _mbps(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def tables(path: str) -> str:
    """Markdown summary of a --benchmark-json file of this module."""
    data = json.loads(Path(path).read_text())
    info = [(b["extra_info"], b["stats"]) for b in data["benchmarks"] if b.get("extra_info", {}).get("kernel") ==
            "repetition"]
    cpu = data.get("machine_info", {}).get("cpu", {}).get("brand_raw", "?")
    lines = [f"### {GROUP} ({cpu}, {data.get('datetime', '')[:10]}; medians)", "",
             "| implementation | threads | SIMD | input | MB/s | docs/s | check |", "|---|---:|---|---|---:|---:|---|"]
    for e, st in sorted(info, key=lambda x: -x[0].get("MB/s", 0)):
        who = "pure-Python twin" if e["impl"] == "reference" else f"native, {e['form']}"
        lines.append(f"| {who} | {e['threads']} | {e.get('simd', '-')} | {e['corpus']} ({e['bytes'] / MB:.1f} MB) | "
                     f"{_mbps(e.get('MB/s', 0))} | {e.get('docs/s', 0):,.0f} | "
                     f"{'MISMATCH' if e.get('mismatch') else 'ok'} |")
    by = {(e["impl"], e["form"], e["threads"], e["corpus"], e.get("simd")): e for e, _ in info}
    one = next((e for k, e in by.items() if k[:4] == ("native", "buffer", "1", "default") and k[4] != "scalar"), None)
    sl = next((e for k, e in by.items() if k[0] == "native" and k[3] == "ref-slice"), None)
    tw = next((e for k, e in by.items() if k[0] == "reference"), None)
    if one:
        verdict = "met" if one["MB/s"] >= TARGET_1T else "NOT met"
        lines += ["", f"- native, buffer, 1 core: {_mbps(one['MB/s'])} MB/s (target {TARGET_1T:.0f}: {verdict})"]
    if sl and tw:
        lines.append(f"- same slice: native {_mbps(sl['MB/s'])} MB/s, twin {_mbps(tw['MB/s'])} MB/s "
                     f"({sl['MB/s'] / tw['MB/s']:,.0f}x)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(print(tables(sys.argv[1])) if len(sys.argv) == 2 else "usage: bench_repetition.py RESULTS.json")
