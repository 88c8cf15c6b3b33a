"""The local executor: shards (one per input file) through the stages, then
global dedup across shards, then a last filtering pass.

Layout of the output folder::

    shards/<shard>/kept.jsonl.zst     documents that passed every stage of the shard
    shards/<shard>/removed.jsonl.zst  documents removed, with stage and reason (and text)
    shards/<shard>/quarantine.jsonl   records that could not be read, with the reason
    shards/<shard>/stats.json         per-stage counts and timings of the shard
    shards/<shard>/kept_ordinals.npy  each kept row's ordinal in its input (its global dedup id)
    shards/<shard>/DONE               written last: the shard is complete
    dedup/                            the out-of-core global dedup (GlobalDeduplicator)
    final/<shard>.jsonl.zst           the corpus: kept documents minus global duplicates
    final/<shard>.removed.jsonl.zst   documents removed as duplicates across shards
    final/<shard>.DONE
    recipe.json, inputs.json          what the run is: a rerun must match them to resume
    stats.json, report.html

Every file is written under a temporary name and renamed when complete, and a
step whose marker exists is skipped: a run killed at any point and started again
gives the same output as an uninterrupted run. Counts add up: records read =
kept + removed + quarantined (+ skipped non-document records such as warcinfo).
"""

from __future__ import annotations

import contextlib
import glob
import json
import multiprocessing as mp
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence

import numpy as np

from .config import STAGE_ORDER
from .stages import Batch, Removal, StageStats, build_stages, dedup_arrays

KNOWN_SUFFIXES = (".warc.wet.gz", ".warc.wet", ".wet.gz", ".wet", ".warc.gz", ".warc", ".jsonl", ".jsonl.gz",
                  ".jsonl.zst", ".ndjson", ".json", ".parquet")


def expand_inputs(inputs: Sequence[str]) -> List[Path]:
    """Files, folders (their known input files, recursively) and globs; sorted, each once.

    In a folder, names starting with ``_`` or ``.`` are skipped, files and folders alike (the
    Hadoop/Spark convention for side files such as ``_SUCCESS`` or the synth ground truth); name
    such a file directly to read it."""
    out = []
    for item in inputs:
        matches = glob.glob(item, recursive=True) if any(ch in item for ch in "*?[") else [item]
        if not matches:
            raise FileNotFoundError(f"input {item!r} matches no file")
        for m in matches:
            p = Path(m)
            if p.is_dir():
                out += [q for q in p.rglob("*") if q.is_file() and q.name.endswith(KNOWN_SUFFIXES)
                        and not any(part[:1] in "_." for part in q.relative_to(p).parts)]
            elif p.is_file():
                out.append(p)
            else:
                raise FileNotFoundError(f"input {m!r} does not exist")
    uniq = sorted({p.resolve() for p in out})
    if not uniq:
        raise FileNotFoundError(f"no input files in {list(inputs)}")
    return uniq


def shard_names(paths: Sequence[Path]) -> List[str]:
    """A name per input, unique and stable: its index in the sorted list and its file name
    without the input suffix."""
    out = []
    for i, p in enumerate(paths):
        stem = next((p.name[: -len(x)] for x in KNOWN_SUFFIXES if p.name.endswith(x)), p.name)
        out.append(f"{i:05d}-{re.sub(r'[^A-Za-z0-9._-]+', '_', stem) or 'input'}")
    return out


def _ext(recipe) -> str:
    fmt = recipe["output"]["format"]
    return {"jsonl": ".jsonl", "jsonl.gz": ".jsonl.gz", "jsonl.zst": ".jsonl.zst", "parquet": ".parquet"}[fmt]


def _writer(path: Path, recipe, intermediate: bool = False):
    from ..io.writers import JsonlWriter, ParquetWriter

    fmt = recipe["output"]["format"]
    if fmt == "parquet":
        return ParquetWriter(path)
    # Shard files are read once more by the final pass: zstd level 1 writes them twice as fast.
    level = 1 if intermediate and fmt == "jsonl.zst" else None
    return JsonlWriter(path, compression={"jsonl": None, "jsonl.gz": "gzip", "jsonl.zst": "zstd"}[fmt], level=level)


