"""Hand-written cases that pin the semantics of the text kernels.

Each test runs on the reference twin and on the native kernels at every SIMD level (the
``impl`` fixture), and, where it edits or measures text, on both input forms (list[str] and
TextBatch), which must agree.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from helpers import TextBatch, text

INF = float("inf")


def _has_surrogate(s: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in s)


def edit(impl, fn, docs, **kw):
    """Run an editing kernel on list[str] and on TextBatch; both forms must agree."""
    out = getattr(impl, fn)(docs, **kw)
    assert isinstance(out, list) and all(type(s) is str for s in out)
    if not any(_has_surrogate(d) for d in docs):
        bout = getattr(impl, fn)(TextBatch.from_strings(docs), **kw)
        assert isinstance(bout, TextBatch)
        assert bout.to_strings() == out
    return out


def measure(impl, fn, docs, **kw):
    """Run a measuring kernel on list[str] and on TextBatch; both forms must agree."""
    out = getattr(impl, fn)(docs, **kw)
    assert isinstance(out, np.ndarray) and out.shape == (len(docs),)
    if not any(_has_surrogate(d) for d in docs):
        bout = getattr(impl, fn)(TextBatch.from_strings(docs), **kw)
        np.testing.assert_array_equal(bout, out)
    return out


def raw(impl, fn, docs, **kw):
    """Run a kernel on a TextBatch of raw bytes; edited text comes back as bytes per doc."""
    out = getattr(impl, fn)(TextBatch.from_bytes(docs), **kw)
    return list(out) if isinstance(out, TextBatch) else out.tolist()


def line(zh: int, other: int, zh_char: str = "中", other_char: str = "a") -> str:
    return zh_char * zh + other_char * other


# --- what counts as Chinese ----------------------------------------------------------

CHINESE_CHARS = [
    "\u4e00",  # 一, first CJK unified ideograph
    "\u9fff", "\u3400", "\u4dbf",  # last unified, extension A
    "\U00020000", "\U0002a6df",  # extension B
    "\U0002a700", "\U0002b740", "\U0002b820", "\U0002ceb0",  # C, D, E, F
    "\U00030000", "\U0003134f",  # G
    "\U00031350", "\U000323af",  # H
    "\U0002ebf0", "\U0002ee5d",  # I
    "\U000323b0", "\U0003347f",  # J
    "\uf900", "\ufaff", "\U0002f800", "\U0002fa1d",  # compatibility ideographs
    "\u2e80", "\u2f00", "\u31c0", "\u3105",  # radicals, Kangxi, strokes, bopomofo
    "，", "。", "、", "“", "”", "‘", "’", "…", "—", "·", "※", "《", "》", "「", "」", "【", "】", "～", "！", "？", "１", "Ａ", "｡",
    "\u3001", "\u303f", "\ufe10", "\ufe30", "\ufe50", "\uffe0",
]
NOT_CHINESE_CHARS = [
    "a", "Z", "1", ".", "!", "é", "ß", "Ω", "я", "あ", "ア", "ｱ", "한", "ㄱ", "\u4dc0",  # Yijing hexagram, between A and unified
    "\U0002a6e0", "\U00033480", "\U0002fa20", "\u3040", "😀", "\U0001f600", "\ue000", "\U0010ffff", "\uff65",
]


@pytest.mark.parametrize("ch", CHINESE_CHARS)
def test_chinese_characters_count_as_chinese(impl, ch):
    r = measure(impl, "zh_ratio", [ch, ch + "a", ch * 3 + " a"], mode="paper")
    assert r.tolist() == [1.0, 0.5, 0.75]


@pytest.mark.parametrize("ch", NOT_CHINESE_CHARS)
def test_other_characters_are_counted_but_not_chinese(impl, ch):
    r = measure(impl, "zh_ratio", [ch, "中" + ch], mode="paper")
    assert r.tolist() == [0.0, 0.5]


def test_ideographic_space_is_white_space_not_chinese(impl):
    r = measure(impl, "zh_ratio", ["\u3000", "中\u3000a", "中\u3000\u3000"])
    assert r.tolist() == [0.0, 0.5, 1.0]


@pytest.mark.parametrize("ch", [" ", "\t", "\xa0", "\u2028", "\u2029", "\x85", "\u1680", "\u2000", "\u200a", "\u202f",
                                "\u205f", "\x0b", "\x0c"])
def test_white_space_is_not_counted(impl, ch):
    assert measure(impl, "zh_ratio", ["中" + ch + "a", ch * 4])[0] == 0.5
    assert measure(impl, "zh_ratio", [ch * 4])[0] == 0.0


@pytest.mark.parametrize("ch", ["\x00", "\x1f", "\x7f", "\x9f", "\xad", "\u200b", "\u200f", "\u202a", "\u202e", "\u2060",
                                "\u2064", "\u2066", "\u2069", "\ufeff", "\ufffc", "\ufffd"])
def test_placeholders_are_not_counted(impl, ch):
    r = measure(impl, "zh_ratio", ["中" + ch * 3, "中" + ch + "a", ch])
    assert r.tolist() == [1.0, 0.5, 0.0]


def test_digits_and_dot_in_nkcorpus_mode(impl):
    docs = ["中1.", "1.5", "中文2023年", "中,", "１２"]  # ',' still counts; full-width digits are Chinese
    assert measure(impl, "zh_ratio", docs, mode="paper").tolist() == [1 / 3, 0.0, 3 / 7, 0.5, 1.0]
    assert measure(impl, "zh_ratio", docs, mode="nkcorpus").tolist() == [1.0, 0.0, 1.0, 0.5, 1.0]


def test_zh_ratio_empty_and_blank(impl):
    assert measure(impl, "zh_ratio", ["", " ", "\n", "\x00"]).tolist() == [0.0] * 4
    r = measure(impl, "zh_ratio", [])
    assert r.dtype == np.float64 and r.shape == (0,)


def test_zh_ratio_counts_the_whole_element_across_line_breaks(impl):
    assert measure(impl, "zh_ratio", ["中\na\r\n文\rb"]).tolist() == [0.5]


# --- extract_chinese: paper bands ----------------------------------------------------


@pytest.mark.parametrize(
    "zh, other, kept",
    [
        (57, 13, True),  # 70 counted, 0.814 > 0.80
        (56, 14, False),  # 70 counted, exactly 0.80: dropped
        (55, 15, False),  # 70 counted, 0.786 (would pass the 71-230 band)
        (50, 21, True),  # 71 counted: band 0.70, 0.704 passes
        (49, 22, False),  # 71 counted, 0.690
        (162, 68, True),  # 230 counted, 0.704
        (161, 69, False),  # 230 counted, exactly 0.70
        (139, 92, True),  # 231 counted: band 0.60, 0.602
        (138, 93, False),  # 231 counted, 0.597
        (151, 99, True),  # 250 counted, 0.604
        (150, 100, False),  # 250 counted, exactly 0.60
        (1, 0, True),
        (0, 1, False),
        (4, 1, False),  # 5 counted, exactly 0.8
        (5, 1, True),
        (7000, 4000, True),
    ],
)
def test_paper_band_edges(impl, zh, other, kept):
    ln = line(zh, other)
    # white space and placeholders do not change the counted length
    padded = " \u3000" + ln[: len(ln) // 2] + "\u200b\x00\t" + ln[len(ln) // 2 :] + "  "
    out = edit(impl, "extract_chinese", [ln, padded, ln.replace("a", "1")], mode="paper")
    assert out == ([ln, padded, ln.replace("a", "1")] if kept else ["", "", ""])


def test_paper_blank_line_is_dropped(impl):
    assert edit(impl, "extract_chinese", ["   ", "\u3000\u200b", "中\n \n文"]) == ["", "", "中\n文"]


def test_paper_custom_bands(impl):
    bands = [(2, 0.4), (INF, 0.9)]
    docs = ["中a", "中ab", "中中中中中中中中中a", "中" * 19 + "a"]  # 0.5 (band1), 0.33 (band2), 0.9, 0.95
    assert edit(impl, "extract_chinese", docs, mode="paper", bands=bands) == ["中a", "", "", "中" * 19 + "a"]
    # a band with threshold 0 keeps any line with one Chinese character
    assert edit(impl, "extract_chinese", ["a中bcdefgh\nabc"], bands=[(INF, 0.0)]) == ["a中bcdefgh"]


# --- extract_chinese: NKCorpus bands -------------------------------------------------


@pytest.mark.parametrize(
    "zh, other, kept",
    [
        (4, 1, False),  # 4/5 is exactly 0.8: not above the threshold
        (5, 1, True),
        (8, 2, False),  # exactly 0.8, 8 Chinese: no band holds
        (51, 21, True),  # > 50 Chinese and 0.708 > 0.7
        (50, 21, False),  # 50 Chinese is not > 50; 0.704 < 0.8
        (51, 22, False),  # 0.699
        (151, 100, True),  # > 150 Chinese and 0.602 > 0.6
        (150, 99, False),  # 150 is not > 150; 0.602 < 0.7
        (151, 101, False),  # 0.599
        (0, 0, False),
    ],
)
def test_nkcorpus_bands(impl, zh, other, kept):
    ln = line(zh, other)
    out = edit(impl, "extract_chinese", [ln, ln + "1234567890" * 3 + "...."], mode="nkcorpus")
    # digits and '.' are not counted in NKCorpus mode
    assert out == ([ln, ln + "1234567890" * 3 + "...."] if kept else ["", ""])


def test_nkcorpus_digits_do_not_count_but_paper_digits_do(impl):
    doc = "中文2023.10.01"
    assert edit(impl, "extract_chinese", [doc], mode="nkcorpus") == [doc]
    assert edit(impl, "extract_chinese", [doc], mode="paper") == [""]


def test_nkcorpus_custom_bands(impl):
    bands = [(2, 0.5)]  # more than 2 Chinese and above half
    docs = ["中中a", "中中中a", "中中中aaa"]
    assert edit(impl, "extract_chinese", docs, mode="nkcorpus", bands=bands) == ["", "中中中a", ""]


# --- line breaks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc, want",
    [
        ("中文\r\n中文", "中文\n中文"),
        ("中文\r中文", "中文\n中文"),
        ("中文\n\r中文", "中文\n中文"),  # LF then CR: two breaks, the empty line between is dropped
        ("中\r\r\n文\n\n\n", "中\n文"),
        ("\n\n中\n\n", "中"),
        ("English\r\n中文\rabc\n汉字", "中文\n汉字"),
        ("中文\r\n", "中文"),
        ("\r\n", ""),
        ("中文中文中文中文中\u2028ab", "中文中文中文中文中\u2028ab"),  # U+2028 does not end a line
        ("中文中文中文中文中\x85ab", "中文中文中文中文中\x85ab"),  # nor does NEL
        ("中文中文中文中文中\x0bab\x0cxy", ""),  # nor VT/FF: 9/13 Chinese
    ],
)
def test_line_breaks(impl, doc, want):
    assert edit(impl, "extract_chinese", [doc]) == [want]
    assert edit(impl, "extract_chinese", [doc], mode="nkcorpus") == [want]


def test_extract_keeps_line_text_verbatim(impl):
    doc = "\t中文，\u200b内容。 \nHome | Login\n\u3000\u3000第二段落"
    assert edit(impl, "extract_chinese", [doc]) == ["\t中文，\u200b内容。 \n\u3000\u3000第二段落"]


# --- trim_content ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc, want",
    [
        ("他说：“好。”尾巴", "他说：“好。”"),  # the closing quote after the end stays
        ("好。」）】》尾", "好。」）】》"),
        ("好。x”", "好。"),  # a closer that does not follow the end is tail
        ("好。 ”", "好。"),  # white space breaks the run of closers
        ("没有句号的文本", ""),
        ("", ""),
        ("Hello world. 中文", ""),  # ASCII '.' is not a sentence end
        ("Hello world! 中文", "Hello world!"),
        ("标题\n第一句，还有。第二句\n尾部", "第一句，还有。"),
        ("首页 | 登录\r\n正文，内容。\r\n版权所有", "正文，内容。"),
        ("甲，乙。\r\n丙\r\n丁。", "甲，乙。\n丁。"),  # a line without punctuation is dropped
        ("甲。\n\n\n乙！", "甲。\n乙！"),
        ("问？答！完…", "问？答！完…"),
        ("a,b;c\nd.e\n完。", "a,b;c\n完。"),  # ',' and ';' are punctuation, '.' is not
        ("1｡2．3?", "1｡2．3?"),
        ("他说：“好。”\n", "他说：“好。”"),
        ("只有逗号，没有结束", ""),
    ],
)
def test_trim_content(impl, doc, want):
    assert edit(impl, "trim_content", [doc]) == [want]


def test_trim_content_custom_sets(impl):
    docs = ["Menu\nFirst, second. Third (x).) tail", "a;b. c"]
    out = edit(impl, "trim_content", docs, sentence_end=".", sentence_punct=",", closers=")")
    assert out == ["First, second. Third (x).)", "a;b."]
    # an empty set of sentence ends keeps nothing
    assert edit(impl, "trim_content", ["好。"], sentence_end="") == [""]
    # ranges work too
    assert edit(impl, "trim_content", ["xAyBz"], sentence_end=[("A", "B")], closers="z") == ["xAyBz"]


# --- strip_control --------------------------------------------------------------------


def test_strip_control_default_set(impl):
    doc = "a\x00b\tc\nd\re\x01\x08\x0b\x0c\x1f\x7f\x80\x85\x9f\xad\u200b\u200c\u200d\u200e\u200f\u202a\u202e" \
          "\u2060\u2064\u2066\u2069\u3000\ufefff"
    assert edit(impl, "strip_control", [doc]) == ["ab\tc\ndef"]


def test_strip_control_keeps_the_rest(impl):
    doc = "中文 \xa0\u2028\u2029\ufffc\ufffd\u2065\u206a\u2061é\U00020000\U0010ffff\u2010"
    assert edit(impl, "strip_control", [doc]) == [doc.replace("\u2061", "")]


def test_strip_control_custom_chars(impl):
    assert edit(impl, "strip_control", ["a-b–c\x00"], chars="-–") == ["abc\x00"]
    assert edit(impl, "strip_control", ["中a文b\U00020000"], chars=[(0x4E00, 0x9FFF), (0x20000, 0x2A6DF)]) == ["ab"]
    assert edit(impl, "strip_control", ["a\x00\u200b"], chars="") == ["a\x00\u200b"]
    assert edit(impl, "strip_control", ["a\r\nb"], chars=[("\n", "\r")]) == ["ab"]


# --- char_lengths / length_mask -------------------------------------------------------


def test_char_lengths_are_code_points(impl):
    docs = ["", "a", "中", "\U00020000", "中\r\n", "é", "a\x00b"]
    r = measure(impl, "char_lengths", docs)
    assert r.dtype == np.int64 and r.tolist() == [0, 1, 1, 1, 3, 1, 3]


def test_length_mask(impl):
    docs = ["中" * 19, "中" * 20, "\U00020000" * 20, "a" * 21, ""]
    m = measure(impl, "length_mask", docs)
    assert m.dtype == np.bool_ and m.tolist() == [False, True, True, True, False]
    assert measure(impl, "length_mask", docs, min_chars=0).tolist() == [True] * 5
    assert measure(impl, "length_mask", docs, min_chars=21).tolist() == [False, False, False, True, False]


# --- ill-formed input: replace vs drop -----------------------------------------------


def test_invalid_utf8_char_lengths(impl):
    docs = [b"\xe4\xb8\xad\xff\xe6\x96\x87", b"\xe4\xb8a", b"\xf0\x9f\x98", b"\xed\xa0\x80", b"\xc0\xaf",
            b"\xf4\x90\x80\x80", b"\xe0\x80\xaf", b"\x80\x80", b"\xf0\x90\x80\xe4\xb8\xad"]
    assert raw(impl, "char_lengths", docs, errors="replace") == [3, 2, 1, 3, 2, 4, 3, 2, 2]
    assert raw(impl, "char_lengths", docs, errors="drop") == [2, 1, 0, 0, 0, 0, 0, 0, 1]
    assert raw(impl, "length_mask", docs, min_chars=2, errors="replace") == [True, True, False] + [True] * 6
    assert raw(impl, "length_mask", docs, min_chars=1, errors="drop") == [True, True] + [False] * 6 + [True]


def test_invalid_utf8_zh_ratio(impl):
    # U+FFFD is a placeholder: not counted either way
    docs = [b"\xe4\xb8\xad\xff\xe6\x96\x87", b"\xffa\xff", b"\xff"]
    for err in ("replace", "drop"):
        assert raw(impl, "zh_ratio", docs, errors=err) == [1.0, 0.0, 0.0]


def test_invalid_utf8_strip_control(impl):
    docs = [b"\xe4\xb8\xad\xff\xe6\x96\x87", b"\x00\xc0"]
    assert raw(impl, "strip_control", docs, errors="replace") == ["中\ufffd文".encode(), "\ufffd".encode()]
    assert raw(impl, "strip_control", docs, errors="drop") == ["中文".encode(), b""]
    # U+FFFD can itself be stripped
    assert raw(impl, "strip_control", docs, chars="\ufffd", errors="replace") == ["中文".encode(), b"\x00"]


def test_invalid_utf8_extract_chinese(impl):
    docs = [b"\xe4\xb8\xad\xff\nabc", b"\xff\xfe\nabc", b"\xe4\xb8\xad\r\xff\n\xe6\x96\x87"]
    assert raw(impl, "extract_chinese", docs, errors="replace") == ["中\ufffd".encode(), b"", "中\n文".encode()]
    # dropped bytes can join CR and LF into one break
    assert raw(impl, "extract_chinese", docs, errors="drop") == ["中".encode(), b"", "中\n文".encode()]


def test_invalid_utf8_trim_content(impl):
    docs = [b"\xe4\xb8\xad\xe3\x80\x82\xff", b"\xff\xe3\x80\x82", b"\xe3\x80\x82\xe3\x80"]
    assert raw(impl, "trim_content", docs, errors="replace") == ["中。".encode(), "\ufffd。".encode(), "。".encode()]
    assert raw(impl, "trim_content", docs, errors="drop") == ["中。".encode(), "。".encode(), "。".encode()]


def test_documents_are_decoded_separately(impl):
    # the two halves of 中 in two documents are two ill-formed sequences, not one character
    docs = [b"\xe4\xb8", b"\xad"]
    assert raw(impl, "char_lengths", docs) == [1, 1]
    assert raw(impl, "strip_control", docs, errors="replace") == ["\ufffd".encode()] * 2


def test_lone_surrogates_in_str(impl):
    docs = ["中\ud800文", "\udc00", "a\udbff\udfffb"]  # a surrogate pair in a str is two lone surrogates
    assert measure(impl, "char_lengths", docs, errors="replace").tolist() == [3, 1, 4]
    assert measure(impl, "char_lengths", docs, errors="drop").tolist() == [2, 0, 2]
    assert edit(impl, "strip_control", docs, errors="replace") == ["中\ufffd文", "\ufffd", "a\ufffd\ufffdb"]
    assert edit(impl, "strip_control", docs, errors="drop") == ["中文", "", "ab"]
    assert measure(impl, "zh_ratio", docs, errors="replace").tolist() == [1.0, 0.0, 0.0]
    assert edit(impl, "extract_chinese", ["中\ud800\r\ud800\n文"], errors="drop") == ["中\n文"]
    assert edit(impl, "extract_chinese", ["中\ud800\r\ud800\n文"], errors="replace") == ["中\ufffd\n文"]  # a line of only U+FFFD counts nothing


# --- forms and argument checking ------------------------------------------------------

KERNELS = ["zh_ratio", "extract_chinese", "strip_control", "trim_content", "char_lengths", "length_mask"]


@pytest.mark.parametrize("fn", KERNELS)
def test_empty_inputs(impl, fn):
    out = getattr(impl, fn)([])
    if isinstance(out, np.ndarray):
        assert out.shape == (0,)
        assert out.dtype == {"zh_ratio": np.float64, "char_lengths": np.int64, "length_mask": np.bool_}[fn]
    else:
        assert out == []
    bout = getattr(impl, fn)(TextBatch(b"", [0]))
    if isinstance(bout, np.ndarray):
        assert bout.shape == (0,)
    else:
        assert isinstance(bout, TextBatch) and len(bout) == 0 and bout.nbytes == 0


@pytest.mark.parametrize("fn", KERNELS)
def test_tuple_input_gives_list(impl, fn):
    out = getattr(impl, fn)(("中文。", "abc"))
    assert isinstance(out, (list, np.ndarray)) and len(out) == 2


@pytest.mark.parametrize("fn", KERNELS)
@pytest.mark.parametrize("bad", ["中文", b"abc", ["ok", b"bytes"], ["ok", None], [1], [["nested"]]])
def test_type_errors(impl, fn, bad):
    with pytest.raises(TypeError):
        getattr(impl, fn)(bad)


@pytest.mark.parametrize(
    "fn, kw",
    [
        ("zh_ratio", {"mode": "Paper"}),
        ("zh_ratio", {"errors": "strict"}),
        ("extract_chinese", {"mode": "nk"}),
        ("extract_chinese", {"errors": "ignore"}),
        ("extract_chinese", {"bands": []}),
        ("extract_chinese", {"bands": [(70, 0.8)]}),  # paper: the last band must be unbounded
        ("extract_chinese", {"bands": [(70, 0.8), (50, 0.7), (INF, 0.6)]}),  # not increasing
        ("extract_chinese", {"bands": [(70, 0.8), (70, 0.7), (INF, 0.6)]}),  # not strictly increasing
        ("extract_chinese", {"bands": [(70, 1.5), (INF, 0.6)]}),
        ("extract_chinese", {"bands": [(70, -0.1), (INF, 0.6)]}),
        ("extract_chinese", {"bands": [(-1, 0.5), (INF, 0.6)]}),
        ("extract_chinese", {"bands": [("x", 0.5), (INF, 0.6)]}),
        ("extract_chinese", {"bands": [(70,), (INF, 0.6)]}),
        ("extract_chinese", {"bands": [(INF, float("nan"))]}),
        ("extract_chinese", {"mode": "nkcorpus", "bands": [(-5, 0.5)]}),
        ("extract_chinese", {"mode": "nkcorpus", "bands": [(float("nan"), 0.5)]}),
        ("extract_chinese", {"mode": "nkcorpus", "bands": []}),
        ("strip_control", {"chars": [(5, 3)]}),
        ("strip_control", {"chars": [(0, 0x110000)]}),
        ("strip_control", {"chars": [(-1, 3)]}),
        ("strip_control", {"chars": [(1, 2, 3)]}),
        ("strip_control", {"chars": [5]}),
        ("strip_control", {"errors": "REPLACE"}),
        ("trim_content", {"sentence_end": [(9, 8)]}),
        ("trim_content", {"closers": [("b", "a")]}),
        ("trim_content", {"errors": ""}),
        ("char_lengths", {"errors": "surrogateescape"}),
        ("length_mask", {"min_chars": -1}),
        ("length_mask", {"errors": "x"}),
    ],
)
def test_value_errors(impl, fn, kw):
    for docs in (["中文。"], TextBatch.from_strings(["中文。"])):
        with pytest.raises(ValueError):
            getattr(impl, fn)(docs, **kw)


@pytest.mark.parametrize("fn", KERNELS)
@pytest.mark.parametrize("threads", [0, -1, 1.5, "2"])
def test_bad_threads(simd_level, fn, threads):
    # the reference accepts and ignores threads; the native kernels check it
    with pytest.raises(ValueError):
        getattr(text, fn)(["中文。"], threads=threads)


@pytest.mark.parametrize("fn", KERNELS)
def test_good_threads(simd_level, fn):
    for th in (1, 2, 64, np.int64(3), None):
        getattr(text, fn)(["中文。"], threads=th)


# --- TextBatch ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, offsets",
    [
        (b"abc", [0, 2, 1]),  # decreasing
        (b"abc", [0, 4]),  # beyond the buffer
        (b"abc", [-1, 2]),  # negative
        (b"abc", []),  # empty
        (b"abc", [[0, 1], [1, 2]]),  # 2-D
        (b"", [0, 1]),
    ],
)
def test_textbatch_rejects_bad_offsets(data, offsets):
    with pytest.raises(ValueError):
        TextBatch(data, offsets)


@pytest.mark.parametrize("data", ["abc", 123, np.zeros(3, dtype=np.int32), np.zeros((2, 2), dtype=np.uint8)])
def test_textbatch_rejects_bad_data(data):
    with pytest.raises(TypeError):
        TextBatch(data, [0, 1])


def test_textbatch_basics():
    b = TextBatch.from_bytes([b"ab", b"", "中".encode(), b"\xff"])
    assert len(b) == 4 and b.offsets.tolist() == [0, 2, 2, 5, 6] and b.nbytes == 6
    assert b[0] == b"ab" and b[-1] == b"\xff" and list(b)[2] == "中".encode()
    assert b.to_strings() == ["ab", "", "中", "\ufffd"] and b.to_strings("drop") == ["ab", "", "中", ""]
    with pytest.raises(IndexError):
        b[4]
    assert TextBatch(b"xxab", [2, 4]) == TextBatch.from_bytes([b"ab"])
    assert TextBatch.from_strings(["a", "中\ud800"]).to_strings() == ["a", "中\ufffd"]


@pytest.mark.parametrize("fn", KERNELS)
@pytest.mark.parametrize("offsets", [[0, 2, 1], [0, 4], [-1, 2]])
def test_native_checks_offsets_of_a_bypassed_textbatch(simd_level, fn, offsets):
    """The native layer validates offsets itself, even when TextBatch's checks are bypassed."""
    b = object.__new__(TextBatch)
    b.data = np.frombuffer(b"abc", dtype=np.uint8)
    b.offsets = np.array(offsets, dtype=np.int64)
    with pytest.raises(ValueError):
        getattr(text, fn)(b)
    duck = SimpleNamespace(data=b.data, offsets=b.offsets)
    with pytest.raises(ValueError):
        getattr(text, fn)(duck)


