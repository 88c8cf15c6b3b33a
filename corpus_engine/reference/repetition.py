"""Pure-Python twin of the repetition and outlier statistics (:mod:`corpus_engine.repetition`).

It follows docs/repetition.md step by step and is the oracle of the differential tests and the
baseline of the benchmarks: same names, same signatures, the same numbers bit for bit.
``threads`` is accepted and ignored. The character sets, the stop words and the decision rule
are data shared with the native module (:mod:`corpus_engine.repetition` holds them and imports
the native extension only when measuring), so this module runs without the extension.

>>> s = measure(["第一行。\\n第一行。\\n\\n第二段"])
>>> int(s["lines"][0]), float(s["dup_line_frac"][0]), float(s["punct_end_line_frac"][0])
(3, 0.3333333333333333, 0.6666666666666666)
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Union

import numpy as np

from .. import repetition as _rep
from ..batch import TextBatch
from ..repetition import COLUMNS, DEFAULT_THRESHOLDS, decide  # noqa: F401 - the same public names
from .text import _docs

Docs = Union[Sequence[str], TextBatch]

__all__ = ["COLUMNS", "DEFAULT_THRESHOLDS", "measure", "decide"]


def _chars_of(ranges) -> frozenset:
    return frozenset(chr(cp) for lo, hi in ranges for cp in range(lo, hi + 1))


@lru_cache(maxsize=8)
def _sets(stopwords: tuple):
    ws = _chars_of(_rep.whitespace_ranges())
    symbols = _chars_of(_rep.symbol_ranges())
    digits = _chars_of(_rep.digit_ranges())
    ends = frozenset(_rep.LINE_END_CHARS)
    by_first: Dict[str, List[str]] = {}
    for w in stopwords:
        by_first.setdefault(w[0], []).append(w)
    return "".join(sorted(ws)), ws, symbols, digits, ends, by_first


def _lines_and_paragraphs(text: str, ws_chars: str):
    """Non-empty stripped lines, and paragraphs as tuples of them (runs between blank lines)."""
    lines: List[str] = []
    paras: List[tuple] = []
    cur: List[str] = []
    for raw in text.split("\n"):
        s = raw.strip(ws_chars)
        if s:
            lines.append(s)
            cur.append(s)
        elif cur:
            paras.append(tuple(cur))
            cur = []
    if cur:
        paras.append(tuple(cur))
    return lines, paras


def _duplicates(items, length) -> tuple:
    """(number of items equal to an earlier item, their total length)."""
    seen = set()
    count = size = 0
    for it in items:
        if it in seen:
            count += 1
            size += length(it)
        else:
            seen.add(it)
    return count, size


def _ratio(a, b) -> float:
    return a / b if b else 0.0


def _top_ngram(s: str, n: int) -> float:
    m = len(s)
    if m < n:
        return 0.0
    top = max(Counter(s[i : i + n] for i in range(m - n + 1)).values())
    return min(1.0, (n * top) / m) if top > 1 else 0.0


def _dup_ngram(s: str, n: int) -> float:
    m = len(s)
    if m < n:
        return 0.0
    grams = [s[i : i + n] for i in range(m - n + 1)]
    counts = Counter(grams)
    covered = bytearray(m)
    for i, g in enumerate(grams):
        if counts[g] > 1:
            covered[i : i + n] = b"\x01" * n
    return sum(covered) / m


def _stop_covered(s: str, by_first) -> int:
    covered = 0
    until = 0  # end of the union of the matches so far (starts only grow)
    for i, ch in enumerate(s):
        words = by_first.get(ch)
        if not words:
            continue
        for w in words:
            if s.startswith(w, i):
                end = i + len(w)
                if end > until:
                    covered += end - max(i, until)
                    until = end
    return covered


def _stats(text: str, sets) -> list:
    ws_chars, ws, symbols, digits, ends, by_first = sets
    lines, paras = _lines_and_paragraphs(text, ws_chars)
    content = sum(len(x) for x in lines)
    dl, dlc = _duplicates(lines, len)
    dp, dpc = _duplicates(paras, lambda p: sum(len(x) for x in p))
    s = "".join(c for c in text if c not in ws)
    m = len(s)
    row = {
        "chars": len(text),
        "lines": len(lines),
        "dup_line_frac": _ratio(dl, len(lines)),
        "dup_line_char_frac": _ratio(dlc, content),
        "dup_para_frac": _ratio(dp, len(paras)),
        "dup_para_char_frac": _ratio(dpc, content),
    }
    for n in (2, 3, 4):
        row[f"top_ngram_char_frac_{n}"] = _top_ngram(s, n)
    for n in range(5, 11):
        row[f"dup_ngram_char_frac_{n}"] = _dup_ngram(s, n)
    row["symbol_ratio"] = _ratio(sum(c in symbols for c in s), m)
    row["digit_ratio"] = _ratio(sum(c in digits for c in s), m)
    row["mean_line_length"] = _ratio(content, len(lines))
    row["punct_end_line_frac"] = _ratio(sum(x[-1] in ends for x in lines), len(lines))
    row["stopword_frac"] = _ratio(_stop_covered(s, by_first), m)
    return [row[c] for c in COLUMNS]


def measure(
    docs: Docs, errors: str = "replace", threads: Optional[int] = None, stopwords: Optional[Sequence[str]] = None
) -> Dict[str, np.ndarray]:
    """Per-document statistics, one array per column of :data:`COLUMNS` (see docs/repetition.md)."""
    sets = _sets(_rep.check_stopwords(stopwords))
    texts = _docs(docs, _rep.check_errors(errors))
    rows = [_stats(t, sets) for t in texts]
    out = {}
    for j, c in enumerate(COLUMNS):
        dtype = np.int64 if c in _rep.INT_COLUMNS else np.float64
        out[c] = np.array([r[j] for r in rows], dtype=dtype)
    return out
