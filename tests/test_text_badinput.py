"""Hostile input: ill-formed UTF-8, NUL bytes, a 50 MB single line, a million tiny documents,
documents made only of invalid bytes.

Where the reference twin is too slow for the whole input, the native result is checked
against an exact expectation built from a known construction, and against the reference
on a slice.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import DEFAULT_VARIANTS, ERRORS, TextBatch, assert_same_result, compare_all, ref, text

# One repeating unit of a long line: 6 ideographs + '，' + '。' are Chinese (8), 'abc' and the
# ideographs/punctuation are counted (11); U+3000 is white space, NUL and U+200B placeholders.
UNIT = "中文内容，测试abc\u3000\x00\u200b。"
UNIT_ZH, UNIT_COUNTED, UNIT_CHARS = 8, 11, 14
UNIT_STRIPPED = "中文内容，测试abc。"
BIG = 50_000_000


def _unit_counts_are_right():
    assert len(UNIT) == UNIT_CHARS
    assert ref.zh_ratio([UNIT]).tolist() == [UNIT_ZH / UNIT_COUNTED]
    assert ref.strip_control([UNIT]) == [UNIT_STRIPPED]


@pytest.fixture(scope="module")
def big_line():
    _unit_counts_are_right()
    ub = UNIT.encode("utf-8")
    reps = BIG // len(ub) + 1
    return reps, ub * reps


@pytest.mark.slow
def test_50mb_single_line_buffer(simd_level, big_line):
    reps, data = big_line
    assert len(data) >= BIG
    batch = TextBatch(data, [0, len(data)])
    assert text.char_lengths(batch).tolist() == [UNIT_CHARS * reps]
    for err in ERRORS:
        assert text.char_lengths(batch, errors=err).tolist() == [UNIT_CHARS * reps]
    assert text.length_mask(batch, min_chars=UNIT_CHARS * reps).tolist() == [True]
    assert text.length_mask(batch, min_chars=UNIT_CHARS * reps + 1).tolist() == [False]
    want_ratio = (UNIT_ZH * reps) / (UNIT_COUNTED * reps)
    assert text.zh_ratio(batch).tolist() == [want_ratio]
    assert text.zh_ratio(batch, mode="nkcorpus").tolist() == [want_ratio]
    # one line above every threshold: kept whole; ends with '。': trim keeps it whole
    for mode in ("paper", "nkcorpus"):
        out = text.extract_chinese(batch, mode=mode)
        assert out.offsets.tolist() == [0, len(data)] and out.data.tobytes() == data
    out = text.trim_content(batch)
    assert out.offsets.tolist() == [0, len(data)] and out.data.tobytes() == data
    out = text.strip_control(batch)
    assert out.data.tobytes() == UNIT_STRIPPED.encode("utf-8") * reps
    assert out.offsets.tolist() == [0, len(UNIT_STRIPPED.encode("utf-8")) * reps]


@pytest.mark.slow
def test_50mb_single_line_str(simd_level, big_line):
    reps, _ = big_line
    doc = UNIT * reps
    assert text.char_lengths([doc]).tolist() == [UNIT_CHARS * reps]
    assert text.zh_ratio([doc]).tolist() == [(UNIT_ZH * reps) / (UNIT_COUNTED * reps)]
    out = text.extract_chinese([doc])
    assert out == [doc]
    assert text.trim_content([doc]) == [doc]
    assert text.strip_control([doc]) == [UNIT_STRIPPED * reps]


@pytest.mark.slow
def test_5mb_slice_against_reference(simd_level, big_line):
    """The reference is fast enough for a 5 MB slice of the long line (cut inside a character,
    so the buffer form also ends with a truncated sequence)."""
    _, data = big_line
    piece = data[1:5_000_001]  # starts with two continuation bytes, ends on the lead byte of U+200B
    assert piece[:2] == b"\xb8\xad" and piece[-2:] == b"\x00\xe2"
    batch = TextBatch.from_bytes([piece])
    compare_all(batch, DEFAULT_VARIANTS, what="5MB slice", cache_key=("5mb", "bytes"))
    doc = piece.decode("utf-8", "ignore")[:-1] + "\ud800"
    compare_all([doc], DEFAULT_VARIANTS, errors=("replace",), what="5MB str", cache_key=("5mb", "str"))


@pytest.mark.slow
def test_50mb_line_with_invalid_bytes(simd_level, big_line):
    """Every 1000th unit carries a stray 0xFF byte: the whole 50 MB document takes the
    ill-formed path; U+FFFD is a placeholder, so the line is still kept."""
    reps, data = big_line
    ub = UNIT.encode("utf-8")
    bad_unit = "中".encode() + b"\xff" + ub[3:]
    block = bad_unit + ub * 999
    nblocks = reps // 1000
    dirty = block * nblocks
    batch = TextBatch(dirty, [0, len(dirty)])
    nbad = nblocks
    assert text.char_lengths(batch, errors="replace").tolist() == [UNIT_CHARS * 1000 * nblocks + nbad]
    assert text.char_lengths(batch, errors="drop").tolist() == [UNIT_CHARS * 1000 * nblocks]
    assert text.zh_ratio(batch).tolist() == [(UNIT_ZH * 1000 * nblocks) / (UNIT_COUNTED * 1000 * nblocks)]
    out = text.extract_chinese(batch, errors="replace")
    assert out.data.tobytes() == dirty.replace(b"\xff", "\ufffd".encode())
    out = text.extract_chinese(batch, errors="drop")
    assert out.data.tobytes() == dirty.replace(b"\xff", b"")
    out = text.strip_control(batch, errors="drop")
    assert out.data.tobytes() == UNIT_STRIPPED.encode() * (1000 * nblocks)


# --- a million tiny documents ---------------------------------------------------------

TINY_STR = ["", "中", "a", "中文。", "\x00", "\r\n", "中\n文", "abc", "，。”", "\U00020000", "\u3000", "中a\u200b",
            "他说：“好。”尾", "1.5", "é"]
TINY_BYTES = [s.encode() for s in TINY_STR] + [b"\xff", b"\xe4\xb8", b"\xed\xa0\x80", b"\xe4\xb8\xad\x80"]
N_TINY = 1_000_000


def _expand(outs, idx):
    """Expected TextBatch for documents idx drawn from templates whose outputs are ``outs``."""
    outs_b = [o.encode("utf-8") for o in outs]
    lens = np.array([len(o) for o in outs_b], dtype=np.int64)
    offsets = np.zeros(idx.size + 1, dtype=np.int64)
    np.cumsum(lens[idx], out=offsets[1:])
    data = b"".join(np.array(outs_b, dtype=object)[idx].tolist())
    return TextBatch(data, offsets)


@pytest.fixture(scope="module")
def tiny():
    rng = np.random.default_rng(1234)
    idx = rng.integers(0, len(TINY_BYTES), N_TINY)
    idx[:len(TINY_BYTES)] = np.arange(len(TINY_BYTES))  # every template at least once
    lens = np.array([len(b) for b in TINY_BYTES], dtype=np.int64)
    offsets = np.zeros(N_TINY + 1, dtype=np.int64)
    np.cumsum(lens[idx], out=offsets[1:])
    data = b"".join(np.array(TINY_BYTES, dtype=object)[idx].tolist())
    return idx, TextBatch(data, offsets)


@pytest.mark.slow
@pytest.mark.parametrize("errors", ERRORS)
def test_million_tiny_docs_buffer(simd_level, tiny, errors):
    idx, batch = tiny
    templates = TextBatch.from_bytes(TINY_BYTES)
    for fn, kw in (("zh_ratio", {}), ("zh_ratio", {"mode": "nkcorpus"}), ("char_lengths", {}), ("length_mask",
                                                                                                   {"min_chars": 2})):
        want = getattr(ref, fn)(templates, errors=errors, **kw)[idx]
        assert_same_result(getattr(text, fn)(batch, errors=errors, **kw), want, f"{fn} {kw}")
    for fn, kw in (("extract_chinese", {}), ("extract_chinese", {"mode": "nkcorpus"}), ("strip_control", {}),
                   ("trim_content", {})):
        outs = getattr(ref, fn)(templates, errors=errors, **kw).to_strings()
        assert_same_result(getattr(text, fn)(batch, errors=errors, **kw), _expand(outs, idx), f"{fn} {kw}")


@pytest.mark.slow
def test_million_tiny_docs_str(simd_level, tiny):
    idx, _ = tiny
    strs = TINY_STR + ["\ud800", "a\udfff"]
    sidx = idx % len(strs)
    docs = [strs[i] for i in sidx.tolist()]
    for err in ERRORS:
        want = ref.char_lengths(strs, errors=err)[sidx]
        assert_same_result(text.char_lengths(docs, errors=err), want, "char_lengths")
        want = ref.zh_ratio(strs, errors=err)[sidx]
        assert_same_result(text.zh_ratio(docs, errors=err), want, "zh_ratio")
        for fn in ("extract_chinese", "strip_control", "trim_content"):
            outs = getattr(ref, fn)(strs, errors=err)
            got = getattr(text, fn)(docs, errors=err)
            assert len(got) == len(docs)
            want_list = [outs[i] for i in sidx.tolist()]
            assert got == want_list, fn


# --- documents made only of invalid bytes ---------------------------------------------

ALL_INVALID = [
    b"\xff" * 1000,
    b"\x80" * 1000,
    b"\xed\xa0\x80" * 300,  # encoded surrogates: 3 ill-formed bytes each
    b"\xc0\xaf" * 300,  # overlong '/'
    b"\xe4\xb8" * 300,  # truncated 中, over and over
    b"\xf0\x9f\x98" * 300,  # truncated emoji
    b"\xf4\x90\x80\x80" * 100,  # beyond U+10FFFF
    b"\xf8\x88\x80\x80\x80" * 100,
    bytes(range(0x80, 0x100)) * 4,
    b"\xfe",
]


def test_all_invalid_documents(simd_level):
    batch = TextBatch.from_bytes(ALL_INVALID)
    compare_all(batch, DEFAULT_VARIANTS, what="all-invalid", cache_key=("all-invalid",))
    want = [len(b.decode("utf-8", "replace")) for b in ALL_INVALID]
    assert text.char_lengths(batch, errors="replace").tolist() == want
    assert text.char_lengths(batch, errors="drop").tolist() == [0] * len(ALL_INVALID)
    assert text.zh_ratio(batch).tolist() == [0.0] * len(ALL_INVALID)
    assert text.strip_control(batch, errors="replace").to_strings() == ["\ufffd" * n for n in want]
    out = text.strip_control(batch, errors="drop")
    assert out.nbytes == 0 and out.offsets.tolist() == [0] * (len(ALL_INVALID) + 1)
    for err in ERRORS:
        assert text.extract_chinese(batch, errors=err).nbytes == 0
        assert text.trim_content(batch, errors=err).nbytes == 0


@pytest.mark.slow
def test_10mb_of_invalid_bytes(simd_level):
    n = 10_000_000
    batch = TextBatch.from_bytes([b"\xff" * n, b"\xe4\xb8" * (n // 2), b"ok"])
    assert text.char_lengths(batch, errors="replace").tolist() == [n, n // 2, 2]
    assert text.char_lengths(batch, errors="drop").tolist() == [0, 0, 2]
    out = text.strip_control(batch, errors="replace")
    assert out.offsets.tolist() == [0, 3 * n, 3 * n + 3 * (n // 2), 3 * n + 3 * (n // 2) + 2]
    assert out.data.tobytes() == "\ufffd".encode() * (n + n // 2) + b"ok"
    assert text.strip_control(batch, errors="drop").to_strings() == ["", "", "ok"]


# --- NUL bytes --------------------------------------------------------------------------


def test_nul_bytes_are_characters_not_terminators(simd_level):
    docs = ["中\x00文", "\x00" * 1000, "\x00中文，内容。\x00尾", "a\x00\nb\x00\x00\r\n中文\x00"]
    compare_all(docs, what="NUL str")
    compare_all(TextBatch.from_strings(docs), what="NUL batch")
    assert text.char_lengths(docs).tolist() == [3, 1000, 9, 11]
    assert text.strip_control(docs) == ["中文", "", "中文，内容。尾", "a\nb\n中文"]
    assert text.zh_ratio(docs).tolist() == [1.0, 0.0, 1.0, 0.5]
    assert text.extract_chinese(docs) == ["中\x00文", "", "\x00中文，内容。\x00尾", "中文\x00"]
    assert text.trim_content(docs) == ["", "", "\x00中文，内容。", ""]


@pytest.mark.slow
def test_nul_in_a_big_document(simd_level):
    body = ("中文" * 500_000 + "\x00" + "abc" * 100_000).encode()
    batch = TextBatch.from_bytes([body, b"\x00" * 3_000_000])
    assert text.char_lengths(batch).tolist() == [1_300_001, 3_000_000]
    assert text.zh_ratio(batch).tolist() == [1_000_000 / 1_300_000, 0.0]
    assert text.strip_control(batch).data.tobytes() == body.replace(b"\x00", b"")


# --- output buffers: lifetime and reuse -------------------------------------------------


@pytest.mark.slow
def test_large_outputs_stay_intact_while_later_calls_run(simd_level):
    """Large outputs (pooled buffers in the native layer) must not be recycled while an
    array still owns them, and a recycled buffer must not leak old bytes into a new result."""
    def batch(seed, n):
        rng = np.random.default_rng(seed)
        units = [UNIT, "English line only.\n", "中文，句子。\r\n", "\ufffd\x00\u200b", "\U00020000汉字。"]
        pick = rng.integers(0, len(units), n)
        return TextBatch.from_strings(["".join(units[i] for i in pick[j::97]) for j in range(97)])

    a, b = batch(1, 600_000), batch(2, 400_000)
    assert a.nbytes > 9_000_000 and b.nbytes > 6_000_000
    ra = {f: getattr(text, f)(a) for f in ("strip_control", "extract_chinese", "trim_content")}
    snap = {f: (r.data.tobytes(), r.offsets.copy()) for f, r in ra.items()}
    for _ in range(3):  # churn: allocate and free many large outputs
        for f in ("strip_control", "extract_chinese", "trim_content"):
            tmp = getattr(text, f)(b)
            del tmp
            getattr(text, f)(a, errors="drop")
    for f, r in ra.items():
        assert r.data.tobytes() == snap[f][0], f"{f}: output changed after later calls"
        assert np.array_equal(r.offsets, snap[f][1])
    del ra
    for f in ("strip_control", "extract_chinese", "trim_content"):
        again = getattr(text, f)(a)
        assert again.data.tobytes() == snap[f][0] and np.array_equal(again.offsets, snap[f][1]), f


# --- no reads outside a document's bytes ------------------------------------------------

_GUARD_SCRIPT = r"""
import ctypes, mmap, sys
import numpy as np
from corpus_engine import text, TextBatch