def test_simd_level_api():
    from helpers import SIMD_LEVELS

    prev = text.simd_level()
    try:
        for lv in SIMD_LEVELS:
            text.set_simd_level(lv)
            assert text.simd_level() == lv
        with pytest.raises(ValueError):
            text.set_simd_level("sse9")
        above = ["scalar", "avx2", "avx512"][len(SIMD_LEVELS):]
        for lv in above:
            with pytest.raises(ValueError):
                text.set_simd_level(lv)
    finally:
        text.set_simd_level(prev)


@pytest.mark.parametrize("env, want", [("scalar", "scalar"), ("bogus", None), ("avx512", None)])
def test_corpus_engine_simd_environment_variable(env, want):
    """CORPUS_ENGINE_SIMD lowers the starting level; never raises it above the CPU's; an
    unknown value is ignored with a RuntimeWarning."""
    import os
    import subprocess
    import sys

    from helpers import REPO

    code = ("import warnings; warnings.simplefilter('always')\n"
            "import corpus_engine.text as t; print(t.simd_level(), t._native.simd_detected())")
    e = dict(os.environ, CORPUS_ENGINE_SIMD=env, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=e, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    level, detected = res.stdout.split()
    assert level == (want or detected)
    assert ("RuntimeWarning" in res.stderr) == (env == "bogus")
