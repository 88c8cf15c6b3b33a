"""Readers: every shared WET/WARC file read or quarantined with a reason; WET/WARC written by warcio
read back exactly; GBK / GB2312 / Big5 pages decoded; damaged input quarantined, never raised;
JSONL (plain, gzip, zstd, JSON arrays) and Parquet; counts that add up."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from corpus_engine.io import html as H
from corpus_engine.io.readers import (ReadStats, WarcRecord, detect_format, iter_warc_records, read_documents,
                                      read_stats)
from corpus_engine.io.records import Document, Quarantined

try:  # warcio writes the WARC/WET test files and is the framing oracle; the rest runs without it
    from warcio.archiveiterator import ArchiveIterator
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
except ImportError:  # pragma: no cover
    ArchiveIterator = StatusAndHeaders = WARCWriter = None

needs_warcio = pytest.mark.skipif(WARCWriter is None, reason="warcio is not installed (pip install warcio)")


def _read(path, **kw) -> Tuple[List[Document], List[Quarantined], ReadStats]:
    st = ReadStats()
    docs, bad = [], []
    for it in read_documents(path, stats=st, **kw):
        (docs if isinstance(it, Document) else bad).append(it)
    assert st.consistent, st.to_dict()
    assert st.documents == len(docs) and st.quarantined == len(bad)
    return docs, bad, st


# ---------------------------------------------------------------------------
# Every file of shared/data/wet

# path: (records, documents, skipped by reason, quarantined by reason)
WET_EXPECTED: Dict[str, Tuple[int, int, Dict[str, int], Dict[str, int]]] = {
    "cc_net/sample.warc.wet": (4, 3, {"warcinfo": 1}, {}),
    "commoncrawl-whirlwind/whirlwind.warc.gz": (4, 1, {"warcinfo": 1, "request": 1, "metadata": 1}, {}),
    "commoncrawl-whirlwind/whirlwind.warc.wat.gz": (2, 0, {"warcinfo": 1, "metadata": 1}, {}),
    "commoncrawl-whirlwind/whirlwind.warc.wet.gz": (2, 1, {"warcinfo": 1}, {}),
    "dolma/sample-0000.warc.gz": (48, 22, {"warcinfo": 1, "request": 22, "metadata": 1, "resource": 2}, {}),
    "dolma/sample-0001.warc.gz": (34, 15, {"warcinfo": 1, "request": 15, "metadata": 1, "resource": 2}, {}),
    "resiliparse/block-sized-records.warc.gz": (3, 0, {"unknown": 3}, {}),
    "resiliparse/clipped.warc.gz": (1, 0, {}, {"truncated-gzip": 1}),
}


@pytest.fixture(scope="module")
def wet_dir(shared_data) -> Path:
    d = shared_data / "wet"
    if not d.is_dir():
        pytest.skip(f"no wet/ folder in the shared data at {shared_data}")
    return d


def test_shared_wet_folder_is_fully_covered(wet_dir):
    """A new file in shared/data/wet must get its expected counts here."""
    found = sorted(str(p.relative_to(wet_dir)) for p in wet_dir.rglob("*") if p.is_file())
    assert found == sorted(WET_EXPECTED)


@pytest.mark.parametrize("rel", sorted(WET_EXPECTED))
def test_shared_wet_file_counts(wet_dir, rel):
    records, documents, skipped, quarantined = WET_EXPECTED[rel]
    docs, bad, st = _read(wet_dir / rel)
    assert (st.records, st.documents, st.skipped, st.quarantined) == (
        records, documents, sum(skipped.values()), sum(quarantined.values()))
    assert dict(st.skipped_reasons) == skipped
    assert dict(st.quarantine_reasons) == quarantined
    assert st.records == st.documents + st.skipped + st.quarantined
    for q in bad:
        assert q.reason and q.detail and q.source == Path(rel).name
    for d in docs:
        assert d.id.startswith(Path(rel).name + ":")
        assert d.meta["source"] == Path(rel).name and d.meta["url"] and d.meta["date"] and d.meta["record_id"]
        assert d.text.strip()
        assert "\ufffd" not in d.text
    assert len({d.id for d in docs}) == len(docs)
    # strict framing everywhere except cc_net's hand-edited sample
    assert (st.lenient > 0) == rel.startswith("cc_net/")


def test_cc_net_lf_only_sample(wet_dir):
    """LF-only framing and Content-Lengths that do not match the text (strict readers stop there)."""
    docs, bad, st = _read(wet_dir / "cc_net/sample.warc.wet")
    assert [d.meta["url"] for d in docs] == ["http://sample_english.com", "http://sample_chinese.zh",
                                             "http://sample_russian.ru"]
    assert [d.id for d in docs] == ["sample.warc.wet:1", "sample.warc.wet:2", "sample.warc.wet:3"]
    en, zh, ru = (d.text for d in docs)
    assert en.startswith("Famous Mark Twain Quotes\n") and en.endswith("Truth isn't.")
    assert zh.startswith("馬克·吐溫名言\n") and zh.endswith("真理不是。")
    assert sum(0x4E00 <= ord(c) <= 0x9FFF for c in zh) >= 80
    assert ru.startswith("Цитаты знаменитого Марка Твена") and ru.endswith("Правда нет.")
    for d in docs:
        assert "WARC/1.0" not in d.text and "WARC-Type" not in d.text
        assert d.meta["content_type"] == "text/plain" and d.meta["refers_to"].startswith("<urn:uuid:")


def test_clipped_gzip_is_quarantined_not_raised(wet_dir):
    docs, bad, st = _read(wet_dir / "resiliparse/clipped.warc.gz")
    assert docs == [] and len(bad) == 1
    q = bad[0]
    assert q.reason == "truncated-gzip" and q.reason.startswith("truncated")
    assert q.index == 0 and q.offset == 0 and q.source == "clipped.warc.gz"
    assert "88275" in q.detail
    assert q.raw is not None and q.raw.startswith(b"WARC/1.0") and len(q.raw) == 4096


def test_whirlwind_wet_and_warc_agree(wet_dir):
    """The modern CC layout: the WET conversion refers to the WARC response it was made from."""
    (wet,), _, _ = _read(wet_dir / "commoncrawl-whirlwind/whirlwind.warc.wet.gz")
    (page,), _, _ = _read(wet_dir / "commoncrawl-whirlwind/whirlwind.warc.gz")
    assert wet.meta["url"] == page.meta["url"] == "https://an.wikipedia.org/wiki/Escopete"
    assert wet.meta["content_language"] == "spa" and wet.meta["date"] == "2024-05-18T01:58:10Z"
    assert wet.meta["refers_to"] == page.meta["record_id"]
    assert page.meta["charset"] == "utf-8" and page.meta["content_type"] == "text/html"
    assert wet.id == "whirlwind.warc.wet.gz:1" and page.id == "whirlwind.warc.gz:2"
    # same page, two extractors (CC's and resiliparse's): same title line, similar words
    assert wet.text.split("\n")[0] == page.text.split("\n")[0] == "Escopete - Biquipedia, a enciclopedia libre"
    a, b = set(wet.text.split()), set(page.text.split())
    assert len(a & b) / len(a) > 0.7


def test_dolma_wget_angle_bracket_uris(wet_dir):
    docs, _, _ = _read(wet_dir / "dolma/sample-0000.warc.gz")
    assert docs[0].meta["url"] == "https://www.semanticscholar.org/research/research-team"
    assert not any(d.meta["url"].startswith("<") for d in docs)
    assert all(d.meta["content_type"] == "text/html" for d in docs)


WELL_FORMED = [r for r in WET_EXPECTED if not r.startswith("cc_net/") and "clipped" not in r]


@needs_warcio
@pytest.mark.parametrize("rel", WELL_FORMED)
def test_framing_matches_warcio(wet_dir, rel):
    """On well-formed files the lenient framer finds exactly warcio's records."""
    ours = list(iter_warc_records(wet_dir / rel))
    assert all(isinstance(r, WarcRecord) for r in ours)
    theirs = []
    with open(wet_dir / rel, "rb") as fh:
        for r in ArchiveIterator(fh, arc2warc=False):
            theirs.append((r.rec_type, r.rec_headers.get_header("WARC-Record-ID"),
                           int(r.rec_headers.get_header("Content-Length"))))
    assert [(r.headers.get("warc-type"), r.headers.get("warc-record-id"), len(r.block)) for r in ours] == theirs


