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
    if name.endswith(".zst"):
        import zstandard

        raw = open(path, "rb")
        stream = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(raw), encoding="utf-8")
    elif name.endswith(".gz"):
        raw = None
        stream = gzip.open(path, "rt", encoding="utf-8")
    else:
        raw = None
        stream = open(path, encoding="utf-8")
    try:
        for line in stream:
            if line.strip():
                yield json.loads(line)
    finally:
        stream.close()
        if raw is not None:
            raw.close()
