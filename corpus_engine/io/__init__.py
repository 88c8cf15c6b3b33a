"""Readers (WET, WARC, JSONL, Parquet) and writers (JSONL/zstd, Parquet, removed, quarantine)."""

from .records import Document, Quarantined

__all__ = ["Document", "Quarantined"]
