"""Dedup across a whole corpus, out of core.

Each shard is added once: its text, ids, lengths, exact keys and its LSH band
keys as band-major sorted (key, id) runs go to a work folder. ``run()`` then
merges the runs of each band from all shards (k-way, streaming from memory-mapped
files), verifies the candidate pairs by exact Jaccard in chunks (reading only the
documents involved), and joins the verified pairs with union-find. Memory holds a
few fixed-size numbers per document (ids, ranks, lengths, union-find), never a
dictionary of band keys; the band keys stay on disk.

Results depend only on the documents and their ids, not on the order in which
shards were added: ``keep="first"`` keeps the smallest id of a cluster.

>>> import tempfile
>>> from corpus_engine.dedup_global import GlobalDeduplicator
>>> a = ("南开大学位于天津市，是一所综合性研究型大学，创建于一九一九年，校训是允公允能日新月异。"
...      "学校有多个校区，开设文学、理学、工学、经济学、管理学等学科门类，培养了大批人才。")
>>> with tempfile.TemporaryDirectory() as d:
...     g = GlobalDeduplicator(d)
...     _ = g.add_shard("s0", [a, "另一篇完全不同的文章讲述了别的事情。"], ids=[10, 11])
...     _ = g.add_shard("s1", [a.replace("天津市", "天津"), "第三篇文章。"], ids=[20, 21])
...     r = g.run()
...     r.counts, g.keep_mask("s1").tolist()
({'docs': 4, 'kept': 3, 'exact': 0, 'near': 1}, [False, True])
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

import numpy as np

from . import _native
from .batch import TextBatch
from .dedup import near_duplicates
from .dedup import (
    DEFAULT_BANDS,
    DEFAULT_NGRAM,
    DEFAULT_NUM_PERM,
    DEFAULT_ROWS,
    DEFAULT_THRESHOLD,
    EXACT,
    KEPT,
    NEAR,
    MinHasher,
    _check_lsh,
    _POLICIES,
    _threads,
    exact_pairs,
)

_DONE = "DONE"


def _take(batch: TextBatch, idx: np.ndarray) -> TextBatch:
    """The documents idx of a batch, as a new batch."""
    data, offsets = _native.gather_docs([(batch.data, batch.offsets)], np.zeros(idx.size, np.int64), idx)
    return TextBatch(data, offsets)


@dataclass
class GlobalResult:
    """ids: every document id, sorted; keep / reason / kept_as aligned with them
    (kept_as: the id of the document kept in its place). stats: counts and timings."""

    ids: np.ndarray
    keep: np.ndarray
    reason: np.ndarray
    kept_as: np.ndarray
    stats: dict

    @property
    def counts(self) -> dict:
        return {
            "docs": int(self.ids.size),
            "kept": int(self.keep.sum()),
            "exact": int((self.reason == EXACT).sum()),
            "near": int((self.reason == NEAR).sum()),
        }

    @property
    def drop_ids(self) -> np.ndarray:
        return self.ids[~self.keep]


class GlobalDeduplicator:
    """Exact and near-duplicate removal across shards, with bounded memory.

    Same semantics as :func:`corpus_engine.dedup.near_duplicates` over the union
    of all shards, with document order replaced by id order. A shard added
    before (its folder complete) is skipped, so a killed run resumes.
    """

    def __init__(
        self,
        workdir: Union[str, os.PathLike],
        *,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
        bands: int = DEFAULT_BANDS,
        rows: int = DEFAULT_ROWS,
        ngram: int = DEFAULT_NGRAM,
        seed: int = 0,
        method: str = "oph",
        keep: str = "first",
        exact: bool = True,
        threads: Optional[int] = None,
        verify_bytes: int = 64 << 20,
    ):
        self.hasher = MinHasher(num_perm=num_perm, ngram=ngram, seed=seed, method=method)
        _check_lsh(num_perm, bands, rows, threshold)
        if keep not in _POLICIES:
            raise ValueError(f"keep must be one of {sorted(_POLICIES)}, got {keep!r}")
        self.threshold, self.bands, self.rows, self.keep, self.exact = threshold, bands, rows, keep, exact
        self.threads = threads
        # Text read per verification chunk: bounds the memory of the check (text and
        # shingle sets of the chunk's documents), whatever the corpus size.
        self.verify_bytes = max(int(verify_bytes), 1)
        self.workdir = Path(workdir)
        (self.workdir / "shards").mkdir(parents=True, exist_ok=True)
        config = {
            "threshold": threshold,
            "num_perm": num_perm,
            "bands": bands,
            "rows": rows,
            "ngram": ngram,
            "seed": seed,
            "method": method,
            "keep": keep,
            "exact": exact,
        }
        cfg = self.workdir / "config.json"
        if cfg.exists():
            old = json.loads(cfg.read_text())
            if old != config:
                raise ValueError(f"{self.workdir} holds shards made with other settings: {old} != {config}")
        else:
            cfg.write_text(json.dumps(config, indent=2))

    # -- shards ---------------------------------------------------------------

    def _shard_dir(self, name: str) -> Path:
        if not name or "/" in name or name.startswith("."):
            raise ValueError(f"invalid shard name {name!r}")
        return self.workdir / "shards" / name

    def has_shard(self, name: str) -> bool:
        return (self._shard_dir(name) / _DONE).exists()

    def shards(self) -> List[str]:
        return sorted(p.name for p in (self.workdir / "shards").iterdir() if (p / _DONE).exists())

    def add_shard(
        self,
        name: str,
        docs: Union[Sequence[str], TextBatch],
        ids: Sequence[int],
        scores: Optional[Sequence[float]] = None,
        overwrite: bool = False,
        local: bool = False,
        signatures: Optional[np.ndarray] = None,
        lengths: Optional[np.ndarray] = None,
        exact_keys: Optional[np.ndarray] = None,
    ) -> bool:
        """Store a shard's documents and band-key runs; False if it was there already.

        ``local=True`` first removes the shard's own duplicates in memory
        (:func:`corpus_engine.dedup.near_duplicates` with the same settings, in id
        order) and stores only the survivors: the NKCorpus order, local then global.

        ``signatures`` and ``lengths`` (and ``exact_keys``), one row per document, skip
        computing them again when the caller has them from this deduplicator's
        ``hasher`` (same settings), e.g. from ``near_duplicates(..., return_info=True)``.
        """
        final = self._shard_dir(name)
        if final.exists() and (final / _DONE).exists() and not overwrite:
            return False
        batch = docs if isinstance(docs, TextBatch) else TextBatch.from_strings(list(docs))
        n = len(batch)
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if ids.shape != (n,):
            raise ValueError(f"ids must have one entry per document ({n}), got shape {ids.shape}")
        if np.unique(ids).size != n:
            raise ValueError(f"shard {name!r} has repeated ids")
        if self.keep == "score":
            if scores is None:
                raise ValueError("keep='score' needs scores for every shard")
            scores = np.ascontiguousarray(scores, dtype=np.float64)
            if scores.shape != (n,):
                raise ValueError(f"scores must have one value per document ({n})")
        given = self._given(n, signatures, lengths, exact_keys)
        all_ids, local_keep = ids, np.ones(n, dtype=bool)
        if local and n:
            order = np.argsort(ids, kind="stable")  # id order, as the global step uses
            local_keep[order] = near_duplicates(
                _take(batch, order),
                self.threshold,
                hasher=self.hasher,
                bands=self.bands,
                rows=self.rows,
                keep=self.keep,
                scores=None if scores is None else scores[order],
                exact=self.exact,
                threads=self.threads,
            )
            keep_idx = np.flatnonzero(local_keep)
            batch, ids = _take(batch, keep_idx), ids[keep_idx]
            scores = None if scores is None else scores[keep_idx]
            given = None if given is None else tuple(None if a is None else a[keep_idx] for a in given)
        th = _threads(self.threads)
        if given is not None:
            sig, lengths, exact_keys = given
        else:
            (sig, lengths), exact_keys = self.hasher.signatures_and_lengths(batch, self.threads), None
        keys = _native.dedup_band_keys(sig, self.bands, self.rows, th)
        runs = _native.dedup_band_runs(keys, ids, (lengths > 0).view(np.uint8), th)
        tmp = final.with_name(final.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        batch.data[batch.offsets[0] : batch.offsets[-1]].tofile(tmp / "text.bin")  # raw UTF-8, read with pread
        np.save(tmp / "offsets.npy", batch.offsets - batch.offsets[0])
        np.save(tmp / "ids.npy", ids)
        np.save(tmp / "lengths.npy", lengths)
        np.save(tmp / "runs.npy", runs)
        if self.exact:
            np.save(tmp / "exact.npy", exact_keys if exact_keys is not None else self.hasher.exact_keys(batch, self.threads))
        if scores is not None:
            np.save(tmp / "scores.npy", scores)
        np.save(tmp / "all_ids.npy", all_ids)  # every document given, in the shard's order
        np.save(tmp / "local_keep.npy", local_keep)
        (tmp / _DONE).write_text(str(n))
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        return True

    def _given(self, n: int, signatures, lengths, exact_keys):
        """Checked precomputed (signatures, lengths, exact keys) for add_shard, or None."""
        if signatures is None and lengths is None and exact_keys is None:
            return None
        if signatures is None or lengths is None:
            raise ValueError("signatures and lengths go together")
        sig = np.ascontiguousarray(signatures, dtype=np.uint32)
        if sig.shape != (n, self.hasher.num_perm):
            raise ValueError(f"signatures must have shape ({n}, {self.hasher.num_perm}), got {sig.shape}")
        lengths = np.ascontiguousarray(lengths, dtype=np.int64)
        if lengths.shape != (n,):
            raise ValueError(f"lengths must have one entry per document ({n}), got shape {lengths.shape}")
        if exact_keys is not None:
            exact_keys = np.ascontiguousarray(exact_keys)
            if exact_keys.shape[0] != n:
                raise ValueError(f"exact_keys must have one row per document ({n}), got shape {exact_keys.shape}")
        return sig, lengths, exact_keys

    # -- the global step ---------------------------------------------------------

    def run(self, shards: Optional[Sequence[str]] = None) -> GlobalResult:
        """Dedup over the given (default: all complete) shards."""
        t0 = time.perf_counter()
        names = list(shards) if shards is not None else self.shards()
        dirs = [self._shard_dir(s) for s in names]
        for d in dirs:
            if not (d / _DONE).exists():
                raise FileNotFoundError(f"shard {d.name!r} is missing or incomplete in {self.workdir}")
        ids_per = [np.load(d / "ids.npy") for d in dirs]
        sizes = np.array([a.size for a in ids_per], dtype=np.int64)
        all_ids = np.concatenate(ids_per) if ids_per else np.zeros(0, dtype=np.int64)
        n = all_ids.size
        shard_of = np.repeat(np.arange(len(dirs), dtype=np.int64), sizes)
        pos_of = np.arange(n, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        # Rank = position in id order: union-find and the keep policy work on ranks.
        order = np.argsort(all_ids, kind="stable")
        sorted_ids = all_ids[order]
        if n > 1 and np.any(sorted_ids[1:] == sorted_ids[:-1]):
            dup = sorted_ids[1:][sorted_ids[1:] == sorted_ids[:-1]][0]
            raise ValueError(f"id {dup} appears in more than one shard")
        lengths = np.concatenate([np.load(d / "lengths.npy") for d in dirs])[order] if n else np.zeros(0, np.int64)
        scores = None
        if self.keep == "score":
            scores = np.concatenate([np.load(d / "scores.npy") for d in dirs])[order]
        policy = _POLICIES[self.keep]
        stats: Dict[str, float] = {"shards": len(dirs)}

        reason = np.zeros(n, dtype=np.int8)
        kept_as = np.arange(n, dtype=np.int64)
        active = np.ones(n, dtype=bool)
        if self.exact and n:
            keys = np.concatenate([np.load(d / "exact.npy") for d in dirs])[order]
            keep_x, root_x = _native.dedup_clusters(n, exact_pairs(keys), policy, lengths, scores)
            del keys
            reason[~keep_x] = EXACT
            kept_as = root_x.astype(np.int64)
            active = keep_x.copy()
        active &= lengths > 0
        t1 = time.perf_counter()

        # Candidate pairs: one k-way merge per band over the memory-mapped runs.
        # Pairs as one int64 (rank_a * n + rank_b), made unique band by band: near-duplicate
        # clusters propose the same pairs in most bands, and holding all bands' pairs at
        # once would grow with the number of duplicates times the bands.
        cand = np.zeros(0, dtype=np.int64)
        for k in range(self.bands):
            runs = [np.load(d / "runs.npy", mmap_mode="r")[k] for d in dirs]
            p = _native.dedup_merge_band(runs)
            del runs
            if p.size:
                r = np.searchsorted(sorted_ids, p)
                r = r[active[r[:, 0]] & active[r[:, 1]]]
                cand = np.union1d(cand, r[:, 0] * n + r[:, 1])
        pairs = np.stack([cand // max(n, 1), cand % max(n, 1)], axis=1) if cand.size else np.zeros((0, 2), np.int64)
        stats["candidates"] = int(pairs.shape[0])
        t2 = time.perf_counter()

        # Verification in chunks: only the documents of the chunk are read.
        paths = [str(d / "text.bin") for d in dirs]
        offsets = [np.load(d / "offsets.npy") for d in dirs]
        where = order  # rank -> concatenated index
        doc_bytes = np.concatenate([np.diff(o) for o in offsets])[order] if n else np.zeros(0, np.int64)
        # Chunk boundaries where the bytes of the pairs' documents (a document counted
        # once per pair: an over-estimate) pass multiples of the budget.
        spent = np.cumsum(doc_bytes[pairs[:, 0]] + doc_bytes[pairs[:, 1]]) if pairs.size else np.zeros(0)
        cuts = np.searchsorted(spent, np.arange(1, int(spent[-1] // self.verify_bytes) + 1) * self.verify_bytes) if pairs.size else []
        bounds = np.unique(np.concatenate([[0], np.asarray(cuts, dtype=np.int64), [pairs.shape[0]]]))
        stats["verify_chunks"] = int(max(bounds.size - 1, 0))
        verified = []
        for s, e in zip(bounds[:-1], bounds[1:]):
            chunk = pairs[s:e]
            involved, local = np.unique(chunk, return_inverse=True)
            c = where[involved]
            data, offs = _native.gather_docs_files(paths, offsets, shard_of[c], pos_of[c])
            jac = self.hasher.pair_jaccard(TextBatch(data, offs), local.reshape(-1, 2), self.threads)
            verified.append(chunk[jac >= self.threshold])
        near = np.concatenate(verified) if verified else np.zeros((0, 2), dtype=np.int64)
        stats["verified"] = int(near.shape[0])
        t3 = time.perf_counter()

        keep_n, root_n = _native.dedup_clusters(n, near, policy, lengths, scores)
        removed = ~keep_n
        reason[removed] = NEAR
        kept_as[removed] = root_n[removed]
        kept_as = np.where(reason == EXACT, kept_as[kept_as], kept_as)
        keep = reason == KEPT
        stats.update(
            seconds_exact=t1 - t0,
            seconds_candidates=t2 - t1,
            seconds_verify=t3 - t2,
            seconds_total=time.perf_counter() - t0,
        )
        result = GlobalResult(sorted_ids, keep, reason, sorted_ids[kept_as], stats)
        out = self.workdir / "result"
        out.mkdir(exist_ok=True)
        np.save(out / "ids.npy", result.ids)
        np.save(out / "keep.npy", result.keep)
        np.save(out / "reason.npy", result.reason)
        np.save(out / "kept_as.npy", result.kept_as)
        (out / "stats.json").write_text(json.dumps({**stats, **result.counts}, indent=2))
        self._result = result
        return result

    def result(self) -> GlobalResult:
        """The last result of run(), from memory or from the work folder."""
        if getattr(self, "_result", None) is None:
            out = self.workdir / "result"
            if not (out / "keep.npy").exists():
                raise FileNotFoundError(f"no result in {self.workdir}: call run() first")
            stats = json.loads((out / "stats.json").read_text())
            self._result = GlobalResult(
                np.load(out / "ids.npy"),
                np.load(out / "keep.npy"),
                np.load(out / "reason.npy"),
                np.load(out / "kept_as.npy"),
                stats,
            )
        return self._result

    def keep_mask(self, name: str) -> np.ndarray:
        """The last pass: keep mask of every document given to add_shard (local and
        global removals), in the shard's order."""
        res = self.result()
        d = self._shard_dir(name)
        ids = np.load(d / "ids.npy")
        r = np.searchsorted(res.ids, ids)
        if ids.size and (np.any(r >= res.ids.size) or np.any(res.ids[np.minimum(r, res.ids.size - 1)] != ids)):
            raise KeyError(f"shard {name!r} was not part of the last run")
        local_keep = np.load(d / "local_keep.npy")
        mask = np.zeros(local_keep.size, dtype=bool)
        mask[np.flatnonzero(local_keep)] = res.keep[r]
        return mask
