"""Planted near-duplicates on real text: how well :func:`corpus_engine.dedup.near_duplicates` finds them.

The generator takes real documents, makes copies of some of them with controlled edits and
measures the exact ("true") Jaccard similarity of every (original, copy) pair; the evaluator runs
``near_duplicates`` on originals + copies and reports recall and precision per true-Jaccard bucket.

Edits (``kind`` of a copy):

- ``replace`` / ``insert`` / ``delete``: characters replaced, inserted or deleted at random
  positions; new characters are drawn from the document's own characters (no foreign alphabet);
- ``shuffle``: the document's lines (or, for a one-line document, its sentences) moved: a chosen
  set of them rotates by a random number of places;
- ``boilerplate``: head and tail lines added (navigation, by-lines, "related reading",
  copyright, ICP number, ...), generated here from a small built-in vocabulary and random
  names, dates and numbers, never copied from data;
- ``mixed``: two or three of the above at once.

A shuffle alone changes only the shingles across the moved boundaries, so it rarely gets below
J = 0.75 whatever its target; the other kinds reach the whole range.

Each copy gets a target Jaccard drawn (stratified) from ``[j_min, j_max]`` (default 0.3..1.0); the
edit strength is then searched (a few rounds of regula falsi, all copies at once) until the
measured Jaccard is close to the target. The measured value, not the target, is the truth: it is
the exact Jaccard of the two shingle sets computed by the native kernel behind
:func:`corpus_engine.dedup.jaccard` (same normalisation and shingles as ``near_duplicates``).
Every value lies in ``[j_min, j_max]``. Everything is deterministic given ``seed``.

Scoring (``evaluate``), with the originals placed first and ``keep="first"``:

- a pair (original ``o``, copy ``c``) is **detected** when ``c`` is removed and ``kept_as[c]`` is
  the document kept in ``o``'s cluster (``kept_as[o]``);
- ground truth: the pair is a duplicate when its true Jaccard is ``>= threshold``;
- recall = detected duplicates / duplicates (per bucket and overall);
- false removals: detected pairs below the threshold (possible only through transitive
  clusters), copies removed into another original's cluster, and originals removed although
  their true Jaccard with the document kept in their place is below the threshold. Originals
  removed with a Jaccard ``>= threshold`` to the kept document are near-duplicates already present
  in the real data: they are reported, and counted neither as right nor as wrong;
- precision = detected duplicates / (detected duplicates + false removals).

>>> from corpus_engine.dedup_eval import plant_duplicates, evaluate
>>> docs = ["南开大学位于天津市，是一所综合性研究型大学，创建于一九一九年。" * 3,
...         "长江是亚洲第一长河，全长六千三百多公里，流经青海、西藏、四川等地。" * 3]
>>> planted = plant_duplicates(docs, copies=3, seed=1)
>>> len(planted.docs), bool(planted.jaccard.min() >= 0.3)
(8, True)
>>> result = evaluate(planted)
>>> print(result.table())  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import dedup

__all__ = [
    "KINDS",
    "DEFAULT_EDGES",
    "DEFAULT_SOURCES",
    "DataNotFound",
    "default_data_dirs",
    "load_default_corpus",
    "load_documents",
    "select_originals",
    "boilerplate_lines",
    "PlantedSet",
    "plant_duplicates",
    "EvalResult",
    "evaluate",
    "CompareResult",
    "compare_methods",
]

KINDS = ("replace", "insert", "delete", "shuffle", "boilerplate", "mixed")
_COMPONENTS = ("replace", "insert", "delete", "shuffle", "boilerplate")
DEFAULT_EDGES = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)
DEFAULT_SOURCES = (
    "clean_zh/tencentpretrain/zhwiki_sampled.txt",
    "clean_zh/tencentpretrain/CLUECorpusSmall_sampled.txt",
)
DATA_ENV = "CORPUS_ENGINE_DATA"
_REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- loading


class DataNotFound(FileNotFoundError):
    """The default real data is not where it was looked for (the message says where)."""


def default_data_dirs() -> List[Path]:
    """Where the shared data is looked for: ``$CORPUS_ENGINE_DATA``, else ``<repo>/../shared/data``
    and ``./../shared/data`` (each once)."""
    env = os.environ.get(DATA_ENV)
    if env:
        return [Path(env)]
    out: List[Path] = []
    for p in (_REPO.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"):
        p = p.resolve()
        if p not in out:
            out.append(p)
    return out


def load_default_corpus(data_dir: Optional[os.PathLike] = None) -> Tuple[List[str], List[str]]:
    """The real Chinese documents of ``clean_zh/tencentpretrain`` (one per line).

    Returns (documents, the files read). Raises :class:`DataNotFound` naming every place looked at.
    """
    dirs = [Path(data_dir)] if data_dir is not None else default_data_dirs()
    tried = []
    for d in dirs:
        paths = [d / rel for rel in DEFAULT_SOURCES]
        if all(p.is_file() for p in paths):
            docs: List[str] = []
            for p in paths:
                docs += load_documents(p)
            return docs, [str(p) for p in paths]
        tried += [str(p) for p in paths if not p.is_file()]
    raise DataNotFound(
        "real documents not found; looked for " + ", ".join(tried)
        + f". Pass a file of your own with --input FILE (one document per line, or JSONL with a "
        f"'text' field), or point ${DATA_ENV} at the shared data folder."
    )


def load_documents(path: os.PathLike, field: str = "text") -> List[str]:
    """Documents of a file: JSON Lines (``.jsonl``/``.ndjson``/``.json`` or a first line starting
    with ``{``; the string ``field`` of each object, or a bare JSON string per line) or plain
    text (one document per non-blank line). Blank lines are skipped."""
    path = Path(path)
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        lines = [ln.rstrip("\r\n") for ln in fh]
    first = next((ln.lstrip("\ufeff").lstrip() for ln in lines if ln.strip()), "")
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson", ".json") or first.startswith("{")
    docs: List[str] = []
    for no, ln in enumerate(lines, 1):
        if not ln.strip():
            continue
        if not jsonl:
            docs.append(ln)
            continue
        try:
            obj = json.loads(ln.lstrip("\ufeff"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{no}: not a JSON line ({exc.msg}); expected one JSON object per line") from None
        if isinstance(obj, str):
            value = obj
        elif isinstance(obj, dict):
            value = obj.get(field)
            if not isinstance(value, str):
                raise ValueError(f"{path}:{no}: no string field {field!r} (fields: {', '.join(map(str, obj))})")
        else:
            raise ValueError(f"{path}:{no}: expected a JSON object or string, got {type(obj).__name__}")
        if value.strip():
            docs.append(value)
    return docs


def select_originals(
    docs: Sequence[str], n: int, min_chars: int = 100, seed: int = 0, ngram: int = dedup.DEFAULT_NGRAM
) -> List[int]:
    """Indices (increasing) of ``n`` documents with at least ``min_chars`` normalised characters,
    sampled with ``seed``; of documents with identical normalised text only the first is eligible.
    Fewer than ``n`` when fewer are eligible."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    norm = dedup.MinHasher(ngram=ngram).normalize(list(docs))
    seen = set()
    eligible = []
    for i, t in enumerate(norm):
        if len(t) >= min_chars and t not in seen:
            seen.add(t)
            eligible.append(i)
    rng = random.Random(f"corpus_engine.dedup_eval:select:{seed}")
    return sorted(rng.sample(eligible, min(n, len(eligible))))


# --------------------------------------------------------------------------- boilerplate

# A small vocabulary of our own; the lines below string it together with random names, dates
# and numbers, so that two pages' boilerplate share little beyond a few fixed labels.
_VOCAB = (
    "今日 最新 热点 关注 独家 深度 观察 解读 发布 推出 全面 启动 重磅 官方 回应 曝光 揭秘 盘点 一文 读懂 "
    "十大 年度 城市 乡村 科技 财经 体育 娱乐 教育 健康 汽车 房产 旅游 美食 文化 历史 军事 国际 社会 法治 "
    "市场 价格 政策 数据 报告 调查 专家 提醒 注意 建议 如何 为什么 怎样 可以 不能 已经 正在 即将 首次 再次 "
    "手机 电脑 网络 平台 用户 企业 公司 工厂 学校 医院 银行 股市 基金 楼市 油价 天气 高温 暴雨 降温 假期 "
    "春节 国庆 夏天 冬季 学生 家长 老师 医生 司机 游客 网友 居民 农民 工人 球队 比赛 冠军 决赛 新品 升级"
).split()
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞宇辉"
_SITE_SUFFIX = ("网", "在线", "资讯网", "新闻网", "门户", "频道", "论坛", "日报")
_PROVINCES = "京沪津渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤琼川贵云陕甘青蒙桂藏宁新"
_CATEGORIES = ("新闻", "资讯", "财经", "科技", "体育", "娱乐", "教育", "健康", "汽车", "房产", "旅游", "文化")


def _words(rng: random.Random, lo: int, hi: int) -> str:
    return "".join(rng.choice(_VOCAB) for _ in range(rng.randint(lo, hi)))


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))


