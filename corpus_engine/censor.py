"""Bad-text removal: categorised sensitive-word lexicons matched exactly (native).

Every occurrence of every lexicon word is found (overlapping ones and words
right after one another included), counted per category, and a document is
removed when some category passes its hit-count or covered-ratio threshold, the
NKCorpus rule. Semantics: docs/censor.md. Pure-Python twin:
:mod:`corpus_engine.reference.censor`.

>>> from corpus_engine.censor import Lexicon, Matcher
>>> lex = Lexicon([("暴恐", "炸弹"), ("色情", "色情"), ("其他", "sex")])
>>> m = Matcher(lex)
>>> r = m.scan(["炸弹炸弹，色情1号", "Essex 是一个郡", "没有问题的句子"])
>>> r.categories, r.hits.tolist()
(['暴恐', '色情', '其他'], [[2, 1, 0], [0, 0, 0], [0, 0, 0]])
>>> keep, reason = m.decide(r, max_hits={"暴恐": 1})
>>> keep.tolist(), [r.categories[i] if i >= 0 else None for i in reason]
([False, True, True], ['暴恐', None, None])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _native
from . import charsets as cs
from .batch import TextBatch
from .censor_lexicon import DEFAULT_MAX_HITS, DEFAULT_MAX_RATIO, Lexicon, LexiconProblem, LexiconSource
from .text import _threads  # one definition of the threads= argument check

Docs = Union[Sequence[str], TextBatch]

__all__ = ["Lexicon", "LexiconProblem", "LexiconSource", "Matcher", "ScanResult", "DEFAULT_MAX_HITS", "DEFAULT_MAX_RATIO"]



@dataclass
class ScanResult:
    """Per document and category (columns in ``categories`` order): hits, distinct
    words, covered code points; ``length`` in code points; ``spans`` (when asked)
    per document an (k, 3) array of start, end, word index into ``lexicon.words``."""

    categories: List[str]
    hits: np.ndarray
    distinct: np.ndarray
    covered: np.ndarray
    length: np.ndarray
    spans: Optional[list] = None

    def ratio(self) -> np.ndarray:
        """covered / length per category (0 for an empty document)."""
        length = self.length.astype(np.float64)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(length > 0, self.covered / np.where(length > 0, length, 1.0), 0.0)


def _thresholds(categories: List[str], given, default, kind) -> np.ndarray:
    merged = dict(default)
    if given:
        for k, v in given.items():
            if not isinstance(v, (int, float, np.integer, np.floating)) or v != v:
                raise ValueError(f"{kind}[{k!r}] must be a number, got {v!r}")
            merged[k] = v
    fallback = merged.get("*")
    out = []
    for c in categories:
        v = merged.get(c, fallback)
        if v is None:
            raise ValueError(f"no {kind} for category {c!r} and no '*' default")
        out.append(v)
    return np.asarray(out, dtype=np.float64)


@lru_cache(maxsize=1)
def _plain_table() -> "_native.CharTable":
    return _native.CharTable([])  # normalisation here folds only: nothing is dropped


class Matcher:
    """Matches a :class:`Lexicon` in documents (native, OpenMP over documents, GIL released)."""

    def __init__(self, lexicon: Lexicon, threads: Optional[int] = None):
        if not isinstance(lexicon, Lexicon):
            raise TypeError(f"Matcher needs a Lexicon, got {type(lexicon).__name__}")
        if not lexicon.categories:
            raise ValueError("the lexicon is empty")
        self.lexicon = lexicon
        self.threads = _threads(threads)
        words = lexicon.words
        lens = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
        offsets = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        cps = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32)
        cats = np.asarray(lexicon.word_categories, dtype=np.uint64)
        self._m = _native.CensorMatcher(cps, offsets, cats, len(lexicon.categories))

    @property
    def categories(self) -> List[str]:
        return list(self.lexicon.categories)

    @property
    def automaton(self):
        """The native Aho-Corasick automaton (immutable, thread-safe), for other native filters
        built on the same engine, such as :class:`corpus_engine.noise_lines.NoiseLineFilter`."""
        return self._m

    def scan(self, docs: Docs, spans: bool = False, threads: Optional[int] = None, errors: str = "replace") -> ScanResult:
        """Counts per document and category (see :class:`ScanResult`)."""
        lex = self.lexicon
        if lex.t2s:  # OpenCC works on str; the native scan then folds width and case
            strings = docs.to_strings(errors) if isinstance(docs, TextBatch) else list(docs)
            docs = [lex.normalize(s) for s in strings]
        norm = _native.DedupNorm(lex.fold_width, lex.fold_case, False, False, cs.check_errors(errors))
        th = self.threads if threads is None else _threads(threads)
        hits, distinct, covered, length, sp = self._m.scan(docs, _plain_table(), norm, th, spans)
        return ScanResult(self.categories, hits, distinct, covered, length, sp)

    def decide(
        self, result: ScanResult, max_hits: Optional[dict] = None, max_ratio: Optional[dict] = None
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Keep mask and reason (index of the first category over a threshold, or -1)."""
        mh = _thresholds(result.categories, max_hits, DEFAULT_MAX_HITS, "max_hits")
        mr = _thresholds(result.categories, max_ratio, DEFAULT_MAX_RATIO, "max_ratio")
        bad = (result.hits > mh[None, :]) | (result.ratio() > mr[None, :])
        keep = ~bad.any(axis=1)
        reason = np.where(keep, -1, bad.argmax(axis=1)).astype(np.int64)
        return keep, reason

    def filter(
        self, docs: Docs, max_hits: Optional[dict] = None, max_ratio: Optional[dict] = None, threads: Optional[int] = None
    ) -> np.ndarray:
        """Keep mask of the documents (scan, then decide)."""
        return self.decide(self.scan(docs, threads=threads), max_hits, max_ratio)[0]
