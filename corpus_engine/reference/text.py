"""Pure-Python twins of the native text kernels.

They define the semantics (docs/text-kernels.md), serve as the oracle of the
differential tests and as the baseline of the benchmarks. Same names, same
signatures and the same results as :mod:`corpus_engine.text`; ``threads`` is
accepted and ignored.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List, Optional, Sequence, Union

import numpy as np

from .. import charsets as cs
from ..batch import TextBatch

Docs = Union[Sequence[str], TextBatch]

_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAK = re.compile("\r\n|\r|\n")


@lru_cache(maxsize=32)
def _table(ranges) -> bytearray:
    table = bytearray(cs.MAX_CP + 1)
    for flag, rs in ranges:
        for lo, hi in rs:
            for cp in range(lo, hi + 1):
                table[cp] |= flag
    return table


def _default_table() -> bytearray:
    return _table(cs.table_ranges())


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


def _result(docs: Docs, texts: List[str]):
    return TextBatch.from_strings(texts) if isinstance(docs, TextBatch) else texts


def _counts(line: str, table: bytearray, skip: int):
    zh = 0
    counted = 0
    for ch in line:
        f = table[ord(ch)]
        if not f & skip:
            counted += 1
            if f & cs.ZH:
                zh += 1
    return zh, counted


def _skip_mask(mode: str) -> int:
    return cs.WS | cs.PH | (cs.DIGITDOT if mode == "nkcorpus" else 0)


def _keep_line(zh: int, counted: int, mode: str, bands) -> bool:
    if mode == "paper":
        if counted == 0:
            return False
        for bound, thr in bands:
            if counted <= bound:
                return zh > thr * counted
        return False
    return any(zh > bound and zh > thr * counted for bound, thr in bands)


def zh_ratio(lines: Docs, mode: str = "paper", errors: str = "replace", threads: Optional[int] = None) -> np.ndarray:
    """Chinese characters / counted characters per element (0.0 when none is counted).

    Paper mode counts every character that is not white space or a placeholder;
    NKCorpus mode also leaves out ASCII digits and '.'.
    """
    cs.check_mode(mode)
    cs.check_errors(errors)
    table = _default_table()
    skip = _skip_mask(mode)
    out = np.zeros(len(lines), dtype=np.float64)
    for i, line in enumerate(_docs(lines, errors)):
        zh, counted = _counts(line, table, skip)
        out[i] = zh / counted if counted else 0.0
    return out


def extract_chinese(
    docs: Docs,
    mode: str = "paper",
    bands=None,
    errors: str = "replace",
    threads: Optional[int] = None,
):
    """Keep the lines of each document whose Chinese ratio passes its band; join with '\\n'."""
    cs.check_mode(mode)
    cs.check_errors(errors)
    bands = cs.check_bands(bands, mode)
    table = _default_table()
    skip = _skip_mask(mode)
    out = []
    for doc in _docs(docs, errors):
        kept = []
        for line in _LINE_BREAK.split(doc):
            zh, counted = _counts(line, table, skip)
            if _keep_line(zh, counted, mode, bands):
                kept.append(line)
        out.append("\n".join(kept))
    return _result(docs, out)


def strip_control(docs: Docs, chars=None, errors: str = "replace", threads: Optional[int] = None):
    """Remove control, zero-width, bidi/format characters (or the given set)."""
    cs.check_errors(errors)
    table = _table(cs.table_ranges(control=chars))
    out = ["".join(ch for ch in doc if not table[ord(ch)] & cs.CTRL) for doc in _docs(docs, errors)]
    return _result(docs, out)


def trim_content(
    docs: Docs,
    sentence_punct=None,
    sentence_end=None,
    closers=None,
    errors: str = "replace",
    threads: Optional[int] = None,
):
    """Cut the tail after the last sentence end (and the closers right after it), then keep
    only the lines that hold sentence punctuation; this also cuts the page head."""
    cs.check_errors(errors)
    table = _table(cs.table_ranges(sentence_punct=sentence_punct, sentence_end=sentence_end, closers=closers))
    out = []
    for doc in _docs(docs, errors):
        cut = -1
        for i in range(len(doc) - 1, -1, -1):
            if table[ord(doc[i])] & cs.END:
                cut = i + 1
                break
        if cut < 0:
            out.append("")
            continue
        while cut < len(doc) and table[ord(doc[cut])] & cs.CLOSE:
            cut += 1
        lines = _LINE_BREAK.split(doc[:cut])
        out.append("\n".join(ln for ln in lines if any(table[ord(c)] & cs.PUNCT for c in ln)))
    return _result(docs, out)


def char_lengths(docs: Docs, errors: str = "replace", threads: Optional[int] = None) -> np.ndarray:
    """Length of each document in code points (after invalid UTF-8 is replaced or dropped)."""
    cs.check_errors(errors)
    return np.array([len(d) for d in _docs(docs, errors)], dtype=np.int64)


def length_mask(docs: Docs, min_chars: int = 20, errors: str = "replace", threads: Optional[int] = None) -> np.ndarray:
    """Keep mask of the minimum-length filter: length in characters >= ``min_chars``."""
    if min_chars < 0:
        raise ValueError(f"min_chars must be >= 0, got {min_chars}")
    return char_lengths(docs, errors=errors) >= min_chars
