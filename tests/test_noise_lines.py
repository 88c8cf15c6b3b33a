"""Noise-line filter (docs/noise-lines.md): every rule by hand-written cases, run on the native
filter (every SIMD level) and on the pure-Python twin; the bundled list; arguments and errors."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from helpers import SIMD_LEVELS, TextBatch, _import, text

noise = _import("corpus_engine.noise_lines")
from corpus_engine.censor_lexicon import Lexicon  # noqa: E402
from corpus_engine.noise_phrases import BUNDLED_PHRASES, DEFAULT_MAX_LINE_CHARS, DEFAULT_MIN_COVER  # noqa: E402
from corpus_engine.reference import noise_lines as ref  # noqa: E402

BODY = "今天下午，市政府召开新闻发布会，介绍了今年以来全市经济运行的基本情况和下一步的工作安排。"  # 45 chars, no phrase


@pytest.fixture(params=["reference"] + [f"native-{lv}" for lv in SIMD_LEVELS])
def mod(request):
    """The twin, then the native filter at each SIMD level."""
    if request.param == "reference":
        yield ref
        return
    prev = text.simd_level()
    text.set_simd_level(request.param.split("-", 1)[1])
    try:
        yield noise
    finally:
        text.set_simd_level(prev)


def run(mod, docs, **kw):
    errors = kw.pop("errors", "replace")
    return mod.NoiseLineFilter(**kw).apply(docs, errors=errors)


# ---------------------------------------------------------------------------
# the two rules


def test_defaults_documented():
    assert DEFAULT_MAX_LINE_CHARS == 60 and DEFAULT_MIN_COVER == 0.5
    f = noise.NoiseLineFilter()
    assert f.max_line_chars == 60 and f.min_cover == 0.5
    assert f.groups == ["copyright", "license", "navigation", "action", "site", "account", "attribution", "menu"]
    assert f.settings.cover_only == ["menu"]


def test_icp_line_goes_body_stays(mod):
    doc = f"{BODY}\n京ICP备12345678号-1\n{BODY}"
    out, st = run(mod, [doc])
    assert out == [f"{BODY}\n{BODY}"]
    assert st["noise_lines"].tolist() == [1] and st["lines"].tolist() == [3]
    assert st["noise_chars"].tolist() == [len("京ICP备12345678号-1") + 1]


def test_length_rule_one_marker(mod):
    # One marker phrase: the line goes up to 60 non-space characters, not at 61.
    for n, gone in ((60, True), (61, False)):
        line = "联系我们" + "中" * (n - 4)
        _, st = run(mod, [line])
        assert st["noise_lines"].tolist() == [int(gone)], n
    # White space does not count.
    line = "联系我们 " + " 中" * 56
    assert run(mod, [line])[1]["noise_lines"].tolist() == [1]


def test_long_body_mentioning_a_phrase_stays(mod):
    line = BODY + "如有任何疑问，欢迎联系我们，我们将在第一时间为您解答。" + BODY
    out, st = run(mod, [line])
    assert out == [line] and st["noise_lines"].tolist() == [0]


def test_length_budget_grows_with_distinct_markers(mod):
    tail = "中" * 100
    one = "版权所有" + tail  # 104 characters, one marker: stays
    two = "版权所有 icp备" + tail  # 108 non-space, two markers (120): goes
    same_twice = "版权所有版权所有" + tail  # the same marker twice counts once (108 > 60): stays
    out, st = run(mod, [one, two, same_twice])
    assert st["noise_lines"].tolist() == [0, 1, 0]
    assert out == [one, "", same_twice]


def test_max_line_chars_zero_leaves_the_cover_rule(mod):
    out, _ = run(mod, ["京ICP备12345678号-1", "联系我们", "返回顶部"], max_line_chars=0)
    assert out == ["京ICP备12345678号-1", "", ""]


def test_cover_rule(mod):
    # Menu words count for the cover rule only: half of the non-space characters or more.
    docs = ["首页", "网站首页", "学校首页图", "首页 软件下载", "根据APP首页显示的价格", "更多 更多 更多x"]
    _, st = run(mod, docs)
    assert st["noise_lines"].tolist() == [1, 1, 0, 1, 0, 1]
    _, st = run(mod, docs, min_cover=1.0)
    assert st["noise_lines"].tolist() == [1, 0, 0, 0, 0, 0]
    _, st = run(mod, docs, min_cover=0.0)  # every line with a phrase
    assert st["noise_lines"].tolist() == [1] * 6


def test_menu_words_alone_do_not_trigger_the_length_rule(mod):
    line = "谷歌站长平台无法登录，注册谷歌帐号时报错"
    _, st = run(mod, [line])
    assert st["noise_lines"].tolist() == [0]
    _, st = run(mod, [line], cover_only=[])  # every group a marker group: now it goes
    assert st["noise_lines"].tolist() == [1]


def test_overlapping_phrases_cover_once(mod):
    # "首页" and "首页 >" overlap; the union covers 3 of the 5 non-space characters.
    _, st = run(mod, ["首页 >ab"], max_line_chars=0, min_cover=0.6)
    assert st["noise_lines"].tolist() == [1]
    _, st = run(mod, ["首页 >abc"], max_line_chars=0, min_cover=0.6)
    assert st["noise_lines"].tolist() == [0]


def test_folding_width_and_case(mod):
    docs = ["ＣＯＰＹＲＩＧＨＴ　２０２２", "All Rights RESERVED", "京ＩＣＰ备1号", "上一条：ａ"]
    _, st = run(mod, docs)
    assert st["noise_lines"].tolist() == [1, 1, 1, 1]
    _, st = run(mod, docs, fold_width=False, fold_case=False)
    assert st["noise_lines"].tolist() == [0, 0, 0, 0]


def test_ascii_word_boundary(mod):
    # A Latin phrase does not match inside a longer Latin word (censor rule).
    _, st = run(mod, ["Homework", "Home", "Menus", "Copyrighted by x", "reply"])
    assert st["noise_lines"].tolist() == [0, 1, 0, 0, 1]


# ---------------------------------------------------------------------------
# line splitting, joining and the statistics


@pytest.mark.parametrize(
    "doc, want",
    [
        ("", ""),
        ("\n", "\n"),
        ("联系我们", ""),
        ("联系我们\n", ""),  # ["联系我们", ""] keeps [""]
        ("\n联系我们", ""),
        ("a\n联系我们\nb", "a\nb"),
        ("联系我们\n联系我们", ""),
        ("a\n联系我们", "a"),
        ("a\n联系我们\n联系我们", "a"),
        ("联系我们\na", "a"),
        ("联系我们\n\na\n联系我们\n", "\na\n"),
        ("a\r\n联系我们\r\nb", "a\r\nb"),  # a CR stays with its line
    ],
)
def test_join_semantics(mod, doc, want):
    pieces = doc.split("\n")
    kept = [p for p in pieces if "联系我们" not in p]
    assert want == "\n".join(kept)  # the spec: the kept lines joined by "\n"
    out, st = run(mod, [doc])
    assert out == [want]
    assert st["lines"].tolist() == [len(pieces)]
    assert st["noise_lines"].tolist() == [len(pieces) - len(kept)]
    assert st["chars"].tolist() == [len(doc)]
    assert st["noise_chars"].tolist() == [len(doc) - len(want)]


def test_group_lines(mod):
    doc = "版权所有 京ICP备1号\n首页\n上一篇：x\n" + BODY
    f = mod.NoiseLineFilter()
    st = f.measure([doc, BODY])
    g = dict(zip(f.groups, st["group_lines"][0].tolist()))
    assert g == {"copyright": 1, "license": 1, "navigation": 1, "action": 0, "site": 0, "account": 0,
                 "attribution": 0, "menu": 1}
    assert st["group_lines"].shape == (2, len(f.groups)) and st["group_lines"][1].sum() == 0
    for k in ("lines", "noise_lines", "noise_chars", "chars", "group_lines"):
        assert st[k].dtype == np.int64


def test_measure_equals_apply_stats(mod):
    docs = ["a\n联系我们", BODY, "", "首页\n首页"]
    f = mod.NoiseLineFilter()
    m = f.measure(docs)
    _, a = f.apply(docs)
    for k in m:
        assert np.array_equal(m[k], a[k]), k


def test_forms_and_bytes_kept(mod):
    docs = ["正文。\n京ICP备1号\n\t尾巴 ", "没有噪声", "联系我们"]
    out, st = run(mod, docs)
    assert out == ["正文。\n\t尾巴 ", "没有噪声", ""]
    tb = TextBatch.from_strings(docs)
    out_b, st_b = run(mod, tb)
    assert isinstance(out_b, TextBatch) and out_b.to_strings() == out
    for k in st:
        assert np.array_equal(st[k], st_b[k])


def test_invalid_utf8_kept_byte_for_byte(mod):
    # The kept lines keep their ill-formed bytes; errors= changes only what the rules count.
    raw = b"\xff\xfe body \xe4\xb8\n\xe8\x81\x94\xe7\xb3\xbb\xe6\x88\x91\xe4\xbb\xac\x80\nend"
    for errors, chars in (("replace", 9 + 5 + 3 + 2), ("drop", 6 + 4 + 3 + 2)):
        out, st = run(mod, TextBatch.from_bytes([raw]), errors=errors)
        assert list(out) == [b"\xff\xfe body \xe4\xb8\nend"], errors
        assert st["chars"].tolist() == [chars], errors


def test_lone_surrogates_kept(mod):
    docs = ["a\ud800b\n联系我们\udc00\nc"]
    out, st = run(mod, docs)
    assert out == ["a\ud800b\nc"]
    assert st["noise_lines"].tolist() == [1]


def test_astral_and_ucs_kinds(mod):
    docs = ["latin é\n首页", "\U00020000中\n首页", "ÿ\n联系我们\nz", "\U0001F600 首页 x\U0001F600", "\U0001F600首页\U0001F600"]
    out, _ = run(mod, docs)
    assert out == ["latin é", "\U00020000中", "ÿ\nz", "\U0001F600 首页 x\U0001F600", ""]


# ---------------------------------------------------------------------------
# phrases: bundled, extra, user lists


def test_bundled_list_shape():
    lex = Lexicon.load(BUNDLED_PHRASES)
    assert lex.sources[0].format == "category_word" and lex.sources[0].encoding == "utf-8"
    assert not lex.problems
    assert 150 <= len(lex.words) <= 200
    markers = [w for g, w in lex.entries() if g != "menu"]
    # No marker phrase inside another: each distinct marker counts once per line.
    for a in markers:
        for b in markers:
            assert a == b or a not in b, (a, b)
    for w in lex.words:
        assert w == w.strip() and "\n" not in w


def test_extra_phrases(mod):
    docs = ["本站推荐", "相关阅读：x", BODY]
    assert run(mod, docs)[0] == docs
    out, _ = run(mod, docs, extra=["本站推荐", ("related", "相关阅读")])
    assert out == ["", "", BODY]
    f = mod.NoiseLineFilter(extra=["本站推荐", ("related", "相关阅读")])
    assert f.groups[-2:] == ["extra", "related"]


def test_extra_files_and_encodings(mod, tmp_path: Path):
    p = tmp_path / "站内推荐.txt"
    p.write_bytes("# my list\r\n本站推荐\r\n相关阅读\r\n".encode("gb18030"))
    out, _ = run(mod, ["本站推荐", "相关阅读", BODY], extra=p)
    assert out == ["", "", BODY]
    out, _ = run(mod, ["本站推荐", BODY], extra=str(p))
    assert out == ["", BODY]
    f = mod.NoiseLineFilter(extra=[p])
    assert "站内推荐" in f.groups
    # A user list alone, in place of the bundled one.
    f = mod.NoiseLineFilter(phrases=p)
    assert f.groups == ["站内推荐"] and f.apply(["联系我们", "本站推荐"])[0] == ["联系我们", ""]
    f = mod.NoiseLineFilter(phrases=Lexicon([("x", "本站推荐")]))
    assert f.apply(["本站推荐"])[0] == [""]


def test_remove_noise_lines(mod):
    assert mod.remove_noise_lines(["a\n联系我们"]) == ["a"]
    assert mod.remove_noise_lines(["a\n联系我们"], max_line_chars=0, min_cover=1.0) == ["a"]
    assert mod.remove_noise_lines(["a\n联系我们x"], max_line_chars=0, min_cover=1.0) == ["a\n联系我们x"]


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"max_line_chars": -1}, "max_line_chars"),
        ({"max_line_chars": 1.5}, "max_line_chars"),
        ({"max_line_chars": True}, "max_line_chars"),
        ({"min_cover": 1.5}, "min_cover"),
        ({"min_cover": -0.1}, "min_cover"),
        ({"min_cover": float("nan")}, "min_cover"),
        ({"min_cover": "0.5"}, "min_cover"),
        ({"cover_only": ["menus"]}, "cover_only"),
        ({"extra": [3]}, r"extra\[0\]"),
        ({"extra": ["a\nb"]}, "extra"),
        ({"phrases": 3}, "phrases"),
        ({"phrases": Lexicon()}, "phrases"),
    ],
)
def test_bad_arguments(mod, kw, match):
    with pytest.raises(ValueError, match=match):
        mod.NoiseLineFilter(**kw)


def test_bad_calls(mod):
    f = mod.NoiseLineFilter()
    with pytest.raises(TypeError):
        f.apply("联系我们")
    with pytest.raises(TypeError):
        f.measure([b"x"])
    with pytest.raises(ValueError, match="errors"):
        f.measure(["x"], errors="strict")
    with pytest.raises(FileNotFoundError):
        mod.NoiseLineFilter(extra="/nonexistent/list.txt")
    if mod is noise:
        with pytest.raises(ValueError, match="threads"):
            f.measure(["x"], threads=0)
