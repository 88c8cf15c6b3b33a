"""Native dedup == reference on real Chinese documents (../shared/data/clean_zh) with planted
exact and near-duplicates, at every SIMD level; the planted near-duplicates are found."""

from __future__ import annotations

import random
from typing import Dict, List, Tuple

import numpy as np
import pytest

from helpers import TextBatch, _import, assert_same_result

D = _import("corpus_engine.dedup")
from corpus_engine.reference import dedup as R  # noqa: E402

PER_SOURCE = 45
MAX_CHARS = 1000
NOISE = "，。！？、 \u3000\t\u200bＡａ1１"


def _edit(rng: random.Random, text: str, k: int) -> str:
    chars = list(text)
    for _ in range(k):
        i = rng.randrange(len(chars) + 1)
        op = rng.choice(["set", "del", "ins"])
        if op == "set" and i < len(chars):
            chars[i] = chr(rng.randrange(0x4E00, 0x9FA5))
        elif op == "del" and i < len(chars):
            del chars[i]
        else:
            chars.insert(i, chr(rng.randrange(0x4E00, 0x9FA5)))
    return "".join(chars)


def _exact_variant(rng: random.Random, text: str) -> str:
    """Same normalised text: full-width/ASCII case swaps, spaces and punctuation added."""
    out = []
    for c in text:
        if "a" <= c <= "z" or "A" <= c <= "Z":
            c = rng.choice([c.upper(), c.lower(), chr(ord(c.upper()) + 0xFEE0), chr(ord(c.lower()) + 0xFEE0)])
        out.append(c)
        if rng.random() < 0.05:
            out.append(rng.choice(" \u3000\t，。！、\u200b"))
    return "".join(out)


class Planted:
    def __init__(self, docs: List[str], near: List[Tuple[int, int]], exact: List[Tuple[int, int]]):
        self.docs, self.near, self.exact = docs, near, exact


