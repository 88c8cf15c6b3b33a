"""ISA-L's inflate replaces zlib's in the gzip reader: with either one, damaged and truncated
files give the same records, quarantines and offsets, whatever the read size."""

from __future__ import annotations

import random
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from isal import isal_zlib

from corpus_engine.io import readers
from corpus_engine.io.readers import WarcRecord, iter_warc_records


@pytest.fixture(scope="module")
def wet_gz(tmp_path_factory):
    from corpus_engine.synthetic import synthesize

    d = tmp_path_factory.mktemp("synth")
    synthesize(d, 150_000, seed=21, files=1)
    (p,) = sorted(d.glob("*.warc.wet.gz"))
    return p.read_bytes()


def _records(path, chunk):
    out = []
    for r in iter_warc_records(path, chunk=chunk):
        if isinstance(r, WarcRecord):
            out.append(("rec", r.index, r.offset, r.block))
        else:
            out.append(("q", r.index, r.offset, r.reason, r.detail, r.raw))
    return out


def test_the_reader_uses_isal():
    assert readers._gzip_inflate is isal_zlib


def _damage(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(b))
        op = rng.random()
        if op < 0.5:
            b[i] ^= rng.randint(1, 255)
        elif op < 0.8:
            del b[i:i + rng.randint(1, 60)]
        else:
            b[i:i] = b"\x1f\x8b\x08" + bytes(rng.randrange(256) for _ in range(rng.randint(0, 20)))
    if rng.random() < 0.3:
        del b[rng.randrange(len(b)):]
    return bytes(b)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_damaged_gzip_reads_the_same_with_zlib_and_isal(tmp_path_factory, wet_gz, seed):
    rng = random.Random(seed)
    p = tmp_path_factory.mktemp("dmg") / "x.warc.wet.gz"
    p.write_bytes(_damage(wet_gz, rng))
    chunk = rng.choice([1000, 4096, readers.CHUNK])
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(readers, "_gzip_inflate", isal_zlib)
        fast = _records(p, chunk)
        mp.setattr(readers, "_gzip_inflate", zlib)
        slow = _records(p, chunk)
    finally:
        mp.undo()
    assert fast == slow


def test_clean_file_reads_the_same(tmp_path, wet_gz, monkeypatch):
    p = tmp_path / "x.warc.wet.gz"
    p.write_bytes(wet_gz)
    fast = _records(p, readers.CHUNK)
    assert fast and all(r[0] == "rec" for r in fast)
    monkeypatch.setattr(readers, "_gzip_inflate", zlib)
    assert _records(p, 777) == fast


def _members(data: bytes):
    """(start, end) of each gzip member of a file whose members all have the plain header."""
    starts = []
    i = data.find(b"\x1f\x8b\x08\x00")
    while i >= 0:
        starts.append(i)
        i = data.find(b"\x1f\x8b\x08\x00", i + 1)
    return list(zip(starts, starts[1:] + [len(data)]))


@pytest.mark.parametrize("damage", ["flags", "crc", "size", "cut"])
def test_zlib_replays_a_member_isal_fails_on(tmp_path, wet_gz, monkeypatch, damage):
    """Reserved header flags (ISA-L accepts them), a bad CRC or length, a file cut inside a member:
    zlib inflates the member again, and the records equal zlib's alone."""
    s, e = _members(wet_gz)[5]
    b = bytearray(wet_gz)
    if damage == "flags":
        b[s + 3] = 0xE0
    elif damage == "crc":
        b[e - 8] ^= 0xFF
    elif damage == "size":
        b[e - 1] ^= 0x01
    else:
        del b[(s + e) // 2:]
    p = tmp_path / "x.warc.wet.gz"
    p.write_bytes(bytes(b))
    replays = []
    real = readers._Source._reread
    monkeypatch.setattr(readers._Source, "_reread", lambda self, *a: replays.append(a) or real(self, *a))
    fast = _records(p, readers.CHUNK)
    assert len(replays) == (0 if damage == "flags" else 1)  # flags: not plain, zlib from the start
    monkeypatch.setattr(readers, "_gzip_inflate", zlib)
    slow = _records(p, readers.CHUNK)
    assert fast == slow
    assert any(r[0] == "q" for r in fast)
