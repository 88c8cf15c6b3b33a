"""Native PII kernels == the pure-Python twin (docs/pii.md), on generated text built to hit the
edges of every rule: valid numbers of every kind (checksums right) next to near misses, all the
separators, prefixes, keywords and gap characters, full-width digits and brackets, glue
characters (letters, digits, dots), random Unicode, astral characters, lone surrogates (str) and
ill-formed UTF-8 (TextBatch). Spans, counts and masked text must be equal, in both input forms,
for both errors= modes, for random kind subsets and replacements, at 1, 2 and 4 threads and at
every SIMD level (the trigger search has an AVX2 variant)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import pii_gen
from helpers import INVALID_FRAGMENTS, TextBatch, _import, assert_same_result, cjk, flatten, valid_doc

pii = _import("corpus_engine.pii")
from corpus_engine.reference import pii as ref  # noqa: E402

THREADS = (1, 2, 4)

# Pieces of PII syntax, alone or in traps.
PIECES = [
    "+86", "＋86", "(+86)", "（+86）", "(86)", "86", "0086", "86 ", "+86-", "010-", "(010)", "（0755）", "0755-", "02",
    "转", "-", "－", " ", ".", "..", ":", "::", ":::", "@", "@@", "_", "%", "+", "(", ")", "（", "）", "x", "X", "ｘ", "Ｘ",
    "QQ", "qq", "Qq", "Q号", "q号", "QQ号", "企鹅号", "企鹅", "微信", "微信号", "WeChat", "wechat", "weixin", "WEIXIN",
    "wx", "WX", "vx", "VX", "号", "码", "是", "为", "：", "\u3000", "群", "a", "ab", "abc_", "wxid_", "g", "Z", "ｚ",
    "1", "13", "138", "1234", "12345", "0", "00", "255", "256", "01", "1.", ".1", "2001:db8", "fe80", "ffff", "::1",
    "com", ".com", ".cn", "example", "-x", "x-", "\n", "中", "。", "，", "𠀀", "\ufffd", "é", "１", "９", "０",
]
ALPHABET = "0123456789０１２３４５６７８９.:-@ +()（）abcdefxXqQwWvV号码是为转：_"


@st.composite
def planted(draw) -> str:
    r = random.Random(draw(st.integers(0, 2**32 - 1)))
    kind, text, _, _ = r.choice(pii_gen.GENERATORS)(r)
    if draw(st.integers(0, 3)) == 0:  # a near miss: one character changed, dropped or doubled
        i = draw(st.integers(0, len(text) - 1))
        op = draw(st.sampled_from(["set", "del", "dup"]))
        c = draw(st.sampled_from(list(ALPHABET)))
        text = text[:i] + (c if op == "set" else "" if op == "del" else text[i] * 2) + text[i + 1 :]
    return text


chunk = st.one_of(
    planted(), planted(), planted(),
    st.sampled_from(PIECES),
    st.text(st.sampled_from(ALPHABET), min_size=1, max_size=6),
    st.text(st.characters(codec="utf-8"), max_size=3),
    st.text(cjk, min_size=1, max_size=4),
)
pii_doc = st.lists(chunk, max_size=14).map("".join)
pii_docs = st.lists(st.one_of(pii_doc, valid_doc, st.just("")), max_size=6)
kinds_arg = st.one_of(st.none(), st.lists(st.sampled_from(ref.KINDS), unique=True, max_size=4))
replacements_arg = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(ref.KINDS), st.text(st.sampled_from("<>*中𠀀X9 "), max_size=5), max_size=3),
)


def check_all(docs, kinds=None, replacements=None, errors="replace", threads=(1,)):
    """Native == reference for scan, mask (both forms) and spans of every document."""
    want_new, want_counts = ref.mask(docs, kinds=kinds, replacements=replacements, errors=errors)
    assert_same_result(ref.scan(docs, kinds=kinds, errors=errors), want_counts, "reference scan vs mask counts")
    for t in threads:
        assert_same_result(pii.scan(docs, kinds=kinds, errors=errors, threads=t), want_counts, f"scan t={t}")
        new, counts = pii.mask(docs, kinds=kinds, replacements=replacements, errors=errors, threads=t)
        assert_same_result(new, want_new, f"mask t={t}")
        assert_same_result(counts, want_counts, f"mask counts t={t}")
    items = list(docs) if not isinstance(docs, TextBatch) else list(docs)
    for d in items:
        assert pii.spans(d, kinds=kinds, errors=errors) == ref.spans(d, kinds=kinds, errors=errors), repr(d)


@settings(max_examples=600)
@given(pii_docs, kinds_arg, replacements_arg)
@example(["+8613812345678 (+86)138 1234 5678 86138-1234-5678"], None, None)
@example(["6228 4804 0256 4890 018 6228 4804 0256 4890 0189"], None, None)
@example(["a@b.cn@c.com ..a@b.cn a@b.cn.. IPv6:fe80::1: :fe80::1"], None, None)
def test_generated_str(simd_level, docs, kinds, replacements):
    check_all(docs, kinds, replacements, threads=(1, 2))
    check_all(TextBatch.from_strings(docs), kinds, replacements)


@settings(max_examples=200)
@given(st.lists(st.lists(st.one_of(pii_doc, st.sampled_from(["\ud800", "\udfff", "\udbff\udc00"])), max_size=4)
                .map("".join), max_size=5),
       st.sampled_from(["replace", "drop"]))
def test_lone_surrogates(docs, errors):
    check_all(docs, errors=errors)


bytes_chunk = st.one_of(pii_doc.map(lambda s: s.encode("utf-8")), st.sampled_from(INVALID_FRAGMENTS),
                        st.binary(max_size=6))


@settings(max_examples=300)
@given(st.lists(st.lists(bytes_chunk, max_size=6).map(b"".join), max_size=5), st.sampled_from(["replace", "drop"]),
       kinds_arg)
def test_ill_formed_utf8(simd_level, docs, errors, kinds):
    check_all(TextBatch.from_bytes(docs), kinds=kinds, errors=errors)


@settings(max_examples=100)
@given(st.lists(st.text(max_size=80), max_size=6))
def test_random_unicode(docs):
    check_all(docs)


def test_huge_lines(simd_level):
    r = random.Random(7)
    pieces = []
    for _ in range(3000):
        pieces.append(r.choice(pii_gen.GENERATORS)(r)[1])
        pieces.append(r.choice(["，", " ", "。", "\n", "a", "1", ".", ":"]))
    docs = ["".join(pieces), "1" * 200_000, "a" * 100_000 + "@" + "b." * 50_000 + "com", ":" * 50_000,
            "1." * 60_000, "QQ" * 30_000, "12 " * 50_000]
    check_all(docs)
    check_all(TextBatch.from_strings(docs))


def test_thread_invariance_real(simd_level, clean_zh):
    """Real text with planted PII, one big batch: the same result at 1, 2 and 4 threads, both forms."""
    r = random.Random(11)
    docs = flatten(clean_zh)[:20000]
    docs = [d + "，" + r.choice(pii_gen.GENERATORS)(r)[1] + "。" if i % 3 == 0 else d for i, d in enumerate(docs)]
    batch = TextBatch.from_strings(docs)
    base_counts = pii.scan(batch, threads=1)
    base_new, _ = pii.mask(batch, threads=1)
    assert base_counts.sum() >= len(docs) // 3
    for t in THREADS[1:]:
        assert_same_result(pii.scan(batch, threads=t), base_counts, f"scan t={t}")
        assert_same_result(pii.scan(docs, threads=t), base_counts, f"scan list t={t}")
        new, counts = pii.mask(batch, threads=t)
        assert_same_result(new, base_new, f"mask t={t}")
        assert_same_result(counts, base_counts, f"mask counts t={t}")
        new_list, _ = pii.mask(docs, threads=t)
        assert new_list == base_new.to_strings()


def test_empty_batch():
    for docs in ([], TextBatch.from_strings([])):
        assert pii.scan(docs).shape == (0, len(pii.KINDS))
        new, counts = pii.mask(docs)
        assert len(new) == 0 and counts.shape == (0, len(pii.KINDS))
        assert np.array_equal(ref.scan(docs), pii.scan(docs))


def test_block_edges(simd_level):
    """Triggers at every offset of the 32-byte SIMD blocks and in the scalar tail."""
    r = random.Random(3)
    docs = []
    for k in range(70):
        for filler in ("中", "，", " ", "é", "𠀀", "a"):
            docs.append(filler * k + r.choice(pii_gen.GENERATORS)(r)[1] + filler * (70 - k))
            docs.append(filler * k + "１" + filler * 3 + "微信：abc_123" + filler * (k % 7))
    assert ref.scan(docs).sum() > len(docs) // 2
    check_all(docs)
    check_all(TextBatch.from_strings(docs))
