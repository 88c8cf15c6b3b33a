"""Throughput of the dedup engine: MinHash signatures, LSH insert, near_duplicates end to end.

Run (pytest-benchmark; the timings are medians, nothing is asserted on them)::

    PYTHONPATH=. python -m pytest benchmarks -k bench_dedup --benchmark-json=/tmp/dedup.json
    PYTHONPATH=. python benchmarks/bench_dedup.py /tmp/dedup.json   # markdown tables of dedup_results.md

(Name the folder, not the file: benchmarks/conftest.py collects ``bench_*.py`` itself, and a file
named on the command line would be collected a second time.)

Signatures: 128 values, 5-character shingles, one thread, on real Chinese text (the two
clean_zh/tencentpretrain files, ~4.1 MB, repeated to CORPUS_ENGINE_BENCH_DEDUP_MB, default 16 MB;
the slow implementations run on an every-k-th slice of the real documents,
CORPUS_ENGINE_BENCH_DEDUP_SLICE_MB, default 1 MB). MB/s is decimal MB of UTF-8 input per second.

- native ``MinHasher.signatures`` (``method="oph"`` and ``"classic"``, buffer and list forms);
- the pure-Python twin ``corpus_engine.reference.dedup`` (checked bit for bit against native);
- datasketch ``MinHash.bulk`` and per-document ``MinHash.update_batch``;
- rensa ``RMinHash`` (per document ``update``, and the bulk ``digest_matrix_from_token_sets``);
- NumPy: XXH64 of every shingle written in NumPy (bit-identical to the native shingle hashes),
  then either the minimum over 128 hash functions ``(a*h + b) >> 32`` in NumPy (bit-identical to
  native ``classic``: checked) or rensa's ``digest_matrix_from_flat_token_hashes``.

The peers are given the normalised text (corpus_engine's normalisation, not timed) and build
their shingles in Python inside the timed call; native times include its own normalisation.
This favours the peers.

LSH insert (batch form, docs/s): native ``LSHIndex.insert`` and rensa ``RMinHashLSH.insert_matrix``
on CORPUS_ENGINE_BENCH_LSH_DOCS (default 2,000,000) signatures, datasketch ``MinHashLSH``
(insertion session) on CORPUS_ENGINE_BENCH_LSH_PEER_DOCS (default 100,000); 16 bands x 8 rows.

near_duplicates end to end: every real document with >= 100 normalised characters plus two planted
copies of each (corpus_engine.dedup_eval, true Jaccard 0.3..1.0), defaults (threshold 0.8,
128 values, 16 x 8, OPH, exact dedup on); recall and precision of the run go to extra_info.
"""

from __future__ import annotations

import importlib
import json
import random
import sys
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import pytest

from _bench_util import (
    CLEAN_FILES,
    MB,
    Corpus,
    _env_float,
    data_dir,
    make_corpus,
    peer_rounds,
    record,
    replicate,
    report_check,
    slow_rounds,
    strided_slice,
)

NUM_PERM, NGRAM, ROWS, BANDS = 128, 5, 8, 16
SIG_GROUP = "signatures (128 values, 5-grams)"
LSH_GROUP = "LSH insert (16 x 8)"
E2E_GROUP = "near_duplicates end to end"


import corpus_engine.dedup as dedup  # noqa: E402
import corpus_engine.dedup_eval as dedup_eval  # noqa: E402


def _optional(name: str):
    try:
        return importlib.import_module(name), None
    except Exception as exc:  # ImportError, or a half-written module of another helper
        return None, f"{name} not importable: {type(exc).__name__}: {exc}"


def dedup_mb() -> float:
    return _env_float("CORPUS_ENGINE_BENCH_DEDUP_MB", 16.0)


def slice_mb() -> float:
    return _env_float("CORPUS_ENGINE_BENCH_DEDUP_SLICE_MB", 1.0)


def lsh_docs() -> int:
    return int(_env_float("CORPUS_ENGINE_BENCH_LSH_DOCS", 2_000_000))


def lsh_peer_docs() -> int:
    return int(_env_float("CORPUS_ENGINE_BENCH_LSH_PEER_DOCS", 100_000))


