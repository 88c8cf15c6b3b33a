"""Repetition and outlier statistics of documents, one native pass each (OpenMP, GIL released).

Per document: duplicate lines and paragraphs (Gopher's definitions), the share of text held by
the most frequent character 2/3/4-gram and by repeated character 5..10-grams, symbol and digit
ratios, mean line length, the share of lines that end a sentence and the share of characters
covered by Chinese function words. :func:`measure` computes them, :func:`decide` turns them into
a keep mask and the first failing rule. Exact rules, defaults and their sources:
docs/repetition.md. Pure-Python twin: :mod:`corpus_engine.reference.repetition`.

>>> from corpus_engine import repetition as rep
>>> s = rep.measure(["今天天气很好，我们去公园散步了。", "首页\\n首页\\n首页\\n首页"])
>>> s["dup_line_frac"].tolist()
[0.0, 0.75]
>>> keep, reasons = rep.decide(s)
>>> keep.tolist(), reasons
([True, False], [None, 'rep-dup-line-frac'])
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import charsets as cs
from .batch import TextBatch

Docs = Union[Sequence[str], TextBatch]

__all__ = [
    "COLUMNS",
    "DEFAULT_THRESHOLDS",
    "DEFAULT_MIN_CHARS",
    "DEFAULT_MIN_LINES",
    "LINE_RULES",
    "CHAR_RULES",
    "LINE_END_CHARS",
    "measure",
    "decide",
    "stopwords",
    "symbol_ranges",
    "digit_ranges",
    "whitespace_ranges",
]

COLUMNS: Tuple[str, ...] = (
    "chars",
    "lines",
    "dup_line_frac",
    "dup_line_char_frac",
    "dup_para_frac",
    "dup_para_char_frac",
    "top_ngram_char_frac_2",
    "top_ngram_char_frac_3",
    "top_ngram_char_frac_4",
    "dup_ngram_char_frac_5",
    "dup_ngram_char_frac_6",
    "dup_ngram_char_frac_7",
    "dup_ngram_char_frac_8",
    "dup_ngram_char_frac_9",
    "dup_ngram_char_frac_10",
    "symbol_ratio",
    "digit_ratio",
    "mean_line_length",
    "punct_end_line_frac",
    "stopword_frac",
)
INT_COLUMNS = frozenset({"chars", "lines"})

# A line "ends a sentence" when its last character (after stripping white space) is one of
# these: Chinese and ASCII sentence ends, the ellipsis, and closing quotes (a quoted sentence
# ends with its quote: 他说：“走吧。”).
LINE_END_CHARS = "。．｡！？!?.…”’」』\"'"

# Punctuation (general category P*) that web pages use as decoration rather than as
# sentence punctuation; counted as symbols together with every S* character.
_SYMBOL_PUNCT = "#&*@\\_•‣⁃※＃＆＊＠＼＿"

_DATA = Path(__file__).resolve().parent / "data"
STOPWORDS_FILE = _DATA / "stopwords_zh.txt"

Op = str
# Rules, checked in this order: a document is removed by the first whose
# ``stats[column] op value`` holds. Sources and calibration: docs/repetition.md, section 4
# (G = Gopher, Rae et al. 2021, table A1; F2 = FineWeb-2 cmn_Hani; CWT = ChineseWebText).
DEFAULT_THRESHOLDS: Dict[str, Tuple[Op, float]] = {
    "dup_para_frac": (">", 0.30),  # G
    "dup_para_char_frac": (">", 0.20),  # G
    "dup_line_frac": (">", 0.287),  # F2
    "dup_line_char_frac": (">", 0.20),  # G
    "top_ngram_char_frac_2": (">", 0.256),  # F2
    "top_ngram_char_frac_3": (">", 0.201),  # F2
    "top_ngram_char_frac_4": (">", 0.26),  # F2 0.171, raised (character 4-grams)
    "dup_ngram_char_frac_5": (">", 0.72),  # F2 0.198..0.127 for 5..10, raised (character
    "dup_ngram_char_frac_6": (">", 0.67),  # n-grams, first occurrences counted)
    "dup_ngram_char_frac_7": (">", 0.61),
    "dup_ngram_char_frac_8": (">", 0.51),
    "dup_ngram_char_frac_9": (">", 0.46),
    "dup_ngram_char_frac_10": (">", 0.44),
    "punct_end_line_frac": ("<=", 0.106),  # F2 line_punct_thr
    "mean_line_length": ("<", 10.0),  # CWT min_line_len
    "symbol_ratio": (">", 0.10),  # G (symbol-to-word ratio), per character here
    "digit_ratio": (">", 0.30),  # calibrated on clean_zh
    "stopword_frac": ("<", 0.005),  # calibrated on clean_zh (G: at least 2 stop words)
}

# Ratios over few lines or characters are not evidence: rules on these columns are checked
# only for documents with at least ``min_lines`` lines / ``min_chars`` characters (decide()).
LINE_RULES = frozenset({"punct_end_line_frac", "mean_line_length"})
CHAR_RULES = frozenset(
    [f"top_ngram_char_frac_{n}" for n in (2, 3, 4)]
    + [f"dup_ngram_char_frac_{n}" for n in range(5, 11)]
    + ["symbol_ratio", "digit_ratio", "stopword_frac"]
)
DEFAULT_MIN_LINES = 3
DEFAULT_MIN_CHARS = 200  # CWT drops documents of 200 characters or fewer before any rule

_OPS = {
    ">": np.greater,
    ">=": np.greater_equal,
    "<": np.less,
    "<=": np.less_equal,
}


# --------------------------------------------------------------------------- character sets


def whitespace_ranges() -> Tuple[cs.Range, ...]:
    """Unicode White_Space: stripped from line ends, removed before the n-gram statistics."""
    return cs.WHITESPACE


@lru_cache(maxsize=1)
def _category_ranges() -> Tuple[Tuple[cs.Range, ...], Tuple[cs.Range, ...]]:
    sym = list(cs.category_ranges("S")) + [(ord(c), ord(c)) for c in _SYMBOL_PUNCT]
    return cs.to_ranges(sym), cs.category_ranges("Nd")


def symbol_ranges() -> Tuple[cs.Range, ...]:
    """Symbols: general category S* (Sm, Sc, Sk, So: | ~ $ + < = > ^ ` © ® ° ★ → ■ ☆, emoji...)
    plus the decoration punctuation ``# & * @ \\ _ • ‣ ⁃ ※`` and their full-width forms; from the
    ``unicodedata`` of the running Python (both implementations use the same table)."""
    return _category_ranges()[0]


def digit_ranges() -> Tuple[cs.Range, ...]:
    """Decimal digits: general category Nd (ASCII, full-width and other scripts' digits)."""
    return _category_ranges()[1]


@lru_cache(maxsize=1)
def _default_stopwords() -> Tuple[str, ...]:
    words = []
    with open(STOPWORDS_FILE, encoding="utf-8") as f:
        for line in f:
            w = line.split("#", 1)[0].strip()
            if w:
                words.append(w)
    return tuple(dict.fromkeys(words))


def stopwords() -> Tuple[str, ...]:
    """The default stop words (corpus_engine/data/stopwords_zh.txt), in file order."""
    return _default_stopwords()


def check_stopwords(words: Optional[Sequence[str]]) -> Tuple[str, ...]:
    if words is None:
        return _default_stopwords()
    if isinstance(words, str):
        raise ValueError("stopwords must be a sequence of words, not a single str")
    ws = "".join(chr(cp) for lo, hi in whitespace_ranges() for cp in range(lo, hi + 1))
    out = []
    for w in words:
        if not isinstance(w, str) or not w:
            raise ValueError(f"stopwords must be non-empty str, got {w!r}")
        if any(c in ws for c in w) or any(0xD800 <= ord(c) <= 0xDFFF for c in w):
            raise ValueError(f"stopwords must not contain white space or lone surrogates, got {w!r}")
        out.append(w)
    return tuple(dict.fromkeys(out))


def check_errors(errors: str) -> str:
    return cs.check_errors(errors)



# --------------------------------------------------------------------------- measure


def _table_flags(words: Tuple[str, ...]):
    # Flag bits of the native kernel's character table (enum Flag in csrc/repetition/repetition.h).
    return (
        (1, whitespace_ranges()),
        (2, symbol_ranges()),
        (4, digit_ranges()),
        (8, cs.to_ranges(LINE_END_CHARS)),
        (16, cs.to_ranges("".join(w for w in words if len(w) == 1))),
        (32, cs.to_ranges("".join(w[0] for w in words if len(w) > 1))),
    )


@lru_cache(maxsize=8)
def _native_table(words: Tuple[str, ...]):
    from . import _native

    return _native.CharTable([(flag, list(rs)) for flag, rs in _table_flags(words)])


def measure(
    docs: Docs, errors: str = "replace", threads: Optional[int] = None, stopwords: Optional[Sequence[str]] = None
) -> Dict[str, np.ndarray]:
    """Statistics of each document: ``{column: array}`` for every name in :data:`COLUMNS`,
    ``chars`` and ``lines`` as int64, the others float64 (a ratio of an empty set is 0.0).

    ``docs`` is a sequence of str or a :class:`TextBatch`; invalid UTF-8 and lone surrogates
    are replaced by U+FFFD (``errors="replace"``) or dropped (``"drop"``). ``stopwords``
    replaces the default function-word list. ``threads=None`` uses ``OMP_NUM_THREADS``.
    """
    from . import _native
    from .text import _threads

    th = _threads(threads)
    words = check_stopwords(stopwords)
    err = check_errors(errors)
    ints, floats = _native.repetition_measure(docs, _native_table(words), list(words), err, th)
    out: Dict[str, np.ndarray] = {}
    fi = ii = 0
    for c in COLUMNS:
        if c in INT_COLUMNS:
            out[c] = ints[ii]
            ii += 1
        else:
            out[c] = floats[fi]
            fi += 1
    return out


# --------------------------------------------------------------------------- decide


def reason_name(column: str) -> str:
    """The removal reason of a rule: ``rep-`` + the column with hyphens (``rep-dup-line-frac``)."""
    return "rep-" + column.replace("_", "-")


def _check_thresholds(thresholds: Optional[Mapping]) -> List[Tuple[str, str, float]]:
    rules = DEFAULT_THRESHOLDS if thresholds is None else thresholds
    if not isinstance(rules, Mapping):
        raise ValueError(f"thresholds must be a mapping column -> (op, value), got {type(rules).__name__}")
    out = []
    for col, rule in rules.items():
        if col not in COLUMNS:
            raise ValueError(f"thresholds: unknown column {col!r} (known: {', '.join(COLUMNS)})")
        if rule is None:  # a rule switched off
            continue
        try:
            op, value = rule
        except (TypeError, ValueError):
            raise ValueError(f"thresholds[{col!r}] must be an (op, value) pair, got {rule!r}") from None
        if op not in _OPS:
            raise ValueError(f"thresholds[{col!r}]: op must be one of {', '.join(_OPS)}, got {op!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or math.isnan(value):
            raise ValueError(f"thresholds[{col!r}]: value must be a number, got {value!r}")
        out.append((col, op, float(value)))
    return out


def _check_min(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    return int(value)


def decide(
    stats: Mapping[str, np.ndarray],
    thresholds: Optional[Mapping[str, Optional[Tuple[Op, float]]]] = None,
    min_chars: int = DEFAULT_MIN_CHARS,
    min_lines: int = DEFAULT_MIN_LINES,
) -> Tuple[np.ndarray, List[Optional[str]]]:
    """Keep mask and reasons from :func:`measure`'s statistics.

    ``thresholds`` maps a column to ``(op, value)`` with op one of ``> >= < <=``: the document
    is removed when ``stats[column] op value``. Rules are checked in the mapping's order and
    the reason is the first failing rule's :func:`reason_name` (None for kept documents).
    ``None`` uses :data:`DEFAULT_THRESHOLDS`; a rule given as None is switched off. Rules on
    :data:`LINE_RULES` apply only to documents with ``lines >= min_lines``, rules on
    :data:`CHAR_RULES` only to documents with ``chars >= min_chars``.
    """
    rules = _check_thresholds(thresholds)
    min_chars = _check_min(min_chars, "min_chars")
    min_lines = _check_min(min_lines, "min_lines")
    needed = [col for col, _, _ in rules]
    if any(col in CHAR_RULES for col in needed):
        needed.append("chars")
    if any(col in LINE_RULES for col in needed):
        needed.append("lines")
    n = None
    for col in needed:
        if col not in stats:
            raise ValueError(f"stats has no column {col!r}")
        size = len(stats[col])
        if n is not None and size != n:
            raise ValueError(f"stats columns differ in length ({col!r}: {size} != {n})")
        n = size
    if n is None:
        n = len(next(iter(stats.values()))) if len(stats) else 0
    keep = np.ones(n, dtype=bool)
    first = np.full(n, -1, dtype=np.int64)
    for k, (col, op, value) in enumerate(rules):
        fail = _OPS[op](np.asarray(stats[col]), value) & keep
        if col in CHAR_RULES:
            fail &= np.asarray(stats["chars"]) >= min_chars
        if col in LINE_RULES:
            fail &= np.asarray(stats["lines"]) >= min_lines
        first[fail] = k
        keep &= ~fail
    names = [reason_name(col) for col, _, _ in rules]
    reasons = [None if f < 0 else names[f] for f in first.tolist()]
    return keep, reasons
