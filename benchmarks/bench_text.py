"""Throughput of the text kernels: native vs pure-Python twin vs library peers.

Every case records in ``extra_info`` what it measured (kernel, implementation,
form, threads, SIMD level, corpus, bytes, docs) and, from the median, ``MB/s``
(UTF-8 bytes of input per second) and ``docs/s``. ``make_table.py`` turns the
``--benchmark-json`` output into the table of benchmarks/README.md.

Outputs are checked outside the timed calls: each native variant against the
pure-Python twin on the reference slice, and against the one-thread buffer
result on the full corpus (thread-count and SIMD-level determinism). A mismatch
does not stop the run; it is flagged in the table and listed at the end.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import numpy as np
import pytest

from _bench_util import peer_rounds, record, report_check, same, slow_rounds

from corpus_engine import _native
from corpus_engine import charsets as cs
from corpus_engine import text as native
from corpus_engine.reference import text as reference

KERNELS = ("zh_ratio", "extract_chinese", "strip_control", "trim_content", "char_lengths", "length_mask")
THREADS = {"1": 1, "all": None}  # label -> threads= argument


def _call(module, kernel: str, docs, threads=None):
    fn = getattr(module, kernel)
    return fn(docs, threads=threads)


@contextmanager
def simd(level: str):
    """Force a SIMD level for the duration of a benchmark; always restore the previous one."""
    before = native.simd_level()
    if level != "auto":
        native.set_simd_level(level)
    try:
        yield native.simd_level()
    finally:
        native.set_simd_level(before)


def _used_threads(threads):
    return 1 if threads == 1 else _native.max_threads()


def _reference_result(results_cache, kernel, ref_slice):
    key = (kernel, ref_slice.name, "reference")
    if key not in results_cache:
        results_cache[key] = _call(reference, kernel, ref_slice.docs)
    return results_cache[key]


def _anchor_result(results_cache, kernel, corpus):
    """Native, buffer form, one thread, default SIMD level: what the other variants must equal."""
    key = (kernel, corpus.name, "native-buffer-1")
    if key not in results_cache:
        results_cache[key] = _call(native, kernel, corpus.batch, threads=1)
    return results_cache[key]


# ----------------------------------------------------------------------------- thread scaling (large)
# First in the file: the multi-thread figures suffer most from other processes, and a run is
# most often started on a quiet machine.


LARGE_ROUNDS = 9  # fixed: a round is 10-60 ms here, and medians of few rounds swing between runs
LARGE_CASES = [pytest.param(k, t, id=f"{k}-buffer-t{t}") for k in KERNELS for t in ("1", "all")]


@pytest.mark.large
@pytest.mark.parametrize("kernel,threads_label", LARGE_CASES)
def test_scaling_large(benchmark, large_corpus, results_cache, kernel, threads_label):
    """Buffer form on the large corpus (>= 100 MB by default) at one thread and at all threads."""
    threads = THREADS[threads_label]
    benchmark.group = f"{kernel} (large)"
    result = benchmark.pedantic(
        _call, args=(native, kernel, large_corpus.batch, threads), rounds=LARGE_ROUNDS, warmup_rounds=1, iterations=1
    )
    key = (kernel, large_corpus.name, "native-buffer-1")
    if threads == 1:
        results_cache[key] = result
    else:
        report_check(benchmark, same(result, _anchor_result(results_cache, kernel, large_corpus)), "vs 1 thread")
        del results_cache[key]  # the large outputs are big: keep one at a time
    del result
    record(
        benchmark,
        large_corpus,
        kernel=kernel,
        impl="native",
        form="buffer",
        threads=threads_label,
        threads_used=_used_threads(threads),
        simd=native.simd_level(),
    )


@pytest.mark.large
def test_memcpy_large(benchmark, large_corpus):
    benchmark.group = "memcpy (large)"
    src = large_corpus.batch.data
    dst = np.empty_like(src)
    benchmark.pedantic(np.copyto, args=(dst, src), rounds=LARGE_ROUNDS, warmup_rounds=1, iterations=1)
    record(benchmark, large_corpus, kernel="memcpy", impl="ceiling", peer="memcpy (np.copyto into a preallocated buffer)",
           form="buffer", threads="1", threads_used=1)


# ----------------------------------------------------------------------------- native

# Inputs: "docs" = the default corpus of whole documents; "lines" = the same text cut into its
# lines, for zh_ratio only (the pipeline calls it per line; short elements cost more per byte).
INPUTS = {"docs": ("corpus", "ref_slice"), "lines": ("lines_corpus", "lines_ref_slice")}
NATIVE_VARIANTS = (("buffer", "1", "auto"), ("buffer", "all", "auto"), ("buffer", "1", "scalar"),
                   ("list", "1", "auto"), ("list", "all", "auto"), ("list", "1", "scalar"))
KERNEL_INPUTS = [(k, "docs") for k in KERNELS] + [("zh_ratio", "lines")]


def _label(kernel: str, inp: str) -> str:
    """The kernel name of the tables: a lines case is its own row."""
    return kernel if inp == "docs" else f"{kernel} ({inp})"


def _inputs(request, inp: str):
    big, small = INPUTS[inp]
    return request.getfixturevalue(big), request.getfixturevalue(small)


NATIVE_CASES = [
    pytest.param(k, inp, form, t, level, id=f"{_label(k, inp).replace(' (', '-').rstrip(')')}-{form}-t{t}-{level}")
    for k, inp in KERNEL_INPUTS
    for form, t, level in NATIVE_VARIANTS
]


@pytest.mark.parametrize("kernel,inp,form,threads_label,level", NATIVE_CASES)
def test_native(benchmark, request, results_cache, kernel, inp, form, threads_label, level):
    corpus, ref_slice = _inputs(request, inp)
    threads = THREADS[threads_label]
    docs = corpus.batch if form == "buffer" else corpus.docs
    small = ref_slice.batch if form == "buffer" else ref_slice.docs
    benchmark.group = _label(kernel, inp)
    with simd(level) as active:
        ok = same(_call(native, kernel, small, threads), _reference_result(results_cache, kernel, ref_slice))
        report_check(benchmark, ok, "native vs pure-Python twin on the reference slice")
        result = benchmark(_call, native, kernel, docs, threads)
    anchor = _anchor_result(results_cache, kernel, corpus)
    if result is not anchor:
        report_check(benchmark, same(result, anchor), "vs native buffer 1 thread on the full corpus")
    record(
        benchmark,
        corpus,
        kernel=_label(kernel, inp),
        impl="native",
        form=form,
        threads=threads_label,
        threads_used=_used_threads(threads),
        simd=active,
    )


# ----------------------------------------------------------------------------- reference


REF_CASES = [pytest.param(k, inp, id=_label(k, inp).replace(" (", "-").rstrip(")")) for k, inp in KERNEL_INPUTS]


@pytest.mark.parametrize("kernel,inp", REF_CASES)
def test_reference(benchmark, request, results_cache, kernel, inp):
    """The pure-Python twin (list[str] form) on the reference slice; MB/s over the slice's bytes."""
    _, ref_slice = _inputs(request, inp)
    benchmark.group = _label(kernel, inp)
    result = benchmark.pedantic(
        _call, args=(reference, kernel, ref_slice.docs), rounds=slow_rounds(), warmup_rounds=0, iterations=1
    )
    results_cache.setdefault((kernel, ref_slice.name, "reference"), result)
    record(benchmark, ref_slice, kernel=_label(kernel, inp), impl="reference", form="list", threads="1",
           threads_used=1)


