"""Censor matcher (docs/censor.md): native == pure-Python twin on generated text, an independent
count with pyahocorasick, the cases flashtext (NKCorpus's matcher) gets wrong, and the decision
rule.

The generated lexicons are built to make matching hard: words that are prefixes, suffixes and
infixes of other words, doubled words, one-character words, Latin words (boundary rule) and
mixed words, astral and full-width characters, words in several categories; the documents mix
those words (as written, upper-cased, full-width) with look-alike noise, random CJK / ASCII /
full-width / punctuation / astral characters, lone surrogates (str) and ill-formed UTF-8 (TextBatch).
Every native comparison runs at every SIMD level and at 1 and 2 threads.
"""

from __future__ import annotations

import string
from typing import Dict, List, Sequence, Tuple

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import INVALID_FRAGMENTS, SIMD_LEVELS, TextBatch, _import, cjk, zh_punct

censor = _import("corpus_engine.censor")
from corpus_engine.censor_lexicon import Lexicon  # noqa: E402
from corpus_engine.reference import censor as ref  # noqa: E402

FIELDS = ("hits", "distinct", "covered", "length")
THREADS = (1, 2)
ERRORS = ("replace", "drop")


# ---------------------------------------------------------------------------
# comparison helpers (also used by test_censor_realdata.py)


def assert_same_scan(got, want, what: str = "") -> None:
    """Two ScanResults are equal: categories, every count array (dtype int64, shape), spans."""
    assert list(got.categories) == list(want.categories), f"{what}: categories {got.categories} != {want.categories}"
    n, C = want.hits.shape[0], len(want.categories)
    for f in FIELDS:
        g, w = getattr(got, f), getattr(want, f)
        assert isinstance(g, np.ndarray) and g.dtype == np.int64, f"{what}: {f} is {type(g).__name__} {getattr(g, 'dtype', '')}"
        shape = (n,) if f == "length" else (n, C)
        assert g.shape == shape, f"{what}: {f} shape {g.shape} != {shape}"
        if not np.array_equal(g, w):
            bad = np.flatnonzero((g != w).reshape(n, -1).any(axis=1))
            i = int(bad[0])
            raise AssertionError(f"{what}: {f} differs in {bad.size} docs; first doc {i}: {g[i].tolist()} != {w[i].tolist()}")
    if want.spans is None:
        assert got.spans is None, f"{what}: spans given though not asked for"
        return
    assert got.spans is not None and len(got.spans) == n, f"{what}: spans missing or wrong length"
    for i, (g, w) in enumerate(zip(got.spans, want.spans)):
        g = np.asarray(g)
        assert g.dtype == np.int64 and g.shape == w.shape, f"{what}: doc {i} spans shape {g.shape} != {w.shape}"
        if not np.array_equal(g, w):
            raise AssertionError(f"{what}: doc {i} spans differ:\n{g.tolist()}\n!=\n{w.tolist()}")


def assert_same_decision(got, want, what: str = "") -> None:
    (gk, gr), (wk, wr) = got, want
    assert gk.dtype == np.bool_ and gr.dtype == np.int64, f"{what}: dtypes {gk.dtype}, {gr.dtype}"
    assert np.array_equal(gk, wk), f"{what}: keep differs at {np.flatnonzero(gk != wk)[:10].tolist()}"
    assert np.array_equal(gr, wr), f"{what}: reason differs at {np.flatnonzero(gr != wr)[:10].tolist()}"


def is_alnum(ch: str) -> bool:
    return ch < "\x80" and ch.isalnum()


