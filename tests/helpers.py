"""Helpers of the text-kernel tests: imports, shared-data loaders, exact result comparison,
the kernel variants every differential test runs, and the Hypothesis strategies."""

from __future__ import annotations

import csv
import importlib
import json
import os
import string
import time
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np
import pytest
from hypothesis import strategies as st

from corpus_engine import charsets as cs

REPO = Path(__file__).resolve().parents[1]
DATA_ENV = "CORPUS_ENGINE_DATA"


def _import(name: str):
    """Import a module; the in-place .so may be being rebuilt by someone else for a moment."""
    last = None
    for _ in range(40):
        try:
            return importlib.import_module(name)
        except ImportError as e:  # pragma: no cover - only while the extension is rebuilt
            last = e
            time.sleep(0.5)
    raise last


text = _import("corpus_engine.text")
from corpus_engine.batch import TextBatch  # noqa: E402
from corpus_engine.reference import text as ref  # noqa: E402

# ---------------------------------------------------------------------------
# SIMD levels

SIMD_ORDER = ["scalar", "avx2", "avx512"]


def available_simd_levels() -> List[str]:
    best = text._native.simd_detected()
    return SIMD_ORDER[: SIMD_ORDER.index(best) + 1]


SIMD_LEVELS = available_simd_levels()


class Impl:
    """One implementation of the text kernels: the reference twin, or native at a SIMD level."""

    def __init__(self, name: str, module, level=None):
        self.name, self.module, self.level = name, module, level

    @property
    def native(self) -> bool:
        return self.level is not None

    def __getattr__(self, attr):
        return getattr(self.module, attr)

    def __repr__(self):
        return f"Impl({self.name})"


# ---------------------------------------------------------------------------
# Shared real data


def data_dir() -> Path:
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else REPO.parent / "shared" / "data"


def require_data() -> Path:
    d = data_dir()
    if not d.is_dir():
        pytest.skip(f"shared data not found at {d}: set {DATA_ENV}")
    return d


def _require_files(d: Path, pattern: str) -> List[Path]:
    files = sorted(d.glob(pattern))
    if not files:
        pytest.skip(f"shared data at {d.parent} has no {d.name}/{pattern}: set {DATA_ENV}")
    return files


def _lines(path: Path) -> List[str]:
    with open(path, encoding="utf-8", newline="") as f:
        out = [ln.rstrip("\r\n") for ln in f]
    return [ln for ln in out if ln]


def _json_lines(path: Path, fields: Sequence[str]) -> List[str]:
    out = []
    for ln in _lines(path):
        obj = json.loads(ln)
        for k in fields:
            v = obj.get(k)
            if isinstance(v, str) and v:
                out.append(v)
    return out