# --------------------------------------------------------------------------- corpora


@pytest.fixture(scope="module")
def zh_docs() -> List[str]:
    """The real Chinese documents (one per line), shuffled with a fixed seed."""
    root = data_dir()
    paths = [root / p for p in CLEAN_FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        pytest.skip("shared data not found (set CORPUS_ENGINE_DATA): " + ", ".join(missing))
    docs: List[str] = []
    for p in paths:
        docs += dedup_eval.load_documents(p)
    random.Random(20240601).shuffle(docs)
    return docs


def _corpus(name: str, docs: List[bytes]) -> Corpus:
    lens = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    return make_corpus(name, b"".join(docs), offsets, with_list=True)


@pytest.fixture(scope="module")
def sig_corpus(zh_docs) -> Corpus:
    base = [d.encode("utf-8") for d in zh_docs]
    blob, offsets = replicate(base, int(dedup_mb() * MB))
    return make_corpus("zh-16MB" if dedup_mb() == 16 else f"zh-{dedup_mb():g}MB", blob, offsets, with_list=True)


@pytest.fixture(scope="module")
def sig_slice(zh_docs) -> Corpus:
    return _corpus(f"zh-slice-{slice_mb():g}MB", strided_slice([d.encode("utf-8") for d in zh_docs],
                                                               int(slice_mb() * MB)))


@pytest.fixture(scope="module")
def normalized(sig_corpus, sig_slice) -> Dict[str, List[str]]:
    """corpus_engine's normalised text of each corpus (what the peers shingle; not timed)."""
    h = dedup.MinHasher(num_perm=NUM_PERM, ngram=NGRAM)
    return {c.name: h.normalize(c.docs) for c in (sig_corpus, sig_slice)}


@pytest.fixture(scope="module")
def cache():
    return {}


def _native_sig(cache, corpus: Corpus, method: str) -> np.ndarray:
    key = ("native", corpus.name, method)
    if key not in cache:
        cache[key] = dedup.MinHasher(num_perm=NUM_PERM, ngram=NGRAM, method=method).signatures(corpus.batch, threads=1)
    return cache[key]


def _sig_record(benchmark, corpus, impl, method, form="list", threads="1", peer="", **meta):
    benchmark.group = SIG_GROUP
    record(benchmark, corpus, kernel="signatures", impl=impl, method=method, form=form, threads=threads,
           threads_used=1 if threads == "1" else dedup._native.max_threads(), peer=peer,
           num_perm=NUM_PERM, ngram=NGRAM, **meta)


# --------------------------------------------------------------------------- native signatures

NATIVE_SIG = [("oph", "buffer", "1"), ("oph", "list", "1"), ("classic", "buffer", "1"), ("classic", "list", "1"),
              ("oph", "buffer", "all")]


@pytest.mark.parametrize("method,form,threads", NATIVE_SIG, ids=[f"{m}-{f}-t{t}" for m, f, t in NATIVE_SIG])
def test_sig_native(benchmark, sig_corpus, cache, method, form, threads):
    h = dedup.MinHasher(num_perm=NUM_PERM, ngram=NGRAM, method=method)
    docs = sig_corpus.batch if form == "buffer" else sig_corpus.docs
    th = 1 if threads == "1" else None
    result = benchmark(h.signatures, docs, threads=th)
    report_check(benchmark, np.array_equal(result, _native_sig(cache, sig_corpus, method)),
                 "vs native buffer 1 thread")
    _sig_record(benchmark, sig_corpus, "native", method, form, threads)


# --------------------------------------------------------------------------- pure-Python twin


@pytest.mark.parametrize("method", ["oph", "classic"])
def test_sig_reference(benchmark, sig_slice, cache, method):
    ref, why = _optional("corpus_engine.reference.dedup")
    if ref is None:
        pytest.skip(why)
    h = ref.MinHasher(num_perm=NUM_PERM, ngram=NGRAM, method=method)
    result = benchmark.pedantic(h.signatures, args=(sig_slice.docs,), rounds=slow_rounds(), warmup_rounds=0,
                                iterations=1)
    report_check(benchmark, np.array_equal(np.asarray(result, dtype=np.uint32), _native_sig(cache, sig_slice, method)),
                 "pure-Python twin vs native, bit for bit")
    _sig_record(benchmark, sig_slice, "reference", method, peer="corpus_engine.reference.dedup (pure Python)")


# --------------------------------------------------------------------------- peers


def shingle_bytes(docs: List[str], n: int = NGRAM) -> List[List[bytes]]:
    """Character n-gram shingles as UTF-8 bytes (the whole text when shorter than n; none if empty)."""
    out = []
    for t in docs:
        m = len(t)
        if m == 0:
            out.append([])
        elif m < n:
            out.append([t.encode("utf-8")])
        else:
            out.append([t[i : i + n].encode("utf-8") for i in range(m - n + 1)])
    return out


def shingle_strs(docs: List[str], n: int = NGRAM) -> List[List[str]]:
    out = []
    for t in docs:
        m = len(t)
        out.append([] if m == 0 else [t] if m < n else [t[i : i + n] for i in range(m - n + 1)])
    return out


def datasketch_bulk(docs: List[str]):
    from datasketch import MinHash

    return MinHash.bulk(shingle_bytes(docs), num_perm=NUM_PERM)


def datasketch_per_doc(docs: List[str]):
    from datasketch import MinHash

    out = []
    for sh in shingle_bytes(docs):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch(sh)
        out.append(m)
    return out


def rensa_per_doc(docs: List[str]):
    from rensa import RMinHash

    out = []
    for sh in shingle_strs(docs):
        m = RMinHash(NUM_PERM, 0)
        m.update(sh)
        out.append(m)
    return out


def rensa_bulk(docs: List[str]):
    from rensa import RMinHash

    return RMinHash.digest_matrix_from_token_sets(shingle_strs(docs), NUM_PERM, 0)


# ---- NumPy: XXH64 of the shingles (fixed length 4n bytes < 32), bit-identical to the native hashes

_P1 = np.uint64(0x9E3779B185EBCA87)
_P2 = np.uint64(0xC2B2AE3D27D4EB4F)
_P3 = np.uint64(0x165667B19E3779F9)
_P4 = np.uint64(0x85EBCA77C2B2AE63)
_P5 = np.uint64(0x27D4EB2F165667C5)
_M64 = (1 << 64) - 1


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint64(r)) | (x >> np.uint64(64 - r))


