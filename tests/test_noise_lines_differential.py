"""Noise-line filter: native == pure-Python twin (statistics and edited documents) on generated
documents built around the phrases (as written, upper-cased, full-width, overlapping, at the
line-length and cover thresholds), random Unicode, astral characters, lone surrogates (str) and
ill-formed UTF-8 (TextBatch), at every SIMD level and 1 or 2 threads; on the shared real text;
and the same output whatever the thread count on a batch large enough to run in parallel."""

from __future__ import annotations

from typing import List

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import (
    INVALID_FRAGMENTS,
    SIMD_LEVELS,
    TextBatch,
    _import,
    any_scalar,
    ascii_run,
    cjk,
    flatten,
    spaces,
    surrogates,
    text,
    token,
    zh_punct,
)

noise = _import("corpus_engine.noise_lines")
from corpus_engine.censor_lexicon import Lexicon  # noqa: E402
from corpus_engine.noise_phrases import BUNDLED_PHRASES  # noqa: E402
from corpus_engine.reference import noise_lines as ref  # noqa: E402

STATS = ("lines", "noise_lines", "noise_chars", "chars", "group_lines")
PHRASES: List[str] = Lexicon.load(BUNDLED_PHRASES).words


def assert_same(got, want, what: str = "") -> None:
    """(documents, stats) of native == those of the twin."""
    (gd, gs), (wd, ws) = got, want
    if isinstance(wd, TextBatch):
        assert isinstance(gd, TextBatch), what
        gd, wd = list(gd), list(wd)
    assert type(gd) is list and len(gd) == len(wd), what
    for i, (a, b) in enumerate(zip(gd, wd)):
        assert a == b, f"{what}: document {i} differs:\n{a!r}\n!=\n{b!r}"
    assert set(gs) == set(STATS), what
    for k in STATS:
        assert gs[k].dtype == np.int64 and gs[k].shape == ws[k].shape, f"{what}: {k}"
        if not np.array_equal(gs[k], ws[k]):
            i = int(np.flatnonzero((gs[k] != ws[k]).reshape(len(wd), -1).any(axis=1))[0])
            raise AssertionError(f"{what}: {k} differs first at document {i}: {gs[k][i]} != {ws[k][i]}")


def each_level():
    """Runs the loop body at every SIMD level, then restores the best one."""
    for level in SIMD_LEVELS:
        text.set_simd_level(level)
        try:
            yield level
        finally:
            text.set_simd_level(SIMD_LEVELS[-1])


# ---------------------------------------------------------------------------
# generated documents


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in s)


phrase = st.sampled_from(PHRASES)
phrase_form = st.one_of(
    phrase, phrase, phrase.map(str.upper), phrase.map(_fullwidth), phrase.map(lambda p: _fullwidth(p.upper())),
    phrase.map(lambda p: p[: max(1, len(p) - 1)]),  # a prefix: no hit
)
filler = st.one_of(
    st.text(cjk, min_size=1, max_size=70), ascii_run, zh_punct, spaces, any_scalar, token,
    st.sampled_from(["a", "1", "中", " ", "：", ":", ">", "»", "\r", "\U00020000", "\U0001F600"]),
)
line = st.lists(st.one_of(phrase_form, filler, filler), max_size=8).map("".join)
str_line = st.one_of(line, st.lists(st.one_of(phrase_form, filler, surrogates), max_size=8).map("".join))
doc = st.lists(line, max_size=8).map("\n".join)
str_doc = st.lists(str_line, max_size=8).map("\n".join)
docs = st.lists(st.one_of(doc, doc, str_doc, st.just(""), st.just("\n")), max_size=6)


@st.composite
def byte_doc(draw) -> bytes:
    parts = draw(st.lists(st.one_of(line.map(lambda s: s.encode("utf-8")), st.sampled_from(INVALID_FRAGMENTS),
                                    st.just(b"\n"), st.just(b"\n")), max_size=14))
    return b"".join(parts)


extra_phrase = st.one_of(
    st.text(st.one_of(cjk, st.sampled_from("ab1 >:")), min_size=1, max_size=4).filter(lambda s: s.strip()),
    phrase.map(lambda p: p[1:] or p),  # overlaps a bundled phrase
    st.sampled_from(["\U00020000", "\U0001F600x", "中", "a", "Ａ"]),
)


@st.composite
def filter_kw(draw) -> dict:
    kw = {
        "max_line_chars": draw(st.one_of(st.sampled_from([0, 1, 5, 60, 200]), st.integers(0, 100))),
        "min_cover": draw(st.one_of(st.sampled_from([0.0, 0.3, 0.5, 1.0]), st.floats(0.0, 1.0))),
    }
    extra = draw(st.lists(st.one_of(extra_phrase, st.tuples(st.sampled_from(["menu", "x"]), extra_phrase)), max_size=4))
    if extra:
        kw["extra"] = extra
    groups = ["copyright", "license", "navigation", "action", "site", "account", "attribution", "menu"]
    if draw(st.booleans()):
        kw["cover_only"] = draw(st.lists(st.sampled_from(groups), unique=True, max_size=3))
    if draw(st.integers(0, 5)) == 0:
        kw["fold_case"] = False
    return kw