def _site(rng: random.Random) -> str:
    return _words(rng, 1, 2) + rng.choice(_SITE_SUFFIX)


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2008, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _head_line(rng: random.Random) -> str:
    r = rng.randrange(5)
    if r == 0:
        return f"首页 > {rng.choice(_CATEGORIES)} > {_words(rng, 1, 2)} > 正文"
    if r == 1:
        return (f"来源：{_site(rng)}  作者：{_name(rng)}  发布时间：{_date(rng)} "
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}  浏览：{rng.randint(10, 99999)}次")
    if r == 2:
        return f"{_site(rng)} | {' | '.join(rng.sample(_CATEGORIES, rng.randint(3, 6)))} | 登录 | 注册"
    if r == 3:
        return f"【{_words(rng, 2, 4)}】{_words(rng, 4, 9)}"
    return f"分享到：微信 微博 QQ空间  字号：大 中 小  {_words(rng, 2, 5)}"


def _tail_line(rng: random.Random) -> str:
    r = rng.randrange(7)
    if r == 0:
        return f"相关阅读：{_words(rng, 4, 10)}（{_date(rng)}）"
    if r == 1:
        return f"热门推荐：{_words(rng, 3, 8)}，{_words(rng, 3, 8)}"
    if r == 2:
        return f"标签：{' '.join(_words(rng, 1, 2) for _ in range(rng.randint(3, 6)))}"
    if r == 3:
        return f"（责任编辑：{_name(rng)}  审核：{_name(rng)}）"
    if r == 4:
        y = rng.randint(2005, 2020)
        return (f"版权所有 © {y}-{y + rng.randint(1, 5)} {_site(rng)} 保留所有权利  "
                f"{rng.choice(_PROVINCES)}ICP备{rng.randint(10_000_000, 99_999_999)}号-{rng.randint(1, 9)}")
    if r == 5:
        return f"免责声明：本文{_words(rng, 2, 5)}，仅代表作者观点，与{_site(rng)}无关。{_words(rng, 2, 6)}"
    return f"联系电话：0{rng.randint(10, 999)}-{rng.randint(1_000_000, 99_999_999)}  客服QQ：{rng.randint(10**7, 10**10)}"


