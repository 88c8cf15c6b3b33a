"""XXH64 and SplitMix64: the native hash and the pure-Python one against the `xxhash`
package (the reference implementation of the published specification), and the native
multi-lane (AVX-512) hashing against the scalar one through the shingle and band-key paths."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import _import

try:
    import xxhash  # the test oracle of XXH64 (the `test` extra)
except ImportError:  # pragma: no cover
    xxhash = None
needs_xxhash = pytest.mark.skipif(xxhash is None, reason="xxhash is the test oracle of XXH64: pip install xxhash")
native = _import("corpus_engine._native")
from corpus_engine.reference import dedup as R  # noqa: E402

U64 = (1 << 64) - 1
SEEDS = [0, 1, 2, 31, 0x5BD1E995, 0x9E3779B97F4A7C15, 1 << 63, U64 - 1, U64]


def _rand_bytes(rng: random.Random, n: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(n))


@needs_xxhash
def test_every_length_0_to_200_many_seeds():
    """Every length up to 200 (all stripe/tail combinations of 32/8/4/1 bytes), fixed and random seeds."""
    rng = random.Random(20240611)
    seeds = SEEDS + [rng.getrandbits(64) for _ in range(6)]
    for n in range(201):
        data = _rand_bytes(rng, n)
        for seed in seeds:
            want = xxhash.xxh64_intdigest(data, seed)
            assert native.xxh64(data, seed) == want, f"native len={n} seed={seed:#x}"
            assert R.xxh64(data, seed) == want, f"reference len={n} seed={seed:#x}"


@needs_xxhash
def test_large_inputs():
    rng = random.Random(7)
    for n in (1 << 10, (1 << 16) + 13, (1 << 20) + 31):
        data = rng.randbytes(n) if hasattr(rng, "randbytes") else _rand_bytes(rng, n)
        for seed in (0, rng.getrandbits(64), U64):
            want = xxhash.xxh64_intdigest(data, seed)
            assert native.xxh64(data, seed) == want, f"native len={n}"
            assert R.xxh64(data, seed) == want, f"reference len={n}"


def test_known_vectors():
    """Published values: XXH64("", 0) and XXH64("abc", 0)."""
    for h in (native.xxh64, R.xxh64):
        assert h(b"", 0) == 0xEF46DB3751D8E999
        assert h(b"abc", 0) == 0x44BC2CF5AD770999


@needs_xxhash
@settings(max_examples=150)
@given(data=st.binary(max_size=300), seed=st.integers(0, U64))
@example(data=b"\x00" * 32, seed=U64)
@example(data=b"\xff" * 63, seed=1 << 63)
def test_random(data, seed):
    want = xxhash.xxh64_intdigest(data, seed)
    assert native.xxh64(data, seed) == want
    assert R.xxh64(data, seed) == want


def test_reference_seed_range():
    with pytest.raises(ValueError):
        R.xxh64(b"x", -1)
    with pytest.raises(ValueError):
        R.xxh64(b"x", 1 << 64)


def test_mix64_splitmix_sequence():
    """SplitMix64 with state 0 outputs mix64(k * golden gamma): the generator's published first values."""
    gamma = 0x9E3779B97F4A7C15
    assert [R.mix64(k * gamma & U64) for k in (1, 2, 3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4,
                                                             0x06C45D188009454F]
    assert R.mix64(0) == 0


@needs_xxhash
def test_shingle_hashes_are_xxh64_of_utf32(simd_level):
    """Shingle hashes (native, at each SIMD level: eight shingles at a time under AVX-512) are
    XXH64 of the shingle's UTF-32LE bytes, for windows of 4..64 bytes (1..16 code points)."""
    rng = random.Random(3)
    alphabet = "南开大学天津市综合性研究型一九年AbcＸ\U00020000\U0002A6DF"
    docs = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60))) for _ in range(40)]
    dedup = _import("corpus_engine.dedup")
    for ngram in (1, 2, 3, 5, 7, 8, 9, 15, 16, 17):
        for seed in (0, 12345, U64):
            h = dedup.MinHasher(ngram=ngram, seed=seed, drop_punct=False)
            for d, got, norm in zip(docs, h.shingles(docs), h.normalize(docs)):
                m = len(norm)
                windows = [norm] if 0 < m < ngram else [norm[i : i + ngram] for i in range(m - ngram + 1)]
                want = sorted({xxhash.xxh64_intdigest(w.encode("utf-32-le"), seed) for w in windows})
                assert got.dtype == np.uint64
                assert got.tolist() == want, f"{d!r} ngram={ngram} seed={seed}"


@needs_xxhash
def test_band_keys_are_xxh64_of_rows(simd_level):
    """Band keys (native, at each SIMD level) are XXH64 of the band's uint32 values (LE), seed = band."""
    dedup = _import("corpus_engine.dedup")
    rng = np.random.default_rng(5)
    for num_perm, bands, rows in ((128, 16, 8), (64, 3, 21), (37, 12, 3), (256, 1, 256), (16, 16, 1), (33, 2, 9)):
        sig = rng.integers(0, 1 << 32, size=(41, num_perm), dtype=np.uint64).astype(np.uint32)
        got = dedup.LSHIndex(bands, rows).band_keys(sig)
        assert got.dtype == np.uint64 and got.shape == (41, bands)
        for i in range(sig.shape[0]):
            for k in range(bands):
                want = xxhash.xxh64_intdigest(sig[i, k * rows : (k + 1) * rows].astype("<u4").tobytes(), k)
                assert int(got[i, k]) == want, (num_perm, bands, rows, i, k)
