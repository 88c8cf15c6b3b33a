"""Throughput of the noise-line filter: find the boilerplate lines and cut them out.

Run (pytest-benchmark; the timings are medians, nothing is asserted on them)::

    PYTHONPATH=. python -m pytest benchmarks -k bench_noise_lines --benchmark-json=/tmp/noise.json
    PYTHONPATH=. python benchmarks/bench_noise_lines.py /tmp/noise.json   # markdown table

Phrases: the bundled list (corpus_engine/data/noise_phrases.txt), default settings. Text: the
default benchmark corpus of benchmarks/conftest.py (the clean_zh/tencentpretrain zhwiki and
CLUECorpusSmall samples plus the 100 raw c4 web pages, shuffled, repeated to
CORPUS_ENGINE_BENCH_MB, default 32 MB); the pure-Python twin runs on the every-k-th slice
(CORPUS_ENGINE_BENCH_REF_MB, default 4 MB), and native runs on that slice too so that the ratio
compares the same text. MB/s is decimal MB of UTF-8 input per second.

Cases: native ``NoiseLineFilter.apply`` (edited documents and statistics) in the buffer and
list[str] forms, one thread and all threads, one thread at the scalar SIMD level; ``measure``
(statistics only); the twin's ``apply``. Every result is checked: native list == native buffer,
native == twin on the slice.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import numpy as np
import pytest

from _bench_util import MB, record, report_check, same, slow_rounds
from corpus_engine import _native
from corpus_engine import noise_lines as noise
from corpus_engine import text as native_text
from corpus_engine.reference import noise_lines as reference

GROUP = "noise lines: bundled phrases, default rules"
TARGET_1T = 300.0  # MB/s per core (issue)
STATS = ("lines", "noise_lines", "noise_chars", "chars", "group_lines")


@pytest.fixture(scope="module")
def filt():
    return noise.NoiseLineFilter()


@pytest.fixture(scope="module")
def anchor(filt, corpus, ref_slice):
    """Native apply, buffer form, one thread: what the other native results must equal."""
    return {c.name: filt.apply(c.batch, threads=1) for c in (corpus, ref_slice)}


def _same_apply(a, b) -> bool:
    return same(a[0], b[0]) and all(np.array_equal(a[1][k], b[1][k]) for k in STATS)


def _record(benchmark, corpus, impl: str, form: str, threads: str, **meta):
    benchmark.group = GROUP
    record(benchmark, corpus, kernel="noise_lines", impl=impl, form=form, threads=threads,
           threads_used=1 if threads == "1" else _native.max_threads(), **meta)


NATIVE = [("apply", "buffer", "1", "auto"), ("apply", "list", "1", "auto"), ("apply", "buffer", "all", "auto"),
          ("apply", "list", "all", "auto"), ("apply", "buffer", "1", "scalar"), ("measure", "buffer", "1", "auto")]


@pytest.mark.parametrize("method,form,threads,level", NATIVE, ids=[f"{m}-{f}-t{t}-{lv}" for m, f, t, lv in NATIVE])
def test_native(benchmark, filt, corpus, anchor, method, form, threads, level):
    th = 1 if threads == "1" else None
    docs = corpus.batch if form == "buffer" else corpus.docs
    before = native_text.simd_level()
    if level != "auto":
        native_text.set_simd_level(level)
    try:
        active = native_text.simd_level()
        result = benchmark(lambda: getattr(filt, method)(docs, threads=th))
    finally:
        native_text.set_simd_level(before)
    want = anchor[corpus.name]
    if method == "apply":
        report_check(benchmark, _same_apply(result, want), "vs native apply, buffer, 1 thread")
    else:
        report_check(benchmark, all(np.array_equal(result[k], want[1][k]) for k in STATS), "stats vs apply")
    st = want[1]
    _record(benchmark, corpus, "native", form, threads, method=method, simd=active,
            noise_lines=int(st["noise_lines"].sum()), lines=int(st["lines"].sum()),
            noise_char_share=float(st["noise_chars"].sum() / st["chars"].sum()))


def test_native_slice(benchmark, filt, ref_slice, anchor):
    """Native on the twin's slice: the ratio below compares the same documents."""
    result = benchmark(lambda: filt.apply(ref_slice.docs, threads=1))
    report_check(benchmark, _same_apply(result, anchor[ref_slice.name]), "list vs buffer on the slice")
    _record(benchmark, ref_slice, "native", "list", "1", method="apply", simd=native_text.simd_level())