level = sys.argv[1]
text.set_simd_level(level)
PAGE = mmap.PAGESIZE
mm = mmap.mmap(-1, 3 * PAGE)
base = ctypes.addressof(ctypes.c_char.from_buffer(mm))
libc = ctypes.CDLL(None, use_errno=True)
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
for page in (0, 2):  # guard pages before and after the data page
    assert libc.mprotect(base + page * PAGE, PAGE, 0) == 0, ctypes.get_errno()
arr = np.frombuffer(mm, dtype=np.uint8)
contents = [b"a", "中".encode(), "中a。\r\n\u200b".encode(), "\U00020000".encode(), b"\xff", b"\xe4\xb8",
            "。”".encode(), b"\x00"]
lengths = [0, 1, 2, 3, 4, 5, 31, 32, 33, 63, 64, 65, 66, 67, 68, 69, 70, 127, 128, 129, 130, 131, 132, 200, 1000, PAGE]
kernels = [("zh_ratio", {}), ("zh_ratio", {"mode": "nkcorpus"}), ("extract_chinese", {}), ("strip_control", {}),
           ("trim_content", {}), ("char_lengths", {}), ("strip_control", {"chars": "a\u4e2d"}),
           ("trim_content", {"sentence_end": "a", "closers": "\u3002"})]
checked = 0
for c in contents:
    for n in lengths:
        doc = (c * (n // len(c) + 1))[:n]
        for start in (PAGE, 2 * PAGE - n):  # at the start of the page, and ending at its end
            arr[PAGE:2 * PAGE] = 0x20
            arr[start:start + n] = np.frombuffer(doc, dtype=np.uint8)
            batch = TextBatch(arr, [start, start + n])
            for fn, kw in kernels:
                for err in ("replace", "drop"):
                    getattr(text, fn)(batch, errors=err, threads=1, **kw)
                    checked += 1
print("ok", checked)
"""


@pytest.mark.slow
def test_no_reads_outside_the_documents(simd_level):
    """Documents that start right after / end right before an unreadable page: a kernel
    that reads even one byte outside [offsets[0], offsets[-1]) crashes the child process."""
    import os
    import subprocess
    import sys

    from helpers import REPO

    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, "-c", _GUARD_SCRIPT, simd_level], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, f"child exited with {res.returncode} (negative: killed by signal)\n{res.stderr[-2000:]}"
    assert res.stdout.startswith("ok ")