def boilerplate_lines(rng: random.Random, min_chars: int, max_lines: int = 2000) -> List[Tuple[bool, str]]:
    """(is_head, line) pairs, alternating head and tail, until ``min_chars`` characters (at most
    ``max_lines`` lines). Generated here, never copied from data."""
    out: List[Tuple[bool, str]] = []
    n = 0
    while n < min_chars and len(out) < max_lines:
        head = len(out) % 2 == 0
        line = _head_line(rng) if head else _tail_line(rng)
        out.append((head, line))
        n += len(line)
    return out


# --------------------------------------------------------------------------- edits

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;…])")


def _units(text: str) -> Tuple[List[str], str]:
    """The movable units of a text: its lines (joined by "\\n") or, for one line, its sentences."""
    if "\n" in text:
        return text.split("\n"), "\n"
    parts = [p for p in _SENTENCE_END.split(text) if p]
    return parts, ""


class _Plan:
    """The random choices of one copy, drawn once; ``apply(s)`` edits with strength s in [0, 1].

    Larger s applies a superset of the edits of a smaller s (same positions, more of them), so
    the Jaccard falls (almost always monotonically) with s and can be searched for.
    """

    def __init__(self, text: str, kind: str, rng: random.Random):
        self.text = text
        self.kind = kind
        if kind == "mixed":
            comps = rng.sample(_COMPONENTS, rng.choice((2, 2, 3)))
            w = [rng.uniform(0.3, 1.0) for _ in comps]
            top = max(w)
            self.weights = {c: x / top for c, x in zip(comps, w)}
        else:
            self.weights = {kind: 1.0}
        L = len(text)
        pool = [ch for ch in text if not ch.isspace()] or list(text) or ["。"]
        if "shuffle" in self.weights:
            self.units, self.sep = _units(text)
            self.unit_order = rng.sample(range(len(self.units)), len(self.units))
            self.unit_shift = rng.randrange(1 << 30)
        if "replace" in self.weights:
            self.rep_pos = rng.sample(range(L), L)
            self.rep_chr = [rng.choice(pool) for _ in range(L)]
        if "delete" in self.weights:
            self.del_pos = rng.sample(range(L), L)
        if "insert" in self.weights:
            self.ins_at = [rng.random() for _ in range(L)]
            self.ins_chr = [rng.choice(pool) for _ in range(L)]
        if "boilerplate" in self.weights:
            self.bp = boilerplate_lines(rng, 3 * max(L, 50))

    def guess(self, target: float, ngram: int) -> float:
        """A first strength for ``target`` from a rough model (edits spread out, shingles distinct)."""
        keep = 2.0 * target / (1.0 + target)  # share of shingles that must survive
        if self.weights.keys() == {"boilerplate"}:
            return min(1.0, (1.0 / max(target, 1e-3) - 1.0) / 3.0)
        if self.weights.keys() == {"shuffle"}:
            return min(1.0, 4.0 * (1.0 - target))
        return min(1.0, 1.0 - keep ** (1.0 / ngram))

    def apply(self, s: float) -> str:
        w = self.weights
        text = self.text
        L = len(text)
        if "shuffle" in w:
            k = int(round(s * w["shuffle"] * len(self.units)))
            if k >= 2:
                chosen = sorted(self.unit_order[:k])
                units = list(self.units)
                moved = [units[i] for i in chosen]
                r = self.unit_shift % (k - 1) + 1  # rotate by 1..k-1 places: every chosen unit moves
                for dst, src in zip(chosen, moved[-r:] + moved[:-r]):
                    units[dst] = src
                text = self.sep.join(units)
        if "replace" in w:
            k = int(round(s * w["replace"] * L))
            if k:
                chars = list(text)
                for p, ch in zip(self.rep_pos[:k], self.rep_chr[:k]):
                    chars[p] = ch
                text = "".join(chars)
        if "delete" in w:
            k = int(round(s * w["delete"] * L))
            if k:
                gone = set(self.del_pos[:k])
                text = "".join(ch for i, ch in enumerate(text) if i not in gone)
        if "insert" in w:
            k = int(round(s * w["insert"] * L))
            if k:
                n = len(text)
                ins = sorted((int(f * (n + 1)), j) for j, f in enumerate(self.ins_at[:k]))
                parts, prev = [], 0
                for at, j in ins:
                    parts.append(text[prev:at])
                    parts.append(self.ins_chr[j])
                    prev = at
                parts.append(text[prev:])
                text = "".join(parts)
        if "boilerplate" in w:
            k = int(round(s * w["boilerplate"] * len(self.bp)))
            if k:
                lines = self.bp[:k]
                head = [ln for is_head, ln in lines if is_head]
                tail = [ln for is_head, ln in lines if not is_head]
                text = "\n".join(head + [text] + tail)
        return text