@settings(max_examples=250)
@given(docs=docs, kw=filter_kw())
@example(docs=["京ICP备12345678号-1\n正文", "首页\n" * 3], kw={"max_line_chars": 60, "min_cover": 0.5})
@example(docs=["ＣＯＰＹＲＩＧＨＴ\n\ud800联系我们\n"], kw={"max_line_chars": 0, "min_cover": 1.0})
def test_generated_str(docs, kw):
    want = ref.NoiseLineFilter(**kw)
    got = noise.NoiseLineFilter(**kw)
    for errors in ("replace", "drop"):
        w = want.apply(docs, errors=errors)
        for level in each_level():
            for threads in (1, 2):
                assert_same(got.apply(docs, threads=threads, errors=errors), w, f"{level} t{threads} {errors}")
                m = got.measure(docs, threads=threads, errors=errors)
                assert all(np.array_equal(m[k], w[1][k]) for k in STATS)


@settings(max_examples=200)
@given(raw=st.lists(byte_doc(), max_size=6), kw=filter_kw())
@example(raw=[b"\xff\n\xe8\x81\x94\xe7\xb3\xbb\xe6\x88\x91\xe4\xbb\xac\x80\n\xe4"], kw={})
def test_generated_bytes(raw, kw):
    batch = TextBatch.from_bytes(raw)
    want = ref.NoiseLineFilter(**kw)
    got = noise.NoiseLineFilter(**kw)
    for errors in ("replace", "drop"):
        w = want.apply(batch, errors=errors)
        for level in each_level():
            assert_same(got.apply(batch, errors=errors), w, f"{level} {errors}")


def test_huge_lines_and_many_lines():
    body = "正文内容，" * 40000  # one 200,000-character line
    docs = [body + "\n联系我们\n" + body, "\n".join(["首页", "正文"] * 50000), "联系我们" * 30000]
    assert_same(noise.NoiseLineFilter().apply(docs), ref.NoiseLineFilter().apply(docs), "huge")
    out, st = noise.NoiseLineFilter().apply(docs)
    assert out[0] == body + "\n" + body and st["noise_lines"].tolist() == [1, 50000, 1]


def test_padded_buffer_forms():
    raw = ["a\n联系我们\nb".encode(), b"\xe4\xb8\n\xe9\xa6\x96\xe9\xa1\xb5", b""]
    plain = TextBatch.from_bytes(raw)
    pre, post = b"\xe9\xa6\x96", b"\xe9\xa1\xb5\n"
    padded = TextBatch(pre + plain.data.tobytes() + post, plain.offsets + len(pre))
    want = ref.NoiseLineFilter().apply(plain)
    assert_same(noise.NoiseLineFilter().apply(padded), want, "padded")
    assert list(want[0]) == [b"a\nb", b"\xe4\xb8", b""]


# ---------------------------------------------------------------------------
# real text


def _real_sample(clean_zh, noisy_zh) -> List[str]:
    out = list(noisy_zh["c4-dataset-script/Chinese_docs_random-100.jsonl"])
    out += noisy_zh["chinesewebtext/fasttext/dirty.jsonl"] + noisy_zh["chinesewebtext/fasttext/clean.jsonl"]
    for src, docs in list(clean_zh.items()) + list(noisy_zh.items()):
        if not src.startswith(("c4-", "chinesewebtext")):
            out += docs[::25]
    return out


def test_real_text(clean_zh, noisy_zh):
    docs = _real_sample(clean_zh, noisy_zh)
    want = ref.NoiseLineFilter().apply(docs)
    assert want[1]["noise_lines"].sum() > 1000  # the c4 pages alone have about 1,100
    f = noise.NoiseLineFilter()
    for level in each_level():
        assert_same(f.apply(docs), want, f"list {level}")
        got_b = f.apply(TextBatch.from_strings(docs))
        assert got_b[0].to_strings() == want[0], level
        assert all(np.array_equal(got_b[1][k], want[1][k]) for k in STATS), level


def test_thread_invariance(clean_zh, noisy_zh):
    # Over 1 M code units, so that the kernel really runs on several threads.
    docs = flatten(noisy_zh)[:60000] + flatten(clean_zh)[:20000]
    assert sum(map(len, docs)) > 2_000_000
    f = noise.NoiseLineFilter()
    batch = TextBatch.from_strings(docs)
    base_l = f.apply(docs, threads=1)
    base_b = f.apply(batch, threads=1)
    assert base_l[1]["noise_lines"].sum() > 1000
    for threads in (2, 3, 8):
        assert_same(f.apply(docs, threads=threads), base_l, f"list t{threads}")
        assert_same(f.apply(batch, threads=threads), base_b, f"buffer t{threads}")
    assert base_b[0].to_strings() == base_l[0]


def test_unchanged_strings_are_the_same_objects():
    docs = ["正文没有噪声", "a\n联系我们"]
    out, _ = noise.NoiseLineFilter().apply(docs)
    assert out[0] is docs[0] and out[1] == "a"


@pytest.mark.parametrize("kind_doc", ["latin-1 é\n首页", "ucs2 中\n首页", "ucs4 \U00020000\n首页"])
def test_each_str_kind(kind_doc):
    want = ref.NoiseLineFilter().apply([kind_doc])
    assert_same(noise.NoiseLineFilter().apply([kind_doc]), want, kind_doc)
    assert want[0] == [kind_doc.split("\n")[0]]
