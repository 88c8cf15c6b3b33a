"""Readers: WET, WARC, JSONL and Parquet files to :class:`Document` / :class:`Quarantined`.

``read_documents(path)`` picks the reader by file name (``fmt`` overrides):

=========  ==========================================================================
wet        ``.warc.wet``, ``.warc.wet.gz``, ``.wet``, ``.wet.gz``
warc       ``.warc``, ``.warc.gz``; also WAT files (``.warc.wat.gz``, ``.wat``: metadata only, all skipped)
jsonl      ``.jsonl``, ``.json``, ``.ndjson`` (plain, ``.gz``, ``.zst``); a ``.json`` file that
           holds one JSON array is read as that array
parquet    ``.parquet``
=========  ==========================================================================

Compression is recognised by its magic bytes (gzip, zstd), not by the name, so a ``.warc.gz`` that
is not compressed, or a gzip stream named ``.wet``, still reads.

WET and WARC share one lenient record reader (the record type decides, so a WET file holding
``response`` records still works):

* ``conversion`` records are documents (UTF-8 text, as Common Crawl writes it);
* ``response`` records with an HTML payload are documents: HTTP headers parsed, transfer and
  content encodings undone, charset resolved (see :mod:`corpus_engine.io.html`), HTML → text;
* everything else (``warcinfo``, ``request``, ``metadata``, ``resource``, ``revisit``, non-HTML
  or non-2xx responses...) is *skipped*: counted, with its reason, in :class:`ReadStats`, never
  yielded (it is not a document, and not a bad record either).

Framing: a record is ``WARC/x.y`` + header lines + blank line + ``Content-Length`` bytes. Gzip files
may hold one member per record (Common Crawl) or a single stream. Where ``Content-Length`` is
missing or evidently wrong (the next record does not follow it), records whose header lines end
with a bare LF (hand-written or converted files like cc_net's sample, which strict readers such
as FastWARC and warcio stop on) are framed by the next ``WARC/x.y`` line instead; records with a
proper CRLF header trust their ``Content-Length`` unless it runs over the next record's header.
Well-formed records (ASCII header, exact ``Content-Length``, the next record right after) are
framed a megabyte at a time by a native framer (``csrc/io/warc.cpp``); the first record it cannot
frame goes through the Python framing, so both give the same records (tests/test_io_warc_fastpath.py).

Bad input never raises: a truncated or corrupt gzip member, a malformed header, junk between
records, an undecodable page, a bad JSON line or a missing text field each becomes a
:class:`Quarantined` (reason, detail, offset, the first 4 KiB of the raw bytes) and reading goes
on; a corrupt gzip member is skipped by looking for the next member. A missing file, a directory
or an unknown format is a usage error and raises at once.

Document ids are ``<file name>:<n>``: n is the 0-based record index for WET/WARC (records of any
type count, so ids do not move when skipping rules change), the 1-based line number for JSONL, the
0-based element index for a JSON array file, and the 0-based row number for Parquet.

Counts always add up: ``records == documents + skipped + quarantined`` (:class:`ReadStats`).
Blank JSONL lines are not records.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, Optional, Tuple, Union

from . import html as _html
from .records import Document, Quarantined

__all__ = [
    "FORMATS",
    "ReadStats",
    "DocumentReader",
    "read_documents",
    "read_stats",
    "detect_format",
    "WARC_META_KEYS",
    "WarcRecord",
    "iter_warc_records",
]

FORMATS = ("wet", "warc", "jsonl", "parquet")
_FMT_ALIASES = {"wet": "wet", "warc": "warc", "wat": "warc", "jsonl": "jsonl", "json": "jsonl", "ndjson": "jsonl",
                "parquet": "parquet"}
_COMPRESSION_SUFFIXES = (".gz", ".zst", ".zstd")

RAW_LIMIT = 4096  # bytes of raw input kept with a quarantined record
CHUNK = 1 << 20  # bytes read from the file at a time
_FEED = 32 << 10  # compressed bytes given to the decompressor at a time
MAX_WARC_HEADER = 1 << 20  # a WARC header longer than this is malformed
MAX_RECORD = 256 << 20  # a leniently framed block (no usable Content-Length) larger than this is malformed
MAX_BLOCK = 64 << 20  # larger blocks (videos, archives in wget WARCs) are streamed past, skipped as "oversized"
_COMPACT_AT = 4 << 20
_LOOKAHEAD = 1 << 20  # decompressed bytes handed to the native framer at a time

try:  # ISA-L's inflate: about 1.4x zlib's on Common Crawl's small gzip members
    from isal import isal_zlib as _gzip_inflate
except ImportError:  # pragma: no cover - isal is a dependency; zlib is the fallback
    _gzip_inflate = zlib

try:  # the strict framer of csrc/io/warc.cpp; without it the Python framing below does everything
    from .._native import warc_frame_strict as _frame_strict
except ImportError:  # pragma: no cover - the extension is part of the package
    _frame_strict = None

# The meta keys of every WET/WARC document (None where the record has no such field).
WARC_META_KEYS = ("source", "url", "date", "record_id", "refers_to", "content_language", "content_type", "charset")

Item = Union[Document, Quarantined]


# ---------------------------------------------------------------------------
# Formats


def detect_format(path: Union[str, os.PathLike]) -> str:
    """``wet``, ``warc``, ``jsonl`` or ``parquet`` from the file name; ValueError when unknown."""
    name = Path(path).name.lower()
    base = _strip_compression(name)
    if base.endswith(".wet"):
        return "wet"
    if base.endswith((".warc", ".wat", ".arc")):
        return "warc"
    if base.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    if name.endswith(".parquet") or base.endswith(".parquet"):
        return "parquet"
    raise ValueError(
        f"unknown input format for {Path(path).name!r}: expected .warc.wet[.gz], .wet[.gz], .warc[.gz], "
        f".jsonl/.json/.ndjson[.gz|.zst] or .parquet (or pass fmt= one of {', '.join(FORMATS)})")


def _strip_compression(name: str) -> str:
    for suf in _COMPRESSION_SUFFIXES:
        if name.endswith(suf):
            return name[: -len(suf)]
    return name


def _resolve_format(path: Path, fmt: Optional[str]) -> str:
    if fmt is None or fmt == "auto":
        return detect_format(path)
    key = str(fmt).lower().lstrip(".")
    if key not in _FMT_ALIASES:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return _FMT_ALIASES[key]


# ---------------------------------------------------------------------------
# Counts


@dataclass
class ReadStats:
    """What a reader saw in one file. Invariant: ``records == documents + skipped + quarantined``.

    ``skipped``: records that are not documents (warcinfo, request, metadata, non-HTML...), by
    reason in ``skipped_reasons``; ``quarantined``: bad records, by reason in ``quarantine_reasons``;
    ``lenient``: WET/WARC records framed by the next ``WARC/`` line because their
    Content-Length was missing or wrong; ``blank_lines``: empty JSONL lines (not records);
    ``bytes_in``: size of the file; ``bytes_decompressed``: bytes after decompression.
    """

    source: str = ""
    fmt: str = ""
    records: int = 0
    documents: int = 0
    skipped: int = 0
    quarantined: int = 0
    skipped_reasons: Counter = field(default_factory=Counter)
    quarantine_reasons: Counter = field(default_factory=Counter)
    lenient: int = 0
    blank_lines: int = 0
    bytes_in: int = 0
    bytes_decompressed: int = 0

    def reset(self, source: str = "", fmt: str = "") -> None:
        self.__init__(source=source, fmt=fmt)  # type: ignore[misc]

    def document(self) -> None:
        self.records += 1
        self.documents += 1

    def skip(self, reason: str) -> None:
        self.records += 1
        self.skipped += 1
        self.skipped_reasons[reason] += 1

    def quarantine(self, reason: str) -> None:
        self.records += 1
        self.quarantined += 1
        self.quarantine_reasons[reason] += 1

    @property
    def consistent(self) -> bool:
        return (self.records == self.documents + self.skipped + self.quarantined
                and sum(self.skipped_reasons.values()) == self.skipped
                and sum(self.quarantine_reasons.values()) == self.quarantined)

    def merge(self, other: "ReadStats") -> "ReadStats":
        """Adds another file's counts into this one (``source`` becomes ``"*"`` when they differ)."""
        if self.source != other.source:
            self.source = "*" if self.source else other.source
        if self.fmt != other.fmt:
            self.fmt = "*" if self.fmt else other.fmt
        for k in ("records", "documents", "skipped", "quarantined", "lenient", "blank_lines", "bytes_in",
                  "bytes_decompressed"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.skipped_reasons.update(other.skipped_reasons)
        self.quarantine_reasons.update(other.quarantine_reasons)
        return self

    def to_dict(self) -> Dict[str, Any]:
        return {
            "source": self.source, "fmt": self.fmt, "records": self.records, "documents": self.documents,
            "skipped": self.skipped, "quarantined": self.quarantined,
            "skipped_reasons": dict(sorted(self.skipped_reasons.items())),
            "quarantine_reasons": dict(sorted(self.quarantine_reasons.items())),
            "lenient": self.lenient, "blank_lines": self.blank_lines, "bytes_in": self.bytes_in,
            "bytes_decompressed": self.bytes_decompressed,
        }


# ---------------------------------------------------------------------------
# Decompressed byte stream, with breaks where the compressed input is damaged


@dataclass
class _Break:
    """A place where decompression failed: data before it is good, a record spanning it is lost."""

    reason: str  # truncated-gzip, corrupt-gzip, truncated-zstd, corrupt-zstd
    detail: str
    comp_offset: int  # offset in the (compressed) file of the damaged member


_GZIP_MAGIC = b"\x1f\x8b"
_PLAIN_GZIP = b"\x1f\x8b\x08\x00"  # deflate, no header flags: Common Crawl's members
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _sniff_compression(fh) -> Optional[str]:
    head = fh.read(4)
    fh.seek(0)
    if head.startswith(_GZIP_MAGIC):
        return "gzip"
    if head.startswith(_ZSTD_MAGIC):
        return "zstd"
    return None


class _Source:
    """Yields decompressed chunks (bytes) and ``_Break`` events for one file. Never raises for
    damaged input; counts bytes for the stats."""

    def __init__(self, path: Path, stats: ReadStats, chunk: int = CHUNK):
        self.path = path
        self.stats = stats
        self.chunk = chunk
        self.compression: Optional[str] = None

    def __iter__(self) -> Iterator[Union[bytes, _Break]]:
        with open(self.path, "rb") as fh:
            self.stats.bytes_in = os.fstat(fh.fileno()).st_size
            self.compression = _sniff_compression(fh)
            if self.compression is None:
                while True:
                    data = fh.read(self.chunk)
                    if not data:
                        return
                    self.stats.bytes_decompressed += len(data)
                    yield data
            else:
                yield from self._members(fh, self.compression)

    def _new(self, kind: str, fast: bool = False):
        if kind == "gzip":
            return (_gzip_inflate if fast else zlib).decompressobj(31)
        import zstandard

        return zstandard.ZstdDecompressor().decompressobj()

    def _members(self, fh, kind: str) -> Iterator[Union[bytes, _Break]]:
        """Decompresses member after member (gzip members / zstd frames); on damage, reports a break
        and resynchronises on the next member's magic bytes.

        Input goes to the decompressor in slices of ``_FEED`` bytes: a decompressor copies what it did
        not consume into ``unused_data``, and Common Crawl files have one small member per record.
        """
        magic = _GZIP_MAGIC + b"\x08" if kind == "gzip" else _ZSTD_MAGIC
        errors: Tuple[type, ...] = (zlib.error, _gzip_inflate.error)
        if kind == "zstd":
            import zstandard

            errors = (zstandard.ZstdError,)
        d = self._new(kind)
        member_start = 0  # file offset of the current member
        fed = False  # the current member got input
        base = 0  # file offset of view[0]
        view = memoryview(b"")
        off = 0
        # ISA-L inflates a member whose header is the plain one (no flags); zlib anything else.
        # ISA-L does not reject reserved header flags and words its errors differently, so a member
        # it fails on (or that the file cuts) is inflated again by zlib, whose output and errors are
        # the reference; ``skip`` drops the bytes ISA-L already gave.
        fast = kind == "gzip" and _gzip_inflate is not zlib
        isal_member = False
        zlib_at = -1  # a member start that zlib replays
        member_out = skip = 0
        while True:
            if off >= len(view):
                base += len(view)
                block = fh.read(self.chunk)
                if not block:
                    if isal_member and fed and not d.eof:  # truncated: zlib gives the reference prefix
                        base, view, off = self._reread(fh, member_base, member_start)
                        fed, zlib_at, skip, isal_member = False, member_start, member_out, False
                        continue
                    break
                view, off = memoryview(block), 0
            piece = view[off:off + _FEED]
            if not fed:
                member_start, member_base = base + off, base
                if fast:
                    isal_member = member_start != zlib_at and piece[:4] == _PLAIN_GZIP
                    d = self._new(kind, isal_member)
                    if isal_member:
                        member_out = skip = 0
            try:
                out = d.decompress(piece)
            except errors as e:
                if isal_member:
                    base, view, off = self._reread(fh, member_base, member_start)
                    fed, zlib_at, skip, isal_member = False, member_start, member_out, False
                    continue
                if not fed and self._only_zeros(fh, view[off:]):
                    return  # zero padding after the last member
                yield from self._salvage(fh, kind, errors, member_start, base + off, bytes(piece), skip)
                skip = 0
                what = f"garbage after the last {kind} member" if not fed else f"corrupt {kind} member"
                yield _Break(f"corrupt-{kind}", f"{what} at byte {member_start}: {e}", member_start)
                nxt = self._resync(fh, member_start + 1, magic)
                if nxt is None:
                    return
                fh.seek(nxt)
                base, view, off, fed = nxt, memoryview(b""), 0, False
                d = self._new(kind)
                continue
            fed = True
            if skip and out:
                cut = min(skip, len(out))
                out, skip = out[cut:], skip - cut
            if out:
                member_out += len(out)
                self.stats.bytes_decompressed += len(out)
                yield out
            if d.eof:
                off += len(piece) - len(d.unused_data)
                d = self._new(kind)
                fed = False
                skip = 0
            else:
                off += len(piece)
        if fed and not d.eof:
            yield _Break(f"truncated-{kind}", f"{kind} stream ends inside the member starting at byte {member_start} "
                                              f"(file is {base} bytes)", member_start)

    def _reread(self, fh, base: int, at: int):
        """The block read at ``base`` again, positioned at ``at``: zlib replays a member in the very
        slices the first pass used, so where the damage falls relative to them is the same."""
        fh.seek(base)
        view = memoryview(fh.read(self.chunk))
        return base, view, at - base

    def _salvage(self, fh, kind: str, errors, member_start: int, fail_at: int, piece: bytes,
                 skip: int = 0) -> Iterator[bytes]:
        """The output the damaged member still gives before the error, whatever the read sizes were.

        A decompressor that fails in a call returns nothing from that call, so how much of a
        damaged member came out would depend on the slicing of the input. This replays the member
        up to the failing slice (output already given), then feeds that slice byte by byte: the
        result is the longest decodable prefix, the same for any chunk size. Runs only on damage.
        ``skip``: bytes of that output given already (by ISA-L, before zlib replayed the member).
        """
        d = self._new(kind)
        try:
            fh.seek(member_start)
            remaining = fail_at - member_start
            while remaining > 0:
                block = fh.read(min(self.chunk, remaining))
                if not block:
                    return
                remaining -= len(block)
                d.decompress(block)
            for i in range(len(piece)):
                out = d.decompress(piece[i:i + 1])
                if skip and out:
                    cut = min(skip, len(out))
                    out, skip = out[cut:], skip - cut
                if out:
                    self.stats.bytes_decompressed += len(out)
                    yield out
                if d.eof:
                    return
        except errors:
            return

    def _only_zeros(self, fh, rest) -> bool:
        """True when ``rest`` (the unread part of the current block) and the rest of the file are NUL bytes."""
        if bytes(rest).strip(b"\x00"):
            return False
        here = fh.tell()
        while True:
            more = fh.read(self.chunk)
            if not more:
                return True
            if more.strip(b"\x00"):
                fh.seek(here)
                return False

    def _resync(self, fh, start: int, magic: bytes) -> Optional[int]:
        """File offset of the next member magic at or after ``start``; None when there is none."""
        fh.seek(start)
        tail = b""
        base = start
        while True:
            block = fh.read(self.chunk)
            if not block:
                return None
            buf = tail + block
            i = buf.find(magic)
            if i >= 0:
                return base + i
            keep = len(magic) - 1
            tail = buf[-keep:]
            base += len(buf) - len(tail)


class _Buffer:
    """Look-ahead over the decompressed stream, one segment (the bytes between two breaks) at a time.

    Positions are indices into ``buf``; ``origin`` is the stream offset of ``buf[0]``. The buffer is
    compacted only in ``advance`` so indices held by the parser stay valid while it fills.
    """

    def __init__(self, events: Iterable[Union[bytes, _Break]]):
        self._events = iter(events)
        self.buf = bytearray()
        self.origin = 0
        self.pos = 0
        self.seg_end = False
        self.brk: Optional[_Break] = None
        self.eof = False

    def fill(self) -> bool:
        """Appends the next chunk of the segment; False at the end of the segment."""
        if self.seg_end:
            return False
        for ev in self._events:
            if isinstance(ev, _Break):
                self.seg_end = True
                self.brk = ev
                return False
            if ev:
                self.buf += ev
                return True
        self.seg_end = True
        self.eof = True
        return False

    def ensure(self, end: int) -> bool:
        """Fills until ``buf`` holds index ``end - 1``; False if the segment ends first."""
        while len(self.buf) < end:
            if not self.fill():
                return False
        return True

    def advance(self, to: int) -> None:
        self.pos = to
        if to > _COMPACT_AT and to > len(self.buf) // 2:
            del self.buf[:to]
            self.origin += to
            self.pos = 0

    def skip_to(self, end: int) -> bool:
        """Moves to index ``end`` without keeping the bytes on the way (memory stays bounded);
        False when the segment ends first."""
        target = self.origin + end
        while self.origin + len(self.buf) < target:
            self.origin += len(self.buf)
            self.buf = bytearray()
            self.pos = 0
            if not self.fill():
                return False
        self.advance(target - self.origin)
        return True

    def next_segment(self) -> None:
        """Drops what is left of the segment and moves past its break."""
        self.origin += len(self.buf)
        self.buf = bytearray()
        self.pos = 0
        self.brk = None
        self.seg_end = self.eof

    def offset(self, i: int) -> int:
        return self.origin + i


# ---------------------------------------------------------------------------
# WARC / WET

_WS = re.compile(rb"[\r\n\t \x00]*")
_HDR_END = re.compile(rb"\n\r?\n")
_RECORD_START = re.compile(rb"\nWARC/[0-9]+\.[0-9]+\r?\n")


@dataclass
class WarcRecord:
    """One framed WARC record (see :func:`iter_warc_records`)."""

    index: int
    offset: int  # in the decompressed stream
    headers: Dict[str, str]  # lower-case names, first occurrence wins
    block: bytes
    lenient: bool
    raw_head: bytes  # first bytes of the record, for quarantine
    oversized: bool = False  # block larger than MAX_BLOCK: not kept (``block`` is empty)


def _parse_warc_header(head: bytes) -> Tuple[str, Dict[str, str]]:
    """Version line and fields (lower-case names, the first occurrence of a name wins); lines
    without a colon are ignored, folded continuation lines are joined."""
    text = head.decode("utf-8", "replace")
    if "\n " in text or "\n\t" in text:  # obsolete line folding: rare
        text = re.sub(r"\r?\n[ \t]+", " ", text)
    lines = text.split("\n")
    headers: Dict[str, str] = {}
    for ln in lines[1:]:
        name, sep, value = ln.partition(":")
        if sep and name:
            key = name.strip().lower()
            if key not in headers:
                headers[key] = value.strip()
    return lines[0].strip(), headers


def _content_length(headers: Dict[str, str]) -> Optional[int]:
    v = headers.get("content-length", "").strip()
    return int(v) if v.isdigit() else None


class _WarcParser:
    """Frames records out of a decompressed stream; yields ``WarcRecord`` or ``Quarantined``."""

    def __init__(self, source: _Source, name: str, stats: ReadStats):
        self.source = source
        self.name = name
        self.stats = stats
        self.index = 0

    def _q(self, B: _Buffer, start: int, end: int, reason: str, detail: str) -> Quarantined:
        q = Quarantined(source=self.name, index=self.index, reason=reason, detail=detail, offset=B.offset(start),
                        raw=bytes(B.buf[start:min(end, start + RAW_LIMIT)]) or None)
        self.index += 1
        return q

    def _break_q(self, B: _Buffer, start: int, what: str) -> Quarantined:
        brk = B.brk
        assert brk is not None
        q = self._q(B, start, len(B.buf), brk.reason, f"{what}: {brk.detail}")
        B.next_segment()
        return q

    def __iter__(self) -> Iterator[Union[WarcRecord, Quarantined]]:
        B = _Buffer(self.source)
        while True:
            if _frame_strict is not None:
                # Native fast path: the well-formed records of the next megabyte or so, framed
                # as below would frame them; the first one it cannot frame is left to the code below.
                B.ensure(B.pos + _LOOKAHEAD)
                frames = _frame_strict(B.buf, B.pos, MAX_WARC_HEADER, MAX_BLOCK)
                if frames:
                    buf = B.buf
                    for start, hs, end, nxt, headers in frames:
                        rec = WarcRecord(self.index, B.offset(start), headers, bytes(buf[hs:end]), False,
                                         bytes(buf[start:min(end, start + RAW_LIMIT)]))
                        self.index += 1
                        yield rec
                    B.advance(nxt)
            # Skip the blank lines between records.
            while True:
                i = _WS.match(B.buf, B.pos).end()
                if i < len(B.buf):
                    B.advance(i)
                    break
                B.advance(len(B.buf))
                if not B.fill():
                    break
            if B.pos >= len(B.buf):
                if B.brk is not None:
                    yield self._break_q(B, B.pos, "damaged input between records")
                    continue
                return
            start = B.pos
            B.ensure(start + 16)
            if not B.buf.startswith(b"WARC/", start):
                yield self._junk(B, start)
                continue
            # Header
            m = None
            scan = start
            while True:
                m = _HDR_END.search(B.buf, max(scan - 2, start), start + MAX_WARC_HEADER)
                if m is not None or len(B.buf) - start >= MAX_WARC_HEADER:
                    break
                scan = len(B.buf)
                if not B.fill():
                    break
            if m is None:
                if len(B.buf) - start >= MAX_WARC_HEADER:
                    q = self._q(B, start, len(B.buf), "malformed-warc-header",
                                f"no end of header within {MAX_WARC_HEADER} bytes")
                    B.advance(start + 1)
                    yield q
                    continue
                if B.brk is not None:
                    yield self._break_q(B, start, "record header cut")
                else:
                    yield self._q(B, start, len(B.buf), "truncated-record", "file ends inside a WARC header")
                    B.advance(len(B.buf))
                continue
            head = bytes(B.buf[start:m.start()])
            hs = m.end()  # block start
            version, headers = _parse_warc_header(head)
            lf_only = b"\r\n" not in head
            cl = _content_length(headers)
            block_end = None  # exclusive
            next_pos = None
            lenient = False
            if cl is not None and cl > MAX_BLOCK:
                raw_head = bytes(B.buf[start:min(len(B.buf), start + RAW_LIMIT)])
                rec = WarcRecord(self.index, B.offset(start), headers, b"", False, raw_head, oversized=True)
                if not B.skip_to(hs + cl):
                    q = Quarantined(self.name, self.index, B.brk.reason if B.brk else "truncated-record",
                                    f"record of {cl} bytes cut" + (f": {B.brk.detail}" if B.brk else ""),
                                    rec.offset, raw_head or None)
                    self.index += 1
                    if B.brk is not None:
                        B.next_segment()
                    yield q
                    continue
                self.index += 1
                yield rec
                continue
            if cl is not None:
                need = hs + cl
                if B.ensure(need):
                    # Check that the next record (or the end) follows the block.
                    j = need
                    while True:
                        j = _WS.match(B.buf, j).end()
                        if j < len(B.buf) or not B.fill():
                            break
                    B.ensure(j + 5)
                    if j >= len(B.buf) or B.buf.startswith(b"WARC/", j):
                        block_end, next_pos = need, j
                    else:
                        inner = _RECORD_START.search(B.buf, hs - 1, need)
                        if inner is None and not lf_only:
                            # A proper CRLF record: trust Content-Length; what follows is junk.
                            block_end, next_pos = need, j
                else:
                    inner = _RECORD_START.search(B.buf, hs - 1)
                    if inner is None and not (lf_only and B.brk is None):
                        if B.brk is not None:
                            yield self._break_q(B, start, f"record of {cl} bytes cut after {len(B.buf) - hs}")
                        else:
                            yield self._q(B, start, len(B.buf), "truncated-record",
                                          f"Content-Length {cl} but the file ends after {len(B.buf) - hs} bytes")
                            B.advance(len(B.buf))
                        continue
            if block_end is None:
                # Lenient framing: the block runs to the next "WARC/x.y" line (or the end of the segment).
                lenient = True
                scan = hs - 1
                while True:
                    mm = _RECORD_START.search(B.buf, max(scan, hs - 1))
                    if mm is not None or len(B.buf) - hs > MAX_RECORD:
                        break
                    scan = len(B.buf) - 16
                    if not B.fill():
                        break
                if mm is not None:
                    block_end, next_pos = mm.start(), mm.start() + 1
                elif B.brk is not None:
                    yield self._break_q(B, start, "record cut")
                    continue
                elif len(B.buf) - hs > MAX_RECORD:
                    q = self._q(B, start, len(B.buf), "malformed-warc-header", "record larger than the limit")
                    B.advance(len(B.buf))
                    yield q
                    continue
                else:
                    block_end, next_pos = len(B.buf), len(B.buf)
                while block_end > hs and B.buf[block_end - 1] in (10, 13):
                    block_end -= 1
            rec = WarcRecord(self.index, B.offset(start), headers, bytes(B.buf[hs:block_end]), lenient,
                              bytes(B.buf[start:min(block_end, start + RAW_LIMIT)]))
            self.index += 1
            if lenient:
                self.stats.lenient += 1
            B.advance(next_pos)
            yield rec

    def _junk(self, B: _Buffer, start: int) -> Quarantined:
        """Bytes where a record should start but does not: quarantined up to the next record
        (only their first 4 KiB are kept, so a large non-WARC file does not fill memory)."""
        B.ensure(start + RAW_LIMIT)
        raw = bytes(B.buf[start:start + RAW_LIMIT])
        offset = B.offset(start)
        scan = start
        while True:
            m = _RECORD_START.search(B.buf, scan)
            if m is not None:
                end = m.start() + 1
                break
            keep = max(scan, len(B.buf) - 16)
            B.advance(keep)
            scan = B.pos
            if not B.fill():
                end = len(B.buf)
                break
        size = B.offset(end) - offset
        q = Quarantined(self.name, self.index, "malformed-warc-header",
                        f"{size} bytes that are not a WARC record (expected 'WARC/')", offset, raw[:size] or None)
        self.index += 1
        B.advance(end)
        return q


def iter_warc_records(path: Union[str, os.PathLike], stats: Optional[ReadStats] = None,
                      chunk: int = CHUNK) -> Iterator[Union[WarcRecord, Quarantined]]:
    """The raw records of a WARC/WET/WAT file as the lenient reader frames them (headers with
    lower-case names, the block bytes), or ``Quarantined`` where framing failed. For audits and
    tests; ``read_documents`` is the reader for the pipeline."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"input file not found: {p}")
    st = stats if stats is not None else ReadStats(p.name, "warc")
    return iter(_WarcParser(_Source(p, st, chunk), p.name, st))


def _strip_uri(uri: Optional[str]) -> Optional[str]:
    if uri is None:
        return None
    uri = uri.strip()
    if uri.startswith("<") and uri.endswith(">"):
        uri = uri[1:-1].strip()
    return uri or None


def _warc_meta(rec: WarcRecord, name: str) -> Dict[str, Optional[str]]:
    h = rec.headers
    return {
        "source": name,
        "url": _strip_uri(h.get("warc-target-uri")),
        "date": h.get("warc-date"),
        "record_id": h.get("warc-record-id"),
        "refers_to": h.get("warc-refers-to"),
        "content_language": h.get("warc-identified-content-language"),
        "content_type": None,
        "charset": None,
    }


def _read_warc(path: Path, stats: ReadStats, *, html_main_content: bool = False, chunk: int = CHUNK) -> Iterator[Item]:
    name = path.name
    parser = _WarcParser(_Source(path, stats, chunk), name, stats)
    for rec in parser:
        if isinstance(rec, Quarantined):
            stats.quarantine(rec.reason)
            yield rec
            continue
        if rec.oversized:
            stats.skip("oversized")
            continue
        wtype = (rec.headers.get("warc-type") or "none").strip().lower()
        try:
            if wtype == "conversion":
                item = _conversion(rec, name)
            elif wtype == "response":
                item = _response(rec, name, html_main_content)
            else:
                item = wtype
        except ImportError:  # a missing library is a setup error, not a bad record
            raise
        except Exception as e:  # anything unexpected in one record must not stop the file
            item = Quarantined(name, rec.index, "unreadable-record", f"{type(e).__name__}: {e}", rec.offset,
                               rec.raw_head or None)
        if isinstance(item, str):
            stats.skip(item)
        elif isinstance(item, Quarantined):
            stats.quarantine(item.reason)
            yield item
        else:
            stats.document()
            yield item


def _conversion(rec: WarcRecord, name: str) -> Union[Document, Quarantined]:
    meta = _warc_meta(rec, name)
    ctype = rec.headers.get("content-type")
    meta["content_type"] = ctype.split(";", 1)[0].strip().lower() if ctype else None
    if not rec.block:
        return Quarantined(name, rec.index, "empty-payload", "conversion record with an empty block", rec.offset,
                           rec.raw_head or None)
    try:
        text = rec.block.decode("utf-8")
        meta["charset"] = "utf-8"
    except UnicodeDecodeError:
        try:
            text, codec, _ = _html.decode_text(rec.block, [(_html.declared_charset(ctype), "header"), ("utf-8", "wet")])
        except _html.Undecodable as e:
            return Quarantined(name, rec.index, "undecodable", str(e), rec.offset, rec.block[:RAW_LIMIT])
        meta["charset"] = codec
    return Document(f"{name}:{rec.index}", text, meta)


def _response(rec: WarcRecord, name: str, main_content: bool) -> Union[Document, Quarantined, str]:
    wct = (rec.headers.get("content-type") or "").lower()
    if not rec.block.startswith(b"HTTP/"):
        if "application/http" in wct:
            return Quarantined(name, rec.index, "malformed-http", "response block without an HTTP status line",
                               rec.offset, rec.block[:RAW_LIMIT] or None)
        return "non-http"  # dns: and other non-HTTP responses
    try:
        resp = _html.parse_http_response(rec.block)
    except ValueError as e:
        return Quarantined(name, rec.index, "malformed-http", str(e), rec.offset, rec.block[:RAW_LIMIT])
    if resp.status is not None and not 200 <= resp.status < 300:
        return f"http-{resp.status // 100}xx"
    try:
        body = _html.decode_body(resp)
    except _html.Undecodable as e:
        return Quarantined(name, rec.index, "undecodable", str(e), rec.offset, rec.block[:RAW_LIMIT])
    ctype = resp.content_type
    if not _html.is_html(ctype, body, rec.headers.get("warc-identified-payload-type")):
        return "non-html"
    meta = _warc_meta(rec, name)
    meta["content_type"] = ctype or "text/html"
    if not body.strip():
        return Quarantined(name, rec.index, "empty-payload", "HTML response with an empty body", rec.offset,
                           rec.block[:RAW_LIMIT])
    declared = [(resp.charset, "http"), (_html.meta_charset(body), "meta")]
    try:
        page, codec, _ = _html.decode_text(body, declared)
    except _html.Undecodable as e:
        return Quarantined(name, rec.index, "undecodable", str(e), rec.offset, rec.block[:RAW_LIMIT])
    meta["charset"] = codec
    try:
        text = _html.html_to_text(page, main_content=main_content)
    except Exception as e:
        return Quarantined(name, rec.index, "html-extract-failed", f"{type(e).__name__}: {e}", rec.offset,
                           rec.block[:RAW_LIMIT])
    return Document(f"{name}:{rec.index}", text, meta)


# ---------------------------------------------------------------------------
# JSONL


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(obj: Any) -> Any:
    """JSON may escape lone UTF-16 surrogates (``"\\ud800"``), which no UTF-8 writer or native kernel
    accepts: they become U+FFFD."""
    if isinstance(obj, str):
        return _SURROGATE.sub("\ufffd", obj)
    if isinstance(obj, dict):
        return {_no_surrogates(k): _no_surrogates(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_no_surrogates(v) for v in obj]
    return obj


def _row_to_item(obj: Any, name: str, index: int, id_default: str, text_field: str, id_field: Optional[str],
                 offset: Optional[int], raw: Optional[bytes], where: str) -> Item:
    """A JSON object / Parquet row to a Document (or a Quarantined); ``where``: "line 7", "row 3"..."""
    if not isinstance(obj, dict):
        return Quarantined(name, index, "not-an-object", f"{where}: JSON {type(obj).__name__}, not an object",
                           offset, raw)
    text = obj.get(text_field)
    if text is None:
        why = "missing" if text_field not in obj else "null"
        return Quarantined(name, index, "missing-text-field", f"{where}: text field {text_field!r} is {why}",
                           offset, raw)
    if not isinstance(text, str):
        return Quarantined(name, index, "bad-text-field",
                           f"{where}: text field {text_field!r} is a {type(text).__name__}, not a string", offset, raw)
    doc_id = id_default
    if id_field is not None:
        v = obj.get(id_field)
        if isinstance(v, str) and v:
            doc_id = v
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            doc_id = str(v)
    meta: Dict[str, Optional[str]] = {}
    for k, v in obj.items():
        if k == text_field or k == id_field:
            continue
        if isinstance(v, str) or v is None:
            meta[k] = v
    meta.setdefault("source", name)
    return Document(doc_id, text, meta)


def _read_jsonl(path: Path, stats: ReadStats, *, text_field: str, id_field: Optional[str],
                chunk: int = CHUNK) -> Iterator[Item]:
    name = path.name
    lineno = 0
    offset = 0  # decompressed offset of the pending partial line
    parts: list = []  # the pending partial line, in pieces (a long line spans many chunks)
    first = True
    array_mode = False
    for ev in _Source(path, stats, chunk):
        if isinstance(ev, _Break):
            # The partial line before the break is lost with its member.
            pending = b"".join(parts)
            parts = []
            lineno += 1
            stats.quarantine(ev.reason)
            yield Quarantined(name, lineno, ev.reason, f"line {lineno}: {ev.detail}", offset,
                              pending[:RAW_LIMIT] or None)
            offset += len(pending)
            continue
        if first:
            first = False
            lead = ev.lstrip(b" \t\r\n\xef\xbb\xbf")[:1]
            if lead == b"[" and _strip_compression(name.lower()).endswith(".json"):
                array_mode = True
        if array_mode or b"\n" not in ev:
            parts.append(ev)
            continue
        parts.append(ev)
        lines = b"".join(parts).split(b"\n")
        parts = [lines.pop()]
        for ln in lines:
            lineno += 1
            item = _jsonl_line(ln, name, lineno, offset, text_field, id_field, stats)
            offset += len(ln) + 1
            if item is not None:
                yield item
    pending = b"".join(parts)
    if array_mode:
        yield from _json_array(pending, name, stats, text_field, id_field)
        return
    if pending:
        lineno += 1
        item = _jsonl_line(pending, name, lineno, offset, text_field, id_field, stats)
        if item is not None:
            yield item


def _jsonl_line(ln: bytes, name: str, lineno: int, offset: int, text_field: str, id_field: Optional[str],
                stats: ReadStats) -> Optional[Item]:
    if lineno == 1 and ln.startswith(b"\xef\xbb\xbf"):
        ln = ln[3:]
    if ln.endswith(b"\r"):
        ln = ln[:-1]
    if not ln.strip():
        stats.blank_lines += 1
        return None
    raw = ln[:RAW_LIMIT]
    try:
        s = ln.decode("utf-8")
    except UnicodeDecodeError as e:
        stats.quarantine("undecodable")
        return Quarantined(name, lineno, "undecodable", f"line {lineno}: invalid UTF-8 at byte {e.start}", offset, raw)
    try:
        obj = json.loads(s)
    except ValueError as e:
        stats.quarantine("bad-json")
        return Quarantined(name, lineno, "bad-json", f"line {lineno}: {e}", offset, raw)
    if b"\\ud" in ln or b"\\uD" in ln:
        obj = _no_surrogates(obj)
    item = _row_to_item(obj, name, lineno, f"{name}:{lineno}", text_field, id_field, offset, raw, f"line {lineno}")
    if isinstance(item, Quarantined):
        stats.quarantine(item.reason)
    else:
        stats.document()
    return item


def _object_item(obj: Any, name: str, i: int, text_field: str, id_field: Optional[str], stats: ReadStats,
                 where: str) -> Item:
    """A parsed JSON element or Parquet row as a document, or quarantined with its JSON as raw bytes."""
    item = _row_to_item(obj, name, i, f"{name}:{i}", text_field, id_field, None, None, where)
    if isinstance(item, Quarantined):
        item.raw = json.dumps(obj, ensure_ascii=False, default=str).encode("utf-8", "replace")[:RAW_LIMIT]
        stats.quarantine(item.reason)
    else:
        stats.document()
    return item


def _json_array(data: bytes, name: str, stats: ReadStats, text_field: str, id_field: Optional[str]) -> Iterator[Item]:
    try:
        arr = json.loads(data.decode("utf-8-sig"))
    except ValueError as e:  # UnicodeDecodeError is a ValueError
        stats.quarantine("bad-json")
        yield Quarantined(name, -1, "bad-json", f"JSON array file: {e}", 0, data[:RAW_LIMIT])
        return
    if b"\\ud" in data or b"\\uD" in data:
        arr = _no_surrogates(arr)
    if not isinstance(arr, list):
        stats.quarantine("not-an-object")
        yield Quarantined(name, -1, "not-an-object", f"top-level JSON {type(arr).__name__}", 0, data[:RAW_LIMIT])
        return
    for i, obj in enumerate(arr):
        yield _object_item(obj, name, i, text_field, id_field, stats, f"element {i}")


# ---------------------------------------------------------------------------
# Parquet


def _read_parquet(path: Path, stats: ReadStats, *, text_field: str, id_field: Optional[str],
                  batch_rows: int = 8192) -> Iterator[Item]:
    name = path.name
    stats.bytes_in = path.stat().st_size
    try:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        n_groups = pf.metadata.num_row_groups
    except ImportError:
        raise
    except Exception as e:
        with open(path, "rb") as fh:
            raw = fh.read(RAW_LIMIT)
        stats.quarantine("bad-parquet")
        yield Quarantined(name, -1, "bad-parquet", f"{type(e).__name__}: {e}", 0, raw)
        return
    row = 0
    for g in range(n_groups):
        g_rows = pf.metadata.row_group(g).num_rows
        done = 0
        try:
            for batch in pf.iter_batches(batch_size=batch_rows, row_groups=[g]):
                for obj in batch.to_pylist():
                    i = row + done
                    done += 1
                    yield _object_item(obj, name, i, text_field, id_field, stats, f"row {i}")
        except Exception as e:
            stats.quarantine("bad-parquet")
            yield Quarantined(name, row + done, "bad-parquet",
                              f"row group {g}: rows {row + done}..{row + g_rows - 1} unreadable: {type(e).__name__}: {e}",
                              None, None)
        row += g_rows


# ---------------------------------------------------------------------------
# Public API


class DocumentReader:
    """An iterable over the documents and quarantined records of one file; ``stats`` holds the
    counts of the last (or current) pass. Iterating again reads the file again."""

    def __init__(self, path: Union[str, os.PathLike], *, text_field: str = "text", id_field: Optional[str] = None,
                 fmt: Optional[str] = None, html_main_content: bool = False, stats: Optional[ReadStats] = None):
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"input file not found: {p}")
        if p.is_dir():
            raise IsADirectoryError(f"input is a directory, not a file: {p}")
        self.path = p
        self.fmt = _resolve_format(p, fmt)
        self.text_field = text_field
        self.id_field = id_field
        self.html_main_content = html_main_content
        self.stats = stats if stats is not None else ReadStats()
        self.stats.reset(p.name, self.fmt)

    def __iter__(self) -> Iterator[Item]:
        self.stats.reset(self.path.name, self.fmt)
        if self.fmt in ("wet", "warc"):
            return _read_warc(self.path, self.stats, html_main_content=self.html_main_content)
        if self.fmt == "jsonl":
            return _read_jsonl(self.path, self.stats, text_field=self.text_field, id_field=self.id_field)
        return _read_parquet(self.path, self.stats, text_field=self.text_field, id_field=self.id_field)


def read_documents(path: Union[str, os.PathLike], *, text_field: str = "text", id_field: Optional[str] = None,
                   fmt: Optional[str] = None, stats: Optional[ReadStats] = None,
                   html_main_content: bool = False) -> Iterator[Item]:
    """Documents and quarantined records of one file, in file order (see the module docstring).

    ``text_field`` / ``id_field``: JSONL and Parquet fields (other string fields go to ``meta``).
    ``fmt``: ``wet``, ``warc``, ``jsonl`` or ``parquet`` instead of guessing from the name.
    ``stats``: a :class:`ReadStats` filled as the file is read (records, documents, skipped,
    quarantined, by reason); it is reset when reading starts (``ReadStats.merge`` totals files). ``html_main_content``: boilerplate removal for WARC HTML pages.
    Raises ``FileNotFoundError`` / ``IsADirectoryError`` / ``ValueError`` (unknown format) at once.
    """
    reader = DocumentReader(path, text_field=text_field, id_field=id_field, fmt=fmt,
                            html_main_content=html_main_content, stats=stats)
    return iter(reader)


def read_stats(path: Union[str, os.PathLike], **kwargs) -> ReadStats:
    """Reads a whole file and returns its counts (documents are discarded)."""
    stats = ReadStats()
    for _ in read_documents(path, stats=stats, **kwargs):
        pass
    return stats