# ---------------------------------------------------------------------------
# WET written by warcio round-trips exactly

WET_TEXTS = [
    ("http://zh.example.com/新闻/1", "zho", "中文新闻标题\n第一段：数据清洗很重要。\n第二段，包含英文 English words。"),
    ("http://tw.example.com/a", "zho,eng", "繁體中文頁面\n這是一個測試。\n"),  # trailing newline kept
    ("http://en.example.com/", "eng", "Line one\r\nWindows line two\r\n\r\nWARC/1.0\nnot a record header\n"),
    ("http://empty-lines.example.com/", None, "\n\n前后空行\n\n"),
    ("http://emoji.example.com/", "zho", "表情 😀 与罕见字 𠀀𪚥 和 \u3000全角空格"),
]


def _write_wet(path: Path, gzip_members: bool, texts=WET_TEXTS) -> List[Dict[str, Optional[str]]]:
    expected = []
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=gzip_members)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "test", "isPartOf": "CC-MAIN-TEST"}))
        for i, (url, lang, text) in enumerate(texts):
            hdr = {"WARC-Date": f"2024-05-18T01:58:{i:02d}Z",
                   "WARC-Refers-To": f"<urn:uuid:00000000-0000-0000-0000-{i:012d}>"}
            if lang:
                hdr["WARC-Identified-Content-Language"] = lang
            data = text.encode("utf-8")
            rec = w.create_warc_record(url, "conversion", payload=io.BytesIO(data), length=len(data),
                                       warc_content_type="text/plain", warc_headers_dict=hdr)
            w.write_record(rec)
            expected.append({"url": url, "date": hdr["WARC-Date"], "content_language": lang,
                             "refers_to": hdr["WARC-Refers-To"], "record_id": rec.rec_headers.get_header("WARC-Record-ID"),
                             "text": text})
    return expected


