"""Pure-Python twin of the native dedup engine (:mod:`corpus_engine.dedup`).

It follows docs/dedup.md step by step and is the oracle of the differential tests and the
baseline of the benchmarks: same public names, same signatures and the same results (signatures
bit for bit, band keys, candidate pairs, Jaccard values, keep masks, reasons). ``threads`` is
accepted and ignored. No native code: XXH64 and SplitMix64's finaliser are written here from
their published definitions; NumPy only holds the returned arrays.

>>> near_duplicates(["南开大学位于天津市，是一所综合性研究型大学。", "南开大学位于天津市，是一所综合性研究型大学！"]).tolist()
[True, False]
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .. import charsets as cs
from ..batch import TextBatch

Docs = Union[Sequence[str], TextBatch]

__all__ = [
    "MinHasher",
    "LSHIndex",
    "DedupResult",
    "near_duplicates",
    "exact_pairs",
    "jaccard",
    "lsh_probability",
    "recommend_bands",
    "curve_table",
    "candidate_pairs",
    "band_keys",
    "clusters",
    "xxh64",
    "mix64",
    "KEPT",
    "EXACT",
    "NEAR",
]

DEFAULT_NUM_PERM = 128
DEFAULT_BANDS = 16
DEFAULT_ROWS = 8
DEFAULT_NGRAM = 5
DEFAULT_THRESHOLD = 0.8

KEPT, EXACT, NEAR = 0, 1, 2
_POLICIES = {"first": 0, "longest": 1, "score": 2}

ALL_PAIRS_MAX = 32  # a bucket up to this size proposes all its pairs; a larger one a star and a chain
DENSIFY_SALT = 0x9E3779B97F4A7C15
EXACT_SALT = 0x5BD1E995
EMPTY_VALUE = 0xFFFFFFFF

_M64 = (1 << 64) - 1
_M32 = (1 << 32) - 1

# ---------------------------------------------------------------------------
# XXH64 (xxHash specification, "XXH64 algorithm description") and SplitMix64's finaliser

_P1 = 0x9E3779B185EBCA87
_P2 = 0xC2B2AE3D27D4EB4F
_P3 = 0x165667B19E3779F9
_P4 = 0x85EBCA77C2B2AE63
_P5 = 0x27D4EB2F165667C5

_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")
_STRIPE = struct.Struct("<4Q")


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M64


def _round(acc: int, lane: int) -> int:
    acc = (acc + lane * _P2) & _M64
    return (_rotl(acc, 31) * _P1) & _M64


def _merge(acc: int, v: int) -> int:
    acc ^= _round(0, v)
    return (acc * _P1 + _P4) & _M64


def _xxh64(buf: bytes, start: int, end: int, seed: int) -> int:
    """XXH64 of ``buf[start:end]`` (no copy)."""
    length = end - start
    p = start
    if length >= 32:
        # Four accumulators over 32-byte stripes.
        v1 = (seed + _P1 + _P2) & _M64
        v2 = (seed + _P2) & _M64
        v3 = seed
        v4 = (seed - _P1) & _M64
        while end - p >= 32:
            a, b, c, d = _STRIPE.unpack_from(buf, p)
            v1 = _round(v1, a)
            v2 = _round(v2, b)
            v3 = _round(v3, c)
            v4 = _round(v4, d)
            p += 32
        acc = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _M64
        acc = _merge(acc, v1)
        acc = _merge(acc, v2)
        acc = _merge(acc, v3)
        acc = _merge(acc, v4)
    else:
        acc = (seed + _P5) & _M64
    acc = (acc + length) & _M64
    # The remaining < 32 bytes: 8 at a time, then 4, then one by one.
    while end - p >= 8:
        acc ^= _round(0, _U64.unpack_from(buf, p)[0])
        acc = (_rotl(acc, 27) * _P1 + _P4) & _M64
        p += 8
    if end - p >= 4:
        acc ^= (_U32.unpack_from(buf, p)[0] * _P1) & _M64
        acc = (_rotl(acc, 23) * _P2 + _P3) & _M64
        p += 4
    while p < end:
        acc ^= (buf[p] * _P5) & _M64
        acc = (_rotl(acc, 11) * _P1) & _M64
        p += 1
    # Avalanche.
    acc ^= acc >> 33
    acc = (acc * _P2) & _M64
    acc ^= acc >> 29
    acc = (acc * _P3) & _M64
    acc ^= acc >> 32
    return acc


def xxh64(data, seed: int = 0) -> int:
    """XXH64 of a bytes-like object (same value as ``xxhash.xxh64_intdigest(data, seed)``)."""
    seed = int(seed)
    if not 0 <= seed <= _M64:
        raise ValueError("seed must fit in 64 bits")
    buf = bytes(data)
    return _xxh64(buf, 0, len(buf), seed)


def mix64(z: int) -> int:
    """SplitMix64's output function (finaliser) on a 64-bit value."""
    z &= _M64
    z ^= z >> 30
    z = (z * 0xBF58476D1CE4E5B9) & _M64
    z ^= z >> 27
    z = (z * 0x94D049BB133111EB) & _M64
    z ^= z >> 31
    return z


