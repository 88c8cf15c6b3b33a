"""Generated web text with ground truth, for demos, tests and benchmarks: no real data needed.

Two generators live here:

* :func:`web_pages` / :func:`web_page`: a tiny page generator (a few dozen words) used by the
  text-kernel demo and tests; unchanged, its output is pinned by existing tests.
* :func:`synthesize`: ``corpus-engine synth`` -- realistic Common Crawl WET files
  (``*.warc.wet.gz``, one gzip member per record, CRLF WARC/1.0 framing with a ``warcinfo`` record
  first) and ``_ground_truth.jsonl``, one row per document, saying what each page is and what each
  stage of the default recipe must do with it.

Chinese text is sampled by word frequency from jieba's dictionary (``dict.txt``, shipped with the
``jieba`` package: ``pip install jieba``); without jieba a small built-in word list is used, with a
warning. English and Japanese lines come from small vocabularies written here; navigation and
footer lines, control characters, hits of the project's demo censor lexicon
(``corpus_engine/data/demo_lexicon.txt``), exact duplicates and near duplicates (within and across
files) are planted.

How the ground truth is known. Every character written here comes from a known set (CJK ideographs
and Chinese punctuation, ASCII, kana, a few control characters), so the outcome of each stage
follows from the specifications (docs/text-kernels.md, docs/censor.md, docs/dedup.md) applied to
text whose composition is known: :func:`expected_outcome` applies them line by line (Chinese ratio
per line, paper bands; control characters stripped; the tail cut after the last sentence end;
sentence lines kept; demo-lexicon hits counted; length). Demo-lexicon words start with marker
characters that are written nowhere else, so the hits are exactly the planted words. The Jaccard
similarity of a planted near duplicate is measured with :func:`corpus_engine.dedup.jaccard` on the
cleaned texts (what the dedup stage sees). tests/test_synthetic.py checks the ground truth against
the native kernels.

Deterministic: the same seed, numpy major version and jieba dictionary give byte-identical files.

Output folder: ``CC-SYNTH-s<seed>-<nnnnn>.warc.wet.gz`` files, ``_ground_truth.jsonl`` and
``_synth_manifest.json`` (seed, vocabulary, jieba version, the thresholds the expectations use). The leading underscore keeps them out of `corpus-engine run --input DIR`.

``_ground_truth.jsonl``, one row per document, in file and record order:

=====================  =====================================================================================
``id``                 ``<file name>:<record index>``, the id the WET reader gives (the warcinfo record is
                       record 0, so a file's first document is ``:1``); ``file``, ``record`` its two parts
``url``, ``record_id``, ``date``, ``content_language``: the record's WARC-Target-URI, WARC-Record-ID,
                       WARC-Date, WARC-Identified-Content-Language
``kind``               ``chinese_article``, ``chinese_with_boilerplate``, ``mixed`` (Chinese with English and
                       Japanese lines), ``english``, ``japanese``, ``spam`` (repetitive), ``short``,
                       ``censor_hits``, ``exact_duplicate``, ``near_duplicate`` (Jaccard >= 0.8),
                       ``edited_copy`` (an edited copy below 0.8, which dedup keeps)
``duplicate_of``       the id of the source of a copy (written earlier, in the same or an earlier file)
``jaccard``            copies: exact Jaccard of the 5-gram shingle sets of the cleaned texts (1.0 for exact)
``raw_identical``      exact copies: true when the whole text is the source's, false when only the content is
                       (same article, another site's furniture)
``bytes``, ``chars``   size of the text (UTF-8 bytes, code points; the text ends with a newline)
``zh_ratio``           Chinese ratio of the whole text (paper mode, text.zh_ratio)
``line_kinds``         run-length tags of the lines (split at \\n, \\r\\n, \\r): ``[["nav", 3], ["title", 1],
                       ["zh", 5], ...]``; tags nav, crumb, title, meta, zh, zh_en, en, ja, ad, side, comment,
                       footer, spam, short, tags; :func:`line_kinds` expands them
``line_fates``         one character per line: ``-`` dropped by zh_extract, ``n`` dropped by noise_lines, ``e``
                       kept by zh_extract and noise_lines and dropped by clean, ``c`` in the cleaned text
``clean_chars``        length of the text after zh_extract and clean (code points)
``censor_hits``        demo-lexicon hits per category in the cleaned text (``{}`` for none)
``censor_planted``     censor_hits pages: ``{"category": ..., "mode": "hits" | "ratio"}``
``quality``            ``"spam"`` for spam pages (for a later quality stage), else null
``expected``           per stage of the default recipe: ``lang_gate`` (bool, by the language header),
                       ``zh_extract``, ``noise_lines`` and ``clean`` (bool: some text left), ``censor`` (the
                       category over its threshold, or null), ``repetition`` (the rule's reason, or null),
                       ``pii`` (items the pii stage masks, by kind: ``{}`` for none; about 10% of the
                       Chinese articles carry one planted phone number, e-mail, ID number or QQ account),
                       ``length`` (bool: clean_chars >= 20, after PII masking), ``dedup`` (null or
                       ``{"reason": "exact" | "near", "of": id}``), and ``removed_by``: the first stage that
                       removes the document (lang_gate, zh_extract, noise_lines, clean, censor, repetition,
                       length, dedup) or null
=====================  =====================================================================================
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import random
import re
import time
import uuid
import warnings
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

from .reference.text import _keep_line  # one definition of the paper rule

# =============================================================================================
# The small demo generator (kept as it was: tests pin its output).

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


# =============================================================================================
# Public constants of the WET generator.

__all__ = [
    "web_page",
    "web_pages",
    "synthesize",
    "SynthSummary",
    "parse_size",
    "expected_outcome",
    "line_kinds",
    "load_vocabulary",
    "demo_lexicon",
    "DEMO_LEXICON",
    "KINDS",
    "GROUND_TRUTH",
    "MANIFEST",
]

GENERATOR_VERSION = 1
DEMO_LEXICON = Path(__file__).resolve().parent / "data" / "demo_lexicon.txt"
GROUND_TRUTH = "_ground_truth.jsonl"
MANIFEST = "_synth_manifest.json"
# Documents are numbered by their position among all records of their file: the warcinfo record is
# record 0, so the first document of a file has the id "<file name>:1".
FIRST_DOCUMENT_RECORD = 1
DEFAULT_FILE_TEXT_BYTES = 16_000_000  # text per file when ``files`` is not given
MIN_CHARS = 20  # the length stage's default (text.length_mask, recipe stages.length.min_chars)

# Page kinds written to ground_truth.jsonl, with the share of documents of each.
KINDS: Dict[str, float] = {
    "chinese_article": 0.30,
    "chinese_with_boilerplate": 0.24,
    "mixed": 0.07,
    "english": 0.07,
    "japanese": 0.05,
    "spam": 0.04,
    "short": 0.05,
    "censor_hits": 0.05,
    "exact_duplicate": 0.06,
    "near_duplicate": 0.07,  # copies edited below the dedup threshold are written as "edited_copy"
}
_ALL_KINDS = tuple(KINDS) + ("edited_copy",)
_CHINESE_KINDS = ("chinese_article", "chinese_with_boilerplate", "mixed", "spam", "short", "censor_hits")


# =============================================================================================
# Vocabularies.


@dataclass
class Vocabulary:
    """Chinese words with frequencies: ``words[i]`` is drawn with probability ``freq[i] / sum``."""

    words: List[str]
    freq: List[int]
    source: str  # "jieba 0.42.1 dict.txt" or "builtin"
    version: Optional[str] = None  # jieba's version
    sha1: Optional[str] = None  # of the dictionary file

    def __len__(self) -> int:
        return len(self.words)


# Demo-lexicon marker characters: every demo word starts with one, and nothing else written here
# contains one (the vocabulary is filtered), so the planted words are the only hits.
_MARKERS = "蝣媸夔犴犼魃貔麂饕蚨鼹鼯"
_MARKER_RE = re.compile(f"[{_MARKERS}]")

# Fallback: about 400 common words with rough frequencies (used when jieba is not installed).
_BUILTIN = (
    "的 了 是 在 和 有 他 不 我 人 也 为 就 这 上 年 中 你 说 一 到 都 等 着 对 来 与 地 还 要 又 大 而 一个 之 "
    "以 得 她 中国 我们 可以 没有 自己 他们 已经 发展 进行 问题 工作 时候 社会 经济 国家 企业 市场 部分 "
    "主要 通过 因为 所以 但是 如果 这个 那个 什么 怎么 现在 今天 明天 昨天 时间 地方 城市 北京 上海 广州 "
    "深圳 天津 南开 大学 学生 老师 学校 教育 文化 历史 科学 技术 研究 方法 数据 信息 网络 平台 系统 服务 "
    "产品 公司 项目 管理 政策 政府 部门 领导 干部 群众 人民 生活 健康 医院 医生 环境 保护 交通 旅游 新闻 "
    "报道 记者 认为 表示 提高 发现 需要 重要 非常 所有 而且 或者 以及 关于 根据 作为 其中 同时 目前 进一步 "
    "加强 推进 实现 建设 提供 支持 增加 减少 影响 情况 方面 活动 过程 结果 水平 能力 条件 标准 质量 价格 "
    "消费 投资 银行 金融 资金 收入 增长 下降 提升 改革 创新 开放 合作 交流 国际 世界 全球 地区 农村 农业 "
    "工业 能源 资源 安全 风险 保障 制度 法律 规定 要求 计划 目标 任务 措施 效果 成果 经验 知识 能力 人才 "
    "青年 儿童 家庭 父母 孩子 朋友 大家 一起 一些 很多 许多 每个 各种 不同 相关 具体 基本 整体 全面 明显 "
    "迅速 逐步 不断 继续 开始 结束 完成 参加 举行 召开 会议 讨论 决定 选择 使用 利用 采用 处理 解决 分析 "
    "了解 学习 掌握 理解 介绍 说明 告诉 知道 觉得 希望 喜欢 感到 看到 听到 走 跑 吃 喝 买 卖 写 读 看 听 "
    "春天 夏天 秋天 冬天 天气 温度 阳光 雨 风 山 水 河 湖 海 树 花 草 鸟 鱼 电影 音乐 艺术 体育 比赛 运动 "
    "足球 篮球 手机 电脑 软件 汽车 火车 飞机 道路 公园 街道 商店 超市 餐厅 饭菜 咖啡 茶 水果 蔬菜 早上 "
    "晚上 中午 周末 假期 节日 春节 中秋 传统 现代 未来 过去 历史上 当地 附近 周围 之间 以来 以后 之前 "
    "此外 然而 因此 于是 总之 首先 其次 最后 特别 尤其 甚至 几乎 大约 只有 只是 就是 还是 已 将 会 能 "
    "应该 必须 可能 一定 确实 真正 简单 复杂 清楚 准确 快速 稳定 积极 主动 正确 合理 有效 有关 专家 学者 "
    "居民 游客 员工 客户 用户 患者 消费者 投资者 观众 读者 作者 编辑 网友 医疗 疫情 气候 污染 垃圾 节能"
).split()


def _builtin_vocabulary() -> Vocabulary:
    words = list(dict.fromkeys(_BUILTIN))
    # Zipf-like weights by position: the list starts with the most common words.
    freq = [max(3, int(200000 / (i + 1) ** 1.05)) for i in range(len(words))]
    return Vocabulary(words, freq, "builtin", None, None)


_DICT_LINE = re.compile(r"^(\S+) (\d+)", re.M)  # jieba dict.txt: word, frequency, part of speech


@lru_cache(maxsize=1)
def _simplified_word_re():
    """Words made of GB2312 ideographs (common simplified characters), no demo-lexicon marker:
    jieba's dictionary also holds traditional and rare characters, which make a page look Japanese
    to language identification."""
    chars = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                c = bytes((hi, lo)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if "\u4e00" <= c <= "\u9fff" and c not in _MARKERS:
                chars.append(c)
    return re.compile("[" + "".join(sorted(chars)) + "]+")


@lru_cache(maxsize=4)
def load_vocabulary(max_words: int = 120_000, prefer_jieba: bool = True) -> Vocabulary:
    """The most frequent ``max_words`` words of jieba's ``dict.txt`` made only of CJK ideographs
    (U+4E00-U+9FFF) of GB2312 and holding no demo-lexicon marker; the built-in list when jieba is
    missing."""
    if prefer_jieba:
        try:
            import jieba  # noqa: PLC0415 - optional dependency
        except ImportError:
            jieba = None
        if jieba is not None:
            path = Path(jieba.__file__).resolve().parent / "dict.txt"
            data = path.read_bytes()
            ok = _simplified_word_re().fullmatch
            pairs = [(-int(f), w) for w, f in _DICT_LINE.findall(data.decode("utf-8")) if ok(w)]
            pairs = sorted(p for p in pairs if p[0] < 0)
            pairs = pairs[:max_words]
            return Vocabulary(
                [w for _, w in pairs],
                [-f for f, _ in pairs],
                f"jieba {getattr(jieba, '__version__', '?')} dict.txt",
                getattr(jieba, "__version__", None),
                hashlib.sha1(data).hexdigest(),
            )
    return _builtin_vocabulary()


@lru_cache(maxsize=1)
def demo_lexicon() -> Tuple[Tuple[str, str], ...]:
    """The (category, word) pairs of the demo lexicon, in file order."""
    out = []
    for line in DEMO_LEXICON.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        cat, word = s.split(None, 1)
        out.append((cat, word.strip()))
    return tuple(out)


@lru_cache(maxsize=1)
def _lexicon_categories() -> Tuple[str, ...]:
    return tuple(dict.fromkeys(c for c, _ in demo_lexicon()))


# English: a small vocabulary and sentence shapes.
_EN_NOUNS = (
    "city council team report market company government school student teacher project system data network "
    "service product customer price energy water climate weather river park street car train station airport "
    "hospital doctor patient health study research result policy economy bank budget plan program family "
    "community museum library festival concert game season player coach match history culture language book "
    "story article issue question answer idea method model software update device phone computer website page "
    "event meeting week month year morning evening weekend holiday travel hotel restaurant menu recipe garden"
).split()
_EN_VERBS = (
    "announced reported said expects plans to build launched opened closed improved reduced increased "
    "discussed reviewed approved supports shows found describes explains offers provides announced "
    "requires includes covers raised lowered visited joined started finished"
).split()
_EN_ADJ = (
    "new local national annual public important recent major small large early late strong weak popular "
    "free open online final first second next last better higher lower clean quiet busy modern"
).split()
_EN_FUNC = "the the the a a an this that our their its more most many some every each".split()
_EN_PREP = "in on at for with from about after before during across near under over".split()
_EN_NAV = [
    "Home | News | Sports | Business | Tech | Contact",
    "Sign in",
    "Subscribe",
    "Menu",
    "Search",
    "Skip to main content",
    "Share this article",
    "Read more",
    "Privacy Policy | Terms of Use | Cookie Settings",
    "Follow us on social media",
    "Back to top",
    "Related stories",
    "Advertisement",
]

# Japanese: kanji nouns, katakana nouns, particles and kana-heavy predicates.
_JA_KANJI = (
    "東京 大阪 会社 天気 情報 仕事 学校 電車 料理 映画 写真 予約 商品 季節 旅行 週末 最新 研究 地域 駅前 "
    "店舗 価格 新作 記事 動画 今年 今日 毎日 家族 友達 子供 公園 会議 案内 確認 注文 送料 無料 限定"
).split()
_JA_KANA = (
    "サービス コーヒー ホテル ニュース イベント メール ページ ブログ アプリ カメラ ランチ セール "
    "キャンペーン スタッフ メニュー ショップ デザイン レシピ"
).split()
_JA_PART = "は が を に で と の も から まで".split()
_JA_PRED = (
    "見ました 行きました 食べました 楽しみました 確認してください お知らせします 紹介します 使っています "
    "考えています できます 届きました 始まります ありがとうございました おすすめです よろしくお願いします "
    "とても楽しかったです ぜひご覧ください 予定です しています"
).split()
_JA_ADV = "とても すごく ちょっと もう まだ いつも たくさん ぜひ".split()
_JA_NAV = [
    "ホーム",
    "お問い合わせ",
    "会社概要",
    "プライバシーポリシー",
    "ログイン",
    "サイトマップ",
    "新着情報",
    "よくある質問",
    "カテゴリー",
    "ページの先頭へ",
    "利用規約",
]

# Chinese page furniture.
_ZH_CHANNELS = "新闻 国内 国际 体育 娱乐 财经 科技 汽车 房产 教育 健康 旅游 文化 军事 时尚 游戏 视频 图片 专题 评论".split()
_ZH_NAV = [
    "登录 | 注册",
    "设为首页 加入收藏",
    "网站导航",
    "手机版",
    "客户端下载",
    "English",
    "搜索",
    "用户中心",
    "繁體",
    "无障碍浏览",
]
_ZH_SIDE_HEAD = ["热门文章", "相关阅读", "推荐阅读", "猜你喜欢", "最新更新", "排行榜", "热点专题", "精彩图片"]
_ZH_ADS = ["广告", "点击查看更多", "扫码关注公众号", "打开APP阅读全文", "展开全文", "查看原图", "分享到：微信 微博 QQ空间"]
_ZH_SOURCES = ["新华网", "人民网", "中国新闻网", "央视网", "澎湃新闻", "本站原创", "网络整理", "综合报道", "新浪网", "光明网"]
_SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹".split()
_PROVINCES = "京 沪 津 渝 冀 豫 云 辽 黑 湘 皖 鲁 新 苏 浙 赣 鄂 桂 甘 晋 蒙 陕 吉 闽 贵 粤 川 青 藏 琼 宁".split()
_PINYIN = (
    "zhong guo xin wen hua bei jing shang hai tian jin nan kai da xue ren min jia yuan kang le ping an "
    "chang hong tai shan feng yun long teng ming yue qing he jin xiu xing fu kuai le bao ji hao wang zhi"
).split()
_TLDS = [".com", ".com.cn", ".cn", ".net", ".org.cn", ".net.cn", ".gov.cn", ".edu.cn"]

_SHORT_TEXTS = [
    "该页面不存在。",
    "页面已删除",
    "正在跳转…",
    "请先登录。",
    "暂无内容",
    "您访问的页面不存在",
    "404 页面未找到",
    "网站维护中，请稍后访问。",
    "该帖子已被删除！",
    "加载中…",
    "本站暂停服务",
]

# Control and invisible characters sprinkled into text (none of them breaks a line).
_CTRL_SPRINKLE = ["\u200b", "\x00", "\u200b", "\ufeff", "\x07", "\u200e", "\u00ad", "\u2060", "\x1b", "\u200c", "\x7f"]


# =============================================================================================
# The stage semantics applied to known text (docs/text-kernels.md, docs/censor.md).


def _class_re(ranges) -> str:
    return "".join(f"\\U{lo:08x}-\\U{hi:08x}" if lo != hi else f"\\U{lo:08x}" for lo, hi in ranges)


@lru_cache(maxsize=1)
def _regexes():
    from . import charsets as cs  # noqa: PLC0415

    zh = re.compile(f"[{_class_re(cs.CHINESE)}]+")
    skip = re.compile(f"[{_class_re(cs.WHITESPACE + cs.PLACEHOLDERS)}]+")
    ctrl = re.compile(f"[{_class_re(cs.CONTROL_DEFAULT)}]+")
    punct = re.compile("[" + re.escape(cs.SENTENCE_PUNCT_DEFAULT + cs.SENTENCE_END_DEFAULT) + "]")
    other = re.compile(f"[^{_class_re(cs.CHINESE)}]")
    return zh, skip, ctrl, punct, cs.SENTENCE_END_DEFAULT, cs.CLOSERS_DEFAULT, cs.PAPER_BANDS, other


def _line_counts(line: str) -> Tuple[int, int]:
    """(Chinese characters, counted characters) of a line, paper mode."""
    zh, skip = _regexes()[:2]
    z = sum(map(len, zh.findall(line)))
    s = sum(map(len, skip.findall(line)))
    return z, len(line) - s


@dataclass
class Outcome:
    """What the default recipe does with one document (paper-mode extraction)."""

    extract_lines: List[int]  # line indices kept by zh_extract
    clean_lines: List[int]  # line indices left after clean (strip_control + trim_content)
    cleaned: str  # the text after clean
    zh_ratio: float  # Chinese ratio of the whole document
    hits: Dict[str, int]  # demo-lexicon hits per category in the cleaned text
    covered: Dict[str, int]  # code points covered by them
    noise_lines: List[int] = field(default_factory=list)  # extracted lines the noise_lines stage drops
    censor_chars: int = 0  # length of the text the censor stage sees (before PII masking)
    repetition: Optional[str] = None  # the repetition stage's reason, or None when it keeps the page
    pii: Dict[str, int] = field(default_factory=dict)  # personal information the pii stage masks, by kind


def expected_outcome(lines: Sequence[str]) -> Outcome:
    """Applies zh_extract (paper mode), clean (strip_control, trim_content) and the demo-lexicon count
    to a document given as its lines (split at \\n, \\r\\n, \\r), following the specifications."""
    zh_re, skip_re, ctrl_re, punct_re, ends, closers, bands, other_re = _regexes()
    kept = []
    tz = tn = 0
    for i, ln in enumerate(lines):
        if other_re.search(ln) is None:  # every character Chinese: the common paragraph
            z = n = len(ln)
        else:
            z = sum(map(len, zh_re.findall(ln)))
            n = len(ln) - sum(map(len, skip_re.findall(ln)))
        tz += z
        tn += n
        if _keep_line(z, n, "paper", bands):  # the reference twin's rule
            kept.append(i)
    noise = _noise_lines(lines, kept)
    kept_all, kept = kept, [i for i in kept if i not in noise]
    stripped = {i: ctrl_re.sub("", lines[i]) if other_re.search(lines[i]) else lines[i] for i in kept}
    last = -1
    for i in reversed(kept):
        s = stripped[i]
        pos = max(s.rfind(c) for c in ends)
        if pos >= 0:
            cut = pos + 1
            while cut < len(s) and s[cut] in closers:
                cut += 1
            stripped[i] = s[:cut]
            last = i
            break
    clean = [i for i in kept if i <= last and punct_re.search(stripped[i])] if last >= 0 else []
    cleaned = "\n".join(stripped[i] for i in clean)
    hits: Dict[str, int] = {}
    covered: Dict[str, int] = {}
    if _MARKER_RE.search(cleaned):
        for cat, word in demo_lexicon():
            c = cleaned.count(word)
            if c:
                hits[cat] = hits.get(cat, 0) + c
                covered[cat] = covered.get(cat, 0) + c * len(word)
    rep, final, pii_counts = _repetition_and_pii(cleaned)
    return Outcome(kept_all, clean, final, (tz / tn) if tn else 0.0, hits, covered, sorted(noise), len(cleaned), rep,
                   pii_counts)


@lru_cache(maxsize=1)
def _noise_filter():
    from .noise_lines import NoiseLineFilter  # noqa: PLC0415

    return NoiseLineFilter()


def _noise_lines(lines: Sequence[str], kept: List[int]) -> set:
    """The extracted lines the noise_lines stage drops. Its rule is per line, so each line is
    measured alone (the native filter; tests/test_noise_lines_* pin it to its twin)."""
    if not kept:
        return set()
    st = _noise_filter().measure([lines[i] for i in kept], threads=1)
    return {i for i, bad in zip(kept, st["noise_lines"]) if bad}


def _repetition_and_pii(cleaned: str) -> Tuple[Optional[str], str, Dict[str, int]]:
    """The repetition stage's verdict on the cleaned text (default thresholds), the text after PII
    masking (what length and dedup see) and the PII counts by kind. Native kernels, each pinned to
    its twin by its tests."""
    if not cleaned:
        return None, cleaned, {}
    from . import pii, repetition  # noqa: PLC0415

    keep, reasons = repetition.decide(repetition.measure([cleaned], threads=1))
    masked, counts = pii.mask([cleaned], threads=1)
    found = {k: int(c) for k, c in zip(pii.KINDS, counts[0]) if c}
    return (None if keep[0] else reasons[0]), masked[0], found


def _censor_verdict(o: Outcome, max_hits: Dict[str, float], max_ratio: Dict[str, float]) -> Optional[str]:
    length = o.censor_chars
    for cat in _lexicon_categories():
        h = o.hits.get(cat, 0)
        r = o.covered.get(cat, 0) / length if length else 0.0
        if h > max_hits.get(cat, max_hits.get("*", 0)) or r > max_ratio.get(cat, max_ratio.get("*", 0.0)):
            return cat
    return None


# =============================================================================================
# Sizes.

_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "kib": 2**10, "mib": 2**20, "gib": 2**30}


def parse_size(size: Union[int, float, str]) -> int:
    """Bytes of ``100MB``, ``5 MiB``, ``1.5GB``, ``250k`` or a plain number (MB = 10**6, MiB = 2**20)."""
    if isinstance(size, bool):
        raise ValueError(f"not a size: {size!r}")
    if isinstance(size, (int, float)):
        value = float(size)
    else:
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", str(size))
        if not m or m.group(2).lower() not in _UNITS:
            raise ValueError(f"not a size: {size!r} (examples: 100MB, 5MiB, 250k, 1000000)")
        value = float(m.group(1)) * _UNITS[m.group(2).lower()]
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"not a size: {size!r}")
    return int(value)


# =============================================================================================
# Page generation.


@dataclass
class _Page:
    kind: str
    head: List[Tuple[str, str]]  # (line, tag) of the page furniture above the content
    body: List[Tuple[str, str]]
    tail: List[Tuple[str, str]]
    lang: str  # WARC-Identified-Content-Language
    host: str
    quality: Optional[str] = None
    planted: Dict[str, int] = field(default_factory=dict)

    def lines(self) -> List[Tuple[str, str]]:
        return self.head + self.body + self.tail


# Punctuation after a word inside a paragraph: (text, probability). Paragraph ends come from _PARA_END.
_PUNCT_AFTER = [
    ("", 0.700),
    ("，", 0.170),
    ("。", 0.066),
    ("、", 0.025),
    ("！", 0.005),
    ("？", 0.006),
    ("；", 0.008),
    ("：", 0.005),
    ("\u200b", 0.004),
    (" ", 0.004),
    ("……", 0.002),
    ("——", 0.002),
    ("\u3000", 0.001),
    ("\x00", 0.0005),
    ("\ufeff", 0.0005),
    ("\u00ad", 0.0005),
]
_PARA_END = [("。\n", 0.86), ("！\n", 0.05), ("？\n", 0.05), ("……\n", 0.04)]


class _Generator:
    def __init__(self, seed: int, vocab: Vocabulary):
        import numpy as np  # noqa: PLC0415

        self.np = np
        self.rng = random.Random(seed)
        self.nprng = np.random.Generator(np.random.PCG64(seed))
        self.vocab = vocab
        lex = demo_lexicon()
        self.lex_words = [w for _, w in lex]
        self.lex_cat = [c for c, _ in lex]
        self.lex_by_cat: Dict[str, List[int]] = {}
        for j, c in enumerate(self.lex_cat):
            self.lex_by_cat.setdefault(c, []).append(j)
        self.n_vocab = len(vocab.words)
        self.tokens = np.array(list(vocab.words) + self.lex_words, dtype=object)
        freq = np.asarray(vocab.freq, dtype=np.float64)
        self.cum = np.cumsum(freq)
        self.total = float(self.cum[-1])
        nb = 1 << 20  # bucket b starts at b * total / nb; bucket[b] = the word holding that point
        self.bucket = np.searchsorted(self.cum, np.arange(nb) * (self.total / nb), side="right").astype(np.int64)
        self.bucket_scale = nb / self.total
        self.buf = np.zeros(0, dtype=np.int64)
        self.pos = 0
        self.wlist: List[str] = []  # words drawn ahead, for short phrases
        self.wpos = 0
        self.clist: List[str] = []  # single characters drawn ahead
        self.cpos = 0
        self.en_pool: List[str] = []  # English and Japanese sentences: made fresh, then reused
        self.ja_pool: List[str] = []
        # single characters for edits and names, by frequency
        singles = [(w, f) for w, f in zip(vocab.words, vocab.freq) if len(w) == 1]
        if len(singles) < 50:  # the built-in list: take characters of the words
            chars = Counter()
            for w, f in zip(vocab.words, vocab.freq):
                for ch in w:
                    chars[ch] += f
            singles = sorted(chars.items(), key=lambda x: (-x[1], x[0]))
        self.chars = [w for w, _ in singles]
        self.char_cum = np.cumsum(np.asarray([f for _, f in singles], dtype=np.float64))
        self.punct_txt = np.array([p for p, _ in _PUNCT_AFTER] + [p for p, _ in _PARA_END], dtype=object)
        self.punct_cum = np.cumsum([p for _, p in _PUNCT_AFTER])
        self.punct_cum /= self.punct_cum[-1]
        self.end_cum = np.cumsum([p for _, p in _PARA_END])
        self.end_cum /= self.end_cum[-1]

    # ---- words -------------------------------------------------------------------------------
    def take(self, k: int):
        """``k`` word indices drawn by frequency: the same as ``searchsorted(cum, u * total, "right")``
        for uniform ``u``, found from a table of 2**20 buckets and a short walk."""
        np = self.np
        if self.pos + k > len(self.buf):
            m = max(k, 1 << 18)
            x = self.nprng.random(m) * self.total
            idx = self.bucket[np.minimum((x * self.bucket_scale).astype(np.int64), len(self.bucket) - 1)]
            cum = self.cum
            todo = np.flatnonzero(cum[idx] <= x)  # walk up to the first word whose cum > x
            while todo.size:
                idx[todo] += 1
                todo = todo[cum[idx[todo]] <= x[todo]]
            todo = np.flatnonzero((idx > 0) & (cum[idx - 1] > x))  # (rounding at a bucket edge)
            while todo.size:
                idx[todo] -= 1
                todo = todo[(idx[todo] > 0) & (cum[idx[todo] - 1] > x[todo])]
            self.buf = np.minimum(idx, self.n_vocab - 1)
            self.pos = 0
        out = self.buf[self.pos:self.pos + k]
        self.pos += k
        return out

    def words(self, k: int) -> List[str]:
        if self.wpos + k > len(self.wlist):
            self.wlist = self.tokens[self.take(max(k, 1 << 14))].tolist()
            self.wpos = 0
        out = self.wlist[self.wpos:self.wpos + k]
        self.wpos += k
        return out

    def phrase(self, lo: int, hi: int) -> str:
        return "".join(self.words(self.rng.randint(lo, hi)))

    def char(self) -> str:
        if self.cpos >= len(self.clist):
            np = self.np
            idx = np.searchsorted(self.char_cum, self.nprng.random(1 << 12) * self.char_cum[-1], side="right")
            self.clist = [self.chars[i] for i in np.minimum(idx, len(self.chars) - 1).tolist()]
            self.cpos = 0
        self.cpos += 1
        return self.clist[self.cpos - 1]

    def name(self) -> str:
        return self.rng.choice(_SURNAMES) + "".join(self.char() for _ in range(self.rng.randint(1, 2)))

    # ---- Chinese paragraphs ------------------------------------------------------------------
    def para_lengths(self, n_paras: int, mean_log: float = 3.8, sigma: float = 0.6) -> List[int]:
        return [max(6, min(400, int(self.rng.lognormvariate(mean_log, sigma)))) for _ in range(n_paras)]

    def paragraphs(self, lengths: Sequence[int], plants: Sequence[int] = (), indent: str = "") -> List[str]:
        """Paragraphs of ``lengths`` words (frequency-sampled), punctuated, each ending with a
        sentence end; ``plants`` are demo-lexicon word indices put at random word positions."""
        np = self.np
        w = int(sum(lengths))
        idx = self.take(w)
        tok = self.tokens[idx]
        codes = np.searchsorted(self.punct_cum, self.nprng.random(w), side="right")
        codes = np.minimum(codes, len(_PUNCT_AFTER) - 1)
        ends = np.cumsum(lengths) - 1
        end_codes = np.searchsorted(self.end_cum, self.nprng.random(len(lengths)), side="right")
        codes[ends] = len(_PUNCT_AFTER) + np.minimum(end_codes, len(_PARA_END) - 1)
        taken = set()
        for j in plants:
            p = self.rng.randrange(w)
            while p in taken and len(taken) < w:
                p = self.rng.randrange(w)
            taken.add(p)
            tok[p] = self.lex_words[j]
        if w > 40 and self.rng.random() < 0.3:  # a book or film title in 《》
            p = self.rng.randrange(w)
            if p not in taken:
                tok[p] = "《" + tok[p] + self.tokens[self.take(1)[0]] + "》"
        out = np.empty(2 * w, dtype=object)
        out[0::2] = tok
        out[1::2] = self.punct_txt[codes]
        paras = "".join(out.tolist()).split("\n")[:-1]
        res = []
        for p in paras:
            if len(p) > 30 and self.rng.random() < 0.12 and not _MARKER_RE.search(p):
                p = self._quote(p)
            res.append(indent + p)
        return res

    def _quote(self, p: str) -> str:
        """Turns one sentence of the paragraph into reported speech: ...说：“....。”"""
        end = p.find("。", 4)
        if end < 0 or end > len(p) - 2:
            return p
        start = p.rfind("，", 0, end)
        if start < 0 or end - start < 5:
            return p
        return p[:start] + self.rng.choice(["，他说：“", "，她表示：“", "，有关负责人说：“", "：“"]) + p[start + 1:end + 1] + "”" + p[end + 1:]

    def headline(self) -> str:
        t = self.phrase(3, 8)
        r = self.rng.random()
        if r < 0.15:
            t = self.phrase(1, 2) + "：" + t
        elif r < 0.25:
            t = t + "，" + self.phrase(2, 4)
        return t

    # ---- sites and furniture -----------------------------------------------------------------
    def host(self, tlds: Sequence[str] = _TLDS) -> str:
        parts = "".join(self.rng.choice(_PINYIN) for _ in range(self.rng.randint(2, 3)))
        sub = self.rng.choice(["www.", "www.", "news.", "bbs.", "m.", ""])
        return sub + parts + self.rng.choice(tlds)

    def url(self, host: str) -> str:
        r = self.rng
        y, m, d = r.randint(2012, 2024), r.randint(1, 12), r.randint(1, 28)
        shapes = [
            f"/news/{y}/{m:02d}{d:02d}/{r.randint(10000, 999999)}.html",
            f"/article/{r.getrandbits(40):x}",
            f"/p/{r.randint(1000, 9999999)}.html",
            f"/forum.php?mod=viewthread&tid={r.randint(1000, 9999999)}",
            f"/{r.choice(['a', 'c', 'content', 'detail', 'info'])}/{y}{m:02d}/{r.randint(100, 99999)}.shtml",
            f"/{r.choice(['zx', 'xw', 'wenhua', 'keji', 'caijing'])}/{r.randint(1, 9999)}/",
        ]
        return f"{r.choice(['http', 'https'])}://{host}{r.choice(shapes)}"

    def zh_head(self, heavy: bool) -> List[Tuple[str, str]]:
        r = self.rng
        out = []
        if heavy or r.random() < 0.5:
            chans = r.sample(_ZH_CHANNELS, r.randint(4, 10))
            sep = r.choice([" | ", " ", "\xa0\xa0", " · ", "  "])
            out.append(("首页" + sep + sep.join(chans), "nav"))
        if heavy:
            for t in r.sample(_ZH_NAV, r.randint(1, 4)):
                out.append((t, "nav"))
            for c in r.sample(_ZH_CHANNELS, r.randint(0, 5)):
                out.append((c, "nav"))
            if r.random() < 0.7:
                out.append(("当前位置：首页 > " + r.choice(_ZH_CHANNELS) + " > 正文", "crumb"))
        return out

    def zh_meta(self) -> Tuple[str, str]:
        r = self.rng
        y, mo, d = r.randint(2012, 2024), r.randint(1, 12), r.randint(1, 28)
        date = f"{y}-{mo:02d}-{d:02d} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}"
        parts = [date, "来源：" + r.choice(_ZH_SOURCES)]
        if r.random() < 0.6:
            parts.append("作者：" + self.name())
        if r.random() < 0.5:
            parts.append(f"浏览次数：{r.randint(10, 99999)}")
        return r.choice(["  ", " ", "\u3000"]).join(parts), "meta"

    def zh_tail(self, heavy: bool, disclaimer: Optional[bool] = None, comments: bool = True) -> List[Tuple[str, str]]:
        r = self.rng
        out = []
        if heavy or r.random() < 0.4:
            out.append(("上一篇：" + self.headline(), "footer"))
            out.append(("下一篇：" + self.headline(), "footer"))
        if heavy:
            out.append((r.choice(_ZH_SIDE_HEAD), "side"))
            for _ in range(r.randint(3, 10)):
                out.append((self.headline(), "side"))
            if comments and r.random() < 0.5:
                out.append(("网友评论", "comment"))
                for _ in range(r.randint(1, 4)):
                    who = r.choice(["热心网友", "匿名用户", "游客", f"user{r.randint(100, 99999)}", self.name()])
                    out.append((who + "：" + self.phrase(2, 8) + r.choice(["！", "。", "？", "", "，" + self.phrase(1, 3)]), "comment"))
        if heavy or r.random() < 0.5:
            out.append((r.choice(["联系我们 | 关于我们 | 网站地图 | 隐私政策 | 法律声明", "关于我们 - 广告服务 - 联系方式 - 招聘信息", "返回顶部"]), "footer"))
            y = r.randint(2015, 2024)
            out.append((f"版权所有 © {r.randint(2000, y - 1)}-{y} {self.phrase(1, 2)}网 All Rights Reserved", "footer"))
            out.append((f"{r.choice(_PROVINCES)}ICP备{r.randint(10000000, 99999999)}号-{r.randint(1, 9)}", "footer"))
            if r.random() < 0.5:
                out.append((f"{r.choice(_PROVINCES)}公网安备 {r.randint(10**13, 10**14 - 1)}号", "footer"))
            if r.random() < 0.4:
                out.append((f"客服热线：400-{r.randint(100, 999)}-{r.randint(1000, 9999)}", "footer"))
        if disclaimer is None:
            disclaimer = heavy and r.random() < 0.3
        if disclaimer:
            out.append(("免责声明：本站部分内容来源于网络，如有侵权请联系删除。", "footer"))
        return out

    def sprinkle(self, line: str, p: float) -> str:
        """Puts a control character at the start, the end, or next to a space of a line."""
        r = self.rng
        if r.random() >= p:
            return line
        c = r.choice(_CTRL_SPRINKLE)
        where = r.random()
        if where < 0.4:
            return c + line
        if where < 0.8:
            return line + c
        return line.replace(" ", " " + c, 1) if " " in line else c + line

    # ---- English and Japanese ----------------------------------------------------------------
    def en_sentence(self) -> str:
        """A sentence of the English vocabulary; after 3000 fresh ones, earlier ones are reused
        (English pages leave at the language gate, before dedup)."""
        if len(self.en_pool) >= 3000:
            return self.en_pool[self.rng.randrange(3000)]
        s = self._en_sentence()
        self.en_pool.append(s)
        return s

    def _en_sentence(self) -> str:
        r = self.rng
        parts = []
        for _ in range(r.randint(1, 3)):
            parts += [r.choice(_EN_FUNC), r.choice(_EN_ADJ), r.choice(_EN_NOUNS), r.choice(_EN_VERBS)]
            parts += [r.choice(_EN_FUNC), r.choice(_EN_NOUNS), r.choice(_EN_PREP), r.choice(_EN_FUNC), r.choice(_EN_NOUNS)]
            if r.random() < 0.3:
                parts[-1] += ","
        s = " ".join(parts).rstrip(",")
        return s[0].upper() + s[1:] + r.choice([".", ".", ".", ".", "!", "?"])

    def en_paragraph(self) -> str:
        return " ".join(self.en_sentence() for _ in range(self.rng.randint(1, 5)))

    def en_title(self) -> str:
        r = self.rng
        return " ".join(w.capitalize() for w in [r.choice(_EN_ADJ), r.choice(_EN_NOUNS), r.choice(_EN_VERBS), r.choice(_EN_NOUNS)])

    def ja_sentence(self) -> str:
        """A Japanese sentence whose Chinese ratio is at most 0.55 (kana dominate); reused after 2000."""
        if len(self.ja_pool) >= 2000:
            return self.ja_pool[self.rng.randrange(2000)]
        s = self._ja_sentence()
        self.ja_pool.append(s)
        return s

    def _ja_sentence(self) -> str:
        r = self.rng
        while True:
            parts = []
            if r.random() < 0.4:
                parts.append(r.choice(_JA_ADV))
            for _ in range(r.randint(1, 2)):
                parts.append(r.choice(_JA_KANJI + _JA_KANA))
                parts.append(r.choice(_JA_PART))
            parts.append(r.choice(_JA_KANJI + _JA_KANA))
            parts.append(r.choice(["を", "が", "に"]))
            parts.append(r.choice(_JA_PRED))
            s = "".join(parts)
            if r.random() < 0.3:
                s = s.replace(parts[1], parts[1] + "、", 1) if len(parts) > 2 else s
            s += "。"
            z, n = _line_counts(s)
            if z <= 0.55 * n:
                return s

    def ja_paragraph(self) -> str:
        return "".join(self.ja_sentence() for _ in range(self.rng.randint(1, 4)))

    def zh_en_line(self) -> str:
        """A Chinese line with English terms and numbers (its fate depends on its ratio)."""
        r = self.rng
        parts = []
        for _ in range(r.randint(2, 5)):
            parts.append(self.phrase(1, 4))
            x = r.random()
            if x < 0.5:
                parts.append(r.choice(["Python", "AI", "iPhone", "GDP", "CEO", "App", "5G", "Wi-Fi", "NBA", "PM2.5", "USB-C"]))
            elif x < 0.8:
                parts.append(f"{r.randint(1, 2024)}" + r.choice(["年", "%", "元", "万", "个", ""]))
            else:
                parts.append(" " + r.choice(_EN_NOUNS) + " " + r.choice(_EN_NOUNS) + " ")
        return "".join(parts) + r.choice(["。", "，" + self.phrase(2, 5) + "。", "！"])

    # ---- pages -------------------------------------------------------------------------------
    def n_paras(self, mu: float = 1.7, sigma: float = 0.7, hi: int = 40) -> int:
        return max(1, min(hi, int(self.rng.lognormvariate(mu, sigma)) + 1))

    def body_zh(self, plants: Sequence[int] = (), ads: bool = False, min_words: int = 60) -> List[Tuple[str, str]]:
        r = self.rng
        title = self.headline()
        if r.random() < 0.4:
            title += r.choice(["_", " - ", "｜", " | "]) + self.phrase(1, 2) + r.choice(["网", "新闻网", "论坛", "频道"])
        body = [(title, "title")]
        if r.random() < 0.8:
            body.append(self.zh_meta())
        lengths = self.para_lengths(self.n_paras())
        while sum(lengths) < min_words:
            lengths.append(self.para_lengths(1)[0])
        indent = r.choice(["", "", "\u3000\u3000", "  ", "\xa0\xa0"])
        for p in self.paragraphs(lengths, plants, indent):
            body.append((p, "zh"))
            if ads and r.random() < 0.15:
                body.append((r.choice(_ZH_ADS), "ad"))
        if r.random() < 0.3:
            body.append((f"（责任编辑：{self.name()}）", "meta"))
        return body

    def page(self, kind: str) -> _Page:
        return getattr(self, "page_" + kind)()

    def page_chinese_article(self) -> _Page:
        r = self.rng
        plants = []
        if r.random() < 0.08:  # one demo-lexicon word in a long article: far below every threshold
            plants = [r.randrange(len(self.lex_words))]
        body = self.body_zh(plants, min_words=400 if plants else 60)
        if r.random() < 0.1:  # personal information inside a paragraph, for the pii stage
            zh = [i for i, (_, tag) in enumerate(body) if tag == "zh"]
            i = max(zh, key=lambda k: len(body[k][0]))
            body[i] = (body[i][0] + self.pii_sentence(), "zh")
        head = self.zh_head(False)
        tail = self.zh_tail(False)
        lang = "zho" if r.random() < 0.9 else "zho,eng"
        return _Page("chinese_article", head, body, tail, lang, self.host())

    def pii_sentence(self) -> str:
        """A sentence with one valid item of personal information (checksums right)."""
        r = self.rng
        digits = lambda n: "".join(r.choice("0123456789") for _ in range(n))  # noqa: E731
        kind = r.choice(["mobile", "email", "id_card", "qq"])
        if kind == "mobile":
            item = "1" + r.choice("3456789") + digits(9)
            return r.choice(["如需了解详情，请拨打", "报名电话", "联系人手机："]) + item + "。"
        if kind == "email":
            user = "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(4, 9))) + digits(2)
            item = f"{user}@{r.choice(['qq.com', '163.com', 'example.cn', 'sina.com.cn'])}"
            return f"来稿请发送至{item}，我们会尽快回复。"
        if kind == "id_card":
            born = datetime(1950, 1, 1) + timedelta(days=r.randrange(20000))
            head = r.choice(["110105", "310104", "440305", "510107"]) + born.strftime("%Y%m%d") + digits(3)
            weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643, ISO 7064 MOD 11-2
            item = head + "10X98765432"[sum(int(c) * w for c, w in zip(head, weights)) % 11]
            return f"失主身份证号为{item}，请拾到者与派出所联系。"
        item = r.choice("123456789") + digits(r.randint(5, 9))
        return f"欢迎加入读者交流，QQ：{item}。"

    def page_chinese_with_boilerplate(self) -> _Page:
        r = self.rng
        plants = [r.randrange(len(self.lex_words))] if r.random() < 0.08 else []
        body = self.body_zh(plants, ads=True, min_words=400 if plants else 60)
        return _Page("chinese_with_boilerplate", self.zh_head(True), body, self.zh_tail(True), "zho", self.host())

    def page_mixed(self) -> _Page:
        r = self.rng
        body = [(self.headline(), "title")]
        lengths = self.para_lengths(max(3, self.n_paras()))
        paras = self.paragraphs(lengths)
        has_ja = False
        for i, p in enumerate(paras):
            body.append((p, "zh"))
            if i == 0:
                continue
            x = r.random()
            if x < 0.25:
                body.append((self.en_paragraph(), "en"))
            elif x < 0.40:
                body.append((self.ja_paragraph(), "ja"))
                has_ja = True
            elif x < 0.65:
                body.append((self.zh_en_line(), "zh_en"))
        lang = "zho,eng,jpn" if has_ja else "zho,eng"
        return _Page("mixed", self.zh_head(False), body, self.zh_tail(False), lang, self.host())

    def page_english(self) -> _Page:
        r = self.rng
        head = [(self.sprinkle(t, 0.05), "nav") for t in r.sample(_EN_NAV, r.randint(1, 4))]
        if r.random() < 0.2:
            head.append((r.choice(["中文", "简体中文", "中文版"]), "nav"))
        body = [(self.en_title(), "title")]
        body += [(self.sprinkle(self.en_paragraph(), 0.05), "en") for _ in range(self.n_paras())]
        tail = [(t, "footer") for t in r.sample(_EN_NAV, r.randint(1, 3))]
        tail.append((f"© {r.randint(2005, 2024)} {r.choice(_EN_NOUNS).capitalize()} Media Group. All rights reserved.", "footer"))
        return _Page("english", head, body, tail, "eng", self.host([".com", ".org", ".net", ".co.uk", ".io"]))

    def page_japanese(self) -> _Page:
        r = self.rng
        head = [(t, "nav") for t in r.sample(_JA_NAV, r.randint(2, 6))]
        body = [(r.choice(_JA_KANJI + _JA_KANA) + "の" + r.choice(_JA_KANJI + _JA_KANA) + "について", "title")]
        body += [(self.ja_paragraph(), "ja") for _ in range(self.n_paras())]
        if r.random() < 0.3:
            body.append((self.en_sentence(), "en"))
        tail = [(t, "footer") for t in r.sample(_JA_NAV, r.randint(1, 3))]
        tail.append((f"© {r.randint(2005, 2024)} 株式会社{r.choice(_JA_KANA)}", "footer"))
        lang = "jpn" if r.random() < 0.85 else "jpn,eng"
        return _Page("japanese", head, body, tail, lang, self.host([".jp", ".co.jp", ".ne.jp", ".com"]))

    def page_spam(self) -> _Page:
        r = self.rng
        body = [(self.headline(), "title")]
        style = r.random()
        if style < 0.4:  # one sentence over and over
            s = self.paragraphs([r.randint(6, 16)])[0]
            body += [(s, "spam")] * r.randint(15, 60)
        elif style < 0.7:  # keyword stuffing
            kws = [self.phrase(1, 2) for _ in range(r.randint(3, 6))]
            for _ in range(r.randint(8, 30)):
                body.append(("，".join(r.choice(kws) for _ in range(r.randint(5, 12))) + "。", "spam"))
        else:  # doorway page: one keyword in short templates
            kw = self.phrase(2, 3)
            for _ in range(r.randint(15, 50)):
                t = r.choice(["{}哪家好？", "{}多少钱？", "专业{}，价格实惠！", "{}电话：{}。", "{}排名，{}推荐。"])
                body.append((t.format(kw, self.phrase(1, 2)), "spam"))
        return _Page("spam", self.zh_head(False), body, self.zh_tail(False), "zho", self.host(), quality="spam")

    def page_short(self) -> _Page:
        r = self.rng
        head = self.zh_head(False) if r.random() < 0.6 else []
        body = [(r.choice(_SHORT_TEXTS), "short")]
        if r.random() < 0.3:
            body.insert(0, (self.phrase(2, 4), "title"))
        tail = [(t, "footer") for t in r.sample(["返回首页", "联系我们", "返回顶部", "网站地图"], r.randint(0, 2))]
        return _Page("short", head, body, tail, "zho", self.host())

    def page_censor_hits(self, max_hits: Dict[str, float]) -> _Page:
        """A page over one category's threshold: many hits, or (short page) a high covered ratio."""
        r = self.rng
        cats = _lexicon_categories()
        cat = r.choice(cats)
        limit = int(max_hits.get(cat, max_hits.get("*", 10)))
        words = self.lex_by_cat[cat]
        if r.random() < 0.7:  # many hits
            k = limit + r.randint(3, 25)
            body = self.body_zh([r.choice(words) for _ in range(k)], min_words=max(60, 4 * k))
            if r.random() < 0.5:
                tags = "、".join(self.lex_words[r.choice(words)] for _ in range(r.randint(3, 8)))
                body.insert(min(2, len(body)), ("热门标签：" + tags, "tags"))
            mode = "hits"
        else:  # a short text mostly made of lexicon words: over max_ratio, at most max_hits hits
            k = max(1, min(limit, r.randint(3, 6)))
            lengths = [r.randint(4, 12)]
            body = [(self.phrase(2, 5), "title")] + [(p, "zh") for p in self.paragraphs(lengths, [r.choice(words) for _ in range(k)])]
            mode = "ratio"
        page = _Page("censor_hits", self.zh_head(False), body, self.zh_tail(False), "zho", self.host())
        page.planted = {"category": cat, "mode": mode}
        return page