@needs_warcio
@pytest.mark.parametrize("layout", ["member-per-record", "plain", "single-gzip-stream"])
def test_warcio_wet_round_trip(tmp_path, layout):
    name = "CC-MAIN-test.warc.wet.gz" if layout != "plain" else "CC-MAIN-test.warc.wet"
    path = tmp_path / name
    expected = _write_wet(path, gzip_members=(layout == "member-per-record"))
    if layout == "single-gzip-stream":
        path.write_bytes(gzip.compress(path.read_bytes()))
    docs, bad, st = _read(path)
    assert bad == [] and st.lenient == 0
    assert (st.records, st.documents, st.skipped) == (len(expected) + 1, len(expected), 1)
    assert dict(st.skipped_reasons) == {"warcinfo": 1}
    for i, (d, e) in enumerate(zip(docs, expected)):
        assert d.id == f"{name}:{i + 1}"
        assert d.text == e["text"]
        for k in ("url", "date", "content_language", "refers_to", "record_id"):
            assert d.meta[k] == e[k], k
        assert d.meta["source"] == name and d.meta["charset"] == "utf-8"


def test_wet_with_lf_framing_and_wrong_lengths(tmp_path):
    """cc_net-style: LF line ends, Content-Length off by some bytes either way, or missing."""
    recs = [("http://a/", "第一篇文章。\n第二行。", +7), ("http://b/", "第二篇：内容更长一些，超过声明的长度。", -10),
            ("http://c/", "第三篇，没有长度。", None), ("http://d/", "最后一篇。", -3)]
    out = [b"WARC/1.0\nWARC-Type: warcinfo\nContent-Length: 5\n\nabcde\n\n"]
    for url, text, delta in recs:
        data = text.encode()
        head = f"WARC/1.0\nWARC-Type: conversion\nWARC-Target-URI: {url}\nWARC-Date: 2019-03-18T00:00:00Z\n"
        if delta is not None:
            head += f"Content-Length: {len(data) + delta}\n"
        out.append(head.encode() + b"\n" + data + b"\n\n")
    p = tmp_path / "lf.wet"
    p.write_bytes(b"".join(out))
    docs, bad, st = _read(p)
    assert bad == []
    assert [(d.meta["url"], d.text) for d in docs] == [(u, t) for u, t, _ in recs]
    assert st.lenient == 4  # the warcinfo (exact length) is framed strictly


# ---------------------------------------------------------------------------
# WARC: HTML pages in GBK, GB2312, Big5, with and without labels

ZH_S = "数据清洗是构建中文语料库的关键步骤。我们从网页中抽取正文，去除广告和导航，再按句子过滤。"
ZH_GBK_ONLY = "张堃和朱镕基的名字里有国标二三一二之外的字：堃、镕、喆。"
ZH_T = "資料清洗是建構中文語料庫的關鍵步驟。我們從網頁中擷取正文，去除廣告與導覽，再依句子過濾。"


