"""Native kernels == their pure-Python twins, on generated input, at every SIMD level.

Both input forms are checked: ``list[str]`` (Python's UCS1/UCS2/UCS4 storage, lone
surrogates included) and ``TextBatch`` (a UTF-8 buffer plus offsets), the latter built from
strings and from raw bytes that may be ill-formed UTF-8. Results are compared exactly:
floats bit for bit, edited text byte for byte.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import (
    ALL_VARIANTS,
    DEFAULT_VARIANTS,
    ERRORS,
    TextBatch,
    assert_same_result,
    batch_forms_from_bytes,
    bytes_docs,
    chars_spec,
    compare,
    compare_all,
    nkcorpus_bands,
    paper_bands,
    punct_spec,
    ref,
    str_docs,
    text,
    valid_docs,
)


@settings(max_examples=80)
@given(docs=str_docs)
@example(docs=[])
@example(docs=[""])
@example(docs=["导航\n这是一个中文句子，包含标点。\r\nEnglish line.\n\x00控制\u200b字符。”尾巴", "", "\ud800一"])
@example(docs=["\r\n\r\n", "\r", "\n", "\ud800", "\udfff\ud800", "\U00020000\ud83d", "\xe9\r\xad"])
def test_str_docs(simd_level, docs):
    """list[str] and TextBatch.from_strings(list[str]) against the reference."""
    compare_all(docs, what="list[str]")
    batch = TextBatch.from_strings(docs)
    compare_all(batch, what="from_strings")


@settings(max_examples=80)
@given(docs=bytes_docs)
@example(docs=[b"\xe4\xb8", b"\xad\xe6\x96\x87"])  # halves of one character in two documents
@example(docs=[b"\xed\xa0\x80\xed\xb0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xe0\x80\xaf"])
@example(docs=[b"\r", b"\n", b"\r\x80\n", b"\xe3\x80\x82\xe2\x80\x9d\xff", b"\x00" * 5])
@example(docs=[bytes(range(256))])
def test_bytes_docs(simd_level, docs):
    """TextBatch built from raw (possibly ill-formed) bytes, in several buffer layouts."""
    forms = batch_forms_from_bytes(docs)
    _, plain = forms[0]
    compare_all(plain, what="from_bytes")
    for name, batch in forms[1:]:
        compare_all(batch, DEFAULT_VARIANTS, what=name)


@settings(max_examples=50)
@given(docs=valid_docs)
def test_forms_agree_on_valid_text(simd_level, docs):
    """On well-formed text the str form and the buffer form give the same documents."""
    batch = TextBatch.from_strings(docs)
    assert batch.to_strings() == docs
    for vid, fn, kw in ALL_VARIANTS:
        for err in ERRORS:
            a = getattr(text, fn)(docs, errors=err, **kw)
            b = getattr(text, fn)(batch, errors=err, **kw)
            if isinstance(a, np.ndarray):
                assert_same_result(b, a, f"{vid} {err}")
            else:
                assert b.to_strings() == a, f"{vid} {err}"


@settings(max_examples=40)
@given(docs=str_docs, chars=chars_spec, errors=st.sampled_from(ERRORS))
def test_strip_control_custom_chars(simd_level, docs, chars, errors):
    compare("strip_control", docs, {"chars": chars}, errors, "list[str]")
    compare("strip_control", TextBatch.from_strings(docs), {"chars": chars}, errors, "from_strings")


@settings(max_examples=40)
@given(docs=bytes_docs, chars=chars_spec, errors=st.sampled_from(ERRORS))
def test_strip_control_custom_chars_bytes(simd_level, docs, chars, errors):
    compare("strip_control", TextBatch.from_bytes(docs), {"chars": chars}, errors, "from_bytes")


@settings(max_examples=40)
@given(docs=st.one_of(str_docs, bytes_docs), end=punct_spec, punct=punct_spec, closers=punct_spec,
       errors=st.sampled_from(ERRORS))
def test_trim_content_custom_sets(simd_level, docs, end, punct, closers, errors):
    kw = {"sentence_end": end, "sentence_punct": punct, "closers": closers}
    if docs and isinstance(docs[0], bytes):
        compare("trim_content", TextBatch.from_bytes(docs), kw, errors, "from_bytes")
        return
    compare("trim_content", docs, kw, errors, "list[str]")
    compare("trim_content", TextBatch.from_strings(docs), kw, errors, "from_strings")


@settings(max_examples=40)
@given(docs=st.one_of(str_docs, bytes_docs), data=st.data(), errors=st.sampled_from(ERRORS))
def test_extract_chinese_custom_bands(simd_level, docs, data, errors):
    mode = data.draw(st.sampled_from(["paper", "nkcorpus"]))
    bands = data.draw(paper_bands() if mode == "paper" else nkcorpus_bands)
    kw = {"mode": mode, "bands": bands}
    if docs and isinstance(docs[0], bytes):
        compare("extract_chinese", TextBatch.from_bytes(docs), kw, errors, "from_bytes")
        return
    compare("extract_chinese", docs, kw, errors, "list[str]")
    compare("extract_chinese", TextBatch.from_strings(docs), kw, errors, "from_strings")


@settings(max_examples=40)
@given(docs=str_docs)
def test_pack_strings_is_utf8_with_surrogates_replaced(docs):
    """TextBatch.from_strings (native pack) == Python's encoder with lone surrogates -> U+FFFD."""
    batch = TextBatch.from_strings(docs)
    # one U+FFFD per lone surrogate code point, like the reference's _clean
    want = [ref._SURROGATE.sub("\ufffd", d).encode("utf-8") for d in docs]
    assert list(batch) == want
    assert batch.offsets[0] == 0 and batch.offsets.dtype == np.int64
    assert batch.data.tobytes() == b"".join(want)


