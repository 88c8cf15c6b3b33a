"""Determinism and invariance of the dedup engine: the same signatures, band keys, candidate
pairs and keep masks with 1 or 2 threads (on inputs large enough to take the parallel paths),
and near_duplicates on a permuted document order gives the permuted result when keep="score"
with distinct scores."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import TextBatch, _import, assert_same_result, flatten
from test_dedup_differential import examples, near_dup_docs

D = _import("corpus_engine.dedup")
native = _import("corpus_engine._native")
from corpus_engine.reference import dedup as R  # noqa: E402

FIELDS = ("keep", "reason", "kept_as", "pairs", "jaccard", "lengths")


def _same_info(a, b, what):
    for f in FIELDS:
        assert_same_result(getattr(a, f), getattr(b, f), f"{what}: {f}")


@pytest.fixture(scope="module")
def corpus(clean_zh):
    """Every clean document (about 40k, 5.6M characters) plus planted copies."""
    docs = flatten(clean_zh)
    rng = np.random.default_rng(0)
    long_ids = [i for i, d in enumerate(docs) if len(d) >= 200]
    extra = []
    for i in rng.choice(long_ids, 300, replace=False):
        d = docs[i]
        k = int(rng.integers(0, len(d)))
        extra.append(d[:k] + "的" + d[k + 1 :])
    return docs + extra


def test_real_corpus_threads(simd_level, corpus):
    """The whole corpus: > 16384 docs (parallel band keys), > 1024 (parallel candidates)."""
    h = D.MinHasher()
    s1, l1 = h.signatures_and_lengths(corpus, threads=1)
    s2, l2 = h.signatures_and_lengths(corpus, threads=2)
    assert_same_result(s2, s1, "signatures")
    assert_same_result(l2, l1, "lengths")
    assert_same_result(h.exact_keys(corpus, threads=2), h.exact_keys(corpus, threads=1), "exact keys")
    k1 = D.LSHIndex(16, 8, threads=1).band_keys(s1)
    assert_same_result(D.LSHIndex(16, 8, threads=2).band_keys(s1), k1, "band keys")
    active = (l1 > 0).view(np.uint8)
    assert_same_result(native.dedup_candidates(k1, active, 2), native.dedup_candidates(k1, active, 1), "candidates")
    r1 = D.near_duplicates(corpus, threads=1, return_info=True)
    r2 = D.near_duplicates(corpus, threads=2, return_info=True)
    _same_info(r2, r1, "near_duplicates")
    assert r1.counts["near"] >= 250 and r1.counts["exact"] > 0, r1.counts
    batch = TextBatch.from_strings(corpus)
    _same_info(D.near_duplicates(batch, threads=2, return_info=True), r1, "near_duplicates(TextBatch)")


def test_real_corpus_classic_threads(corpus):
    h = D.MinHasher(num_perm=64, method="classic", ngram=3)
    sub = corpus[::4]
    assert_same_result(h.signatures(sub, threads=2), h.signatures(sub, threads=1), "classic signatures")
    # A sample against the reference (the whole corpus would take the reference minutes).
    sample = sub[::200]
    assert_same_result(h.signatures(sample, threads=2), R.MinHasher(num_perm=64, method="classic", ngram=3)
                       .signatures(sample), "classic vs reference")


def test_band_keys_and_candidates_large_vs_reference(simd_level):
    """17000 signatures: the parallel band-key blocks and candidate bands against the reference."""
    rng = np.random.default_rng(11)
    sig = rng.integers(0, 3, size=(17000, 6)).astype(np.uint32)  # values from {0, 1, 2}: big buckets
    want_keys = R.band_keys(sig, 3, 2)
    for threads in (1, 2):
        keys = D.LSHIndex(3, 2, threads=threads).band_keys(sig)
        assert_same_result(keys, want_keys, f"band keys threads={threads}")
    active = rng.random(17000) < 0.95
    want = R.candidate_pairs(want_keys, active)
    for threads in (1, 2):
        got = native.dedup_candidates(want_keys, active.view(np.uint8), threads)
        assert_same_result(got, want, f"candidates threads={threads}")
    # Random 32-bit values with a few planted equal bands: mostly singleton buckets.
    sig = rng.integers(0, 1 << 32, size=(3000, 8), dtype=np.uint64).astype(np.uint32)
    sig[1500:1600, :4] = sig[0, :4]
    sig[2000:2010, 4:] = sig[1, 4:]
    keys = R.band_keys(sig, 2, 4)
    want = R.candidate_pairs(keys)
    assert want.shape[0] == 100 + 99 + 10 * 11 // 2  # star + chain of 101, all pairs of 11
    assert_same_result(native.dedup_candidates(keys, np.ones(3000, dtype=np.uint8), 2), want, "planted buckets")


def test_lsh_index_threads():
    """More than 4096 inserts and 1024 queries: the parallel paths give the same answers."""
    rng = np.random.default_rng(4)
    sig = rng.integers(0, 6, size=(6000, 8)).astype(np.uint32)
    ids = rng.permutation(1_000_000)[:6000]
    q = rng.integers(0, 6, size=(1500, 8)).astype(np.uint32)
    answers = []
    for threads in (1, 2):
        index = D.LSHIndex(4, 2, threads=threads)
        index.insert(sig[:5000], ids[:5000])
        index.insert(sig[5000:], ids[5000:])
        assert len(index) == 6000
        answers.append([a.tolist() for a in index.query(q)])
    assert answers[0] == answers[1]
    ref = R.LSHIndex(4, 2)
    ref.insert(sig, ids)
    assert [a.tolist() for a in ref.query(q[:200])] == answers[0][:200]


@settings(max_examples=examples(40))
@given(docs=near_dup_docs(), data=st.data())
def test_permutation_invariance(docs, data):
    """keep="score" with distinct scores: permuting the documents permutes the result. (Every
    bucket here holds at most 32 documents, so the candidate pairs are order-free too.)"""
    n = len(docs)
    scores = np.array(data.draw(st.permutations(range(n))), dtype=np.float64) * 0.5 - 3
    perm = np.array(data.draw(st.permutations(range(n))), dtype=np.int64)
    pdocs = [docs[i] for i in perm]
    kw = dict(keep="score", threshold=data.draw(st.sampled_from([0.3, 0.5, 0.8])), exact=data.draw(st.booleans()),
              num_perm=32, bands=8, rows=4)
    base = D.near_duplicates(docs, scores=scores, threads=1, return_info=True, **kw)
    for impl, threads in ((D, 1), (D, 2), (R, None)):
        r = impl.near_duplicates(pdocs, scores=scores[perm], threads=threads, return_info=True, **kw)
        if impl is R:
            _same_info(R.near_duplicates(docs, scores=scores, return_info=True, **kw), base, "reference")
        assert (r.keep == base.keep[perm]).all()
        assert (r.reason == base.reason[perm]).all()
        assert (perm[r.kept_as] == base.kept_as[perm]).all()
        assert (r.lengths == base.lengths[perm]).all()
        got_pairs = {(min(perm[x], perm[y]), max(perm[x], perm[y])): j for (x, y), j in zip(r.pairs.tolist(),
                                                                                          r.jaccard.tolist())}
        assert got_pairs == {(x, y): j for (x, y), j in zip(base.pairs.tolist(), base.jaccard.tolist())}
        assert sorted(pdocs[i] for i in np.flatnonzero(r.keep)) == sorted(docs[i] for i in np.flatnonzero(base.keep))


@settings(max_examples=examples(20))
@given(docs=near_dup_docs(), keep=st.sampled_from(["first", "longest", "score"]))
def test_threads_same_mask_small(docs, keep):
    docs = docs * 4  # > 64 documents: the parallel document loops run
    scores = np.arange(len(docs), dtype=np.float64) % 7 if keep == "score" else None
    a = D.near_duplicates(docs, keep=keep, scores=scores, threads=1, return_info=True)
    b = D.near_duplicates(docs, keep=keep, scores=scores, threads=2, return_info=True)
    _same_info(b, a, f"threads keep={keep}")


@pytest.mark.parametrize("threads", [1, 2])
def test_lsh_index_large_batches(threads):
    """Batches of 32,768 documents or more are inserted partition by partition (csrc/dedup/lsh_index.cpp);
    the answers equal the reference twin's, with buckets of many documents (few distinct values), a second
    large batch into a table that already holds one, and a small batch after that."""
    rng = np.random.default_rng(8)
    n = 90_000
    sig = rng.integers(0, 1 << 32, size=(n, 16), dtype=np.uint64).astype(np.uint32)
    sig[::7, :2] = rng.integers(0, 40, size=(len(sig[::7]), 2))  # band 0 of every 7th doc: 1,600 keys
    sig[::5, 14:] = 3  # band 7 of every 5th doc: one bucket of 18,000
    sig[100::1000] = 0xFFFFFFFF  # empty: skipped
    ids = rng.permutation(10 * n)[:n]
    batches = [(0, 50_000), (50_000, 89_000), (89_000, n)]
    index, ref = D.LSHIndex(8, 2, threads=threads), R.LSHIndex(8, 2)
    for lo, hi in batches:
        index.insert(sig[lo:hi], ids[lo:hi])
        ref.insert(sig[lo:hi], ids[lo:hi])
    assert len(index) == len(ref) == n - 90
    q = np.concatenate([sig[rng.integers(0, n, 300)], sig[:7], sig[100:101]])
    got, want = index.query(q), ref.query(q)
    assert [g.tolist() for g in got] == [w.tolist() for w in want]
    assert max(len(g) for g in got) > 17_000 and got[-1].size == 0
