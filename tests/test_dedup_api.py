"""API rules added after review: empty documents in LSHIndex, NaN scores."""

import numpy as np
import pytest

from corpus_engine import dedup as native
from corpus_engine.reference import dedup as reference

A = "南开大学位于天津市，是一所综合性研究型大学，创建于一九一九年，校训是允公允能日新月异。"


@pytest.mark.parametrize("mod", [native, reference], ids=["native", "reference"])
def test_lsh_index_never_stores_or_returns_empty_documents(mod):
    h = mod.MinHasher()
    sig = h.signatures([A, "", "。。。", A])  # the two middle ones normalise to nothing
    idx = mod.LSHIndex()
    idx.insert(sig)
    assert len(idx) == 2
    got = [q.tolist() for q in idx.query(sig)]
    assert got == [[0, 3], [], [], [0, 3]]
    idx.insert(sig[:1])  # ids continue after every offered document, empty ones included
    assert idx.query(sig[:1])[0].tolist() == [0, 3, 4]


@pytest.mark.parametrize("mod", [native, reference], ids=["native", "reference"])
def test_nan_scores_are_rejected(mod):
    with pytest.raises(ValueError, match="NaN"):
        mod.near_duplicates([A, A], keep="score", scores=[1.0, float("nan")])