def _csv_column(path: Path, names: Sequence[str]) -> List[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        col = next((n for n in names if n in (reader.fieldnames or [])), None)
        if col is None:
            raise AssertionError(f"{path}: none of the columns {names} in {reader.fieldnames}")
        return [row[col] for row in reader if row[col]]


def news_commentary_pairs(d: Path) -> List[Tuple[str, str]]:
    """(English, Chinese) sides of the news-commentary sample (tab-separated lines)."""
    pairs = []
    for ln in _lines(d / "clean_zh" / "tencentpretrain" / "news-commentary-v13-en-zh_sampled.txt"):
        en, sep, zh = ln.partition("\t")
        assert sep, f"news-commentary line without a tab: {ln[:80]!r}"
        pairs.append((en, zh))
    return pairs


@lru_cache(maxsize=None)
def load_clean_zh(d: Path) -> Dict[str, List[str]]:
    """Every document of clean_zh, by source (news-commentary: the Chinese side)."""
    base = d / "clean_zh"
    out: Dict[str, List[str]] = {}
    for p in _require_files(base, "tencentpretrain/*.txt"):
        if p.name.startswith("news-commentary"):
            out[f"tencentpretrain/{p.name}"] = [zh for _, zh in news_commentary_pairs(d) if zh]
        else:
            out[f"tencentpretrain/{p.name}"] = _lines(p)
    for p in _require_files(base, "cmrc2018/*.json"):
        with open(p, encoding="utf-8") as f:
            obj = json.load(f)
        out[f"cmrc2018/{p.name}"] = [para["context"] for art in obj["data"] for para in art["paragraphs"]]
    for p in _require_files(base, "fewclue/*/*.json"):
        out[f"fewclue/{p.parent.name}/{p.name}"] = _json_lines(p, ("abst", "content", "sentence"))
    for k, v in out.items():
        assert v, f"clean_zh source {k} gave no documents"
    return out


@lru_cache(maxsize=None)
def load_noisy_zh(d: Path) -> Dict[str, List[str]]:
    """Every document of noisy_zh, by source."""
    base = d / "noisy_zh"
    out: Dict[str, List[str]] = {}
    for p in _require_files(base, "c4-dataset-script/*.jsonl"):
        out[f"c4-dataset-script/{p.name}"] = _json_lines(p, ("text",))
    for p in _require_files(base, "reviews/chnsenticorp.txt"):
        out[f"reviews/{p.name}"] = _lines(p)
    for p in _require_files(base, "reviews/waimai_10k.csv"):
        out[f"reviews/{p.name}"] = _csv_column(p, ("review",))
    for p in _require_files(base, "cold/*.csv"):
        out[f"cold/{p.name}"] = _csv_column(p, ("TEXT",))
    for p in _require_files(base, "toxicn/*.csv"):
        out[f"toxicn/{p.name}"] = _csv_column(p, ("content",))
    for p in _require_files(base, "chinesewebtext/fasttext/*.jsonl"):
        out[f"chinesewebtext/fasttext/{p.name}"] = _json_lines(p, ("text",))
    for k, v in out.items():
        assert v, f"noisy_zh source {k} gave no documents"
    return out


def flatten(corpus: Dict[str, List[str]]) -> List[str]:
    return [doc for docs in corpus.values() for doc in docs]


# ---------------------------------------------------------------------------
# Exact comparison


def assert_same_result(got, want, what: str = "") -> None:
    """Exact equality of two kernel results: arrays bit for bit (dtype and shape too),
    lists of str element by element, TextBatches byte for byte (buffer and offsets)."""
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), f"{what}: got {type(got).__name__}, want ndarray"
        assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != {want.dtype}"
        assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
        if got.tobytes() != want.tobytes():
            g = got.view(np.uint8).reshape(got.size, -1) if got.size else got
            w = want.view(np.uint8).reshape(want.size, -1) if want.size else want
            bad = np.flatnonzero((g != w).any(axis=1))
            i = int(bad[0])
            raise AssertionError(f"{what}: {bad.size} elements differ; first at {i}: {got[i]!r} != {want[i]!r}")
        return
    if isinstance(want, TextBatch):
        assert isinstance(got, TextBatch), f"{what}: got {type(got).__name__}, want TextBatch"
        assert got.data.dtype == np.uint8 and got.offsets.dtype == np.int64, f"{what}: dtypes"
        assert len(got) == len(want), f"{what}: {len(got)} docs != {len(want)}"
        same_offsets = np.array_equal(got.offsets - got.offsets[0], want.offsets - want.offsets[0])
        same_bytes = (
            got.data[got.offsets[0] : got.offsets[-1]].tobytes()
            == want.data[want.offsets[0] : want.offsets[-1]].tobytes()
        )
        if not (same_offsets and same_bytes):
            for i, (a, b) in enumerate(zip(got, want)):
                if a != b:
                    raise AssertionError(f"{what}: doc {i} differs: {a[:300]!r} != {b[:300]!r}")
            raise AssertionError(f"{what}: offsets differ: {got.offsets[:20]} != {want.offsets[:20]}")
        return
    assert isinstance(got, list), f"{what}: got {type(got).__name__}, want list"
    assert isinstance(want, list), f"{what}: reference gave {type(want).__name__}"
    assert len(got) == len(want), f"{what}: {len(got)} docs != {len(want)}"
    if got != want:
        i = next(i for i, (a, b) in enumerate(zip(got, want)) if a != b)
        raise AssertionError(f"{what}: doc {i} differs: {got[i][:300]!r} != {want[i][:300]!r}")
    for i, s in enumerate(got):
        assert type(s) is str, f"{what}: doc {i} is {type(s).__name__}"


# ---------------------------------------------------------------------------
# Kernel variants: (id, function name, keyword arguments)

INF = float("inf")

DEFAULT_VARIANTS: List[Tuple[str, str, dict]] = [
    ("zh_ratio-paper", "zh_ratio", {"mode": "paper"}),
    ("zh_ratio-nkcorpus", "zh_ratio", {"mode": "nkcorpus"}),
    ("extract-paper", "extract_chinese", {"mode": "paper"}),
    ("extract-nkcorpus", "extract_chinese", {"mode": "nkcorpus"}),
    ("strip", "strip_control", {}),
    ("trim", "trim_content", {}),
    ("char_lengths", "char_lengths", {}),
    ("length_mask", "length_mask", {}),
]

