"""Pure-Python twin of the native PII scanner and masker.

It defines the semantics (docs/pii.md), is the oracle of the differential tests and the
baseline of the benchmark. Same names, signatures and results as :mod:`corpus_engine.pii`;
``threads`` is accepted and ignored. Shapes are Python ``re`` patterns; checksums, dates,
ranges and the overlap rule are explicit code.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from .. import charsets as cs
from ..batch import TextBatch
from .text import _docs, _result

Docs = Union[Sequence[str], TextBatch]

KINDS: Tuple[str, ...] = ("mobile", "landline", "id_card", "bank_card", "email", "ipv4", "ipv6", "qq", "wechat")
DEFAULT_REPLACEMENTS: Dict[str, str] = {
    "mobile": "<PHONE>",
    "landline": "<PHONE>",
    "id_card": "<ID>",
    "bank_card": "<BANK_CARD>",
    "email": "<EMAIL>",
    "ipv4": "<IP>",
    "ipv6": "<IP>",
    "qq": "<QQ>",
    "wechat": "<WECHAT>",
}
_KIND_INDEX = {k: i for i, k in enumerate(KINDS)}
# Ties of the overlap rule (same length): an account named by its keyword is the most specific
# reading ("QQ：13812345678" is a QQ number), then the order of KINDS.
TIE_ORDER: Tuple[str, ...] = ("qq", "wechat") + KINDS[:7]
_RANK = [TIE_ORDER.index(k) for k in KINDS]

# Word characters: a match may not touch one (ASCII and full-width letters and digits).
_W = "0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
_W_RE = re.compile(f"[{_W}]")

# The number kinds run on a copy where full-width digits, '＋', '（', '）', '－', 'Ｘ', 'ｘ'
# are their ASCII forms: one code point for one, so offsets are those of the text.
_FOLD = {0xFF10 + i: 0x30 + i for i in range(10)}
_FOLD.update({0xFF0B: ord("+"), 0xFF08: ord("("), 0xFF09: ord(")"), 0xFF0D: ord("-"), 0xFF38: ord("X"), 0xFF58: ord("x")})

_NB = rf"(?<![{_W}])(?<![0-9]\.)"  # left edge of a number: no word char, no "digit." before
_NA = rf"(?![{_W}])(?!\.[0-9])"  # right edge: no word char, no ".digit" after

# Every (overlapping) position is tried: the pattern sits in a lookahead.
_MOBILE = re.compile(
    rf"(?={_NB}((?:\+86|\(\+?86\)|0086|86)[ -]?)?1[3-9][0-9](?:[0-9]{{8}}|([ -])[0-9]{{4}}\2[0-9]{{4}}){_NA}"
    rf"(?P<end>))"
)
_AREA = r"(?:010|02[0-9]|0[3-9][0-9]{2})"
_LANDLINE = re.compile(
    rf"(?={_NB}(?<![0-9]-)(?:{_AREA}-|\({_AREA}\)[ -]?)[2-9][0-9]{{6,7}}"
    rf"(?:[-转][0-9]{{1,6}}{_NA}(?!-[0-9]))?{_NA}(?!-[0-9])(?P<end>))"
)
_ID_CARD = re.compile(rf"(?={_NB}([1-8][0-9]{{16}}[0-9Xx]){_NA})")
_BANK_RUN = re.compile(rf"(?={_NB}([3-6][0-9]{{15,18}}){_NA})")
_BANK_GROUPED = re.compile(
    rf"(?={_NB}([3-6][0-9]{{3}}([ -])[0-9]{{4}}\2[0-9]{{4}}\2[0-9]{{4}}(?:\2[0-9]{{1,3}})?){_NA})"
)

_LOCAL_CH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_DOMAIN_CH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\Z")
_TLD = re.compile(r"[A-Za-z]{2,}\Z")

_IPV4_RUN = re.compile(r"[0-9.]+")
_IPV4_PART = re.compile(r"(?:0|[1-9][0-9]{0,2})\Z")
_IPV6_RUN = re.compile(r"[0-9A-Fa-f:]+")
_HEX_GROUP = re.compile(r"[0-9A-Fa-f]{1,4}\Z")

_KEYWORD = re.compile(
    rf"(?:(?<![{_W}])(?P<ascii>(?ai:qq|q号|wechat|weixin|wx|vx))|(?P<cjk>企鹅号|微信))"
    r"(?P<gap>[:：\u0020\u3000号码是为]*)"
)
_QQ_KEYWORDS = ("qq", "q号", "企鹅号")
_MAX_GAP = 4
_QQ_ACCOUNT = re.compile(rf"[1-9][0-9]{{4,10}}{_NA}")
_WX_MOBILE = re.compile(rf"1[3-9][0-9]{{9}}{_NA}")
_WX_ID = re.compile(rf"[A-Za-z][A-Za-z0-9_-]{{5,19}}(?![A-Za-z0-9_@-])(?![{_W}])(?!\.[A-Za-z0-9])")
_WX_ID_MARK = re.compile(r"[0-9_-]")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


# --------------------------------------------------------------------------- checks


def _valid_id(z: str) -> bool:
    year, month, day = int(z[6:10]), int(z[10:12]), int(z[12:14])
    if not (1900 <= year <= 2099 and 1 <= month <= 12):
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= day <= _MONTH_DAYS[month - 1] + (month == 2 and leap):
        return False
    total = sum(int(c) * w for c, w in zip(z, _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == z[17].upper()


def _luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _valid_bank(digits: str) -> bool:
    return digits.count(digits[0]) != len(digits) and _luhn(digits)


def _chained(z: str, start: int, end: int, sep: str) -> bool:
    """True when a grouped number continues a longer chain: "digit sep" before or "sep digit" after."""
    if start >= 2 and z[start - 1] == sep and z[start - 2].isascii() and z[start - 2].isdigit():
        return True
    return end + 1 < len(z) and z[end] == sep and z[end + 1].isascii() and z[end + 1].isdigit()


def _is_w(s: str, i: int) -> bool:
    return 0 <= i < len(s) and _W_RE.match(s[i]) is not None


# --------------------------------------------------------------------------- candidates per kind


def _mobile(z: str, out: list) -> None:
    k = _KIND_INDEX["mobile"]
    for m in _MOBILE.finditer(z):
        start, end = m.start(), m.end("end")
        if m.group(2) and _chained(z, start, end, m.group(2)):
            continue
        out.append((start, end, k))


def _landline(z: str, out: list) -> None:
    k = _KIND_INDEX["landline"]
    for m in _LANDLINE.finditer(z):
        out.append((m.start(), m.end("end"), k))


def _id_card(z: str, out: list) -> None:
    k = _KIND_INDEX["id_card"]
    for m in _ID_CARD.finditer(z):
        if _valid_id(m.group(1)):
            out.append((m.start(), m.end(1), k))


def _bank_card(z: str, out: list) -> None:
    k = _KIND_INDEX["bank_card"]
    for m in _BANK_RUN.finditer(z):
        if _valid_bank(m.group(1)):
            out.append((m.start(), m.end(1), k))
    for m in _BANK_GROUPED.finditer(z):
        sep = m.group(2)
        if _chained(z, m.start(), m.end(1), sep):
            continue
        if _valid_bank(m.group(1).replace(sep, "")):
            out.append((m.start(), m.end(1), k))


def _email(s: str, out: list) -> None:
    k = _KIND_INDEX["email"]
    n = len(s)
    at = s.find("@")
    while at >= 0:
        nxt = s.find("@", at + 1)
        lo = at
        while lo > 0 and s[lo - 1] in _LOCAL_CH:
            lo -= 1
        while lo < at and s[lo] == ".":
            lo += 1
        hi = at + 1
        while hi < n and s[hi] in _DOMAIN_CH:
            hi += 1
        while hi > at + 1 and s[hi - 1] in ".-":
            hi -= 1
        local, domain = s[lo:at], s[at + 1 : hi]
        ok = 1 <= len(local) <= 64 and ".." not in local and not local.endswith(".")
        ok = ok and not (lo > 0 and (_is_w(s, lo - 1) or s[lo - 1] == "@"))
        ok = ok and not (hi < n and (_is_w(s, hi) or s[hi] in "@_"))
        if ok and len(domain) <= 253:
            labels = domain.split(".")
            ok = (
                len(labels) >= 2
                and all(len(lb) <= 63 and _LABEL.match(lb) for lb in labels)
                and _TLD.match(labels[-1]) is not None
            )
            if ok:
                out.append((lo, hi, k))
        at = nxt


def _ipv4(s: str, out: list) -> None:
    k = _KIND_INDEX["ipv4"]
    for m in _IPV4_RUN.finditer(s):
        lo, hi = m.start(), m.end()
        if s[lo] == ".":
            continue
        if s[hi - 1] == ".":
            hi -= 1
        parts = s[lo:hi].split(".")
        if len(parts) != 4 or not all(_IPV4_PART.match(p) and int(p) <= 255 for p in parts):
            continue
        if all(len(p) == 1 for p in parts):  # 1.2.3.4: section, EC and dental numbers, not hosts
            continue
        if _is_w(s, lo - 1) or _is_w(s, hi):
            continue
        out.append((lo, hi, k))


def _ipv6(s: str, out: list) -> None:
    k = _KIND_INDEX["ipv6"]
    for m in _IPV6_RUN.finditer(s):
        lo, hi = m.start(), m.end()
        if ":" not in s[lo:hi]:
            continue
        if hi - lo >= 2 and s[lo] == ":" and s[lo + 1] != ":":
            lo += 1
        if hi - lo >= 2 and s[hi - 1] == ":" and s[hi - 2] != ":":
            hi -= 1
        tok = s[lo:hi]
        if ":::" in tok:
            continue
        if "::" in tok:
            if tok.count("::") != 1:
                continue
            head, tail = tok.split("::")
            groups = (head.split(":") if head else []) + (tail.split(":") if tail else [])
            if not 2 <= len(groups) <= 7:
                continue
        else:
            groups = tok.split(":")
            if len(groups) != 8:
                continue
        if not all(_HEX_GROUP.match(g) for g in groups):
            continue
        if _is_w(s, lo - 1) or (lo > 0 and s[lo - 1] == ".") or _is_w(s, hi) or (hi < len(s) and s[hi] == "."):
            continue
        out.append((lo, hi, k))


def _accounts(s: str, z: str, want_qq: bool, want_wx: bool, out: list) -> None:
    for m in _KEYWORD.finditer(s):
        gap = m.group("gap")
        if len(gap) > _MAX_GAP:
            continue
        a = m.end()
        keyword = (m.group("ascii") or m.group("cjk")).lower()
        if keyword in _QQ_KEYWORDS:
            if want_qq:
                acc = _QQ_ACCOUNT.match(z, a)
                if acc:
                    out.append((a, acc.end(), _KIND_INDEX["qq"]))
            continue
        if not want_wx:
            continue
        acc = _WX_MOBILE.match(z, a)
        if acc is None and (gap or m.group("cjk")):
            acc = _WX_ID.match(s, a)
            if acc is not None and not _WX_ID_MARK.search(acc.group()):
                acc = None
        if acc:
            out.append((a, acc.end(), _KIND_INDEX["wechat"]))


# --------------------------------------------------------------------------- overlap rule


def _resolve(cands: List[Tuple[int, int, int]]) -> List[Tuple[int, int, int]]:
    """Longer spans first, then TIE_ORDER, then earlier start; a span overlapping one already
    taken is dropped. Returns the kept spans in text order."""
    starts: List[int] = []
    kept: List[Tuple[int, int, int]] = []
    for start, end, k in sorted(cands, key=lambda c: (c[0] - c[1], _RANK[c[2]], c[0])):
        j = bisect_left(starts, end) - 1  # last kept span starting before our end
        if j >= 0 and kept[j][1] > start:
            continue
        starts.insert(j + 1, start)
        kept.insert(j + 1, (start, end, k))
    return kept


def _find(doc: str, want: Sequence[bool]) -> List[Tuple[int, int, int]]:
    if not doc:
        return []
    z = doc.translate(_FOLD)
    cands: list = []
    for k, (finder, folded) in enumerate(_FINDERS):
        if want[k]:
            finder(z if folded else doc, cands)
    if want[7] or want[8]:
        _accounts(doc, z, want[7], want[8], cands)
    return _resolve(cands)


# Finders of KINDS[0:7], and whether each reads the folded text (the number kinds do).
_FINDERS = ((_mobile, True), (_landline, True), (_id_card, True), (_bank_card, True),
            (_email, False), (_ipv4, False), (_ipv6, False))


# --------------------------------------------------------------------------- arguments


def check_kinds(kinds: Optional[Iterable[str]]) -> List[bool]:
    """``kinds`` -> one flag per entry of KINDS (None: all)."""
    if kinds is None:
        return [True] * len(KINDS)
    if isinstance(kinds, str):
        kinds = [kinds]
    want = [False] * len(KINDS)
    for k in kinds:
        if k not in _KIND_INDEX:
            raise ValueError(f"kinds: unknown kind {k!r}; known: {', '.join(KINDS)}")
        want[_KIND_INDEX[k]] = True
    return want


def check_replacements(replacements: Optional[Dict[str, str]]) -> List[str]:
    """Defaults updated with ``replacements`` -> one string per entry of KINDS."""
    out = dict(DEFAULT_REPLACEMENTS)
    if replacements is not None:
        if not isinstance(replacements, dict):
            raise ValueError(f"replacements must be a dict of kind -> str, got {type(replacements).__name__}")
        for k, v in replacements.items():
            if k not in _KIND_INDEX:
                raise ValueError(f"replacements: unknown kind {k!r}; known: {', '.join(KINDS)}")
            if not isinstance(v, str):
                raise ValueError(f"replacements[{k!r}] must be a str, got {type(v).__name__}")
            out[k] = v
    return [out[k] for k in KINDS]


# --------------------------------------------------------------------------- API


def scan(docs: Docs, kinds=None, errors: str = "replace", threads: Optional[int] = None) -> np.ndarray:
    """Per document and kind (columns in KINDS order): the number of PII spans found."""
    want = check_kinds(kinds)
    cs.check_errors(errors)
    texts = _docs(docs, errors)
    out = np.zeros((len(texts), len(KINDS)), dtype=np.int64)
    for i, d in enumerate(texts):
        for _, _, k in _find(d, want):
            out[i, k] += 1
    return out


def mask(docs: Docs, kinds=None, replacements=None, errors: str = "replace", threads: Optional[int] = None):
    """Replace every PII span by its kind's replacement; returns (new docs, counts)."""
    want = check_kinds(kinds)
    repl = check_replacements(replacements)
    cs.check_errors(errors)
    texts = _docs(docs, errors)
    counts = np.zeros((len(texts), len(KINDS)), dtype=np.int64)
    new: List[str] = []
    for i, d in enumerate(texts):
        parts, pos = [], 0
        for start, end, k in _find(d, want):
            parts.append(d[pos:start])
            parts.append(repl[k])
            pos = end
            counts[i, k] += 1
        parts.append(d[pos:])
        new.append("".join(parts))
    return _result(docs, new), counts


def spans(doc: Union[str, bytes], kinds=None, errors: str = "replace") -> List[Tuple[str, int, int]]:
    """The PII spans of one document: (kind, start, end) in code points, in text order."""
    want = check_kinds(kinds)
    cs.check_errors(errors)
    if isinstance(doc, (bytes, bytearray, memoryview)):
        text = _docs(TextBatch.from_bytes([bytes(doc)]), errors)[0]
    elif isinstance(doc, str):
        text = _docs([doc], errors)[0]
    else:
        raise TypeError(f"doc must be str or bytes, got {type(doc).__name__}")
    return [(KINDS[k], start, end) for start, end, k in _find(text, want)]