@pytest.fixture(scope="module")
def planted(clean_zh) -> Planted:
    rng = random.Random(20240611)
    base: List[str] = []
    for name in sorted(clean_zh):
        docs = clean_zh[name]
        step = max(1, len(docs) // PER_SOURCE)
        base += [d[:MAX_CHARS] for d in docs[::step][:PER_SOURCE]]
    entries: List[Tuple[str, str, int]] = [(d, "orig", i) for i, d in enumerate(base)]
    long_ids = [i for i, d in enumerate(base) if len(d) >= 250]
    for i in rng.sample(long_ids, 30):
        entries.append((_edit(rng, base[i], rng.randint(1, 2)), "near", i))
    for i in rng.sample(long_ids, 12):
        entries.append((_edit(rng, base[i], 3), "near", i))
        entries.append((_edit(rng, base[i], 4), "near", i))
    for i in rng.sample(range(len(base)), 15):
        entries.append((_exact_variant(rng, base[i]), "exact", i))
    for i in rng.sample(long_ids, 10):
        entries.append((_edit(rng, base[i], len(base[i]) // 6), "far", i))
    entries.append(("", "empty", -1))
    entries.append(("，。！？ \u3000", "empty", -1))
    order = list(range(len(entries)))
    rng.shuffle(order)
    docs = [entries[k][0] for k in order]
    pos_of_orig = {entries[k][2]: p for p, k in enumerate(order) if entries[k][1] == "orig"}
    near = [(pos_of_orig[entries[k][2]], p) for p, k in enumerate(order) if entries[k][1] == "near"]
    exact = [(pos_of_orig[entries[k][2]], p) for p, k in enumerate(order) if entries[k][1] == "exact"]
    return Planted(docs, near, exact)


_REF: Dict[tuple, object] = {}


def _reference(key: tuple, fn):
    """The reference result, once per module (it does not depend on the SIMD level)."""
    if key not in _REF:
        _REF[key] = fn()
    return _REF[key]


CONFIGS = [("first", True), ("longest", True), ("score", True), ("first", False), ("score", False)]


@pytest.mark.parametrize("keep,exact", CONFIGS)
def test_near_duplicates_match_reference(simd_level, planted, keep, exact):
    docs = planted.docs
    scores = np.array([(i * 7919) % 1000 / 7.0 for i in range(len(docs))])  # distinct scores
    kw = dict(keep=keep, exact=exact, scores=scores if keep == "score" else None)
    want = _reference(("near", keep, exact), lambda: R.near_duplicates(docs, return_info=True, **kw))
    for form, d in (("list", docs), ("batch", TextBatch.from_strings(docs))):
        got = D.near_duplicates(d, return_info=True, threads=2, **kw)
        for field in ("keep", "reason", "kept_as", "pairs", "jaccard", "lengths"):
            assert_same_result(getattr(got, field), getattr(want, field), f"{form} {field} keep={keep} exact={exact}")
    c = want.counts
    assert c["near"] >= 40, c
    assert (c["exact"] > 0) == exact, c


def test_planted_duplicates_are_found(planted):
    docs = planted.docs
    res = _reference(("near", "first", True), lambda: R.near_duplicates(docs, return_info=True))
    # Exact variants: same normalised text, so they share a survivor (reason EXACT or both in one cluster).
    for a, b in planted.exact:
        assert res.kept_as[a] == res.kept_as[b], (a, b)
        assert R.EXACT in (res.reason[a], res.reason[b]) or res.reason[a] == res.reason[b] == R.NEAR
    # Near copies with Jaccard >= 0.95 are candidates with probability > 1 - 3e-8 at 16 x 8.
    sims = R.MinHasher().pair_jaccard(docs, np.array(planted.near))
    checked, middle, found = 0, 0, 0
    for (a, b), j in zip(planted.near, sims):
        if j >= 0.95:
            assert res.kept_as[a] == res.kept_as[b], (a, b, j)
            checked += 1
        elif j >= 0.8:  # P(candidate) >= 0.947 each: most of them
            middle += 1
            found += res.kept_as[a] == res.kept_as[b]
    assert checked >= 20
    assert found >= 0.75 * middle
    # Empty documents are kept (exact=True groups the two empty ones: one is removed as EXACT).
    empties = [i for i, n in enumerate(res.lengths) if n == 0]
    assert len(empties) >= 2
    assert all(res.reason[i] != R.NEAR for i in empties)


@pytest.mark.parametrize("method,num_perm,ngram,limit", [("oph", 128, 5, None), ("oph", 256, 9, None),
                                                         ("oph", 7, 1, None), ("classic", 64, 5, 60),
                                                         ("classic", 128, 2, 25)])
def test_signatures_match_reference(simd_level, planted, method, num_perm, ngram, limit):
    docs = planted.docs[:limit]
    params = dict(method=method, num_perm=num_perm, ngram=ngram, seed=num_perm + ngram)
    want = _reference(("sig", method, num_perm, ngram, limit),
                      lambda: R.MinHasher(**params).signatures_and_lengths(docs))
    h = D.MinHasher(**params)
    for threads in (1, 2):
        sig, lengths = h.signatures_and_lengths(docs, threads=threads)
        assert_same_result(sig, want[0], f"signatures {params} threads={threads}")
        assert_same_result(lengths, want[1], "lengths")
    want_keys = _reference(("bk", method, num_perm, ngram, limit),
                           lambda: R.LSHIndex(num_perm // 8 or 1, min(8, num_perm)).band_keys(want[0]))
    assert_same_result(D.LSHIndex(num_perm // 8 or 1, min(8, num_perm)).band_keys(sig), want_keys, "band keys")


def test_exact_keys_and_shingles_match_reference(simd_level, planted):
    docs = planted.docs
    want_keys = _reference(("exact_keys",), lambda: R.MinHasher().exact_keys(docs))
    assert_same_result(D.MinHasher().exact_keys(docs, threads=2), want_keys, "exact keys")
    sub = docs[:40]
    want_sh = _reference(("shingles",), lambda: R.MinHasher(ngram=3, seed=99).shingles(sub))
    for i, (g, w) in enumerate(zip(D.MinHasher(ngram=3, seed=99).shingles(sub), want_sh)):
        assert_same_result(g, w, f"shingles[{i}]")


@pytest.fixture(scope="module")
def corrupted(planted) -> TextBatch:
    """Real documents as UTF-8 with ill-formed bytes inserted (and some cut mid-character)."""
    rng = random.Random(5)
    frags = [b"\x80", b"\xff", b"\xe4\xb8", b"\xed\xa0\x80", b"\xf0\x90\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80"]
    out = []
    for d in planted.docs[:90]:
        b = d.encode("utf-8")
        for _ in range(rng.randint(0, 5)):
            i = rng.randrange(len(b) + 1)
            b = b[:i] + rng.choice(frags) + b[i:]
        if rng.random() < 0.2 and b:
            b = b[: rng.randrange(len(b))]
        out.append(b)
    return TextBatch.from_bytes(out)


@pytest.mark.parametrize("errors,drop_space", [("replace", True), ("replace", False), ("drop", False)])
def test_corrupted_real_bytes(simd_level, corrupted, errors, drop_space):
    params = dict(errors=errors, drop_space=drop_space, num_perm=64, ngram=4)
    hr, hn = R.MinHasher(**params), D.MinHasher(**params)
    want_norm = _reference(("corrupt-norm", errors, drop_space), lambda: hr.normalize(corrupted))
    assert hn.normalize(corrupted) == want_norm
    want_sig = _reference(("corrupt-sig", errors, drop_space), lambda: hr.signatures_and_lengths(corrupted))
    got_sig = hn.signatures_and_lengths(corrupted, threads=2)
    assert_same_result(got_sig[0], want_sig[0], "signatures")
    assert_same_result(got_sig[1], want_sig[1], "lengths")
    want_keys = _reference(("corrupt-keys", errors, drop_space), lambda: hr.exact_keys(corrupted))
    assert_same_result(hn.exact_keys(corrupted), want_keys, "exact keys")
    if errors == "replace" and not drop_space:
        assert any("\ufffd" in t for t in want_norm)
