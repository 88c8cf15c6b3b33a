"""Hand-written semantics of docs/dedup.md, pinned for both implementations: the native
engine (at every SIMD level) and the pure-Python twin."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import SIMD_LEVELS, _import, text

D = _import("corpus_engine.dedup")
from corpus_engine.reference import dedup as R  # noqa: E402

NANKAI = "南开大学位于天津市，是一所综合性研究型大学，创建于一九一九年。"
OTHER = "完全不同的另一篇文章，讲的是别的事情，没有什么相似之处。"


@pytest.fixture(params=["reference"] + [f"native-{lv}" for lv in SIMD_LEVELS])
def dd(request):
    """The dedup module: the reference twin, then native at each SIMD level."""
    if request.param == "reference":
        yield R
        return
    prev = text.simd_level()
    text.set_simd_level(request.param.split("-", 1)[1])
    try:
        yield D
    finally:
        text.set_simd_level(prev)


# ---------------------------------------------------------------------------
# Normalisation


def test_normalisation_folds_and_drops(dd):
    h = dd.MinHasher()
    assert h.normalize(["ＡＢＣ abc，。！Hello\u3000World\t\u200b\x00\ufffd（注）"]) == ["abcabchelloworld注"]
    assert h.normalize(["ＡＢＣ", "Ａｂｃ", "aBC", "a b\nc", "a,b.c!"]) == ["abc"] * 5
    assert h.normalize(["", " \u3000\t，。"]) == ["", ""]
    assert h.normalize(["ÀÉ"]) == ["ÀÉ"], "case folding is ASCII only"
    assert h.normalize(["＋＝￥"]) == ["+=￥"], "U+FF01-U+FF5E fold; U+FFE5 does not"


def test_normalisation_switches(dd):
    s = "ＡＢ　cD，e"
    assert dd.MinHasher(fold_width=False).normalize([s]) == ["ＡＢcde"]
    assert dd.MinHasher(fold_case=False).normalize([s]) == ["ABcDe"]
    assert dd.MinHasher(drop_space=False).normalize([s]) == ["ab cde"]
    assert dd.MinHasher(drop_punct=False).normalize([s]) == ["abcd,e"]
    assert dd.MinHasher(fold_width=False, drop_space=False, drop_punct=False).normalize([s]) == ["ＡＢ\u3000cd，e"]


@pytest.mark.parametrize("kind", ["latin1", "ucs2", "ucs4"])
def test_normalisation_of_long_str_of_each_kind(dd, kind):
    """str of each internal width, longer than the 16-unit SIMD blocks, with a lone surrogate (ill-formed,
    replaced) past the first blocks: the same text from every implementation, with and without drops."""
    extra = {"latin1": "ÀÉü\xa0", "ucs2": "南开大学ＡＢ，\u3000", "ucs4": "南\U00020000\U0002A6DF开"}[kind]
    base = ("Hello, World ABC xyz 0123456789 " + extra) * 3
    docs = [base, base * 5]
    if kind != "latin1":
        docs += [base + "\ud800" + base, base * 2 + "\udfff"]
    for drops in (True, False):
        h = dd.MinHasher(drop_space=drops, drop_punct=drops)
        got = h.normalize(docs)
        want = R.MinHasher(drop_space=drops, drop_punct=drops).normalize(docs)
        assert got == want


def test_invalid_utf8(dd):
    from corpus_engine.batch import TextBatch

    batch = TextBatch.from_bytes([b"ab\xffcd", b"\xe4\xb8", "一二".encode()])
    assert dd.MinHasher(drop_space=False).normalize(batch) == ["ab\ufffdcd", "\ufffd", "一二"]
    assert dd.MinHasher(drop_space=False, errors="drop").normalize(batch) == ["abcd", "", "一二"]
    assert dd.MinHasher().normalize(batch) == ["abcd", "", "一二"]
    assert dd.MinHasher(drop_space=False).normalize(["a\ud800b"]) == ["a\ufffdb"]


# ---------------------------------------------------------------------------
# Shingles, signatures, Jaccard


def test_jaccard_values(dd):
    assert dd.jaccard(NANKAI, NANKAI) == 1.0
    assert dd.jaccard(NANKAI, "ＡＢＣＤＥＦＧ hijk") == 0.0
    assert dd.jaccard("", "") == 1.0
    assert dd.jaccard("", NANKAI) == 0.0
    assert dd.jaccard("abcdef", "abcdeg") == 1 / 3  # {abcde, bcdef} vs {abcde, bcdeg}
    assert dd.jaccard("ab", "ab!") == 1.0  # shorter than the n-gram: one shingle, the whole text
    assert dd.jaccard("ab", "abc") == 0.0
    assert dd.jaccard("ABCDEF", "ａｂｃ ｄｅｆ") == 1.0
    assert dd.jaccard("ab cd", "abcd", drop_space=False) == 0.0
    assert dd.jaccard("aaaaaaa", "aaaaa") == 1.0  # sets, not multisets
    assert dd.jaccard("abcdef", "abcdeg", ngram=1) == 5 / 7


def test_shingle_counts(dd):
    h = dd.MinHasher(ngram=3)
    sh = h.shingles(["", "a", "ab", "abc", "abcd", "abab ab", "一二三四五"])
    assert [s.size for s in sh] == [0, 1, 1, 1, 2, 2, 3]
    assert all(s.dtype == np.uint64 and (np.diff(s.astype(np.float64)) > 0).all() for s in sh)


def test_empty_signature(dd):
    h = dd.MinHasher(num_perm=16)
    sig, lengths = h.signatures_and_lengths(["", "，。 ", "a"])
    assert sig.dtype == np.uint32 and sig.shape == (3, 16)
    assert (sig[:2] == 0xFFFFFFFF).all()
    assert lengths.tolist() == [0, 0, 1]
    assert (sig[2] != 0xFFFFFFFF).any()


def test_one_shingle_oph_fills_every_bin(dd):
    """One shingle fills one bin; densification copies its value everywhere."""
    for k in (1, 7, 256):
        sig = dd.MinHasher(num_perm=k, method="oph").signatures(["a"])
        assert len(set(sig[0].tolist())) == 1
        h = R.xxh64("a".encode("utf-32-le"), 0)
        assert sig[0, 0] == h & 0xFFFFFFFF


def test_classic_values(dd):
    """classic: value k = min over shingles of (a_k * h + b_k) >> 32, a_k = mix64(seed+2k+1)|1, b_k = mix64(seed+2k+2)."""
    seed = 12345
    sig = dd.MinHasher(num_perm=5, ngram=2, seed=seed, method="classic").signatures(["abc"])
    hs = [R.xxh64(s.encode("utf-32-le"), seed) for s in ("ab", "bc")]
    m = (1 << 64) - 1
    want = []
    for k in range(5):
        a, b = R.mix64(seed + 2 * k + 1) | 1, R.mix64(seed + 2 * k + 2)
        want.append(min(((a * h + b) & m) >> 32 for h in hs))
    assert sig[0].tolist() == want


def test_similar_signatures_estimate_jaccard(dd):
    """Signature agreement estimates the Jaccard similarity (sanity, loose bound)."""
    a = NANKAI * 3
    b = a.replace("天津", "北京")
    for method in ("oph", "classic"):
        sig = dd.MinHasher(num_perm=256, method=method).signatures([a, b, OTHER])
        j = dd.jaccard(a, b)
        assert abs((sig[0] == sig[1]).mean() - j) < 0.15
        assert (sig[0] == sig[2]).mean() < 0.1


def test_exact_keys(dd):
    keys = dd.MinHasher(seed=3).exact_keys(["Hello, World", "hello world", "ＨＥＬＬＯ　ＷＯＲＬＤ！", "hello"])
    assert keys.dtype == np.uint64 and keys.shape == (4, 2)
    assert (keys[0] == keys[1]).all() and (keys[0] == keys[2]).all() and (keys[0] != keys[3]).all()
    u = "helloworld".encode("utf-32-le")
    assert keys[0].tolist() == [R.xxh64(u, 3), R.xxh64(u, 3 ^ 0x5BD1E995)]


# ---------------------------------------------------------------------------
# near_duplicates


def test_docstring_example(dd):
    assert dd.near_duplicates([NANKAI, NANKAI + "！", OTHER]).tolist() == [True, False, True]


def test_exact_duplicates_reason_and_kept_as(dd):
    docs = ["Hello, World!", "hello world", "ＨＥＬＬＯ　ＷＯＲＬＤ！", NANKAI, "Hello World"]
    r = dd.near_duplicates(docs, return_info=True)
    assert r.keep.tolist() == [True, False, False, True, False]
    assert r.reason.tolist() == [dd.KEPT, dd.EXACT, dd.EXACT, dd.KEPT, dd.EXACT]
    assert r.kept_as.tolist() == [0, 0, 0, 3, 0]
    assert r.counts == {"docs": 5, "kept": 2, "exact": 3, "near": 0}
    r = dd.near_duplicates(docs, keep="score", scores=[0.1, 0.9, 0.5, 0.0, 0.9], return_info=True)
    assert r.kept_as.tolist() == [1, 1, 1, 3, 1], "highest score; ties to the lowest index"
    r = dd.near_duplicates(docs, keep="longest", return_info=True)
    assert r.kept_as.tolist() == [0, 0, 0, 3, 0], "equal normalised lengths: lowest index"


def test_near_policy(dd):
    long_ = NANKAI * 2
    docs = [NANKAI, long_ + "又一句。", OTHER, NANKAI + "了"]
    r = dd.near_duplicates(docs, threshold=0.5, return_info=True)
    assert r.reason.tolist() == [dd.KEPT, dd.NEAR, dd.KEPT, dd.NEAR] and r.kept_as.tolist() == [0, 0, 2, 0]
    r = dd.near_duplicates(docs, threshold=0.5, keep="longest", return_info=True)
    assert r.kept_as.tolist() == [1, 1, 2, 1]
    r = dd.near_duplicates(docs, threshold=0.5, keep="score", scores=[1, 2, 0, 3], return_info=True)
    assert r.kept_as.tolist() == [3, 3, 2, 3]
    assert r.lengths.tolist() == [len(dd.MinHasher().normalize([d])[0]) for d in docs]


def test_exact_copy_of_near_removed_points_to_survivor(dd):
    a, b = NANKAI, NANKAI + "了"
    docs = [a, a + "　", b]  # 1 is an exact copy of 0; 0 is a near-duplicate of 2
    r = dd.near_duplicates(docs, keep="score", scores=[0.5, 0.1, 0.9], return_info=True)
    assert r.reason.tolist() == [dd.NEAR, dd.EXACT, dd.KEPT]
    assert r.kept_as.tolist() == [2, 2, 2]


def test_empty_documents_are_never_near_duplicates(dd):
    docs = ["", "，。！", " \u3000", "a"]
    r = dd.near_duplicates(docs, threshold=0.0, exact=False, return_info=True)
    assert r.keep.all() and r.pairs.shape == (0, 2)
    r = dd.near_duplicates(docs, threshold=0.0, exact=True, return_info=True)
    assert r.reason.tolist() == [dd.KEPT, dd.EXACT, dd.EXACT, dd.KEPT], "exact dedup still groups empty docs"


def test_threshold_edges(dd):
    """A candidate pair is a near-duplicate when its exact Jaccard is >= threshold (equality joins)."""
    docs = ["abcdef", "abcdeg", "xyz12345"]
    kw = dict(num_perm=64, bands=64, rows=1, return_info=True)
    r = dd.near_duplicates(docs, threshold=1 / 3, **kw)
    assert r.pairs.tolist() == [[0, 1]] and r.jaccard.tolist() == [1 / 3]
    assert r.reason.tolist() == [dd.KEPT, dd.NEAR, dd.KEPT]
    r = dd.near_duplicates(docs, threshold=0.34, **kw)
    assert r.pairs.tolist() == [[0, 1]] and r.keep.all()
    assert dd.near_duplicates(docs, threshold=1.0, exact=False).all()
    assert dd.near_duplicates(["abcdef", "ABCDEF!"], threshold=1.0, exact=False).tolist() == [True, False]


def test_near_duplicates_empty_input(dd):
    r = dd.near_duplicates([], return_info=True)
    assert r.keep.shape == (0,) and r.pairs.shape == (0, 2) and r.jaccard.shape == (0,)
    assert dd.near_duplicates([], keep="score", scores=[]).shape == (0,)


def test_threads_accepted(dd):
    docs = [NANKAI, NANKAI + "！", OTHER]
    want = dd.near_duplicates(docs)
    for t in (None, 1, 2):
        assert (dd.near_duplicates(docs, threads=t) == want).all()
        assert (dd.MinHasher().signatures(docs, threads=t) == dd.MinHasher().signatures(docs)).all()


# ---------------------------------------------------------------------------
# LSH


def test_lsh_probability_values(dd):
    p = dd.lsh_probability
    assert round(float(p(0.85)), 3) == 0.994
    assert round(float(p(0.80)), 3) == 0.947
    # docs/dedup.md section 7 prints P(0.50) = 0.062; the formula gives 1 - (255/256)^16 = 0.0607.
    assert float(p(0.50)) == pytest.approx(1 - (255 / 256) ** 16, rel=1e-12)
    assert round(float(p(0.50)), 4) == 0.0607
    assert round(float(p(0.80, bands=5, rows=10)), 2) == 0.43
    assert float(p(0.0)) == 0.0 and float(p(1.0)) == 1.0
    assert float(p(0.5, bands=1, rows=1)) == 0.5
    assert float(p(0.5, bands=2, rows=1)) == 0.75
    assert float(p(0.5, bands=1, rows=2)) == 0.25
    js = np.linspace(0, 1, 51)
    out = p(js, 20, 5)
    assert out.shape == js.shape and out.dtype == np.float64 and (np.diff(out) >= 0).all()
    np.testing.assert_allclose(out, 1 - (1 - js**5) ** 20, rtol=1e-12, atol=1e-15)
    assert p(np.ones((2, 3)) * 0.5, 1, 1).shape == (2, 3)


def test_lsh_probability_native_vs_reference():
    """Same formula; NumPy's vectorised pow and libm's may differ in the last bit, so a tolerance."""
    js = np.linspace(0, 1, 201)
    for b, r in ((16, 8), (20, 5), (5, 10), (1, 1), (64, 2)):
        np.testing.assert_allclose(R.lsh_probability(js, b, r), D.lsh_probability(js, b, r), rtol=1e-7, atol=1e-14)
    for (j1, p1), (j2, p2) in zip(R.curve_table(16, 8), D.curve_table(16, 8)):
        assert j1 == j2 and p1 == pytest.approx(p2, rel=1e-9, abs=1e-15)
    assert [j for j, _ in R.curve_table(16, 8)] == [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0]
    js = [0.1, 0.33, 0.99]
    assert [j for j, _ in R.curve_table(4, 4, js)] == [j for j, _ in D.curve_table(4, 4, js)] == js


@pytest.mark.parametrize("num_perm,threshold,recall", [(128, 0.8, 0.95), (128, 0.5, 0.9), (64, 0.9, 0.99),
                                                        (256, 0.7, 0.95), (16, 0.6, 0.5), (32, 0.85, 0.999)])
def test_recommend_bands(dd, num_perm, threshold, recall):
    b, r = dd.recommend_bands(num_perm, threshold, recall)
    assert b * r <= num_perm
    assert float(dd.lsh_probability(threshold, b, r)) >= recall
    assert (b, r) == R.recommend_bands(num_perm, threshold, recall) == D.recommend_bands(num_perm, threshold, recall)
    # No setting that meets the recall has a smaller area under P(J) below the threshold (loose check).
    js = np.linspace(0.0, threshold, 201)
    area = np.trapezoid if hasattr(np, "trapezoid") else np.trapz
    best = area(1 - (1 - js**r) ** b, js)
    for rr in range(1, num_perm + 1):
        for bb in range(1, num_perm // rr + 1):
            if 1 - (1 - threshold**rr) ** bb >= recall:
                assert area(1 - (1 - js**rr) ** bb, js) >= best - 1e-12


def test_recommend_bands_unreachable(dd):
    assert dd.recommend_bands(1, 0.5, 0.9) is None
    assert dd.recommend_bands(2, 0.1, 0.99) is None


def _brute_force_query(inserted, ids, queries, bands, rows):
    """Ids of the inserted signatures that have one band's values equal to the query's."""
    out = []
    for q in queries:
        hit = set()
        for s, i in zip(inserted, ids):
            if any((s[k * rows : (k + 1) * rows] == q[k * rows : (k + 1) * rows]).all() for k in range(bands)):
                hit.add(i)
        out.append(sorted(hit))
    return out


@pytest.mark.parametrize("bands,rows,num_perm", [(4, 2, 8), (3, 3, 10), (8, 1, 8), (1, 5, 5)])
def test_lsh_index_matches_brute_force(dd, bands, rows, num_perm):
    rng = np.random.default_rng(bands * 100 + rows)
    batches = [rng.integers(0, 3, size=(n, num_perm)).astype(np.uint32) for n in (0, 30, 1, 25)]
    index = dd.LSHIndex(bands=bands, rows=rows)
    inserted, ids = [], []
    for bi, sig in enumerate(batches):
        if bi % 2:
            batch_ids = np.arange(len(index), len(index) + len(sig))
            index.insert(sig)
        else:
            batch_ids = 1000 * (bi + 1) + rng.permutation(len(sig))
            index.insert(sig, batch_ids)
        inserted += list(sig)
        ids += [int(i) for i in batch_ids]
        assert len(index) == len(ids)
        queries = rng.integers(0, 3, size=(20, num_perm)).astype(np.uint32)
        queries = np.concatenate([queries, sig[:5]]) if len(sig) else queries
        got = index.query(queries)
        want = _brute_force_query(inserted, ids, queries, bands, rows)
        assert [g.tolist() for g in got] == want
        assert all(g.dtype == np.int64 for g in got)
    assert index.query(np.zeros((0, num_perm), dtype=np.uint32)) == []


def test_lsh_index_native_vs_reference():
    rng = np.random.default_rng(1)
    sig = rng.integers(0, 4, size=(200, 12)).astype(np.uint32)
    ids = rng.permutation(10_000)[:200]
    a, b = D.LSHIndex(6, 2), R.LSHIndex(6, 2)
    a.insert(sig[:120], ids[:120])
    b.insert(sig[:120], ids[:120])
    a.insert(sig[120:], ids[120:])
    b.insert(sig[120:], ids[120:])
    assert np.array_equal(a.band_keys(sig), b.band_keys(sig))
    q = rng.integers(0, 4, size=(50, 12)).astype(np.uint32)
    assert [x.tolist() for x in a.query(q)] == [x.tolist() for x in b.query(q)]


def test_band_keys_ignore_values_past_bands_times_rows(dd):
    rng = np.random.default_rng(2)
    sig = rng.integers(0, 1 << 32, size=(5, 20), dtype=np.uint64).astype(np.uint32)
    sig2 = sig.copy()
    sig2[:, 18:] ^= 1
    idx = dd.LSHIndex(bands=3, rows=6)
    assert np.array_equal(idx.band_keys(sig), idx.band_keys(sig2))
    sig2[:, 17] ^= 1
    k1, k2 = idx.band_keys(sig), idx.band_keys(sig2)
    assert np.array_equal(k1[:, :2], k2[:, :2]) and (k1[:, 2] != k2[:, 2]).all()


# ---------------------------------------------------------------------------
# Errors


def test_bad_arguments(dd):
    docs = ["a", "b"]
    with pytest.raises(ValueError, match=r"bands \* rows <= num_perm"):
        dd.near_duplicates(docs, bands=17, rows=8)
    with pytest.raises(ValueError, match=r"bands \* rows <= num_perm"):
        dd.near_duplicates(docs, num_perm=64, bands=9, rows=8)
    with pytest.raises(ValueError, match=r"bands \* rows <= num_perm"):
        dd.near_duplicates(docs, bands=0)
    with pytest.raises(ValueError, match="keep must be one of"):
        dd.near_duplicates(docs, keep="last")
    with pytest.raises(ValueError, match="needs scores"):
        dd.near_duplicates(docs, keep="score")
    with pytest.raises(ValueError, match="one value per document"):
        dd.near_duplicates(docs, keep="score", scores=[1.0])
    with pytest.raises(ValueError, match="threshold must lie in"):
        dd.near_duplicates(docs, threshold=1.5)
    with pytest.raises(ValueError, match="method must be 'oph' or 'classic'"):
        dd.near_duplicates(docs, method="minhash")
    with pytest.raises(ValueError, match="method must be 'oph' or 'classic'"):
        dd.MinHasher(method="simhash")
    with pytest.raises(ValueError, match="num_perm must be a positive int"):
        dd.MinHasher(num_perm=0)
    with pytest.raises(ValueError, match="ngram must be a positive int"):
        dd.MinHasher(ngram=0)
    with pytest.raises(ValueError, match="seed must fit in 64 bits"):
        dd.MinHasher(seed=1 << 64)
    with pytest.raises(ValueError, match="errors must be"):
        dd.MinHasher(errors="ignore")
    with pytest.raises(ValueError, match="bands and rows must be >= 1"):
        dd.LSHIndex(bands=0)
    with pytest.raises(ValueError, match=r"bands \* rows <= num_perm"):
        dd.LSHIndex(bands=4, rows=4).band_keys(np.zeros((2, 15), dtype=np.uint32))
    with pytest.raises(ValueError, match="2-D"):
        dd.LSHIndex(bands=1, rows=1).band_keys(np.zeros(4, dtype=np.uint32))
    with pytest.raises(ValueError, match="one entry per signature"):
        dd.LSHIndex(bands=1, rows=1).insert(np.zeros((2, 4), dtype=np.uint32), ids=[1])
    with pytest.raises(IndexError, match="outside"):
        dd.MinHasher().pair_jaccard(docs, [[0, 2]])
    with pytest.raises(TypeError):
        dd.MinHasher().signatures("a single string")
    with pytest.raises(TypeError):
        dd.MinHasher().signatures(["ok", b"bytes"])


def test_hasher_overrides(dd):
    docs = [NANKAI, NANKAI + "！", OTHER]
    h = dd.MinHasher(num_perm=32, ngram=3, seed=7, method="classic")
    r1 = dd.near_duplicates(docs, hasher=h, bands=4, rows=8, return_info=True)
    r2 = dd.near_duplicates(docs, num_perm=32, ngram=3, seed=7, method="classic", bands=4, rows=8, return_info=True)
    for f in ("keep", "reason", "kept_as", "pairs", "jaccard", "lengths"):
        assert np.array_equal(getattr(r1, f), getattr(r2, f))
    with pytest.raises(ValueError, match=r"bands \* rows <= num_perm"):
        dd.near_duplicates(docs, hasher=h)  # 16 x 8 > 32


def test_every_keep_policy_keeps_one_per_cluster(dd):
    docs = [NANKAI + s for s in ("", "了", "吗", "呢")] + [OTHER]
    for keep, scores in (("first", None), ("longest", None), ("score", [3, 1, 4, 1.5, 9])):
        r = dd.near_duplicates(docs, threshold=0.7, keep=keep, scores=scores, return_info=True)
        assert r.keep.sum() == 2 and r.keep[4]
        assert len(set(r.kept_as[:4].tolist())) == 1
    assert dd.near_duplicates(docs, keep="score", scores=[0, 0, 0, 1, 0]).tolist() == [False, False, False, True, True]
