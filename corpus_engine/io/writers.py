"""Writers: JSONL (plain, gzip, zstd) and Parquet, atomic; removed-with-reason and quarantine rows.

Every writer writes to a hidden temporary file beside the target (``.<name>.tmp-<pid>-<token>``)
and renames it over the target on ``close()``: a reader never sees a half-written file, and a
crashed run leaves no output under the final name. Used as a context manager, a writer closes
(renames) on success and discards the temporary file when the block raises.

Output is deterministic: the same rows give byte-identical files (gzip without a timestamp or a
file name, zstd at a fixed level, JSON keys in insertion order, ``ensure_ascii=False``).

The readers read back what these write: ``read_documents(path, id_field="id")`` turns rows made by
:func:`document_row` into the same :class:`Document` again (JSONL in any compression, Parquet).
"""

from __future__ import annotations

import base64
import gzip
import importlib
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from .records import Document, Quarantined

__all__ = [
    "JsonlWriter",
    "ParquetWriter",
    "open_writer",
    "document_row",
    "removed_row",
    "quarantine_row",
    "quarantined_from_row",
    "write_removed",
    "write_quarantine",
    "QUARANTINE_FIELDS",
    "REMOVED_FIELDS",
]

QUARANTINE_FIELDS = ("source", "index", "offset", "reason", "detail", "raw")
REMOVED_FIELDS = ("id", "stage", "reason", "detail", "text")
_FLUSH_BYTES = 1 << 20


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def _infer_compression(path: Path) -> Optional[str]:
    name = path.name.lower()
    if name.endswith((".zst", ".zstd")):
        return "zstd"
    if name.endswith(".gz"):
        return "gzip"
    return None