# ---------------------------------------------------------------------------
# Documents and normalisation

_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACE, _PUNCT = 1, 2


def _clean(doc, errors: str) -> str:
    """A document as the kernels see it: invalid UTF-8 / lone surrogates replaced or dropped."""
    if isinstance(doc, str):
        if _SURROGATE.search(doc):
            return _SURROGATE.sub("\ufffd" if errors == "replace" else "", doc)
        return doc
    return bytes(doc).decode("utf-8", "replace" if errors == "replace" else "ignore")


def _docs(docs: Docs, errors: str) -> List[str]:
    if isinstance(docs, TextBatch):
        return [_clean(d, errors) for d in docs]
    if isinstance(docs, (str, bytes)):
        raise TypeError("docs must be a sequence of str or a TextBatch, not a single str/bytes")
    out = []
    for i, d in enumerate(docs):
        if not isinstance(d, str):
            raise TypeError(f"docs[{i}] is {type(d).__name__}, expected str")
        out.append(_clean(d, errors))
    return out


@lru_cache(maxsize=1)
def _norm_table() -> bytearray:
    """Per code point: _SPACE for the WS and PH sets, _PUNCT for general category P*."""
    table = bytearray(cs.MAX_CP + 1)
    for flag, ranges in ((_SPACE, cs.WHITESPACE + cs.PLACEHOLDERS), (_PUNCT, cs.unicode_punctuation())):
        for lo, hi in ranges:
            for cp in range(lo, hi + 1):
                table[cp] |= flag
    return table


def _utf32(cps: List[int]) -> bytes:
    """Code points as little-endian UTF-32 (4 bytes each)."""
    return struct.pack(f"<{len(cps)}I", *cps)


# ---------------------------------------------------------------------------
# MinHash


def _check_seed(seed) -> int:
    if not 0 <= int(seed) < 2**64:
        raise ValueError("seed must fit in 64 bits")
    return int(seed)


