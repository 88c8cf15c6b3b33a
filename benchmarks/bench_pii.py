"""Throughput of the PII scanner and masker: native vs the pure-Python twin.

Run (pytest-benchmark; the timings are medians, nothing is asserted on them)::

    PYTHONPATH=. python -m pytest benchmarks -k bench_pii --benchmark-json=/tmp/pii.json
    PYTHONPATH=. python benchmarks/bench_pii.py /tmp/pii.json   # markdown table

(Name the folder, not the file: benchmarks/conftest.py collects ``bench_*.py`` itself.)

Text: the default benchmark corpus of benchmarks/conftest.py (real Chinese: the clean_zh
zhwiki and CLUECorpusSmall samples plus the 100 raw c4 web documents, shuffled, repeated to
CORPUS_ENGINE_BENCH_MB, default 32 MB); the pure-Python twin runs on the every-k-th slice
(CORPUS_ENGINE_BENCH_REF_MB, default 4 MB). MB/s is decimal MB of UTF-8 input per second.

Cases: ``scan`` (counts per kind) and ``mask`` (new text + counts), each in the buffer form
(TextBatch) and the ``list[str]`` form, at one thread and at all threads; ``scan`` at the
scalar SIMD level; the twin's ``scan`` and ``mask``. Every result is checked outside the timed
calls: native against native buffer one thread, and native against the twin on the slice.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from _bench_util import MB, record, report_check, same, slow_rounds
from bench_text import simd

from corpus_engine import _native
from corpus_engine import pii as native
from corpus_engine.reference import pii as reference

GROUP = "pii: scan / mask, all kinds"
TARGET_1T = 300.0  # MB/s per core, the target


def _run(module, op: str, docs, threads=None):
    if op == "scan":
        return module.scan(docs, threads=threads)
    return module.mask(docs, threads=threads)


def _canon(result):
    """(counts, texts) of a scan or mask result, for comparison across forms."""
    if isinstance(result, np.ndarray):
        return result, None
    new, counts = result
    return counts, new


def _same(a, b) -> bool:
    ca, ta = _canon(a)
    cb, tb = _canon(b)
    return np.array_equal(ca, cb) and (ta is None or tb is None or same(ta, tb))


@pytest.fixture(scope="module")
def anchor(corpus, ref_slice):
    """Native, buffer form, one thread: what every other native result must equal."""
    return {(op, c.name): _run(native, op, c.batch, threads=1) for op in ("scan", "mask") for c in (corpus, ref_slice)}


NATIVE = [(op, form, t, "auto") for op in ("scan", "mask") for form in ("buffer", "list") for t in ("1", "all")]
NATIVE.append(("scan", "buffer", "1", "scalar"))


@pytest.mark.parametrize("op,form,threads,level", NATIVE, ids=[f"{o}-{f}-t{t}-{lv}" for o, f, t, lv in NATIVE])
def test_native(benchmark, corpus, ref_slice, anchor, op, form, threads, level):
    th = 1 if threads == "1" else None
    docs = corpus.batch if form == "buffer" else corpus.docs
    with simd(level) as active:
        result = benchmark(lambda: _run(native, op, docs, th))
    report_check(benchmark, _same(result, anchor[(op, corpus.name)]), "vs native buffer 1 thread")
    if form == "buffer" and threads == "1" and level == "auto":
        want = _run(reference, op, ref_slice.docs)
        report_check(benchmark, _same(anchor[(op, ref_slice.name)], want), "native vs pure-Python twin on the slice")
    benchmark.group = GROUP
    record(benchmark, corpus, kernel=f"pii.{op}", impl="native", form=form, threads=threads,
           threads_used=1 if threads == "1" else _native.max_threads(), simd=active)


@pytest.mark.parametrize("op", ["scan", "mask"])
def test_reference(benchmark, ref_slice, anchor, op):
    result = benchmark.pedantic(_run, args=(reference, op, ref_slice.docs), rounds=slow_rounds(), warmup_rounds=0,
                                iterations=1)
    report_check(benchmark, _same(result, anchor[(op, ref_slice.name)]), "vs native buffer 1 thread")
    benchmark.group = GROUP
    record(benchmark, ref_slice, kernel=f"pii.{op}", impl="reference", form="list", threads="1", threads_used=1)


# --------------------------------------------------------------------------- table


def tables(path: str) -> str:
    with open(path) as fh:
        data = json.load(fh)
    rows = [b for b in data["benchmarks"] if b["extra_info"].get("kernel", "").startswith("pii.")]
    m = data.get("machine_info", {})
    out = [
        f"Machine: {m.get('lscpu_model', '?')}, {m.get('cpu_count')} CPUs, SIMD {m.get('simd_default', '?')}, "
        f"OMP max threads {m.get('omp_max_threads', '?')}; other processes during the run: "
        f"{m.get('other_cpu_pct', '?')} % of one core; {data.get('datetime', '')[:19]}.",
        "",
        "| op | implementation | form | threads | SIMD | input | MB/s | docs/s | x twin | check |",
        "|---|---|---|---:|---|---|---:|---:|---:|---|",
    ]
    twin = {b["extra_info"]["kernel"]: b["extra_info"].get("MB/s") for b in rows
            if b["extra_info"]["impl"] == "reference"}
    for b in sorted(rows, key=lambda b: (b["extra_info"]["kernel"], -b["extra_info"].get("MB/s", 0))):
        e = b["extra_info"]
        t = twin.get(e["kernel"])
        ratio = f"{e['MB/s'] / t:.0f}" if t and e.get("MB/s") else "-"
        check = "MISMATCH" if e.get("mismatch") else "ok"
        threads = e["threads"] if e["threads"] == "1" else f"all ({e.get('threads_used')})"
        out.append(f"| {e['kernel']} | {e['impl']} | {e['form']} | {threads} | {e.get('simd', '-')} | "
                   f"{e['corpus']} ({e['bytes'] / MB:.1f} MB) | {e.get('MB/s', 0):.1f} | {e.get('docs/s', 0):,.0f} | "
                   f"{ratio} | {check} |")
    best = [b["extra_info"].get("MB/s", 0) for b in rows if b["extra_info"]["impl"] == "native"
            and b["extra_info"]["threads"] == "1" and b["extra_info"]["form"] == "buffer"
            and b["extra_info"].get("simd") == m.get("simd_default")]
    if best:
        low = min(best)
        out += ["", f"Target >= {TARGET_1T:.0f} MB/s per core (buffer form, scan and mask): slowest {low:.0f} MB/s, "
                    f"{'met' if low >= TARGET_1T else 'NOT met'}."]
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python benchmarks/bench_pii.py RESULTS.json")
    print(tables(sys.argv[1]))