# --------------------------------------------------------------------------- generator


@dataclass
class PlantedSet:
    """Originals followed by their planted copies, and the truth about every (original, copy) pair.

    docs: the n_originals originals (indices 0..n_originals-1, in input order) then the copies
    (in a shuffled order); per copy (arrays aligned): ``original`` and ``copy`` (indices into
    docs), ``kind`` (edit), ``target`` (aimed Jaccard), ``strength`` (edit strength found) and
    ``jaccard`` (the exact Jaccard of the pair: the truth). ``source_index``: index of each
    original in the list it was drawn from.
    """

    docs: List[str]
    n_originals: int
    original: np.ndarray
    copy: np.ndarray
    kind: List[str]
    target: np.ndarray
    strength: np.ndarray
    jaccard: np.ndarray
    seed: int
    ngram: int
    j_range: Tuple[float, float]
    source_index: Optional[np.ndarray] = None
    sources: List[str] = field(default_factory=list)

    @property
    def n_copies(self) -> int:
        return int(self.copy.size)

    def kind_counts(self) -> Dict[str, int]:
        out = {k: 0 for k in KINDS}
        for k in self.kind:
            out[k] = out.get(k, 0) + 1
        return {k: v for k, v in out.items() if v}

    def summary(self) -> str:
        j = self.jaccard
        kinds = ", ".join(f"{k} {v}" for k, v in self.kind_counts().items()) or "none"
        rng = f"{j.min():.3f}..{j.max():.3f}, median {np.median(j):.3f}" if j.size else "-"
        return (f"{self.n_originals} originals, {self.n_copies} planted copies (seed {self.seed}); "
                f"edits: {kinds}; true Jaccard {rng}")