def _page(title: str, body: str, head_extra: str = "") -> str:
    return (f"<!DOCTYPE html><html><head>{head_extra}<title>{title}</title>"
            f"<script>var hidden = 'script text';</script><style>p {{ color: red }}</style></head>"
            f"<body><div><p>{body}</p><p>{body[::-1]}</p></div></body></html>")


def _response(w: WARCWriter, url: str, body: bytes, headers, status="200 OK", date="2024-05-18T00:00:00Z"):
    hh = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    rec = w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=hh,
                               warc_headers_dict={"WARC-Date": date})
    w.write_record(rec)
    req = w.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                               warc_headers_dict={"WARC-Date": date})
    w.write_record(req)
    return rec.rec_headers.get_header("WARC-Record-ID")


def _chunked_gzip(html: bytes) -> bytes:
    gz = gzip.compress(html, mtime=0)
    parts = [gz[:100], gz[100:]]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


@pytest.fixture
def zh_warc(tmp_path) -> Tuple[Path, Dict[str, dict]]:
    path = tmp_path / "zh-pages.warc.gz"
    pages = {
        "http://gbk.example.cn/": dict(body=_page("国标扩展", ZH_S + ZH_GBK_ONLY).encode("gbk"),
                                       headers=[("Content-Type", "text/html; charset=GBK")],
                                       charset="gb18030", text=ZH_S + ZH_GBK_ONLY, title="国标扩展"),
        "http://gb2312-meta.example.cn/": dict(
            # labelled GB2312 but uses GBK-only characters: decoded as GB18030, no replacement
            body=_page("只在元标签", ZH_GBK_ONLY, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
                       ).encode("gbk"),
            headers=[("Content-Type", "text/html")], charset="gb18030", text=ZH_GBK_ONLY, title="只在元标签"),
        "http://meta5.example.cn/": dict(body=_page("元字符集", ZH_S, '<meta charset="gb2312">').encode("gb2312"),
                                         headers=[("Content-Type", "text/html")], charset="gb18030", text=ZH_S,
                                         title="元字符集"),
        "http://big5.example.tw/": dict(body=_page("繁體頁面", ZH_T).encode("big5"),
                                        headers=[("Content-Type", "text/html")], charset="big5hkscs", text=ZH_T,
                                        title="繁體頁面"),
        "http://latin1-header.example.cn/": dict(
            # a server default of ISO-8859-1 in the header, the real charset in <meta>
            body=_page("服务器默认", ZH_S, '<meta charset="gbk">').encode("gbk"),
            headers=[("Content-Type", "text/html; charset=ISO-8859-1")], charset="gb18030", text=ZH_S,
            title="服务器默认"),
        "http://utf8.example.cn/": dict(body=_page("统一码", ZH_S).encode("utf-8"),
                                        headers=[("Content-Type", "text/html; charset=utf-8")], charset="utf-8",
                                        text=ZH_S, title="统一码"),
        "http://utf8-labelled-gbk.example.cn/": dict(body=_page("标错了", ZH_S, '<meta charset="gbk">').encode("utf-8"),
                                                     headers=[("Content-Type", "text/html; charset=gbk")],
                                                     charset="utf-8", text=ZH_S, title="标错了"),
        "http://chunked-gzip.example.cn/": dict(
            body=_chunked_gzip(_page("分块压缩", ZH_S).encode("gbk")),
            headers=[("Content-Type", "text/html; charset=gbk"), ("Transfer-Encoding", "chunked"),
                     ("Content-Encoding", "gzip")], charset="gb18030", text=ZH_S, title="分块压缩"),
    }
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "test"}))
        for url, p in pages.items():
            p["record_id"] = _response(w, url, p["body"], p["headers"])
        _response(w, "http://img.example.cn/a.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
                  [("Content-Type", "image/png")])
        _response(w, "http://pdf.example.cn/a.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", [("Content-Type", "application/pdf")])
        _response(w, "http://gone.example.cn/", _page("找不到", "页面不存在").encode(), [("Content-Type", "text/html")],
                  status="404 Not Found")
        _response(w, "http://moved.example.cn/", b"", [("Location", "http://x/")], status="301 Moved Permanently")
        _response(w, "http://binary.example.cn/", b"\x00\x01\x02\x00" * 500, [("Content-Type", "text/html; charset=utf-8")])
        _response(w, "http://empty.example.cn/", b"", [("Content-Type", "text/html; charset=utf-8")])
    return path, pages


