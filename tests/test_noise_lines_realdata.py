"""Noise-line filter on the shared real text, with the defaults and the bundled list
(figures in docs/noise-lines.md, section 4):

* the raw Common Crawl pages of c4-dataset-script: hand-checked lines that must go (footers, ICP
  and police filings, breadcrumbs, previous/next links, menus, share and scan prompts, repost
  notices) and lines that must stay (body sentences that mention a phrase), cited by
  (document, line) with a phrase of the line as a check that the data is the one looked at;
  every document keeps at least 90 % of its body (lines of 30 or more characters with a
  sentence end, the hand-checked boilerplate left out);
* ChineseWebText's quality examples: only the editor credit of dirty document 1 goes;
* clean_zh: almost nothing goes.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from helpers import _import

noise = _import("corpus_engine.noise_lines")

C4 = "c4-dataset-script/Chinese_docs_random-100.jsonl"

# (document, line, a phrase of the line): boilerplate, looked at one by one.
MUST_GO = [
    # sentence-like notices (they pass the body test below, so they are named here)
    (2, 254, "隐私政策"), (4, 54, "聯系我們"), (4, 87, "未經許可"), (7, 159, "免责声明"), (8, 76, "版權所有"),
    (9, 70, "未经许可"), (9, 74, "上一篇"), (9, 75, "下一篇"), (11, 42, "copyright"), (14, 18, "下一篇"),
    (15, 18, "扫码关注"), (30, 185, "all rights reserved"), (35, 41, "免责声明"), (44, 20, "版权声明"),
    (45, 103, "all rights reserved"), (55, 63, "禁止转载"), (58, 22, "使用條款"), (66, 15, "上一篇"),
    (84, 113, "icp备"), (89, 2, "当前位置"), (89, 67, "powered by"), (92, 34, "公网安备"), (99, 40, "版權所有"),
    # filings, footers, breadcrumbs, menus, prompts
    (1, 132, "icp备"), (4, 89, "互聯網新聞信息服務許可證"), (0, 13, "当前位置"), (0, 16, "文章来源"),
    (0, 23, "上一篇"), (3, 133, "服务条款"), (10, 53, "上一章"), (16, 24, "下一条:"), (19, 72, "备案号"),
    (21, 36, "粤公网安备"), (23, 195, "回到頁首"), (26, 60, "首页 >"), (30, 186, "公网安备"),
    (30, 187, "增值电信业务经营许可证"), (39, 112, "联系我们"), (42, 169, "privacy policy"), (48, 1, "skip to content"),
    (51, 40, "当前位置"), (52, 39, "友情链接"), (53, 334, "older post"), (57, 247, "在线留言"), (59, 171, "分享到"),
    (63, 66, "没有帐号"), (67, 122, "下一页"), (72, 96, "公网安备"), (79, 4, "设为首页"), (79, 135, "诚聘英才"),
    (86, 21, "首页 >"), (94, 149, "公網安備"), (96, 54, "在线留言"), (97, 409, "使用條款"),
]
# Body text that mentions a phrase (mostly a menu word) and stays.
MUST_STAY = [
    (9, 16, "更多"), (9, 23, "首页"), (9, 30, "更多"), (11, 22, "更多"), (15, 41, "分享"), (21, 19, "注册"),
    (30, 88, "分享"), (40, 6, "登入"), (53, 3, "home"), (55, 26, "更多"), (82, 3, "登录"), (84, 43, "搜索"),
    (86, 60, "下载"), (86, 87, "注册"), (93, 54, "分享"), (97, 291, "更多"), (98, 26, "注册"),
    (65, 215, "home"), (97, 201, "home"),
]
SENTENCE_END = re.compile("[。！？!?]")


@pytest.fixture(scope="module")
def c4(noisy_zh):
    return noisy_zh[C4]


@pytest.fixture(scope="module")
def filt():
    return noise.NoiseLineFilter()


def _removed(filt, doc: str):
    """Indexes of the noise lines of doc: each line measured alone (the rule looks at one line)."""
    lines = doc.split("\n")
    return lines, set(np.flatnonzero(filt.measure(lines)["noise_lines"]).tolist())


def test_c4_hand_checked_lines(c4, filt):
    out, _ = filt.apply(c4)
    for cases, gone in ((MUST_GO, True), (MUST_STAY, False)):
        for i, j, phrase in cases:
            lines, removed = _removed(filt, c4[i])
            assert phrase in filt.lexicon.normalize(lines[j]), f"doc {i} line {j} is not the line looked at"
            assert (j in removed) == gone, f"doc {i} line {j} ({phrase}) should {'go' if gone else 'stay'}"
            # The edited document is the kept lines in order.
            assert out[i] == "\n".join(ln for k, ln in enumerate(lines) if k not in removed)


def test_c4_body_survives(c4, filt):
    out, st = filt.apply(c4)
    named = {(i, j) for i, j, _ in MUST_GO}
    total = kept_total = 0
    for i, doc in enumerate(c4):
        lines, removed = _removed(filt, doc)
        body = [j for j, ln in enumerate(lines) if len(ln) >= 30 and SENTENCE_END.search(ln) and (i, j) not in named]
        chars = sum(len(lines[j]) for j in body)
        kept = sum(len(lines[j]) for j in body if j not in removed)
        if chars:
            assert kept >= 0.9 * chars, f"doc {i}: {kept} of {chars} body characters kept"
        total, kept_total = total + chars, kept_total + kept
    assert total > 200_000 and kept_total == total  # measured: 247,147 body characters, every one kept
    # What goes: about 1,080 of 10,278 lines, 2.5 % of the characters, in 94 of 100 pages.
    assert 1000 <= st["noise_lines"].sum() <= 1200
    share = st["noise_chars"].sum() / st["chars"].sum()
    assert 0.015 <= share <= 0.04, share
    assert (st["noise_lines"] > 0).sum() >= 90


def test_chinesewebtext(noisy_zh, filt):
    dirty = noisy_zh["chinesewebtext/fasttext/dirty.jsonl"]
    _, st = filt.apply(dirty)
    assert st["noise_lines"].tolist() == [0, 1] + [0] * 8
    lines, removed = _removed(filt, dirty[1])
    assert removed == {39} and "责任编辑" in lines[39]
    clean = noisy_zh["chinesewebtext/fasttext/clean.jsonl"]
    out, st = filt.apply(clean)
    assert out == clean and st["noise_lines"].sum() == 0


def test_clean_zh_almost_untouched(clean_zh, filt):
    removed = chars = 0
    for src, docs in clean_zh.items():
        st = filt.measure(docs)
        share = st["noise_chars"].sum() / st["chars"].sum()
        assert share <= 0.0005, f"{src}: {share:.5%} of the characters removed"
        removed, chars = removed + st["noise_chars"].sum(), chars + st["chars"].sum()
    # Measured: 97 of 5,580,864 characters (0.0017 %), 3 lines.
    assert removed / chars <= 0.0001


def test_comments_and_reviews(noisy_zh, filt):
    # Short user texts: a handful of lines go, mostly hotel reviews with a site footer glued on.
    for src in ("reviews/chnsenticorp.txt", "reviews/waimai_10k.csv", "cold/dev.csv", "cold/train.csv",
                "toxicn/ToxiCN_1.0.csv"):
        st = filt.measure(noisy_zh[src])
        assert st["noise_lines"].sum() <= 0.003 * st["lines"].sum(), src
