"""The ``corpus-engine`` command."""

from __future__ import annotations

import argparse
import sys
import time
from typing import List, Optional


def _demo(args: argparse.Namespace) -> int:
    from . import text
    from .batch import TextBatch
    from .synthetic import web_pages

    docs = web_pages(args.docs, seed=args.seed)
    batch = TextBatch.from_strings(docs)
    mb = batch.nbytes / 1e6
    print(f"corpus-engine demo: {len(docs)} generated web pages, {mb:.1f} MB, SIMD level {text.simd_level()}")
    # NKCorpus order: Chinese lines first (a lone \r still splits lines), then cleaning.
    steps = [
        ("extract_chinese", lambda b: text.extract_chinese(b)),
        ("strip_control", lambda b: text.strip_control(b)),
        ("trim_content", lambda b: text.trim_content(b)),
    ]
    for _, fn in steps:  # warm-up: builds and caches the character tables
        fn(TextBatch.from_strings(docs[:1]))
    cur = batch
    for name, fn in steps:
        t0 = time.perf_counter()
        cur = fn(cur)
        dt = time.perf_counter() - t0
        print(f"  {name:16s} {cur.nbytes / 1e6:8.2f} MB left   {mb / dt:8.0f} MB/s of input")
    keep = text.length_mask(cur, min_chars=args.min_chars)
    print(f"  length >= {args.min_chars:<5d}   {int(keep.sum())} of {len(docs)} pages kept")
    sample = next((d for d, k in zip(cur.to_strings(), keep) if k), "")
    print("\nFirst kept page:\n" + sample[:400])
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="corpus-engine", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="run the text kernels on generated web pages")
    d.add_argument("--docs", type=int, default=2000, help="number of generated pages (default 2000)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--min-chars", type=int, default=20)
    d.set_defaults(func=_demo)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
