"""The native strict WARC framer (csrc/io/warc.cpp) is a fast path of the Python framing in
corpus_engine.io.readers: with it and without it, every file frames to the same records and
quarantines, whatever the damage and the read sizes."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_engine.io import readers
from corpus_engine.io.readers import WarcRecord, iter_warc_records
from corpus_engine.io.records import Quarantined

pytestmark = pytest.mark.skipif(readers._frame_strict is None, reason="the native extension has no WARC framer")


def _framed(path, chunk=readers.CHUNK):
    out = []
    for r in iter_warc_records(path, chunk=chunk):
        if isinstance(r, WarcRecord):
            out.append(("rec", r.index, r.offset, r.headers, r.block, r.lenient, r.raw_head, r.oversized))
        else:
            assert isinstance(r, Quarantined)
            out.append(("q", r.index, r.offset, r.reason, r.detail, r.raw))
    return out


def _both(path, monkeypatch, chunk=readers.CHUNK):
    fast = _framed(path, chunk)
    with monkeypatch.context() as m:
        m.setattr(readers, "_frame_strict", None)
        slow = _framed(path, chunk)
    return fast, slow


class _Counting:
    def __init__(self, fn):
        self.fn, self.framed = fn, 0

    def __call__(self, *a):
        frames = self.fn(*a)
        self.framed += len(frames)
        return frames


def test_shared_wet_and_warc_files(shared_data, monkeypatch):
    files = sorted(p for p in (shared_data / "wet").rglob("*") if p.is_file() and ".war" in p.name)
    assert files
    for p in files:
        fast, slow = _both(p, monkeypatch)
        assert fast == slow, p


def test_generated_wet_takes_the_fast_path(tmp_path, monkeypatch):
    from corpus_engine.synthetic import synthesize

    synthesize(tmp_path, 400_000, seed=3, files=1)
    (p,) = sorted(tmp_path.glob("*.warc.wet.gz"))
    counting = _Counting(readers._frame_strict)
    monkeypatch.setattr(readers, "_frame_strict", counting)
    fast = _framed(p)
    monkeypatch.undo()
    assert counting.framed >= len(fast) - 4  # only a record at the end of a look-ahead goes the slow way
    with monkeypatch.context() as m:
        m.setattr(readers, "_frame_strict", None)
        assert _framed(p) == fast
    for chunk in (1, 100, 4096):
        assert _framed(p, chunk) == fast


def _record(rng: random.Random, i: int) -> bytes:
    body = "".join(rng.choice("数据清洗abc \n\r\t") for _ in range(rng.randint(0, 60))).encode("utf-8")
    fields = [("WARC-Type", "conversion"), ("WARC-Target-URI", f"http://e.com/{i}"),
              ("WARC-Record-ID", f"<urn:uuid:{i}>"), ("Content-Length", str(len(body)))]
    extra = [("warc-type", "resource"), ("\x1c: blank", None), (" : folded", None), (": no name", None),
             ("X-ZZ", "Zz"), ("X-Odd", " \x1c padded\x1f "), ("Content-length", "7"),
             ("NoColon", None), ("X-Zh", "中文"), ("Content-Length", " 0007"), ("X-Fold", "a\r\n b"),
             ("Content-Length", "+5"), ("Content-Length", "１2"), ("X-NUL", "a\x00b")]
    for _ in range(rng.choice([0, 0, 0, 1, 2])):
        fields.insert(rng.randrange(len(fields) + 1), rng.choice(extra))
    if rng.random() < 0.15:
        fields = [f for f in fields if f[0] != "Content-Length"]
    eol = "\n" if rng.random() < 0.2 else "\r\n"
    lines = ["WARC/1.0"] + [k if v is None else f"{k}: {v}" for k, v in fields]
    head = (eol.join(lines) + eol + eol).encode("utf-8")
    tail = rng.choice([b"\r\n\r\n", b"\n\n", b"", b"\x00\x00\r\n", b" \t\r\n\r\n"])
    if rng.random() < 0.1:
        body = body[: rng.randint(0, len(body))]  # Content-Length now too large
    return head + body + tail


def test_random_records_mostly_take_the_fast_path(tmp_path, monkeypatch):
    rng = random.Random(11)
    p = tmp_path / "x.warc"
    p.write_bytes(b"".join(_record(rng, i) for i in range(300)))
    counting = _Counting(readers._frame_strict)
    monkeypatch.setattr(readers, "_frame_strict", counting)
    fast = _framed(p)
    assert counting.framed > len(fast) // 2
    monkeypatch.setattr(readers, "_frame_strict", None)
    assert _framed(p) == fast


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12), compress=st.booleans())
def test_random_records_and_damage(tmp_path_factory, seed, n, compress):
    rng = random.Random(seed)
    data = bytearray(b"".join(_record(rng, i) for i in range(n)))
    for _ in range(rng.randint(0, 3)):
        i = rng.randrange(len(data) + 1)
        op = rng.random()
        if op < 0.3 and i < len(data):
            data[i] ^= rng.randint(1, 255)
        elif op < 0.6:
            data[i:i] = rng.choice([b"WARC/1.0\r\n", b"\r\n\r\n", b"Content-Length: 3\r\n", b"junk", b"\x00" * 5])
        elif op < 0.8:
            del data[i:i + rng.randint(1, 50)]
        else:
            del data[i:]
    p = tmp_path_factory.mktemp("warc") / ("x.warc.gz" if compress else "x.warc")
    p.write_bytes(gzip.compress(bytes(data)) if compress else bytes(data))
    mp = pytest.MonkeyPatch()
    try:
        fast, slow = _both(p, mp, chunk=rng.choice([7, 64, readers.CHUNK]))
    finally:
        mp.undo()
    assert fast == slow


def test_records_across_the_look_ahead(tmp_path, monkeypatch):
    """Blocks larger than the framer's look-ahead, and records cut by it."""
    monkeypatch.setattr(readers, "_LOOKAHEAD", 300)
    rng = random.Random(5)
    parts = []
    for i in range(40):
        body = bytes(rng.choice(b"abc\n") for _ in range(rng.choice([0, 10, 290, 1000])))
        parts.append(b"WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: %d\r\n\r\n" % len(body) + body + b"\r\n\r\n")
    p = tmp_path / "big.warc"
    p.write_bytes(b"".join(parts))
    fast, slow = _both(p, monkeypatch, chunk=97)
    assert fast == slow and len(fast) == 40 and all(r[0] == "rec" and not r[5] for r in fast)