class MinHasher:
    """Shingles a normalised text and computes MinHash signatures (see
    :class:`corpus_engine.dedup.MinHasher`; same parameters, same results)."""

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
        self.num_perm, self.ngram, self.seed, self.method = int(num_perm), int(ngram), _check_seed(seed), method
        self.fold_width, self.fold_case = bool(fold_width), bool(fold_case)
        self.drop_space, self.drop_punct = bool(drop_space), bool(drop_punct)
        self.errors = cs.check_errors(errors)
        self._classic_ab: Optional[Tuple[List[int], List[int]]] = None
        self._probes: Dict[int, List[int]] = {}

    def __repr__(self) -> str:
        return (
            f"MinHasher(num_perm={self.num_perm}, ngram={self.ngram}, seed={self.seed}, method={self.method!r}, "
            f"fold_width={self.fold_width}, fold_case={self.fold_case}, drop_space={self.drop_space}, "
            f"drop_punct={self.drop_punct}, errors={self.errors!r})"
        )

    # -- step 1: normalised code points ----------------------------------------------------

    def _normalize_one(self, text: str) -> List[int]:
        table = _norm_table()
        drop = (_SPACE if self.drop_space else 0) | (_PUNCT if self.drop_punct else 0)
        out = []
        for ch in text:
            cp = ord(ch)
            if self.fold_width:
                if 0xFF01 <= cp <= 0xFF5E:  # full-width ASCII -> ASCII
                    cp -= 0xFEE0
                elif cp == 0x3000:  # ideographic space -> space
                    cp = 0x20
            if self.fold_case and 0x41 <= cp <= 0x5A:  # ASCII A-Z -> a-z
                cp += 32
            if table[cp] & drop:
                continue
            out.append(cp)
        return out

    def _code_points(self, docs: Docs) -> List[List[int]]:
        return [self._normalize_one(t) for t in _docs(docs, self.errors)]

    # -- step 2: shingle hashes -------------------------------------------------------------

    def _shingle_hashes(self, cps: List[int]) -> List[int]:
        """XXH64 of every shingle (UTF-32LE of its code points), in text order, repeats included."""
        m, n = len(cps), self.ngram
        if m == 0:
            return []
        buf = _utf32(cps)
        if m < n:
            return [_xxh64(buf, 0, 4 * m, self.seed)]
        w = 4 * n
        return [_xxh64(buf, 4 * i, 4 * i + w, self.seed) for i in range(m - n + 1)]

    # -- step 3: signatures -----------------------------------------------------------------

    def _probe(self, i: int):
        """The bins that empty bin ``i`` looks at, attempt = 0, 1, 2, ... (the sequence depends
        only on seed, num_perm and i, so it is cached and extended on demand)."""
        seq = self._probes.setdefault(i, [])
        k = self.num_perm
        attempt = 0
        while True:
            if attempt == len(seq):
                z = mix64(self.seed ^ ((i << 32) | attempt) ^ DENSIFY_SALT)
                seq.append(((z >> 32) * k) >> 32)
            yield seq[attempt]
            attempt += 1

    def _signature_oph(self, hashes: List[int]) -> List[int]:
        k = self.num_perm
        sig = [EMPTY_VALUE] * k
        filled = [False] * k
        for h in hashes:
            b = ((h >> 32) * k) >> 32
            v = h & _M32
            if v < sig[b]:
                sig[b] = v
            filled[b] = True
        if not hashes:
            return sig
        # Optimal densification: an empty bin copies the first bin of its own probe sequence
        # that was non-empty before densification.
        for i in range(k):
            if filled[i]:
                continue
            for j in self._probe(i):
                if filled[j]:
                    sig[i] = sig[j]
                    break
        return sig

    def _classic_params(self) -> Tuple[List[int], List[int]]:
        if self._classic_ab is None:
            s = self.seed
            a = [mix64(s + 2 * k + 1) | 1 for k in range(self.num_perm)]
            b = [mix64(s + 2 * k + 2) for k in range(self.num_perm)]
            self._classic_ab = (a, b)
        return self._classic_ab

    def _signature_classic(self, hashes: List[int]) -> List[int]:
        if not hashes:
            return [EMPTY_VALUE] * self.num_perm
        unique = set(hashes)  # the minimum over a multiset is the minimum over its set
        a, b = self._classic_params()
        return [min(((ak * h + bk) & _M64) >> 32 for h in unique) for ak, bk in zip(a, b)]

    def _signature(self, hashes: List[int]) -> List[int]:
        return self._signature_classic(hashes) if self.method == "classic" else self._signature_oph(hashes)

    def _exact_key(self, cps: List[int]) -> Tuple[int, int]:
        buf = _utf32(cps)
        return _xxh64(buf, 0, len(buf), self.seed), _xxh64(buf, 0, len(buf), self.seed ^ EXACT_SALT)

    # -- public API -------------------------------------------------------------------------

    def normalize(self, docs: Docs) -> list:
        """The normalised texts the shingles are taken from."""
        return ["".join(map(chr, cps)) for cps in self._code_points(docs)]

    def signatures(self, docs: Docs, threads: Optional[int] = None) -> np.ndarray:
        """``uint32`` array of shape (len(docs), num_perm); an empty document is all 0xFFFFFFFF."""
        return self.signatures_and_lengths(docs, threads)[0]

    def signatures_and_lengths(self, docs: Docs, threads: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
        """Signatures and the normalised length (code points) of each document."""
        all_cps = self._code_points(docs)
        sigs = [self._signature(self._shingle_hashes(cps)) for cps in all_cps]
        return _sig_array(sigs, self.num_perm), np.array([len(c) for c in all_cps], dtype=np.int64)

    def shingles(self, docs: Docs) -> list:
        """Sorted unique 64-bit shingle hashes of each document."""
        return [np.array(sorted(set(self._shingle_hashes(cps))), dtype=np.uint64) for cps in self._code_points(docs)]

    def exact_keys(self, docs: Docs, threads: Optional[int] = None) -> np.ndarray:
        """128-bit keys (``uint64`` pairs) of the normalised texts, for exact dedup."""
        keys = [self._exact_key(cps) for cps in self._code_points(docs)]
        return np.array(keys, dtype=np.uint64).reshape(len(keys), 2)

    def pair_jaccard(self, docs: Docs, pairs, threads: Optional[int] = None) -> np.ndarray:
        """Exact Jaccard similarity of the shingle sets of each (i, j) pair."""
        pairs = _pair_list(pairs)
        texts = _docs(docs, self.errors)
        n = len(texts)
        for i, (x, y) in enumerate(pairs):
            if not (0 <= x < n and 0 <= y < n):
                raise IndexError(f"pair {i} names a document outside 0..{n - 1}")
        sets: Dict[int, frozenset] = {}
        for x, y in pairs:
            for d in (x, y):
                if d not in sets:
                    sets[d] = frozenset(self._shingle_hashes(self._normalize_one(texts[d])))
        return np.array([_jaccard_sets(sets[x], sets[y]) for x, y in pairs], dtype=np.float64)


def _sig_array(sigs: List[List[int]], num_perm: int) -> np.ndarray:
    return np.array(sigs, dtype=np.uint32).reshape(len(sigs), num_perm)


def _pair_list(pairs) -> List[Tuple[int, int]]:
    a = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return [(int(x), int(y)) for x, y in a.tolist()]


def _jaccard_sets(a: frozenset, b: frozenset) -> float:
    """|A ∩ B| / |A ∪ B|; 1.0 for two empty sets."""
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def jaccard(a: str, b: str, ngram: int = DEFAULT_NGRAM, **normalisation) -> float:
    """Exact Jaccard similarity of the shingle sets of two texts (1.0 for two empty ones)."""
    h = MinHasher(ngram=ngram, **normalisation)
    return float(h.pair_jaccard([a, b], [[0, 1]])[0])


# ---------------------------------------------------------------------------
# LSH: band keys, candidate pairs, probabilities


def _band_keys_of(sig: Sequence[int], bands: int, rows: int) -> List[int]:
    """XXH64 of each band's ``rows`` values as little-endian uint32, seed = band number."""
    fmt = struct.Struct(f"<{rows}I")
    keys = []
    for k in range(bands):
        buf = fmt.pack(*sig[k * rows : (k + 1) * rows])
        keys.append(_xxh64(buf, 0, len(buf), k))
    return keys


def band_keys(signatures, bands: int, rows: int) -> np.ndarray:
    """Band keys (docs x bands, ``uint64``) of a (docs x num_perm) signature array."""
    sig = np.ascontiguousarray(signatures, dtype=np.uint32)
    if sig.ndim != 2:
        raise ValueError("signatures must be a 2-D array (docs x num_perm)")
    n, num_perm = sig.shape
    if bands < 1 or rows < 1 or bands * rows > num_perm:
        raise ValueError(f"need bands >= 1, rows >= 1 and bands * rows <= num_perm ({num_perm})")
    rows_list = sig.tolist()
    keys = [_band_keys_of(r, bands, rows) for r in rows_list]
    return np.array(keys, dtype=np.uint64).reshape(n, bands)


def candidate_pairs(keys, active=None) -> np.ndarray:
    """Candidate pairs (i < j, sorted, unique; int64 array of shape (p, 2)) of the documents
    with ``active[i]``: per band, a bucket of equal keys proposes all its pairs when it holds
    at most 32 documents, else the star from its first document and the chain."""
    keys = np.asarray(keys, dtype=np.uint64)
    n = keys.shape[0]
    bands = keys.shape[1] if keys.ndim == 2 else 0
    act = [True] * n if active is None else [bool(a) for a in np.asarray(active).tolist()]
    key_rows = keys.tolist()
    found = set()
    for k in range(bands):
        buckets: Dict[int, List[int]] = {}
        for i in range(n):
            if act[i]:
                buckets.setdefault(key_rows[i][k], []).append(i)  # increasing document index
        for g in buckets.values():
            if len(g) <= ALL_PAIRS_MAX:
                found.update(combinations(g, 2))
            else:
                for j in range(1, len(g)):
                    found.add((g[0], g[j]))
                    found.add((g[j - 1], g[j]))
    return np.array(sorted(found), dtype=np.int64).reshape(-1, 2)


def lsh_probability(j, bands: int = DEFAULT_BANDS, rows: int = DEFAULT_ROWS):
    """P(a pair of Jaccard ``j`` shares at least one band) = 1 - (1 - j^rows)^bands."""
    arr = np.asarray(j, dtype=np.float64)
    out = np.array([1.0 - (1.0 - x**rows) ** bands for x in arr.ravel().tolist()], dtype=np.float64)
    out = out.reshape(arr.shape)
    return out[()] if out.ndim == 0 else out


def _linspace(start: float, stop: float, num: int) -> List[float]:
    """The points of ``numpy.linspace(start, stop, num)``: start + i * step, the last one exactly stop."""
    step = (stop - start) / (num - 1)
    xs = [i * step + start for i in range(num)]
    xs[-1] = stop
    return xs


def _trapezoid(ys: List[float], xs: List[float]) -> float:
    return sum((xs[i + 1] - xs[i]) * (ys[i + 1] + ys[i]) / 2.0 for i in range(len(xs) - 1))


def recommend_bands(num_perm: int = DEFAULT_NUM_PERM, threshold: float = DEFAULT_THRESHOLD, recall: float = 0.95):
    """(bands, rows) with bands * rows <= num_perm such that a pair at ``threshold`` is a
    candidate with probability >= ``recall``, choosing the one that sends the fewest dissimilar
    pairs to verification (smallest area under P(J) for J < threshold; ties: fewer values
    used, then fewer bands). None when no setting reaches the recall."""
    best = None
    js = _linspace(0.0, float(threshold), 201)
    for rows in range(1, num_perm + 1):
        for bands in range(1, num_perm // rows + 1):
            if 1.0 - (1.0 - threshold**rows) ** bands < recall:
                continue
            fp = _trapezoid([1.0 - (1.0 - x**rows) ** bands for x in js], js)
            key = (fp, bands * rows, bands)
            if best is None or key < best[0]:
                best = (key, (bands, rows))
    return None if best is None else best[1]


def curve_table(bands: int, rows: int, js=None):
    """Rows of (J, P(candidate | J)) for J = 0.50, 0.55, ..., 1.00."""
    if js is None:
        js = [round(0.5 + 0.05 * i, 2) for i in range(11)]
    else:
        js = [float(x) for x in np.asarray(js, dtype=float).ravel().tolist()]
    return [(x, 1.0 - (1.0 - x**rows) ** bands) for x in js]


# ---------------------------------------------------------------------------
# Clusters, keep policy, exact dedup


@dataclass
class DedupResult:
    """Outcome of :func:`near_duplicates` with ``return_info=True`` (same fields as
    :class:`corpus_engine.dedup.DedupResult`)."""

    keep: np.ndarray
    reason: np.ndarray
    kept_as: np.ndarray
    pairs: np.ndarray
    jaccard: np.ndarray
    lengths: np.ndarray

    @property
    def counts(self) -> dict:
        return {
            "docs": int(self.keep.size),
            "kept": int(self.keep.sum()),
            "exact": int((self.reason == EXACT).sum()),
            "near": int((self.reason == NEAR).sum()),
        }


def clusters(n: int, pairs, policy: int, lengths=None, scores=None) -> Tuple[np.ndarray, np.ndarray]:
    """Union-find over the pairs; each cluster keeps one member: the lowest index (policy 0),
    the most normalised code points (1) or the highest score (2), ties to the lowest index.
    Returns (keep mask, index of the kept member of each document's cluster)."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in _pair_list(pairs):
        a, b = find(x), find(y)
        if a != b:
            parent[max(a, b)] = min(a, b)
    value = None
    if policy == 1:
        value = [int(v) for v in np.asarray(lengths).tolist()]
    elif policy == 2:
        value = [float(v) for v in np.asarray(scores, dtype=np.float64).tolist()]
    # Members in increasing index order; a later member replaces the best only when strictly
    # better, so a tie keeps the lowest index.
    best: Dict[int, int] = {}
    for i in range(n):
        r = find(i)
        if r not in best:
            best[r] = i
        elif value is not None and value[i] > value[best[r]]:
            best[r] = i
    root = [best[find(i)] for i in range(n)]
    keep = np.array([root[i] == i for i in range(n)], dtype=bool)
    return keep, np.array(root, dtype=np.int64)


def exact_pairs(keys, active=None) -> np.ndarray:
    """(first, other) pairs of the documents with equal keys (rows of ``keys``): groups in
    increasing key order, each group's members in increasing index order."""
    rows = [tuple(r) for r in np.asarray(keys).tolist()]
    idx = range(len(rows)) if active is None else [i for i, a in enumerate(np.asarray(active).tolist()) if a]
    groups: Dict[tuple, List[int]] = {}
    for i in idx:
        groups.setdefault(rows[i], []).append(i)
    out = []
    for key in sorted(groups):
        g = groups[key]
        out.extend((g[0], other) for other in g[1:])
    return np.array(out, dtype=np.int64).reshape(-1, 2)


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


def _as_reference(h) -> MinHasher:
    if isinstance(h, MinHasher):
        return h
    return MinHasher(h.num_perm, h.ngram, h.seed, h.method, h.fold_width, h.fold_case, h.drop_space, h.drop_punct,
                     h.errors)


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
    """Keep mask that removes exact and near-duplicate documents (docs/dedup.md §4-§6).

    Exact duplicates of the normalised text go first (``exact=True``); then MinHash LSH
    proposes candidate pairs, each is kept only if the exact Jaccard of the shingle sets is
    >= ``threshold``, and union-find joins them into clusters of which one document is kept.
    """
    h = _as_reference(hasher) if hasher is not None else MinHasher(num_perm=num_perm, ngram=ngram, seed=seed,
                                                                   method=method)
    _check_lsh(h.num_perm, bands, rows, threshold)
    n = len(docs)
    policy, scores = _policy(keep, scores, n)

    # Normalise and hash every document once.
    all_cps = h._code_points(docs)
    hashes = [h._shingle_hashes(cps) for cps in all_cps]
    lengths = np.array([len(c) for c in all_cps], dtype=np.int64)
    sigs = [h._signature(hs) for hs in hashes]

    reason = [KEPT] * n
    kept_as = list(range(n))
    active = [True] * n
    # §6 exact dedup.
    if exact and n:
        keys = np.array([h._exact_key(cps) for cps in all_cps], dtype=np.uint64).reshape(n, 2)
        keep_x, root_x = clusters(n, exact_pairs(keys), policy, lengths, scores)
        for i in range(n):
            if not keep_x[i]:
                reason[i] = EXACT
                active[i] = False
            kept_as[i] = int(root_x[i])
    # Empty documents take no part in near dedup.
    for i in range(n):
        if lengths[i] == 0:
            active[i] = False

    # §4 band keys and candidate pairs; §5 verification and clusters.
    keys_b = np.array([_band_keys_of(s, bands, rows) for s in sigs], dtype=np.uint64).reshape(n, bands)
    cand = candidate_pairs(keys_b, active)
    sets: Dict[int, frozenset] = {}

    def shingle_set(i: int) -> frozenset:
        if i not in sets:
            sets[i] = frozenset(hashes[i])
        return sets[i]

    jac = np.array([_jaccard_sets(shingle_set(x), shingle_set(y)) for x, y in cand.tolist()], dtype=np.float64)
    near = cand[jac >= threshold] if cand.size else cand
    keep_n, root_n = clusters(n, near, policy, lengths, scores)
    for i in range(n):
        if not keep_n[i]:
            reason[i] = NEAR
            kept_as[i] = int(root_n[i])
    # A document removed as an exact copy of one removed as a near-duplicate points to the survivor.
    kept_as = [kept_as[kept_as[i]] if reason[i] == EXACT else kept_as[i] for i in range(n)]

    reason_a = np.array(reason, dtype=np.int8)
    keep_mask = reason_a == KEPT
    if not return_info:
        return keep_mask
    return DedupResult(keep_mask, reason_a, np.array(kept_as, dtype=np.int64), cand, jac, lengths)


# ---------------------------------------------------------------------------
# Streaming index


class LSHIndex:
    """Incremental banded LSH index: ``insert(signatures, ids)`` adds documents;
    ``query(signatures)`` returns, for each signature, the sorted ids of the inserted
    documents sharing at least one band key."""

    def __init__(self, bands: int = DEFAULT_BANDS, rows: int = DEFAULT_ROWS, threads: Optional[int] = None):
        if bands < 1 or rows < 1:
            raise ValueError("bands and rows must be >= 1")
        self.bands, self.rows = int(bands), int(rows)
        self._tables: List[Dict[int, List[int]]] = [{} for _ in range(self.bands)]
        self._count = 0  # documents offered, empty ones included
        self._stored = 0

    def band_keys(self, signatures) -> np.ndarray:
        sig = np.ascontiguousarray(signatures, dtype=np.uint32)
        if sig.ndim != 2:
            raise ValueError("signatures must be a 2-D array (docs x num_perm)")
        return band_keys(sig, self.bands, self.rows)

    @staticmethod
    def _empty(row) -> bool:
        return all(v == 0xFFFFFFFF for v in row)

    def insert(self, signatures, ids=None) -> None:
        sig = np.ascontiguousarray(signatures, dtype=np.uint32)
        keys = self.band_keys(sig)
        n = keys.shape[0]
        if ids is None:
            ids = np.arange(self._count, self._count + n, dtype=np.int64)
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if ids.shape != (n,):
            raise ValueError(f"ids must have one entry per signature ({n})")
        for srow, row, doc_id in zip(sig.tolist(), keys.tolist(), ids.tolist()):
            if self._empty(srow):  # an empty document is never a candidate
                continue
            self._stored += 1
            for k, key in enumerate(row):
                self._tables[k].setdefault(key, []).append(doc_id)
        self._count += n

    def query(self, signatures) -> list:
        sig = np.ascontiguousarray(signatures, dtype=np.uint32)
        out = []
        for srow, row in zip(sig.tolist(), self.band_keys(sig).tolist()):
            found = set()
            if not self._empty(srow):
                for k, key in enumerate(row):
                    found.update(self._tables[k].get(key, ()))
            out.append(np.array(sorted(found), dtype=np.int64))
        return out

    def __len__(self) -> int:
        return self._stored
