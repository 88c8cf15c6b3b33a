"""The planted near-duplicate generator and evaluator (corpus_engine.dedup_eval).

Deterministic generation, true Jaccard values in range and equal to corpus_engine.dedup.jaccard,
edits made of the document's own characters, the scoring rules, and the measured recall and
precision of near_duplicates at its defaults on a small real set.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from helpers import _import

dedup = _import("corpus_engine.dedup")
de = _import("corpus_engine.dedup_eval")

# Generated stand-ins for the tests that must not need the shared data: long enough for every
# target Jaccard, built from sentences of a fixed vocabulary.
_WORDS = "我们 今天 城市 经济 发展 社会 文化 历史 科学 技术 研究 学生 老师 学校 工作 生活 问题 方法 时间 市场".split()


def _generated_docs(n: int, seed: int = 7):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        sents = ["".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 12))) + rng.choice("。！？")
                 for _ in range(rng.randint(8, 16))]
        out.append("".join(sents))
    return out


@pytest.fixture(scope="module")
def real_docs(shared_data):
    docs, _ = de.load_default_corpus(shared_data)
    return docs


@pytest.fixture(scope="module")
def real_planted(real_docs):
    idx = de.select_originals(real_docs, 300, seed=3)
    return de.plant_duplicates([real_docs[i] for i in idx], copies=2, seed=3)


# --------------------------------------------------------------------------- generator


def test_generator_is_deterministic():
    docs = _generated_docs(40)
    a = de.plant_duplicates(docs, copies=3, seed=11)
    b = de.plant_duplicates(docs, copies=3, seed=11)
    assert a.docs == b.docs
    assert a.kind == b.kind
    for name in ("original", "copy", "target", "strength", "jaccard"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    c = de.plant_duplicates(docs, copies=3, seed=12)
    assert c.docs != a.docs


def test_select_originals_is_deterministic_and_filters():
    docs = ["短文本"] + _generated_docs(30) + ["短文本"]
    docs.append(docs[5] + "，。 ")  # same normalised text as docs[5]: not eligible again
    a = de.select_originals(docs, 10, min_chars=50, seed=1)
    assert a == de.select_originals(docs, 10, min_chars=50, seed=1)
    assert a == sorted(a) and len(a) == 10
    assert 0 not in a and len(docs) - 2 not in a and len(docs) - 1 not in a
    assert de.select_originals(docs, 10, min_chars=50, seed=2) != a
    assert len(de.select_originals(docs, 1000, min_chars=50)) == 30  # every eligible one, no more


def test_layout_and_truth_arrays():
    docs = _generated_docs(30)
    p = de.plant_duplicates(docs, copies=2, seed=5)
    assert p.n_originals == 30 and p.n_copies == 60 and len(p.docs) == 90
    assert p.docs[:30] == docs
    assert sorted(p.copy.tolist()) == list(range(30, 90))
    assert np.bincount(p.original, minlength=30).tolist() == [2] * 30
    assert set(p.kind) == set(de.KINDS)
    assert p.kind_counts() == {k: 10 for k in de.KINDS}
    assert "30 originals, 60 planted copies" in p.summary()


def test_planted_jaccard_in_range_and_exact():
    docs = _generated_docs(40)
    p = de.plant_duplicates(docs, copies=3, seed=2)
    assert p.jaccard.min() >= 0.3 and p.jaccard.max() <= 1.0
    # the truth is corpus_engine.dedup.jaccard of each pair, exactly
    for o, c, j in zip(p.original, p.copy, p.jaccard):
        assert dedup.jaccard(p.docs[o], p.docs[c]) == j
    # a spread: every 0.1 bucket from 0.3 to 1.0 is populated
    counts = np.histogram(p.jaccard, bins=[0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001])[0]
    assert (counts > 0).all(), counts
    # and the search hits its targets for the character edits (a shuffle alone cannot go low)
    char = np.array([k in ("replace", "insert", "delete") for k in p.kind])
    assert np.median(np.abs(p.jaccard - p.target)[char]) < 0.02


def test_custom_range_and_kinds():
    docs = _generated_docs(20)
    p = de.plant_duplicates(docs, copies=2, seed=4, j_range=(0.6, 0.9), kinds=("replace", "boilerplate"))
    assert set(p.kind) == {"replace", "boilerplate"}
    assert p.jaccard.min() >= 0.6 and p.jaccard.max() <= 0.9


def test_edits_use_the_documents_own_characters():
    docs = _generated_docs(20)
    p = de.plant_duplicates(docs, copies=6, seed=9, kinds=("replace", "insert", "delete", "shuffle"))
    for o, c, kind in zip(p.original, p.copy, p.kind):
        assert set(p.docs[c]) <= set(p.docs[o]), kind
        if kind == "delete":
            assert len(p.docs[c]) <= len(p.docs[o])
        elif kind == "insert":
            assert len(p.docs[c]) >= len(p.docs[o])
        else:
            assert len(p.docs[c]) == len(p.docs[o])
        if kind == "shuffle":
            assert sorted(p.docs[c]) == sorted(p.docs[o])


def test_boilerplate_wraps_the_original():
    docs = _generated_docs(10)
    p = de.plant_duplicates(docs, copies=4, seed=1, kinds=("boilerplate",))
    wrapped = 0
    for o, c in zip(p.original, p.copy):
        lines = p.docs[c].split("\n")
        assert p.docs[o] in lines  # head lines, the untouched original, tail lines
        if len(lines) > 1:
            wrapped += 1
            assert not any(ln in p.docs[o] for ln in lines if ln != p.docs[o])
    assert wrapped >= 30


def test_boilerplate_lines_are_generated():
    rng = random.Random(0)
    lines = de.boilerplate_lines(rng, 2000)
    assert sum(len(t) for _, t in lines) >= 2000
    assert [h for h, _ in lines[:4]] == [True, False, True, False]
    assert de.boilerplate_lines(random.Random(0), 2000) == lines
    assert len({t for _, t in lines}) == len(lines)  # random names, dates and numbers: no repeats


def test_bad_arguments():
    docs = _generated_docs(3)
    with pytest.raises(ValueError, match="j_range"):
        de.plant_duplicates(docs, j_range=(0.9, 0.3))
    with pytest.raises(ValueError, match="kinds"):
        de.plant_duplicates(docs, kinds=("typo",))
    with pytest.raises(ValueError, match="normalisation"):
        de.plant_duplicates(docs + ["，。 "])


# --------------------------------------------------------------------------- scoring


def test_scoring_counts_detections_and_original_removals():
    docs = _generated_docs(12, seed=3)
    base = docs[0]
    # docs[1] becomes a near-duplicate of docs[0] already "in the data"
    docs[1] = base[:-6] + "历史研究。"
    assert dedup.jaccard(docs[0], docs[1]) >= 0.8
    p = de.plant_duplicates(docs, copies=2, seed=6)
    r = de.evaluate(p)
    assert r.originals == 12 and r.pairs == 24
    assert r.originals_removed == 1 and r.originals_data_dup == 1 and r.originals_false == 0
    assert r.removed_originals[0][:2] == (1, 0)
    # copies of docs[1] are detected although their original was removed: same cluster
    res = dedup.near_duplicates(p.docs, return_info=True)
    for k in np.flatnonzero(p.original == 1):
        if p.jaccard[k] >= 0.95:
            assert r.detected[k] and res.kept_as[p.copy[k]] == 0
    assert sum(row.pairs for row in r.rows) == r.pairs
    assert sum(row.duplicates for row in r.rows) == r.duplicates == int((p.jaccard >= 0.8).sum())
    assert r.true_pos == int((r.detected & (p.jaccard >= 0.8)).sum())


def test_threshold_becomes_a_bucket_edge():
    assert 0.82 in de.bucket_edges(0.82)
    assert de.bucket_edges(0.8) == list(de.DEFAULT_EDGES)
    p = de.plant_duplicates(_generated_docs(10), copies=2, seed=1)
    r = de.evaluate(p, threshold=0.82)
    labels = [row.label for row in r.rows]
    assert "[0.80, 0.82)" in labels and "[0.82, 0.85)" in labels
    assert "| [0.82, 0.85) |" in r.table() or all(row.pairs == 0 for row in r.rows if row.label == "[0.82, 0.85)")


def test_evaluate_settings_are_used():
    p = de.plant_duplicates(_generated_docs(20), copies=2, seed=8)
    r = de.evaluate(p, threshold=0.7, num_perm=64, bands=8, rows=8, method="classic", seed=3)
    assert r.settings == dict(threshold=0.7, num_perm=64, bands=8, rows=8, ngram=5, method="classic", seed=3)
    assert "bands 8 x rows 8" in r.header() and "method classic" in r.header()
    with pytest.raises(ValueError):
        de.evaluate(p, bands=20, rows=8)  # 160 > 128 signature values


# --------------------------------------------------------------------------- real data


def test_real_set_recall_and_precision(real_planted):
    """Defaults (threshold 0.8, 128 values, 16 x 8, OPH) on 300 real documents + 600 copies."""
    r = de.evaluate(real_planted)
    report = r.header() + "\n" + r.table() + "\n" + r.summary()
    assert r.duplicates_085 >= 100, report
    assert r.recall_085 >= 0.95, report
    assert r.precision >= 0.99, report
    for row in r.rows:  # buckets at 0.85 and above: recall >= 0.95 each
        if row.lo >= 0.85 and row.duplicates >= 20:
            assert row.recall >= 0.95, report


def test_real_set_classic_method(real_planted):
    r = de.evaluate(real_planted, method="classic")
    report = r.table() + "\n" + r.summary()
    assert r.recall_085 >= 0.95, report
    assert r.precision >= 0.99, report


def test_real_planted_spread(real_planted):
    j = real_planted.jaccard
    assert j.min() >= 0.3 and j.max() <= 1.0
    counts = np.histogram(j, bins=[0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001])[0]
    assert (counts >= 30).all(), counts


def test_compare_methods(real_planted):
    cmp = de.compare_methods(real_planted, seeds=(0, 1))
    for m in ("oph", "classic"):
        mae, rmse, bias = cmp.overall.stats[m]
        # 128 values: the binomial RMSE of an unbiased estimate is about 0.036 over this spread
        assert mae < 0.035 and rmse < 0.045 and abs(bias) < 0.005, (m, mae, rmse, bias)
        assert cmp.estimates[m].shape == (2, real_planted.n_copies)
    one = next(r for r in cmp.rows if r.label == "1.00")
    assert one.pairs > 0 and one.stats["oph"][0] == 0.0 and one.stats["classic"][0] == 0.0
    assert "oph RMSE" in cmp.table() and "| all |" in cmp.table()


# --------------------------------------------------------------------------- loading


def test_load_documents_text_and_jsonl(tmp_path):
    txt = tmp_path / "docs.txt"
    txt.write_text("第一篇\n\n第二篇\r\n", encoding="utf-8")
    assert de.load_documents(txt) == ["第一篇", "第二篇"]
    jl = tmp_path / "docs.jsonl"
    jl.write_text(json.dumps({"text": "甲", "id": 1}, ensure_ascii=False) + "\n\n" + json.dumps("乙") + "\n",
                  encoding="utf-8")
    assert de.load_documents(jl) == ["甲", "乙"]
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"content": "丙"}) + "\n", encoding="utf-8")
    assert de.load_documents(other, field="content") == ["丙"]
    with pytest.raises(ValueError, match=r"other.jsonl:1: no string field 'text'"):
        de.load_documents(other)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a"}\n{oops\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:2: not a JSON line"):
        de.load_documents(bad)


def test_missing_data_says_where_it_looked(tmp_path):
    with pytest.raises(de.DataNotFound) as exc:
        de.load_default_corpus(tmp_path)
    msg = str(exc.value)
    assert str(tmp_path / "clean_zh" / "tencentpretrain" / "zhwiki_sampled.txt") in msg
    assert "--input" in msg and "CORPUS_ENGINE_DATA" in msg


def test_default_corpus_loads(shared_data):
    docs, sources = de.load_default_corpus(shared_data)
    assert len(docs) == 5000 and len(sources) == 2
