"""The ``corpus-engine`` command."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
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


# --------------------------------------------------------------------------- dedup


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def _seed(text: str) -> int:
    value = _non_negative_int(text)
    if value >= 2**64:
        raise argparse.ArgumentTypeError(f"must fit in 64 bits, got {text!r}")
    return value


def _unit_interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}")
    return value


def _recall(text: str) -> float:
    value = _unit_interval(text)
    if value <= 0.0:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1], got {text!r}")
    return value


MAX_CURVE_PERM = 4096  # the recommendation tries every bands x rows <= num_perm


def _check_lsh_args(args: argparse.Namespace) -> None:
    if args.bands * args.rows > args.num_perm:
        args.parser.error(
            f"--bands {args.bands} x --rows {args.rows} = {args.bands * args.rows} signature values, "
            f"more than --num-perm {args.num_perm}; lower them or raise --num-perm"
        )


def _dedup_curve(args: argparse.Namespace) -> int:
    from .dedup import curve_table, lsh_probability, recommend_bands

    if args.num_perm > MAX_CURVE_PERM:
        args.parser.error(f"--num-perm must be at most {MAX_CURVE_PERM} here, got {args.num_perm}")
    _check_lsh_args(args)
    b, r, t = args.bands, args.rows, args.threshold
    print(f"LSH of {b} bands x {r} rows ({b * r} of {args.num_perm} signature values): "
          f"P(candidate | J) = 1 - (1 - J^{r})^{b}")
    print()
    print("| J | P(candidate) |")
    print("|---:|---:|")
    for j, p in curve_table(b, r):
        print(f"| {j:.2f} | {p:.4f} |")
    print()
    print(f"at the threshold {t:.2f}: P = {float(lsh_probability(t, b, r)):.4f}")
    rec = recommend_bands(args.num_perm, t, args.recall)
    if rec is None:
        print(f"recommendation: no bands x rows <= {args.num_perm} reaches P({t:.2f}) >= {args.recall}")
    else:
        rb, rr = rec
        print(
            f"recommended for num_perm {args.num_perm}, threshold {t:.2f}, recall >= {args.recall}: "
            f"--bands {rb} --rows {rr} (P({t:.2f}) = {float(lsh_probability(t, rb, rr)):.4f}, "
            f"P(0.50) = {float(lsh_probability(0.5, rb, rr)):.4f}; of the settings that reach it, "
            f"the least area under P(J) below the threshold)"
        )
    return 0


def _dedup_eval(args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import dedup_eval as de

    _check_lsh_args(args)
    if args.input is not None:
        path = Path(args.input)
        if not path.is_file():
            args.parser.error(f"--input {args.input}: no such file")
        try:
            docs = de.load_documents(path, field=args.field)
        except (OSError, ValueError) as exc:
            args.parser.error(f"--input {args.input}: {exc}")
        sources = [str(path)]
    else:
        try:
            docs, sources = de.load_default_corpus(args.data_dir)
        except de.DataNotFound as exc:
            args.parser.error(str(exc))
    picked = de.select_originals(docs, args.docs, min_chars=args.min_chars, seed=args.seed, ngram=args.ngram)
    if not picked:
        args.parser.error(
            f"none of the {len(docs)} documents of {', '.join(sources)} has at least --min-chars "
            f"{args.min_chars} characters after normalisation; lower --min-chars or pass another --input"
        )
    t0 = time.perf_counter()
    planted = de.plant_duplicates([docs[i] for i in picked], copies=args.copies, seed=args.seed, ngram=args.ngram)
    t_plant = time.perf_counter() - t0
    note = "" if len(picked) == args.docs else f" (only {len(picked)} eligible of the {args.docs} asked for)"
    print(f"corpus-engine dedup eval: originals from {', '.join(sources)}: {len(picked)} of {len(docs)} documents "
          f"with >= {args.min_chars} normalised characters{note}")
    print(f"planted: {planted.summary()} [{t_plant:.1f} s]")
    result = de.evaluate(
        planted, args.threshold, num_perm=args.num_perm, bands=args.bands, rows=args.rows, method=args.method,
        seed=args.hash_seed, threads=args.threads,
    )
    print(result.header())
    print()
    print(result.table())
    print()
    print(result.summary())
    if args.compare_methods:
        cmp = de.compare_methods(planted, num_perm=args.num_perm, seeds=range(args.compare_seeds), threads=args.threads)
        print()
        print(f"Jaccard estimate from signatures (share of equal values), num_perm {args.num_perm}, "
              f"hash seeds 0..{args.compare_seeds - 1}, against the true Jaccard:")
        print()
        print(cmp.table())
    return 0


def _add_dedup(sub) -> None:
    from .dedup import DEFAULT_BANDS, DEFAULT_NGRAM, DEFAULT_NUM_PERM, DEFAULT_ROWS, DEFAULT_THRESHOLD

    g = sub.add_parser("dedup", help="near-duplicate tools: LSH curve, evaluation on planted duplicates",
                       description="Near-duplicate detection tools (see docs/dedup.md).")
    gsub = g.add_subparsers(dest="dedup_command", required=True, metavar="{curve,eval}")

    def lsh_args(p, threshold_help: str) -> None:
        p.add_argument("--bands", type=_positive_int, default=DEFAULT_BANDS,
                       help=f"LSH bands (default {DEFAULT_BANDS})")
        p.add_argument("--rows", type=_positive_int, default=DEFAULT_ROWS,
                       help=f"rows per band (default {DEFAULT_ROWS})")
        p.add_argument("--threshold", type=_unit_interval, default=DEFAULT_THRESHOLD, help=threshold_help)
        p.add_argument("--num-perm", type=_positive_int, default=DEFAULT_NUM_PERM,
                       help=f"signature values (default {DEFAULT_NUM_PERM})")

    c = gsub.add_parser(
        "curve", help="P(candidate | J) of a bands x rows setting, and a recommended setting",
        description="Print P(a pair of Jaccard J becomes an LSH candidate) for J = 0.50, 0.55, ..., 1.00 "
                    "and the bands x rows <= --num-perm recommended for --threshold and --recall.",
    )
    lsh_args(c, f"Jaccard threshold of the recommendation (default {DEFAULT_THRESHOLD})")
    c.add_argument("--recall", type=_recall, default=0.95,
                   help="P(candidate) wanted at the threshold (default 0.95)")
    c.set_defaults(func=_dedup_curve, parser=c)

    e = gsub.add_parser(
        "eval", help="precision and recall of near_duplicates on planted near-duplicates of real text",
        description="Plant edited copies of real documents (true Jaccard 0.3..1.0), run near_duplicates "
                    "on originals + copies and print recall and precision per true-Jaccard bucket. "
                    "Documents: --input FILE, else clean_zh/tencentpretrain of the shared data "
                    "($CORPUS_ENGINE_DATA or <repo>/../shared/data).",
    )
    e.add_argument("--input", metavar="FILE", help="documents: one per line, or JSON Lines with a 'text' field")
    e.add_argument("--field", default="text", help="JSON field of --input JSON Lines (default text)")
    e.add_argument("--data-dir", metavar="DIR",
                   help="shared data folder (default $CORPUS_ENGINE_DATA or ../shared/data)")
    e.add_argument("--docs", type=_positive_int, default=1000, help="originals (default 1000)")
    e.add_argument("--copies", type=_non_negative_int, default=2, help="planted copies per original (default 2)")
    e.add_argument("--min-chars", type=_positive_int, default=100,
                   help="minimum normalised length of an original (default 100)")
    lsh_args(e, f"near-duplicate threshold on the exact Jaccard (default {DEFAULT_THRESHOLD})")
    e.add_argument("--ngram", type=_positive_int, default=DEFAULT_NGRAM, help=f"shingle size (default {DEFAULT_NGRAM})")
    e.add_argument("--method", choices=("oph", "classic"), default="oph", help="signature method (default oph)")
    e.add_argument("--seed", type=_seed, default=0, help="seed of the originals' sample and of the edits (default 0)")
    e.add_argument("--hash-seed", type=_seed, default=0, help="hash seed of near_duplicates (default 0)")
    e.add_argument("--threads", type=_positive_int, default=None, help="threads (default: all)")
    e.add_argument("--compare-methods", action="store_true",
                   help="also compare the Jaccard estimates of method oph and classic (MAE, RMSE per bucket)")
    e.add_argument("--compare-seeds", type=_positive_int, default=4,
                   help="hash seeds averaged by --compare-methods (default 4)")
    e.set_defaults(func=_dedup_eval, parser=e)


def _size(text: str) -> int:
    """'100MB', '5 MB', '1.5GB', '500k', '123' (bytes)."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kmgt]?)i?b?\s*", text.lower())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (examples: 100MB, 5MB, 1GB)")
    n = float(m.group(1)) * 1000 ** " kmgt".index(m.group(2) or " ")
    if n < 1:
        raise argparse.ArgumentTypeError("size must be at least 1 byte")
    return int(n)