# =============================================================================================
# WET writing.


def _b32sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


class _WetFile:
    """One WET file: a warcinfo record, then conversion records; each record one gzip member."""

    def __init__(self, path: Path, name: str, rng: random.Random, gz: bool, when: datetime, info: Dict[str, str]):
        self.path = path
        self.name = name
        self.gz = gz
        self.fh = open(path, "wb")
        self.records = 0
        self.text_bytes = 0
        self.rng = rng
        fields = "".join(f"{k}: {v}\r\n" for k, v in info.items()) + "\r\n"
        payload = fields.encode("utf-8")
        head = [
            ("WARC-Type", "warcinfo"),
            ("WARC-Date", when.strftime("%Y-%m-%dT%H:%M:%SZ")),
            ("WARC-Filename", name),
            ("WARC-Record-ID", self.uuid()),
            ("Content-Type", "application/warc-fields"),
            ("Content-Length", str(len(payload))),
            ("WARC-Block-Digest", _b32sha1(payload)),
        ]
        self._write(head, payload)

    def uuid(self) -> str:
        return f"<urn:uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}>"

    def _write(self, headers: List[Tuple[str, str]], payload: bytes) -> None:
        rec = b"WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers).encode("utf-8") + b"\r\n" + payload + b"\r\n\r\n"
        if self.gz:
            c = zlib.compressobj(6, zlib.DEFLATED, 31)  # a gzip member of its own, mtime 0: same bytes every run
            rec = c.compress(rec) + c.flush()
        self.fh.write(rec)
        self.records += 1

    def conversion(self, url: str, date: datetime, lang: Optional[str], payload: bytes) -> Tuple[int, str]:
        rid = self.uuid()
        digest = _b32sha1(payload)
        head = [
            ("WARC-Type", "conversion"),
            ("WARC-Target-URI", url),
            ("WARC-Date", date.strftime("%Y-%m-%dT%H:%M:%SZ")),
            ("WARC-Record-ID", rid),
            ("WARC-Refers-To", self.uuid()),
            ("WARC-Block-Digest", digest),
        ]
        if lang:
            head.append(("WARC-Identified-Content-Language", lang))
        head += [("Content-Type", "text/plain"), ("Content-Length", str(len(payload))), ("WARC-Payload-Digest", digest)]
        index = self.records
        self._write(head, payload)
        self.text_bytes += len(payload)
        return index, rid

    def close(self) -> int:
        self.fh.close()
        return self.path.stat().st_size


