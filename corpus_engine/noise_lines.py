"""Noise lines: removes boilerplate lines (copyright footers, ICP filings, breadcrumbs, menus,
share/scan/follow prompts...) from web documents (native, OpenMP over documents, GIL released).

A line (the text between two ``\\n``) is a noise line when it holds a phrase of the phrase list and
either its phrases cover at least ``min_cover`` of its non-space characters, or it has at most
``max_line_chars`` non-space characters per distinct *marker* phrase in it (phrases of the groups
not named in ``cover_only``). Phrases are matched with the censor matcher's automaton after the
same folding (full/half width, Latin case). Every other line is kept byte for byte, in order.
Semantics: docs/noise-lines.md; pure-Python twin: :mod:`corpus_engine.reference.noise_lines`.

>>> f = NoiseLineFilter()
>>> docs, stats = f.apply(["正文第一段，讲的是事情的经过。\\n京ICP备12345678号-1\\n联系我们"])
>>> docs, stats["noise_lines"].tolist(), stats["noise_chars"].tolist()
(['正文第一段，讲的是事情的经过。'], [2], [22])
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np

from . import _native
from . import charsets as cs
from .batch import TextBatch
from .censor import Matcher
from .text import _table_for, _threads
from .noise_phrases import (
    BUNDLED_PHRASES,
    DEFAULT_COVER_ONLY,
    DEFAULT_MAX_LINE_CHARS,
    DEFAULT_MIN_COVER,
    NoiseLineFilterBase,
)

Docs = Union[Sequence[str], TextBatch]

__all__ = [
    "NoiseLineFilter",
    "remove_noise_lines",
    "BUNDLED_PHRASES",
    "DEFAULT_MAX_LINE_CHARS",
    "DEFAULT_MIN_COVER",
    "DEFAULT_COVER_ONLY",
]


class NoiseLineFilter(NoiseLineFilterBase):
    """Removes the noise lines of documents (native); the arguments are those of
    :class:`~corpus_engine.noise_phrases.NoiseLineFilterBase`, plus ``threads`` (default
    ``OMP_NUM_THREADS``)."""

    def __init__(self, phrases=None, extra=None, max_line_chars: Optional[int] = None,
                 min_cover: Optional[float] = None, cover_only=None, fold_width: bool = True,
                 fold_case: bool = True, threads: Optional[int] = None):
        super().__init__(phrases, extra, max_line_chars, min_cover, cover_only, fold_width, fold_case)
        self.threads = _threads(threads)
        self._matcher = Matcher(self.lexicon).automaton  # built once, shared by all calls
        self._marker = np.asarray(self.settings.marker, dtype=np.uint8)

    def _run(self, docs: Docs, threads, errors: str, edit: bool):
        norm = _native.DedupNorm(self.lexicon.fold_width, self.lexicon.fold_case, False, False, cs.check_errors(errors))
        th = self.threads if threads is None else _threads(threads)
        stats, out = _native.noise_lines(
            self._matcher, self._marker, self.max_line_chars, self.min_cover, docs, _table_for(), norm, th, edit
        )
        stats = {k: stats[k] for k in ("lines", "noise_lines", "noise_chars", "chars", "group_lines")}
        if not edit:
            return stats
        return (TextBatch(*out) if isinstance(docs, TextBatch) else out), stats


def remove_noise_lines(docs: Docs, threads: Optional[int] = None, errors: str = "replace", **kw):
    """``NoiseLineFilter(**kw).apply(docs)[0]``: the documents without their noise lines."""
    return NoiseLineFilter(**kw).apply(docs, threads=threads, errors=errors)[0]