def aho_counts(lexicon, texts: Sequence[str]) -> Tuple[np.ndarray, np.ndarray]:
    """Independent per-category hits and distinct of already-normalised texts with pyahocorasick:
    every overlapping match of the automaton, then the spec's ASCII boundary rule as a filter."""
    ahocorasick = pytest.importorskip("ahocorasick", reason="pyahocorasick is a test dependency: pip install pyahocorasick")
    A = ahocorasick.Automaton()
    for wi, w in enumerate(lexicon.words):
        A.add_word(w, wi)
    A.make_automaton()
    C = len(lexicon.categories)
    masks = list(lexicon.word_categories)
    cats_of = [[c for c in range(C) if m >> c & 1] for m in masks]
    hits = np.zeros((len(texts), C), dtype=np.int64)
    distinct = np.zeros((len(texts), C), dtype=np.int64)
    for i, t in enumerate(texts):
        seen = [set() for _ in range(C)]
        for last, wi in A.iter(t):
            w = lexicon.words[wi]
            start, end = last - len(w) + 1, last + 1
            if is_alnum(w[0]) and start > 0 and is_alnum(t[start - 1]):
                continue
            if is_alnum(w[-1]) and end < len(t) and is_alnum(t[end]):
                continue
            for c in cats_of[wi]:
                hits[i, c] += 1
                seen[c].add(wi)
        distinct[i] = [len(s) for s in seen]
    return hits, distinct


def reference_scan(lexicon, docs, errors="replace"):
    return ref.Matcher(lexicon).scan(docs, spans=True, errors=errors)


def compare_native(lexicon, docs, want, errors="replace", threads=THREADS, what=""):
    """Native scan (spans on and off, each thread count) == the reference result ``want``."""
    m = censor.Matcher(lexicon)
    for t in threads:
        got = m.scan(docs, spans=True, threads=t, errors=errors)
        assert_same_scan(got, want, f"{what} threads={t} errors={errors}")
    got = m.scan(docs, threads=threads[-1], errors=errors)  # spans off: same counts, no spans
    nospans = ref.ScanResult(want.categories, want.hits, want.distinct, want.covered, want.length, None)
    assert_same_scan(got, nospans, f"{what} spans=False")
    return got


# ---------------------------------------------------------------------------
# generated lexicons and documents

CATEGORIES = ["色情", "反动", "暴恐", "民生", "其他", "x"]
CJK_SMALL = "法轮功六四色情片天安门大"  # few characters: words overlap and documents hit them often
LATIN_SMALL = "abxsABX019"
ASTRAL = ["\U00020000", "\U0002a6d6", "\U0001f600", "\U00010000", "\U0010fffd"]


def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in s)


word_char = st.one_of(
    st.sampled_from(CJK_SMALL),
    st.sampled_from(CJK_SMALL),
    st.sampled_from(LATIN_SMALL),
    st.sampled_from(ASTRAL),
    st.sampled_from("ＡＢａｂ１．-_ "),  # full-width letters, punctuation, an inner space
    cjk,
)
base_word = st.one_of(
    st.text(word_char, min_size=1, max_size=5),
    st.text(st.sampled_from(LATIN_SMALL), min_size=1, max_size=4),  # Latin words: the boundary rule
    st.builds(lambda a, b: a + b, st.text(st.sampled_from(CJK_SMALL), min_size=1, max_size=2),
              st.text(st.sampled_from(LATIN_SMALL), min_size=1, max_size=2)),  # 六四1, a片 ...
    st.builds(lambda a, b: a + b, st.text(st.sampled_from(LATIN_SMALL), min_size=1, max_size=2),
              st.text(st.sampled_from(CJK_SMALL), min_size=1, max_size=2)),
)


@st.composite
def lexicon_entries(draw) -> Tuple[List[Tuple[str, str]], bool, bool]:
    cats = draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=4, unique=True))
    words = draw(st.lists(base_word, min_size=1, max_size=10))
    derived = []
    for w in words:
        n = len(w)
        if n >= 2 and draw(st.booleans()):
            i = draw(st.integers(0, n - 1))
            j = draw(st.integers(i + 1, n))
            derived.append(w[i:j])  # prefix, suffix or infix of another word
        if draw(st.integers(0, 3)) == 0:
            derived.append(w + w)  # a word made of a repeated word
    entries = [(draw(st.sampled_from(cats)), w) for w in words + derived]
    for _ in range(draw(st.integers(0, 3))):  # a word in a second category
        entries.append((draw(st.sampled_from(cats)), draw(st.sampled_from(words))))
    return entries, draw(st.booleans()), draw(st.booleans())