# =============================================================================================
# The driver.


@dataclass
class SynthSummary:
    """What :func:`synthesize` wrote."""

    output_dir: str
    files: List[str]
    documents: int
    text_bytes: int  # uncompressed payload bytes of the conversion records
    file_bytes: int  # bytes on disk of the WET files
    kinds: Dict[str, int]
    removed_by: Dict[str, int]  # expected removals per stage ("kept" for survivors)
    seed: int
    vocabulary: str  # "jieba 0.42.1 dict.txt (120000 words)" or "builtin (...)"
    jieba_version: Optional[str]
    ground_truth: str
    manifest: str
    seconds: float
    warnings: List[str] = field(default_factory=list)

    @property
    def mb_per_second(self) -> float:
        return self.text_bytes / 1e6 / self.seconds if self.seconds > 0 else float("inf")

    def __str__(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items(), key=lambda x: -x[1]))
        fates = ", ".join(f"{k} {v}" for k, v in sorted(self.removed_by.items(), key=lambda x: -x[1]))
        lines = [
            f"corpus-engine synth: {self.documents} documents, {self.text_bytes / 1e6:.1f} MB of text in "
            f"{len(self.files)} WET files ({self.file_bytes / 1e6:.1f} MB on disk) under {self.output_dir}",
            f"  seed {self.seed}; vocabulary: {self.vocabulary}",
            f"  kinds: {kinds}",
            f"  expected fate (removed by stage, or kept): {fates}",
            f"  ground truth: {self.ground_truth}",
            f"  {self.seconds:.1f} s, {self.mb_per_second:.1f} MB/s",
        ]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


