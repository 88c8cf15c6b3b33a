"""Reads back what the writers wrote: rows (dicts) of JSONL (plain, gzip, zstd) or Parquet files."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any, Dict, Iterator


def open_binary(path):
    """The decompressed bytes of a JSONL file (plain, ``.gz`` or ``.zst``) as a binary stream."""
    name = Path(path).name
    raw = open(path, "rb")
    if name.endswith(".zst"):
        import zstandard

        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw), 1 << 20)
    if name.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw)
    return raw


try:
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - a declared dependency
    _loads = json.loads


def parse_line(line: bytes) -> Dict[str, Any]:
    """One JSONL row; what orjson refuses (NaN, escaped lone surrogates) goes to json."""
    try:
        return _loads(line)
    except ValueError:
        return json.loads(line.decode("utf-8"))


def read_rows(path) -> Iterator[Dict[str, Any]]:
    path = Path(path)
    if path.name.endswith(".parquet"):
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches():
            yield from batch.to_pylist()
        return
    stream = open_binary(path)
    try:
        for line in stream:
            if line.strip():
                yield parse_line(line)
    finally:
        stream.close()