@needs_warcio
def test_warc_chinese_charsets(zh_warc):
    path, pages = zh_warc
    docs, bad, st = _read(path)
    by_url = {d.meta["url"]: d for d in docs}
    assert sorted(by_url) == sorted(pages)
    for url, p in pages.items():
        d = by_url[url]
        assert d.meta["charset"] == p["charset"], url
        assert d.meta["content_type"] == "text/html" and d.meta["record_id"] == p["record_id"]
        lines = d.text.split("\n")
        assert lines[0] == p["title"], url
        assert p["text"] in lines and p["text"][::-1] in lines, (url, d.text)
        assert "script text" not in d.text and "color" not in d.text and "\ufffd" not in d.text
    assert dict(st.skipped_reasons) == {"warcinfo": 1, "request": 14, "non-html": 2, "http-4xx": 1, "http-3xx": 1}
    assert dict(st.quarantine_reasons) == {"undecodable": 1, "empty-payload": 1}
    q = {b.reason: b for b in bad}
    assert "binary" in q["undecodable"].detail and q["undecodable"].raw.startswith(b"HTTP/1.1 200")
    assert st.records == 1 + 2 * (len(pages) + 6)


@pytest.mark.parametrize("label, expected", [
    ("gb2312", "gb18030"), ("GBK", "gb18030"), ("x-gbk", "gb18030"), ("cp936", "gb18030"), ("EUC-CN", "gb18030"),
    ("GB18030", "gb18030"), ("big5", "big5hkscs"), ("Big5-HKSCS", "big5hkscs"), ("utf8", "utf-8"),
    ("UTF-8", "utf-8"), ("iso-8859-1", "cp1252"), ("'gbk'", "gb18030"), ("no-such-charset", None), ("", None),
])
def test_charset_labels(label, expected):
    assert H.normalize_charset(label) == expected


def test_decode_text_order():
    gbk = ZH_S.encode("gbk")
    assert H.decode_text(gbk, [("gbk", "http")])[1:] == ("gb18030", "http")
    # wrong header label (utf-8) falls through to the meta label
    assert H.decode_text(gbk, [("utf-8", "http"), ("gb2312", "meta")])[1:] == ("gb18030", "meta")
    # no label: detection
    big5 = ZH_T.encode("big5")
    text, codec, source = H.decode_text(big5, [])
    assert (text, codec, source) == (ZH_T, "big5hkscs", "detected")
    # valid UTF-8 wins over a GBK label (GB18030 would turn it into mojibake without an error)
    assert H.decode_text(ZH_S.encode("utf-8"), [("gbk", "http")]) == (ZH_S, "utf-8", "utf-8-valid")
    # BOM wins over labels
    assert H.decode_text(b"\xef\xbb\xbf" + ZH_S.encode(), [("gbk", "http")]) == (ZH_S, "utf-8", "bom")
    with pytest.raises(H.Undecodable):
        H.decode_text(b"\x00\x00\x01" * 100, [])


