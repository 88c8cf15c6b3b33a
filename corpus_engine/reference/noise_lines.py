"""Pure-Python twin of the noise-line filter (:mod:`corpus_engine.noise_lines`).

It follows docs/noise-lines.md line by line and is the oracle of the differential tests and the
baseline of the benchmark: same names, same arguments, same results. ``threads`` is accepted and
ignored. Phrases are found by the censor twin's trie walk (:class:`reference.censor.Matcher`) in
each line normalised by ``Lexicon.normalize``.

>>> f = NoiseLineFilter()
>>> docs, stats = f.apply(["正文第一段，讲的是事情的经过。\\n京ICP备12345678号-1\\n联系我们"])
>>> docs, stats["noise_lines"].tolist(), stats["noise_chars"].tolist()
(['正文第一段，讲的是事情的经过。'], [2], [22])
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Union

import numpy as np

from .. import charsets as cs
from ..batch import TextBatch
from ..noise_phrases import NoiseLineFilterBase
from .censor import Matcher
from .text import _clean, _default_table

Docs = Union[Sequence[str], TextBatch]

__all__ = ["NoiseLineFilter", "remove_noise_lines"]


class NoiseLineFilter(NoiseLineFilterBase):
    """Removes the boilerplate lines of documents (see docs/noise-lines.md); pure Python."""

    def __init__(self, phrases=None, extra=None, max_line_chars: Optional[int] = None,
                 min_cover: Optional[float] = None, cover_only=None, fold_width: bool = True,
                 fold_case: bool = True, threads: Optional[int] = None):
        super().__init__(phrases, extra, max_line_chars, min_cover, cover_only, fold_width, fold_case)
        self._matcher = Matcher(self.lexicon)
        self._marker = self.settings.marker
        self._cats = [int(m) for m in self.lexicon.word_categories]
        self.threads = threads

    # ------------------------------------------------------------------ one line

    def line_noise(self, line: str) -> int:
        """0 when the (already cleaned) line stays; else the bitmask of the groups that hit it."""
        norm = self.lexicon.normalize(line)
        hits = self._matcher.find(norm)
        if not hits:
            return 0
        table = _default_table()
        ws = [bool(table[ord(ch)] & cs.WS) for ch in norm]
        nonspace = ws.count(False)
        covered, until, markers, groups = 0, 0, set(), 0
        for s, e, w in hits:  # sorted by start: the union grows at its right end
            for p in range(max(s, until), e):
                covered += not ws[p]
            until = max(until, e)
            if self._marker[w]:
                markers.add(w)
            groups |= self._cats[w]
        if covered >= self.min_cover * nonspace or nonspace <= self.max_line_chars * len(markers):
            return groups
        return 0

    # ------------------------------------------------------------------ documents

    def _run(self, docs: Docs, threads, errors: str, edit: bool):
        cs.check_errors(errors)
        if isinstance(docs, TextBatch):
            raw_docs: list = list(docs)
            sep: Union[str, bytes] = b"\n"
        elif isinstance(docs, (str, bytes)):
            raise TypeError("docs must be a sequence of str or a TextBatch, not a single str/bytes")
        else:
            raw_docs = list(docs)
            for i, d in enumerate(raw_docs):
                if not isinstance(d, str):
                    raise TypeError(f"docs[{i}] is {type(d).__name__}, expected str")
            sep = "\n"
        n, G = len(raw_docs), len(self.groups)
        stats: Dict[str, np.ndarray] = {
            "lines": np.zeros(n, dtype=np.int64),
            "noise_lines": np.zeros(n, dtype=np.int64),
            "noise_chars": np.zeros(n, dtype=np.int64),
            "chars": np.zeros(n, dtype=np.int64),
            "group_lines": np.zeros((n, G), dtype=np.int64),
        }
        out = []
        for i, raw in enumerate(raw_docs):
            pieces = raw.split(sep)
            kept = []
            removed = removed_chars = chars = 0
            for piece in pieces:
                line = _clean(piece, errors)
                chars += len(line)
                groups = self.line_noise(line)
                if groups:
                    removed += 1
                    removed_chars += len(line)
                    for g in range(G):
                        if groups >> g & 1:
                            stats["group_lines"][i, g] += 1
                else:
                    kept.append(piece)
            k = len(pieces)
            stats["lines"][i] = k
            stats["noise_lines"][i] = removed
            stats["noise_chars"][i] = removed_chars + min(removed, k - 1)  # and the line breaks that go
            stats["chars"][i] = chars + k - 1
            if edit:
                out.append(sep.join(kept))
        if not edit:
            return stats
        return (TextBatch.from_bytes(out) if isinstance(docs, TextBatch) else out), stats


def remove_noise_lines(docs: Docs, threads: Optional[int] = None, errors: str = "replace", **kw):
    """``NoiseLineFilter(**kw).apply(docs)[0]``."""
    return NoiseLineFilter(**kw).apply(docs, threads=threads, errors=errors)[0]