def xxh64_windows(cps: np.ndarray, starts: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """XXH64 (seed) of the UTF-32LE bytes of cps[s : s + n] for each start s (4n < 32 bytes)."""
    assert 4 * n < 32
    h = np.full(starts.size, (seed + int(_P5) + 4 * n) & _M64, dtype=np.uint64)
    c = [cps[starts + k].astype(np.uint64) for k in range(n)]
    k = 0
    with np.errstate(over="ignore"):
        while n - k >= 2:  # 8-byte lanes: two code points, little-endian
            lane = c[k] | (c[k + 1] << np.uint64(32))
            k1 = _rotl(lane * _P2, 31) * _P1
            h = _rotl(h ^ k1, 27) * _P1 + _P4
            k += 2
        if k < n:  # one 4-byte lane
            h = _rotl(h ^ (c[k] * _P1), 23) * _P2 + _P3
        h ^= h >> np.uint64(33)
        h *= _P2
        h ^= h >> np.uint64(29)
        h *= _P3
        h ^= h >> np.uint64(32)
    return h


def numpy_shingle_hashes(docs: List[str], n: int = NGRAM, seed: int = 0):
    """(flat uint64 shingle hashes, row offsets): every window of each normalised document;
    a document shorter than n is one shingle (hashed with the xxhash package: rare)."""
    import xxhash

    lens = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    cps = np.frombuffer("".join(docs).encode("utf-32-le"), dtype=np.uint32)
    starts_doc = np.cumsum(lens) - lens
    counts = np.where(lens >= n, lens - n + 1, np.where(lens > 0, 1, 0))
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    total = int(offsets[-1])
    long_ = lens >= n
    # window starts of the long documents, in document order
    doc_of = np.repeat(np.arange(len(docs)), counts)
    starts = starts_doc[doc_of] + (np.arange(total) - offsets[:-1][doc_of])
    out = np.empty(total, dtype=np.uint64)
    win = long_[doc_of]
    pad = np.concatenate([cps, np.zeros(n, dtype=np.uint32)])
    out[win] = xxh64_windows(pad, starts[win], n, seed)
    for i in np.flatnonzero((lens > 0) & ~long_):
        out[offsets[i]] = xxhash.xxh64_intdigest(docs[i].encode("utf-32-le"), seed)
    return out, offsets


def _mix64(z: int) -> int:
    z &= _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def classic_params(num_perm: int = NUM_PERM, seed: int = 0):
    a = np.array([_mix64(seed + 2 * k + 1) | 1 for k in range(num_perm)], dtype=np.uint64)
    b = np.array([_mix64(seed + 2 * k + 2) for k in range(num_perm)], dtype=np.uint64)
    return a, b


def numpy_classic(docs: List[str], chunk: int = 1 << 15) -> np.ndarray:
    """NumPy MinHash: XXH64 shingle hashes, then min over 128 functions (a*h + b) >> 32 per document."""
    h, offsets = numpy_shingle_hashes(docs)
    a, b = classic_params()
    n = len(docs)
    sig = np.full((n, NUM_PERM), 0xFFFFFFFF, dtype=np.uint32)
    nonempty = np.flatnonzero(offsets[1:] > offsets[:-1])
    i = 0
    with np.errstate(over="ignore"):
        while i < nonempty.size:  # groups of whole documents of about `chunk` shingles
            lo = offsets[nonempty[i]]
            j = int(np.searchsorted(offsets[nonempty + 1], lo + chunk, side="right"))
            j = max(j, i + 1)
            grp = nonempty[i:j]
            s, e = offsets[grp[0]], offsets[grp[-1] + 1]
            vals = ((h[s:e, None] * a[None, :] + b[None, :]) >> np.uint64(32)).astype(np.uint32)
            sig[grp] = np.minimum.reduceat(vals, offsets[grp] - s, axis=0)
            i = j
    return sig


def numpy_rensa(docs: List[str]):
    from rensa import RMinHash

    h, offsets = numpy_shingle_hashes(docs)
    return RMinHash.digest_matrix_from_flat_token_hashes(h, offsets.astype(np.uint64), NUM_PERM, 0)


PEERS = {
    # name: (function, needs, big corpus?, description)
    "datasketch-bulk": (datasketch_bulk, "datasketch", False, "datasketch MinHash.bulk"),
    "datasketch-per-doc": (datasketch_per_doc, "datasketch", False, "datasketch MinHash.update_batch per doc"),
    "rensa-per-doc": (rensa_per_doc, "rensa", True, "rensa RMinHash.update per doc"),
    "rensa-bulk": (rensa_bulk, "rensa", True, "rensa RMinHash.digest_matrix_from_token_sets"),
    "numpy-classic": (numpy_classic, None, False, "NumPy XXH64 shingles + min over 128 (a*h+b)>>32"),
    "numpy-rensa": (numpy_rensa, "rensa", True, "NumPy XXH64 shingles -> rensa digest_matrix_from_flat_token_hashes"),
}


@pytest.mark.parametrize("peer", list(PEERS))
def test_sig_peer(benchmark, request, normalized, cache, peer):
    fn, needs, big, desc = PEERS[peer]
    if needs:
        mod, why = _optional(needs)
        if mod is None:
            pytest.skip(f"{why} (install it: pip install {needs})")
    corpus = request.getfixturevalue("sig_corpus" if big else "sig_slice")
    docs = normalized[corpus.name]
    result = benchmark.pedantic(fn, args=(docs,), rounds=peer_rounds() if big else slow_rounds(), warmup_rounds=0,
                                iterations=1)
    if peer == "numpy-classic":
        report_check(benchmark, np.array_equal(result, _native_sig(cache, corpus, "classic")),
                     "NumPy classic vs native classic, bit for bit")
    _sig_record(benchmark, corpus, "peer", "classic" if peer == "numpy-classic" else "", peer=desc)


def test_numpy_shingle_hashes_match_native(sig_slice, normalized):
    """The NumPy XXH64 port gives the native shingle hashes (checked once, not timed)."""
    docs = normalized[sig_slice.name][:300] + ["", "短", "一二三四", "一二三四五"]
    h, offsets = numpy_shingle_hashes(docs)
    native = dedup.MinHasher(ngram=NGRAM).shingles(docs)
    for i, want in enumerate(native):
        got = np.unique(h[offsets[i] : offsets[i + 1]])
        assert np.array_equal(got, np.asarray(want, dtype=np.uint64)), i


# --------------------------------------------------------------------------- LSH insert


def lsh_signatures(n: int, seed: int = 1) -> np.ndarray:
    """Random uint32 signatures; every 10th row is a copy of an earlier one with 8 values changed,
    so that some buckets hold more than one document."""
    rng = np.random.default_rng(seed)
    sig = rng.integers(0, 2**32, size=(n, NUM_PERM), dtype=np.uint32)
    dup = np.arange(10, n, 10)
    src = rng.integers(0, dup, dtype=np.int64)
    sig[dup] = sig[src]
    cols = rng.integers(0, NUM_PERM, size=(dup.size, 8))
    sig[dup[:, None], cols] = rng.integers(0, 2**32, size=cols.shape, dtype=np.uint32)
    return sig


@pytest.fixture(scope="module")
def lsh_sig():
    return lsh_signatures(lsh_docs())


def _lsh_record(benchmark, n, impl, threads="1", peer=""):
    benchmark.group = LSH_GROUP
    info = benchmark.extra_info
    info.update(kernel="lsh_insert", impl=impl, form="batch", threads=threads, peer=peer, docs=n, bytes=0,
                corpus=f"{n} random signatures", bands=BANDS, rows=ROWS,
                threads_used=1 if threads == "1" else dedup._native.max_threads())
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        info["median_s"] = stats.stats.median
        info["docs/s"] = n / stats.stats.median


@pytest.mark.parametrize("threads", ["1", "all"])
def test_lsh_native(benchmark, lsh_sig, threads):
    th = 1 if threads == "1" else None

    def setup():
        return (dedup.LSHIndex(BANDS, ROWS, threads=th),), {}

    benchmark.pedantic(lambda idx: idx.insert(lsh_sig), setup=setup, rounds=5, warmup_rounds=0, iterations=1)
    idx = dedup.LSHIndex(BANDS, ROWS, threads=th)
    idx.insert(lsh_sig)
    q = idx.query(lsh_sig[10:11])[0]
    report_check(benchmark, len(idx) == lsh_sig.shape[0] and 10 in q, "every doc inserted; a copy finds itself")
    _lsh_record(benchmark, lsh_sig.shape[0], "native", threads)


def test_lsh_datasketch(benchmark):
    mod, why = _optional("datasketch")
    if mod is None:
        pytest.skip(why)
    from datasketch import LeanMinHash, MinHashLSH

    n = lsh_peer_docs()
    sig = lsh_signatures(n)
    mh = [LeanMinHash(seed=1, hashvalues=row, scheme="affine32") for row in sig]  # datasketch's default scheme

    def setup():
        return (MinHashLSH(threshold=0.8, num_perm=NUM_PERM, params=(BANDS, ROWS)),), {}

    def insert(lsh):
        with lsh.insertion_session() as s:
            for i, m in enumerate(mh):
                s.insert(i, m, check_duplication=False)
        return lsh

    benchmark.pedantic(insert, setup=setup, rounds=3, warmup_rounds=0, iterations=1)
    _lsh_record(benchmark, n, "peer", peer="datasketch MinHashLSH (insertion_session)")


def test_lsh_rensa(benchmark):
    mod, why = _optional("rensa")
    if mod is None:
        pytest.skip(why)
    from rensa import RMinHash, RMinHashLSH

    n = lsh_docs()
    # rensa's digest matrix cannot be built from a NumPy array: digest random token sets instead
    tokens = np.random.default_rng(2).integers(0, 2**63, size=4 * n, dtype=np.uint64)
    offsets = np.arange(0, 4 * n + 1, 4, dtype=np.uint64)
    matrix = RMinHash.digest_matrix_from_flat_token_hashes(tokens, offsets, NUM_PERM, 0)
    del tokens

    def setup():
        return (RMinHashLSH(0.8, NUM_PERM, BANDS),), {}

    benchmark.pedantic(lambda lsh: lsh.insert_matrix(matrix), setup=setup, rounds=5, warmup_rounds=0, iterations=1)
    _lsh_record(benchmark, n, "peer", peer="rensa RMinHashLSH.insert_matrix")


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def planted(zh_docs):
    idx = dedup_eval.select_originals(zh_docs, len(zh_docs), min_chars=100, seed=0)
    return dedup_eval.plant_duplicates([zh_docs[i] for i in idx], copies=2, seed=0)


@pytest.fixture(scope="module")
def planted_corpus(planted) -> Corpus:
    return _corpus("planted", [d.encode("utf-8") for d in planted.docs])


E2E = [("buffer", "1"), ("list", "1"), ("buffer", "all")]


@pytest.mark.parametrize("form,threads", E2E, ids=[f"{f}-t{t}" for f, t in E2E])
def test_near_duplicates(benchmark, planted, planted_corpus, form, threads):
    th = 1 if threads == "1" else None
    docs = planted_corpus.batch if form == "buffer" else planted_corpus.docs
    keep = benchmark(dedup.near_duplicates, docs, threads=th)
    want = dedup.near_duplicates(planted.docs, threads=1)
    report_check(benchmark, np.array_equal(keep, want), "vs list form, 1 thread")
    r = dedup_eval.evaluate(planted, threads=th)
    benchmark.group = E2E_GROUP
    record(benchmark, planted_corpus, kernel="near_duplicates", impl="native", form=form, threads=threads,
           threads_used=1 if threads == "1" else dedup._native.max_threads(), method="oph",
           originals=planted.n_originals, copies=planted.n_copies, kept=int(keep.sum()),
           recall=r.recall, recall_085=r.recall_085, precision=r.precision, candidates=r.candidates)


def test_near_duplicates_reference(benchmark, planted):
    ref, why = _optional("corpus_engine.reference.dedup")
    if ref is None:
        pytest.skip(why)
    # the pure-Python twin on the first 150 originals and their copies
    keep_orig = planted.original < 150
    sub = list(range(150)) + planted.copy[keep_orig].tolist()
    docs = [planted.docs[i] for i in sub]
    corpus = _corpus("planted-150", [d.encode("utf-8") for d in docs])
    keep = benchmark.pedantic(ref.near_duplicates, args=(docs,), rounds=slow_rounds(), warmup_rounds=0, iterations=1)
    report_check(benchmark, np.array_equal(np.asarray(keep), dedup.near_duplicates(docs, threads=1)),
                 "pure-Python twin vs native keep mask")
    benchmark.group = E2E_GROUP
    record(benchmark, corpus, kernel="near_duplicates", impl="reference", form="list", threads="1", threads_used=1,
           method="oph", peer="corpus_engine.reference.dedup (pure Python)")


# --------------------------------------------------------------------------- tables


def _fmt(x: Optional[float], digits: int = 1) -> str:
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}" if x >= 1 else f"{x:.3g}"