def doc_strategy(words: List[str], surrogates: bool, max_pieces: int = 25, min_pieces: int = 0) -> st.SearchStrategy[str]:
    variants = st.sampled_from(words).flatmap(
        lambda w: st.sampled_from([w, w, w, w.upper(), fullwidth(w), w.swapcase(), w + w, w[:-1], w[1:]])
    )
    noise = [
        st.sampled_from(CJK_SMALL),
        st.text(st.sampled_from(LATIN_SMALL + "cdeXYZ789_"), min_size=1, max_size=3),
        st.sampled_from(string.ascii_uppercase),
        cjk,
        zh_punct,
        st.characters(min_codepoint=0xFF00, max_codepoint=0xFF65),  # full-width forms and edges
        st.sampled_from(ASTRAL + ["\u3000", " ", "\n", "\t", "\ufffd", "\u0130", "\u212a", "\xdf"]),
        st.characters(codec="utf-8"),
    ]
    if surrogates:
        noise.append(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF))
    piece = st.one_of(variants, variants, variants, *noise)
    return st.lists(piece, min_size=min_pieces, max_size=max_pieces).map("".join)


@st.composite
def lexicon_and_docs(draw, surrogates: bool = True, max_pieces: int = 25, min_pieces: int = 0):
    entries, fw, fc = draw(lexicon_entries())
    lex = Lexicon(entries, fold_width=fw, fold_case=fc)
    if not lex.words:  # every word was empty after normalisation
        lex = Lexicon([("x", "法轮功")], fold_width=fw, fold_case=fc)
    raw_words = [w for _, w in entries if w.strip()] or ["法轮功"]
    docs = draw(st.lists(doc_strategy(raw_words, surrogates, max_pieces, min_pieces), min_size=1, max_size=6))
    return lex, docs


@st.composite
def thresholds(draw, categories: List[str]):
    keys = st.sampled_from(categories + ["*", "unused"])
    max_hits = draw(st.one_of(st.none(), st.dictionaries(keys, st.integers(-1, 4), max_size=4)))
    max_ratio = draw(st.one_of(
        st.none(),
        st.dictionaries(keys, st.one_of(st.sampled_from([0.0, 0.1, 0.25, 1 / 3, 0.5, 1.0]), st.floats(0, 1)),
                        max_size=4),
    ))
    return max_hits, max_ratio


def _bytes_doc(draw, s: str) -> bytes:
    """The UTF-8 of ``s`` with ill-formed fragments inserted at random byte positions."""
    b = bytearray(s.encode("utf-8", "surrogatepass"))
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(b)))
        b[i:i] = draw(st.sampled_from(INVALID_FRAGMENTS))
    return bytes(b)


# ---------------------------------------------------------------------------
# native == reference


@settings(max_examples=150)
@given(data=st.data(), case=lexicon_and_docs())
@example(data=None, case=(Lexicon([("反动", "法轮功"), ("反动", "轮功"), ("x", "法轮功法轮功"), ("色情", "sex"),
                                   ("反动", "六四"), ("色情", "a片"), ("其他", "功")]),
                          ["法轮功法轮功法轮功", "Essex sex SEX sex1 ｓｅｘ", "六四1989 a片a片 aa片", ""]))