# ----------------------------------------------------------------------------- peers


def _control_regex() -> "re.Pattern[str]":
    """A compiled character class of exactly charsets.CONTROL_DEFAULT."""
    parts = []
    for lo, hi in cs.CONTROL_DEFAULT:
        parts.append(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}")
    return re.compile("[" + "".join(parts) + "]+")


def re_strip_control(docs, pattern):
    sub = pattern.sub
    return [sub("", d) for d in docs]


def _numpy_lut() -> np.ndarray:
    lut = np.zeros(cs.MAX_CP + 1, dtype=np.uint8)
    for flag, ranges in cs.table_ranges():
        for lo, hi in ranges:
            lut[lo : hi + 1] |= flag
    return lut


def numpy_zh_ratio(docs, lut, skip=cs.WS | cs.PH):
    """Paper-mode Chinese ratio with NumPy: UTF-32 code points -> flag LUT -> per-doc sums."""
    cps = np.frombuffer("".join(docs).encode("utf-32-le"), dtype=np.uint32)
    flags = lut[cps]
    counted = (flags & skip) == 0
    zh = counted & ((flags & cs.ZH) != 0)
    lens = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    starts = np.cumsum(lens) - lens
    nonempty = lens > 0
    n_counted = np.zeros(len(docs), dtype=np.int64)
    n_zh = np.zeros(len(docs), dtype=np.int64)
    if nonempty.any():  # reduceat over the non-empty starts: empty documents add nothing
        idx = starts[nonempty]
        n_counted[nonempty] = np.add.reduceat(counted, idx, dtype=np.int64)
        n_zh[nonempty] = np.add.reduceat(zh, idx, dtype=np.int64)
    out = np.zeros(len(docs), dtype=np.float64)
    np.divide(n_zh, n_counted, out=out, where=n_counted > 0)
    return out