@lru_cache(maxsize=1)
def _hasher():
    from .dedup import DEFAULT_NGRAM, MinHasher  # noqa: PLC0415

    return MinHasher(ngram=DEFAULT_NGRAM)


def _jaccard(a: str, b: str) -> float:
    """corpus_engine.dedup.jaccard(a, b) with its default settings, the hasher built once."""
    import numpy as np  # noqa: PLC0415

    return float(_hasher().pair_jaccard([a, b], np.array([[0, 1]]))[0])


def _normalized_equal(a: str, b: str) -> bool:
    na, nb = _hasher().normalize([a, b])
    return na == nb


def synthesize(
    output_dir: Union[str, "os.PathLike[str]"],
    size_bytes: Union[int, str],
    *,
    seed: int = 0,
    files: Optional[int] = None,
    docs_per_file: Optional[int] = None,
    gzip: bool = True,
    vocabulary: Optional[Vocabulary] = None,
) -> SynthSummary:
    """Writes generated Common Crawl WET files and ``_ground_truth.jsonl`` into ``output_dir``.

    size_bytes: uncompressed text (payload bytes of the conversion records) to write at least, an
    int or a string such as ``"100MB"`` (:func:`parse_size`). files: number of WET files (default:
    one per 16 MB of text, at least 2); the text is split evenly between them. docs_per_file: each
    file holds exactly this many documents; with ``files`` too, exactly ``files * docs_per_file``
    documents are written and ``size_bytes`` is ignored. gzip: ``.warc.wet.gz`` with one gzip
    member per record (else plain ``.warc.wet``). vocabulary: the Chinese words to use (default:
    :func:`load_vocabulary`).

    The expectations of the ground truth follow the default recipe (lang_gate, zh_extract in
    paper mode, clean, censor with the demo lexicon and ``corpus_engine.censor`` default
    thresholds, length >= 20 characters, dedup at Jaccard 0.8); ``_synth_manifest.json`` records
    them. Same arguments, same numpy major version and same jieba dictionary: same bytes.
    """
    t0 = time.perf_counter()
    size = parse_size(size_bytes)
    if files is not None and (isinstance(files, bool) or int(files) < 1):
        raise ValueError(f"files must be a positive int, got {files!r}")
    if docs_per_file is not None and (isinstance(docs_per_file, bool) or int(docs_per_file) < 1):
        raise ValueError(f"docs_per_file must be a positive int, got {docs_per_file!r}")
    if not 0 <= int(seed) < 2**63:
        raise ValueError(f"seed must be in [0, 2**63), got {seed!r}")
    seed = int(seed)
    if files is None and docs_per_file is None:
        files = max(2, math.ceil(size / DEFAULT_FILE_TEXT_BYTES))
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)

    from . import __version__  # noqa: PLC0415
    from .censor import DEFAULT_MAX_HITS, DEFAULT_MAX_RATIO  # noqa: PLC0415
    from .dedup import DEFAULT_NGRAM, DEFAULT_THRESHOLD  # noqa: PLC0415

    notes: List[str] = []
    vocab = vocabulary or load_vocabulary()
    if vocab.source == "builtin":
        msg = ("jieba is not installed: Chinese text comes from a built-in list of about 400 words "
               "(pip install jieba for a realistic vocabulary of 120,000 words with their frequencies)")
        warnings.warn(msg, RuntimeWarning, stacklevel=2)
        notes.append(msg)
    max_hits = dict(DEFAULT_MAX_HITS)
    max_ratio = dict(DEFAULT_MAX_RATIO)
    gen = _Generator(seed, vocab)
    rng = gen.rng
    kinds = list(KINDS)
    kind_cum = []
    acc = 0.0
    for k in kinds:
        acc += KINDS[k]
        kind_cum.append(acc)

    ext = ".warc.wet.gz" if gzip else ".warc.wet"
    crawl_start = datetime(2024, 5, 17, tzinfo=timezone.utc) + timedelta(days=seed % 97)
    pool: List[dict] = []  # sources for duplicates: documents expected to survive every stage
    pool_cap = 5000
    far_used = set()  # sources that already have a copy below the threshold
    summary_kinds: Counter = Counter()
    fates: Counter = Counter()
    file_names: List[str] = []
    file_bytes = 0
    total_text = 0
    n_docs = 0
    truth_path = out / GROUND_TRUTH
    truth = open(truth_path, "w", encoding="utf-8")
    bad_kind_tries = 0

    def file_quota(i: int) -> Optional[int]:
        if docs_per_file is not None:
            return None
        return max(1, math.ceil(size / files))

    try:
        fi = 0
        while True:
            if files is not None and fi >= files:
                break
            if files is None and total_text >= size and fi > 0:
                break
            name = f"CC-SYNTH-s{seed}-{fi:05d}{ext}"
            info = {
                "Software-Info": f"corpus_engine {__version__} synthetic.py generator {GENERATOR_VERSION}",
                "Extracted-Date": crawl_start.strftime("%a, %d %b %Y %H:%M:%S GMT"),
                "isPartOf": "CC-SYNTH",
                "operator": "corpus_engine synth (generated text, not a crawl)",
                "description": f"generated WET file {fi} of seed {seed}; vocabulary {vocab.source}; "
                               f"ground truth in {GROUND_TRUTH}",
                "publisher": "corpus_engine",
            }
            wet = _WetFile(out / name, name, random.Random(f"{seed}:{fi}"), gzip, crawl_start, info)
            file_names.append(str(out / name))
            quota = file_quota(fi)
            docs_here = 0
            while True:
                if docs_per_file is not None:
                    if docs_here >= docs_per_file:
                        break
                elif wet.text_bytes >= quota:
                    break
                # ---- choose and build a page
                u = rng.random() * acc
                kind = next(k for k, c in zip(kinds, kind_cum) if u < c)
                src = None
                if kind in ("exact_duplicate", "near_duplicate"):
                    if not pool:
                        kind = "chinese_article"
                    else:
                        if rng.random() < 0.5 and len(pool) > 1:
                            src = pool[rng.randrange(max(0, len(pool) - 50), len(pool))]  # recent: same file
                        else:
                            src = pool[rng.randrange(len(pool))]
                doc = None
                row_extra: Dict[str, object] = {}
                if src is not None:
                    page, outcome, kind, row_extra, doc = _copy_page(gen, src, kind, far_used)
                else:
                    page = gen.page_censor_hits(max_hits) if kind == "censor_hits" else gen.page(kind)
                    for part in (page.head, page.body, page.tail):
                        part[:] = [(gen.sprinkle(t, 0.02), tag) for t, tag in part]
                    outcome = expected_outcome([t for t, _ in page.lines()])
                    if kind == "censor_hits" and _censor_verdict(outcome, max_hits, max_ratio) is None:
                        bad_kind_tries += 1  # not expected: recorded as what it is
                        kind = page.kind = "chinese_article"
                lines = page.lines()
                # ---- text and record
                if doc is None:
                    x = rng.random()
                    brk = "\r\n" if x < 0.03 else "\r" if x < 0.035 else "\n"
                    text_lines = [t for t, _ in lines]
                    if rng.random() < 0.01:  # a byte-order mark at the start of the text
                        text_lines[0] = "\ufeff" + text_lines[0]
                        outcome = expected_outcome(text_lines)
                    doc = brk.join(text_lines) + "\n"
                payload = doc.encode("utf-8")
                url = gen.url(page.host)
                date = crawl_start + timedelta(seconds=rng.randrange(14 * 86400))
                index, rid = wet.conversion(url, date, page.lang, payload)
                doc_id = f"{name}:{index}"
                # ---- expectations
                lang_keep = "zho" in page.lang.split(",")
                cens = _censor_verdict(outcome, max_hits, max_ratio)
                clean_chars = len(outcome.cleaned)
                dedup = None
                if row_extra.get("dedup"):
                    dedup = {"reason": row_extra["dedup"], "of": row_extra["duplicate_of"]}
                stages = [
                    ("lang_gate", not lang_keep),
                    ("zh_extract", not outcome.extract_lines),
                    ("noise_lines", set(outcome.extract_lines) <= set(outcome.noise_lines)),
                    ("clean", not outcome.cleaned),
                    ("censor", cens is not None),
                    ("repetition", outcome.repetition is not None),
                    ("length", clean_chars < MIN_CHARS),
                    ("dedup", dedup is not None),
                ]
                removed_by = next((s for s, gone in stages if gone), None)
                if kind == "censor_hits" and removed_by != "censor":
                    kind = "chinese_article"  # removed earlier (cannot happen by construction)
                row = {
                    "id": doc_id,
                    "file": name,
                    "record": index,
                    "url": url,
                    "record_id": rid,
                    "date": date.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "content_language": page.lang,
                    "kind": kind,
                    "duplicate_of": row_extra.get("duplicate_of"),
                    "jaccard": row_extra.get("jaccard"),
                    "raw_identical": row_extra.get("raw_identical"),
                    "bytes": len(payload),
                    "chars": len(doc),
                    "zh_ratio": round(outcome.zh_ratio, 4),
                    "line_kinds": _runs([tag for _, tag in lines]),
                    "line_fates": _fates(len(lines), outcome),
                    "clean_chars": clean_chars,
                    "censor_hits": outcome.hits,
                    "quality": page.quality,
                    "expected": {
                        "lang_gate": lang_keep,
                        "zh_extract": bool(outcome.extract_lines),
                        "noise_lines": not set(outcome.extract_lines) <= set(outcome.noise_lines),
                        "clean": bool(outcome.cleaned),
                        "censor": cens,
                        "repetition": outcome.repetition,
                        "pii": outcome.pii,
                        "length": clean_chars >= MIN_CHARS,
                        "dedup": dedup,
                        "removed_by": removed_by,
                    },
                }
                if page.planted:
                    row["censor_planted"] = page.planted
                truth.write(json.dumps(row, ensure_ascii=False) + "\n")
                summary_kinds[kind] += 1
                fates[removed_by or "kept"] += 1
                n_docs += 1
                docs_here += 1
                total_text += len(payload)
                # ---- sources for later duplicates
                if (src is None and kind in ("chinese_article", "chinese_with_boilerplate", "mixed")
                        and removed_by is None and not outcome.hits and clean_chars >= 100):
                    entry = {"id": doc_id, "page": page, "doc": doc, "cleaned": outcome.cleaned}
                    if len(pool) < pool_cap:
                        pool.append(entry)
                    else:
                        pool[rng.randrange(pool_cap)] = entry
            file_bytes += wet.close()
            fi += 1
    finally:
        truth.close()

    seconds = time.perf_counter() - t0
    vocab_desc = f"{vocab.source} ({len(vocab)} words)" if vocab.source != "builtin" else f"builtin ({len(vocab)} words; jieba not installed)"
    manifest = {
        "generator": f"corpus_engine.synthetic {GENERATOR_VERSION}",
        "corpus_engine": __version__,
        "seed": seed,
        "size_bytes": size,
        "files": [Path(f).name for f in file_names],
        "documents": n_docs,
        "text_bytes": total_text,
        "vocabulary": vocab_desc,
        "jieba_version": vocab.version,
        "vocabulary_sha1": vocab.sha1,
        "id": f"<file name>:<record index>, the warcinfo record being record 0 (first document: {FIRST_DOCUMENT_RECORD})",
        "kinds": dict(summary_kinds),
        "removed_by": dict(fates),
        "expectations": {
            "stage_order": ["lang_gate", "zh_extract", "clean", "censor", "length", "dedup"],
            "lang_gate": "WARC-Identified-Content-Language lists zho",
            "zh_extract": {"mode": "paper", "bands": [list(b) for b in _regexes()[6]]},
            "clean": "strip_control, trim_content (default sets)",
            "censor": {"lexicon": "demo (corpus_engine/data/demo_lexicon.txt)",
                       "lexicon_sha1": hashlib.sha1(DEMO_LEXICON.read_bytes()).hexdigest(),
                       "max_hits": max_hits, "max_ratio": max_ratio},
            "length": {"min_chars": MIN_CHARS},
            "dedup": {"threshold": DEFAULT_THRESHOLD, "ngram": DEFAULT_NGRAM, "on": "cleaned text",
                      "keeps": "the source (written first)"},
        },
        "seconds": round(seconds, 3),
        "warnings": notes,
    }
    if bad_kind_tries:
        notes.append(f"{bad_kind_tries} censor pages fell below the thresholds and were recorded as articles")
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return SynthSummary(
        output_dir=str(out),
        files=file_names,
        documents=n_docs,
        text_bytes=total_text,
        file_bytes=file_bytes,
        kinds=dict(summary_kinds),
        removed_by=dict(fates),
        seed=seed,
        vocabulary=vocab_desc,
        jieba_version=vocab.version,
        ground_truth=str(truth_path),
        manifest=str(out / MANIFEST),
        seconds=seconds,
        warnings=notes,
    )