def test_meta_charset_forms():
    assert H.meta_charset(b'<meta charset="GB2312">') == "GB2312"
    assert H.meta_charset(b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=big5'>") == "big5"
    assert H.meta_charset(b'<?xml version="1.0" encoding="gbk"?><html>') == "gbk"
    assert H.meta_charset(b"<p>charset=gbk</p>") is None


# ---------------------------------------------------------------------------
# Damaged WARC/WET input: quarantined with a reason, reading goes on


def _wet_bytes(tmp_path, n=4, gzip_members=True) -> Tuple[bytes, List[dict]]:
    p = tmp_path / "src.warc.wet.gz"
    texts = [(f"http://x/{i}", "zho", f"第{i}篇文章。" * 50) for i in range(n)]
    expected = _write_wet(p, gzip_members=gzip_members, texts=texts)
    return p.read_bytes(), expected


def _gzip_members(data: bytes) -> List[Tuple[int, int]]:
    out, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        d.decompress(data[pos:])
        end = len(data) - len(d.unused_data)
        out.append((pos, end))
        pos = end
    return out


@needs_warcio
def test_corrupt_gzip_member_is_skipped(tmp_path):
    data, expected = _wet_bytes(tmp_path)
    members = _gzip_members(data)
    assert len(members) == 5  # warcinfo + 4 conversions
    s, e = members[2]  # the second conversion
    bad = bytearray(data)
    for i in range(s + 20, e - 10):
        bad[i] ^= 0x5A
    p = tmp_path / "corrupt.warc.wet.gz"
    p.write_bytes(bytes(bad))
    docs, qs, st = _read(p)
    assert [d.text for d in docs] == [expected[i]["text"] for i in (0, 2, 3)]
    assert [q.reason for q in qs] == ["corrupt-gzip"]
    assert f"byte {s}" in qs[0].detail
    assert st.records == 5 and st.skipped == 1
    # ids stay positional: the documents after the damage keep index = record position
    assert [d.id for d in docs] == ["corrupt.warc.wet.gz:1", "corrupt.warc.wet.gz:3", "corrupt.warc.wet.gz:4"]


@needs_warcio
@pytest.mark.parametrize("gzip_members", [True, False])
def test_truncated_gzip_ends_cleanly(tmp_path, gzip_members):
    data, expected = _wet_bytes(tmp_path, gzip_members=gzip_members)
    if not gzip_members:
        data = gzip.compress(data)
    p = tmp_path / "cut.warc.wet.gz"
    p.write_bytes(data[: int(len(data) * 0.7)])
    docs, qs, st = _read(p)
    assert len(qs) == 1 and qs[0].reason == "truncated-gzip"
    assert [d.text for d in docs] == [e["text"] for e in expected[: len(docs)]]
    assert 1 <= len(docs) < len(expected)
    assert qs[0].index == len(docs) + 1


@needs_warcio
def test_junk_and_truncated_record_plain(tmp_path):
    plain, expected = _wet_bytes(tmp_path, gzip_members=False)
    cut = plain.index(b"WARC/1.0", plain.index(b"WARC/1.0", plain.index(b"conversion")) + 1)
    junk = b"this is not a WARC record\r\nat all\r\n\r\n"
    p = tmp_path / "junk.warc.wet"
    p.write_bytes(plain[:cut] + junk + plain[cut:-400])  # junk between records, last record cut short
    docs, qs, st = _read(p)
    assert [q.reason for q in qs] == ["malformed-warc-header", "truncated-record"]
    assert qs[0].raw.startswith(b"this is not a WARC record")
    assert [d.text for d in docs] == [e["text"] for e in expected[:3]]
    assert st.records == 1 + 1 + 4 and st.consistent


@needs_warcio
def test_oversized_blocks_streamed_past(tmp_path, monkeypatch):
    from corpus_engine.io import readers

    monkeypatch.setattr(readers, "MAX_BLOCK", 3000)
    monkeypatch.setattr(readers, "CHUNK", 1024)  # the big block spans many reads
    path = tmp_path / "big.warc"
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=False)
        _response(w, "http://video.example.cn/v.mp4", bytes(range(256)) * 40, [("Content-Type", "video/mp4")])
        _response(w, "http://page.example.cn/", _page("标题", ZH_S).encode(), [("Content-Type", "text/html")])
    docs, bad, st = _read(path)
    assert [d.meta["url"] for d in docs] == ["http://page.example.cn/"] and bad == []
    assert dict(st.skipped_reasons) == {"oversized": 1, "request": 2}
    cut = tmp_path / "big-cut.warc"
    cut.write_bytes(path.read_bytes()[:6000])
    docs, bad, st = _read(cut)
    assert docs == [] and [q.reason for q in bad] == ["truncated-record"] and "record of 10284 bytes cut" in bad[0].detail


def test_header_cut_and_empty_conversion(tmp_path):
    p = tmp_path / "cut-header.wet"
    p.write_bytes(b"WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://e/\r\nContent-Length: 0\r\n\r\n\r\n\r\n"
                  b"WARC/1.0\r\nWARC-Type: conversion\r\nContent-Le")
    docs, qs, st = _read(p)
    assert docs == [] and [q.reason for q in qs] == ["empty-payload", "truncated-record"]
    empty = tmp_path / "empty.warc.wet.gz"
    empty.write_bytes(b"")
    assert read_stats(empty).records == 0


def test_read_stats_and_reader_object(wet_dir):
    st = read_stats(wet_dir / "dolma/sample-0001.warc.gz")
    assert st.to_dict()["documents"] == 15 and st.consistent
    total = ReadStats()
    for rel in WET_EXPECTED:
        total.merge(read_stats(wet_dir / rel))
    assert total.records == sum(v[0] for v in WET_EXPECTED.values())
    assert total.consistent and total.source == "*"


# ---------------------------------------------------------------------------
# JSONL