def _load_recipe(path: Optional[str]):
    from .pipeline.config import default_recipe, load_recipe

    return load_recipe(path) if path else default_recipe()


def _run(args: argparse.Namespace) -> int:
    from .pipeline.executor import LocalExecutor
    from .pipeline.report import print_stats

    try:
        recipe = _load_recipe(args.config)
        ex = LocalExecutor(recipe, args.output, workers=args.workers, threads=args.threads, progress=not args.quiet)
        stats = ex.run(args.input)
    except (ValueError, FileNotFoundError) as exc:
        print(f"corpus-engine run: {exc}", file=sys.stderr)
        return 2
    print(print_stats(stats))
    print(f"output: {Path(args.output) / 'final'}  report: {Path(args.output) / 'report.html'}")
    return 0


def _stats(args: argparse.Namespace) -> int:
    from .pipeline.report import print_stats

    path = Path(args.dir) / "stats.json"
    if not path.exists():
        print(f"corpus-engine stats: no stats.json in {args.dir} (is it the --output of a finished run?)", file=sys.stderr)
        return 2
    print(print_stats(json.loads(path.read_text())))
    return 0


def _config(args: argparse.Namespace) -> int:
    from .pipeline.config import default_recipe, dump_recipe, load_recipe

    if args.config_command == "show":
        print(dump_recipe(load_recipe(args.recipe) if args.recipe else default_recipe()), end="")
        return 0
    try:
        load_recipe(args.recipe)
    except (ValueError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{args.recipe}: valid")
    return 0


def _synth(args: argparse.Namespace) -> int:
    from .synthetic import synthesize

    summary = synthesize(args.output, args.size, seed=args.seed)
    print(summary)
    return 0


def _pipeline_demo(args: argparse.Namespace) -> int:
    from .pipeline.executor import LocalExecutor
    from .pipeline.report import print_stats
    from .synthetic import synthesize

    out = Path(args.output)
    data = out / "input"
    if not data.exists():
        print(f"corpus-engine demo: writing {args.size / 1e6:g} MB of generated WET files to {data}")
        synthesize(data, args.size, seed=args.seed)
    recipe = _load_recipe(None)
    stats = LocalExecutor(recipe, out / "run", workers=args.workers, progress=not args.quiet).run([str(data)])
    print(print_stats(stats))
    print(f"corpus: {out / 'run' / 'final'}   report: {out / 'run' / 'report.html'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="corpus-engine", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    dm = sub.add_parser("demo", help="generate a small WET set, run the default recipe on it, write the report")
    dm.add_argument("--output", default="corpus-engine-demo", help="folder for the data, the run and the report")
    dm.add_argument("--size", type=_size, default=_size("5MB"), help="size of the generated text (default 5MB)")
    dm.add_argument("--seed", type=int, default=0)
    dm.add_argument("--workers", type=_positive_int, default=1)
    dm.add_argument("--quiet", action="store_true", help="no progress bar")
    dm.set_defaults(func=_pipeline_demo)

    r = sub.add_parser("run", help="run a recipe over WET/WARC/JSONL/Parquet files")
    r.add_argument("--config", help="YAML recipe (default: corpus-engine config show)")
    r.add_argument("--input", nargs="+", required=True, help="files, folders or globs")
    r.add_argument("--output", required=True, help="output folder (a rerun resumes it)")
    r.add_argument("--workers", type=_positive_int, default=None, help="processes over shards")
    r.add_argument("--threads", type=_positive_int, default=None, help="threads per process")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=_run)

    st = sub.add_parser("stats", help="print the funnel of a finished run")
    st.add_argument("dir")
    st.set_defaults(func=_stats)

    c = sub.add_parser("config", help="show the default recipe or validate one")
    csub = c.add_subparsers(dest="config_command", required=True)
    cs_ = csub.add_parser("show", help="print the default recipe (or a recipe merged over it)")
    cs_.add_argument("recipe", nargs="?")
    cv = csub.add_parser("validate", help="check a recipe; every problem is listed")
    cv.add_argument("recipe")
    c.set_defaults(func=_config)

    sy = sub.add_parser("synth", help="write generated WET files with ground truth")
    sy.add_argument("--output", required=True)
    sy.add_argument("--size", type=_size, default=_size("100MB"), help="text size, e.g. 100MB (default)")
    sy.add_argument("--seed", type=int, default=0)
    sy.set_defaults(func=_synth)

    d = sub.add_parser("kernels-demo", help="run the text kernels on generated web pages")
    d.add_argument("--docs", type=int, default=2000, help="number of generated pages (default 2000)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--min-chars", type=int, default=20)
    d.set_defaults(func=_demo)
    _add_dedup(sub)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # reported by the subcommand's parser, whose usage line fits
        getattr(args, "parser", parser).error(f"unrecognized arguments: {' '.join(extra)}")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