def test_native_equals_reference_str(simd_level, data, case):
    lex, docs = case
    for errors in ERRORS:
        want = reference_scan(lex, docs, errors)
        compare_native(lex, docs, want, errors, what="list[str]")
        if data is not None:
            mh, mr = data.draw(thresholds(lex.categories))
        else:
            mh, mr = {"反动": 1}, {"色情": 0.2}
        nm, rm = censor.Matcher(lex), ref.Matcher(lex)
        assert_same_decision(nm.decide(want, mh, mr), rm.decide(want, mh, mr), "decide")
        assert np.array_equal(nm.filter(docs, mh, mr, threads=2), rm.filter(docs, mh, mr)), "filter"


@settings(max_examples=150)
@given(data=st.data(), case=lexicon_and_docs(surrogates=True))
def test_native_equals_reference_textbatch(simd_level, data, case):
    lex, docs = case
    raw = [_bytes_doc(data.draw, d) for d in docs]
    batch = TextBatch.from_bytes(raw)
    pre, post = b"\xe6\xb3\x95\xe8", b"\xbd\xae\xe5\x8a\x9f"  # bytes around the documents must not be read
    padded = TextBatch(pre + b"".join(raw) + post, batch.offsets + len(pre))
    for errors in ERRORS:
        want = reference_scan(lex, batch, errors)
        compare_native(lex, batch, want, errors, what="TextBatch")
        compare_native(lex, padded, want, errors, threads=(2,), what="TextBatch padded")
        # the same text as str (decoded the same way) gives the same counts
        as_str = batch.to_strings(errors)
        assert_same_scan(reference_scan(lex, as_str), want, "reference str vs bytes")


@settings(max_examples=40)
@given(data=st.data(), case=lexicon_and_docs(max_pieces=600, min_pieces=150))
def test_native_equals_reference_long_docs(simd_level, data, case):
    """Documents of hundreds to thousands of characters: words across the native scanner's blocks."""
    lex, docs = case
    batch = TextBatch.from_bytes([_bytes_doc(data.draw, d) for d in docs])
    for errors in ERRORS:
        compare_native(lex, docs, reference_scan(lex, docs, errors), errors, what="long list[str]")
        compare_native(lex, batch, reference_scan(lex, batch, errors), errors, what="long TextBatch")


_MANY_SINGLES = [chr(0x4E00 + 7 * i) for i in range(40)]  # more one-character words than the 64-slot table takes
_WIDE = ["法" + chr(0x6000 + i) for i in range(20)] + ["法" + chr(0x6000 + i) + "功" for i in range(0, 20, 3)]


@pytest.mark.parametrize("singles", [3, 24, 40])
@settings(max_examples=25)
@given(data=st.data())
def test_native_equals_reference_filters_and_wide_nodes(simd_level, singles, data):
    """Lexicons of 3, 24 and 40 one-character words (the one-gather candidate filter takes up to 24;
    40 fall back to the two-gather filter), a node with 20 children (looked up by hash, not by scan)
    and astral words, in long documents made of those characters."""
    words = _MANY_SINGLES[:singles] + _WIDE + ["\U00020000\U00020001", "\U00020002"]
    lex = Lexicon([("a" if i % 2 else "b", w) for i, w in enumerate(words)])
    alphabet = st.sampled_from(_MANY_SINGLES + ["法", "功", "\U00020000", "\U00020001", "\U00020002", "x", "。"]
                               + [chr(0x6000 + i) for i in range(22)])
    docs = data.draw(st.lists(st.lists(alphabet, min_size=0, max_size=400).map("".join), min_size=1, max_size=4))
    compare_native(lex, docs, reference_scan(lex, docs), what="filters and wide nodes")


@settings(max_examples=100)
@given(case=lexicon_and_docs(surrogates=False))
def test_counts_equal_pyahocorasick(case):
    lex, docs = case
    want = ref.Matcher(lex).scan(docs)
    texts = [lex.normalize(d) for d in docs]
    hits, distinct = aho_counts(lex, texts)
    assert np.array_equal(want.hits, hits), f"reference hits {want.hits.tolist()} != pyahocorasick {hits.tolist()}"
    assert np.array_equal(want.distinct, distinct)
    got = censor.Matcher(lex).scan(docs, threads=1)
    assert np.array_equal(got.hits, hits), f"native hits {got.hits.tolist()} != pyahocorasick {hits.tolist()}"
    assert np.array_equal(got.distinct, distinct)


