"""Helpers shared by benchmarks/conftest.py and the bench_*.py files.

Kept out of conftest.py so that the benchmark modules can import them by a name
that cannot clash with tests/conftest.py.
"""

from __future__ import annotations

import json
import os
import random
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import pytest

MB = 1_000_000  # throughput is quoted in decimal MB/s (10^6 bytes of UTF-8 input per second)
REPO = Path(__file__).resolve().parent.parent

CLEAN_FILES = (
    "clean_zh/tencentpretrain/zhwiki_sampled.txt",
    "clean_zh/tencentpretrain/CLUECorpusSmall_sampled.txt",
)
NOISY_JSONL = "noisy_zh/c4-dataset-script/Chinese_docs_random-100.jsonl"

# --------------------------------------------------------------------------- knobs


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise pytest.UsageError(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise pytest.UsageError(f"{name} must be > 0, got {raw!r}")
    return value


def corpus_mb() -> float:
    return _env_float("CORPUS_ENGINE_BENCH_MB", 32.0)


def large_mb() -> float:
    return _env_float("CORPUS_ENGINE_BENCH_LARGE_MB", 128.0)


def ref_mb() -> float:
    return _env_float("CORPUS_ENGINE_BENCH_REF_MB", 4.0)


def slow_rounds() -> int:
    return max(1, int(_env_float("CORPUS_ENGINE_BENCH_SLOW_ROUNDS", 3)))


def peer_rounds() -> int:
    """Rounds of the library peers: they allocate their whole output, so their rounds vary more."""
    return 2 * slow_rounds() + 1


def data_dir() -> Path:
    env = os.environ.get("CORPUS_ENGINE_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


# --------------------------------------------------------------------------- corpus


@dataclass
class Corpus:
    """One benchmark input, in both forms the kernels accept."""

    name: str  # "default", "large", "ref-slice", "lines", "lines-ref-slice"
    batch: object  # TextBatch
    docs: Optional[List[str]]  # list[str] form (None for the large corpus: buffer form only)

    @property
    def nbytes(self) -> int:
        return self.batch.nbytes

    @property
    def ndocs(self) -> int:
        return len(self.batch)


_SURROGATE = re.compile("[\ud800-\udfff]")


def load_base_docs() -> Tuple[List[bytes], Dict[str, int]]:
    """The real documents, UTF-8 encoded, shuffled with a fixed seed (sources interleaved)."""
    root = data_dir()
    paths = [root / p for p in CLEAN_FILES] + [root / NOISY_JSONL]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        pytest.skip(
            "shared benchmark data not found (set CORPUS_ENGINE_DATA or provide <repo>/../shared/data): "
            + ", ".join(missing)
        )
    docs: List[str] = []
    counts: Dict[str, int] = {}
    for rel, p in zip(CLEAN_FILES, paths):
        with open(p, encoding="utf-8") as fh:
            part = [line.rstrip("\r\n") for line in fh]
        part = [d for d in part if d.strip()]  # one document per line
        counts[rel] = len(part)
        docs += part
    with open(paths[-1], encoding="utf-8") as fh:
        part = [json.loads(line)["text"] for line in fh if line.strip()]
    counts[NOISY_JSONL] = len(part)
    docs += part
    random.Random(20240601).shuffle(docs)
    # Lone surrogates cannot be encoded; the kernels would see U+FFFD for them.
    return [_SURROGATE.sub("\ufffd", d).encode("utf-8") for d in docs], counts


def replicate(base: List[bytes], target_bytes: int) -> Tuple[bytes, np.ndarray]:
    """Repeat the documents in order until ``target_bytes`` is reached (whole documents)."""
    lens = np.fromiter((len(d) for d in base), dtype=np.int64, count=len(base))
    base_total = int(lens.sum())
    full = target_bytes // base_total
    rest = target_bytes - full * base_total
    take = int(np.searchsorted(np.cumsum(lens), rest, side="left")) + 1 if rest else 0
    take = min(take, len(base))
    blob = b"".join(base) * full + b"".join(base[:take])
    all_lens = np.concatenate([np.tile(lens, full), lens[:take]])
    offsets = np.zeros(all_lens.size + 1, dtype=np.int64)
    np.cumsum(all_lens, out=offsets[1:])
    return blob, offsets


_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def split_lines(docs: List[bytes]) -> List[bytes]:
    """The non-blank lines of the documents (line ends as the kernels see them: \\n, \\r\\n, \\r)."""
    return [ln for d in docs for ln in _LINE_BREAK.split(d) if ln.strip()]


def strided_slice(base: List[bytes], target_bytes: int) -> List[bytes]:
    """A representative subset of the documents (every k-th) of about ``target_bytes``."""
    total = sum(len(d) for d in base)
    step = max(1, int(total // max(target_bytes, 1)))
    out, n = [], 0
    for start in range(step):  # wrap around if one pass is not enough
        for d in base[start::step]:
            out.append(d)
            n += len(d)
            if n >= target_bytes:
                return out
    return out


# --------------------------------------------------------------------------- output checks

CHECK_PROBLEMS: List[str] = []


def canonical(result):
    """Result of any form -> comparable value: ndarray, or (bytes, offsets) of the texts."""
    from corpus_engine import TextBatch, _native

    if isinstance(result, np.ndarray):
        return result
    if isinstance(result, TextBatch):
        offs = result.offsets  # N+1 offsets: documents are contiguous by construction
        data = result.data[offs[0] : offs[-1]].tobytes()
        return (data, offs - offs[0])
    if isinstance(result, list):
        data, offsets = _native.pack_strings(result)
        return (np.asarray(data).tobytes(), np.asarray(offsets, dtype=np.int64))
    raise TypeError(f"cannot compare a {type(result).__name__}")


def same(a, b) -> bool:
    ca, cb = canonical(a), canonical(b)
    if isinstance(ca, np.ndarray) or isinstance(cb, np.ndarray):
        return isinstance(ca, np.ndarray) and isinstance(cb, np.ndarray) and np.array_equal(ca, cb)
    return ca[0] == cb[0] and np.array_equal(ca[1], cb[1])


def report_check(benchmark, ok: bool, what: str) -> None:
    """Record an output check in extra_info; a mismatch warns and is listed at the end."""
    checks = benchmark.extra_info.setdefault("checks", [])
    checks.append(f"{'ok' if ok else 'MISMATCH'}: {what}")
    if not ok:
        benchmark.extra_info["mismatch"] = True
        msg = f"{benchmark.name}: output differs ({what})"
        CHECK_PROBLEMS.append(msg)
        warnings.warn(msg, RuntimeWarning, stacklevel=2)


# --------------------------------------------------------------------------- throughput


def record(benchmark, corpus: Corpus, **meta) -> None:
    """Describe the run in extra_info and add MB/s and docs/s from the median."""
    info = benchmark.extra_info
    info.update(meta)
    info["corpus"] = corpus.name
    info["bytes"] = corpus.nbytes
    info["docs"] = corpus.ndocs
    stats = getattr(benchmark, "stats", None)
    if stats is not None:  # None under --benchmark-disable
        median = stats.stats.median
        info["median_s"] = median
        info["MB/s"] = corpus.nbytes / median / MB
        info["docs/s"] = corpus.ndocs / median


def make_corpus(name: str, blob: bytes, offsets: np.ndarray, with_list: bool) -> Corpus:
    from corpus_engine import TextBatch

    batch = TextBatch(blob, offsets)
    # to_strings decodes every document anew: the list form holds distinct str objects
    # (not the same few thousand repeated), so neither form runs from a hot cache.
    docs = batch.to_strings() if with_list else None
    return Corpus(name, batch, docs)