def _column_values(col) -> List[Any]:
    """A stats column as Python values for JSON (NumPy scalars unwrapped, NaN as null)."""
    if isinstance(col, np.ndarray) and col.dtype != object:
        vals = col.tolist()
    else:
        vals = [v.item() if hasattr(v, "item") else v for v in col]
    return [None if isinstance(v, float) and v != v else v for v in vals]


def _doc_rows(batch: Batch) -> Iterator[Dict[str, Any]]:
    """The output rows of a batch: id, url, date, text, the other metadata, then the stats columns."""
    cols = {k: _column_values(v) for k, v in batch.stats.items() if k != "dup_of"}
    for i in range(len(batch)):
        meta = batch.meta[i]
        row = {"id": batch.ids[i], "url": meta.get("url"), "date": meta.get("date"), "text": batch.texts[i]}
        for k, v in meta.items():
            if k not in row and v is not None:
                row[k] = v
        for k, v in cols.items():
            row[k] = v[i]
        yield row


def _removed_row(r: Removal, keep_text: bool) -> Dict[str, Any]:
    row = {"id": r.id, "stage": r.stage, "reason": r.reason, "url": r.meta.get("url")}
    if r.detail:
        row["detail"] = {k: (None if isinstance(v, float) and v != v else v) for k, v in r.detail.items()}
    if keep_text:
        row["text"] = r.text
    return row