def _runs(tags: List[str]) -> List[List[object]]:
    """Run-length form of the line tags: [["nav", 3], ["title", 1], ["zh", 5], ...]."""
    out: List[List[object]] = []
    for t in tags:
        if out and out[-1][0] == t:
            out[-1][1] += 1
        else:
            out.append([t, 1])
    return out


def _fates(n: int, o: Outcome) -> str:
    """One character per line: "-" dropped by zh_extract, "e" kept by zh_extract but dropped by
    clean, "n" dropped by noise_lines, "c" kept by clean (the line is in the cleaned text)."""
    f = ["-"] * n
    for i in o.extract_lines:
        f[i] = "e"
    for i in o.noise_lines:
        f[i] = "n"
    for i in o.clean_lines:
        f[i] = "c"
    return "".join(f)


def line_kinds(row: Dict[str, object]) -> List[str]:
    """The tag of every line of a ground-truth row (expands ``row["line_kinds"]``)."""
    return [tag for tag, count in row["line_kinds"] for _ in range(count)]


def _edit(gen: _Generator, text: str, k: int) -> str:
    """``k`` random character edits (70 % substitutions, 15 % deletions, 15 % insertions) at CJK
    ideographs of ``text``."""
    r = gen.rng
    chars = list(text)
    pos = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
    if not pos:
        return text
    for _ in range(k):
        i = r.choice(pos)
        x = r.random()
        if x < 0.7:
            chars[i] = gen.char()
        elif x < 0.85:
            chars[i] = ""
        else:
            chars[i] = chars[i] + gen.char()
    return "".join(chars)


