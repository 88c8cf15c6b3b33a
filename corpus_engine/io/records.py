"""What readers yield: documents with their metadata, or quarantined records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional


@dataclass
class Document:
    """One document read from a source file.

    id: stable across runs (``<source file name>:<record index>`` by default), so a
    rerun gives the same ids; text: the document text; meta: url, date,
    record_id, content_language, content_type, charset, source... (what the
    source has; values are str or None).
    """

    id: str
    text: str
    meta: Dict[str, Optional[str]] = field(default_factory=dict)


@dataclass
class Quarantined:
    """A record that could not be read, kept with its reason; nothing is dropped silently.

    source: file; index: record index in the file (or -1); offset: byte offset when
    known; reason: short machine-readable reason (e.g. "truncated-gzip",
    "malformed-warc-header", "undecodable", "empty-payload"); detail: human text;
    raw: up to 4 KiB of the raw bytes, for audit (bytes, may be None).
    """

    source: str
    index: int
    reason: str
    detail: str = ""
    offset: Optional[int] = None
    raw: Optional[bytes] = None
