"""Generated web-page text for demos and tests: no real data needed."""

from __future__ import annotations

import random
from typing import List

# A small vocabulary of common words; the page generator strings them together.
_WORDS = (
    "我们 你们 他们 今天 明天 中国 北京 上海 城市 经济 发展 社会 文化 历史 科学 技术 研究 学生 老师 学校 "
    "工作 生活 问题 方法 时间 政府 市场 企业 公司 产品 服务 健康 医院 环境 保护 交通 旅游 新闻 报道 记者 "
    "认为 表示 进行 提高 发现 需要 可以 已经 非常 重要 主要 一个 这个 那些 所有 没有 因为 所以 但是 而且"
).split()
_NAV = ["首页", "新闻中心", "关于我们", "联系我们", "网站地图", "登录 | 注册", "Home", "返回顶部", "上一篇", "下一篇"]
_ENGLISH = [
    "Copyright 2022 All rights reserved.",
    "Click here to subscribe to our newsletter",
    "The quick brown fox jumps over the lazy dog.",
]
_JAPANESE = ["これは日本語の文章です。", "お問い合わせはこちら"]
_NOISE = ["\u200b", "\x00", "\u3000", "\ufeff", "\x07", "\u202e"]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(4, 14))
    return "".join(words) + rng.choice("，。。。！？；")


def web_page(rng: random.Random) -> str:
    lines: List[str] = [rng.choice(_NAV) for _ in range(rng.randint(1, 5))]
    for _ in range(rng.randint(1, 8)):
        para = "".join(_sentence(rng) for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.3:
            i = rng.randrange(len(para) + 1)
            para = para[:i] + rng.choice(_NOISE) + para[i:]
        lines.append(para)
        if rng.random() < 0.2:
            lines.append(rng.choice(_ENGLISH + _JAPANESE))
    lines += [rng.choice(_NAV + _ENGLISH) for _ in range(rng.randint(1, 4))]
    return rng.choice(["\n", "\r\n"]).join(lines)


def web_pages(n: int, seed: int = 0) -> List[str]:
    rng = random.Random(seed)
    return [web_page(rng) for _ in range(n)]