def _copy_page(gen: _Generator, src: dict, kind: str, far_used: set):
    """A copy of a pool page: exact (the same text, or the same content on another site) or edited.
    Returns (page, outcome, kind, ground-truth fields, payload text or None)."""
    from .dedup import DEFAULT_THRESHOLD  # noqa: PLC0415

    r = gen.rng
    sp: _Page = src["page"]
    extra: Dict[str, object] = {"duplicate_of": src["id"]}
    heavy = sp.kind == "chinese_with_boilerplate"

    def other_site():
        head = [(t, tag) for t, tag in gen.zh_head(heavy) if tag != "crumb"]
        return head, gen.zh_tail(heavy, disclaimer=False, comments=False), gen.host()

    def raw_copy():
        page = _Page("exact_duplicate", sp.head, sp.body, sp.tail, sp.lang, gen.host() if r.random() < 0.7 else sp.host)
        outcome = expected_outcome(_split_lines(src["doc"]))
        extra.update(raw_identical=True, jaccard=1.0, dedup="exact")
        return page, outcome, "exact_duplicate", extra, src["doc"]

    if kind == "exact_duplicate":
        if r.random() < 0.5:
            return raw_copy()
        for _ in range(4):  # the same content on another site: other furniture, the same cleaned text
            head, tail, host = other_site()
            page = _Page("exact_duplicate", head, sp.body, tail, sp.lang, host)
            outcome = expected_outcome([t for t, _ in page.lines()])
            if outcome.cleaned == src["cleaned"]:
                extra.update(raw_identical=False, jaccard=1.0, dedup="exact")
                return page, outcome, "exact_duplicate", extra, None
        return raw_copy()
    # near duplicate: a few characters changed in the paragraphs, maybe on another site. The copy
    # is kept out of the band where LSH may miss a pair (0.8 <= J < 0.85) and of the band where two
    # copies of one source could join each other's cluster (J > 0.72 below the threshold).
    far = src["id"] not in far_used and r.random() < 0.25
    target = r.uniform(0.45, 0.7) if far else r.uniform(0.86, 0.97)
    zh_idx = [i for i, (_, tag) in enumerate(sp.body) if tag == "zh"]
    size = sum(len(sp.body[i][0]) for i in zh_idx)
    k = max(1, round(size * (1 - target) / (5 * (1 + target))))
    if r.random() < 0.5:
        head, tail, host = sp.head, sp.tail, sp.host
    else:
        head, tail, host = other_site()
    for _attempt in range(6):
        body = list(sp.body)
        per = Counter(r.choices(zh_idx, weights=[len(sp.body[i][0]) for i in zh_idx], k=k))
        for i in sorted(per):
            body[i] = (_edit(gen, body[i][0], per[i]), "zh")
        page = _Page("near_duplicate", head, body, tail, sp.lang, host)
        outcome = expected_outcome([t for t, _ in page.lines()])
        if outcome.cleaned == src["cleaned"] or _normalized_equal(outcome.cleaned, src["cleaned"]):
            j = 1.0
        else:
            j = _jaccard(src["cleaned"], outcome.cleaned)
        if far and j > 0.72:
            k = max(k + 1, round(k * 1.5))
        elif not far and j < 0.85 and k > 1:
            k = max(1, (k * 2) // 3)
        else:
            break
    if j == 1.0:
        extra.update(raw_identical=False, jaccard=1.0, dedup="exact")
        return page, outcome, "exact_duplicate", extra, None
    extra.update(raw_identical=False, jaccard=round(j, 6))
    if j >= DEFAULT_THRESHOLD:
        extra["dedup"] = "near"
        return page, outcome, "near_duplicate", extra, None
    far_used.add(src["id"])
    return page, outcome, "edited_copy", extra, None


_LINE_BREAK = re.compile("\r\n|\r|\n")


def _split_lines(doc: str) -> List[str]:
    """The lines of a text as the kernels split it (\\n, \\r\\n, \\r), without the final newline."""
    lines = _LINE_BREAK.split(doc)
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()
    return lines
