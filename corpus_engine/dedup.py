"""Exact and near-duplicate detection (native, OpenMP, GIL released).

Character n-gram shingles of a normalised text, XXH64, MinHash signatures
(one-permutation hashing with densification by default), banded LSH, and an
exact Jaccard check of every candidate pair before union-find joins them.
Semantics: docs/dedup.md. Pure-Python twin: :mod:`corpus_engine.reference.dedup`.

>>> from corpus_engine.dedup import near_duplicates
>>> a = "南开大学位于天津市，是一所综合性研究型大学，创建于一九一九年。"
>>> near_duplicates([a, a + "！", "完全不同的另一篇文章，讲的是别的事情，没有什么相似之处。"]).tolist()
[True, False, True]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from . import _native
from . import charsets as cs
from .batch import TextBatch
from .text import _threads  # one definition of the threads= argument check

Docs = Union[Sequence[str], TextBatch]

__all__ = [
    "MinHasher",
    "LSHIndex",
    "DedupResult",
    "near_duplicates",
    "jaccard",
    "lsh_probability",
    "recommend_bands",
    "curve_table",
    "KEPT",
    "EXACT",
    "NEAR",
]

DEFAULT_NUM_PERM = 128
DEFAULT_BANDS = 16
DEFAULT_ROWS = 8
DEFAULT_NGRAM = 5
DEFAULT_THRESHOLD = 0.8

# Reasons in DedupResult.reason.
KEPT, EXACT, NEAR = 0, 1, 2
_POLICIES = {"first": 0, "longest": 1, "score": 2}


@lru_cache(maxsize=1)
def _norm_table() -> "_native.CharTable":
    space = cs.to_ranges(tuple(cs.WHITESPACE) + tuple(cs.PLACEHOLDERS))
    return _native.CharTable([(1, list(space)), (2, list(cs.unicode_punctuation()))])


class MinHasher:
    """Shingles a normalised text and computes MinHash signatures.

    Parameters: ``num_perm`` values per signature; ``ngram`` characters per
    shingle; ``seed`` for every hash; ``method`` "oph" (one-permutation hashing
    with optimal densification: one hash per shingle, the fast default) or
    "classic" (``num_perm`` hash functions); the normalisation switches
    ``fold_width``, ``fold_case``, ``drop_space``, ``drop_punct``; ``errors`` for
    invalid UTF-8 ("replace" or "drop").
    """

    def __init__(
        self,
        num_perm: int = DEFAULT_NUM_PERM,
        ngram: int = DEFAULT_NGRAM,
        seed: int = 0,
        method: str = "oph",
        fold_width: bool = True,
        fold_case: bool = True,
        drop_space: bool = True,
        drop_punct: bool = True,
        errors: str = "replace",
    ):
        if not isinstance(num_perm, (int, np.integer)) or num_perm < 1:
            raise ValueError(f"num_perm must be a positive int, got {num_perm!r}")
        if not isinstance(ngram, (int, np.integer)) or ngram < 1:
            raise ValueError(f"ngram must be a positive int, got {ngram!r}")
        if method not in ("oph", "classic"):
            raise ValueError(f"method must be 'oph' or 'classic', got {method!r}")
        if not 0 <= int(seed) < 2**64:
            raise ValueError("seed must fit in 64 bits")
        self.num_perm, self.ngram, self.seed, self.method = int(num_perm), int(ngram), int(seed), method
        self.fold_width, self.fold_case = bool(fold_width), bool(fold_case)
        self.drop_space, self.drop_punct = bool(drop_space), bool(drop_punct)
        self.errors = cs.check_errors(errors)
        self._norm = _native.DedupNorm(self.fold_width, self.fold_case, self.drop_space, self.drop_punct, errors)

    def __repr__(self) -> str:
        return (
            f"MinHasher(num_perm={self.num_perm}, ngram={self.ngram}, seed={self.seed}, method={self.method!r}, "
            f"fold_width={self.fold_width}, fold_case={self.fold_case}, drop_space={self.drop_space}, "
            f"drop_punct={self.drop_punct}, errors={self.errors!r})"
        )

    def normalize(self, docs: Docs) -> list:
        """The normalised texts the shingles are taken from."""
        return _native.dedup_normalize(docs, _norm_table(), self._norm)

    def signatures(self, docs: Docs, threads: Optional[int] = None) -> np.ndarray:
        """``uint32`` array of shape (len(docs), num_perm); an empty document is all 0xFFFFFFFF."""
        return self.signatures_and_lengths(docs, threads)[0]

    def signatures_and_lengths(self, docs: Docs, threads: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
        """Signatures and the normalised length (code points) of each document."""
        return _native.dedup_signatures(
            docs,
            _norm_table(),
            self._norm,
            self.num_perm,
            self.ngram,
            self.seed,
            self.method == "classic",
            _threads(threads),
        )

    def shingles(self, docs: Docs) -> list:
        """Sorted unique 64-bit shingle hashes of each document."""
        return _native.dedup_shingles(docs, _norm_table(), self._norm, self.ngram, self.seed)

    def exact_keys(self, docs: Docs, threads: Optional[int] = None) -> np.ndarray:
        """128-bit keys (``uint64`` pairs) of the normalised texts, for exact dedup."""
        return _native.dedup_exact_keys(docs, _norm_table(), self._norm, self.seed, _threads(threads))

    def pair_jaccard(self, docs: Docs, pairs: np.ndarray, threads: Optional[int] = None) -> np.ndarray:
        """Exact Jaccard similarity of the shingle sets of each (i, j) pair."""
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        return _native.dedup_pair_jaccard(
            docs, _norm_table(), self._norm, self.ngram, self.seed, pairs, _threads(threads)
        )


def lsh_probability(j, bands: int = DEFAULT_BANDS, rows: int = DEFAULT_ROWS):
    """P(a pair of Jaccard ``j`` shares at least one band) = 1 - (1 - j^rows)^bands."""
    j = np.asarray(j, dtype=np.float64)
    return 1.0 - (1.0 - j**rows) ** bands


def recommend_bands(num_perm: int = DEFAULT_NUM_PERM, threshold: float = DEFAULT_THRESHOLD, recall: float = 0.95):
    """(bands, rows) with bands * rows <= num_perm such that a pair at ``threshold``
    is a candidate with probability >= ``recall``, choosing the one that sends the
    fewest dissimilar pairs to verification (smallest area under P(J) for J < threshold).
    Returns None when no setting reaches the recall."""
    best = None
    js = np.linspace(0.0, threshold, 201)
    for rows in range(1, num_perm + 1):
        for bands in range(1, num_perm // rows + 1):
            if lsh_probability(threshold, bands, rows) < recall:
                continue
            fp = _trapezoid(lsh_probability(js, bands, rows), js)
            key = (fp, bands * rows, bands)
            if best is None or key < best[0]:
                best = (key, (bands, rows))
    return None if best is None else best[1]


@dataclass
class DedupResult:
    """Outcome of :func:`near_duplicates` with ``return_info=True``.

    keep: bool mask; reason: KEPT, EXACT or NEAR per document; kept_as: index of
    the document kept in its place (itself when kept); pairs / jaccard: the
    candidate pairs checked and their exact Jaccard; lengths: normalised lengths;
    signatures / exact_keys: the MinHash signatures and exact-dedup keys computed on
    the way (None where not computed), e.g. for :meth:`GlobalDeduplicator.add_shard`.
    """

    keep: np.ndarray
    reason: np.ndarray
    kept_as: np.ndarray
    pairs: np.ndarray
    jaccard: np.ndarray
    lengths: np.ndarray
    signatures: Optional[np.ndarray] = None
    exact_keys: Optional[np.ndarray] = None

    @property
    def counts(self) -> dict:
        return {
            "docs": int(self.keep.size),
            "kept": int(self.keep.sum()),
            "exact": int((self.reason == EXACT).sum()),
            "near": int((self.reason == NEAR).sum()),
        }


def _check_lsh(num_perm: int, bands: int, rows: int, threshold: float) -> None:
    if bands < 1 or rows < 1 or bands * rows > num_perm:
        raise ValueError(f"need bands >= 1, rows >= 1 and bands * rows <= num_perm ({bands} x {rows} > {num_perm})")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must lie in [0, 1], got {threshold}")


def _policy(keep: str, scores, n: int):
    if keep not in _POLICIES:
        raise ValueError(f"keep must be one of {sorted(_POLICIES)}, got {keep!r}")
    if keep == "score":
        if scores is None:
            raise ValueError("keep='score' needs scores")
        scores = np.ascontiguousarray(scores, dtype=np.float64)
        if scores.shape != (n,):
            raise ValueError(f"scores must have one value per document ({n}), got shape {scores.shape}")
        if np.isnan(scores).any():
            raise ValueError("scores must not be NaN (a NaN would make the kept document depend on order)")
    return _POLICIES[keep], scores


def exact_pairs(keys: np.ndarray, active: Optional[np.ndarray] = None) -> np.ndarray:
    """(first, other) pairs of the documents with equal keys (rows of ``keys``)."""
    n = keys.shape[0]
    idx = np.arange(n) if active is None else np.flatnonzero(active)
    if idx.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    k = np.ascontiguousarray(keys[idx])
    order = np.lexsort((idx, k[:, 1], k[:, 0]))
    ks = k[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = np.any(ks[1:] != ks[:-1], axis=1)
    first = np.maximum.accumulate(np.where(new, np.arange(order.size), 0))
    dup = ~new
    return np.stack([idx[order[first[dup]]], idx[order[dup]]], axis=1).astype(np.int64)


def near_duplicates(
    docs: Docs,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    num_perm: int = DEFAULT_NUM_PERM,
    bands: int = DEFAULT_BANDS,
    rows: int = DEFAULT_ROWS,
    ngram: int = DEFAULT_NGRAM,
    seed: int = 0,
    method: str = "oph",
    keep: str = "first",
    scores=None,
    exact: bool = True,
    hasher: Optional[MinHasher] = None,
    threads: Optional[int] = None,
    return_info: bool = False,
):
    """Keep mask that removes exact and near-duplicate documents.

    Exact duplicates of the normalised text go first (``exact=True``); then
    MinHash LSH proposes candidate pairs, each is kept only if the exact Jaccard
    of the shingle sets is >= ``threshold``, and union-find joins them into
    clusters of which one document is kept (``keep`` = "first", "longest" or
    "score" with ``scores``). ``hasher`` overrides num_perm/ngram/seed/method.
    """
    hasher = hasher or MinHasher(num_perm=num_perm, ngram=ngram, seed=seed, method=method)
    _check_lsh(hasher.num_perm, bands, rows, threshold)
    n = len(docs)
    policy, scores = _policy(keep, scores, n)
    th = _threads(threads)
    sig, lengths = hasher.signatures_and_lengths(docs, threads)
    reason = np.zeros(n, dtype=np.int8)
    kept_as = np.arange(n, dtype=np.int64)
    active = np.ones(n, dtype=bool)
    xkeys = None
    if exact and n:
        xkeys = hasher.exact_keys(docs, threads)
        pairs = exact_pairs(xkeys)
        keep_x, root_x = _native.dedup_clusters(n, pairs, policy, lengths, scores)
        reason[~keep_x] = EXACT
        kept_as = root_x.astype(np.int64)
        active = keep_x.copy()
    active &= lengths > 0
    keys = _native.dedup_band_keys(sig, bands, rows, th)
    cand = _native.dedup_candidates(keys, active.view(np.uint8), th)
    jac = hasher.pair_jaccard(docs, cand, threads) if cand.size else np.zeros(0)
    near = cand[jac >= threshold]
    keep_n, root_n = _native.dedup_clusters(n, near, policy, lengths, scores)
    removed = ~keep_n
    reason[removed] = NEAR
    kept_as[removed] = root_n[removed]
    # A document removed as an exact copy of one that is removed as a near-duplicate
    # points to the survivor.
    kept_as = np.where(reason == EXACT, kept_as[kept_as], kept_as)
    keep_mask = reason == KEPT
    if not return_info:
        return keep_mask
    return DedupResult(keep_mask, reason, kept_as, cand, jac, lengths, sig, xkeys)


def jaccard(a: str, b: str, ngram: int = DEFAULT_NGRAM, **normalisation) -> float:
    """Exact Jaccard similarity of the shingle sets of two texts (1.0 for two empty ones)."""
    h = MinHasher(ngram=ngram, **normalisation)
    return float(h.pair_jaccard([a, b], np.array([[0, 1]]))[0])


class LSHIndex:
    """Incremental banded LSH index for streaming use.

    ``insert(signatures, ids)`` adds documents; ``query(signatures)`` returns, for
    each signature, the sorted ids of the inserted documents sharing a band.
    """

    def __init__(self, bands: int = DEFAULT_BANDS, rows: int = DEFAULT_ROWS, threads: Optional[int] = None):
        if bands < 1 or rows < 1:
            raise ValueError("bands and rows must be >= 1")
        self.bands, self.rows = int(bands), int(rows)
        self._threads = _threads(threads)
        self._index = _native.LSHTable(self.bands)
        self._count = 0  # documents offered to insert(), empty ones included

    def band_keys(self, signatures: np.ndarray) -> np.ndarray:
        sig = np.ascontiguousarray(signatures, dtype=np.uint32)
        if sig.ndim != 2:
            raise ValueError("signatures must be a 2-D array (docs x num_perm)")
        return _native.dedup_band_keys(sig, self.bands, self.rows, self._threads)

    def _empty_rows(self, sig: np.ndarray) -> np.ndarray:
        """Indices of the empty signatures (all values 0xFFFFFFFF): the first column is read,
        and only rows that start with 0xFFFFFFFF are compared in full."""
        cand = np.flatnonzero(sig[:, 0] == np.uint32(0xFFFFFFFF)) if sig.shape[1] else np.arange(sig.shape[0])
        return cand[np.all(sig[cand] == np.uint32(0xFFFFFFFF), axis=1)] if cand.size else cand

    def _check(self, sig: np.ndarray) -> None:
        if sig.ndim != 2:
            raise ValueError("signatures must be a 2-D array (docs x num_perm)")
        if sig.shape[1] < self.bands * self.rows:
            raise ValueError(f"need bands * rows <= num_perm ({self.bands} x {self.rows} > {sig.shape[1]})")

    def insert(self, signatures: np.ndarray, ids=None) -> None:
        """Add documents (ids default to 0, 1, ... in insertion order); empty ones are skipped."""
        sig = np.ascontiguousarray(signatures, dtype=np.uint32)
        self._check(sig)
        n = sig.shape[0]
        if ids is None:
            ids = np.arange(self._count, self._count + n, dtype=np.int64)
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if ids.shape != (n,):
            raise ValueError(f"ids must have one entry per signature ({n})")
        self._count += n
        empty = self._empty_rows(sig)
        if empty.size:
            sig, ids = np.delete(sig, empty, axis=0), np.delete(ids, empty)
        self._index.insert_signatures(sig, self.rows, ids, self._threads)

    def query(self, signatures: np.ndarray) -> list:
        """For each signature, the sorted ids sharing at least one band (none for an empty one)."""
        sig = np.ascontiguousarray(signatures, dtype=np.uint32)
        offsets, ids = self._index.query(self.band_keys(sig), self._threads)
        out = [ids[offsets[i] : offsets[i + 1]] for i in range(offsets.size - 1)]
        for i in self._empty_rows(sig):
            out[i] = np.zeros(0, dtype=np.int64)
        return out

    def __len__(self) -> int:
        """Documents stored (empty ones are not)."""
        return len(self._index)


def _trapezoid(y, x):  # NumPy 2 renamed trapz
    f = getattr(np, "trapezoid", None) or getattr(np, "trapz")
    return float(f(y, x))


def curve_table(bands: int, rows: int, js=None):
    """Rows of (J, P(candidate | J)) for J = 0.50, 0.55, ..., 1.00."""
    js = np.round(np.arange(0.5, 1.0001, 0.05), 2) if js is None else np.asarray(js, dtype=float)
    return list(zip(js.tolist(), lsh_probability(js, bands, rows).tolist()))