CUSTOM_VARIANTS: List[Tuple[str, str, dict]] = [
    ("extract-paper-bands", "extract_chinese", {"mode": "paper", "bands": ((3, 0.5), (40.5, 0.9), (INF, 0.25))}),
    ("extract-paper-anyzh", "extract_chinese", {"mode": "paper", "bands": [(INF, 0.0)]}),
    ("extract-nkcorpus-bands", "extract_chinese", {"mode": "nkcorpus", "bands": [(0, 0.5), (3, 0.2), (10, 0.0)]}),
    ("strip-chars-str", "strip_control", {"chars": "\u3000\ufffd，。a\t\r\U00020000\xa0"}),
    ("strip-chars-newline", "strip_control", {"chars": "\n"}),
    (
        "strip-chars-ranges",
        "strip_control",
        {"chars": [(0x4E00, 0x4FFF), ("\x00", "\x1f"), (0x20000, 0x2A6DF), (0xD800, 0xDFFF), (0x10FFFF, 0x10FFFF)]},
    ),
    ("strip-chars-empty", "strip_control", {"chars": ""}),
    ("trim-ascii", "trim_content", {"sentence_end": ".!", "sentence_punct": ",", "closers": ")\""}),
    ("trim-breaks", "trim_content", {"sentence_end": "。\n", "closers": "\r\n”"}),
    ("trim-astral", "trim_content", {"sentence_end": "\U00020000\ufffd", "sentence_punct": [(0x2A6DF, 0x2A6DF)],
                                     "closers": "\U0002000B\x00"}),
    ("trim-noend", "trim_content", {"sentence_end": ""}),
    ("length_mask-0", "length_mask", {"min_chars": 0}),
    ("length_mask-3", "length_mask", {"min_chars": 3}),
]

ALL_VARIANTS = DEFAULT_VARIANTS + CUSTOM_VARIANTS
ERRORS = ("replace", "drop")


_REF_CACHE: dict = {}


def reference_result(fn_name: str, docs, kwargs: dict, errors: str, cache_key=None):
    """The reference twin's result; memoised under ``cache_key`` when one is given (the
    reference does not depend on the SIMD level, so parametrized tests compute it once)."""
    if cache_key is None:
        return getattr(ref, fn_name)(docs, errors=errors, **kwargs)
    key = (cache_key, fn_name, repr(sorted(kwargs.items())), errors)
    if key not in _REF_CACHE:
        _REF_CACHE[key] = getattr(ref, fn_name)(docs, errors=errors, **kwargs)
    return _REF_CACHE[key]


def compare(fn_name: str, docs, kwargs: dict, errors: str, what: str = "", threads=None, cache_key=None,
            also=()) -> None:
    """Native result == reference result for one kernel call (on ``docs`` and on every other
    form of the same documents in ``also``)."""
    want = reference_result(fn_name, docs, kwargs, errors, cache_key)
    got = getattr(text, fn_name)(docs, errors=errors, threads=threads, **kwargs)
    assert_same_result(got, want, f"{what} {fn_name}({kwargs}, errors={errors!r})")
    for name, other in also:
        got = getattr(text, fn_name)(other, errors=errors, threads=threads, **kwargs)
        w = want
        if isinstance(want, list) and isinstance(other, TextBatch):  # other form of valid text
            w = TextBatch.from_strings(want)
        elif isinstance(want, TextBatch) and not isinstance(other, TextBatch):
            w = want.to_strings()
        assert_same_result(got, w, f"{name} {fn_name}({kwargs}, errors={errors!r})")


def compare_all(docs, variants: Iterable[Tuple[str, str, dict]] = ALL_VARIANTS, errors=ERRORS, what="",
                cache_key=None, also=()) -> None:
    for vid, fn, kw in variants:
        for err in errors:
            compare(fn, docs, kw, err, f"{what}[{vid}]", cache_key=cache_key, also=also)


def batch_forms_from_bytes(docs: List[bytes]) -> List[Tuple[str, TextBatch]]:
    """The same byte documents as several TextBatches: from_bytes; a padded buffer whose
    first offset is not 0 (with bytes before and after that must not be read); a bytearray;
    a uint8 ndarray."""
    plain = TextBatch.from_bytes(docs)
    pre, post = b"\xe4\xb8\xe4", b"\xad\x80\xbf\n\xe3\x80\x82"
    body = b"".join(docs)
    padded = TextBatch(pre + body + post, plain.offsets + len(pre))
    as_bytearray = TextBatch(bytearray(body), plain.offsets.tolist())
    as_array = TextBatch(np.frombuffer(pre + body, dtype=np.uint8)[len(pre) :], plain.offsets)
    return [("from_bytes", plain), ("padded", padded), ("bytearray", as_bytearray), ("ndarray", as_array)]


