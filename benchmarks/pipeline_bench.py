"""The rule pipeline end to end (read -> dedup, no language model) on generated WET.gz.

Runs, in one process tree and one invocation:

1. native, the full set (default 200 MB of text), ``--workers`` processes (default 2) of one thread;
2. native and the pure-Python reference twins (``backend="reference"``) on the same small slice
   (default 4 MB in 2 files, another seed), one worker each, so the ratio compares like with like.

The recipe is the default one with ``stages.lang_gate.fasttext: false`` (the CC language header
still gates). MB/s is uncompressed text (WET conversion payloads) over wall time of the run,
global dedup and report included. The generated data is cached under ``--data``.

    python benchmarks/pipeline_bench.py --size 200MB --workers 2 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from corpus_engine.pipeline import LocalExecutor, merge_recipe
from corpus_engine.synthetic import parse_size, synthesize


def rule_recipe(without=()):
    stages = {"lang_gate": {"fasttext": False}, **{name: {"enabled": False} for name in without}}
    return merge_recipe({"stages": stages, "executor": {"threads": 1}})


def data_set(root: Path, size: int, seed: int, files=None) -> Path:
    d = root / f"synth-{size}-s{seed}-f{files}"
    if not (d / "_synth_manifest.json").exists():
        shutil.rmtree(d, ignore_errors=True)
        t = time.perf_counter()
        synthesize(d, size, seed=seed, files=files)
        print(f"generated {size / 1e6:.0f} MB in {time.perf_counter() - t:.0f} s: {d}", file=sys.stderr)
    return d


def timed_run(data: Path, out: Path, workers: int, backend: str, without=()):
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    stats = LocalExecutor(rule_recipe(without), out, workers=workers, threads=1, progress=False, backend=backend).run([str(data)])
    wall = time.perf_counter() - t
    assert stats["counts_add_up"]
    mb = stats["bytes_in"] / 1e6
    return {
        "backend": backend, "workers": workers, "documents": stats["documents"], "kept": stats["kept"],
        "mb_text": round(mb, 1), "wall_s": round(wall, 2), "mb_per_s": round(mb / wall, 2),
        "mb_per_s_per_core": round(mb / wall / workers, 2), "docs_per_s": round(stats["documents"] / wall),
        "stage_seconds": {s["stage"]: s["seconds"] for s in stats["stages"]},
        "seconds_shards": stats["seconds_shards"], "seconds_global": stats["seconds_global"],
        "shard_seconds_by_part": stats["shard_seconds_by_part"],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="200MB", help="text of the full set (default 200MB)")
    ap.add_argument("--slice", default="4MB", help="text of the slice for native vs reference (default 4MB)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--data", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "corpus-engine-bench"))
    ap.add_argument("--json", help="write the results here too")
    ap.add_argument("--without", default="", metavar="STAGES",
                    help="comma-separated stages to switch off in every run, e.g. noise_lines,repetition,pii "
                         "for the stage set of issue [4] alone")
    a = ap.parse_args(argv)
    root = Path(a.data)
    root.mkdir(parents=True, exist_ok=True)
    full = data_set(root, parse_size(a.size), seed=11)
    part = data_set(root, parse_size(a.slice), seed=12, files=2)
    without = tuple(filter(None, a.without.split(",")))
    res = {"without": list(without), "full_native": timed_run(full, root / "out-full", a.workers, "native", without)}
    res["slice_native"] = timed_run(part, root / "out-slice-native", 1, "native", without)
    res["slice_reference"] = timed_run(part, root / "out-slice-reference", 1, "reference", without)
    assert res["slice_native"]["kept"] == res["slice_reference"]["kept"], "native and reference disagree"
    res["slice_speedup"] = round(res["slice_reference"]["wall_s"] / res["slice_native"]["wall_s"], 1)
    res["cpu"] = os.cpu_count()
    print(json.dumps(res, indent=1))
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
