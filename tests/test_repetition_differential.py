"""Native repetition statistics == the pure-Python twin, bit for bit, on generated documents:
random Unicode (astral characters, lone surrogates), ill-formed UTF-8 in a TextBatch (both
``errors`` modes), repetition-rich documents (repeated lines, paragraphs and runs, white space of
every kind, stop words), custom stop-word lists, long and huge-line documents; at every SIMD
level; and the same numbers at any thread count."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import (
    WHITESPACE_CHARS,
    ZH_PUNCT,
    TextBatch,
    _import,
    batch_forms_from_bytes,
    bytes_docs,
    str_docs,
    valid_docs,
)

rep = _import("corpus_engine.repetition")
from corpus_engine.reference import repetition as ref  # noqa: E402


def assert_same(got, want, what=""):
    assert list(got) == list(want) == list(rep.COLUMNS), what
    for c in rep.COLUMNS:
        g, w = got[c], want[c]
        assert g.dtype == w.dtype and g.shape == w.shape, f"{what} {c}"
        if g.tobytes() != w.tobytes():
            i = int(np.flatnonzero(g != w)[0])
            raise AssertionError(f"{what} {c}: document {i}: native {g[i]!r} != reference {w[i]!r}")


def compare(docs, what="", **kw):
    want = ref.measure(docs, **kw)
    assert_same(rep.measure(docs, **kw), want, what)
    return want


# A small alphabet makes n-grams, lines and paragraphs repeat; the rest adds every class the
# statistics distinguish (white space, symbols, digits, sentence ends, stop words, astral).
_ATOMS = list("甲乙丙丁戊的了是我们有没一个abcAB12３#©★…。！？.!”」") + ["\U00020000", "\U0010ffff", "\ufffd"]
atom = st.sampled_from(_ATOMS)
fragment = st.text(atom, min_size=1, max_size=12)
white = st.sampled_from(WHITESPACE_CHARS + ["", "", " "])
breaks = st.sampled_from(["\n", "\n", "\n\n", "\r\n", "\n \n", "\n\u3000\n\n", "\r"])


@st.composite
def rep_doc(draw) -> str:
    pool = draw(st.lists(fragment, min_size=1, max_size=5))
    lines = []
    for _ in range(draw(st.integers(0, 25))):
        parts = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4))
        lines.append(draw(white) + draw(white).join(parts) + draw(white))
    out = ""
    for ln in lines:
        out += ln + draw(breaks)
    return out


rep_docs = st.lists(st.one_of(rep_doc(), rep_doc(), st.text(st.one_of(atom, st.sampled_from(ZH_PUNCT)))), max_size=6)
stop_lists = st.one_of(
    st.none(),
    st.lists(st.text(st.sampled_from("甲乙的是我们ab1#"), min_size=1, max_size=3), max_size=6),
)


@settings(max_examples=200)
@given(docs=rep_docs, stopwords=stop_lists)
def test_repetition_rich_documents(simd_level, docs, stopwords):
    compare(docs, "list", stopwords=stopwords)
    compare(TextBatch.from_strings(docs), "batch", stopwords=stopwords)


@settings(max_examples=150)
@given(docs=str_docs, errors=st.sampled_from(["replace", "drop"]))
def test_str_documents_with_surrogates(simd_level, docs, errors):
    compare(docs, errors, errors=errors)


@settings(max_examples=150)
@given(docs=bytes_docs, errors=st.sampled_from(["replace", "drop"]))
def test_ill_formed_utf8(simd_level, docs, errors):
    want = None
    for name, batch in batch_forms_from_bytes(docs):
        got = rep.measure(batch, errors=errors)
        want = want or ref.measure(batch, errors=errors)
        assert_same(got, want, f"{name} {errors}")


@settings(max_examples=60)
@given(docs=valid_docs)
def test_list_and_batch_forms_agree(docs):
    a = rep.measure(docs)
    assert_same(rep.measure(TextBatch.from_strings(docs)), a, "batch vs list")


@settings(max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), size=st.sampled_from([300, 3_000, 20_000]))
def test_long_documents(simd_level, seed, size):
    """Long documents: a few paragraphs copied with small edits, random Chinese, one long line."""
    r = random.Random(seed)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + r.choice([3, 30, 3000]))] + list("，。 \n")
    base = "".join(r.choice(alphabet) for _ in range(size // 4))
    doc = base
    while len(doc) < size:
        cut = r.randrange(len(base) + 1)
        doc += r.choice(["\n", "\n\n", ""]) + base[cut:] + base[:cut] + r.choice(alphabet)
    compare([doc, doc.replace("\n", ""), doc[: size // 3]], "long")


def test_huge_line_documents(simd_level):
    r = random.Random(7)
    block = "".join(r.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(997))
    docs = [
        (block + "。") * 200,  # one 200k-character line of a repeated block
        "".join(chr(r.randrange(0x20, 0x2FFFF)) for _ in range(60_000)).replace("\ud800", "x"),
        "好" * 100_000,
        "ab" * 70_000 + "\n" + "ab" * 70_000,
    ]
    compare(docs, "huge")


def test_many_distinct_characters(simd_level):
    """The kernel ranks the characters of a document in 16 bits: up to 65,518 distinct ones;
    beyond, it groups the code points themselves. Both sides of the limit, with repeats."""
    cps = [c for c in range(0x3400, 0x3400 + 75_000) if not 0xD800 <= c < 0xE000]
    docs = []
    for n in (65_517, 65_518, 65_519, 70_000):
        chars = [chr(c) for c in cps[:n]]
        random.Random(n).shuffle(chars)
        docs.append("".join(chars) + "".join(chars[:40]) * 3 + "".join(chars[1000:1030]) + "好" * 12)
    compare(docs, "distinct")


def test_thread_count_does_not_change_results(clean_zh):
    docs = [d for part in clean_zh.values() for d in part][:20_000]
    batch = TextBatch.from_strings(docs * 2)  # > 1 MB: the kernel uses threads
    assert batch.nbytes > (1 << 20)
    one = rep.measure(batch, threads=1)
    for th in (2, 3, None):
        assert_same(rep.measure(batch, threads=th), one, f"threads={th}")
    assert_same(rep.measure(docs * 2, threads=2), one, "list, 2 threads")


def test_empty_inputs():
    assert_same(rep.measure([]), ref.measure([]), "no documents")
    assert all(v.shape == (0,) for v in rep.measure(TextBatch.from_strings([])).values())
    compare(["", " ", "\n\n\n", "\u3000"], "blank")