class _AtomicFile:
    """Base of the writers: temp file, rename on close, discard on abort."""

    path: Path
    _tmp: Path
    closed: bool

    def _open_tmp(self, path: Union[str, os.PathLike]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = _temp_path(self.path)
        self.closed = False

    def _commit(self, fsync: bool) -> None:
        if fsync:
            fd = os.open(self._tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(self._tmp, self.path)

    def _discard(self) -> None:
        try:
            os.unlink(self._tmp)
        except FileNotFoundError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False

    def __del__(self):  # an unclosed writer must not leave its temp file behind
        try:
            if not getattr(self, "closed", True):
                self.abort()
        except Exception:
            pass

    def close(self) -> None:
        """Finishes the file and renames it to its final name."""
        if self.closed:
            return
        try:
            self._finish()
            self._commit(self.fsync)
        except BaseException:
            self.abort()
            raise
        self.closed = True

    def abort(self) -> None:
        """Discards the output: the target is left as it was."""
        if self.closed:
            return
        self.closed = True
        try:
            self._close_handles()
        finally:
            self._discard()

    def write_many(self, rows: Iterable[Union[Mapping[str, Any], Document, Quarantined]]) -> int:
        """Writes every row; returns how many."""
        n = 0
        for r in rows:
            self.write(r)
            n += 1
        return n

    def _finish(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _close_handles(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - a declared dependency; json is the fallback
    _orjson = None
_ORJSON_OPTS = (_orjson.OPT_APPEND_NEWLINE | _orjson.OPT_SERIALIZE_NUMPY) if _orjson else 0


def _json_line(row: Mapping[str, Any]) -> bytes:
    if _orjson is not None:  # several times faster than json; same compact UTF-8 output
        try:
            return _orjson.dumps(row, default=_json_default, option=_ORJSON_OPTS)
        except (TypeError, _orjson.JSONEncodeError):  # lone surrogates, huge ints...: json decides
            pass
    s = json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    try:
        return s.encode("utf-8") + b"\n"
    except UnicodeEncodeError:  # lone surrogates: escape them, JSON stays valid and round-trips
        return json.dumps(row, ensure_ascii=True, separators=(",", ":"), default=_json_default).encode("ascii") + b"\n"


def _json_default(o: Any) -> Any:
    if isinstance(o, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(o)).decode("ascii")
    if hasattr(o, "item"):  # numpy scalars
        return o.item()
    if hasattr(o, "tolist"):  # numpy arrays
        return o.tolist()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, os.PathLike):
        return os.fspath(o)
    raise TypeError(f"cannot write {type(o).__name__} as JSON")


def _as_row(row: Union[Mapping[str, Any], Document, Quarantined]) -> Mapping[str, Any]:
    if isinstance(row, Document):
        return document_row(row)
    if isinstance(row, Quarantined):
        return quarantine_row(row)
    return row


class JsonlWriter(_AtomicFile):
    """One JSON object per line (UTF-8, ``ensure_ascii=False``), optionally gzip or zstd compressed.

    ``compression``: ``"zstd"``, ``"gzip"``, ``None`` (plain) or ``"infer"`` (from the suffix:
    ``.zst`` / ``.gz``). ``level``: compression level (zstd 3, gzip 6 by default). ``write`` takes a
    dict, a :class:`Document` (see :func:`document_row`) or a :class:`Quarantined`.
    """

    def __init__(self, path: Union[str, os.PathLike], compression: Optional[str] = "infer", *,
                 level: Optional[int] = None, fsync: bool = False):
        self._open_tmp(path)
        if compression == "infer":
            compression = _infer_compression(self.path)
        if compression in ("zst", "zstandard"):
            compression = "zstd"
        if compression in ("gz",):
            compression = "gzip"
        if compression not in (None, "zstd", "gzip"):
            raise ValueError(f"unknown compression {compression!r}: use 'zstd', 'gzip', None or 'infer'")
        self.compression = compression
        self.fsync = fsync
        self.rows = 0
        self._buf: List[bytes] = []
        self._buf_bytes = 0
        self._raw = open(self._tmp, "wb")
        try:
            if compression == "zstd":
                import zstandard

                cctx = zstandard.ZstdCompressor(level=3 if level is None else level, write_checksum=True)
                self._out = cctx.stream_writer(self._raw, closefd=False)
            elif compression == "gzip":
                self._out = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw,
                                          compresslevel=6 if level is None else level, mtime=0)
            else:
                self._out = self._raw
        except BaseException:
            self._raw.close()
            self._discard()
            self.closed = True
            raise

    def write(self, row: Union[Mapping[str, Any], Document, Quarantined]) -> None:
        if self.closed:
            raise ValueError(f"write to a closed writer ({self.path})")
        line = _json_line(_as_row(row))
        self._buf.append(line)
        self._buf_bytes += len(line)
        self.rows += 1
        if self._buf_bytes >= _FLUSH_BYTES:
            self._flush()

    def write_encoded(self, lines: Iterable[bytes]) -> None:
        """Writes rows already encoded as JSON lines (each ending in a newline), e.g. lines of
        another JSONL file copied without parsing them."""
        if self.closed:
            raise ValueError(f"write to a closed writer ({self.path})")
        for line in lines:
            if not line.endswith(b"\n"):
                raise ValueError("an encoded row must end with a newline")
            self._buf.append(line)
            self._buf_bytes += len(line)
            self.rows += 1
        if self._buf_bytes >= _FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._buf:
            self._out.write(b"".join(self._buf))
            self._buf.clear()
            self._buf_bytes = 0

    def _finish(self) -> None:
        self._flush()
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()

    def _close_handles(self) -> None:
        if self._out is not self._raw:
            try:
                self._out.close()
            except Exception:
                pass
        self._raw.close()


class ParquetWriter(_AtomicFile):
    """Rows to a Parquet file (zstd-compressed columns by default).

    ``schema``: a ``pyarrow.Schema``; a sequence of field names (all strings, except the integer
    ``index`` / ``offset`` of quarantine rows); a mapping name → pyarrow type (or type name such
    as ``"string"``, ``"int64"``); or ``None`` to infer it from the rows. An inferred schema is the
    union of the keys of the rows buffered before the first write (all rows up to
    ``infer_bytes``, so usually the whole file), with all-null columns typed as strings.

    Rows missing a field get null. A row with a field outside the schema raises ``ValueError``
    (``extra="error"``) or loses that field (``extra="drop"``).
    """

    def __init__(self, path: Union[str, os.PathLike], schema: Any = None, *, compression: str = "zstd",
                 row_group_size: int = 50_000, infer_bytes: int = 256 << 20, extra: str = "error",
                 fsync: bool = False):
        importlib.import_module("pyarrow.parquet")  # fail early when missing

        if extra not in ("error", "drop"):
            raise ValueError("extra must be 'error' or 'drop'")
        self._open_tmp(path)
        self.schema = _to_schema(schema) if schema is not None else None
        self.compression = compression
        self.row_group_size = int(row_group_size)
        self.infer_bytes = int(infer_bytes)
        self.extra = extra
        self.fsync = fsync
        self.rows = 0
        self._pending: List[Mapping[str, Any]] = []
        self._pending_bytes = 0
        self._writer = None

    def write(self, row: Union[Mapping[str, Any], Document, Quarantined]) -> None:
        if self.closed:
            raise ValueError(f"write to a closed writer ({self.path})")
        row = _as_row(row)
        self._pending.append(row)
        self.rows += 1
        if self.schema is None:
            self._pending_bytes += sum(len(v) for v in row.values() if isinstance(v, str)) + 16
            if self._pending_bytes >= self.infer_bytes:
                self._write_pending()
        elif len(self._pending) >= self.row_group_size:
            self._write_pending()

    def _write_pending(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.schema is None:
            self.schema = _infer_schema(self._pending)
        names = set(self.schema.names)
        rows = self._pending
        self._pending = []
        self._pending_bytes = 0
        if self.extra == "error":
            for r in rows:
                bad = [k for k in r if k not in names]
                if bad:
                    raise ValueError(f"{self.path.name}: field(s) {bad} not in the Parquet schema {self.schema.names}; "
                                     f"pass a schema that has them, or extra='drop'")
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._tmp, self.schema, compression=self.compression)
        for i in range(0, max(len(rows), 1), self.row_group_size):
            part = rows[i:i + self.row_group_size]
            cols = {}
            for f in self.schema:
                vals = [r.get(f.name) for r in part]
                if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
                    vals = [v if v is None or isinstance(v, str) else
                            json.dumps(v, ensure_ascii=False, default=_json_default) for v in vals]
                cols[f.name] = vals
            try:
                table = pa.Table.from_pydict(cols, schema=self.schema)
            except UnicodeEncodeError:  # lone surrogates cannot be UTF-8: U+FFFD, as the readers do
                cols = {k: [_no_surrogates(v) for v in vals] for k, vals in cols.items()}
                table = pa.Table.from_pydict(cols, schema=self.schema)
            self._writer.write_table(table, row_group_size=self.row_group_size)

    def _finish(self) -> None:
        if self._pending or self._writer is None:
            if self.schema is None and not self._pending:
                import pyarrow as pa

                self.schema = pa.schema([])
            self._write_pending()
        self._writer.close()

    def _close_handles(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:
                pass


_INT_FIELDS = {"index", "offset"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(v: Any) -> Any:
    if isinstance(v, str):
        return _SURROGATE.sub("\ufffd", v)
    if isinstance(v, dict):
        return {_no_surrogates(k): _no_surrogates(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_no_surrogates(x) for x in v]
    return v


def _to_schema(schema: Any):
    import pyarrow as pa

    if isinstance(schema, pa.Schema):
        return schema
    if isinstance(schema, Mapping):
        fields = []
        for name, t in schema.items():
            if isinstance(t, str):
                t = pa.type_for_alias(t)
            fields.append(pa.field(name, t))
        return pa.schema(fields)
    names = list(schema)
    return pa.schema([pa.field(n, pa.int64() if n in _INT_FIELDS else pa.string()) for n in names])


def _infer_schema(rows: Sequence[Mapping[str, Any]]):
    import pyarrow as pa

    names: Dict[str, None] = {}
    for r in rows:
        for k in r:
            names.setdefault(k, None)
    fields = []
    for n in names:
        values = [r.get(n) for r in rows]
        try:
            try:
                t = pa.array(values).type
            except UnicodeEncodeError:
                t = pa.array([_no_surrogates(v) for v in values]).type
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            t = pa.string()  # mixed types: written as JSON text
        if pa.types.is_null(t):
            t = pa.string()
        fields.append(pa.field(n, t))
    return pa.schema(fields)


def open_writer(path: Union[str, os.PathLike], schema: Any = None, **kwargs):
    """A :class:`ParquetWriter` for ``.parquet``, else a :class:`JsonlWriter` (compression from the suffix)."""
    p = Path(path)
    if p.name.lower().endswith(".parquet"):
        return ParquetWriter(p, schema, **kwargs)
    return JsonlWriter(p, kwargs.pop("compression", "infer"), **kwargs)


# ---------------------------------------------------------------------------
# Rows


def document_row(doc: Document) -> Dict[str, Any]:
    """``{"id", "text", **meta}``: what ``read_documents(path, id_field="id")`` turns back into ``doc``."""
    row: Dict[str, Any] = {"id": doc.id, "text": doc.text}
    for k, v in doc.meta.items():
        if k not in row:
            row[k] = v
    return row


def removed_row(doc: Document, *, stage: str, reason: str, detail: Any = None, keep_text: bool = True) -> Dict[str, Any]:
    """A removed document with why: ``id, stage, reason, detail, text`` then its meta (a meta key that
    clashes with those is written as ``meta_<key>``)."""
    row: Dict[str, Any] = {"id": doc.id, "stage": stage, "reason": reason, "detail": detail}
    if keep_text:
        row["text"] = doc.text
    for k, v in doc.meta.items():
        row[k if k not in row and k != "text" else f"meta_{k}"] = v
    return row


def quarantine_row(q: Quarantined) -> Dict[str, Any]:
    """``source, index, offset, reason, detail, raw`` with ``raw`` as base64 (or None)."""
    return {
        "source": q.source,
        "index": q.index,
        "offset": q.offset,
        "reason": q.reason,
        "detail": q.detail,
        "raw": None if q.raw is None else base64.b64encode(bytes(q.raw)).decode("ascii"),
    }


def quarantined_from_row(row: Mapping[str, Any]) -> Quarantined:
    """The inverse of :func:`quarantine_row`."""
    raw = row.get("raw")
    return Quarantined(source=row.get("source") or "", index=int(row.get("index", -1)),
                       reason=row.get("reason") or "", detail=row.get("detail") or "",
                       offset=row.get("offset"), raw=None if raw is None else base64.b64decode(raw))


def _dest(dest, schema_fields: Sequence[str]):
    """(writer, owned) for a path or an open writer."""
    if isinstance(dest, (JsonlWriter, ParquetWriter)):
        return dest, False
    p = Path(dest)
    if p.name.lower().endswith(".parquet"):
        return ParquetWriter(p, schema_fields), True
    return JsonlWriter(p, "infer"), True


def _write_all(w, owned: bool, rows: Iterable[Mapping[str, Any]]) -> int:
    """Writes rows; an owned writer is closed at the end, or aborted (no partial file) on error."""
    n = 0
    try:
        for row in rows:
            w.write(row)
            n += 1
    except BaseException:
        if owned:
            w.abort()
        raise
    if owned:
        w.close()
    return n


def write_quarantine(dest, items: Iterable[Quarantined]) -> int:
    """Writes quarantined records (:func:`quarantine_row`) to ``dest``: an open writer (left open)
    or a path (a new file, JSONL or Parquet by suffix, closed at the end). Returns the row count."""
    w, owned = _dest(dest, QUARANTINE_FIELDS)
    return _write_all(w, owned, (quarantine_row(q) for q in items))


def write_removed(dest, docs: Iterable[Document], *, stage: str, reason: Union[str, Sequence[str]],
                  detail: Any = None, keep_text: bool = True) -> int:
    """Writes removed documents with their stage and reason (:func:`removed_row`).

    ``reason``: one reason for all, or a sequence aligned with ``docs``; ``detail`` likewise (a
    list/tuple is taken as per-document when its length matches). ``dest``: an open writer (left
    open) or a path (a new file, closed at the end; a Parquet schema is inferred). Returns the count.
    """
    docs = list(docs)
    reasons = [reason] * len(docs) if isinstance(reason, str) else list(reason)
    if len(reasons) != len(docs):
        raise ValueError(f"{len(reasons)} reasons for {len(docs)} documents")
    if isinstance(detail, (list, tuple)) and len(detail) == len(docs):
        details = list(detail)
    else:
        details = [detail] * len(docs)
    if isinstance(dest, (JsonlWriter, ParquetWriter)):
        w, owned = dest, False
    else:
        w, owned = open_writer(dest), True
    return _write_all(w, owned, (removed_row(d, stage=stage, reason=r, detail=det, keep_text=keep_text)
                                 for d, r, det in zip(docs, reasons, details)))