@lru_cache(maxsize=8)
def _hasher(ngram: int) -> dedup.MinHasher:
    """A MinHasher per n-gram size, for its exact-Jaccard kernel."""
    return dedup.MinHasher(ngram=ngram)


def _pair_jaccard(hasher: dedup.MinHasher, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Exact Jaccard of (a[i], b[i]): the kernel behind corpus_engine.dedup.jaccard, in one call."""
    n = len(a)
    if n == 0:
        return np.zeros(0)
    pairs = np.stack([np.arange(n), np.arange(n, 2 * n)], axis=1)
    return np.asarray(hasher.pair_jaccard(list(a) + list(b), pairs), dtype=np.float64)


def plant_duplicates(
    originals: Sequence[str],
    copies: int = 2,
    seed: int = 0,
    ngram: int = dedup.DEFAULT_NGRAM,
    j_range: Tuple[float, float] = (0.3, 1.0),
    kinds: Sequence[str] = KINDS,
    rounds: int = 8,
    tolerance: float = 0.01,
) -> PlantedSet:
    """Plant ``copies`` edited copies of each original (see the module doc).

    The targets are stratified over ``j_range``; ``kinds`` are assigned round-robin, shuffled.
    ``rounds`` searches of the strength stop early for copies within ``tolerance`` of their target.
    Originals must be non-empty after normalisation.
    """
    j_min, j_max = float(j_range[0]), float(j_range[1])
    if not 0.0 <= j_min <= j_max <= 1.0:
        raise ValueError(f"j_range must satisfy 0 <= lo <= hi <= 1, got {j_range}")
    if copies < 0:
        raise ValueError(f"copies must be >= 0, got {copies}")
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise ValueError(f"kinds must be a non-empty subset of {KINDS}, got {list(kinds)}")
    originals = list(originals)
    n = len(originals)
    hasher = _hasher(int(ngram))
    lengths = [len(t) for t in hasher.normalize(originals)]
    if any(m == 0 for m in lengths):
        raise ValueError("every original must have at least one character left after normalisation")
    m = n * copies
    rng = random.Random(f"corpus_engine.dedup_eval:plant:{seed}")
    targets = [j_min + (j_max - j_min) * (i + rng.random()) / m for i in range(m)] if m else []
    rng.shuffle(targets)
    kind_list = [kinds[i % len(kinds)] for i in range(m)]
    rng.shuffle(kind_list)
    orig_of = [j // copies for j in range(m)] if copies else []
    plans = [
        _Plan(originals[orig_of[j]], kind_list[j], random.Random(f"corpus_engine.dedup_eval:copy:{seed}:{j}"))
        for j in range(m)
    ]
    tgt = np.asarray(targets, dtype=np.float64)
    # The unedited copy (s = 0, J = 1) is always a valid fallback.
    best_s = np.zeros(m)
    best_j = np.ones(m)
    best_text = [originals[orig_of[j]] for j in range(m)]
    lo_s, lo_j = np.zeros(m), np.ones(m)
    hi_s, hi_j = np.full(m, np.nan), np.full(m, np.nan)
    s = np.array([p.guess(t, ngram) for p, t in zip(plans, targets)], dtype=np.float64)
    active = np.abs(best_j - tgt) > tolerance
    for _ in range(rounds):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        texts = [plans[j].apply(float(s[j])) for j in idx]
        jv = _pair_jaccard(hasher, [originals[orig_of[j]] for j in idx], texts)
        for j, txt, val in zip(idx, texts, jv):
            val = float(val)
            if j_min <= val <= j_max and abs(val - tgt[j]) < abs(best_j[j] - tgt[j]):
                best_s[j], best_j[j], best_text[j] = s[j], val, txt
            if val > tgt[j]:
                lo_s[j], lo_j[j] = s[j], val
            else:
                hi_s[j], hi_j[j] = s[j], val
            if abs(best_j[j] - tgt[j]) <= tolerance:
                active[j] = False
                continue
            if np.isnan(hi_s[j]):  # not yet below the target: edit more
                if lo_s[j] >= 1.0:
                    active[j] = False  # the strongest edit of this kind cannot get that low
                    continue
                s[j] = min(1.0, max(2.0 * lo_s[j], lo_s[j] + 0.02))
            else:  # regula falsi inside the bracket, kept off its ends
                a, b = lo_s[j], hi_s[j]
                ja, jb = lo_j[j], hi_j[j]
                x = a + (ja - tgt[j]) * (b - a) / (ja - jb) if ja > jb else 0.5 * (a + b)
                margin = 0.1 * (b - a)
                s[j] = min(max(x, a + margin), b - margin)
                if b - a < 1e-9:
                    active[j] = False
    # Documents: originals first, then the copies in a shuffled order.
    order = list(range(m))
    random.Random(f"corpus_engine.dedup_eval:order:{seed}").shuffle(order)
    docs = originals + [best_text[j] for j in order]
    copy_pos = np.empty(m, dtype=np.int64)
    copy_pos[np.asarray(order, dtype=np.int64)] = n + np.arange(m, dtype=np.int64)
    # Report the copies in document order.
    by_doc = np.argsort(copy_pos, kind="stable")
    return PlantedSet(
        docs=docs,
        n_originals=n,
        original=np.asarray(orig_of, dtype=np.int64)[by_doc],
        copy=copy_pos[by_doc],
        kind=[kind_list[j] for j in by_doc],
        target=tgt[by_doc],
        strength=best_s[by_doc],
        jaccard=best_j[by_doc],
        seed=int(seed),
        ngram=int(ngram),
        j_range=(j_min, j_max),
    )


# --------------------------------------------------------------------------- buckets


def bucket_edges(threshold: Optional[float] = None, edges: Sequence[float] = DEFAULT_EDGES) -> List[float]:
    """The bucket edges, with ``threshold`` added as an edge when it falls inside."""
    e = sorted(set(float(x) for x in edges))
    if threshold is not None and e[0] < threshold < e[-1] and not any(abs(threshold - x) < 1e-9 for x in e):
        e = sorted(e + [float(threshold)])
    return e


def _bucket_labels(edges: Sequence[float]) -> List[str]:
    labels = [f"[{a:.2f}, {b:.2f})" for a, b in zip(edges[:-1], edges[1:])]
    return [f"< {edges[0]:.2f}"] + labels + [f"{edges[-1]:.2f}" if edges[-1] >= 1.0 else f">= {edges[-1]:.2f}"]


def _bucket_of(j: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """0: below the first edge; i: [edges[i-1], edges[i]); len(edges): at or above the last edge
    (J = 1.0 exactly when the last edge is 1.0)."""
    return np.searchsorted(np.asarray(edges, dtype=np.float64), j, side="right")


# --------------------------------------------------------------------------- evaluation


@dataclass
class BucketRow:
    label: str
    lo: float
    hi: float
    pairs: int
    duplicates: int  # true J >= threshold
    detected: int
    true_pos: int  # detected duplicates
    false_pos: int  # detected, true J < threshold
    recall: Optional[float]  # true_pos / duplicates
    p_candidate: float  # mean LSH probability of the pairs (theory)


@dataclass
class EvalResult:
    """Outcome of :func:`evaluate`; ``table()`` prints it."""

    settings: Dict[str, object]
    rows: List[BucketRow]
    pairs: int
    duplicates: int
    true_pos: int
    false_pos_pairs: int
    wrong_cluster: int
    originals: int
    originals_removed: int
    originals_data_dup: int
    originals_false: int
    recall: Optional[float]
    recall_085: Optional[float]
    duplicates_085: int
    detected_085: int
    precision: Optional[float]
    seconds: float
    counts: Dict[str, int]
    candidates: int
    detected: np.ndarray = field(repr=False)  # per planted pair
    removed_originals: List[Tuple[int, int, float]] = field(default_factory=list, repr=False)

    @property
    def false_removals(self) -> int:
        return self.false_pos_pairs + self.wrong_cluster + self.originals_false

    def table(self) -> str:
        th = self.settings["threshold"]
        out = [
            f"| true Jaccard | pairs | duplicates (J >= {th:.2f}) | detected | recall | false detections "
            "| P(candidate) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in self.rows:
            if not r.pairs:
                continue
            rec = "-" if r.recall is None else f"{r.recall:.3f}"
            out.append(f"| {r.label} | {r.pairs} | {r.duplicates} | {r.detected} | {rec} | {r.false_pos} "
                       f"| {r.p_candidate:.3f} |")
        return "\n".join(out)

    def summary(self) -> str:
        th = self.settings["threshold"]

        def frac(a: int, b: int) -> str:
            return f"{a}/{b} = {a / b:.4f}" if b else f"{a}/{b}"

        lines = [
            f"recall (J >= {th:.2f}): {frac(self.true_pos, self.duplicates)}",
            f"recall (J >= 0.85): {frac(self.detected_085, self.duplicates_085)}",
            f"precision: {frac(self.true_pos, self.true_pos + self.false_removals)} "
            f"(false removals: {self.false_pos_pairs} pairs below the threshold, {self.wrong_cluster} copies "
            f"in another cluster, {self.originals_false} originals)",
            f"originals removed: {self.originals_removed} of {self.originals} "
            f"({self.originals_data_dup} near-duplicates already in the real data, J >= {th:.2f} with the "
            f"document kept in their place; {self.originals_false} false)",
        ]
        return "\n".join(lines)

    def header(self) -> str:
        st = self.settings
        c = self.counts
        return (
            f"near_duplicates: threshold {st['threshold']}, num_perm {st['num_perm']}, bands {st['bands']} x rows "
            f"{st['rows']}, ngram {st['ngram']}, method {st['method']}, hash seed {st['seed']}: "
            f"{c['docs']} docs, {self.candidates} candidate pairs, removed {c['exact']} exact + {c['near']} near, "
            f"{self.seconds:.3f} s"
        )


def evaluate(
    planted: PlantedSet,
    threshold: float = dedup.DEFAULT_THRESHOLD,
    num_perm: int = dedup.DEFAULT_NUM_PERM,
    bands: int = dedup.DEFAULT_BANDS,
    rows: int = dedup.DEFAULT_ROWS,
    method: str = "oph",
    seed: int = 0,
    threads: Optional[int] = None,
    edges: Sequence[float] = DEFAULT_EDGES,
) -> EvalResult:
    """Run ``near_duplicates`` (``keep="first"``, exact dedup on) over ``planted.docs`` and score it
    against the planted truth (see the module doc). ``seed`` is the hash seed of near_duplicates."""
    t0 = time.perf_counter()
    res = dedup.near_duplicates(
        planted.docs, threshold, num_perm=num_perm, bands=bands, rows=rows, ngram=planted.ngram, seed=seed,
        method=method, keep="first", threads=threads, return_info=True,
    )
    seconds = time.perf_counter() - t0
    keep, kept_as = res.keep, res.kept_as
    o, c, j = planted.original, planted.copy, planted.jaccard
    removed_c = ~keep[c]
    detected = removed_c & (kept_as[c] == kept_as[o])
    wrong = removed_c & ~detected
    dup = j >= threshold
    # Originals removed: a near-duplicate already in the data, or a false removal?
    n0 = planted.n_originals
    gone = np.flatnonzero(~keep[:n0])
    removed_originals: List[Tuple[int, int, float]] = []
    if gone.size:
        jg = _hasher(planted.ngram).pair_jaccard(
            planted.docs, np.stack([gone, kept_as[gone]], axis=1)
        )
        removed_originals = [(int(a), int(b), float(x)) for a, b, x in zip(gone, kept_as[gone], jg)]
    data_dup = sum(1 for _, _, x in removed_originals if x >= threshold)
    e = bucket_edges(threshold, edges)
    labels = _bucket_labels(e)
    b = _bucket_of(j, e)
    p = dedup.lsh_probability(j, bands, rows)
    rows_out: List[BucketRow] = []
    for k, label in enumerate(labels):
        sel = b == k
        lo = e[k - 1] if k > 0 else 0.0
        hi = e[k] if k < len(e) else 1.0
        nd = int((sel & dup).sum())
        tp = int((sel & dup & detected).sum())
        rows_out.append(BucketRow(
            label=label, lo=lo, hi=hi, pairs=int(sel.sum()), duplicates=nd, detected=int((sel & detected).sum()),
            true_pos=tp, false_pos=int((sel & ~dup & detected).sum()), recall=(tp / nd) if nd else None,
            p_candidate=float(p[sel].mean()) if sel.any() else 0.0,
        ))
    tp = int((dup & detected).sum())
    nd = int(dup.sum())
    fp = int((~dup & detected).sum())
    d85 = j >= 0.85
    orig_false = len(removed_originals) - data_dup
    denom = tp + fp + int(wrong.sum()) + orig_false
    return EvalResult(
        settings=dict(threshold=float(threshold), num_perm=int(num_perm), bands=int(bands), rows=int(rows),
                      ngram=planted.ngram, method=method, seed=int(seed)),
        rows=rows_out,
        pairs=int(j.size),
        duplicates=nd,
        true_pos=tp,
        false_pos_pairs=fp,
        wrong_cluster=int(wrong.sum()),
        originals=n0,
        originals_removed=len(removed_originals),
        originals_data_dup=data_dup,
        originals_false=orig_false,
        recall=(tp / nd) if nd else None,
        recall_085=(int((d85 & detected).sum()) / int(d85.sum())) if d85.any() else None,
        duplicates_085=int(d85.sum()),
        detected_085=int((d85 & detected).sum()),
        precision=(tp / denom) if denom else None,
        seconds=seconds,
        counts=res.counts,
        candidates=int(res.pairs.shape[0]),
        detected=detected,
        removed_originals=removed_originals,
    )


# --------------------------------------------------------------------------- estimator comparison


@dataclass
class CompareRow:
    label: str
    pairs: int
    stats: Dict[str, Tuple[float, float, float]]  # method -> (MAE, RMSE, bias)
    binomial_rmse: float  # sqrt(mean J(1-J)/num_perm): RMSE of num_perm independent samples


@dataclass
class CompareResult:
    """Jaccard estimates from signatures (share of equal positions) against the true Jaccard."""

    num_perm: int
    seeds: Tuple[int, ...]
    methods: Tuple[str, ...]
    rows: List[CompareRow]
    overall: CompareRow
    estimates: Dict[str, np.ndarray] = field(repr=False)  # method -> (len(seeds), pairs)

    def table(self) -> str:
        head = "| true Jaccard | pairs x seeds |"
        rule = "|---|---:|"
        for m in self.methods:
            head += f" {m} MAE | {m} RMSE | {m} bias |"
            rule += "---:|---:|---:|"
        head += f" binomial RMSE (k={self.num_perm}) |"
        rule += "---:|"
        out = [head, rule]
        for r in self.rows + [self.overall]:
            if not r.pairs:
                continue
            line = f"| {r.label} | {r.pairs} |"
            for m in self.methods:
                mae, rmse, bias = r.stats[m]
                line += f" {mae:.4f} | {rmse:.4f} | {bias:+.4f} |"
            line += f" {r.binomial_rmse:.4f} |"
            out.append(line)
        return "\n".join(out)


def compare_methods(
    planted: PlantedSet,
    num_perm: int = dedup.DEFAULT_NUM_PERM,
    seeds: Sequence[int] = (0, 1, 2, 3),
    methods: Sequence[str] = ("oph", "classic"),
    threads: Optional[int] = None,
    edges: Sequence[float] = DEFAULT_EDGES,
) -> CompareResult:
    """Mean absolute error, RMSE and bias of the signature estimate of the Jaccard (share of
    equal positions) for each method, per true-Jaccard bucket, over the planted pairs and every
    hash seed in ``seeds``."""
    o, c, j = planted.original, planted.copy, planted.jaccard
    est: Dict[str, np.ndarray] = {}
    for m in methods:
        per_seed = []
        for sd in seeds:
            h = dedup.MinHasher(num_perm=num_perm, ngram=planted.ngram, seed=int(sd), method=m)
            sig = h.signatures(planted.docs, threads=threads)
            per_seed.append((sig[o] == sig[c]).mean(axis=1))
        est[m] = np.asarray(per_seed)
    e = list(edges)
    labels = _bucket_labels(e)
    b = _bucket_of(j, e)

    def row(label: str, sel: np.ndarray) -> CompareRow:
        stats = {}
        for m in methods:
            err = est[m][:, sel] - j[sel][None, :]
            if err.size:
                stats[m] = (float(np.abs(err).mean()), float(np.sqrt((err ** 2).mean())), float(err.mean()))
            else:
                stats[m] = (math.nan, math.nan, math.nan)
        jj = j[sel]
        binom = float(np.sqrt((jj * (1 - jj)).mean() / num_perm)) if jj.size else math.nan
        return CompareRow(label, int(sel.sum()) * len(seeds), stats, binom)

    rows = [row(label, b == k) for k, label in enumerate(labels)]
    return CompareResult(int(num_perm), tuple(int(s) for s in seeds), tuple(methods), rows,
                         row("all", np.ones(j.size, dtype=bool)), est)