def test_c4_jsonl_real(shared_data):
    p = shared_data / "noisy_zh/c4-dataset-script/Chinese_docs_random-100.jsonl"
    if not p.is_file():
        pytest.skip(f"missing {p}")
    docs, bad, st = _read(p)
    assert bad == [] and len(docs) == 100 and st.records == 100
    first = json.loads(p.open(encoding="utf-8").readline())
    d = docs[0]
    assert d.id == "Chinese_docs_random-100.jsonl:1" and docs[-1].id == "Chinese_docs_random-100.jsonl:100"
    assert d.text == first["text"]
    assert d.meta["url"] == first["url"] and d.meta["timestamp"] == first["timestamp"]
    assert d.meta["content_language"] == first["content_language"] and d.meta["source"] == p.name
    assert "text" not in d.meta
    assert all(x.meta["url"].startswith("http") and x.meta["timestamp"].startswith("20") for x in docs)


def test_dolma_json_gz_and_json_array(shared_data):
    p = shared_data / "dedup/dolma/provided_deduper_documents_000.json.gz"
    a = shared_data / "sft/llama-factory/alpaca_zh_demo.json"
    if not p.is_file() or not a.is_file():
        pytest.skip("dolma / alpaca files missing from the shared data")
    docs, bad, _ = _read(p, id_field="id")
    assert len(docs) == 10 and bad == []
    docs, bad, st = _read(a, text_field="output")
    assert len(docs) == 1000 and bad == [] and docs[0].id == "alpaca_zh_demo.json:0"
    assert "instruction" in docs[0].meta


def test_bad_json_lines_quarantined_with_line_numbers(tmp_path):
    p = tmp_path / "mixed.jsonl"
    lines = [
        '\ufeff{"text": "第一行", "url": "http://a/", "n": 3}',  # BOM on the first line
        '{"text": "坏的 JSON", ',
        "",  # blank: not a record
        '["not", "an", "object"]',
        '{"url": "no text"}',
        '{"text": 42}',
        '{"text": null}',
        '{"text": "第八行\\n第二段", "id": "doc-8", "lang": "zh"}\r',  # CRLF
        '{"text": "lone \\ud800 surrogate"}',
    ]
    raw = "\n".join(lines).encode("utf-8")
    raw += b'\n{"text": "\xff\xfe bad utf-8"}\n{"text": "last line without newline"}'
    p.write_bytes(raw)
    docs, bad, st = _read(p, id_field="id")
    assert [(q.index, q.reason) for q in bad] == [
        (2, "bad-json"), (4, "not-an-object"), (5, "missing-text-field"), (6, "bad-text-field"),
        (7, "missing-text-field"), (10, "undecodable")]
    for q in bad:
        assert f"line {q.index}" in q.detail and q.raw and q.offset is not None
        assert raw[q.offset:].startswith(q.raw)
    assert [d.id for d in docs] == ["mixed.jsonl:1", "doc-8", "mixed.jsonl:9", "mixed.jsonl:11"]
    assert docs[0].text == "第一行" and docs[0].meta == {"url": "http://a/", "source": "mixed.jsonl"}
    assert docs[1].text == "第八行\n第二段" and docs[1].meta["lang"] == "zh"
    assert docs[2].text == "lone \ufffd surrogate"
    assert st.blank_lines == 1 and st.records == 10


