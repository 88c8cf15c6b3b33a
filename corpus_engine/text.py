"""Per-line and per-document text kernels (native, OpenMP, GIL released).

Every function takes either a sequence of ``str`` or a :class:`TextBatch`
(UTF-8 buffer + offsets) and gives the same result for both; functions that
edit text return the same form they were given. ``threads=None`` uses
``OMP_NUM_THREADS`` (or all cores). Invalid UTF-8 in a buffer and lone
surrogates in a ``str`` are replaced by U+FFFD (``errors="replace"``) or
dropped (``errors="drop"``). The semantics are those of the pure-Python twins
in :mod:`corpus_engine.reference.text`; see docs/text-kernels.md.
"""

from __future__ import annotations

import os
import warnings
from functools import lru_cache
from typing import Optional, Sequence, Union

import numpy as np

from . import _native
from . import charsets as cs
from .batch import TextBatch

Docs = Union[Sequence[str], TextBatch]

__all__ = [
    "TextBatch",
    "zh_ratio",
    "extract_chinese",
    "strip_control",
    "trim_content",
    "char_lengths",
    "length_mask",
    "simd_level",
    "set_simd_level",
]

_env_simd = os.environ.get("CORPUS_ENGINE_SIMD")
if _env_simd and _env_simd not in ("scalar", "avx2", "avx512"):
    warnings.warn(f"CORPUS_ENGINE_SIMD={_env_simd!r} is not one of scalar, avx2, avx512; ignored", RuntimeWarning)


@lru_cache(maxsize=32)
def _table(ranges) -> "_native.CharTable":
    return _native.CharTable([(flag, list(rs)) for flag, rs in ranges])


def _table_for(**sets) -> "_native.CharTable":
    """The table for these character-set arguments; hashable ones are memoised."""
    try:
        return _table_cached(tuple(sorted(sets.items())))
    except TypeError:  # a list or other unhashable spec
        return _table(cs.table_ranges(**sets))


@lru_cache(maxsize=64)
def _table_cached(items) -> "_native.CharTable":
    return _table(cs.table_ranges(**dict(items)))


def _threads(threads: Optional[int]) -> int:
    if threads is None:
        return 0
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads must be a positive int or None, got {threads!r}")
    return int(threads)


def _skip(mode: str) -> int:
    return cs.WS | cs.PH | (cs.DIGITDOT if mode == "nkcorpus" else 0)


def _wrap(docs: Docs, result):
    if isinstance(docs, TextBatch):
        data, offsets = result
        return TextBatch(data, offsets)
    return result


def zh_ratio(lines: Docs, mode: str = "paper", errors: str = "replace", threads: Optional[int] = None) -> np.ndarray:
    """Chinese characters / counted characters for each element (0.0 when none is counted).

    Paper mode counts every character that is not white space or a placeholder
    (controls, format characters, U+FFFC/U+FFFD); NKCorpus mode also leaves out
    ASCII digits and '.'.
    """
    cs.check_mode(mode)
    return _native.zh_ratio(lines, _table_for(), _skip(mode), cs.check_errors(errors), _threads(threads))


def extract_chinese(
    docs: Docs,
    mode: str = "paper",
    bands=None,
    errors: str = "replace",
    threads: Optional[int] = None,
):
    """Keep the lines of each document whose Chinese ratio passes its band.

    Lines end at ``\\n``, ``\\r\\n`` or ``\\r``; kept lines are joined with ``\\n``.

    mode="paper": bands are ``(max counted length, threshold)``, default
    1-70 -> 0.80, 71-230 -> 0.70, longer -> 0.60; a line is kept when its ratio is
    above the threshold of its band. mode="nkcorpus": bands are
    ``(Chinese count to beat, threshold)``, default (0, 0.8), (50, 0.7), (150, 0.6);
    a line is kept when any band holds.
    """
    cs.check_mode(mode)
    b = [(float(x), float(y)) for x, y in cs.check_bands(bands, mode)]
    res = _native.extract_chinese(
        docs, _table_for(), _skip(mode), mode, b, cs.check_errors(errors), _threads(threads)
    )
    return _wrap(docs, res)


def strip_control(docs: Docs, chars=None, errors: str = "replace", threads: Optional[int] = None):
    """Remove control and invisible characters.

    Default set: C0 controls except ``\\t`` and ``\\n``, DEL, C1 controls, soft
    hyphen, U+200B-U+200F, U+202A-U+202E, U+2060-U+2064, U+2066-U+2069, U+3000,
    U+FEFF. ``chars`` replaces it: a string of characters or ``(first, last)`` pairs.
    """
    table = _table_for(control=chars)
    return _wrap(docs, _native.strip_control(docs, table, cs.check_errors(errors), _threads(threads)))


def trim_content(
    docs: Docs,
    sentence_punct=None,
    sentence_end=None,
    closers=None,
    errors: str = "replace",
    threads: Optional[int] = None,
):
    """Keep the complete content of each page.

    Cuts the tail after the last sentence end (plus closing quotes/brackets right
    after it), then keeps only lines that hold sentence punctuation, which also
    cuts the page head. Defaults: ends ``。！？…｡．!?``, other punctuation
    ``，、；：,;``, closers ``”’」』）》〉】〕"')]``.
    """
    table = _table_for(sentence_punct=sentence_punct, sentence_end=sentence_end, closers=closers)
    return _wrap(docs, _native.trim_content(docs, table, cs.check_errors(errors), _threads(threads)))


def char_lengths(docs: Docs, errors: str = "replace", threads: Optional[int] = None) -> np.ndarray:
    """Length of each document in characters (code points), not bytes."""
    return _native.char_lengths(docs, cs.check_errors(errors), _threads(threads))


def length_mask(docs: Docs, min_chars: int = 20, errors: str = "replace", threads: Optional[int] = None) -> np.ndarray:
    """Keep mask of the minimum-length filter: length in characters >= ``min_chars`` (default 20)."""
    if min_chars < 0:
        raise ValueError(f"min_chars must be >= 0, got {min_chars}")
    return char_lengths(docs, errors=errors, threads=threads) >= min_chars


def simd_level() -> str:
    """The SIMD level the kernels use now: 'scalar', 'avx2' or 'avx512'."""
    return _native.simd_level()


def set_simd_level(level: str) -> None:
    """Force a SIMD level (not above what the CPU supports). Same results at every level."""
    _native.set_simd_level(level)
