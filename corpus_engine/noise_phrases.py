"""Phrase sets and settings of the noise-line filter (pure Python, shared by
:mod:`corpus_engine.noise_lines` and its twin :mod:`corpus_engine.reference.noise_lines`).

The bundled list is ``corpus_engine/data/noise_phrases.txt``: ``<group> <phrase>`` lines read by
:class:`corpus_engine.censor_lexicon.Lexicon` (encodings, comments, normalisation). The rules are in
docs/noise-lines.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

from .censor_lexicon import Lexicon

__all__ = [
    "BUNDLED_PHRASES",
    "DEFAULT_MAX_LINE_CHARS",
    "DEFAULT_MIN_COVER",
    "DEFAULT_COVER_ONLY",
    "EXTRA_GROUP",
    "NoiseSettings",
    "NoiseLineFilterBase",
    "load_phrases",
]

BUNDLED_PHRASES = Path(__file__).resolve().parent / "data" / "noise_phrases.txt"

# Measured on the shared c4 web pages and clean_zh (docs/noise-lines.md, section 4).
DEFAULT_MAX_LINE_CHARS = 60
DEFAULT_MIN_COVER = 0.5
DEFAULT_COVER_ONLY = ("menu",)
EXTRA_GROUP = "extra"  # the group of phrases given as plain strings in ``extra``

PathLike = Union[str, "os.PathLike[str]"]


def _load_files(paths, fold_width: bool, fold_case: bool) -> Lexicon:
    return Lexicon.load(paths, fold_width=fold_width, fold_case=fold_case)


def load_phrases(
    phrases: Union[None, Lexicon, PathLike, Sequence[PathLike]] = None,
    extra: Union[None, PathLike, Iterable[Union[str, PathLike, Tuple[str, str]]]] = None,
    *,
    fold_width: bool = True,
    fold_case: bool = True,
) -> Lexicon:
    """The phrase set: ``phrases`` (None: the bundled list; a :class:`Lexicon`; a file, folder or
    list of them) plus ``extra`` (a file or folder path; or an iterable whose items are phrases
    (``str``, group ``"extra"``), ``(group, phrase)`` pairs or ``os.PathLike`` files)."""
    if isinstance(phrases, Lexicon):
        if phrases.t2s:
            raise ValueError("phrases: a Lexicon with t2s=True is not supported (lines are matched as written)")
        base = phrases
        fold_width, fold_case = base.fold_width, base.fold_case
    elif phrases is None:
        base = _load_files(BUNDLED_PHRASES, fold_width, fold_case)
    elif isinstance(phrases, (str, bytes, os.PathLike)) or (
        isinstance(phrases, (list, tuple)) and all(isinstance(p, (str, os.PathLike)) for p in phrases)
    ):
        base = _load_files(phrases, fold_width, fold_case)
    else:
        raise ValueError(f"phrases must be None, a Lexicon or path(s), got {type(phrases).__name__}")
    lex = Lexicon(fold_width=fold_width, fold_case=fold_case)
    for group, word in base.entries():
        lex.add(group, word)
    lex.problems.extend(base.problems)
    lex.sources.extend(base.sources)
    for group, word in _extra_entries(extra, fold_width, fold_case, lex):
        if "\n" in word or "\r" in word:
            raise ValueError(f"extra: a phrase cannot hold a line break: {word!r}")
        lex.add(group, word)
    if not lex.words:
        raise ValueError("phrases: the phrase set is empty")
    return lex


def _extra_entries(extra, fold_width: bool, fold_case: bool, into: Lexicon) -> List[Tuple[str, str]]:
    if extra is None:
        return []
    if isinstance(extra, (str, bytes, os.PathLike)):
        extra = [extra if isinstance(extra, os.PathLike) else Path(os.fsdecode(extra))]
    out: List[Tuple[str, str]] = []
    for i, item in enumerate(extra):
        if isinstance(item, os.PathLike):
            loaded = _load_files(item, fold_width, fold_case)
            into.problems.extend(loaded.problems)
            into.sources.extend(loaded.sources)
            out.extend(loaded.entries())
        elif isinstance(item, str):
            out.append((EXTRA_GROUP, item))
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item):
            out.append(item)
        else:
            raise ValueError(f"extra[{i}] must be a phrase (str), a (group, phrase) pair or a path, got {item!r}")
    return out


class NoiseSettings:
    """Checked settings: phrase set, per-word marker flags and the two thresholds."""

    def __init__(self, lexicon: Lexicon, max_line_chars, min_cover, cover_only):
        if isinstance(max_line_chars, bool) or not isinstance(max_line_chars, int) or max_line_chars < 0:
            raise ValueError(f"max_line_chars must be an int >= 0, got {max_line_chars!r}")
        if isinstance(min_cover, bool) or not isinstance(min_cover, (int, float)) or not 0.0 <= min_cover <= 1.0:
            raise ValueError(f"min_cover must be a number in [0, 1], got {min_cover!r}")
        groups = list(lexicon.categories)
        if cover_only is None:
            only = [g for g in DEFAULT_COVER_ONLY if g in groups]
        else:
            if isinstance(cover_only, str):
                cover_only = [cover_only]
            only = list(cover_only)
            for g in only:
                if g not in groups:
                    raise ValueError(f"cover_only: {g!r} is not a group of the phrases ({', '.join(groups)})")
        only_mask = 0
        for g in only:
            only_mask |= 1 << groups.index(g)
        self.lexicon = lexicon
        self.groups: List[str] = groups
        self.cover_only: List[str] = only
        self.max_line_chars = int(max_line_chars)
        self.min_cover = float(min_cover)
        # A word is a marker when one of its groups is not cover-only.
        self.marker: List[bool] = [bool(m & ~only_mask) for m in lexicon.word_categories]


class NoiseLineFilterBase:
    """What the native filter and its twin share: settings, and the public methods over ``_run``.

    ``phrases``: None (the bundled list, :data:`BUNDLED_PHRASES`), a
    :class:`~corpus_engine.censor_lexicon.Lexicon`, or lexicon file(s) / folder(s) (any format
    ``Lexicon.load`` reads; ``<group> <phrase>`` lines give groups). ``extra``: more phrases on
    top: a file path, or a list of phrases (group ``"extra"``), ``(group, phrase)`` pairs and
    ``os.PathLike`` files. ``cover_only``: groups whose phrases count for the cover rule only
    (default: ``("menu",)`` when the phrases have that group). ``max_line_chars`` (default
    :data:`DEFAULT_MAX_LINE_CHARS`) and ``min_cover`` (default :data:`DEFAULT_MIN_COVER`): the
    two rules of docs/noise-lines.md.
    """

    def __init__(self, phrases=None, extra=None, max_line_chars: Optional[int] = None,
                 min_cover: Optional[float] = None, cover_only=None, fold_width: bool = True,
                 fold_case: bool = True):
        lex = load_phrases(phrases, extra, fold_width=fold_width, fold_case=fold_case)
        self.settings = NoiseSettings(
            lex,
            DEFAULT_MAX_LINE_CHARS if max_line_chars is None else max_line_chars,
            DEFAULT_MIN_COVER if min_cover is None else min_cover,
            cover_only,
        )
        self.lexicon = lex
        self.groups: List[str] = list(self.settings.groups)
        self.max_line_chars = self.settings.max_line_chars
        self.min_cover = self.settings.min_cover

    def _run(self, docs, threads, errors: str, edit: bool):
        raise NotImplementedError

    def measure(self, docs, threads: Optional[int] = None, errors: str = "replace") -> Dict[str, "np.ndarray"]:
        """Per document (int64 arrays): ``lines`` (``doc.count("\\n") + 1``), ``noise_lines``,
        ``noise_chars`` (code points that removing them takes away, line breaks included),
        ``chars`` (code points) and ``group_lines`` ((n, len(groups)): noise lines with a
        phrase of each group). ``errors``: what the rules see of invalid UTF-8 / lone surrogates."""
        return self._run(docs, threads, errors, False)

    def apply(self, docs, threads: Optional[int] = None, errors: str = "replace"):
        """``(documents without their noise lines, measure's statistics)``, in the form given
        (``list[str]`` or ``TextBatch``); the other lines are kept unit for unit (invalid bytes
        included), joined by ``\\n`` as before."""
        return self._run(docs, threads, errors, True)
