"""Writers: JSONL (plain, gzip, zstd) and Parquet, atomic and deterministic; removed / quarantine rows;
the readers read back exactly what the writers wrote."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from corpus_engine.io.readers import ReadStats, read_documents
from corpus_engine.io.records import Document, Quarantined
from corpus_engine.io.writers import (JsonlWriter, ParquetWriter, document_row, open_writer, quarantine_row,
                                      quarantined_from_row, removed_row, write_quarantine, write_removed)

pa = pytest.importorskip("pyarrow")
zstandard = pytest.importorskip("zstandard")
import pyarrow.parquet as pq  # noqa: E402

DOCS = [
    Document("src.warc.wet:1", "数据清洗是关键。\n第二行，含英文 words。", {"source": "src.warc.wet", "url": "http://a/",
                                                                 "date": "2024-05-18T01:58:10Z", "content_language": "zho"}),
    Document("src.warc.wet:2", "繁體中文與表情 😀、罕见字 𠀀。", {"source": "src.warc.wet", "url": "http://b/",
                                                       "date": None, "content_language": None}),
    Document("src.warc.wet:3", "", {"source": "src.warc.wet", "url": "http://c/\"quoted\"", "date": "x",
                                    "content_language": "eng"}),
    Document("src.warc.wet:4", "tab\there\r\nline\u2028sep \x00 nul", {"source": "src.warc.wet", "url": "http://d/",
                                                                     "date": "y", "content_language": "zho"}),
]


def _back(path, **kw):
    st = ReadStats()
    items = list(read_documents(path, id_field="id", stats=st, **kw))
    assert st.consistent and st.quarantined == 0, st.to_dict()
    return items


def _leftovers(d: Path):
    return [p.name for p in d.iterdir() if ".tmp-" in p.name]


@pytest.mark.parametrize("name, compression, magic", [
    ("out.jsonl", None, b'{"id"'), ("out.jsonl.gz", "gzip", b"\x1f\x8b"), ("out.jsonl.zst", "zstd", b"\x28\xb5\x2f\xfd"),
])
def test_jsonl_round_trip(tmp_path, name, compression, magic):
    p = tmp_path / name
    with JsonlWriter(p, compression=compression) as w:
        for d in DOCS:
            w.write(d)
        assert not p.exists()  # atomic: nothing under the final name until close
    assert w.rows == len(DOCS) and p.read_bytes().startswith(magic)
    assert _back(p) == DOCS
    assert _leftovers(tmp_path) == []
    # ensure_ascii=False: Chinese is stored as UTF-8, not \u escapes
    raw = p.read_bytes()
    plain = gzip.decompress(raw) if compression == "gzip" else (
        zstandard.ZstdDecompressor().decompressobj().decompress(raw) if compression == "zstd" else raw)
    assert "数据清洗".encode() in plain and b"\\u6570" not in plain
    assert plain.count(b"\n") == len(DOCS)


def test_jsonl_infer_and_determinism(tmp_path):
    for name in ("a.jsonl.zst", "b.jsonl.zst", "a.jsonl.gz", "b.jsonl.gz"):
        with JsonlWriter(tmp_path / name) as w:  # compression inferred from the suffix
            w.write_many({"i": i, "text": f"第{i}行", "v": [1, 2]} for i in range(1000))
    assert (tmp_path / "a.jsonl.zst").read_bytes() == (tmp_path / "b.jsonl.zst").read_bytes()
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()
    assert (tmp_path / "a.jsonl.gz").read_bytes()[:2] == b"\x1f\x8b"
    with pytest.raises(ValueError, match="unknown compression"):
        JsonlWriter(tmp_path / "x.jsonl", compression="lz4")


def test_jsonl_abort_keeps_old_file(tmp_path):
    p = tmp_path / "kept.jsonl.zst"
    with JsonlWriter(p) as w:
        w.write({"text": "旧内容"})
    before = p.read_bytes()
    with pytest.raises(RuntimeError):
        with JsonlWriter(p) as w:
            w.write({"text": "新内容"})
            raise RuntimeError("stage failed")
    assert p.read_bytes() == before and _leftovers(tmp_path) == []
    w = JsonlWriter(tmp_path / "never.jsonl")
    w.write({"text": "x"})
    w.abort()
    assert not (tmp_path / "never.jsonl").exists() and _leftovers(tmp_path) == []
    with pytest.raises(ValueError, match="closed"):
        w.write({"text": "y"})


def test_jsonl_odd_values(tmp_path):
    import numpy as np

    p = tmp_path / "odd.jsonl"
    with JsonlWriter(p, None) as w:
        w.write({"text": "lone \ud800 surrogate", "n": np.int64(3), "f": np.float32(0.5), "raw": b"\x00\xff"})
    row = json.loads(p.read_text(encoding="utf-8"))
    assert row == {"text": "lone \ud800 surrogate", "n": 3, "f": 0.5, "raw": "AP8="}
    # the reader hands out valid Unicode only
    (d,) = list(read_documents(p))
    assert d.text == "lone \ufffd surrogate"


@pytest.mark.parametrize("name", ["copy.jsonl", "copy.jsonl.gz", "copy.jsonl.zst"])
def test_jsonl_encoded_lines_copy_without_parsing(tmp_path, name):
    """write_encoded takes the lines of another JSONL file as they are: the copy is byte-identical."""
    from corpus_engine.io.rows import open_binary

    src = tmp_path / "src.jsonl"
    with JsonlWriter(src) as w:
        for d in DOCS:
            w.write(d)
    with open_binary(src) as fh:
        lines = fh.read().splitlines(keepends=True)
    assert len(lines) == len(DOCS)
    with JsonlWriter(tmp_path / name) as w:
        w.write_encoded(lines)
        assert w.rows == len(DOCS)
    with open_binary(tmp_path / name) as fh:
        assert fh.read() == src.read_bytes()
    with JsonlWriter(tmp_path / "bad.jsonl") as w:
        with pytest.raises(ValueError, match="newline"):
            w.write_encoded([b'{"a":1}'])


def test_parquet_round_trip_inferred_and_explicit(tmp_path):
    p = tmp_path / "docs.parquet"
    with ParquetWriter(p) as w:
        for d in DOCS:
            w.write(d)
        assert not p.exists()
    assert _back(p) == DOCS and _leftovers(tmp_path) == []
    t = pq.read_table(p)
    assert t.schema.field("date").type == pa.string() and t.num_rows == len(DOCS)

    fields = ["id", "text", "source", "url", "date", "content_language"]
    q = tmp_path / "explicit.parquet"
    with ParquetWriter(q, fields, row_group_size=3) as w:
        w.write_many(DOCS)
    assert pq.ParquetFile(q).metadata.num_row_groups == 2
    assert _back(q) == DOCS
    with pytest.raises(ValueError, match="not in the Parquet schema"):
        with ParquetWriter(tmp_path / "bad.parquet", ["id", "text"]) as w:
            w.write({"id": "1", "text": "t", "extra": "x"})
    assert not (tmp_path / "bad.parquet").exists() and _leftovers(tmp_path) == []
    with ParquetWriter(tmp_path / "drop.parquet", ["id", "text"], extra="drop") as w:
        w.write({"id": "1", "text": "t", "extra": "x"})
    assert pq.read_table(tmp_path / "drop.parquet").to_pylist() == [{"id": "1", "text": "t"}]


def test_parquet_mixed_and_nested_values(tmp_path):
    p = tmp_path / "mixed.parquet"
    rows = [{"id": "a", "text": "甲", "score": 1.5, "detail": {"ratio": 0.1}, "note": None},
            {"id": "b", "text": "乙 \ud800", "score": 2.0, "detail": {"ratio": 0.2}, "note": "有"},
            {"id": "c", "text": "丙", "mixed": 1}, {"id": "d", "text": "丁", "mixed": "two"}]
    with ParquetWriter(p) as w:
        w.write_many(rows)
    back = pq.read_table(p).to_pylist()
    assert [r["text"] for r in back] == ["甲", "乙 \ufffd", "丙", "丁"]
    assert back[0]["detail"] == {"ratio": 0.1} and back[1]["note"] == "有" and back[2]["score"] is None
    assert [r["mixed"] for r in back] == [None, None, "1", "two"]  # mixed types: JSON text
    with ParquetWriter(tmp_path / "empty.parquet") as w:
        pass
    assert list(read_documents(tmp_path / "empty.parquet")) == []


@pytest.mark.parametrize("name", ["q.jsonl", "q.jsonl.zst", "q.parquet"])
def test_quarantine_rows_round_trip(tmp_path, name):
    items = [Quarantined("clipped.warc.gz", 0, "truncated-gzip", "cut", 0, b"WARC/1.0\r\n\xff\x00"),
             Quarantined("a.jsonl", 7, "bad-json", "line 7: Expecting value", 120, None),
             Quarantined("b.parquet", -1, "bad-parquet", "not parquet", None, b"PAR1")]
    n = write_quarantine(tmp_path / name, items)
    assert n == 3
    if name.endswith(".parquet"):
        rows = pq.read_table(tmp_path / name).to_pylist()
        assert pq.read_schema(tmp_path / name).field("index").type == pa.int64()
    else:
        from corpus_engine.io.rows import read_rows

        rows = list(read_rows(tmp_path / name))
    assert [list(r) for r in rows] == [["source", "index", "offset", "reason", "detail", "raw"]] * 3
    assert [quarantined_from_row(r) for r in rows] == items
    assert quarantine_row(items[0])["raw"] == "V0FSQy8xLjANCv8A"


def test_write_removed_and_read_back(tmp_path):
    p = tmp_path / "removed.jsonl.zst"
    n = write_removed(p, DOCS[:3], stage="length", reason=["too-short", "too-short", "empty"],
                      detail=[{"chars": 20}, {"chars": 15}, None])
    assert n == 3
    back = _back(p)
    assert [d.id for d in back] == [d.id for d in DOCS[:3]] and [d.text for d in back] == [d.text for d in DOCS[:3]]
    assert [d.meta["reason"] for d in back] == ["too-short", "too-short", "empty"]
    assert all(d.meta["stage"] == "length" and d.meta["url"] for d in back)
    row = removed_row(Document("x", "t", {"reason": "meta reason", "url": "u"}), stage="s", reason="r", keep_text=False)
    assert row == {"id": "x", "stage": "s", "reason": "r", "detail": None, "meta_reason": "meta reason", "url": "u"}
    # into an open writer, several calls; Parquet with an inferred schema
    with open_writer(tmp_path / "removed.parquet") as w:
        write_removed(w, DOCS[:2], stage="censor", reason="sensitive")
        write_removed(w, DOCS[2:], stage="dedup", reason="dup-exact", detail="of src.warc.wet:1")
    rows = pq.read_table(tmp_path / "removed.parquet").to_pylist()
    assert [(r["stage"], r["reason"]) for r in rows] == [("censor", "sensitive")] * 2 + [("dedup", "dup-exact")] * 2
    assert rows[3]["detail"] == "of src.warc.wet:1"
    with pytest.raises(ValueError, match="reasons"):
        write_removed(tmp_path / "x.jsonl", DOCS, stage="s", reason=["a"])
    assert not (tmp_path / "x.jsonl").exists()


def test_real_wet_through_writers(shared_data, tmp_path):
    """Documents of a real WET file survive a zstd JSONL and a Parquet round trip unchanged."""
    src = shared_data / "wet" / "cc_net" / "sample.warc.wet"
    if not src.is_file():
        pytest.skip(f"missing {src}")
    docs = [d for d in read_documents(src) if isinstance(d, Document)]
    assert len(docs) == 3
    for name in ("docs.jsonl.zst", "docs.parquet"):
        with open_writer(tmp_path / name) as w:
            w.write_many(docs)
        assert _back(tmp_path / name) == docs
    assert document_row(docs[1])["url"] == "http://sample_chinese.zh"


def test_writer_makes_parent_dirs_and_no_temp_left(tmp_path):
    p = tmp_path / "deep" / "er" / "out.jsonl"
    with JsonlWriter(p, None) as w:
        w.write({"text": "x"})
    assert p.read_text() == '{"text":"x"}\n'
    assert sorted(os.listdir(p.parent)) == ["out.jsonl"]