def test_jsonl_compressed_and_truncated(tmp_path):
    import zstandard

    rows = [{"text": f"文档{i}" * 20, "url": f"http://x/{i}"} for i in range(3000)]
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    # zstd in two frames, gzip in two members: both must read through
    z = zstandard.ZstdCompressor()
    (tmp_path / "a.jsonl.zst").write_bytes(z.compress(body[:5000]) + z.compress(body[5000:]))
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(body[:7000]) + gzip.compress(body[7000:]))
    (tmp_path / "a.ndjson").write_bytes(body)
    for name in ("a.jsonl.zst", "a.jsonl.gz", "a.ndjson"):
        docs, bad, _ = _read(tmp_path / name)
        assert bad == [] and [d.text for d in docs] == [r["text"] for r in rows], name
    whole = gzip.compress(body)
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    docs, bad, st = _read(tmp_path / "cut.jsonl.gz")
    assert [q.reason for q in bad] == ["truncated-gzip"] and 0 < len(docs) < 3000
    assert [d.text for d in docs] == [r["text"] for r in rows[: len(docs)]]
    zall = zstandard.ZstdCompressor().compress(body)
    (tmp_path / "cut.jsonl.zst").write_bytes(zall[: len(zall) // 2])
    docs, bad, st = _read(tmp_path / "cut.jsonl.zst")
    assert [q.reason for q in bad] == ["truncated-zstd"] and 0 < len(docs) < 3000


# ---------------------------------------------------------------------------
# Parquet


def test_parquet_reader(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    t = pa.table({"content": ["甲", None, "丙", "丁"], "url": ["u1", "u2", None, "u4"], "score": [1.0, 2.0, 3.0, 4.0],
                  "key": ["k1", "k2", "k3", "k4"]})
    pq.write_table(t, tmp_path / "t.parquet", row_group_size=2)
    docs, bad, st = _read(tmp_path / "t.parquet", text_field="content", id_field="key")
    assert [(d.id, d.text) for d in docs] == [("k1", "甲"), ("k3", "丙"), ("k4", "丁")]
    assert docs[0].meta == {"url": "u1", "source": "t.parquet"} and docs[1].meta["url"] is None
    assert [(q.index, q.reason) for q in bad] == [(1, "missing-text-field")]
    assert json.loads(bad[0].raw)["url"] == "u2"
    docs, _, _ = _read(tmp_path / "t.parquet", text_field="content")
    assert [d.id for d in docs] == ["t.parquet:0", "t.parquet:2", "t.parquet:3"]
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 this is not parquet")
    docs, bad, st = _read(tmp_path / "broken.parquet")
    assert docs == [] and [q.reason for q in bad] == ["bad-parquet"] and st.records == 1


# ---------------------------------------------------------------------------
# Formats and usage errors


@pytest.mark.parametrize("name, fmt", [
    ("CC-MAIN-x.warc.wet.gz", "wet"), ("a.warc.wet", "wet"), ("a.wet", "wet"), ("a.wet.gz", "wet"),
    ("a.warc", "warc"), ("a.warc.gz", "warc"), ("a.warc.wat.gz", "warc"), ("a.jsonl", "jsonl"),
    ("a.json", "jsonl"), ("a.jsonl.gz", "jsonl"), ("a.jsonl.zst", "jsonl"), ("a.ndjson", "jsonl"),
    ("a.parquet", "parquet"), ("A.JSONL.GZ", "jsonl"),
])
def test_detect_format(name, fmt):
    assert detect_format(name) == fmt


def test_usage_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        read_documents(tmp_path / "nope.jsonl")
    (tmp_path / "x.csv").write_text("a,b\n")
    with pytest.raises(ValueError, match="unknown input format"):
        read_documents(tmp_path / "x.csv")
    with pytest.raises(ValueError, match="unknown format"):
        read_documents(tmp_path / "x.csv", fmt="csv")
    with pytest.raises(IsADirectoryError):
        read_documents(tmp_path)
    # fmt overrides the name; compression is sniffed, not taken from the name
    (tmp_path / "data.txt").write_bytes(gzip.compress(b'{"text": "\xe4\xb8\xad"}\n'))
    (d,), bad, _ = _read(tmp_path / "data.txt", fmt="jsonl")
    assert d.text == "中" and bad == []


def test_mutated_inputs_never_raise(wet_dir, tmp_path):
    """Flipped bytes, cuts, inserted headers and bogus Content-Lengths: never an exception, and the
    counts always add up (a deterministic sample of what a longer fuzz run checked)."""
    import random

    rng = random.Random(20240518)
    sources = []
    for rel in ("cc_net/sample.warc.wet", "commoncrawl-whirlwind/whirlwind.warc.wet.gz",
                "commoncrawl-whirlwind/whirlwind.warc.gz"):
        data = (wet_dir / rel).read_bytes()
        sources.append((Path(rel).name, data))
        if data[:2] == b"\x1f\x8b":
            sources.append((Path(rel).name[:-3], gzip.decompress(data)))
    inserts = [b"WARC/1.0\r\n", b"\r\n\r\n", b"Content-Length: 99999\r\n", b"\x1f\x8b\x08", b"WARC/1.0\n\n", b"\x00" * 9]
    for k in range(120):
        name, data = rng.choice(sources)
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            op = rng.random()
            i = rng.randrange(len(b) + 1)
            if op < 0.35 and i < len(b):
                b[i] ^= rng.randint(1, 255)
            elif op < 0.6:
                b[i:i] = rng.choice(inserts)
            elif op < 0.8:
                del b[i:i + rng.randint(1, 400)]
            else:
                b = b[:i]
        p = tmp_path / f"{k}-{name}"
        p.write_bytes(bytes(b))
        docs, bad, st = _read(p)
        assert all(q.reason for q in bad) and all(isinstance(d.text, str) for d in docs)
