"""Reads back what the writers wrote: rows (dicts) of JSONL (plain, gzip, zstd) or Parquet files."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any, Dict, Iterator


def read_rows(path) -> Iterator[Dict[str, Any]]:
    path = Path(path)
    name = path.name
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches():
            yield from batch.to_pylist()
        return
    try:
        from orjson import loads
    except ImportError:  # pragma: no cover - a declared dependency
        loads = json.loads
    raw = open(path, "rb")
    if name.endswith(".zst"):
        import zstandard

        stream = io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw), 1 << 20)
    elif name.endswith(".gz"):
        stream = gzip.GzipFile(fileobj=raw)
    else:
        stream = raw
    try:
        for line in stream:
            if line.strip():
                try:
                    yield loads(line)
                except ValueError:  # what orjson refuses (NaN, escaped lone surrogates), json reads
                    yield json.loads(line.decode("utf-8"))
    finally:
        stream.close()
        raw.close()
