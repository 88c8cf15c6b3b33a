"""corpus_engine.synthetic.synthesize: generated WET files and their ground truth.

The ground truth is checked against the product's own kernels: every line fate, cleaned length and
Chinese ratio against corpus_engine.text, the demo-lexicon hits and censor verdicts against
corpus_engine.censor, the planted duplicates against corpus_engine.dedup.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
import warnings
import zlib
from pathlib import Path

import pytest

from corpus_engine import synthetic as syn
from corpus_engine import text
from corpus_engine import pii
from corpus_engine.noise_lines import NoiseLineFilter
from corpus_engine.censor import Lexicon, Matcher
from corpus_engine.dedup import DEFAULT_THRESHOLD, MinHasher, jaccard, near_duplicates

SIZE = 1_200_000


def _records(path: Path):
    """(headers, payload) of every record of a WET file, parsed by hand (CRLF framing)."""
    data = Path(path).read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    pos, out = 0, []
    while pos < len(data):
        assert data.startswith(b"WARC/1.0\r\n", pos), pos
        end = data.index(b"\r\n\r\n", pos)
        head = data[pos + 10:end].decode("utf-8").split("\r\n")
        headers = [tuple(h.split(": ", 1)) for h in head]
        n = int(dict(headers)["Content-Length"])
        payload = data[end + 4:end + 4 + n]
        assert data[end + 4 + n:end + 8 + n] == b"\r\n\r\n"
        out.append((headers, payload))
        pos = end + 8 + n
    return out


def _gzip_members(path: Path) -> int:
    data, n = path.read_bytes(), 0
    while data:
        d = zlib.decompressobj(31)
        d.decompress(data)
        assert d.eof
        data = d.unused_data
        n += 1
    return n


def _truth(d: Path):
    return [json.loads(line) for line in (d / syn.GROUND_TRUTH).read_text(encoding="utf-8").splitlines()]


def _docs(d: Path):
    """{id: text} in file order, ids as the WET reader makes them (record 0 is warcinfo)."""
    docs = {}
    for f in sorted(d.glob("*.warc.wet*")):
        for i, (headers, payload) in enumerate(_records(f)):
            h = dict(headers)
            if i == 0:
                assert h["WARC-Type"] == "warcinfo"
                continue
            assert h["WARC-Type"] == "conversion"
            docs[f"{f.name}:{i}"] = payload.decode("utf-8")
    return docs


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    """The generated set, and its texts after zh_extract, noise_lines and clean (the kernels)."""
    d = tmp_path_factory.mktemp("synth")
    summary = syn.synthesize(d, SIZE, seed=5, files=3)
    truth = _truth(d)
    docs = _docs(d)
    texts = [docs[r["id"]] for r in truth]
    cleaned = text.trim_content(text.strip_control(NoiseLineFilter().apply(text.extract_chinese(texts))[0]))
    return d, summary, truth, docs, texts, cleaned


def test_size_files_and_ids(synth):
    d, summary, truth, docs, _, _ = synth
    assert summary.text_bytes >= SIZE and len(summary.files) == 3
    assert summary.documents == len(truth) == len(docs)
    assert [r["id"] for r in truth] == list(docs)  # same ids, same order
    per_file = {}
    for r in truth:
        assert r["id"] == f"{r['file']}:{r['record']}"
        per_file.setdefault(r["file"], []).append(r["record"])
    for f in summary.files:
        name = Path(f).name
        # each file holds its share of the text, and no more than one page past it
        recs = _records(Path(f))
        assert per_file[name] == list(range(1, len(recs)))
        text_bytes = sum(len(p) for _, p in recs[1:])
        assert SIZE / 3 <= text_bytes < SIZE / 3 + max(len(p) for _, p in recs[1:])
        assert _gzip_members(Path(f)) == len(recs)  # one gzip member per record
    assert sum(summary.kinds.values()) == summary.documents
    manifest = json.loads((d / syn.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["documents"] == summary.documents and manifest["seed"] == 5


def test_records_have_common_crawl_headers(synth):
    d, _, truth, _, _, _ = synth
    byid = {r["id"]: r for r in truth}
    f = sorted(d.glob("*.warc.wet.gz"))[0]
    recs = _records(f)
    info = dict(recs[0][0])
    assert [k for k, _ in recs[0][0]] == ["WARC-Type", "WARC-Date", "WARC-Filename", "WARC-Record-ID", "Content-Type",
                                          "Content-Length", "WARC-Block-Digest"]
    assert info["WARC-Filename"] == f.name and info["Content-Type"] == "application/warc-fields"
    assert recs[0][1].endswith(b"\r\n\r\n")
    order = ["WARC-Type", "WARC-Target-URI", "WARC-Date", "WARC-Record-ID", "WARC-Refers-To", "WARC-Block-Digest",
             "WARC-Identified-Content-Language", "Content-Type", "Content-Length", "WARC-Payload-Digest"]
    ids = set()
    for i, (headers, payload) in enumerate(recs[1:], start=1):
        h = dict(headers)
        assert [k for k, _ in headers] == order
        assert re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", h["WARC-Record-ID"]) and h["WARC-Record-ID"] not in ids
        ids.add(h["WARC-Record-ID"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", h["WARC-Date"])
        assert h["Content-Type"] == "text/plain" and int(h["Content-Length"]) == len(payload)
        digest = "sha1:" + __import__("base64").b32encode(hashlib.sha1(payload).digest()).decode()
        assert h["WARC-Block-Digest"] == h["WARC-Payload-Digest"] == digest
        assert payload.endswith(b"\n")
        row = byid[f"{f.name}:{i}"]
        assert (row["url"], row["record_id"], row["date"], row["content_language"], row["bytes"]) == (
            h["WARC-Target-URI"], h["WARC-Record-ID"], h["WARC-Date"], h["WARC-Identified-Content-Language"], len(payload))


def test_layout_matches_a_real_common_crawl_wet_file(synth, shared_data):
    real = shared_data / "wet" / "commoncrawl-whirlwind" / "whirlwind.warc.wet.gz"
    if not real.exists():
        pytest.skip(f"{real} not found")
    d = synth[0]
    ours = _records(sorted(d.glob("*.warc.wet.gz"))[0])
    theirs = _records(real)
    for a, b in zip(ours[:2], theirs[:2]):
        assert [k for k, _ in a[0]] == [k for k, _ in b[0]]
    assert _gzip_members(real) == len(theirs)


def test_files_parse_with_warcio(synth):
    archive = pytest.importorskip("warcio.archiveiterator")
    d, _, truth, docs, _, _ = synth
    seen = []
    for f in sorted(d.glob("*.warc.wet.gz")):
        with open(f, "rb") as fh:
            for i, rec in enumerate(archive.ArchiveIterator(fh)):
                if i == 0:
                    assert rec.rec_type == "warcinfo"
                    continue
                assert rec.rec_type == "conversion"
                doc_id = f"{f.name}:{i}"
                seen.append(doc_id)
                assert rec.content_stream().read().decode("utf-8") == docs[doc_id]
                assert rec.rec_headers.get_header("WARC-Target-URI") == truth[len(seen) - 1]["url"]
    assert seen == [r["id"] for r in truth]


def test_line_fates_and_lengths_match_the_kernels(synth):
    _, _, truth, _, texts, cleaned = synth
    extracted = text.extract_chinese(texts)
    ratio = text.zh_ratio(texts)
    for r, doc, ext, cl, zr in zip(truth, texts, extracted, cleaned, ratio):
        lines = syn._split_lines(doc)
        fates = r["line_fates"]
        assert len(lines) == len(fates) == len(syn.line_kinds(r)), r["id"]
        assert ext == "\n".join(ln for ln, f in zip(lines, fates) if f != "-"), r["id"]
        assert len(pii.mask([cl])[0][0]) == r["clean_chars"], r["id"]
        assert (cl.count("\n") + 1 if cl else 0) == fates.count("c"), r["id"]
        assert abs(zr - r["zh_ratio"]) < 1e-4, r["id"]
        e = r["expected"]
        assert e["zh_extract"] == bool(ext) and e["clean"] == bool(cl) and e["length"] == (len(cl) >= syn.MIN_CHARS)


def test_line_fates_match_the_reference_twin(synth):
    from corpus_engine.reference import text as ref

    _, _, truth, _, texts, cleaned = synth
    sample = texts[:40]
    from corpus_engine.reference.noise_lines import NoiseLineFilter as RefNoise

    assert ref.trim_content(ref.strip_control(RefNoise().apply(ref.extract_chinese(sample))[0])) == cleaned[:40]


def test_demo_lexicon_hits_and_censor_verdicts(synth):
    _, _, truth, _, _, cleaned = synth
    m = Matcher(Lexicon.load([str(syn.DEMO_LEXICON)]))
    r = m.scan(cleaned)
    keep, reason = m.decide(r)
    planted = 0
    for i, row in enumerate(truth):
        hits = {c: int(h) for c, h in zip(r.categories, r.hits[i]) if h}
        assert hits == row["censor_hits"], row["id"]
        assert row["expected"]["censor"] == (None if keep[i] else r.categories[reason[i]]), row["id"]
        if row["kind"] == "censor_hits":
            planted += 1
            assert row["expected"]["removed_by"] == "censor"
            assert row["expected"]["censor"] == row["censor_planted"]["category"]
        else:
            assert sum(hits.values()) <= 1  # at most one hit in a long article, below every threshold
    assert planted > 0


def test_planted_duplicates_have_the_recorded_jaccard(synth):
    _, _, truth, _, _, cleaned = synth
    cleaned = pii.mask(cleaned)[0]  # dedup sees the text after the pii stage
    index = {r["id"]: i for i, r in enumerate(truth)}
    h = MinHasher()
    kinds = {"exact_duplicate": 0, "near_duplicate": 0, "edited_copy": 0}
    cross_file = 0
    for i, r in enumerate(truth):
        if r["kind"] not in kinds:
            assert r["duplicate_of"] is None
            continue
        kinds[r["kind"]] += 1
        src = index[r["duplicate_of"]]
        assert src < i and truth[src]["expected"]["removed_by"] is None
        cross_file += truth[src]["file"] != r["file"]
        if r["kind"] == "exact_duplicate":
            a, b = h.normalize([cleaned[src], cleaned[i]])
            assert a == b and r["jaccard"] == 1.0
            assert r["expected"]["dedup"] == {"reason": "exact", "of": r["duplicate_of"]}
            if r["raw_identical"]:
                assert synth[4][src] == synth[4][i]
        else:
            j = jaccard(cleaned[src], cleaned[i])
            assert abs(j - r["jaccard"]) < 1e-6, r["id"]
            assert (j >= DEFAULT_THRESHOLD) == (r["kind"] == "near_duplicate")
            assert r["expected"]["dedup"] == ({"reason": "near", "of": r["duplicate_of"]} if j >= DEFAULT_THRESHOLD else None)
    assert all(kinds.values()), kinds
    assert cross_file > 0


def test_no_unplanned_duplicates(synth):
    """Native dedup over the documents that reach it removes no document the truth keeps, and
    every planted exact duplicate."""
    _, _, truth, _, _, cleaned = synth
    cleaned = pii.mask(cleaned)[0]  # dedup sees the text after the pii stage
    reach = [i for i, r in enumerate(truth) if r["expected"]["removed_by"] in (None, "dedup")]
    res = near_duplicates([cleaned[i] for i in reach], return_info=True)
    expected = [truth[i]["expected"]["dedup"] for i in reach]
    for k, e in enumerate(expected):
        if not res.keep[k]:
            assert e is not None, truth[reach[k]]["id"]
        if e is not None and e["reason"] == "exact":
            assert not res.keep[k], truth[reach[k]]["id"]
    near = [k for k, e in enumerate(expected) if e is not None and e["reason"] == "near"]
    assert sum(not res.keep[k] for k in near) >= 0.9 * len(near)


def test_kinds_languages_and_stages(synth):
    _, summary, truth, _, texts, _ = synth
    kinds = {r["kind"] for r in truth}
    assert set(syn.KINDS) <= kinds
    langs = {r["content_language"].split(",")[0] for r in truth}
    assert {"zho", "eng", "jpn"} <= langs
    for r, doc in zip(truth, texts):
        e = r["expected"]
        if r["kind"] in ("english", "japanese"):
            assert not e["lang_gate"] and e["removed_by"] == "lang_gate"
        else:
            assert e["lang_gate"] and "zho" in r["content_language"].split(",")
        if r["kind"] == "english":
            assert sum(c.isascii() for c in doc) > 0.95 * len(doc)
        if r["kind"] == "japanese":
            assert re.search("[\u3040-\u30ff]", doc)
        if r["kind"] == "short":
            assert e["removed_by"] in ("zh_extract", "clean", "length") and r["clean_chars"] < syn.MIN_CHARS
        if r["kind"] in ("chinese_article", "chinese_with_boilerplate", "mixed"):
            assert e["removed_by"] is None and r["clean_chars"] >= 100, r["id"]
        if r["kind"] == "spam":
            assert r["quality"] == "spam" and e["removed_by"] == "repetition" and r["clean_chars"] >= 100, r["id"]
        if r["kind"] == "chinese_with_boilerplate":
            assert set(r["line_fates"]) & set("-ne")  # furniture leaves
    fates = {}
    for r in truth:
        fates[r["expected"]["removed_by"]] = fates.get(r["expected"]["removed_by"], 0) + 1
    assert {None, "lang_gate", "censor", "repetition", "dedup"} <= set(fates)
    assert summary.removed_by == {(k or "kept"): v for k, v in fates.items()}


def test_control_characters_are_sprinkled(synth):
    texts = synth[4]
    joined = "".join(texts)
    for c in ("\x00", "\u200b", "\ufeff", "\u3000", "\u00ad"):
        assert c in joined, repr(c)
    assert any("\r\n" in t for t in texts)


def test_deterministic(tmp_path):
    a = syn.synthesize(tmp_path / "a", 150_000, seed=11, files=2)
    b = syn.synthesize(tmp_path / "b", 150_000, seed=11, files=2)
    c = syn.synthesize(tmp_path / "c", 150_000, seed=12, files=2)
    for fa, fb in zip(a.files + [a.ground_truth], b.files + [b.ground_truth]):
        assert Path(fa).read_bytes() == Path(fb).read_bytes()
    assert Path(a.files[0]).read_bytes() != Path(c.files[0]).read_bytes()
    plain = syn.synthesize(tmp_path / "p", 150_000, seed=11, files=2, gzip=False)
    assert [Path(f).name for f in plain.files] == [Path(f).name[:-3] for f in a.files]
    # the same records (the warcinfo record names its own file)
    assert _records(Path(plain.files[1]))[1:] == _records(Path(a.files[1]))[1:]


def test_docs_per_file(tmp_path):
    s = syn.synthesize(tmp_path / "x", 0, seed=1, files=3, docs_per_file=7)
    assert s.documents == 21 and len(s.files) == 3
    assert all(len(_records(Path(f))) == 8 for f in s.files)
    s = syn.synthesize(tmp_path / "y", 60_000, seed=1, docs_per_file=5)
    assert s.text_bytes >= 60_000 and s.documents == 5 * len(s.files)


def test_parse_size():
    assert syn.parse_size("100MB") == 100_000_000
    assert syn.parse_size("5 MiB") == 5 * 2**20
    assert syn.parse_size("1.5GB") == 1_500_000_000
    assert syn.parse_size("250k") == 250_000
    assert syn.parse_size(1234) == 1234
    for bad in ("ten", "-5MB", "5XB", True):
        with pytest.raises(ValueError):
            syn.parse_size(bad)


def test_demo_lexicon_is_self_contained():
    lex = syn.demo_lexicon()
    cats = {}
    for c, w in lex:
        cats.setdefault(c, []).append(w)
    assert list(cats) == ["色情", "反动", "暴恐", "民生", "贪腐", "其他"]
    assert all(10 <= len(ws) <= 30 for ws in cats.values())
    words = [w for _, w in lex]
    assert len(set(words)) == len(words)
    for w in words:
        assert w[0] in syn._MARKERS and not syn._MARKER_RE.search(w[1:]), w
        assert not any(w != v and w in v for v in words), w
    loaded = Lexicon.load([str(syn.DEMO_LEXICON)])
    assert loaded.problems == [] and loaded.categories == list(cats)
    # nothing else the generator writes holds a marker
    pools = (syn._EN_NAV + syn._JA_NAV + syn._ZH_NAV + syn._ZH_ADS + syn._ZH_SOURCES + syn._SHORT_TEXTS + syn._SURNAMES
             + syn._ZH_CHANNELS + syn._ZH_SIDE_HEAD + syn._JA_KANJI + syn._JA_PRED + syn._BUILTIN)
    assert not syn._MARKER_RE.search("".join(pools))
    assert not syn._MARKER_RE.search("".join(syn.load_vocabulary().words))


def test_jieba_vocabulary():
    jieba = pytest.importorskip("jieba")
    v = syn.load_vocabulary()
    assert v.source.startswith("jieba") and v.version == jieba.__version__ and len(v) == 120_000
    assert v.freq == sorted(v.freq, reverse=True) and v.words[:3] == ["了", "是", "在"]


def test_without_jieba_a_builtin_list_and_a_warning(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "jieba", None)  # import jieba -> ImportError
    syn.load_vocabulary.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match="jieba is not installed"):
            s = syn.synthesize(tmp_path / "b", 120_000, seed=3, files=1)
        assert s.vocabulary.startswith("builtin") and s.jieba_version is None and s.warnings
        truth, docs = _truth(tmp_path / "b"), _docs(tmp_path / "b")
        texts = [docs[r["id"]] for r in truth]
        cleaned = text.trim_content(text.strip_control(NoiseLineFilter().apply(text.extract_chinese(texts))[0]))
        assert [len(c) for c in pii.mask(cleaned)[0]] == [r["clean_chars"] for r in truth]
    finally:
        syn.load_vocabulary.cache_clear()


def test_web_pages_unchanged():
    """The small demo generator keeps its output (other tests pin numbers computed from it)."""
    pages = syn.web_pages(50, seed=0)
    digest = hashlib.sha1("\x1e".join(pages).encode("utf-8", "surrogatepass")).hexdigest()
    assert digest == WEB_PAGES_SHA1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert syn.web_page(__import__("random").Random(1))


WEB_PAGES_SHA1 = "09851e240a899ba50b3215d0ef983623d936ba0c"  # of the version before synthesize() existed


def test_spam_pages_are_expected_to_leave_at_the_repetition_stage(synth):
    """The repetition verdicts of the ground truth are what repetition.decide gives on the cleaned text."""
    from corpus_engine import repetition

    _, _, truth, _, _, cleaned = synth
    keep, reasons = repetition.decide(repetition.measure(cleaned))
    spam = 0
    for row, k, why, cl in zip(truth, keep, reasons, cleaned):
        if cl:
            assert row["expected"]["repetition"] == (None if k else why), row["id"]
        if row["kind"] == "spam":
            spam += 1
            assert row["expected"]["removed_by"] == "repetition", row["id"]
    assert spam > 0