# --- SIMD block boundaries ----------------------------------------------------------
# Deterministic sweeps that put one interesting item at every position of the first
# ~80 characters, so that it falls on, before and after each 16/32/64-byte block edge
# of whatever vector width the kernels use, and at the tail of a document. The reference
# results are computed once and reused at every SIMD level.

SPECIALS_STR = [
    "中", "\U00020000", "\u3000", "\r\n", "\r", "\n", "\x00", "\u200b", "\ufeff", "。", "。”", "\ufffd",
    "\x85", "\xad", "é", "\ud800", "…", "1.5",
]
SPECIALS_BYTES = [s.encode("utf-8", "surrogatepass") for s in SPECIALS_STR] + [
    b"\x80", b"\xc0\x80", b"\xe0\x80\x80", b"\xe0\xa0", b"\xed\xa0\x80", b"\xf0\x90\x80", b"\xf4\x90\x80\x80",
    b"\xff", b"\xe4\xb8", b"\xf0\xa0", b"\xc3",
]
FILLERS = ["abcdefgh", "中文汉字测试内容", "中a文b，c。", "\U00020000\U00020001中", "\xe9\xe8abc"]
SWEEP_VARIANTS = DEFAULT_VARIANTS + [v for v in ALL_VARIANTS if v[0] in ("strip-chars-str", "trim-breaks")]
SWEEP_LEN = 80


def _sweep(base, special):
    docs = []
    for pos in range(SWEEP_LEN):
        docs.append(base[:pos] + special + base[pos:SWEEP_LEN])  # special at pos
        docs.append(base[:pos] + special)  # special at the very end
    return docs