# ---------------------------------------------------------------------------
# hand-written semantics, pinned for both implementations

IMPLS = ["reference"] + [f"native-{lv}" for lv in SIMD_LEVELS]


@pytest.fixture(params=IMPLS)
def matcher_cls(request):
    """The reference Matcher, then the native one at each SIMD level."""
    if request.param == "reference":
        yield ref.Matcher
        return
    text = _import("corpus_engine.text")
    prev = text.simd_level()
    text.set_simd_level(request.param.split("-", 1)[1])
    try:
        yield censor.Matcher
    finally:
        text.set_simd_level(prev)


def _lex(*entries, **kw):
    return Lexicon(list(entries), **kw)


def _spans(res, i):
    return [tuple(x) for x in np.asarray(res.spans[i]).tolist()]


def test_spec_examples(matcher_cls):
    lex = _lex(("色情", "sex"), ("反动", "六四"), ("反动", "法轮功"))
    r = matcher_cls(lex).scan(["Essex", "六四1989", "法轮功法轮功", "sex", "SEX!", "sexy", "1sex", "_sex_"], spans=True)
    assert r.categories == ["色情", "反动"]
    assert r.hits.tolist() == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 0], [0, 0], [0, 0], [1, 0]]
    assert r.distinct.tolist() == [[0, 0], [0, 1], [0, 1], [1, 0], [1, 0], [0, 0], [0, 0], [1, 0]]
    assert r.covered.tolist() == [[0, 0], [0, 2], [0, 6], [3, 0], [3, 0], [0, 0], [0, 0], [3, 0]]
    assert r.length.tolist() == [5, 6, 6, 3, 4, 4, 4, 5]
    assert _spans(r, 2) == [(0, 3, 2), (3, 6, 2)]


def test_overlaps_prefix_suffix_infix(matcher_cls):
    lex = _lex(("a", "色情"), ("a", "色情片"), ("b", "情片"), ("b", "情"), ("a", "片色"))
    words = lex.words
    r = matcher_cls(lex).scan(["色情片色情"], spans=True)
    got = [(s, e, words[w]) for s, e, w in _spans(r, 0)]
    assert got == [(0, 2, "色情"), (0, 3, "色情片"), (1, 2, "情"), (1, 3, "情片"), (2, 4, "片色"), (3, 5, "色情"), (4, 5, "情")]
    assert r.hits.tolist() == [[4, 3]]  # a: 色情 x2, 色情片, 片色; b: 情 x2, 情片
    assert r.distinct.tolist() == [[3, 2]]
    assert r.covered.tolist() == [[5, 3]]  # a: [0,5) all; b: [1,3) + [4,5)


def test_word_in_several_categories(matcher_cls):
    lex = _lex(("a", "六四"), ("b", "六四"), ("b", "四"), ("c", "x"))
    r = matcher_cls(lex).scan(["六四六四"])
    assert r.hits.tolist() == [[2, 4, 0]]
    assert r.distinct.tolist() == [[1, 2, 0]]
    assert r.covered.tolist() == [[4, 4, 0]]


def test_boundary_rule(matcher_cls):
    lex = _lex(("a", "ab"), ("a", "六四1"), ("a", "1六"), ("a", "a-b"))
    r = matcher_cls(lex).scan(["ab", "cab", "abc", "ab1", "1ab", "_ab_", "六四1", "六四12", "六四1六", "x1六", "21六",
                               "中ab中", "a-b", "aa-b", "a-bb", "ab ab", "ＡＢ"], spans=True)
    assert r.hits[:, 0].tolist() == [1, 0, 0, 0, 0, 1, 1, 0, 2, 0, 0, 1, 1, 0, 0, 2, 1]


