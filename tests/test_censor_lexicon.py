"""Lexicon loading and normalisation (docs/censor.md sections 1-2): corpus_engine.censor_lexicon.

Every file of ``shared/data/lexicon`` is loaded and its distinct words per category compared with
(a) a count made here from the raw bytes with simple code that knows each file's format and
encoding, and (b) the numbers written down below. Small crafted files (tmp_path) pin encodings,
line endings, formats, problems and their line numbers. The shared data is read in place, never
copied; the real-data tests skip when it is absent.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

from corpus_engine import censor_lexicon as cl
from corpus_engine.censor_lexicon import FORMATS, Lexicon, LexiconProblem, category_from_filename, detect_encoding
from helpers import data_dir  # the shared-data folder of conftest.py ($CORPUS_ENGINE_DATA or ../shared/data)

# ---------------------------------------------------------------------------
# the shared lexicon files: relative path -> (encoding detected, format, distinct normalised words
# per category). Normalised = width and ASCII case folded, surrounding white space stripped; the
# counts are distinct (category, word) pairs, i.e. what ``Lexicon.sizes`` reports for the file.

EXPECTED: Dict[str, Tuple[str, str, Dict[str, int]]] = {
    "57ing-sensitive-word/key.txt": ("utf-8-bom", "pipe", {"key": 13951}),
    "57ing-sensitive-word/其他词库.txt": ("gb18030", "list", {"其他": 153}),
    "57ing-sensitive-word/反动词库.txt": ("gb18030", "list", {"反动": 551}),
    "57ing-sensitive-word/敏感词库表统计.txt": (
        "gb18030", "table", {"色情": 552, "反动": 551, "暴恐": 178, "民生": 510, "贪腐": 240, "其他": 1559}),
    "57ing-sensitive-word/暴恐词库.txt": ("gb18030", "list", {"暴恐": 178}),
    "57ing-sensitive-word/民生词库.txt": ("gb18030", "list", {"民生": 510}),
    "57ing-sensitive-word/色情词库.txt": ("gb18030", "list", {"色情": 552}),
    "57ing-sensitive-word/贪腐词库.txt": ("gb18030", "list", {"贪腐": 240}),
    "c4-dataset-script/badwords/zh": ("utf-8", "list", {"zh": 318}),
    "funnlp/反动词库（gbk编码）.txt": ("gb18030", "list", {"反动": 554}),
    "funnlp/广告.txt": ("utf-8", "list", {"广告": 120}),
    "funnlp/政治类.txt": ("utf-8", "list", {"政治": 303}),
    "funnlp/敏感词.txt": ("utf-8", "list", {"敏感词": 14115}),
    "funnlp/敏感词及类型.txt": (
        "utf-8", "table", {"色情": 552, "反动": 551, "暴恐": 178, "民生": 510, "贪腐": 240, "其他": 1559}),
    "funnlp/暴恐词库.txt": ("utf-8", "list", {"暴恐": 178}),
    "funnlp/民生词库（gbk编码）.txt": ("gb18030", "list", {"民生": 510}),
    "funnlp/涉枪涉爆违法信息关键词.txt": ("utf-16-le-bom", "list", {"涉枪涉爆违法信息关键词": 434}),
    "funnlp/网址.txt": ("utf-8", "list", {"网址": 14592}),
    "funnlp/色情词库.txt": ("utf-8", "list", {"色情": 560}),
    "fwwdn-sensitive-stop-words/stopword.dic": ("utf-8", "list", {"stopword": 1847}),
    "fwwdn-sensitive-stop-words/广告.txt": ("utf-8", "list", {"广告": 120}),
    "fwwdn-sensitive-stop-words/政治类.txt": ("utf-8", "list", {"政治": 303}),
    "fwwdn-sensitive-stop-words/涉枪涉爆违法信息关键词.txt": ("utf-8", "list", {"涉枪涉爆违法信息关键词": 434}),
    "fwwdn-sensitive-stop-words/网址.txt": ("utf-8", "list", {"网址": 14592}),
    "fwwdn-sensitive-stop-words/色情类.txt": ("utf-8", "list", {"色情": 304}),
    "konsheng-sensitive-lexicon/Vocabulary/COVID-19词库.txt": ("utf-8", "list", {"COVID-19": 72}),
    "konsheng-sensitive-lexicon/Vocabulary/GFW补充词库.txt": ("utf-8", "list", {"GFW补充": 6169}),
    "konsheng-sensitive-lexicon/Vocabulary/其他词库.txt": ("utf-8", "list", {"其他": 153}),
    "konsheng-sensitive-lexicon/Vocabulary/反动词库.txt": ("utf-8", "list", {"反动": 551}),
    "konsheng-sensitive-lexicon/Vocabulary/广告类型.txt": ("utf-8", "list", {"广告": 120}),
    "konsheng-sensitive-lexicon/Vocabulary/政治类型.txt": ("utf-8", "list", {"政治": 303}),
    "konsheng-sensitive-lexicon/Vocabulary/新思想启蒙.txt": ("utf-8", "list", {"新思想启蒙": 16}),
    "konsheng-sensitive-lexicon/Vocabulary/暴恐词库.txt": ("utf-8", "list", {"暴恐": 178}),
    "konsheng-sensitive-lexicon/Vocabulary/民生词库.txt": ("utf-8", "list", {"民生": 510}),
    "konsheng-sensitive-lexicon/Vocabulary/涉枪涉爆.txt": ("utf-8", "list", {"涉枪涉爆": 434}),
    "konsheng-sensitive-lexicon/Vocabulary/网易前端过滤敏感词库.txt": ("utf-8", "list", {"网易前端过滤敏感": 7746}),
    "konsheng-sensitive-lexicon/Vocabulary/色情类型.txt": ("utf-8", "list", {"色情": 304}),
    "konsheng-sensitive-lexicon/Vocabulary/色情词库.txt": ("utf-8", "list", {"色情": 552}),
    "konsheng-sensitive-lexicon/Vocabulary/补充词库.txt": ("utf-8", "list", {"补充": 1063}),
    "konsheng-sensitive-lexicon/Vocabulary/贪腐词库.txt": ("utf-8", "list", {"贪腐": 240}),
    "konsheng-sensitive-lexicon/Vocabulary/零时-Tencent.txt": ("utf-8", "list", {"零时-Tencent": 41566}),
    "konsheng-sensitive-lexicon/Vocabulary/非法网址.txt": ("utf-8", "list", {"非法网址": 14592}),
    "nkcorpus-blacklist/000000.txt": (
        "gb18030", "table", {"色情": 552, "反动": 551, "暴恐": 178, "民生": 510, "贪腐": 240, "其他": 1559}),
    "nkcorpus-blacklist/000001.txt": (
        "utf-8", "category_word", {"色情": 765, "反动": 792, "暴恐": 253, "民生": 736, "贪腐": 97, "其他": 2556}),
    "nkcorpus-blacklist/latest.txt": (
        "utf-8", "category_word", {"色情": 1682, "反动": 792, "暴恐": 254, "民生": 734, "贪腐": 97, "其他": 2559}),
    "toxicn/LGBT.json": ("utf-8", "json", {"LGBT": 27}),
    "toxicn/general.json": ("utf-8", "json", {"general": 201}),
    "toxicn/racism.json": ("utf-8", "json", {"racism": 144}),
    "toxicn/region.json": ("utf-8", "json", {"region": 47}),
    "toxicn/sexism.json": ("utf-8", "json", {"sexism": 118}),
}  # fmt: skip

# PROVENANCE.md's table for latest.txt. These are RAW LINE counts per category (they add up to the
# 6,126 lines of the file; no line repeats, so they are also the raw distinct words). After
# normalisation 色情 has 1682, not 1690: eight pairs of its lines differ only in ASCII case and fold
# into one word each (SM/sm, 3P/3p, NTR/ntr, A片/a片, 国产AV/国产av, 國產AV/國產av, 亚洲AV/亚洲av,
# 亞洲AV/亞洲av). No full-width word collides (真他ＸＸ and its variants have no half-width twin).
LATEST_RAW_LINES = {"其他": 2559, "色情": 1690, "反动": 792, "民生": 734, "暴恐": 254, "贪腐": 97}
LATEST_CASE_PAIRS = {("SM", "sm"), ("3P", "3p"), ("NTR", "ntr"), ("A片", "a片"), ("国产AV", "国产av"),
                     ("國產AV", "國產av"), ("亚洲AV", "亚洲av"), ("亞洲AV", "亞洲av")}  # fmt: skip


# ---------------------------------------------------------------------------
# helpers: an independent, deliberately plain reading of the raw files


def _decode(raw: bytes, encoding: str) -> str:
    if encoding == "utf-8-bom":
        assert raw[:3] == b"\xef\xbb\xbf"
        return raw[3:].decode("utf-8")
    if encoding == "utf-16-le-bom":
        assert raw[:2] == b"\xff\xfe"
        return raw[2:].decode("utf-16-le")
    if encoding == "gb18030":
        return raw.decode("gbk")  # the files are GBK proper; GB18030 reads GBK the same way
    return raw.decode("utf-8")


def _lines(text: str) -> List[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def _norm(word: str, fold_width=True, fold_case=True) -> str:
    out = []
    for ch in word.strip():
        o = ord(ch)
        if fold_width and 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        elif fold_width and o == 0x3000:
            ch = " "
        if fold_case and "A" <= ch <= "Z":
            ch = chr(ord(ch) + 32)
        out.append(ch)
    return "".join(out).strip()


def _plain_counts(path: Path, encoding: str, fmt: str, fold=True) -> Dict[str, Set[str]]:
    """{category: distinct words} read with simple code that is told the format and encoding."""
    text = _decode(path.read_bytes(), encoding)
    file_cat = EXPECTED_CATEGORY_OF_FILE.get(path.name)
    words: Dict[str, Set[str]] = defaultdict(set)

    def put(cat, w):
        w = _norm(w, fold, fold)
        if w:
            words[cat].add(w)

    if fmt == "json":
        for key in json.loads(text):  # ToxiCN: {word: [token ids]}
            put(file_cat, key)
        return words
    content = [ln for ln in _lines(text) if ln.strip() and not ln.strip().startswith("#")]
    if fmt == "table":
        assert content[0].startswith("T_BASE_SENSITIVEWORDS_ID\tSENSITIVETYPE\tSENSITIVETOPIC\tSENSITIVEWORDS")
        for ln in content[1:]:
            _id, typ, _topic, word = ln.split("\t")
            put(typ.strip(), word)
    elif fmt == "category_word":
        for ln in content:
            cat, word = ln.split(None, 1)
            put(cat, word)
    elif fmt == "pipe":
        for ln in content:
            for w in ln.split("|"):
                put(file_cat, w)
    else:
        for ln in content:
            put(file_cat, ln)
    return words


# the category a one-category file gets from its name (written out, not computed)
EXPECTED_CATEGORY_OF_FILE = {
    Path(rel).name: next(iter(cats)) for rel, (_e, fmt, cats) in EXPECTED.items() if fmt in ("list", "pipe", "json")
}


@pytest.fixture(scope="module")
def lexicon_dir(shared_data) -> Path:
    d = shared_data / "lexicon"
    if not d.is_dir():
        pytest.skip(f"shared data at {shared_data} has no lexicon/ folder")
    return d


def _shared_files(d: Path) -> List[str]:
    return sorted(p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file() and not p.name.startswith("."))


# ---------------------------------------------------------------------------
# real data: every file


def test_the_table_lists_every_shared_file(lexicon_dir):
    assert _shared_files(lexicon_dir) == sorted(EXPECTED), "a lexicon file was added or removed: update EXPECTED"


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_shared_file_counts(lexicon_dir, rel):
    path = lexicon_dir / rel
    if not path.is_file():
        pytest.skip(f"{rel} is not in this copy of the shared data")
    encoding, fmt, counts = EXPECTED[rel]
    lex = Lexicon.load(path)
    assert lex.problems == []
    (src,) = lex.sources
    assert (src.path, src.encoding, src.format) == (str(path), encoding, fmt)
    assert src.lines == len(_lines(_decode(path.read_bytes(), encoding)))
    assert lex.sizes == counts  # the written-down numbers
    plain = {c: len(ws) for c, ws in _plain_counts(path, encoding, fmt).items()}
    assert lex.sizes == plain  # the independent count from the raw file
    assert src.words == sum(counts.values()) == len(lex.entries())
    assert lex.categories == list(counts)  # order of first appearance
    assert len(lex) == len(set(w for _, w in lex.entries()))


def test_encodings_of_the_odd_files(lexicon_dir):
    gbk = lexicon_dir / "57ing-sensitive-word/色情词库.txt"
    utf16 = lexicon_dir / "funnlp/涉枪涉爆违法信息关键词.txt"
    bom8 = lexicon_dir / "57ing-sensitive-word/key.txt"
    table_gbk = lexicon_dir / "nkcorpus-blacklist/000000.txt"
    lex = Lexicon.load([gbk, utf16, bom8, table_gbk])
    assert [s.encoding for s in lex.sources] == ["gb18030", "utf-16-le-bom", "utf-8-bom", "gb18030"]
    assert [s.format for s in lex.sources] == ["list", "list", "pipe", "table"]
    assert lex.problems == []
    # the GBK bytes decoded right: a word of the file, found in its UTF-8 konsheng copy too
    assert "按摩棒" in lex.words and "出售雷管" in lex.words
    # forcing the codec: GBK read as GBK works, read as UTF-8 is a problem on line 0, file skipped
    forced = Lexicon.load(gbk, encoding="gbk")
    assert forced.sources[0].encoding == "gbk" and forced.sizes == {"色情": 552}
    bad = Lexicon.load(gbk, encoding="utf-8")
    assert bad.sources == [] and len(bad.problems) == 1
    assert bad.problems[0].line == 0 and "cannot decode as utf-8" in bad.problems[0].reason


def test_latest_txt_raw_lines_vs_normalised_words(lexicon_dir):
    path = lexicon_dir / "nkcorpus-blacklist/latest.txt"
    lines = _lines(path.read_text(encoding="utf-8"))
    raw_lines = Counter(ln.split(None, 1)[0] for ln in lines)
    raw_distinct = {c: len({ln.split(None, 1)[1].strip() for ln in lines if ln.split(None, 1)[0] == c}) for c in raw_lines}
    assert dict(raw_lines) == LATEST_RAW_LINES == raw_distinct and sum(raw_lines.values()) == 6126
    # without folding the loader gives the raw numbers of PROVENANCE.md ...
    unfolded = Lexicon.load(path, fold_width=False, fold_case=False)
    assert unfolded.sizes == LATEST_RAW_LINES
    # ... with the spec's normalisation 色情 loses the eight case twins
    lex = Lexicon.load(path)
    assert lex.sizes == {**LATEST_RAW_LINES, "色情": 1682}
    porn = {ln.split(None, 1)[1] for ln in lines if ln.startswith("色情 ")}
    twins = {(w, w.lower()) for w in porn if w != w.lower() and w.lower() in porn}
    assert twins == LATEST_CASE_PAIRS
    # words with inner spaces: the word is the rest of the line after the first run of white space
    assert "法 轮 功" in lex.words and "fa lun" in lex.words
    # two words sit in two categories each: 6118 (category, word) pairs, 6116 words
    assert len(lex.entries()) - len(lex) == 2
    multi = [w for w, m in zip(lex.words, lex.word_categories) if bin(m).count("1") > 1]
    assert len(multi) == 2 and all(len(lex.categories_of(w)) == 2 for w in multi)


def test_whole_lexicon_folder(lexicon_dir):
    lex = Lexicon.load(lexicon_dir)
    assert [s.path for s in lex.sources] == [str(lexicon_dir / rel) for rel in sorted(EXPECTED, key=lambda r: r.split("/"))]
    assert lex.problems == []
    assert len(lex.categories) == 27 <= Lexicon.MAX_CATEGORIES
    assert set(lex.categories) == {c for _e, _f, cats in EXPECTED.values() for c in cats}
    # one category can hear from many files: 色情 is the union of the 57ing/funNLP/konsheng/fwwdn lists,
    # the three tables and the NKCorpus lists
    assert lex.sizes["色情"] >= max(n["色情"] for _e, _f, n in EXPECTED.values() if "色情" in n)
    # mapping merges the political lists into 反动
    merged = Lexicon.load(lexicon_dir / "konsheng-sensitive-lexicon", mapping={"政治": "反动", "政治类型.txt": "反动"})
    assert "政治" not in merged.categories and merged.sizes["反动"] >= 551


# ---------------------------------------------------------------------------
# crafted files: encodings, line endings, formats, problems with line numbers

ENCODINGS = {
    "utf-8": lambda s: s.encode("utf-8"),
    "utf-8-bom": lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
    "utf-16-le-bom": lambda s: b"\xff\xfe" + s.encode("utf-16-le"),
    "utf-16-be-bom": lambda s: b"\xfe\xff" + s.encode("utf-16-be"),
    "utf-32-le-bom": lambda s: b"\xff\xfe\x00\x00" + s.encode("utf-32-le"),
    "utf-32-be-bom": lambda s: b"\x00\x00\xfe\xff" + s.encode("utf-32-be"),
    "gb18030": lambda s: s.encode("gbk"),  # GBK bytes, detected as GB18030
}
ENDINGS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r"}


def _write(path: Path, lines: List[str], encoding="utf-8", ending="\n", final=True) -> Path:
    text = ending.join(lines) + (ending if final else "")
    path.write_bytes(ENCODINGS[encoding](text))
    return path


# each crafted file: lines, expected format, expected {category: words}, expected problems (line, reason part)
CRAFTED = {
    "list": (
        "色情词库.txt",
        ["# 注释", "爱液", "", "　", "  ＡＶ  ", "av", "爱液", "法 轮 功", "  # 也是注释"],
        "list",
        {"色情": ["爱液", "av", "法 轮 功"]},
        [],
    ),
    "list-header": (
        "反动词库.txt",
        ["word", "六四", "法轮功"],
        "list",
        {"反动": ["六四", "法轮功"]},
        [(1, "header-looking first line")],
    ),
    "category_word": (
        "blacklist.txt",
        ["# NKCorpus", "色情 爱液", "色情\tＳＥＸ", "反动 六四", "", "反动", "其他 法 轮 功", "色情 sex", "反动 爱液",
         "其他  a  ", "其他 b", "色情 c", "反动 d", "其他 e"],
        "category_word",
        {"色情": ["爱液", "sex", "c"], "反动": ["六四", "爱液", "d"], "其他": ["法 轮 功", "a", "b", "e"]},
        [(6, "no word after the category")],
    ),
    "table": (
        "敏感词库表统计.txt",
        ["T_BASE_SENSITIVEWORDS_ID\tSENSITIVETYPE\tSENSITIVETOPIC\tSENSITIVEWORDS #https://example.org/x",
         "1\t色情\t女\t爱液", "2\t色情\t\tＡＶ", "3\t反动\t\t六四\t多余", "4\t\t\t无类别", "5\t其他\t\t ", "6\t反动\t\t爱液"],
        "table",
        {"色情": ["爱液", "av"], "反动": ["爱液"]},
        [(4, "table row with 5 fields, expected 4"), (5, "empty SENSITIVETYPE"), (6, "empty word")],
    ),
    "pipe": (
        "key.txt",
        ["AV|sex|六四", "法轮功||ＳＥＸ|　|六四"],
        "pipe",
        {"key": ["av", "sex", "六四", "法轮功"]},
        [(2, "empty word"), (2, "empty word")],
    ),
}  # fmt: skip


@pytest.mark.parametrize("ending", sorted(ENDINGS))
@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("kind", sorted(CRAFTED))
def test_crafted_file(tmp_path, kind, encoding, ending):
    name, lines, fmt, words, problems = CRAFTED[kind]
    path = _write(tmp_path / name, lines, encoding, ENDINGS[ending], final=(ending != "CR"))
    lex = Lexicon.load(path)
    (src,) = lex.sources
    assert (src.encoding, src.format, src.lines) == (encoding, fmt, len(lines))
    assert {c: [w for c2, w in lex.entries() if c2 == c] for c in lex.categories} == words
    got = [(p.line, p.reason) for p in lex.problems]
    assert len(got) == len(problems), got
    for (line, reason), (want_line, want_reason) in zip(got, problems):
        assert line == want_line and want_reason in reason, got
    assert all(p.path == str(path) and p.text == lines[p.line - 1] for p in lex.problems)


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_crafted_json(tmp_path, encoding):
    text = '[\n  "爱液",\n  42,\n  "",\n  "ＡＶ",\n  "av"\n]\n'
    path = tmp_path / "toxic.json"
    path.write_bytes(ENCODINGS[encoding](text))
    lex = Lexicon.load(path)
    assert lex.sources[0].encoding == encoding and lex.sources[0].format == "json"
    assert lex.entries() == [("toxic", "爱液"), ("toxic", "av")]
    assert [(p.line, p.reason, p.text) for p in lex.problems] == [
        (3, "JSON item is not a string", "42"),
        (4, "empty word after normalisation", '""'),
    ]


def test_json_objects(tmp_path):
    # ToxiCN: word -> token ids; the words are the keys, the category is the file's
    tox = tmp_path / "general.json"
    tox.write_text('{"傻X": [1, 2],\n "sb": [3], "  ": [4]}', encoding="utf-8")
    lex = Lexicon.load(tox)
    assert lex.entries() == [("general", "傻x"), ("general", "sb")]
    assert [(p.line, p.reason) for p in lex.problems] == [(2, "empty word after normalisation")]
    # an object of lists of strings maps categories to words
    obj = tmp_path / "words.json"
    obj.write_text('{"色情": ["爱液", "AV"],\n "反动": ["六四",\n 7]}', encoding="utf-8")
    lex = Lexicon.load(obj)
    assert lex.entries() == [("色情", "爱液"), ("色情", "av"), ("反动", "六四")]
    assert [(p.line, p.reason) for p in lex.problems] == [(3, "JSON item is not a string")]
    # invalid JSON: one problem with the line of the error
    bad = tmp_path / "bad.json"
    bad.write_text('[\n"a",\n"b"\n', encoding="utf-8")
    lex = Lexicon.load(bad)
    assert len(lex) == 0 and lex.problems[0].reason.startswith("invalid JSON") and lex.problems[0].line == 4


def test_undecodable_file_is_reported_and_skipped(tmp_path):
    good = _write(tmp_path / "a词库.txt", ["六四"])
    bad = tmp_path / "b词库.txt"
    bad.write_bytes(b"\xe5\x85\xad\n\x80\xff\n")  # neither UTF-8 nor GB18030
    odd16 = tmp_path / "c词库.txt"
    odd16.write_bytes(b"\xff\xfe" + "六四".encode("utf-16-le") + b"\x00")  # UTF-16 with an odd byte
    lex = Lexicon.load([good, bad, odd16])
    assert lex.entries() == [("a", "六四")]
    assert [(p.path, p.line) for p in lex.problems] == [(str(bad), 0), (str(odd16), 0)]
    assert "cannot decode" in lex.problems[0].reason
    assert [s.path for s in lex.sources] == [str(good)]


def test_mixed_line_endings_and_other_separators(tmp_path):
    path = tmp_path / "x词库.txt"
    path.write_bytes("一\r\n二\n三\r四\r\n\r\n五\u2028六\x0c七".encode("utf-8"))
    lex = Lexicon.load(path)
    # only LF, CRLF and CR end lines: U+2028 and form feed stay inside the word
    assert lex.words == ["一", "二", "三", "四", "五\u2028六\x0c七"]
    assert lex.sources[0].lines == 6


def test_detect_encoding():
    assert detect_encoding("六四".encode("utf-8")) == ("六四", "utf-8")
    assert detect_encoding("六四".encode("gbk")) == ("六四", "gb18030")
    assert detect_encoding("六四".encode("gb18030")) == ("六四", "gb18030")
    assert detect_encoding(b"\xff\xfe\x00\x00" + "六".encode("utf-32-le")) == ("六", "utf-32-le-bom")
    assert detect_encoding(b"\xff\xfe" + "六".encode("utf-16-le")) == ("六", "utf-16-le-bom")
    assert detect_encoding(b"\xef\xbb\xbf" + "六".encode("utf-8"), "utf-8") == ("六", "utf-8")
    with pytest.raises(UnicodeDecodeError):
        detect_encoding(b"\x80")
    # a character only GB18030 (not GBK) has, in its four-byte form
    assert detect_encoding("\U0001F600六".encode("gb18030")) == ("\U0001F600六", "gb18030")


# ---------------------------------------------------------------------------
# categories, overrides, limits


@pytest.mark.parametrize(
    "name, category",
    [
        ("色情词库.txt", "色情"), ("民生词库（gbk编码）.txt", "民生"), ("反动词库(GBK编码).txt", "反动"),
        ("政治类.txt", "政治"), ("政治类型.txt", "政治"), ("广告类型.txt", "广告"), ("涉枪涉爆.txt", "涉枪涉爆"),
        ("GFW补充词库.txt", "GFW补充"), ("zh", "zh"), ("stopword.dic", "stopword"), ("LGBT.json", "LGBT"),
        ("词库.txt", "词库"), ("类.txt", "类"), ("a/b/贪腐词库.txt", "贪腐"), ("v1.2", "v1.2"),
    ],
)  # fmt: skip
def test_category_from_filename(name, category):
    assert category_from_filename(name) == category


def test_mapping_and_category_overrides(tmp_path):
    porn = _write(tmp_path / "色情词库.txt", ["爱液"])
    pol = _write(tmp_path / "政治类型.txt", ["六四"])
    nk = _write(tmp_path / "latest.txt", ["色情 爱液", "色情 sex", "反动 六四", "反动 法轮功"])
    assert Lexicon.load([porn, pol]).categories == ["色情", "政治"]
    # by file name, by stem, by full path; and renaming a category
    for key in ("政治类型.txt", "政治类型", str(pol), "政治"):
        assert Lexicon.load([porn, pol], mapping={key: "反动"}).entries() == [("色情", "爱液"), ("反动", "六四")]
    # renaming in-file categories of a category_word file
    lex = Lexicon.load(nk, mapping={"色情": "porn"})
    assert lex.categories == ["porn", "反动"] and lex.sizes == {"porn": 2, "反动": 2}
    # a file mapping puts the whole file in one category, whatever its format
    assert Lexicon.load(nk, mapping={"latest.txt": "nk"}).sizes == {"nk": 4}
    # category= overrides all
    lex = Lexicon.load([porn, pol, nk], category="敏感", mapping={"政治": "反动", "latest.txt": "nk"})
    assert lex.categories == ["敏感"] and lex.words == ["爱液", "六四", "sex", "法轮功"]
    with pytest.raises(ValueError):
        Lexicon.load(porn, category="  ")


def test_more_than_64_categories(tmp_path):
    entries = [(f"c{i}", f"w{i}") for i in range(64)]
    lex = Lexicon(entries)
    assert len(lex.categories) == 64 and lex.word_categories[63] == 1 << 63
    assert lex.add("c0", "another") is True  # an existing category is still fine
    with pytest.raises(ValueError, match="more than 64 categories"):
        lex.add("c64", "w")
    with pytest.raises(ValueError, match="more than 64 categories"):
        Lexicon(entries + [("c64", "w64")])
    nk = _write(tmp_path / "many.txt", [f"c{i} w{i}" for i in range(65)] * 2)
    with pytest.raises(ValueError, match="more than 64 categories"):
        Lexicon.load(nk)
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(65):
        _write(folder / f"k{i:02d}词库.txt", ["x"])
    with pytest.raises(ValueError, match="more than 64 categories"):
        Lexicon.load(folder)


# ---------------------------------------------------------------------------
# building, dedup, normalisation


def test_add_dedup_and_two_categories():
    lex = Lexicon()
    assert lex.add("色情", "爱液") is True
    assert lex.add("色情", " 爱液 ") is False  # same pair after stripping
    assert lex.add("色情", "ＡＶ") is True
    assert lex.add("色情", "av") is False  # same pair after folding
    assert lex.add("反动", "AV") is True  # the same word in a second category
    assert lex.words == ["爱液", "av"] and len(lex) == 2
    assert lex.categories == ["色情", "反动"]
    assert lex.word_categories == [0b01, 0b11]
    assert lex.sizes == {"色情": 2, "反动": 1}
    assert lex.entries() == [("色情", "爱液"), ("色情", "av"), ("反动", "av")]
    assert lex.categories_of("Ａv") == ["色情", "反动"] and "AV" in lex and "sex" not in lex
    with pytest.raises(ValueError):
        lex.add("色情", "　 ")
    with pytest.raises(ValueError):
        lex.add("", "x")
    with pytest.raises(ValueError):
        lex.add("色情", "\ud800")


def test_entries_constructor_reports_empty_words():
    lex = Lexicon([("a", "x"), ("a", "  "), ("b", "x"), ("a", "X")])
    assert lex.entries() == [("a", "x"), ("b", "x")]
    assert lex.problems == [LexiconProblem("<entries>", 2, "empty word after normalisation", "  ")]


def test_normalize_width_and_case():
    full = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
    half = "".join(chr(c) for c in range(0x21, 0x7F)) + " "
    lex = Lexicon()
    assert lex.normalize(full) == half.lower()  # A-Z folded after width folding (half is ASCII)
    assert lex.normalize(full) == "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in half)
    # outside the ranges: nothing changes, one code point per code point
    others = "\uff00\uff5f\uff61ÀÉäΣЖ六四\u3001\u2003ǅ"
    assert lex.normalize(others) == others
    assert Lexicon(fold_width=False).normalize("ＡＢ　Ab") == "ＡＢ　ab"
    assert Lexicon(fold_case=False).normalize("ＡＢ　Ab") == "AB Ab"
    assert Lexicon(fold_width=False, fold_case=False).normalize("ＡＢ　Ab") == "ＡＢ　Ab"
    text = "六四ＡＢＣ　Ｅｓｓｅｘ"
    assert len(lex.normalize(text)) == len(text)
    # words go through the same function (then stripping)
    lex.add("x", "　ＳＥＸ　")
    assert lex.words == ["sex"]


# ---------------------------------------------------------------------------
# t2s


def _has_opencc() -> bool:
    return importlib.util.find_spec("opencc") is not None


@pytest.mark.skipif(not _has_opencc(), reason="OpenCC is not installed (pip install opencc): t2s cannot be tested")
def test_t2s(tmp_path):
    lex = Lexicon([("反动", "法輪功"), ("反动", "法轮功"), ("其他", "龍虎鬥")], t2s=True)
    assert lex.words == ["法轮功", "龙虎斗"] and lex.sizes == {"反动": 1, "其他": 1}
    assert lex.normalize("發票ＡＢ　後面") == "发票ab 后面"
    assert Lexicon([("a", "法輪功")]).words == ["法輪功"]  # off by default
    path = _write(tmp_path / "nk.txt", ["色情 愛液", "色情 爱液", "反动 法輪功", "反动 法轮功"])
    assert Lexicon.load(path, t2s=True).sizes == {"色情": 1, "反动": 1}
    assert Lexicon.load(path).sizes == {"色情": 2, "反动": 2}
    d = data_dir() / "lexicon" / "nkcorpus-blacklist" / "latest.txt"
    if d.is_file():  # the traditional variants of latest.txt fold into their simplified words
        both = Lexicon.load(d, t2s=True)
        assert len(both) < len(Lexicon.load(d)) and "法轮功" in both.words and "法輪功" not in both.words


def test_t2s_without_opencc_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "opencc", None)  # import opencc -> ImportError
    monkeypatch.setattr(cl, "_converters", {})
    with pytest.raises(ImportError, match="pip install opencc"):
        Lexicon(t2s=True)
    with pytest.raises(ImportError, match="pip install opencc"):
        Lexicon.load([], t2s=True)
    Lexicon()  # t2s off: OpenCC is never imported


# ---------------------------------------------------------------------------
# arguments


def test_load_arguments(tmp_path):
    path = _write(tmp_path / "a词库.txt", ["x", "y"])
    with pytest.raises(FileNotFoundError):
        Lexicon.load(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="format"):
        Lexicon.load(path, format="csv")
    with pytest.raises(LookupError):
        Lexicon.load(path, encoding="no-such-codec")
    assert set(FORMATS) == {"category_word", "list", "table", "pipe", "json"}
    # format= forces: a two-line file with different first fields is a list unless told
    nk = _write(tmp_path / "b.txt", ["色情 爱液", "反动 六四"])
    assert Lexicon.load(nk).sizes == {"b": 2}
    assert Lexicon.load(nk, format="category_word").sizes == {"色情": 1, "反动": 1}
    # a folder: its files, recursively, sorted, hidden ones left out
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub" / "c词库.txt", ["z"])
    _write(tmp_path / ".hidden.txt", ["h"])
    lex = Lexicon.load(tmp_path)
    assert [Path(s.path).name for s in lex.sources] == ["a词库.txt", "b.txt", "c词库.txt"]
    assert lex.categories == ["a", "b", "c"]
    assert Lexicon.load([]).words == []