def test_reference(benchmark, filt, ref_slice, anchor):
    f = reference.NoiseLineFilter()
    result = benchmark.pedantic(f.apply, args=(ref_slice.docs,), rounds=slow_rounds(), warmup_rounds=0,
                                iterations=1)
    report_check(benchmark, _same_apply(result, anchor[ref_slice.name]), "twin vs native on the slice")
    _record(benchmark, ref_slice, "reference", "list", "1", method="apply")


# --------------------------------------------------------------------------- table


def _fmt(x: Optional[float]) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def tables(path: str) -> str:
    """Markdown table of a --benchmark-json file of this module."""
    data = json.loads(Path(path).read_text())
    rows = [b for b in data["benchmarks"] if b.get("extra_info", {}).get("kernel") == "noise_lines"]
    m = data.get("machine_info", {})
    out = [
        f"Machine: {m.get('lscpu_model') or m.get('cpu', {}).get('brand_raw', '?')}, {m.get('cpu_count')} CPUs, "
        f"SIMD {m.get('simd_default', '?')}; other processes during the run: {m.get('other_cpu_pct', '?')} % of "
        f"one core; {data.get('datetime', '')[:19]}.",
        "",
        "| implementation | method | input form | threads | SIMD | corpus | MB/s | docs/s | median s | check |",
        "|---|---|---|---:|---|---|---:|---:|---:|---|",
    ]
    for b in sorted(rows, key=lambda b: -b["extra_info"].get("MB/s", 0)):
        e = b["extra_info"]
        check = "MISMATCH" if e.get("mismatch") else ("ok" if e.get("checks") else "")
        threads = e["threads"] if e["threads"] == "1" else f"all ({e.get('threads_used')})"
        out.append(f"| {e['impl']} | {e.get('method')} | {e['form']} | {threads} | {e.get('simd', '-')} | "
                   f"{e['corpus']} ({e['bytes'] / MB:.1f} MB, {e['docs']:,} docs) | {_fmt(e.get('MB/s'))} | "
                   f"{_fmt(e.get('docs/s'))} | {b['stats']['median']:.4g} | {check} |")

    def find(**kw):
        return next((b["extra_info"] for b in rows if all(b["extra_info"].get(k) == v for k, v in kw.items())), None)

    base = find(impl="native", method="apply", form="buffer", threads="1", simd=m.get("simd_default")) or find(
        impl="native", method="apply", form="buffer", threads="1")
    sl, rf = find(impl="native", corpus="ref-slice"), find(impl="reference")
    out.append("")
    if base and base.get("MB/s"):
        out.append(f"- native apply, buffer, 1 core: {_fmt(base['MB/s'])} MB/s (target >= {TARGET_1T:.0f}: "
                   f"{'met' if base['MB/s'] >= TARGET_1T else 'NOT met'}); noise lines {base.get('noise_lines'):,} "
                   f"of {base.get('lines'):,}, {100 * base.get('noise_char_share', 0):.2f} % of the characters")
    if sl and rf and rf.get("MB/s"):
        out.append(f"- same slice, list form, 1 core: native {_fmt(sl['MB/s'])} MB/s, twin {_fmt(rf['MB/s'])} MB/s "
                   f"({sl['MB/s'] / rf['MB/s']:.0f}x)")
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python benchmarks/bench_noise_lines.py RESULTS.json")
    print(tables(sys.argv[1]))