# ---------------------------------------------------------------------------
# Hypothesis strategies


def _edge_code_points() -> List[str]:
    """Code points at and just beyond every range of the character tables."""
    out = set()
    for rs in (cs.CHINESE, cs.WHITESPACE, cs.PLACEHOLDERS, cs.DIGITS_AND_DOT, cs.CONTROL_DEFAULT):
        for lo, hi in rs:
            for cp in (lo - 1, lo, lo + 1, hi - 1, hi, hi + 1):
                if 0 <= cp <= cs.MAX_CP and not 0xD800 <= cp <= 0xDFFF:
                    out.add(cp)
    for s in (cs.SENTENCE_END_DEFAULT, cs.SENTENCE_PUNCT_DEFAULT, cs.CLOSERS_DEFAULT):
        out.update(ord(c) for c in s)
    out.update((0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF))  # UTF-8 length edges
    return sorted(chr(c) for c in out)


EDGE_CHARS = _edge_code_points()
ZH_PUNCT = "，。、；：？！“”‘’（）《》【】…—·～「」『』〈〉〔〕｡．※"
WHITESPACE_CHARS = [" ", "\t", "\u3000", "\xa0", "\u2028", "\u2029", "\x85", "\u1680", "\u2000", "\u200a", "\u202f",
                    "\u205f", "\x0b", "\x0c"]
INVISIBLE_CHARS = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2060", "\u2064",
                   "\u2066", "\u2069", "\ufeff", "\xad", "\ufffc", "\ufffd"]
LINE_BREAKS = ["\n", "\r", "\r\n", "\n\n", "\r\r\n", "\n\r"]

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
cjk_ext = st.one_of(
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),
    st.characters(min_codepoint=0x20000, max_codepoint=0x3347F),
    st.characters(min_codepoint=0xF900, max_codepoint=0xFAFF),
    st.characters(min_codepoint=0x2F800, max_codepoint=0x2FA1F),
)
zh_punct = st.sampled_from(ZH_PUNCT)
fullwidth = st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF)
ascii_chars = st.sampled_from(string.ascii_letters + string.digits + " ." * 4 + ",;:!?'\"()[]")
kana_hangul = st.one_of(
    st.characters(min_codepoint=0x3040, max_codepoint=0x30FF), st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
)
spaces = st.sampled_from(WHITESPACE_CHARS)
controls = st.one_of(st.characters(min_codepoint=0, max_codepoint=0x1F), st.characters(min_codepoint=0x7F,
                                                                                         max_codepoint=0x9F))
invisible = st.sampled_from(INVISIBLE_CHARS)
edges = st.sampled_from(EDGE_CHARS)
any_scalar = st.characters(codec="utf-8")  # any Unicode scalar value (no surrogates), astral included
surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
line_breaks = st.sampled_from(LINE_BREAKS)

# A weighted alphabet: mostly Chinese, then ASCII, punctuation and the noise of web pages.
_weighted = (
    [cjk] * 10 + [cjk_ext] * 2 + [zh_punct] * 4 + [fullwidth] + [ascii_chars] * 6 + [kana_hangul] + [spaces] * 2
    + [controls] + [invisible] + [edges] * 2 + [any_scalar] + [line_breaks] * 2
)
weighted_char = st.one_of(*_weighted)  # may yield a two-character line break
single_char = st.one_of(*[g for g in _weighted if g is not line_breaks], st.sampled_from("\r\n"))
zh_run = st.text(st.one_of(cjk, cjk, cjk, zh_punct, cjk_ext), min_size=1, max_size=120)
ascii_run = st.text(ascii_chars, min_size=1, max_size=80)
token = st.one_of(*([weighted_char] * 8 + [zh_run] * 2 + [ascii_run]))
token_with_surrogates = st.one_of(token, surrogates)


def _doc(tok) -> st.SearchStrategy[str]:
    return st.lists(tok, max_size=30).map("".join)


valid_doc = _doc(token)
str_doc = st.one_of(_doc(token_with_surrogates), valid_doc, st.just(""), st.text(max_size=60))


