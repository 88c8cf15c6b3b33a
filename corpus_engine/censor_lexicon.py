"""Categorised sensitive-word lexicons in the formats found in the field (docs/censor.md, sections 1-2).

A :class:`Lexicon` holds distinct normalised words, each with a bitmask of the categories it belongs
to (at most :attr:`Lexicon.MAX_CATEGORIES` = 64, so one ``uint64`` per word). Words come from
``(category, word)`` pairs given directly, or from files read by :meth:`Lexicon.load`:

========================  =====================================================  ==========================
format (``format=``)      layout                                                 category of a word
========================  =====================================================  ==========================
``category_word``         ``<category> <word>`` lines (NKCorpus ``latest.txt``)  first field
``list``                  one word per line (57ing ``色情词库.txt``, konsheng)     from the file name
``table``                 tab-separated table with a ``SENSITIVETYPE`` header     the ``SENSITIVETYPE`` column
``pipe``                  ``|``-separated words (57ing ``key.txt``)               from the file name
``json``                  JSON list of words, or object (ToxiCN ``*.json``)      from the file name / keys
========================  =====================================================  ==========================

``category=`` overrides every category; ``mapping`` maps a file (its path, name or stem) to a
category for all its words, and renames categories (``mapping.get(category, category)``). A file's
name gives its category as its stem (``.txt``, ``.dic``, ``.json``... removed) with a trailing
``词库``, ``类型``, ``类`` or ``（gbk编码）`` removed (repeatedly: ``民生词库（gbk编码）.txt`` -> ``民生``).

How a file is read (each step reported in :attr:`Lexicon.sources` / :attr:`Lexicon.problems`):

* Encoding: a UTF-32 / UTF-8 / UTF-16 byte-order mark wins (UTF-32 LE is tested before UTF-16 LE,
  whose mark it starts with); else strict UTF-8; else GB18030 (a superset of GBK and GB2312);
  ``encoding=`` forces a codec. A file that decodes in none of them is a problem (line 0), skipped.
* Lines end at LF, CRLF or CR (and nowhere else: U+2028, VT, FF... stay inside a line). Blank lines
  and lines whose first non-blank character is ``#`` are skipped; words are stripped of surrounding
  white space (``str.strip``: ASCII white space, U+3000, NBSP...). Inner white space is kept:
  ``民生 法 轮 功`` is the word ``法 轮 功``.
* Format, when not forced with ``format=``: ``json`` if the name ends in ``.json`` or the text is a
  JSON list/object; ``table`` if the first content line has a ``SENSITIVETYPE`` tab-separated field
  (a trailing `` #comment`` on that header line is allowed: NKCorpus ``000000.txt``); ``pipe`` if
  every content line holds a ``|``; ``category_word`` if at least 90 % of the content lines have two
  white-space separated fields and their first fields repeat (each value used on two such lines on
  average; so a list with a few ``name place`` lines, or a one-line file, stays a ``list``); else
  ``list``. ``format=`` settles ambiguous files.
* JSON: a list holds words; an object whose values are all lists, holding strings (non-string
  items are problems), maps categories to words; any other object (ToxiCN: word -> lists of token
  ids, no string in them) has its keys as words. Problems in JSON carry the line of the item.
* Problems: a table row with the wrong number of fields or an empty type, a ``category_word`` line
  with no word, a word empty after normalisation, a header-looking first line in a ``list`` /
  ``category_word`` file, a non-string item in JSON, an undecodable file (line 0).

Normalisation (:meth:`Lexicon.normalize`, the same for words and for text): with ``t2s`` the text is
first converted with OpenCC ``t2s`` (may change lengths); then ``fold_width`` maps U+FF01-U+FF5E to
U+0021-U+007E and U+3000 to U+0020, then ``fold_case`` maps ASCII A-Z to a-z. Without ``t2s`` it is
one code point to one code point.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

# Thresholds per category: a document is removed when hits > max_hits or
# covered / length > max_ratio for some category. Measured with NKCorpus's
# latest.txt on the shared clean and noisy text: docs/censor.md, section 6.
DEFAULT_MAX_HITS: Dict[str, int] = {"色情": 20, "反动": 10, "暴恐": 5, "民生": 10, "贪腐": 5, "其他": 20, "*": 10}
DEFAULT_MAX_RATIO: Dict[str, float] = {
    "色情": 0.2,
    "反动": 0.2,
    "暴恐": 0.2,
    "民生": 0.2,
    "贪腐": 0.2,
    "其他": 0.2,
    "*": 0.2,
}


__all__ = ["Lexicon", "LexiconProblem", "LexiconSource", "FORMATS", "detect_encoding", "category_from_filename"]

FORMATS = ("category_word", "list", "table", "pipe", "json")
PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class LexiconProblem:
    """A line (or item, or whole file when ``line == 0``) that could not be used."""

    path: str
    line: int
    reason: str
    text: str


@dataclass
class LexiconSource:
    """One file read: detected encoding and format, its line count and the distinct
    (category, word) pairs it gave (counted per file, whatever other files gave)."""

    path: str
    encoding: str
    format: str
    lines: int
    words: int


# ---------------------------------------------------------------------------
# normalisation

_FOLD_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD_WIDTH[0x3000] = 0x20
_FOLD_CASE = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_FOLD_BOTH = {c: _FOLD_CASE.get(d, d) for c, d in _FOLD_WIDTH.items()}
_FOLD_BOTH.update(_FOLD_CASE)
_TABLES = {
    (False, False): None,
    (True, False): str.maketrans(_FOLD_WIDTH),
    (False, True): str.maketrans(_FOLD_CASE),
    (True, True): str.maketrans(_FOLD_BOTH),
}

_OPENCC_HINT = (
    "Lexicon(t2s=True) needs OpenCC for Python: `pip install opencc` (the official binding, wheels "
    "bundle the dictionaries) or `pip install opencc-python-reimplemented` (pure Python); both "
    "install the module `opencc`"
)
_converters: Dict[str, object] = {}


def _t2s_converter():
    conv = _converters.get("t2s")
    if conv is None:
        try:
            import opencc  # noqa: PLC0415 - optional dependency, imported only when t2s is asked for
        except ImportError as e:
            raise ImportError(_OPENCC_HINT) from e
        last: Optional[Exception] = None
        for config in ("t2s", "t2s.json"):
            try:
                conv = opencc.OpenCC(config)
                break
            except Exception as e:  # noqa: BLE001 - versions differ in which config name they take
                last = e
        else:
            raise ImportError(f"{_OPENCC_HINT}; the installed `opencc` could not load its t2s config: {last}")
        _converters["t2s"] = conv
    return conv


# ---------------------------------------------------------------------------
# decoding and lines

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32-le-bom"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32-be-bom"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-bom"),
    (b"\xff\xfe", "utf-16-le", "utf-16-le-bom"),
    (b"\xfe\xff", "utf-16-be", "utf-16-be-bom"),
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def detect_encoding(data: bytes, encoding: Optional[str] = None) -> Tuple[str, str]:
    """``(text, encoding name)`` of a lexicon file's bytes; raises ``UnicodeDecodeError``.

    Names: ``utf-8``, ``utf-8-bom``, ``utf-16-le-bom``, ``utf-16-be-bom``, ``utf-32-le-bom``,
    ``utf-32-be-bom``, ``gb18030``, or the forced ``encoding`` as given (a leading U+FEFF is dropped).
    """
    if encoding is not None:
        text = data.decode(encoding)
        return (text[1:] if text.startswith("\ufeff") else text), encoding
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def _split_lines(text: str) -> List[str]:
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # a final line break ends the last line; it does not start a new one
    return lines


def _is_skipped(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")


# ---------------------------------------------------------------------------
# categories from file names

_EXTENSIONS = {".txt", ".text", ".dic", ".dict", ".lst", ".list", ".json", ".tsv", ".csv", ".dat"}
_NAME_SUFFIX = re.compile(r"(?:词库|类型|类|[（(]\s*gbk\s*编码\s*[)）])$", re.IGNORECASE)


def _stem(name: str) -> str:
    p = Path(name)
    return p.stem if p.suffix.lower() in _EXTENSIONS else p.name


def category_from_filename(name: PathLike) -> str:
    """``色情词库.txt`` -> ``色情``; ``民生词库（gbk编码）.txt`` -> ``民生``; ``政治类型.txt`` -> ``政治``."""
    cat = _stem(os.path.basename(os.fspath(name))).strip()
    while True:
        shorter = _NAME_SUFFIX.sub("", cat).strip()
        if shorter == cat or not shorter:
            return cat
        cat = shorter


# ---------------------------------------------------------------------------
# format detection

_HEADER_NAMES = {
    "word", "words", "keyword", "keywords", "term", "terms", "text", "phrase", "token", "category",
    "type", "label", "id", "topic", "敏感词", "关键词", "词", "词语", "词汇", "类别", "类型", "分类",
}  # fmt: skip
_HEADER_COMMENT = re.compile(r"\s+#.*$")


def _table_header(line: str) -> Optional[List[str]]:
    fields = [f.strip().upper() for f in _HEADER_COMMENT.sub("", line).split("\t")]
    return fields if len(fields) > 1 and "SENSITIVETYPE" in fields else None


def _looks_like_header(line: str) -> bool:
    fields = [f.strip().casefold() for f in re.split(r"[\t,;|]|\s+", line.strip()) if f.strip()]
    if not fields:
        return False
    return all(f in _HEADER_NAMES or "sensitive" in f for f in fields)


def _looks_like_json(text: str) -> bool:
    s = text.lstrip()
    if not s or s[0] not in "[{":
        return False
    try:
        return isinstance(json.loads(s), (list, dict))
    except ValueError:
        return False


def _detect_format(path: str, text: str, content: List[str]) -> str:
    if path.lower().endswith(".json") or _looks_like_json(text):
        return "json"
    if not content:
        return "list"
    if _table_header(content[0]) is not None:
        return "table"
    if all("|" in line for line in content):
        return "pipe"
    firsts = [parts[0] for parts in (line.split(None, 1) for line in content) if len(parts) == 2]
    if len(firsts) >= 0.9 * len(content):
        if 2 * len(set(firsts)) <= len(firsts):  # more than 64 categories: ValueError at load
            return "category_word"
    return "list"


# ---------------------------------------------------------------------------
# JSON with item positions

_JSON = json.JSONDecoder()
_JSON_WS = " \t\n\r"


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in _JSON_WS:
        i += 1
    return i


def _json_array(s: str, i: int) -> Tuple[List[Tuple[object, int]], int]:
    """Items of the array at ``s[i] == '['`` with their offsets; the offset after it."""
    items: List[Tuple[object, int]] = []
    i = _skip_ws(s, i + 1)
    if s[i] == "]":
        return items, i + 1
    while True:
        value, end = _JSON.raw_decode(s, i)
        items.append((value, i))
        i = _skip_ws(s, end)
        if s[i] == "]":
            return items, i + 1
        i = _skip_ws(s, i + 1)  # s[i] == ',' (the text parsed as JSON before the walk)


def _json_object(s: str, i: int) -> List[Tuple[str, int, object, int]]:
    """(key, key offset, value, value offset) of the object at ``s[i] == '{'``, duplicates kept."""
    out: List[Tuple[str, int, object, int]] = []
    i = _skip_ws(s, i + 1)
    if s[i] == "}":
        return out
    while True:
        key, end = json.decoder.scanstring(s, i + 1)
        kpos = i
        i = _skip_ws(s, _skip_ws(s, end) + 1)  # past ':'
        value, end = _JSON.raw_decode(s, i)
        out.append((key, kpos, value, i))
        i = _skip_ws(s, end)
        if s[i] == "}":
            return out
        i = _skip_ws(s, i + 1)


# ---------------------------------------------------------------------------


class Lexicon:
    """Distinct normalised words with a category bitmask each (see the module docstring).

    >>> lex = Lexicon([("色情", "ＡＶ"), ("色情", "av"), ("反动", "六四")])
    >>> lex.words, lex.word_categories, lex.sizes
    (['av', '六四'], [1, 2], {'色情': 1, '反动': 1})
    """

    MAX_CATEGORIES = 64

    def __init__(
        self,
        entries: Iterable[Tuple[str, str]] = (),
        *,
        fold_width: bool = True,
        fold_case: bool = True,
        t2s: bool = False,
    ):
        self.fold_width = bool(fold_width)
        self.fold_case = bool(fold_case)
        self.t2s = bool(t2s)
        self._table = _TABLES[(self.fold_width, self.fold_case)]
        self._t2s = _t2s_converter() if self.t2s else None  # fails early when OpenCC is missing
        self.categories: List[str] = []
        self.words: List[str] = []
        self.word_categories: List[int] = []
        self.sizes: Dict[str, int] = {}
        self.problems: List[LexiconProblem] = []
        self.sources: List[LexiconSource] = []
        self._cat_index: Dict[str, int] = {}
        self._word_index: Dict[str, int] = {}
        self._entries: List[Tuple[str, str]] = []
        for n, pair in enumerate(entries, 1):
            category, word = pair
            try:
                self.add(category, word)
            except _EmptyWord:
                self.problems.append(LexiconProblem("<entries>", n, "empty word after normalisation", str(word)))

    # -- normalisation -----------------------------------------------------------------------

    def normalize(self, text: str) -> str:
        """OpenCC t2s (when on), then width folding, then ASCII case folding."""
        if self._t2s is not None:
            text = self._t2s.convert(text)
        return text.translate(self._table) if self._table is not None else text

    def _norm_word(self, word: str) -> str:
        return self.normalize(word.strip()).strip()

    # -- building ----------------------------------------------------------------------------

    def _category_index(self, category: str) -> int:
        i = self._cat_index.get(category)
        if i is None:
            if len(self.categories) >= self.MAX_CATEGORIES:
                raise ValueError(
                    f"more than {self.MAX_CATEGORIES} categories: {category!r} would be number "
                    f"{len(self.categories) + 1} (use mapping= or category= to merge categories)"
                )
            i = self._cat_index[category] = len(self.categories)
            self.categories.append(category)
            self.sizes[category] = 0
        return i

    def _add_normalized(self, category: str, word: str) -> bool:
        c = self._category_index(category)
        w = self._word_index.get(word)
        if w is None:
            w = self._word_index[word] = len(self.words)
            self.words.append(word)
            self.word_categories.append(0)
        bit = 1 << c
        if self.word_categories[w] & bit:
            return False
        self.word_categories[w] |= bit
        self.sizes[category] += 1
        self._entries.append((category, word))
        return True

    def add(self, category: str, word: str) -> bool:
        """Add a (category, word) pair (the word is normalised); False when it was there already.

        Raises ``ValueError`` for a category that is not a non-empty string, a word empty after
        normalisation, or a 65th category."""
        if not isinstance(category, str) or not category.strip():
            raise ValueError(f"a category must be a non-empty string, got {category!r}")
        if not isinstance(word, str):
            raise TypeError(f"a word must be a string, got {type(word).__name__}")
        w = self._norm_word(word)
        if not w:
            raise _EmptyWord(f"word {word!r} is empty after normalisation")
        try:
            w.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ValueError(f"word {word!r} holds a lone surrogate") from e
        return self._add_normalized(category.strip(), w)

    # -- views -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._norm_word(word) in self._word_index

    def entries(self) -> List[Tuple[str, str]]:
        """The distinct (category, normalised word) pairs in order of first appearance."""
        return list(self._entries)

    def categories_of(self, word: str) -> List[str]:
        """The categories of a word (normalised first); [] when absent."""
        i = self._word_index.get(self._norm_word(word))
        if i is None:
            return []
        mask = self.word_categories[i]
        return [c for k, c in enumerate(self.categories) if mask >> k & 1]

    def __repr__(self) -> str:
        sizes = ", ".join(f"{c}: {n}" for c, n in self.sizes.items())
        return f"Lexicon({len(self.words)} words; {sizes}; {len(self.problems)} problems)"

    # -- loading -----------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        paths: Union[PathLike, Sequence[PathLike]],
        *,
        category: Optional[str] = None,
        mapping: Optional[Mapping[str, str]] = None,
        fold_width: bool = True,
        fold_case: bool = True,
        t2s: bool = False,
        encoding: Optional[str] = None,
        format: Optional[str] = None,  # noqa: A002 - the word of the spec
    ) -> "Lexicon":
        """Read lexicon files (a path or a list; a directory stands for its files, recursively,
        sorted, hidden ones left out). ``format`` forces one of :data:`FORMATS` for every file."""
        if format is not None and format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
        if category is not None and (not isinstance(category, str) or not category.strip()):
            raise ValueError(f"category must be a non-empty string, got {category!r}")
        if encoding is not None:
            codecs.lookup(encoding)  # an unknown codec name is the caller's error: LookupError
        lex = cls(fold_width=fold_width, fold_case=fold_case, t2s=t2s)
        for path in _expand(paths):
            lex._load_file(path, category=category, mapping=dict(mapping or {}), encoding=encoding, format=format)
        return lex

    def _load_file(self, path: str, *, category, mapping, encoding, format) -> None:  # noqa: A002
        with open(path, "rb") as f:
            data = f.read()
        try:
            text, enc = detect_encoding(data, encoding)
        except (UnicodeDecodeError, LookupError) as e:
            how = f"as {encoding}" if encoding else "as UTF-8 / UTF-16 / UTF-32 (with BOM) or GB18030"
            self.problems.append(LexiconProblem(path, 0, f"cannot decode {how}: {e}", ""))
            return
        lines = _split_lines(text)
        content = [ln for ln in lines if not _is_skipped(ln)]
        fmt = format or _detect_format(path, text, content)

        name = os.path.basename(path)
        fixed = category
        if fixed is None:
            for key in (path, name, _stem(name)):
                if key in mapping:
                    fixed = mapping[key]
                    break
        derived = category_from_filename(name)

        def cat_of(in_file: Optional[str]) -> str:
            if fixed is not None:
                return fixed
            c = derived if in_file is None else in_file
            return mapping.get(c, c)

        seen: set = set()

        def take(cat: Optional[str], word: str, line: int, raw: str) -> None:
            w = self._norm_word(word)
            if not w:
                self.problems.append(LexiconProblem(path, line, "empty word after normalisation", raw))
                return
            c = cat_of(cat).strip()
            if not c:
                self.problems.append(LexiconProblem(path, line, "empty category", raw))
                return
            seen.add((c, w))
            self._add_normalized(c, w)

        def problem(line: int, reason: str, raw: str) -> None:
            self.problems.append(LexiconProblem(path, line, reason, raw))

        if fmt == "json":
            self._load_json(text, take, problem)
        else:
            first = True
            header: Optional[List[str]] = None
            for no, line in enumerate(lines, 1):
                if _is_skipped(line):
                    continue
                if fmt == "table":
                    if first:
                        first = False
                        header = _table_header(line)
                        if header is not None:
                            continue
                        header = ["T_BASE_SENSITIVEWORDS_ID", "SENSITIVETYPE", "SENSITIVETOPIC", "SENSITIVEWORDS"]
                        problem(no, "table without a SENSITIVETYPE header; read as ID, TYPE, TOPIC, WORDS", line)
                    fields = line.split("\t")
                    if len(fields) != len(header):
                        problem(no, f"table row with {len(fields)} fields, expected {len(header)}", line)
                        continue
                    t = fields[header.index("SENSITIVETYPE")].strip()
                    wcol = header.index("SENSITIVEWORDS") if "SENSITIVEWORDS" in header else len(header) - 1
                    if not t:
                        problem(no, "table row with an empty SENSITIVETYPE", line)
                        continue
                    take(t, fields[wcol], no, line)
                elif fmt == "pipe":
                    for piece in line.split("|"):
                        take(None, piece, no, line)
                elif fmt == "category_word":
                    if first:
                        first = False
                        if _looks_like_header(line):
                            problem(no, "header-looking first line", line)
                            continue
                    parts = line.strip().split(None, 1)
                    if len(parts) < 2:
                        problem(no, "no word after the category", line)
                        continue
                    take(parts[0], parts[1], no, line)
                else:  # list
                    if first:
                        first = False
                        if _looks_like_header(line):
                            problem(no, "header-looking first line in a list file", line)
                            continue
                    take(None, line, no, line)
        self.sources.append(LexiconSource(path, enc, fmt, len(lines), len(seen)))

    @staticmethod
    def _load_json(text: str, take, problem) -> None:
        def line_of(pos: int) -> int:
            return len(_LINE_BREAK.findall(text, 0, pos)) + 1

        try:
            json.loads(text)
        except ValueError as e:
            problem(getattr(e, "lineno", 0), f"invalid JSON: {e}", "")
            return
        start = _skip_ws(text, 0)
        if start >= len(text) or text[start] not in "[{":
            problem(line_of(start), "JSON top level is neither a list nor an object", text.strip()[:200])
            return
        if text[start] == "[":
            items, _ = _json_array(text, start)
            for value, pos in items:
                if isinstance(value, str):
                    take(None, value, line_of(pos), json.dumps(value, ensure_ascii=False))
                else:
                    problem(line_of(pos), "JSON item is not a string", json.dumps(value, ensure_ascii=False)[:200])
            return
        members = _json_object(text, start)
        by_category = all(isinstance(v, list) for _, _, v, _ in members) and any(
            isinstance(x, str) for _, _, v, _ in members for x in v
        )
        for key, kpos, value, vpos in members:
            if not by_category:  # ToxiCN: word -> token ids
                take(None, key, line_of(kpos), json.dumps(key, ensure_ascii=False))
                continue
            if not key.strip():
                problem(line_of(kpos), "empty category in JSON", json.dumps(key, ensure_ascii=False))
                continue
            items, _ = _json_array(text, vpos)
            for word, pos in items:
                if isinstance(word, str):
                    take(key.strip(), word, line_of(pos), json.dumps(word, ensure_ascii=False))
                else:
                    problem(line_of(pos), "JSON item is not a string", json.dumps(word, ensure_ascii=False)[:200])


class _EmptyWord(ValueError):
    pass


def _expand(paths) -> List[str]:
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    out: List[str] = []
    for p in paths:
        p = os.fsdecode(os.fspath(p))
        if os.path.isdir(p):
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found.extend(os.path.join(root, f) for f in files if not f.startswith("."))
            out.extend(sorted(found, key=lambda f: Path(os.path.relpath(f, p)).parts))
        elif os.path.exists(p):
            out.append(p)
        else:
            raise FileNotFoundError(f"lexicon file not found: {p}")
    return out