def test_folding_options(matcher_cls):
    words = [("a", "ＳＥＸ"), ("a", "ａ片"), ("b", "六四")]
    docs = ["sex", "SEX", "ｓｅｘ", "ＳＥＸ", "a片", "Ａ片", "六\u3000四", "六 四"]
    both = matcher_cls(_lex(*words)).scan(docs)
    assert both.hits[:, 0].tolist() == [1, 1, 1, 1, 1, 1, 0, 0]
    none = matcher_cls(_lex(*words, fold_width=False, fold_case=False)).scan(docs)
    assert none.hits[:, 0].tolist() == [0, 0, 0, 1, 0, 0, 0, 0]  # words 'ＳＥＸ', 'ａ片' as written
    width = matcher_cls(_lex(*words, fold_case=False)).scan(docs)  # words are "SEX", "a片"
    assert width.hits[:, 0].tolist() == [0, 1, 0, 1, 1, 0, 0, 0]
    case = matcher_cls(_lex(*words, fold_width=False)).scan(docs)  # words "ＳＥＸ", "ａ片": case folds ASCII only
    assert case.hits[:, 0].tolist() == [0, 0, 0, 1, 0, 0, 0, 0]


def test_length_and_ratio(matcher_cls):
    lex = _lex(("a", "色情"), ("b", "\U00020000"))
    r = matcher_cls(lex).scan(["", "色情", "色情色情啊", "\U00020000x", "\ud800色情"], errors="replace")
    assert r.length.tolist() == [0, 2, 5, 2, 3]
    ratio = r.ratio()
    assert ratio.dtype == np.float64 and ratio.shape == (5, 2)
    assert ratio.tolist() == [[0.0, 0.0], [1.0, 0.0], [0.8, 0.0], [0.0, 0.5], [2 / 3, 0.0]]


def test_invalid_utf8(matcher_cls):
    lex = _lex(("a", "色情"), ("a", "\ufffd"))
    batch = TextBatch.from_bytes(["色".encode() + b"\xff" + "情".encode(), "色".encode() + b"\xe6\x83" + "情".encode(),
                                  b"\xf0\x9f\x98"])
    rep = matcher_cls(lex).scan(batch, errors="replace")
    assert rep.hits[:, 0].tolist() == [1, 1, 1] and rep.length.tolist() == [3, 3, 1]
    drop = matcher_cls(lex).scan(batch, errors="drop")  # dropping joins the word back together
    assert drop.hits[:, 0].tolist() == [1, 1, 0] and drop.length.tolist() == [2, 2, 0]
    s = matcher_cls(lex).scan(["色\udc80情"], errors="drop")
    assert s.hits[:, 0].tolist() == [1] and s.length.tolist() == [2]


def test_input_errors(matcher_cls):
    m = matcher_cls(_lex(("a", "x")))
    with pytest.raises(TypeError):
        m.scan("a single string")
    with pytest.raises(ValueError):
        m.scan(["x"], errors="ignore")
    with pytest.raises(ValueError):
        matcher_cls(_lex())


# ---------------------------------------------------------------------------
# decision


def _result(hits, covered, length, cats=("a", "b", "c")):
    hits = np.asarray(hits, dtype=np.int64)
    return ref.ScanResult(list(cats), hits, np.minimum(hits, 1), np.asarray(covered, dtype=np.int64),
                          np.asarray(length, dtype=np.int64), None)


