"""Pure-Python twin of the censor matcher (:mod:`corpus_engine.censor`).

It follows docs/censor.md step by step and is the oracle of the differential tests and the
baseline of the benchmarks: same public names, same signatures and the same results (hits,
distinct words, covered code points, lengths, spans, keep masks, reasons). ``threads`` is
accepted and ignored. No native code: the text is normalised by ``Lexicon.normalize`` (the
same function the native matcher's words went through), and every word is found by walking a
dict-of-dicts trie from every start position of the normalised text.

>>> from corpus_engine.censor_lexicon import Lexicon
>>> lex = Lexicon(entries=[("反动", "法轮功"), ("色情", "sex"), ("反动", "六四")])
>>> r = Matcher(lex).scan(["法轮功法轮功", "Essex sex", "六四1989"])
>>> r.categories, r.hits.tolist()
(['反动', '色情'], [[2, 0], [0, 1], [1, 0]])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .. import charsets as cs
from ..batch import TextBatch
from .text import _docs

Docs = Union[Sequence[str], TextBatch]

__all__ = ["Matcher", "ScanResult", "DEFAULT_MAX_HITS", "DEFAULT_MAX_RATIO", "is_ascii_alnum"]

from ..censor_lexicon import DEFAULT_MAX_HITS, DEFAULT_MAX_RATIO  # pure Python: shared with the native module

_END = ""  # trie key of "a word ends here" (a real key is always one character)


def is_ascii_alnum(ch: str) -> bool:
    return ("0" <= ch <= "9") or ("a" <= ch <= "z") or ("A" <= ch <= "Z")


@dataclass
class ScanResult:
    """Per-document, per-category counts of one scan (row i = document i, column c = category c)."""

    categories: List[str]
    hits: np.ndarray  # (n, C) int64: hits of words of the category
    distinct: np.ndarray  # (n, C) int64: different words of the category that hit
    covered: np.ndarray  # (n, C) int64: code points inside the union of those hits' spans
    length: np.ndarray  # (n,) int64: code points after normalisation
    spans: Optional[list] = None  # per document an (k, 3) int64 array: start, end, word index

    def ratio(self) -> np.ndarray:
        """covered / length per document and category (0 where the document is empty)."""
        length = self.length.astype(np.float64)[:, None]
        out = np.zeros(self.covered.shape, dtype=np.float64)
        np.divide(self.covered.astype(np.float64), length, out=out, where=length > 0)
        return out

    def __len__(self) -> int:
        return int(self.length.shape[0])


def _thresholds(categories: Sequence[str], given: Optional[Mapping], defaults: Mapping, what: str) -> List[float]:
    """Per category of ``categories``: ``given`` merged over ``defaults``; ``"*"`` for the others."""
    merged = dict(defaults)
    if given:
        for k, v in given.items():
            if not isinstance(v, (int, float, np.integer, np.floating)) or v != v:
                raise ValueError(f"{what}[{k!r}] must be a number, got {v!r}")
            merged[k] = v
    out = []
    for c in categories:
        v = merged.get(c, merged.get("*"))
        if v is None:
            raise ValueError(f"no {what} for category {c!r} and no '*' default")
        out.append(float(v))
    return out


class Matcher:
    """Finds every occurrence of every lexicon word in normalised text, counted per category."""

    def __init__(self, lexicon, threads: Optional[int] = None):
        if not lexicon.categories:
            raise ValueError("the lexicon is empty")
        self.lexicon = lexicon
        self.categories: List[str] = list(lexicon.categories)
        self.words: List[str] = list(lexicon.words)
        masks = [int(m) for m in lexicon.word_categories]
        if len(masks) != len(self.words):
            raise ValueError("lexicon.word_categories must have one mask per word")
        C = len(self.categories)
        self._word_cats: List[Tuple[int, ...]] = [tuple(c for c in range(C) if m >> c & 1) for m in masks]
        self._first_alnum = [bool(w) and is_ascii_alnum(w[0]) for w in self.words]
        self._last_alnum = [bool(w) and is_ascii_alnum(w[-1]) for w in self.words]
        self._trie: dict = {}
        for wi, w in enumerate(self.words):
            if not w:
                continue  # an empty word never matches
            node = self._trie
            for ch in w:
                node = node.setdefault(ch, {})
            node[_END] = wi
        self.threads = threads

    # ------------------------------------------------------------------ matching

    def find(self, text: str) -> List[Tuple[int, int, int]]:
        """All hits (start, end, word index) in already-normalised ``text``, sorted by (start, end, word)."""
        trie, words = self._trie, self.words
        first_alnum, last_alnum = self._first_alnum, self._last_alnum
        n = len(text)
        out = []
        for i in range(n):
            node = trie.get(text[i])
            if node is None:
                continue
            prev_alnum = i > 0 and is_ascii_alnum(text[i - 1])
            j = i
            while True:
                j += 1
                wi = node.get(_END)
                if wi is not None:
                    ok = not (first_alnum[wi] and prev_alnum)
                    if ok and last_alnum[wi] and j < n and is_ascii_alnum(text[j]):
                        ok = False
                    if ok:
                        out.append((i, j, wi))
                if j >= n:
                    break
                node = node.get(text[j])
                if node is None:
                    break
        assert all(len(words[w]) == e - s for s, e, w in out)
        return out

    def _count(self, hits_list, C: int):
        hits = [0] * C
        seen: List[set] = [set() for _ in range(C)]
        spans_by_cat: List[List[Tuple[int, int]]] = [[] for _ in range(C)]
        for s, e, w in hits_list:
            for c in self._word_cats[w]:
                hits[c] += 1
                seen[c].add(w)
                spans_by_cat[c].append((s, e))
        covered = []
        for c in range(C):
            total, cur_s, cur_e = 0, -1, -1
            for s, e in spans_by_cat[c]:  # sorted by start already
                if s > cur_e:
                    total += cur_e - cur_s
                    cur_s, cur_e = s, e
                elif e > cur_e:
                    cur_e = e
            total += cur_e - cur_s
            covered.append(total)
        return hits, [len(x) for x in seen], covered

    # ------------------------------------------------------------------ public API

    def normalize(self, docs: Docs, errors: str = "replace") -> List[str]:
        """The documents as the matcher sees them (decoded, cleaned, normalised)."""
        cs.check_errors(errors)
        return [self.lexicon.normalize(d) for d in _docs(docs, errors)]

    def scan(self, docs: Docs, spans: bool = False, threads: Optional[int] = None,
             errors: str = "replace") -> ScanResult:
        texts = self.normalize(docs, errors)
        n, C = len(texts), len(self.categories)
        hits = np.zeros((n, C), dtype=np.int64)
        distinct = np.zeros((n, C), dtype=np.int64)
        covered = np.zeros((n, C), dtype=np.int64)
        length = np.zeros(n, dtype=np.int64)
        out_spans = [] if spans else None
        for i, t in enumerate(texts):
            found = self.find(t)
            length[i] = len(t)
            h, d, cv = self._count(found, C)
            hits[i], distinct[i], covered[i] = h, d, cv
            if spans:
                out_spans.append(np.array(found, dtype=np.int64).reshape(len(found), 3))
        return ScanResult(list(self.categories), hits, distinct, covered, length, out_spans)

    def decide(self, result: ScanResult, max_hits: Optional[Mapping] = None,
               max_ratio: Optional[Mapping] = None) -> Tuple[np.ndarray, np.ndarray]:
        """(keep, reason): a document is removed when, for some category c, hits > max_hits[c]
        or ratio > max_ratio[c]; reason = index of the first such category, -1 when kept."""
        cats = list(result.categories)
        mh = _thresholds(cats, max_hits, DEFAULT_MAX_HITS, "max_hits")
        mr = _thresholds(cats, max_ratio, DEFAULT_MAX_RATIO, "max_ratio")
        ratio = result.ratio()
        n = len(result.length)
        keep = np.ones(n, dtype=bool)
        reason = np.full(n, -1, dtype=np.int64)
        for i in range(n):
            for c in range(len(cats)):
                if result.hits[i, c] > mh[c] or ratio[i, c] > mr[c]:
                    keep[i] = False
                    reason[i] = c
                    break
        return keep, reason

    def filter(self, docs: Docs, max_hits: Optional[Mapping] = None, max_ratio: Optional[Mapping] = None,
               threads: Optional[int] = None) -> np.ndarray:
        return self.decide(self.scan(docs, threads=threads), max_hits, max_ratio)[0]