def tables(path: str) -> str:
    """Markdown tables of a --benchmark-json file of this module."""
    data = json.loads(Path(path).read_text())
    rows = [b for b in data["benchmarks"] if b.get("extra_info", {}).get("kernel") in
            ("signatures", "lsh_insert", "near_duplicates")]
    m = data.get("machine_info", {})
    out = [
        f"Machine: {m.get('lscpu_model') or m.get('cpu', {}).get('brand_raw', '?')}, {m.get('cpu_count')} CPUs, "
        f"Python {m.get('python_version')}, NumPy {m.get('numpy')}, {m.get('compiler', '?')}, "
        f"OMP max threads {m.get('omp_max_threads', '?')}; native .so sha256 {m.get('native_sha256', '?')}; "
        f"other processes during the run: {m.get('other_cpu_pct', '?')} % of one core; "
        f"{data.get('datetime', '')[:19]}.",
        "",
    ]

    def name(e):
        method = f" {e['method']}" if e.get("method") else ""
        if e["impl"] == "native":
            return f"native{method}, {e.get('form')}"
        if e["impl"] == "reference":
            return f"pure-Python twin{method} (corpus_engine.reference.dedup)"
        return e.get("peer") or e["impl"]

    def ok(e):
        checks = e.get("checks", [])
        return "MISMATCH" if e.get("mismatch") else ("ok" if checks else "")

    def busy(e):  # CPU used by other processes while the case ran, % of one core
        x = e.get("other_cpu_pct")
        return "-" if x is None else f"{x:.0f}"

    sig = [b for b in rows if b["extra_info"]["kernel"] == "signatures"]
    base = next((b for b in sig if b["extra_info"]["impl"] == "native" and b["extra_info"].get("method") == "oph"
                 and b["extra_info"].get("form") == "buffer" and b["extra_info"].get("threads") == "1"), None)
    base_mbps = base["extra_info"].get("MB/s") if base else None
    out += [f"### {SIG_GROUP}, one thread unless said", "",
            "| implementation | threads | input | MB/s | docs/s | median s | rounds | x native oph 1 thread | check "
            "| other CPU % |",
            "|---|---:|---|---:|---:|---:|---:|---:|---|---:|"]
    for b in sorted(sig, key=lambda b: -b["extra_info"].get("MB/s", 0)):
        e = b["extra_info"]
        ratio = (e["MB/s"] / base_mbps) if base_mbps and e.get("MB/s") else None
        out.append(f"| {name(e)} | {e['threads']} | {e['corpus']} ({e['bytes'] / MB:.1f} MB, {e['docs']} docs) | "
                   f"{_fmt(e.get('MB/s'))} | {_fmt(e.get('docs/s'))} | {b['stats']['median']:.4g} | "
                   f"{b['stats']['rounds']} | {_fmt(ratio, 3)} | {ok(e)} | {busy(e)} |")
    lsh = [b for b in rows if b["extra_info"]["kernel"] == "lsh_insert"]
    lbase = next((b for b in lsh if b["extra_info"]["impl"] == "native" and b["extra_info"]["threads"] == "1"), None)
    out += ["", f"### {LSH_GROUP}, batch insert", "",
            "| implementation | threads | docs | docs/s | median s | rounds | x native 1 thread | other CPU % |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for b in sorted(lsh, key=lambda b: -b["extra_info"].get("docs/s", 0)):
        e = b["extra_info"]
        ratio = e["docs/s"] / lbase["extra_info"]["docs/s"] if lbase and e.get("docs/s") else None
        out.append(f"| {e.get('peer') or 'native LSHIndex.insert'} | {e['threads']} | {e['docs']:,} | "
                   f"{_fmt(e.get('docs/s'))} | {b['stats']['median']:.4g} | {b['stats']['rounds']} | "
                   f"{_fmt(ratio, 3)} | {busy(e)} |")
    e2e = [b for b in rows if b["extra_info"]["kernel"] == "near_duplicates"]
    out += ["", f"### {E2E_GROUP} (real text + planted copies; threshold 0.8, 128 values, 16 x 8, OPH)", "",
            "| implementation | threads | input | MB/s | docs/s | median s | rounds | recall (J >= 0.8) | precision "
            "| check | other CPU % |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for b in sorted(e2e, key=lambda b: -b["extra_info"].get("MB/s", 0)):
        e = b["extra_info"]
        rec = "-" if e.get("recall") is None else f"{e['recall']:.4f}"
        prec = "-" if e.get("precision") is None else f"{e['precision']:.4f}"
        out.append(f"| {name(e)} | {e['threads']} | {e['corpus']} ({e['bytes'] / MB:.1f} MB, {e['docs']} docs) | "
                   f"{_fmt(e.get('MB/s'))} | {_fmt(e.get('docs/s'))} | {b['stats']['median']:.4g} | "
                   f"{b['stats']['rounds']} | {rec} | {prec} | {ok(e)} | {busy(e)} |")
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python benchmarks/bench_dedup.py RESULTS.json")
    print(tables(sys.argv[1]))
