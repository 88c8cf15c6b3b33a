"""Repetition statistics on hand-built documents: the exact value of every column for both the
native kernel (at every SIMD level) and the pure-Python twin, the decision rule (operators, order,
size gates, switches), the published defaults, and the argument errors. Semantics:
docs/repetition.md."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import SIMD_LEVELS, TextBatch, _import, text

rep = _import("corpus_engine.repetition")
from corpus_engine.reference import repetition as ref  # noqa: E402


@pytest.fixture(params=["reference"] + [f"native-{lv}" for lv in SIMD_LEVELS])
def measure(request):
    """measure() of the reference twin, then of the native kernel at each SIMD level (list and
    TextBatch forms; both must agree)."""
    if request.param == "reference":
        yield ref.measure
        return
    prev = text.simd_level()
    text.set_simd_level(request.param.split("-", 1)[1])

    def native(docs, **kw):
        a = rep.measure(docs, **kw)
        if not any(0xD800 <= ord(ch) <= 0xDFFF for d in docs for ch in d):  # else not the same text
            b = rep.measure(TextBatch.from_strings(docs), **kw)
            for c in rep.COLUMNS:
                assert a[c].tobytes() == b[c].tobytes(), c
        return a

    try:
        yield native
    finally:
        text.set_simd_level(prev)


def one(measure, doc, column, **kw):
    v = measure([doc], **kw)[column]
    assert v.shape == (1,)
    return v[0].item()


# --------------------------------------------------------------------------- columns


def test_columns_and_dtypes(measure):
    s = measure(["甲乙。\n丙", ""])
    assert list(s) == list(rep.COLUMNS)
    for c in rep.COLUMNS:
        assert s[c].dtype == (np.int64 if c in ("chars", "lines") else np.float64), c
        assert s[c].shape == (2,)
    # An empty document: zero everywhere (a ratio of nothing is 0.0).
    assert all(s[c][1] == 0 for c in rep.COLUMNS)


def test_chars_counts_code_points_after_error_handling(measure):
    assert one(measure, "ab\n c", "chars") == 5
    assert one(measure, "\U00020000\U00020001", "chars") == 2
    assert measure(["a\ud800b"], errors="replace")["chars"][0] == 3
    assert measure(["a\ud800b"], errors="drop")["chars"][0] == 2


def test_lines_are_split_on_newline_stripped_and_nonempty(measure):
    assert one(measure, "a\n\n  \n b \n", "lines") == 2
    assert one(measure, "a\r\nb\r\n", "lines") == 2  # \r is white space: stripped
    assert one(measure, "a\rb", "lines") == 1  # a lone \r does not end a line
    assert one(measure, "\u3000\u00a0\n\t", "lines") == 0  # only Unicode White_Space
    assert one(measure, "\u200b", "lines") == 1  # a zero-width space is not White_Space


def test_dup_line(measure):
    doc = "首页\n首页\n新闻\n首页"
    assert one(measure, doc, "dup_line_frac") == 2 / 4
    assert one(measure, doc, "dup_line_char_frac") == 4 / 8
    # Lines are compared after stripping; the first occurrence is not a duplicate.
    assert one(measure, " 首页\n首页\u3000\n\n首页 页", "dup_line_frac") == 1 / 3
    assert one(measure, "首页\n首 页", "dup_line_frac") == 0.0  # inner white space counts
    assert one(measure, "只有一行", "dup_line_frac") == 0.0


def test_dup_para(measure):
    doc = "甲乙\n丙\n\n甲乙\n丙\n\n丁"
    assert one(measure, doc, "dup_para_frac") == 1 / 3
    assert one(measure, doc, "dup_para_char_frac") == 3 / 7
    # A blank line may hold white space; lines inside a paragraph keep their breaks.
    assert one(measure, "甲\n \n甲", "dup_para_frac") == 1 / 2
    assert one(measure, "甲乙丙\n\n甲乙\n丙", "dup_para_frac") == 0.0
    assert one(measure, "甲乙\n丙\n\n甲乙\n丙", "dup_line_frac") == 2 / 4


def test_top_ngram(measure):
    assert one(measure, "abcabd", "top_ngram_char_frac_2") == 2 * 2 / 6
    assert one(measure, "ab ab", "top_ngram_char_frac_2") == 1.0  # white space removed first
    assert one(measure, "aaaa", "top_ngram_char_frac_2") == 1.0  # 2 * 3 / 4, capped at 1
    assert one(measure, "abcdef", "top_ngram_char_frac_2") == 0.0  # nothing repeats
    assert one(measure, "abcxabcy", "top_ngram_char_frac_3") == 3 * 2 / 8
    assert one(measure, "abcdxabcdy", "top_ngram_char_frac_4") == 4 * 2 / 10
    assert one(measure, "a", "top_ngram_char_frac_2") == 0.0
    # Overlapping occurrences count: "aba" twice in "ababa".
    assert one(measure, "ababa", "top_ngram_char_frac_3") == 1.0


def test_dup_ngram(measure):
    doc = "甲乙丙丁戊X甲乙丙丁戊Y"
    assert one(measure, doc, "dup_ngram_char_frac_5") == 10 / 12  # both occurrences
    assert one(measure, doc, "dup_ngram_char_frac_6") == 0.0
    assert one(measure, "aaaaaaa", "dup_ngram_char_frac_5") == 1.0  # overlaps counted once
    assert one(measure, "aaaaaaa", "dup_ngram_char_frac_6") == 1.0
    assert one(measure, "aaaaaaa", "dup_ngram_char_frac_7") == 0.0
    ten = "0123456789"
    d = measure([ten + "x" + ten])
    assert [d[f"dup_ngram_char_frac_{n}"][0] for n in range(5, 11)] == [20 / 21] * 6
    d = measure([ten[:7] + "x" + ten[:7] + "y"])  # a 7-gram repeated
    assert [d[f"dup_ngram_char_frac_{n}"][0] for n in range(5, 11)] == [14 / 16] * 3 + [0.0] * 3
    # The union of overlapping repeats: "abcdefg" twice, covered by its 5-grams.
    assert one(measure, "abcdefg|abcdefg", "dup_ngram_char_frac_5") == 14 / 15
    # Three members sharing a 5-gram, two of them sharing a 9-gram.
    d = measure(["abcdeWXYZ1abcdeWXYZ2abcde3"])
    assert d["dup_ngram_char_frac_5"][0] == 23 / 26  # abcde x3, bcdeW..eWXYZ x2
    assert d["dup_ngram_char_frac_9"][0] == 18 / 26
    assert d["dup_ngram_char_frac_10"][0] == 0.0


def test_ngrams_at_the_end_of_the_text(measure):
    # The last characters repeat an earlier run: n-grams may not run past the end.
    assert one(measure, "abcdeXabcd", "dup_ngram_char_frac_5") == 0.0
    assert one(measure, "abcdeXabcde", "dup_ngram_char_frac_5") == 10 / 11
    assert one(measure, "\U0010ffff" * 6, "dup_ngram_char_frac_5") == 1.0  # largest code point


def test_symbol_and_digit_ratio(measure):
    assert one(measure, "a#b©c|", "symbol_ratio") == 3 / 6
    assert one(measure, "★☆→■ 你好", "symbol_ratio") == 4 / 6  # white space not counted
    assert one(measure, "·。…，“”", "symbol_ratio") == 0.0  # punctuation is not a symbol
    assert one(measure, "\ufffd\U0001f600", "symbol_ratio") == 1.0  # replacement char, emoji
    assert one(measure, "12ab３４", "digit_ratio") == 4 / 6  # full-width digits too
    assert one(measure, "一二三", "digit_ratio") == 0.0  # Chinese numerals are not digits


def test_mean_line_length_and_punct_end(measure):
    assert one(measure, "ab\ncde\n\n", "mean_line_length") == 2.5
    doc = "你好。\n标题\n他说：“走。”\nOK!\n菜单…\n好。 "
    assert one(measure, doc, "punct_end_line_frac") == 5 / 6
    assert one(measure, "地址：北京\n电话", "punct_end_line_frac") == 0.0


def test_stopword_frac(measure):
    assert one(measure, "我们的", "stopword_frac") == 1.0  # 我们 + 的
    assert one(measure, "我的书", "stopword_frac") == 1 / 3  # 我 alone is not in the list
    assert one(measure, "没有", "stopword_frac") == 1.0  # 没有 and 有 overlap: counted once
    assert one(measure, "我 们", "stopword_frac") == 1.0  # matched with white space removed
    assert one(measure, "abc", "stopword_frac", stopwords=["ab", "b"]) == 2 / 3
    assert one(measure, "abcab", "stopword_frac", stopwords=["abc", "ca", "x"]) == 4 / 5
    assert one(measure, "的的", "stopword_frac", stopwords=[]) == 0.0


def test_invalid_utf8_in_a_buffer():
    docs = [b"\xe4\xb8\xad\xff\xe4\xb8\xad\xff", b"ab\xc3"]
    tb = TextBatch.from_bytes(docs)
    for errors in ("replace", "drop"):
        got, want = rep.measure(tb, errors=errors), ref.measure(tb, errors=errors)
        for c in rep.COLUMNS:
            assert got[c].tobytes() == want[c].tobytes(), (errors, c)
    assert rep.measure(tb, errors="replace")["chars"].tolist() == [4, 3]
    assert rep.measure(tb, errors="drop")["chars"].tolist() == [2, 2]
    assert rep.measure(tb, errors="replace")["symbol_ratio"][0] == 0.5  # U+FFFD is a symbol


# --------------------------------------------------------------------------- decide


def stats(**cols):
    n = len(next(iter(cols.values())))
    out = {c: np.zeros(n, dtype=np.int64 if c in ("chars", "lines") else np.float64) for c in rep.COLUMNS}
    out["chars"][:] = 1000
    out["lines"][:] = 10
    out["punct_end_line_frac"][:] = 1.0
    out["mean_line_length"][:] = 50.0
    out["stopword_frac"][:] = 0.1
    for c, v in cols.items():
        out[c] = np.asarray(v, dtype=out[c].dtype)
    return out


def test_decide_every_default_rule_fires_alone():
    for col, (op, value) in rep.DEFAULT_THRESHOLDS.items():
        bad = value + 0.01 if op.startswith(">") else value - 0.01
        edge = value if op in (">", "<") else (value + 0.01 if op == "<=" else value - 0.01)
        keep, reasons = rep.decide(stats(**{col: [bad, edge]}))
        assert keep.tolist() == [False, True], col
        assert reasons == [rep.reason_name(col), None], col
    assert rep.reason_name("dup_line_frac") == "rep-dup-line-frac"


def test_decide_reason_is_the_first_failing_rule():
    s = stats(dup_line_frac=[0.9, 0.0], symbol_ratio=[0.9, 0.9])
    keep, reasons = rep.decide(s)
    assert reasons == ["rep-dup-line-frac", "rep-symbol-ratio"]
    rules = {"symbol_ratio": (">", 0.5), "dup_line_frac": (">", 0.5)}
    assert rep.decide(s, rules)[1] == ["rep-symbol-ratio", "rep-symbol-ratio"]


def test_decide_operators_and_switches():
    s = stats(digit_ratio=[0.2, 0.3, 0.4])
    assert rep.decide(s, {"digit_ratio": (">", 0.3)})[0].tolist() == [True, True, False]
    assert rep.decide(s, {"digit_ratio": (">=", 0.3)})[0].tolist() == [True, False, False]
    assert rep.decide(s, {"digit_ratio": ("<", 0.3)})[0].tolist() == [False, True, True]
    assert rep.decide(s, {"digit_ratio": ("<=", 0.3)})[0].tolist() == [False, False, True]
    assert rep.decide(s, {"digit_ratio": None})[0].tolist() == [True, True, True]
    assert rep.decide(s, {})[0].tolist() == [True, True, True]


def test_decide_size_gates():
    s = stats(chars=[199, 200, 5], lines=[10, 10, 2], stopword_frac=[0.0, 0.0, 0.0])
    assert rep.decide(s)[1] == [None, "rep-stopword-frac", None]  # chars >= min_chars only
    assert rep.decide(s, min_chars=0)[1] == ["rep-stopword-frac"] * 3
    s = stats(lines=[2, 3, 3], chars=[1000, 1000, 10], punct_end_line_frac=[0.0, 0.0, 0.0])
    assert rep.decide(s)[1] == [None, "rep-punct-end-line-frac", "rep-punct-end-line-frac"]
    assert rep.decide(s, min_lines=4)[1] == [None, None, None]
    # Duplicate lines and paragraphs are never gated: a repeat is evidence at any size.
    s = stats(lines=[2], chars=[4], dup_line_frac=[0.5])
    assert rep.decide(s)[1] == ["rep-dup-line-frac"]


def test_decide_on_measured_documents():
    docs = ["今天天气很好，我们去公园散步了。", "首页\n首页\n首页\n首页", "关于我们\n联系我们\n网站首页\n新闻中心" * 20]
    keep, reasons = rep.decide(rep.measure(docs))
    assert keep.tolist() == [True, False, False]
    assert reasons == [None, "rep-dup-line-frac", "rep-dup-line-frac"]
    keep, reasons = rep.decide(ref.measure(docs))
    assert reasons == [None, "rep-dup-line-frac", "rep-dup-line-frac"]
    assert ref.decide is rep.decide


def test_defaults_are_well_formed():
    assert set(rep.DEFAULT_THRESHOLDS) <= set(rep.COLUMNS)
    assert rep.LINE_RULES <= set(rep.COLUMNS) and rep.CHAR_RULES <= set(rep.COLUMNS)
    assert not (rep.LINE_RULES & rep.CHAR_RULES)
    for col, (op, value) in rep.DEFAULT_THRESHOLDS.items():
        assert op in (">", ">=", "<", "<=") and 0 <= value, col
    words = rep.stopwords()
    assert 50 <= len(words) <= 120 and len(set(words)) == len(words)
    assert all(w and not any(c.isspace() for c in w) for w in words)
    assert {"的", "了", "是", "我们", "一个", "没有"} <= set(words)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"thresholds": {"nope": (">", 1)}}, "unknown column"),
        ({"thresholds": {"chars": ("=", 1)}}, "op must be"),
        ({"thresholds": {"chars": (">", "1")}}, "value must be a number"),
        ({"thresholds": {"chars": (">", float("nan"))}}, "value must be a number"),
        ({"thresholds": {"chars": (">",)}}, r"\(op, value\) pair"),
        ({"thresholds": [("chars", (">", 1))]}, "mapping"),
        ({"min_chars": -1}, "min_chars"),
        ({"min_lines": 1.5}, "min_lines"),
    ],
)
def test_decide_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rep.decide(stats(chars=[1]), **kwargs)


def test_decide_rejects_bad_stats():
    with pytest.raises(ValueError, match="no column 'symbol_ratio'"):
        rep.decide({"chars": np.zeros(1)}, {"symbol_ratio": (">", 0.1)})
    s = stats(chars=[1, 2])
    s["lines"] = np.zeros(3, dtype=np.int64)
    with pytest.raises(ValueError, match="differ in length"):
        rep.decide(s)


@pytest.mark.parametrize("impl", [rep, ref], ids=["native", "reference"])
def test_measure_rejects_bad_arguments(impl):
    with pytest.raises(TypeError):
        impl.measure("a single str")
    with pytest.raises(TypeError):
        impl.measure(["ok", b"bytes"])
    with pytest.raises(ValueError, match="errors"):
        impl.measure(["a"], errors="ignore")
    for bad in (["a b"], [""], "的", ["\ud800"], [3]):
        with pytest.raises(ValueError, match="stopwords"):
            impl.measure(["a"], stopwords=bad)


def test_native_threads_argument():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="threads"):
            rep.measure(["a"], threads=bad)