def test_decide_thresholds_are_strict(matcher_cls):
    m = matcher_cls(_lex(("a", "x"), ("b", "y"), ("c", "z")))
    res = _result([[2, 0, 0], [3, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]],
                  [[0, 0, 0], [0, 0, 0], [0, 5, 0], [0, 6, 0], [0, 0, 0]],
                  [10, 10, 10, 10, 0])
    keep, reason = m.decide(res, max_hits={"*": 2}, max_ratio={"*": 0.5})
    assert keep.tolist() == [True, False, True, False, True]  # hits 2 == 2 kept, 3 > 2 out; ratio 0.5 kept
    assert reason.tolist() == [-1, 0, -1, 1, -1]
    assert keep.dtype == np.bool_ and reason.dtype == np.int64


def test_decide_empty_document_has_ratio_zero(matcher_cls):
    m = matcher_cls(_lex(("a", "x")))
    res = _result([[0]], [[0]], [0], cats=("a",))
    assert res.ratio().tolist() == [[0.0]]
    keep, reason = m.decide(res, max_hits={"a": 0}, max_ratio={"a": 0.0})
    assert keep.tolist() == [True] and reason.tolist() == [-1]
    keep, _ = m.decide(res, max_hits={"a": -1})
    assert keep.tolist() == [False]
    # through a real scan too
    r = m.scan([""])
    assert r.ratio().tolist() == [[0.0]] and m.decide(r, {"a": 0}, {"a": 0.0})[0].tolist() == [True]


def test_decide_reason_is_first_category_in_lexicon_order(matcher_cls):
    lex = _lex(("c", "丙"), ("a", "甲"), ("b", "乙"))  # lexicon order: c, a, b
    m = matcher_cls(lex)
    r = m.scan(["乙甲丙", "乙甲", "乙", "无"])
    assert r.categories == ["c", "a", "b"]
    keep, reason = m.decide(r, max_hits={"*": 0}, max_ratio={"*": 1.0})
    assert keep.tolist() == [False, False, False, True]
    assert reason.tolist() == [0, 1, 2, -1]
    # only a later category over its threshold: that one is named
    keep, reason = m.decide(r, max_hits={"*": 0, "c": 5, "a": 5}, max_ratio={"*": 1.0})
    assert reason.tolist() == [2, 2, 2, -1]


def test_decide_star_default_and_overrides(matcher_cls):
    lex = _lex(("色情", "色"), ("新类", "新"))  # "新类" is not in the defaults: "*" applies
    m = matcher_cls(lex)
    NO_RATIO = {"*": 1.0, "色情": 1.0}
    r = m.scan(["新" * 100 + "啊" * 900, "色" * 100 + "啊" * 900])
    dh, dr = dict(censor.DEFAULT_MAX_HITS), dict(censor.DEFAULT_MAX_RATIO)
    assert r.hits.tolist() == [[0, 100], [100, 0]]
    keep, reason = m.decide(r)  # new category: "*"; 色情: its own entry
    assert keep.tolist() == [100 <= dh["*"] and 0.1 <= dr["*"], 100 <= dh["色情"] and 0.1 <= dr["色情"]]
    keep, reason = m.decide(r, max_hits={"*": 100, "色情": 99}, max_ratio=NO_RATIO)
    assert keep.tolist() == [True, False] and reason.tolist() == [-1, 0]
    keep, reason = m.decide(r, max_hits={"新类": 99, "色情": 1000}, max_ratio=NO_RATIO)
    assert keep.tolist() == [False, True] and reason.tolist() == [1, -1]
    keep, _ = m.decide(r, max_hits={"*": 1000, "色情": 1000}, max_ratio={"*": 0.09, "色情": 0.09})
    assert keep.tolist() == [False, False]  # ratio 0.1 > 0.09
    keep, _ = m.decide(r, max_hits={"*": 1000, "色情": 1000}, max_ratio={"*": 0.1, "色情": 0.1})
    assert keep.tolist() == [True, True]
    # the defaults are not changed by a per-call override
    assert censor.DEFAULT_MAX_HITS == dh and censor.DEFAULT_MAX_RATIO == dr
    # filter == decide(scan)
    docs = ["新" * 100 + "啊" * 900]
    assert m.filter(docs, max_hits={"*": 99}).tolist() == [False]
    assert m.filter(docs, max_hits={"*": 100}, max_ratio=NO_RATIO).tolist() == [True]


