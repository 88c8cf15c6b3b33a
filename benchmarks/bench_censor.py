"""Throughput of the censor matcher: per-category counting of every (overlapping) lexicon hit.

Run (pytest-benchmark; the timings are medians, nothing is asserted on them)::

    PYTHONPATH=. python -m pytest benchmarks -k bench_censor --benchmark-json=/tmp/censor.json
    PYTHONPATH=. python benchmarks/bench_censor.py /tmp/censor.json   # markdown table

(Name the folder, not the file: benchmarks/conftest.py collects ``bench_*.py`` itself.)

Lexicon: NKCorpus's ``lexicon/nkcorpus-blacklist/latest.txt`` (6,126 entries, 6,116 distinct
normalised words, 6 categories). Text: the default benchmark corpus of benchmarks/conftest.py (real
Chinese: the clean_zh/tencentpretrain zhwiki and CLUECorpusSmall samples plus the 100 raw c4 web
documents, shuffled, repeated to CORPUS_ENGINE_BENCH_MB, default 32 MB); the pure-Python twin runs on
the every-k-th slice (CORPUS_ENGINE_BENCH_REF_MB, default 4 MB). MB/s is decimal MB of UTF-8 input
per second.

Every implementation produces the same thing: the (n, 6) matrix of per-category hit counts, with the
ASCII word-boundary rule of docs/censor.md applied; each result is checked against native (one
thread, buffer form) outside the timed calls.

- native ``censor.Matcher.scan`` (buffer and list[str] forms, one thread and all threads; one
  thread at the scalar SIMD level; one thread with spans);
- the pure-Python twin ``corpus_engine.reference.censor`` (dict-of-dicts trie, on the slice);
- pyahocorasick: ``Automaton.iter`` over each normalised document, per-category counts and the
  boundary rule in Python;
- ahocorasick-rs (DFA, ``MatchKind.Standard``, ``find_matches_as_indexes(overlapping=True)``):
  per document with the same counting in Python; ``BytesAhoCorasick`` in one call over the whole
  normalised UTF-8 buffer with the matches mapped to documents, the boundary rule and the counts in
  NumPy (its best use); and, as the peer's floor, the per-document match lists alone (no counting).

The peers get the normalised text (corpus_engine's normalisation, not timed); native times include
its own decoding and normalisation. This favours the peers.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import List, Optional

import numpy as np
import pytest

from _bench_util import MB, Corpus, data_dir, peer_rounds, record, report_check, slow_rounds


import corpus_engine.censor as censor  # noqa: E402
from corpus_engine import _native  # noqa: E402
from corpus_engine import text as native_text  # noqa: E402
from corpus_engine.censor_lexicon import Lexicon  # noqa: E402
from corpus_engine.reference import censor as reference  # noqa: E402

GROUP = "censor: per-category hits, latest.txt"
LEXICON = "lexicon/nkcorpus-blacklist/latest.txt"

# The targets and the peer figures it quotes (MB/s, one core).
TARGET_1T = 500.0
TARGET_SCALING = 1.7
QUOTED_PEERS = {"pyahocorasick": 9.7, "ahocorasick-rs": 165.0}


def _optional(name: str):
    try:
        return importlib.import_module(name), None
    except Exception as exc:  # ImportError, or a broken install
        return None, f"{name} not importable: {type(exc).__name__}: {exc}"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    path = data_dir() / LEXICON
    if not path.is_file():
        pytest.skip(f"{path} not found (set CORPUS_ENGINE_DATA)")
    return Lexicon.load(path)


@pytest.fixture(scope="module")
def matcher(lexicon):
    return censor.Matcher(lexicon)


@pytest.fixture(scope="module")
def normalized(lexicon, corpus, ref_slice):
    """The normalised text the peers scan (not timed)."""
    return {c.name: [lexicon.normalize(d) for d in c.docs] for c in (corpus, ref_slice)}


@pytest.fixture(scope="module")
def anchor(matcher, corpus, ref_slice):
    """Native hits, buffer form, one thread: what every other result must equal."""
    return {c.name: matcher.scan(c.batch, threads=1).hits for c in (corpus, ref_slice)}


def _word_tables(lexicon):
    """Per word: its category indices, whether its first / last character is an ASCII letter or digit."""
    C = len(lexicon.categories)
    cats = [tuple(c for c in range(C) if m >> c & 1) for m in lexicon.word_categories]
    first = [reference.is_ascii_alnum(w[0]) for w in lexicon.words]
    last = [reference.is_ascii_alnum(w[-1]) for w in lexicon.words]
    return cats, first, last


def _version(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:  # noqa: BLE001 - only a label
        return "?"


def _record(benchmark, corpus: Corpus, impl: str, form: str, threads: str, peer: str = "", **meta):
    benchmark.group = GROUP
    record(benchmark, corpus, kernel="censor", impl=impl, form=form, threads=threads,
           threads_used=1 if threads == "1" else _native.max_threads(), peer=peer, **meta)


# --------------------------------------------------------------------------- native

NATIVE = [("buffer", "1", "auto", False), ("buffer", "all", "auto", False), ("list", "1", "auto", False),
          ("list", "all", "auto", False), ("buffer", "1", "scalar", False), ("buffer", "1", "auto", True)]


@pytest.mark.parametrize("form,threads,level,spans", NATIVE,
                         ids=[f"{f}-t{t}-{lv}{'-spans' if s else ''}" for f, t, lv, s in NATIVE])
def test_native(benchmark, matcher, corpus, ref_slice, anchor, form, threads, level, spans):
    th = 1 if threads == "1" else None
    docs = corpus.batch if form == "buffer" else corpus.docs
    before = native_text.simd_level()
    if level != "auto":
        native_text.set_simd_level(level)
    try:
        active = native_text.simd_level()
        result = benchmark(lambda: matcher.scan(docs, spans=spans, threads=th))
    finally:
        native_text.set_simd_level(before)
    report_check(benchmark, np.array_equal(result.hits, anchor[corpus.name]), "vs native buffer 1 thread")
    if form == "buffer" and threads == "1" and level == "auto" and not spans:
        want = reference.Matcher(matcher.lexicon).scan(ref_slice.docs)
        got = matcher.scan(ref_slice.batch, threads=1)
        ok = all(np.array_equal(getattr(got, f), getattr(want, f)) for f in ("hits", "distinct", "covered", "length"))
        report_check(benchmark, ok, "native vs pure-Python twin on the reference slice")
    _record(benchmark, corpus, "native", form, threads, simd=active, spans=spans, words=len(matcher.lexicon.words))


# --------------------------------------------------------------------------- pure-Python twin


def test_reference(benchmark, lexicon, ref_slice, anchor):
    m = reference.Matcher(lexicon)
    result = benchmark.pedantic(m.scan, args=(ref_slice.docs,), rounds=slow_rounds(), warmup_rounds=0, iterations=1)
    report_check(benchmark, np.array_equal(result.hits, anchor[ref_slice.name]), "vs native buffer 1 thread")
    _record(benchmark, ref_slice, "reference", "list", "1")


# --------------------------------------------------------------------------- peers


def pyahocorasick_counts(automaton, texts: List[str], tables, C: int) -> np.ndarray:
    cats, first, last = tables
    alnum = reference.is_ascii_alnum
    out = np.zeros((len(texts), C), dtype=np.int64)
    for i, t in enumerate(texts):
        row = [0] * C
        n = len(t)
        for end, (wi, length) in automaton.iter(t):
            if first[wi] and end - length >= 0 and alnum(t[end - length]):
                continue
            if last[wi] and end + 1 < n and alnum(t[end + 1]):
                continue
            for c in cats[wi]:
                row[c] += 1
        out[i] = row
    return out


def test_pyahocorasick(benchmark, lexicon, corpus, normalized, anchor):
    ahocorasick, why = _optional("ahocorasick")
    if ahocorasick is None:
        pytest.skip(why + " (pip install pyahocorasick)")
    A = ahocorasick.Automaton()
    for wi, w in enumerate(lexicon.words):
        A.add_word(w, (wi, len(w)))
    A.make_automaton()
    tables, C = _word_tables(lexicon), len(lexicon.categories)
    texts = normalized[corpus.name]
    result = benchmark.pedantic(pyahocorasick_counts, args=(A, texts, tables, C), rounds=peer_rounds(),
                                warmup_rounds=0, iterations=1)
    report_check(benchmark, np.array_equal(result, anchor[corpus.name]), "vs native buffer 1 thread")
    _record(benchmark, corpus, "peer", "list (normalised)", "1",
            peer=f"pyahocorasick {_version('pyahocorasick')} Automaton.iter + counting in Python")


def rs_counts(ac, texts: List[str], tables, C: int) -> np.ndarray:
    cats, first, last = tables
    alnum = reference.is_ascii_alnum
    out = np.zeros((len(texts), C), dtype=np.int64)
    for i, t in enumerate(texts):
        row = [0] * C
        n = len(t)
        for wi, s, e in ac.find_matches_as_indexes(t, overlapping=True):
            if first[wi] and s > 0 and alnum(t[s - 1]):
                continue
            if last[wi] and e < n and alnum(t[e]):
                continue
            for c in cats[wi]:
                row[c] += 1
        out[i] = row
    return out


def rs_matches_only(ac, texts: List[str]) -> int:
    total = 0
    for t in texts:
        total += len(ac.find_matches_as_indexes(t, overlapping=True))
    return total


def _rs_automaton(lexicon):
    rs, why = _optional("ahocorasick_rs")
    if rs is None:
        pytest.skip(why + " (pip install ahocorasick-rs)")
    ac = rs.AhoCorasick(lexicon.words, matchkind=rs.MatchKind.Standard, implementation=rs.Implementation.DFA)
    return ac, _version("ahocorasick-rs")


_ALNUM = np.zeros(256, dtype=bool)
for _c in b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _ALNUM[_c] = True


def rs_bytes_counts(ac, buf: bytes, offsets: np.ndarray, catm: np.ndarray, first: np.ndarray,
                    last: np.ndarray) -> np.ndarray:
    """One call over the whole normalised UTF-8 buffer; matches mapped to documents, the boundary
    rule applied and the counts made in NumPy (matches across a document boundary dropped)."""
    m = np.array(ac.find_matches_as_indexes(buf, overlapping=True), dtype=np.int64).reshape(-1, 3)
    w, s, e = m[:, 0], m[:, 1], m[:, 2]
    n = offsets.size - 1
    doc = np.searchsorted(offsets, s, side="right") - 1
    lo, hi = offsets[doc], offsets[doc + 1]
    b = np.frombuffer(buf, dtype=np.uint8)
    prev = (s > lo) & _ALNUM[b[np.maximum(s - 1, 0)]]
    nxt = (e < hi) & _ALNUM[b[np.minimum(e, b.size - 1)]]
    ok = (e <= hi) & ~(first[w] & prev) & ~(last[w] & nxt)
    doc, w = doc[ok], w[ok]
    out = np.empty((n, catm.shape[1]), dtype=np.int64)
    for c in range(catm.shape[1]):
        out[:, c] = np.bincount(doc, weights=catm[w, c], minlength=n)
    return out


@pytest.mark.parametrize("mode", ["counting", "bytes-buffer", "matches-only"])
def test_ahocorasick_rs(benchmark, lexicon, corpus, normalized, anchor, mode):
    ac, version = _rs_automaton(lexicon)
    texts = normalized[corpus.name]
    if mode == "bytes-buffer":
        rs = importlib.import_module("ahocorasick_rs")
        bac = rs.BytesAhoCorasick([w.encode("utf-8") for w in lexicon.words], matchkind=rs.MatchKind.Standard,
                                  implementation=rs.Implementation.DFA)
        enc = [t.encode("utf-8") for t in texts]
        offsets = np.zeros(len(enc) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in enc], out=offsets[1:])
        buf = b"".join(enc)
        cats, first, last = _word_tables(lexicon)
        catm = np.zeros((len(cats), len(lexicon.categories)), dtype=np.int64)
        for wi, cs in enumerate(cats):
            catm[wi, list(cs)] = 1
        result = benchmark.pedantic(rs_bytes_counts, args=(bac, buf, offsets, catm, np.array(first), np.array(last)),
                                    rounds=peer_rounds(), warmup_rounds=1, iterations=1)
        report_check(benchmark, np.array_equal(result, anchor[corpus.name]), "vs native buffer 1 thread")
        peer = (f"ahocorasick-rs {version} BytesAhoCorasick DFA, one call over the normalised UTF-8 buffer, "
                "counting in NumPy")
    elif mode == "counting":
        tables, C = _word_tables(lexicon), len(lexicon.categories)
        result = benchmark.pedantic(rs_counts, args=(ac, texts, tables, C), rounds=peer_rounds(), warmup_rounds=1,
                                    iterations=1)
        report_check(benchmark, np.array_equal(result, anchor[corpus.name]), "vs native buffer 1 thread")
        peer = f"ahocorasick-rs {version} DFA, overlapping matches + counting in Python"
    else:
        total = benchmark.pedantic(rs_matches_only, args=(ac, texts), rounds=peer_rounds(), warmup_rounds=1,
                                   iterations=1)
        # the raw matches ignore the boundary rule: at least as many as native's hits
        report_check(benchmark, total >= int(anchor[corpus.name].sum()), "raw matches >= native hits")
        benchmark.extra_info["raw_matches"] = total
        peer = f"ahocorasick-rs {version} DFA, overlapping match lists only (no counting, no boundary rule)"
    _record(benchmark, corpus, "peer", "list (normalised)", "1", peer=peer)


# --------------------------------------------------------------------------- table


def _fmt(x: Optional[float], digits: int = 1) -> str:
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}" if x >= 1 else f"{x:.3g}"


def _name(e) -> str:
    if e["impl"] == "native":
        return f"native Matcher.scan, {e['form']}" + (" (spans=True)" if e.get("spans") else "")
    if e["impl"] == "reference":
        return "pure-Python twin (corpus_engine.reference.censor)"
    return e.get("peer") or e["impl"]


def tables(path: str) -> str:
    """Markdown table of a --benchmark-json file of this module."""
    data = json.loads(Path(path).read_text())
    rows = [b for b in data["benchmarks"] if b.get("extra_info", {}).get("kernel") == "censor"]
    m = data.get("machine_info", {})
    out = [
        f"Machine: {m.get('lscpu_model') or m.get('cpu', {}).get('brand_raw', '?')}, {m.get('cpu_count')} CPUs, "
        f"Python {m.get('python_version')}, NumPy {m.get('numpy')}, {m.get('compiler', '?')}, "
        f"OMP max threads {m.get('omp_max_threads', '?')}, SIMD {m.get('simd_default', '?')}; native .so sha256 "
        f"{m.get('native_sha256', '?')}; other processes during the run: {m.get('other_cpu_pct', '?')} % of one "
        f"core; {data.get('datetime', '')[:19]}.",
        "",
        f"### {GROUP} (6,116 words, 6 categories)",
        "",
        "| implementation | threads | SIMD | input | MB/s | docs/s | median s | rounds | x native buffer 1 thread "
        "| check | other CPU % |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---|---:|",
    ]

    def find(**kw):
        return next((b for b in rows if all(b["extra_info"].get(k) == v for k, v in kw.items())), None)

    base = find(impl="native", form="buffer", threads="1", spans=False, simd=m.get("simd_default"))
    base = base or find(impl="native", form="buffer", threads="1", spans=False)
    base_mbps = base["extra_info"].get("MB/s") if base else None
    for b in sorted(rows, key=lambda b: -b["extra_info"].get("MB/s", 0)):
        e = b["extra_info"]
        ratio = e["MB/s"] / base_mbps if base_mbps and e.get("MB/s") else None
        check = "MISMATCH" if e.get("mismatch") else ("ok" if e.get("checks") else "")
        busy = "-" if e.get("other_cpu_pct") is None else f"{e['other_cpu_pct']:.0f}"
        threads = e["threads"] if e["threads"] == "1" else f"all ({e.get('threads_used')})"
        out.append(f"| {_name(e)} | {threads} | {e.get('simd', '-')} | {e['corpus']} ({e['bytes'] / MB:.1f} MB, {e['docs']:,} docs) | "
                   f"{_fmt(e.get('MB/s'))} | {_fmt(e.get('docs/s'))} | {b['stats']['median']:.4g} | "
                   f"{b['stats']['rounds']} | {_fmt(ratio, 3)} | {check} | {busy} |")
    out += ["", "Targets (issue) and quoted peers:", ""]
    if base_mbps:
        out.append(f"- native, buffer, 1 core: {_fmt(base_mbps)} MB/s (target >= {TARGET_1T:.0f}: "
                   f"{'met' if base_mbps >= TARGET_1T else 'NOT met'})")
        allt = find(impl="native", form="buffer", threads="all", spans=False)
        if allt and allt["extra_info"].get("MB/s"):
            used = allt["extra_info"].get("threads_used")
            s = allt["extra_info"]["MB/s"] / base_mbps
            goal = f"target >= {TARGET_SCALING}x at 2 threads" if used == 2 else f"{used} threads"
            out.append(f"- native, buffer, all threads ({used}): {s:.2f}x one thread ({goal})")
    for key, quoted in QUOTED_PEERS.items():
        counting = [b["extra_info"].get("MB/s") or 0 for b in rows
                    if (b["extra_info"].get("peer") or "").startswith(key + " ")
                    and "counting" in b["extra_info"]["peer"] and "no counting" not in b["extra_info"]["peer"]]
        got = max(counting) if counting else None
        out.append(f"- {key}, fastest variant with per-category counting: {_fmt(got)} MB/s here; "
                   f"the issue quotes {quoted} MB/s")
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python benchmarks/bench_censor.py RESULTS.json")
    print(tables(sys.argv[1]))