@pytest.fixture(scope="module")
def lut():
    return _numpy_lut()


def test_peer_re_strip_control(benchmark, corpus, ref_slice, results_cache):
    """Python library peer of strip_control: re.sub with a compiled character class."""
    benchmark.group = "strip_control"
    pattern = _control_regex()
    ok = same(re_strip_control(ref_slice.docs, pattern), _reference_result(results_cache, "strip_control", ref_slice))
    report_check(benchmark, ok, "re.sub vs pure-Python twin on the reference slice")
    result = benchmark.pedantic(
        re_strip_control, args=(corpus.docs, pattern), rounds=peer_rounds(), warmup_rounds=1, iterations=1
    )
    report_check(benchmark, same(result, _anchor_result(results_cache, "strip_control", corpus)), "vs native")
    record(benchmark, corpus, kernel="strip_control", impl="peer", peer="re.sub (compiled class)", form="list",
           threads="1", threads_used=1)


@pytest.mark.parametrize("inp", ["docs", "lines"])
def test_peer_numpy_zh_ratio(benchmark, request, results_cache, lut, inp):
    """Python library peer of zh_ratio: NumPy UTF-32 view + flag lookup table + np.add.reduceat."""
    corpus, ref_slice = _inputs(request, inp)
    benchmark.group = _label("zh_ratio", inp)
    ok = same(numpy_zh_ratio(ref_slice.docs, lut), _reference_result(results_cache, "zh_ratio", ref_slice))
    report_check(benchmark, ok, "NumPy LUT vs pure-Python twin on the reference slice")
    result = benchmark.pedantic(
        numpy_zh_ratio, args=(corpus.docs, lut), rounds=peer_rounds(), warmup_rounds=1, iterations=1
    )
    report_check(benchmark, same(result, _anchor_result(results_cache, "zh_ratio", corpus)), "vs native")
    record(benchmark, corpus, kernel=_label("zh_ratio", inp), impl="peer", peer="NumPy LUT (UTF-32 + reduceat)",
           form="list", threads="1", threads_used=1)


@pytest.mark.parametrize("how", ["copyto", "tobytes"])
def test_memcpy(benchmark, corpus, how):
    """The ceiling: copying the UTF-8 buffer (into a ready buffer / into a new bytes object)."""
    benchmark.group = "memcpy"
    src = corpus.batch.data
    if how == "copyto":
        dst = np.empty_like(src)
        benchmark(np.copyto, dst, src)
        peer = "memcpy (np.copyto into a preallocated buffer)"
    else:
        benchmark(src.tobytes)
        peer = "memcpy + allocation (ndarray.tobytes)"
    record(benchmark, corpus, kernel="memcpy", impl="ceiling", peer=peer, form="buffer", threads="1", threads_used=1)
