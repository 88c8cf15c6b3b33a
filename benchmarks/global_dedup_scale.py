"""Scale check of the out-of-core global dedup: N generated documents in shards.

Generates N Chinese web pages (corpus_engine.synthetic), plants near-duplicate
copies (a few characters changed) and exact copies across shards, adds the
shards to a GlobalDeduplicator (``--phase add``), then runs the global step in
its own process (``--phase run``) and checks that every planted copy was
removed. Run each phase under ``/usr/bin/time -v`` to read its peak RSS:

    /usr/bin/time -v python benchmarks/global_dedup_scale.py --phase add --docs 2000000 --workdir /tmp/gd
    /usr/bin/time -v python benchmarks/global_dedup_scale.py --phase run --workdir /tmp/gd

Each phase prints one JSON line (counts, recall on the planted copies, timings).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from corpus_engine.dedup_global import GlobalDeduplicator
from corpus_engine.synthetic import web_page


def mutate(doc: str, rng: random.Random, edits: int) -> str:
    chars = list(doc)
    for _ in range(edits):
        if not chars:
            break
        chars[rng.randrange(len(chars))] = rng.choice(chars)  # a character of the page itself
    return "".join(chars)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=500_000, help="documents in all, copies included")
    ap.add_argument("--shard", type=int, default=100_000, help="documents per shard")
    ap.add_argument("--copy-rate", type=float, default=0.1, help="share of documents that are planted copies")
    ap.add_argument("--workdir", default="/tmp/corpus_engine_global_dedup")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--phase", choices=["add", "run", "all"], default="all")
    args = ap.parse_args(argv)

    work = Path(args.workdir)
    if args.phase == "run":
        return run_phase(work, args.threads)
    shutil.rmtree(work, ignore_errors=True)
    rng = random.Random(args.seed)
    g = GlobalDeduplicator(work, threads=args.threads)
    t0 = time.perf_counter()
    originals = []  # (id, text) of a sample of originals that copies are made from
    planted = {}  # copy id -> original id
    t_gen = t_add = 0.0
    next_id = 0
    nshards = (args.docs + args.shard - 1) // args.shard
    for s in range(nshards):
        a = time.perf_counter()
        docs, ids = [], []
        for _ in range(min(args.shard, args.docs - next_id)):
            if originals and rng.random() < args.copy_rate:
                oid, text = originals[rng.randrange(len(originals))]
                # Exact copy (25 %) or near copy (2 changed characters of a long page).
                doc = text if rng.random() < 0.25 else mutate(text, rng, 2)
                planted[next_id] = oid
            else:
                doc = web_page(rng)
                if len(originals) < 20_000 and len(doc) > 400 and rng.random() < 0.2:
                    originals.append((next_id, doc))
            docs.append(doc)
            ids.append(next_id)
            next_id += 1
        b = time.perf_counter()
        g.add_shard(f"s{s:05d}", docs, ids)
        t_gen += b - a
        t_add += time.perf_counter() - b
    t1 = time.perf_counter()
    np.save(work / "planted.npy", np.array(sorted(planted.items()), dtype=np.int64).reshape(-1, 2))
    print(
        json.dumps(
            {
                "phase": "add",
                "docs": args.docs,
                "shards": nshards,
                "planted_copies": len(planted),
                "seconds_generate": round(t_gen, 1),
                "seconds_add_shards": round(t_add, 1),
                "seconds_total": round(t1 - t0, 1),
            }
        )
    )
    if args.phase == "all":
        return run_phase(work, args.threads)
    return 0


def run_phase(work: Path, threads) -> int:
    t0 = time.perf_counter()
    g = GlobalDeduplicator(work, threads=threads)
    res = g.run()
    t1 = time.perf_counter()
    planted = np.load(work / "planted.npy")
    removed = np.isin(planted, res.drop_ids)
    # A planted copy is found when it, or the original it copies, is removed (a cluster keeps one).
    found = int(np.count_nonzero(removed[:, 0] | removed[:, 1]))
    print(
        json.dumps(
            {
                "phase": "run",
                **res.counts,
                "planted_copies": int(planted.shape[0]),
                "planted_found": found,
                "recall_planted": found / max(planted.shape[0], 1),
                "seconds_global": round(t1 - t0, 1),
                "global_stats": {k: (round(v, 2) if isinstance(v, float) else v) for k, v in res.stats.items()},
                "workdir_bytes": sum(p.stat().st_size for p in work.rglob("*") if p.is_file()),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