def _is_valid(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


@pytest.mark.parametrize("filler", FILLERS)
def test_block_boundaries_str(simd_level, filler):
    base = (filler * (2 * SWEEP_LEN // len(filler) + 2))[: 2 * SWEEP_LEN]
    valid = [d for sp in SPECIALS_STR if sp != "\ud800" for d in _sweep(base, sp)]
    compare_all(valid, SWEEP_VARIANTS, errors=("replace",), what="list[str]", cache_key=("sweep-str", filler),
                also=[("from_strings", TextBatch.from_strings(valid))])
    bad = _sweep(base, "\ud800") + _sweep(base, "\udc00\ud800")
    compare_all(bad, SWEEP_VARIANTS, what="list[str]", cache_key=("sweep-str-bad", filler))


@pytest.mark.parametrize("filler", [f.encode("utf-8") for f in FILLERS])
def test_block_boundaries_bytes(simd_level, filler):
    base = (filler * (2 * SWEEP_LEN // len(filler) + 2))[: 2 * SWEEP_LEN]
    for group, specials, errors, variants in (
        ("valid", [sp for sp in SPECIALS_BYTES if _is_valid(sp)], ("replace",), SWEEP_VARIANTS),
        ("invalid", [sp for sp in SPECIALS_BYTES if not _is_valid(sp)], ERRORS, DEFAULT_VARIANTS),
    ):
        docs = [d for sp in specials for d in _sweep(base, sp)]
        plain = TextBatch.from_bytes(docs)
        body = plain.data.tobytes()
        # the same documents at unaligned buffer positions, with bytes around them
        shifted = [(f"shift{k}", TextBatch(b"\xe4" * k + body + b"\x80", plain.offsets + k)) for k in (1, 3, 7)]
        compare_all(plain, variants, errors=errors, what=f"from_bytes-{group}",
                    cache_key=("sweep-bytes", group, filler), also=shifted)


@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 1000, 4097])
def test_long_uniform_runs(simd_level, length):
    """Runs of one character class of many lengths (vector loops with and without tails)."""
    runs = ["中", "a", "\u3000", "\x00", "\r\n", "\U00020000", "。", "\u200b", "\ud800", "é", "1", "，"]
    docs = [r * length for r in runs] + ["".join(runs) * (length // len(runs) + 1)]
    compare_all(docs, what="list[str]", cache_key=("runs-str", length),
                also=[])
    compare_all(TextBatch.from_strings(docs), what="from_strings", cache_key=("runs-batch", length))
    raw = [b"\xff" * length, b"\x80" * length, b"\xe4\xb8" * length, b"\xed\xa0\x80" * length]
    compare_all(TextBatch.from_bytes(raw), what="from_bytes", cache_key=("runs-bytes", length))


# Custom sets spread over many (lead, second byte) groups: the SIMD candidate filters then
# merge groups into supersets, and every candidate must be checked exactly.
SCATTERED = "".join(chr(c) for c in (0x09, 0x41, 0x7E, 0xAD, 0xB7, 0x3A9, 0x5D0, 0x7FF, 0x800, 0xFFF, 0x2014, 0x2028,
                                     0x3001, 0x3002, 0x4E00, 0x4E2D, 0x6587, 0x9FFF, 0xAC00, 0xD7FF, 0xE000, 0xFF01,
                                     0xFF0C, 0xFFFD, 0x10000, 0x1F600, 0x20000, 0x2A6DF, 0x3347F, 0x10FFFF))


@pytest.mark.parametrize("spec", [SCATTERED, SCATTERED[::3], [(0x80, 0x7FF), (0x4E00, 0x4E00), (0x10000, 0x10FFFF)],
                                  [(0, 0x10FFFF)]], ids=["scattered", "scattered3", "ranges", "everything"])
def test_scattered_custom_sets(simd_level, spec):
    base = "中文English，。“引号”\u3000\U00020000\U0001F600\uac00\ufffd\xad\t" * 3
    docs = [base[i:] + base[:i] for i in range(0, len(base), 2)]
    docs += [d.replace("。", "\n") for d in docs[:5]] + ["", SCATTERED, SCATTERED[::-1] * 5]
    batch = TextBatch.from_strings(docs)
    for err in ERRORS:
        compare("strip_control", docs, {"chars": spec}, err, "list[str]", also=[("from_strings", batch)])
        compare("trim_content", docs, {"sentence_end": spec}, err, "list[str]", also=[("from_strings", batch)])
        compare("trim_content", docs, {"sentence_punct": spec, "closers": spec}, err, "list[str]",
                also=[("from_strings", batch)])