@st.composite
def band_line(draw, ratio_chars=st.one_of(cjk, zh_punct, cjk_ext)) -> str:
    """A line whose Chinese ratio lies right at one of the default thresholds, with a
    counted length near the 70/230 band edges (paper) or a Chinese count near 50/150."""
    counted = draw(st.one_of(st.integers(1, 260), st.sampled_from([69, 70, 71, 72, 229, 230, 231, 232])))
    thr = draw(st.sampled_from([0.8, 0.7, 0.6]))
    zh = min(counted, max(0, int(thr * counted) + draw(st.integers(-1, 2))))
    chars = list(draw(st.text(ratio_chars, min_size=zh, max_size=zh)))
    chars += list(draw(st.text(st.one_of(ascii_chars, kana_hangul, fullwidth.filter(lambda c: c > "\uff60")),
                               min_size=counted - zh, max_size=counted - zh)))
    chars += list(draw(st.text(st.one_of(spaces.filter(lambda c: c not in "\x0b\x0c"), invisible), max_size=6)))
    draw(st.randoms(use_true_random=False)).shuffle(chars)
    return "".join(chars)


@st.composite
def band_doc(draw) -> str:
    lines = draw(st.lists(st.one_of(band_line(), valid_doc, st.just("")), min_size=1, max_size=8))
    out = lines[0]
    for ln in lines[1:]:
        out += draw(line_breaks) + ln
    return out


str_docs = st.lists(st.one_of(str_doc, str_doc, band_doc()), max_size=8)
valid_docs = st.lists(st.one_of(valid_doc, band_doc(), st.just("")), max_size=8)

# Ill-formed UTF-8: lone continuations, overlongs, encoded surrogates, beyond U+10FFFF,
# bytes that never occur, truncated sequences (alone and followed by more text).
INVALID_FRAGMENTS = [
    b"\x80", b"\xbf", b"\x80\x80\x80", b"\xc0\x80", b"\xc1\xbf", b"\xc2", b"\xdf", b"\xe0\x80\x80", b"\xe0\x9f\xbf",
    b"\xe0\xa0", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xed\x9f", b"\xef\xbf", b"\xf0\x80\x80\x80", b"\xf0\x8f\xbf\xbf",
    b"\xf0\x90", b"\xf0\x90\x80", b"\xf4\x8f\xbf", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xf8\x88\x80\x80\x80",
    b"\xfe", b"\xff", b"\xe4\xb8", b"\xe4", b"\xf0\xa0\x80", b"\xf0\xa0", b"\xc3", b"\xe3\x80", b"\xe2\x80",
]
invalid_fragment = st.sampled_from(INVALID_FRAGMENTS)


@st.composite
def mutated_bytes(draw) -> bytes:
    """Valid UTF-8 with a few bytes replaced, removed or inserted, or cut short."""
    b = bytearray(draw(valid_doc).encode("utf-8"))
    for _ in range(draw(st.integers(0, 4))):
        if not b:
            break
        i = draw(st.integers(0, len(b) - 1))
        op = draw(st.sampled_from(["set", "del", "ins"]))
        if op == "set":
            b[i] = draw(st.integers(0x80, 0xFF))
        elif op == "del":
            del b[i]
        else:
            b[i:i] = draw(invalid_fragment)
    if b and draw(st.booleans()):
        b = b[: draw(st.integers(0, len(b)))]
    return bytes(b)


byte_chunk = st.one_of(
    valid_doc.map(lambda s: s.encode("utf-8")),
    _doc(token_with_surrogates).map(lambda s: s.encode("utf-8", "surrogatepass")),  # ED A0 80 ...
    invalid_fragment,
    st.binary(max_size=24),
)
bytes_doc = st.one_of(
    st.lists(byte_chunk, max_size=8).map(b"".join),
    mutated_bytes(),
    st.binary(max_size=300),
    st.just(b""),
)
bytes_docs = st.lists(bytes_doc, max_size=8)

# Custom parameters
code_point = st.one_of(st.integers(0, 0x2FFFF), st.sampled_from([ord(c) for c in EDGE_CHARS]))
chars_spec = st.one_of(
    st.text(st.one_of(single_char, surrogates), max_size=10),
    st.lists(st.tuples(code_point, code_point).map(lambda t: (min(t), max(t))), max_size=4),
    st.lists(st.tuples(single_char, single_char).map(lambda t: (min(t), max(t))), max_size=3),
)
punct_spec = st.one_of(st.none(), st.text(st.one_of(zh_punct, ascii_chars, edges, st.sampled_from("\r\n")), max_size=6))
threshold = st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0, 0.5, 0.6, 0.7, 0.8, 1.0]))


@st.composite
def paper_bands(draw):
    bounds = sorted(set(draw(st.lists(st.one_of(st.integers(0, 300), st.floats(0, 300)), max_size=3))))
    return [(b, draw(threshold)) for b in bounds] + [(INF, draw(threshold))]


nkcorpus_bands = st.lists(st.tuples(st.one_of(st.integers(0, 200), st.floats(0, 200)), threshold), min_size=1,
                          max_size=4)
