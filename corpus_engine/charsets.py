"""Character sets shared by the native kernels and their reference twins.

These are data, not logic: both implementations build their lookup tables from
the ranges below, so a disagreement between them is a bug in one of the two.
Every range is inclusive: ``(first, last)`` code points.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Sequence, Tuple, Union

Range = Tuple[int, int]

# One bit per property in the shared 0x110000-entry table.
ZH = 1  # Chinese character or Chinese punctuation
WS = 2  # white space (Unicode White_Space)
PH = 4  # placeholder / invisible: controls, format characters, U+FFFC, U+FFFD
DIGITDOT = 8  # ASCII digit or '.', not "valid" in NKCorpus mode
CTRL = 16  # removed by strip_control
PUNCT = 32  # sentence punctuation (a line holding one is a sentence line)
END = 64  # sentence-ending punctuation (the tail is cut after the last one)
CLOSE = 128  # closing quote or bracket kept right after a sentence end

MAX_CP = 0x10FFFF

# Chinese: all CJK Unified Ideograph blocks (U+4E00 included, extensions A-J),
# compatibility ideographs, radicals and strokes, Bopomofo, CJK symbols and
# punctuation, full-width forms and the Chinese punctuation that Unicode keeps
# in General Punctuation. U+3000 is white space, not Chinese.
CHINESE: Tuple[Range, ...] = (
    (0x00B7, 0x00B7),  # · middle dot (name separator)
    (0x2014, 0x2015),  # — ― dashes
    (0x2018, 0x2019),  # ‘ ’
    (0x201C, 0x201D),  # “ ”
    (0x2025, 0x2026),  # ‥ …
    (0x203B, 0x203B),  # ※
    (0x2E80, 0x2EFF),  # CJK Radicals Supplement
    (0x2F00, 0x2FDF),  # Kangxi Radicals
    (0x2FF0, 0x2FFF),  # Ideographic Description Characters
    (0x3001, 0x303F),  # CJK Symbols and Punctuation, without U+3000
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31BF),  # Bopomofo Extended
    (0x31C0, 0x31EF),  # CJK Strokes
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # Compatibility Ideographs
    (0xFE10, 0xFE1F),  # Vertical Forms
    (0xFE30, 0xFE4F),  # CJK Compatibility Forms
    (0xFE50, 0xFE6F),  # Small Form Variants
    (0xFF01, 0xFF60),  # Fullwidth ASCII variants and brackets
    (0xFF61, 0xFF64),  # Halfwidth CJK punctuation
    (0xFFE0, 0xFFE6),  # Fullwidth signs
    (0x20000, 0x2A6DF),  # Extension B
    (0x2A700, 0x2B73F),  # Extension C
    (0x2B740, 0x2B81F),  # Extension D
    (0x2B820, 0x2CEAF),  # Extension E
    (0x2CEB0, 0x2EBEF),  # Extension F
    (0x2EBF0, 0x2EE5F),  # Extension I
    (0x2F800, 0x2FA1F),  # Compatibility Ideographs Supplement
    (0x30000, 0x3134F),  # Extension G
    (0x31350, 0x323AF),  # Extension H
    (0x323B0, 0x3347F),  # Extension J (Unicode 17)
)

# Unicode White_Space.
WHITESPACE: Tuple[Range, ...] = (
    (0x0009, 0x000D),
    (0x0020, 0x0020),
    (0x0085, 0x0085),
    (0x00A0, 0x00A0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)

# Not counted as characters of content by the Chinese ratio: controls, invisible
# format characters and replacement characters.
PLACEHOLDERS: Tuple[Range, ...] = (
    (0x0000, 0x001F),
    (0x007F, 0x009F),
    (0x00AD, 0x00AD),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x2069),
    (0xFEFF, 0xFEFF),
    (0xFFFC, 0xFFFD),
)

DIGITS_AND_DOT: Tuple[Range, ...] = ((0x30, 0x39), (0x2E, 0x2E))

# Removed by strip_control: C0 controls except \t and \n, DEL, C1 controls,
# soft hyphen, zero-width and bidi/format characters, BOM, ideographic space.
CONTROL_DEFAULT: Tuple[Range, ...] = (
    (0x0000, 0x0008),
    (0x000B, 0x001F),
    (0x007F, 0x009F),
    (0x00AD, 0x00AD),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x2069),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
)

# ASCII '.' and ':' are left out of the defaults on purpose: in Chinese web text
# they mark decimals, URLs, dates and menus far more often than sentence ends.
SENTENCE_END_DEFAULT = "。！？…｡．!?"
SENTENCE_PUNCT_DEFAULT = "，、；：,;"  # plus every sentence end
CLOSERS_DEFAULT = "”’」』）》〉】〕\"')]"

# Paper bands: (largest line length in counted characters, ratio to beat).
PAPER_BANDS: Tuple[Tuple[float, float], ...] = ((70, 0.80), (230, 0.70), (float("inf"), 0.60))
# NKCorpus code bands: (Chinese-character count to beat, ratio to beat), any one suffices.
NKCORPUS_BANDS: Tuple[Tuple[float, float], ...] = ((0, 0.80), (50, 0.70), (150, 0.60))

CharSpec = Union[str, Iterable[Range], None]


def unicode_punctuation() -> Tuple[Range, ...]:
    """Code points whose Unicode general category is P* (all lie below U+20000),
    from the ``unicodedata`` of the running Python."""
    return category_ranges("P")


@lru_cache(maxsize=None)
def category_ranges(prefix: str) -> Tuple[Range, ...]:
    """Code points whose Unicode general category starts with ``prefix`` ("P", "S", "Nd"...),
    from the ``unicodedata`` of the running Python."""
    runs = _category_runs()
    return to_ranges([(a, b) for a, b, cat in runs if cat.startswith(prefix)])


@lru_cache(maxsize=1)
def _category_runs() -> Tuple[Tuple[int, int, str], ...]:
    """(first, last, category) runs over all code points. Scanning 1.1 M code points takes about
    half a second, once per process (every pipeline worker): the runs are kept in a cache file per
    Unicode version ($CORPUS_ENGINE_CACHE, else ~/.cache/corpus_engine), written atomically; an
    unwritable cache only costs the scan."""
    import json
    import os
    import unicodedata
    from pathlib import Path

    root = os.environ.get("CORPUS_ENGINE_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "corpus_engine")
    path = Path(root) / f"unicode-categories-{unicodedata.unidata_version}.json"
    try:
        return tuple((a, b, c) for a, b, c in json.loads(path.read_text(encoding="ascii")))
    except (OSError, ValueError, TypeError):
        pass
    cat = unicodedata.category
    runs, start, prev = [], 0, cat("\0")
    for cp in range(1, MAX_CP + 1):
        c = cat(chr(cp))
        if c != prev:
            runs.append((start, cp - 1, prev))
            start, prev = cp, c
    runs.append((start, MAX_CP, prev))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
        tmp.write_text(json.dumps(runs), encoding="ascii")
        os.replace(tmp, path)
    except OSError:
        pass
    return tuple(runs)


def to_ranges(spec: CharSpec, default: Sequence[Range] = ()) -> Tuple[Range, ...]:
    """Normalise a character-set argument to sorted, merged, validated ranges.

    ``spec`` is None (use ``default``), a string of characters, or an iterable of
    ``(first, last)`` code-point pairs (ints or one-character strings).
    """
    if spec is None:
        spec = default
    pairs = []
    if isinstance(spec, str):
        pairs = [(ord(c), ord(c)) for c in spec]
    else:
        for item in spec:
            try:
                lo, hi = item
            except (TypeError, ValueError):
                raise ValueError(f"character range must be a (first, last) pair, got {item!r}") from None
            lo = ord(lo) if isinstance(lo, str) else int(lo)
            hi = ord(hi) if isinstance(hi, str) else int(hi)
            if not (0 <= lo <= hi <= MAX_CP):
                raise ValueError(f"invalid code point range ({lo:#x}, {hi:#x})")
            pairs.append((lo, hi))
    pairs.sort()
    merged: list = []
    for lo, hi in pairs:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def table_ranges(
    control: CharSpec = None,
    sentence_punct: CharSpec = None,
    sentence_end: CharSpec = None,
    closers: CharSpec = None,
) -> Tuple[Tuple[int, Tuple[Range, ...]], ...]:
    """The (flag, ranges) list from which both implementations build their table."""
    end = to_ranges(sentence_end, to_ranges(SENTENCE_END_DEFAULT))
    punct = to_ranges(sentence_punct, to_ranges(SENTENCE_PUNCT_DEFAULT))
    return (
        (ZH, CHINESE),
        (WS, WHITESPACE),
        (PH, PLACEHOLDERS),
        (DIGITDOT, DIGITS_AND_DOT),
        (CTRL, to_ranges(control, CONTROL_DEFAULT)),
        (PUNCT, to_ranges(tuple(punct) + tuple(end))),  # a sentence end is punctuation too
        (END, end),
        (CLOSE, to_ranges(closers, to_ranges(CLOSERS_DEFAULT))),
    )


def check_bands(bands, mode: str) -> Tuple[Tuple[float, float], ...]:
    """Validate band settings; returns them as a tuple of float pairs."""
    if bands is None:
        return PAPER_BANDS if mode == "paper" else NKCORPUS_BANDS
    out = []
    for b in bands:
        try:
            bound, thr = b
            bound, thr = float(bound), float(thr)
        except (TypeError, ValueError):
            raise ValueError(f"each band must be a (bound, threshold) pair of numbers, got {b!r}") from None
        if not (0.0 <= thr <= 1.0):
            raise ValueError(f"band threshold must lie in [0, 1], got {thr}")
        if bound < 0 or bound != bound:
            raise ValueError(f"band bound must be a non-negative number, got {bound}")
        out.append((bound, thr))
    if not out:
        raise ValueError("bands must not be empty")
    if mode == "paper":
        if any(out[i][0] >= out[i + 1][0] for i in range(len(out) - 1)):
            raise ValueError("paper-mode bands must have strictly increasing length bounds")
        if out[-1][0] != float("inf"):
            raise ValueError("the last paper-mode band must have bound inf (lines of any length)")
    return tuple(out)


def check_mode(mode: str) -> str:
    if mode not in ("paper", "nkcorpus"):
        raise ValueError(f"mode must be 'paper' or 'nkcorpus', got {mode!r}")
    return mode


def check_errors(errors: str) -> str:
    if errors not in ("replace", "drop"):
        raise ValueError(f"errors must be 'replace' or 'drop', got {errors!r}")
    return errors