def process_shard(shard: str, index: int, path: str, out_dir: str, recipe: Dict[str, Any], threads: Optional[int],
                  backend: str = "native", progress: bool = False) -> Dict[str, Any]:
    """Runs one shard through the stages; returns its stats (from its stats.json when done before).

    The stages before dedup run batch by batch while the file is read; local dedup (and the
    stages after it) then run once over all the shard's survivors, which are also added to the
    global deduplicator's store (band keys on disk) here, in the worker.
    """
    from ..io.readers import ReadStats, read_documents
    from ..io.records import Quarantined
    from ..io.writers import JsonlWriter

    sdir = Path(out_dir) / "shards" / shard
    if (sdir / "DONE").exists():
        return json.loads((sdir / "stats.json").read_text())
    tmp = sdir.with_name(sdir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    t0 = time.perf_counter()
    stages = build_stages(recipe, threads=threads, backend=backend)
    cut = next((i for i, s in enumerate(stages) if s.name == "dedup"), len(stages))
    per_batch, per_shard = stages[:cut], stages[cut:]
    stage_stats = {s.name: StageStats(s.name) for s in stages}
    keep_text = recipe["output"]["keep_removed_text"]
    counts = {"records": 0, "documents": 0, "quarantined": 0, "bytes_in": 0, "kept": 0, "removed": 0}
    quarantine_reasons: Dict[str, int] = {}
    ext = _ext(recipe)
    batch_docs = recipe["executor"]["batch_docs"]
    ordinal = 0
    survivors: List[Batch] = []
    bar = _shard_bar(shard, progress)
    with _writer(tmp / f"kept{ext}", recipe, intermediate=True) as kept_w, JsonlWriter(tmp / "removed.jsonl.zst", compression="zstd") as rem_w, \
            JsonlWriter(tmp / "quarantine.jsonl", compression=None) as q_w:

        def through(batch, stage_list):
            for stage in stage_list:
                batch, removed = stage(batch, stage_stats[stage.name])
                for r in removed:
                    rem_w.write(_removed_row(r, keep_text))
                counts["removed"] += len(removed)
            return batch

        def flush(ids, texts, metas):
            nonlocal ordinal
            batch = Batch(ids, texts, metas)
            batch.stats["doc_ordinal"] = np.arange(ordinal, ordinal + len(ids), dtype=np.int64)
            ordinal += len(ids)
            survivors.append(through(batch, per_batch))

        ids, texts, metas = [], [], []
        fmt = recipe["input"]["format"]
        rstats = ReadStats()
        items = iter(read_documents(path, text_field=recipe["input"]["text_field"], id_field=recipe["input"]["id_field"],
                                    fmt=fmt, stats=rstats,
                                    html_main_content=bool(recipe["input"].get("html_main_content", False))))
        t_read = 0.0  # time spent in the reader (decompress, frame, decode), for stats.json
        while True:
            t = time.perf_counter()
            item = next(items, None)
            t_read += time.perf_counter() - t
            if item is None:
                break
            counts["records"] += 1
            if isinstance(item, Quarantined):
                counts["quarantined"] += 1
                quarantine_reasons[item.reason] = quarantine_reasons.get(item.reason, 0) + 1
                q_w.write({"source": item.source, "index": item.index, "offset": item.offset, "reason": item.reason,
                           "detail": item.detail,
                           "raw": None if item.raw is None else item.raw[:4096].decode("utf-8", "replace")})
                continue
            counts["documents"] += 1
            nbytes = len(item.text.encode("utf-8", "surrogatepass"))
            counts["bytes_in"] += nbytes
            ids.append(item.id)
            texts.append(item.text)
            metas.append(dict(item.meta))
            if bar is not None:
                bar.update(nbytes)
            if len(ids) >= batch_docs:
                flush(ids, texts, metas)
                ids, texts, metas = [], [], []
        if ids:
            flush(ids, texts, metas)
        batch = through(Batch.concat(survivors), per_shard)
        survivors.clear()  # the concatenated batch holds the texts now
        for row in _doc_rows(batch):
            kept_w.write(row)
        counts["kept"] += len(batch)
        ordinals = batch.stats.get("doc_ordinal", np.zeros(0, np.int64)).astype(np.int64)
        # The last pass finds each kept row's global id here instead of parsing the row.
        np.save(tmp / "kept_ordinals.npy", ordinals)
        dedup = recipe["stages"]["dedup"]
        t_add = time.perf_counter()
        if dedup["enabled"] and dedup.get("global", True):
            gids = (np.int64(index) << 32) | ordinals
            g = _global_deduplicator(recipe, Path(out_dir), threads)
            g.add_shard(shard, batch.texts, gids, overwrite=True, **(dedup_arrays(per_shard, batch, g.hasher) or {}))
        t_add = time.perf_counter() - t_add
    if bar is not None:
        bar.close()
    stats = {
        "shard": shard,
        "index": index,
        "source": str(path),
        **counts,
        "quarantine_reasons": quarantine_reasons,
        # not documents and not bad either (warcinfo, requests, non-HTML, 404...): counted apart
        "skipped": rstats.skipped,
        "skipped_reasons": dict(sorted(rstats.skipped_reasons.items())),
        "seconds": round(time.perf_counter() - t0, 3),
        "seconds_read": round(t_read, 3),
        "seconds_global_add": round(t_add, 3),
        "stages": [stage_stats[s.name].to_dict() for s in stages],
    }
    if counts["documents"] != counts["kept"] + counts["removed"]:
        raise AssertionError(f"{shard}: documents {counts['documents']} != kept {counts['kept']} + removed {counts['removed']}")
    (tmp / "stats.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1))
    (tmp / "DONE").write_text("ok")
    shutil.rmtree(sdir, ignore_errors=True)
    os.replace(tmp, sdir)
    return stats


def _global_deduplicator(recipe: Dict[str, Any], out: Path, threads: Optional[int]):
    from ..dedup_global import GlobalDeduplicator

    d = recipe["stages"]["dedup"]
    return GlobalDeduplicator(out / "dedup", threshold=d["threshold"], num_perm=d["num_perm"], bands=d["bands"],
                              rows=d["rows"], ngram=d["ngram"], seed=d["seed"], threads=threads)


def _shard_bar(shard: str, enabled: bool):
    """A progress bar for one shard (MB of text read), below the run's bar; one line per worker."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    ident = mp.current_process()._identity  # (k,) in a pool worker, () in the main process
    return tqdm(desc=shard[:28], unit="B", unit_scale=True, unit_divisor=1000, file=sys.stderr, leave=False,
                position=ident[0] if ident else 1, dynamic_ncols=True, mininterval=0.5)


class _Star:
    """fn(*args), picklable for Pool.imap."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, args):
        return self.fn(*args)


def finalize_shard(k: int, name: str, names: List[str], out_dir: str, recipe: Dict[str, Any],
                   threads: Optional[int], use_global: bool) -> Dict[str, Any]:
    """The last pass over one shard: its kept documents minus the global duplicates go to
    final/<shard>, the duplicates to final/<shard>.removed.jsonl.zst; final/<shard>.DONE last."""
    from ..io.writers import JsonlWriter

    out = Path(out_dir)
    fdir = out / "final"
    done = fdir / f"{name}.DONE"
    if done.exists():
        return json.loads(done.read_text())
    ext = _ext(recipe)
    sdir = out / "shards" / name
    kept_path = sdir / f"kept{ext}"
    lines: Optional[List[bytes]] = None
    if ext != ".parquet" and (sdir / "kept_ordinals.npy").exists():
        # JSONL: kept rows are copied as they are; only the removed ones are parsed.
        ordinals = np.load(sdir / "kept_ordinals.npy")
        with _open_binary(kept_path) as fh:
            lines = [ln for ln in fh.read().splitlines(keepends=True) if ln.strip()]  # as read_rows
        rows: List[Any] = lines
    else:  # Parquet, or a shard written before the ordinals were kept
        rows = list(_read_rows(kept_path))
        ordinals = np.array([int(r["doc_ordinal"]) for r in rows], dtype=np.int64)
    if len(ordinals) != len(rows):
        raise RuntimeError(f"{kept_path}: {len(rows)} rows but {len(ordinals)} ordinals; delete {sdir} and rerun")
    if use_global:
        g = _global_deduplicator(recipe, out, threads)
        mask = g.keep_mask(name)
        res = g.result()
        at = np.searchsorted(res.ids, (np.int64(k) << 32) | ordinals)  # every kept document took part
    else:
        mask = np.ones(len(rows), dtype=bool)
    counts = {"dup-exact-global": 0, "dup-near-global": 0}
    with _writer(fdir / f"{name}{ext}.part", recipe) as w, \
            JsonlWriter(fdir / f"{name}.removed.jsonl.zst.part", compression="zstd") as rw:
        if lines is not None:
            w.write_encoded(line for line, keep in zip(lines, mask) if keep)
        for i in np.flatnonzero(~mask) if use_global else ():
            row = rows[i] if lines is None else _parse_line(lines[i])
            reason = "dup-exact-global" if int(res.reason[at[i]]) == 1 else "dup-near-global"
            kept_as = int(res.kept_as[at[i]])
            counts[reason] += 1
            rr = {"id": row["id"], "stage": "dedup", "reason": reason, "url": row.get("url"),
                  "detail": {"kept_as": f"{names[kept_as >> 32]}#{kept_as & 0xFFFFFFFF}"}}
            if recipe["output"]["keep_removed_text"]:
                rr["text"] = row["text"]
            rw.write(rr)
        if lines is None:
            for i in np.flatnonzero(mask):
                w.write(rows[i])
    os.replace(fdir / f"{name}{ext}.part", fdir / f"{name}{ext}")
    os.replace(fdir / f"{name}.removed.jsonl.zst.part", fdir / f"{name}.removed.jsonl.zst")
    info = {"kept": int(mask.sum()), "removed": counts}
    done.write_text(json.dumps(info))
    return info


class LocalExecutor:
    """Runs a recipe over input files on one machine (a process pool over shards)."""

    def __init__(self, recipe: Dict[str, Any], output: str, workers: Optional[int] = None,
                 threads: Optional[int] = None, progress: bool = True, backend: str = "native"):
        self.recipe = recipe
        self.backend = backend
        self.out = Path(output)
        self.workers = int(workers or recipe["executor"]["workers"])
        cores = os.cpu_count() or 1
        self.threads = threads or recipe["executor"]["threads"] or max(1, cores // self.workers)
        self.progress = progress

    def run(self, inputs: Sequence[str]) -> Dict[str, Any]:
        paths = expand_inputs(inputs)
        names = shard_names(paths)
        self.out.mkdir(parents=True, exist_ok=True)
        self._check_resume(names)
        (self.out / "recipe.json").write_text(json.dumps(self.recipe, ensure_ascii=False, indent=1))
        (self.out / "inputs.json").write_text(json.dumps([{"shard": n, "source": str(p)} for n, p in zip(names, paths)],
                                                         ensure_ascii=False, indent=1))
        t0 = time.perf_counter()
        d = self.recipe["stages"]["dedup"]
        if d["enabled"] and d.get("global", True):
            _global_deduplicator(self.recipe, self.out, self.threads)  # its config, once, before the workers
        jobs = [(n, i, str(p), str(self.out), self.recipe, self.threads, self.backend, self.progress)
                for i, (n, p) in enumerate(zip(names, paths))]
        # One pool for both passes: a spawned worker takes ~0.2 s to start and import.
        with self._pool(len(jobs)) as pool:
            shard_stats = self._map(jobs, pool=pool)
            t1 = time.perf_counter()
            final = self._finish(names, shard_stats, pool)
        total = self._summarise(names, shard_stats, final, t1 - t0, time.perf_counter() - t1)
        (self.out / "stats.json").write_text(json.dumps(total, ensure_ascii=False, indent=1))
        if self.recipe["output"].get("report", True):
            from .report import write_report

            write_report(self.out, total)
        return total

    def _check_resume(self, names: List[str]) -> None:
        """A rerun into a folder with finished work must be the same run (same recipe apart from the
        executor settings, same inputs): otherwise the folder would mix two runs' outputs."""
        if not any(self.out.glob("shards/*/DONE")) and not any(self.out.glob("final/*.DONE")):
            return
        how = f"use another --output, or delete {self.out} to start over"
        old_path = self.out / "recipe.json"
        if old_path.exists():
            old = json.loads(old_path.read_text())
            new = json.loads(json.dumps(self.recipe))  # as stored: tuples become lists
            diff = _differences({k: v for k, v in old.items() if k != "executor"},
                                {k: v for k, v in new.items() if k != "executor"}, "")
            if diff:
                shown = "; ".join(diff[:8]) + (f"; and {len(diff) - 8} more" if len(diff) > 8 else "")
                raise ValueError(f"{self.out} holds a run with another recipe ({shown}); {how}")
        inputs_path = self.out / "inputs.json"
        if inputs_path.exists():
            old_names = [e["shard"] for e in json.loads(inputs_path.read_text())]
            if old_names != names:
                new, gone = sorted(set(names) - set(old_names)), sorted(set(old_names) - set(names))
                what = ", ".join(filter(None, [f"{len(new)} new (first: {new[0]})" if new else "",
                                               f"{len(gone)} missing (first: {gone[0]})" if gone else ""])) \
                    or "the same shards in another order"
                raise ValueError(f"{self.out} holds a run over other inputs: {what}; {how}")

    def _pool(self, jobs: int):
        """A pool of self.workers processes, or a null context when the work runs in this process."""
        if self.workers <= 1 or jobs <= 1:
            return contextlib.nullcontext(None)
        return mp.get_context("spawn").Pool(self.workers)  # spawn: OpenMP's thread pool does not survive fork

    def _map(self, jobs, fn=None, unit: str = "shards", bytes_key: Optional[str] = "bytes_in",
             pool=None) -> List[Dict[str, Any]]:
        """fn(*job) for every job, in order: in the pool, or in this process when there is none."""
        fn = fn or process_shard
        bar = _bar(len(jobs), unit, self.progress)
        results: List[Optional[Dict[str, Any]]] = [None] * len(jobs)
        if pool is None:
            for k, job in enumerate(jobs):
                results[k] = fn(*job)
                _tick(bar, results[k], bytes_key)
        else:
            for k, res in zip(range(len(jobs)), pool.imap(_Star(fn), jobs)):
                results[k] = res
                _tick(bar, res, bytes_key)
        if bar is not None:
            bar.close()
        return results  # type: ignore[return-value]

    def _finish(self, names: List[str], shard_stats: List[Dict[str, Any]], pool=None) -> Dict[str, Any]:
        """Global dedup over the kept documents of all shards, then the last pass."""
        d = self.recipe["stages"]["dedup"]
        use_global = d["enabled"] and d.get("global", True)
        ext = _ext(self.recipe)
        fdir = self.out / "final"
        fdir.mkdir(exist_ok=True)
        t0 = time.perf_counter()
        g = None
        if use_global:
            # The workers are idle while this process runs the global step: it takes all their threads.
            g = _global_deduplicator(self.recipe, self.out, self.threads * max(1, self.workers))
            for k, name in enumerate(names):
                if g.has_shard(name):  # the worker stored it when it finished the shard
                    continue
                rows = list(_read_rows(self.out / "shards" / name / f"kept{ext}"))
                ids = np.array([(k << 32) | int(r["doc_ordinal"]) for r in rows], dtype=np.int64)
                g.add_shard(name, [r["text"] for r in rows], ids)
            g.run(names)
        jobs = [(k, name, names, str(self.out), self.recipe, self.threads, use_global) for k, name in enumerate(names)]
        removed_global = {"dup-exact-global": 0, "dup-near-global": 0}
        kept_total = 0
        for info in self._map(jobs, finalize_shard, unit="final", bytes_key=None, pool=pool):
            kept_total += info["kept"]
            for r, c in info["removed"].items():
                removed_global[r] += c
        return {"kept": kept_total, "removed": removed_global, "seconds": time.perf_counter() - t0,
                "global": bool(use_global)}

    def _summarise(self, names, shard_stats, final, seconds_shards, seconds_final) -> Dict[str, Any]:
        agg: Dict[str, StageStats] = {}
        tot = {"records": 0, "documents": 0, "quarantined": 0, "bytes_in": 0, "kept_local": 0, "removed_local": 0}
        qr: Dict[str, int] = {}
        sk: Dict[str, int] = {}
        for s in shard_stats:
            for k in ("records", "documents", "quarantined", "bytes_in"):
                tot[k] += s[k]
            tot["kept_local"] += s["kept"]
            tot["removed_local"] += s["removed"]
            for k, v in s.get("quarantine_reasons", {}).items():
                qr[k] = qr.get(k, 0) + v
            for k, v in s.get("skipped_reasons", {}).items():
                sk[k] = sk.get(k, 0) + v
            for st in s["stages"]:
                agg.setdefault(st["stage"], StageStats(st["stage"])).merge(StageStats.from_dict(st))
        stages = [agg[n].to_dict() for n in STAGE_ORDER if n in agg]
        removed_global = sum(final["removed"].values())
        # Where the workers' time went (CPU-seconds summed over shards; shards run in parallel).
        worker = {k: round(sum(s.get(f"seconds_{k}", 0.0) for s in shard_stats), 3) for k in ("read", "global_add")}
        worker["stages"] = round(sum(st["seconds"] for st in stages), 3)
        worker["rows_and_files"] = round(sum(s["seconds"] for s in shard_stats) - sum(worker.values()), 3)
        summary = {
            "shards": len(names),
            **tot,
            "kept": final["kept"],
            "removed": tot["removed_local"] + removed_global,
            "removed_global": final["removed"],
            "quarantine_reasons": qr,
            "skipped": sum(sk.values()),
            "skipped_reasons": dict(sorted(sk.items())),
            "stages": stages,
            "seconds_shards": round(seconds_shards, 3),
            "seconds_global": round(seconds_final, 3),
            "shard_seconds_by_part": worker,
            "mb_per_second": round(tot["bytes_in"] / 1e6 / max(seconds_shards + seconds_final, 1e-9), 2),
            "workers": self.workers,
            "threads": self.threads,
        }
        ok = (summary["documents"] == summary["kept"] + summary["removed"]
              and summary["records"] == summary["documents"] + summary["quarantined"])
        summary["counts_add_up"] = ok
        if not ok:
            raise AssertionError(f"counts do not add up: records {summary['records']}, documents {summary['documents']}, "
                                 f"quarantined {summary['quarantined']}, kept {summary['kept']}, "
                                 f"removed {summary['removed']}")
        return summary


def _differences(a: Any, b: Any, path: str) -> List[str]:
    """Dotted keys where two recipes differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: List[str] = []
        for k in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{k}" if path else str(k)
            if k not in a or k not in b:
                out.append(f"{sub}: {a.get(k, '(absent)')!r} -> {b.get(k, '(absent)')!r}")
            else:
                out.extend(_differences(a[k], b[k], sub))
        return out
    return [] if a == b else [f"{path}: {a!r} -> {b!r}"]


def _read_rows(path: Path) -> Iterable[Dict[str, Any]]:
    from ..io.rows import read_rows

    return read_rows(path)


def _open_binary(path: Path):
    from ..io.rows import open_binary

    return open_binary(path)


def _parse_line(line: bytes) -> Dict[str, Any]:
    from ..io.rows import parse_line

    return parse_line(line)


def _bar(total: int, unit: str, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True)


def _tick(bar, res: Dict[str, Any], bytes_key: Optional[str] = "bytes_in") -> None:
    if bar is None:
        return
    bar.update(1)
    if bytes_key is None:
        return
    elapsed = max(bar.format_dict.get("elapsed", 0.0), 1e-9)
    bar.docs = getattr(bar, "docs", 0) + res["documents"]
    bar.mb = getattr(bar, "mb", 0.0) + res["bytes_in"] / 1e6
    bar.set_postfix(docs_s=f"{bar.docs / elapsed:,.0f}", mb_s=f"{bar.mb / elapsed:.1f}")