def test_decide_rejects_bad_thresholds(matcher_cls):
    m = matcher_cls(_lex(("a", "x")))
    r = m.scan(["x"])
    for bad in ({"a": "3"}, {"a": None}, {"a": float("nan")}):
        with pytest.raises(ValueError):
            m.decide(r, max_hits=bad)
        with pytest.raises(ValueError):
            m.decide(r, max_ratio=bad)


def test_default_thresholds_are_the_same_data():
    """One definition (corpus_engine.censor_lexicon, pure Python) serves both implementations."""
    assert ref.DEFAULT_MAX_HITS is censor.DEFAULT_MAX_HITS and ref.DEFAULT_MAX_RATIO is censor.DEFAULT_MAX_RATIO
    for cat in ("色情", "反动", "暴恐", "民生", "贪腐", "其他", "*"):
        assert cat in censor.DEFAULT_MAX_HITS and cat in censor.DEFAULT_MAX_RATIO


# ---------------------------------------------------------------------------
# what flashtext (NKCorpus's KeywordProcessor) misses, and we find

FLASH_WORDS = [("反动", "六四"), ("反动", "法轮功"), ("色情", "色情"), ("色情", "色情片"), ("色情", "a片"), ("色情", "情色")]
FLASH_CASES = [
    # (text, word, how many times it occurs by the spec)
    ("六四六四", "六四", 2),  # a keyword right after another keyword
    ("法轮功法轮功", "法轮功", 2),
    ("看a片a片", "a片", 2),
    ("六四1989", "六四", 1),  # a keyword followed by a digit
    ("色情片", "色情", 1),  # a keyword inside a longer keyword
    ("色情色情", "情色", 1),  # a keyword across two others
]


@pytest.mark.parametrize("text,word,count", FLASH_CASES, ids=[c[0] for c in FLASH_CASES])
def test_flashtext_failure_cases_are_found(matcher_cls, text, word, count):
    lex = _lex(*FLASH_WORDS)
    r = matcher_cls(lex).scan([text], spans=True)
    wi = lex.words.index(word)
    assert sum(1 for s in _spans(r, 0) if s[2] == wi) == count


def test_flashtext_misses_them():
    flashtext = pytest.importorskip("flashtext", reason="flashtext not installed: the comparison is optional")
    kp = flashtext.KeywordProcessor()
    for _, w in FLASH_WORDS:
        kp.add_keyword(w)
    lex = _lex(*FLASH_WORDS)
    ours = censor.Matcher(lex).scan([t for t, _, _ in FLASH_CASES], spans=True)
    missed = []
    for i, (text, word, count) in enumerate(FLASH_CASES):
        theirs = sum(1 for kw, _, _ in kp.extract_keywords(text, span_info=True) if kw == word)
        found = sum(1 for s in _spans(ours, i) if lex.words[s[2]] == word)
        assert found == count
        if theirs < count:
            missed.append(text)
    # every case is one flashtext gets wrong (if a future flashtext fixes one, this says which)
    assert missed == [t for t, _, _ in FLASH_CASES]


# ---------------------------------------------------------------------------
# t2s (needs OpenCC)


def test_t2s_native_equals_reference():
    pytest.importorskip("opencc", reason="t2s needs OpenCC (pip install opencc)")
    lex = _lex(("反动", "法輪功"), ("色情", "色情"), ("a", "發"), t2s=True)
    docs = ["法輪功和法轮功", "色情與色情", "頭髮和發展", "ＡＢ法輪功"]
    want = ref.Matcher(lex).scan(docs, spans=True)
    assert_same_scan(censor.Matcher(lex).scan(docs, spans=True, threads=1), want, "t2s")
    assert want.hits[0].tolist()[0] == 2
