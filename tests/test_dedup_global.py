"""The out-of-core global dedup: same result as the in-memory one, any shard order, resumable."""

import random

import numpy as np
import pytest

from corpus_engine import TextBatch
from corpus_engine.dedup import EXACT, KEPT, NEAR, jaccard, near_duplicates
from corpus_engine.dedup_global import GlobalDeduplicator
from corpus_engine.synthetic import web_page


def _corpus(n=1200, seed=3):
    """Pages with exact and near copies planted far from their originals."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        if docs and rng.random() < 0.2:
            src = docs[rng.randrange(len(docs))]
            if rng.random() < 0.3:
                docs.append(src)
            else:
                chars = list(src)
                for _ in range(rng.randint(1, 3)):
                    chars[rng.randrange(len(chars))] = rng.choice(chars)
                docs.append("".join(chars))
        else:
            docs.append(web_page(rng))
    # A big bucket (> 32 equal band keys) to exercise the star + chain rule.
    docs += [docs[5]] * 40
    return docs


def _ids(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.choice(10**9, size=n, replace=False).astype(np.int64)


def _shards(docs, ids, k):
    cut = np.linspace(0, len(docs), k + 1).astype(int)
    return [(f"part{j}", docs[cut[j] : cut[j + 1]], ids[cut[j] : cut[j + 1]]) for j in range(k)]


@pytest.fixture(scope="module")
def corpus():
    docs = _corpus()
    return docs, _ids(len(docs))


def test_global_equals_in_memory_dedup_in_id_order(tmp_path, corpus):
    docs, ids = corpus
    g = GlobalDeduplicator(tmp_path / "w")
    for name, d, i in _shards(docs, ids, 5):
        assert g.add_shard(name, d, i)
    res = g.run()
    order = np.argsort(ids)
    local = near_duplicates([docs[j] for j in order], return_info=True)
    np.testing.assert_array_equal(res.ids, ids[order])
    np.testing.assert_array_equal(res.keep, local.keep)
    np.testing.assert_array_equal(res.reason, local.reason)
    np.testing.assert_array_equal(res.kept_as, ids[order][local.kept_as])
    assert res.counts["exact"] > 40 and res.counts["near"] > 50
    assert res.counts["docs"] == res.counts["kept"] + res.counts["exact"] + res.counts["near"]


def test_any_shard_order_and_split_gives_the_same_result(tmp_path, corpus):
    docs, ids = corpus
    results = []
    for k, seed in ((3, 0), (7, 1), (1, 2)):
        parts = _shards(docs, ids, k)
        random.Random(seed).shuffle(parts)
        g = GlobalDeduplicator(tmp_path / f"w{k}")
        for name, d, i in parts:
            g.add_shard(name, d, i)
        results.append(g.run())
    for r in results[1:]:
        np.testing.assert_array_equal(r.ids, results[0].ids)
        np.testing.assert_array_equal(r.keep, results[0].keep)
        np.testing.assert_array_equal(r.kept_as, results[0].kept_as)


def test_threads_do_not_change_the_result(tmp_path, corpus):
    docs, ids = corpus
    out = []
    for th in (1, 2):
        g = GlobalDeduplicator(tmp_path / f"t{th}", threads=th, verify_bytes=5000)  # many small chunks
        for name, d, i in _shards(docs, ids, 4):
            g.add_shard(name, TextBatch.from_strings(d), i)
        out.append(g.run())
    np.testing.assert_array_equal(out[0].keep, out[1].keep)
    np.testing.assert_array_equal(out[0].kept_as, out[1].kept_as)


def test_resume_skips_complete_shards_and_ignores_partial_ones(tmp_path, corpus):
    docs, ids = corpus
    parts = _shards(docs, ids, 4)
    g = GlobalDeduplicator(tmp_path / "w")
    g.add_shard(*parts[0])
    # A shard killed while being written leaves only a .tmp folder behind.
    (tmp_path / "w" / "shards" / "part1.tmp").mkdir()
    g2 = GlobalDeduplicator(tmp_path / "w")
    assert g2.shards() == ["part0"]
    assert not g2.add_shard(*parts[0])  # already there
    for p in parts[1:]:
        assert g2.add_shard(*p)
    full = GlobalDeduplicator(tmp_path / "fresh")
    for p in parts:
        full.add_shard(*p)
    a, b = g2.run(), full.run()
    np.testing.assert_array_equal(a.keep, b.keep)
    # The last pass: per-shard keep masks in the shard's own order.
    masks = np.concatenate([g2.keep_mask(name) for name, _, _ in parts])
    assert masks.sum() == a.counts["kept"]
    reread = GlobalDeduplicator(tmp_path / "w").result()
    np.testing.assert_array_equal(reread.keep, a.keep)


def test_reasons_and_kept_as_point_to_survivors(tmp_path):
    a = (
        "南开大学位于天津市，是一所综合性研究型大学，创建于一九一九年，校训是允公允能日新月异。"
        "学校有多个校区，开设文学、理学、工学、经济学、管理学等学科门类，培养了大批人才。"
    )
    b = a.replace("天津市", "天津")
    assert jaccard(a, b) >= 0.8  # a near-duplicate by construction
    g = GlobalDeduplicator(tmp_path)
    g.add_shard("x", [a, "完全无关的另一篇短文，讲述别的事情。"], ids=[7, 3])
    g.add_shard("y", [a, b], ids=[5, 9])
    r = g.run()
    by_id = dict(zip(r.ids.tolist(), zip(r.reason.tolist(), r.kept_as.tolist())))
    assert by_id[5] == (KEPT, 5)  # smallest id of the cluster {5, 7, 9}
    assert by_id[7] == (EXACT, 5)
    assert by_id[9] == (NEAR, 5)
    assert by_id[3] == (KEPT, 3)


def test_errors(tmp_path):
    g = GlobalDeduplicator(tmp_path)
    g.add_shard("a", ["一二三四五六七八"], ids=[1])
    with pytest.raises(ValueError, match="repeated ids"):
        g.add_shard("b", ["x", "y"], ids=[2, 2])
    g.add_shard("c", ["九十"], ids=[1])
    with pytest.raises(ValueError, match="more than one shard"):
        g.run()
    with pytest.raises(ValueError, match="one entry per document"):
        g.add_shard("d", ["x"], ids=[1, 2])
    with pytest.raises(ValueError, match="other settings"):
        GlobalDeduplicator(tmp_path, threshold=0.5)
    with pytest.raises(ValueError, match="invalid shard name"):
        g.add_shard("../x", ["x"], ids=[5])
    with pytest.raises(FileNotFoundError):
        g.run(shards=["nope"])
    with pytest.raises(FileNotFoundError, match="call run"):
        GlobalDeduplicator(tmp_path / "empty").result()


def test_local_then_global_equals_global_alone(tmp_path, corpus):
    docs, ids = corpus
    a = GlobalDeduplicator(tmp_path / "two_steps")
    b = GlobalDeduplicator(tmp_path / "global_only")
    parts = _shards(docs, ids, 4)
    for name, d, i in parts:
        a.add_shard(name, d, i, local=True)
        b.add_shard(name, d, i)
    ra, rb = a.run(), b.run()
    assert ra.counts["docs"] < rb.counts["docs"]  # local dedup removed some before the global step
    ma = np.concatenate([a.keep_mask(name) for name, _, _ in parts])
    mb = np.concatenate([b.keep_mask(name) for name, _, _ in parts])
    assert ma.shape == mb.shape == (len(docs),)
    # Not always identical: a document removed locally can no longer chain two clusters
    # together in the global graph (clusters are transitive). Nearly always the same:
    assert np.mean(ma != mb) < 0.01
    # and no two survivors are exact duplicates either way.
    for m in (ma, mb):
        kept = [docs[j] for j in np.flatnonzero(m)]
        assert len(set(kept)) == len(kept)


@pytest.mark.parametrize("local", [False, True])
def test_precomputed_signatures_store_the_same_shard(tmp_path, corpus, local):
    """add_shard with the signatures, lengths and exact keys of near_duplicates(return_info=True)
    stores exactly what it would compute itself."""
    docs, ids = corpus
    docs, ids = docs[:500], ids[:500]
    a = GlobalDeduplicator(tmp_path / "a")
    b = GlobalDeduplicator(tmp_path / "b")
    info = near_duplicates(docs, hasher=a.hasher, return_info=True)
    a.add_shard("s", docs, ids, local=local)
    b.add_shard("s", docs, ids, local=local, signatures=info.signatures, lengths=info.lengths,
                exact_keys=info.exact_keys)
    for f in sorted((tmp_path / "a" / "shards" / "s").iterdir()):
        other = tmp_path / "b" / "shards" / "s" / f.name
        assert f.read_bytes() == other.read_bytes(), f.name
    a.run()
    b.run()
    assert np.array_equal(a.keep_mask("s"), b.keep_mask("s"))


def test_precomputed_arrays_are_checked(tmp_path, corpus):
    docs, ids = corpus
    g = GlobalDeduplicator(tmp_path)
    sig, lengths = g.hasher.signatures_and_lengths(docs[:10])
    with pytest.raises(ValueError, match="go together"):
        g.add_shard("s", docs[:10], ids[:10], signatures=sig)
    with pytest.raises(ValueError, match="signatures must have shape"):
        g.add_shard("s", docs[:10], ids[:10], signatures=sig[:, :64], lengths=lengths)
    with pytest.raises(ValueError, match="lengths must have one entry"):
        g.add_shard("s", docs[:10], ids[:10], signatures=sig, lengths=lengths[:9])
    with pytest.raises(ValueError, match="exact_keys must have one row"):
        g.add_shard("s", docs[:10], ids[:10], signatures=sig, lengths=lengths, exact_keys=np.zeros((3, 2), np.uint64))
