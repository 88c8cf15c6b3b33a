"""Native dedup == its pure-Python twin (corpus_engine.reference.dedup), on generated input,
at every SIMD level: normalised text, shingles, signatures (OPH and classic) bit for bit,
exact keys, band keys, candidate pairs, Jaccard values (same float), union-find clusters and
the whole near_duplicates result (keep mask, reasons, kept_as, pairs, Jaccard, lengths).

Input forms: list[str] (lone surrogates included) and TextBatch (from strings and from raw,
possibly ill-formed, UTF-8 bytes), with errors="replace" and "drop".
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from helpers import (
    TextBatch,
    _import,
    assert_same_result,
    bytes_doc,
    cjk,
    cjk_ext,
    controls,
    fullwidth,
    invalid_fragment,
    invisible,
    spaces,
    str_doc,
    zh_punct,
)

D = _import("corpus_engine.dedup")
native = _import("corpus_engine._native")
from corpus_engine.reference import dedup as R  # noqa: E402

U64 = (1 << 64) - 1
# DEDUP_EXAMPLES=10 runs ten times as many generated examples (a deeper hunt than CI's).
SCALE = float(os.environ.get("DEDUP_EXAMPLES", "1"))


def examples(n: int) -> int:
    return max(1, int(n * SCALE))


NUM_PERMS = (1, 7, 64, 128, 256)
NGRAMS = (1, 2, 5, 9)
ERRORS = ("replace", "drop")

# ---------------------------------------------------------------------------
# Strategies

# A small alphabet where width/case folding and dropped characters make different raw texts
# equal after normalisation (so exact duplicates and short docs are frequent).
folding_char = st.sampled_from(list("aAａＡbBｂＢ1１一二三，。,.!！ \u3000\t\n\u200b\x00\ufffd-_（）") + ["\U00020000"])
astral = st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF).filter(lambda c: not 0xD800 <= ord(c) <= 0xDFFF)
ascii_mixed = st.sampled_from("abcXYZ HELLO world Qq09.,;:!?'\"()[]{}")
dedup_char = st.one_of(cjk, cjk, cjk, cjk_ext, zh_punct, fullwidth, ascii_mixed, spaces, controls, invisible, astral,
                       folding_char)
short_doc = st.text(dedup_char, max_size=10)  # often shorter than the n-gram
long_doc = st.text(st.one_of(cjk, cjk, cjk, zh_punct, ascii_mixed, fullwidth, spaces), min_size=20, max_size=160)
any_doc = st.one_of(str_doc, short_doc, st.text(folding_char, max_size=12), long_doc, st.just(""))


def _edit(draw, text: str) -> str:
    """A few character edits of ``text``: replace, delete, insert, change case/width, add space/punct."""
    chars = list(text)
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["set", "del", "ins", "fold", "noise"]))
        i = draw(st.integers(0, len(chars)))
        if op == "set" and i < len(chars):
            chars[i] = draw(dedup_char)
        elif op == "del" and i < len(chars):
            del chars[i]
        elif op == "ins":
            chars.insert(i, draw(dedup_char))
        elif op == "fold" and i < len(chars):
            c = chars[i]
            if "a" <= c <= "z" or "A" <= c <= "Z":
                chars[i] = draw(st.sampled_from([c.upper(), c.lower(), chr(ord(c.upper()) + 0xFEE0)]))
        else:
            chars.insert(i, draw(st.sampled_from([" ", "，", "！", "\u3000", "\t", "\u200b", ".", "、"])))
    return "".join(chars)


@st.composite
def near_dup_docs(draw, max_families: int = 5, max_size: int = 5) -> list:
    """Families of near-duplicates (a base and edited copies, exact copies among them) plus
    unrelated documents, in a random order."""
    docs = []
    for _ in range(draw(st.integers(0, max_families))):
        base = draw(st.one_of(long_doc, long_doc, any_doc))
        family = [base]
        for _ in range(draw(st.integers(0, max_size - 1))):
            src = draw(st.sampled_from(family))
            family.append(src if draw(st.integers(0, 4)) == 0 else _edit(draw, src))
        docs += family
    docs += draw(st.lists(any_doc, max_size=3))
    return draw(st.permutations(docs))


@st.composite
def hasher_params(draw) -> dict:
    return dict(
        num_perm=draw(st.sampled_from(NUM_PERMS)),
        ngram=draw(st.sampled_from(NGRAMS)),
        seed=draw(st.one_of(st.just(0), st.sampled_from([1, 0x5BD1E995, U64]), st.integers(0, U64))),
        method=draw(st.sampled_from(["oph", "classic"])),
        fold_width=draw(st.booleans()),
        fold_case=draw(st.booleans()),
        drop_space=draw(st.booleans()),
        drop_punct=draw(st.booleans()),
        errors=draw(st.sampled_from(ERRORS)),
    )


@st.composite
def bands_rows(draw, num_perm: int):
    """(bands, rows) with bands * rows <= num_perm: full use, partial use, odd rows."""
    rows = draw(st.integers(1, num_perm))
    bands = draw(st.integers(1, num_perm // rows))
    return bands, rows


# ---------------------------------------------------------------------------
# Comparison


def _same_list_of_arrays(got, want, what):
    assert isinstance(got, list) and len(got) == len(want), what
    for i, (g, w) in enumerate(zip(got, want)):
        assert_same_result(g, w, f"{what}[{i}]")


def compare_hashers(docs, params: dict, bands: int, rows: int, forms=(), hr=None) -> None:
    """Every MinHasher method and the band keys, native vs reference, on ``docs`` and other forms."""
    hn, hr = D.MinHasher(**params), hr or R.MinHasher(**params)
    want_norm = hr.normalize(docs)
    want_sig, want_len = hr.signatures_and_lengths(docs)
    want_sh = hr.shingles(docs)
    want_keys = hr.exact_keys(docs)
    n = len(want_norm)
    pairs = np.array([(i, j) for i in range(n) for j in range(i, n)] + [(j, i) for i in range(n) for j in range(i)],
                     dtype=np.int64).reshape(-1, 2)
    want_jac = hr.pair_jaccard(docs, pairs)
    want_bk = R.LSHIndex(bands, rows).band_keys(want_sig)
    assert want_sig.dtype == np.uint32 and want_sig.shape == (n, params["num_perm"])
    assert want_len.tolist() == [len(t) for t in want_norm]
    for name, d in (("input", docs),) + tuple(forms):
        what = f"{name} {params}"
        assert hn.normalize(d) == want_norm, f"normalize {what}"
        sig, lengths = hn.signatures_and_lengths(d)
        assert_same_result(sig, want_sig, f"signatures {what}")
        assert_same_result(lengths, want_len, f"lengths {what}")
        assert_same_result(hn.signatures(d, threads=1), want_sig, f"signatures(threads=1) {what}")
        _same_list_of_arrays(hn.shingles(d), want_sh, f"shingles {what}")
        assert_same_result(hn.exact_keys(d), want_keys, f"exact_keys {what}")
        assert_same_result(hn.pair_jaccard(d, pairs), want_jac, f"pair_jaccard {what}")
        assert_same_result(D.LSHIndex(bands, rows).band_keys(sig), want_bk, f"band_keys {bands}x{rows} {what}")
    # Structural facts of the reference itself.
    for i, t in enumerate(want_norm):
        if not t:
            assert (want_sig[i] == 0xFFFFFFFF).all() and want_sh[i].size == 0
        else:
            m, g = len(t), params["ngram"]
            assert 1 <= want_sh[i].size <= max(1, m - g + 1)


def compare_near(docs, forms=(), **kw) -> None:
    """near_duplicates(return_info=True), native vs reference, on ``docs`` and other forms."""
    want = R.near_duplicates(docs, return_info=True, **{k: v for k, v in kw.items() if k != "hasher"},
                             **({"hasher": R.MinHasher(**kw["hasher"])} if "hasher" in kw else {}))
    for name, d in (("input", docs),) + tuple(forms):
        args = {k: v for k, v in kw.items() if k != "hasher"}
        if "hasher" in kw:
            args["hasher"] = D.MinHasher(**kw["hasher"])
        got = D.near_duplicates(d, return_info=True, **args)
        what = f"{name} {kw}"
        for field in ("keep", "reason", "kept_as", "pairs", "jaccard", "lengths"):
            assert_same_result(getattr(got, field), getattr(want, field), f"{field} {what}")
        assert got.counts == want.counts
        mask = D.near_duplicates(d, **args)
        assert_same_result(mask, want.keep, f"mask {what}")
    # Structural facts: kept documents point to themselves, removed ones to a kept one.
    n = len(want.keep)
    assert want.counts["kept"] + want.counts["exact"] + want.counts["near"] == n
    for i in range(n):
        k = int(want.kept_as[i])
        assert want.keep[k], f"doc {i} points to {k}, which is not kept"
        assert (k == i) == bool(want.keep[i])
    assert ((want.lengths > 0) | (want.reason != R.NEAR)).all(), "an empty document was removed as a near-duplicate"
    c = want.counts
    event(f"exact removed: {c['exact'] > 0}, near removed: {c['near'] > 0}, candidates: {min(len(want.pairs), 1)}")


# ---------------------------------------------------------------------------
# Signatures and friends


@settings(max_examples=examples(60))
@given(docs=st.lists(any_doc, max_size=8), params=hasher_params(), data=st.data())
@example(docs=[], params=dict(num_perm=7, ngram=5, seed=0, method="oph", fold_width=True, fold_case=True,
                              drop_space=True, drop_punct=True, errors="replace"), data=None)
@example(docs=["", "a", "ＡＢＣ，abc", "\ud800\udfff一", "一二三四五六七八九十" * 4, "\U00020000" * 12],
         params=dict(num_perm=256, ngram=9, seed=U64, method="classic", fold_width=True, fold_case=True,
                     drop_space=True, drop_punct=True, errors="drop"), data=None)
def test_hasher_str_docs(simd_level, docs, params, data):
    bands, rows = data.draw(bands_rows(params["num_perm"])) if data is not None else (1, params["num_perm"])
    forms = (("from_strings", TextBatch.from_strings(docs)),) if params["errors"] == "replace" else ()
    compare_hashers(docs, params, bands, rows, forms)


@settings(max_examples=examples(40))
@given(docs=st.lists(bytes_doc, max_size=8), params=hasher_params(), data=st.data())
@example(docs=[b"\xe4\xb8", b"\xad\xe6\x96\x87", b"\xff" * 9, b"abc\x80def\xc0\xafghi", b""],
         params=dict(num_perm=64, ngram=2, seed=1, method="oph", fold_width=True, fold_case=True, drop_space=False,
                     drop_punct=True, errors="replace"), data=None)
def test_hasher_bytes_docs(simd_level, docs, params, data):
    """TextBatch of raw (possibly ill-formed) UTF-8; with drop_space=False the U+FFFD count matters."""
    bands, rows = data.draw(bands_rows(params["num_perm"])) if data is not None else (8, 8)
    batch = TextBatch.from_bytes(docs)
    padded = TextBatch(b"\xe4\xb8" + b"".join(docs) + b"\x80\xbf", batch.offsets + 2)
    compare_hashers(batch, params, bands, rows, (("padded", padded),))


def test_hasher_grid(simd_level):
    """Every num_perm x ngram x method on a fixed mixed set (long docs: many AVX-512 groups of 8)."""
    docs = [
        "",
        "a",
        "南开",
        "南开大学位于天津市，是一所综合性研究型大学，创建于一九一九年。" * 3,
        "ＡＢＣ　ａｂｃ！Hello, World\t\u200b　２０２４年",
        "\U00020000\U00020001\U0002A6DF" * 5 + "一" * 40,
        "abcdefghij" * 7,
    ]
    for num_perm in NUM_PERMS:
        for ngram in NGRAMS:
            for method in ("oph", "classic"):
                params = dict(num_perm=num_perm, ngram=ngram, seed=num_perm * 1000 + ngram, method=method)
                rows = max(1, num_perm // 3) if num_perm > 1 else 1
                compare_hashers(docs, params, max(1, num_perm // rows), rows)


two_byte = st.characters(min_codepoint=0x80, max_codepoint=0x7FF)
long_mixed = st.text(st.one_of(cjk, cjk, ascii_mixed, ascii_mixed, two_byte, astral, fullwidth, spaces, zh_punct,
                               controls), min_size=0, max_size=400)


@st.composite
def long_bytes_doc(draw) -> bytes:
    """Long UTF-8 (ASCII runs, 2-, 3- and 4-byte characters) with ill-formed fragments inserted."""
    b = draw(long_mixed).encode("utf-8")
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(b)))
        b = b[:i] + draw(invalid_fragment) + b[i:]
    return b


@settings(max_examples=examples(30))
@given(docs=st.lists(long_bytes_doc(), min_size=1, max_size=6), params=hasher_params())
def test_hasher_long_bytes(simd_level, docs, params):
    """Long buffers: the vectorised UTF-8 normalisation and window hashing, ill-formed input included."""
    params["num_perm"] = min(params["num_perm"], 64)  # keeps classic cheap for the reference
    bands = min(4, params["num_perm"])
    compare_hashers(TextBatch.from_bytes(docs), params, bands, params["num_perm"] // bands)
    if params["errors"] == "replace":
        compare_hashers([d.decode("utf-8", "replace") for d in docs], params, 1, 1)


_LONG = "南开大学位于天津市，是一所综合性研究型大学，创建于一九一九年。" * 4 + "ab" * 40
_REF_HASHERS: dict = {}


@pytest.mark.parametrize("num_perm,method,ngram,docs", [
    (1024, "oph", 5, ["", "a", "南开大学", _LONG]),
    (1025, "oph", 2, ["a", "ab" * 40, _LONG]),
    (3000, "oph", 5, ["", _LONG]),
    (4096, "oph", 1, [_LONG]),
    (1025, "classic", 9, ["", "a", _LONG]),
])
def test_large_num_perm(simd_level, num_perm, method, ngram, docs):
    """More than 1024 bins and densification needing many attempts (few shingles, many bins)."""
    params = dict(num_perm=num_perm, method=method, ngram=ngram, seed=num_perm)
    key = tuple(params.items())
    hr = _REF_HASHERS.setdefault(key, R.MinHasher(**params))  # keeps its densification probes across levels
    compare_hashers(docs, params, 3, num_perm // 3, hr=hr)


def test_densification_past_the_precomputed_attempts(simd_level):
    """128 bins, documents of two or three distinct shingles: an empty bin then often needs more than
    the 64 precomputed attempts, and now and then more than the 512 of the AVX-512 byte walk
    (16 of these 480 documents, counted with the reference probe sequence); the signatures still
    equal the reference's."""
    cjk_chars = [chr(0x4E00 + 37 * i) for i in range(40)]
    docs = [(a + b) * 3 for a in cjk_chars[:20] for b in cjk_chars[20:]]  # "ababab": 2 distinct 5-grams
    docs += [(a + b + "c") * 3 for a in cjk_chars[:8] for b in cjk_chars[30:]]  # 3 distinct
    params = dict(num_perm=128, method="oph", ngram=5, seed=7)
    hr = _REF_HASHERS.setdefault(tuple(params.items()), R.MinHasher(**params))
    compare_hashers(docs, params, 16, 8, hr=hr)


# ---------------------------------------------------------------------------
# Candidate pairs, exact pairs, clusters


@st.composite
def band_key_matrix(draw):
    """Band keys from a tiny alphabet (many collisions); some buckets hold more than 32 documents."""
    n = draw(st.integers(0, 120))
    bands = draw(st.integers(1, 5))
    alphabet = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, alphabet, size=(n, bands), dtype=np.uint64)
    keys = keys * np.uint64(0x9E3779B97F4A7C15)  # spread the values; equality is what matters
    active = rng.random(n) < draw(st.sampled_from([1.0, 0.9, 0.5]))
    return keys, active


@settings(max_examples=examples(80))
@given(km=band_key_matrix())
@example(km=(np.zeros((40, 1), dtype=np.uint64), np.ones(40, dtype=bool)))
@example(km=(np.zeros((33, 2), dtype=np.uint64), np.ones(33, dtype=bool)))
@example(km=(np.zeros((32, 1), dtype=np.uint64), np.ones(32, dtype=bool)))
def test_candidate_pairs(km):
    keys, active = km
    want = R.candidate_pairs(keys, active)
    for threads in (1, 2):
        got = native.dedup_candidates(keys, active.view(np.uint8), threads)
        assert_same_result(got, want, f"candidates threads={threads}")
    # Independent statement of the rule.
    n, bands = keys.shape
    brute = set()
    for k in range(bands):
        groups = {}
        for i in range(n):
            if active[i]:
                groups.setdefault(int(keys[i, k]), []).append(i)
        for g in groups.values():
            if len(g) <= 32:
                brute |= {(g[a], g[b]) for a in range(len(g)) for b in range(a + 1, len(g))}
            else:
                brute |= {(g[0], x) for x in g[1:]} | {(g[j - 1], g[j]) for j in range(1, len(g))}
    assert want.tolist() == [list(p) for p in sorted(brute)]


def test_candidate_pairs_large_bucket_rule():
    """A bucket of 40 gives the star (39 pairs) and the chain (38 more); one of 32 all 496 pairs."""
    for size, expected in ((32, 32 * 31 // 2), (33, 32 + 31), (40, 39 + 38)):
        keys = np.zeros((size, 1), dtype=np.uint64)
        active = np.ones(size, dtype=bool)
        for got in (R.candidate_pairs(keys, active), native.dedup_candidates(keys, active.view(np.uint8), 1)):
            assert got.shape == (expected, 2)
    # Inactive documents are skipped before the bucket is sized.
    keys = np.zeros((40, 1), dtype=np.uint64)
    active = np.ones(40, dtype=bool)
    active[::5] = False  # 32 active left: all pairs
    want = np.array([(a, b) for a in range(40) for b in range(a + 1, 40) if a % 5 and b % 5], dtype=np.int64)
    assert_same_result(R.candidate_pairs(keys, active), want)
    assert_same_result(native.dedup_candidates(keys, active.view(np.uint8), 1), want)


@settings(max_examples=examples(60))
@given(n=st.integers(0, 40), data=st.data())
def test_exact_pairs(n, data):
    vals = data.draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=n, max_size=n))
    keys = np.array(vals, dtype=np.uint64).reshape(n, 2) * np.uint64(0xFFFFFFFF00000001)
    active = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    assert_same_result(R.exact_pairs(keys), D.exact_pairs(keys))
    assert_same_result(R.exact_pairs(keys, active), D.exact_pairs(keys, active))


@settings(max_examples=examples(80))
@given(n=st.integers(1, 40), data=st.data())
def test_clusters(n, data):
    pairs = np.array(data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60)),
                     dtype=np.int64).reshape(-1, 2)
    lengths = np.array(data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), dtype=np.int64)
    scores = np.array(data.draw(st.lists(st.sampled_from([0.0, -1.0, 0.5, 1.0, 1e300, -np.inf, np.inf, np.nan]),
                                         min_size=n, max_size=n)), dtype=np.float64)
    for policy in (0, 1, 2):
        want_keep, want_root = R.clusters(n, pairs, policy, lengths, scores)
        got_keep, got_root = native.dedup_clusters(n, pairs, policy, lengths, scores)
        assert_same_result(got_keep, want_keep, f"keep policy={policy}")
        assert_same_result(got_root, want_root, f"root policy={policy}")
        # Independent check: each cluster keeps the best member, ties to the lowest index.
        value = [0] * n if policy == 0 else (lengths.tolist() if policy == 1 else scores.tolist())
        comp = list(range(n))

        def find(x):
            while comp[x] != x:
                x = comp[x]
            return x

        for a, b in pairs.tolist():
            ra, rb = find(a), find(b)
            if ra != rb:
                comp[max(ra, rb)] = min(ra, rb)
        for i in range(n):
            members = [j for j in range(n) if find(j) == find(i)]
            if not any(v != v for v in value):  # NaN: no order; only parity with native is checked
                best = max(members, key=lambda j: (value[j], -j))
                assert want_root[i] == best


# ---------------------------------------------------------------------------
# The whole pipeline


@st.composite
def near_kwargs(draw, n: int) -> dict:
    num_perm = draw(st.sampled_from([16, 64, 128]))
    bands, rows = draw(st.sampled_from([(16, 8), (8, 2), (4, 1), (5, 3)] if num_perm >= 16 else [(1, 1)]))
    if bands * rows > num_perm:
        bands, rows = 1, 1
    kw = dict(
        threshold=draw(st.sampled_from([0.0, 0.3, 0.5, 0.8, 0.9, 1.0]) | st.floats(0.0, 1.0)),
        bands=bands,
        rows=rows,
        keep=draw(st.sampled_from(["first", "longest", "score"])),
        exact=draw(st.booleans()),
    )
    if draw(st.booleans()):
        kw["hasher"] = dict(num_perm=num_perm, ngram=draw(st.sampled_from(NGRAMS)), seed=draw(st.integers(0, U64)),
                            method=draw(st.sampled_from(["oph", "classic"])), errors=draw(st.sampled_from(ERRORS)))
    else:
        kw.update(num_perm=num_perm, ngram=draw(st.sampled_from(NGRAMS)), seed=draw(st.integers(0, 3)),
                  method=draw(st.sampled_from(["oph", "classic"])))
    if kw["keep"] == "score":
        kw["scores"] = np.array(draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(-10, 10),
                                              min_size=n, max_size=n)), dtype=np.float64)
    return kw


@settings(max_examples=examples(60))
@given(docs=near_dup_docs(), data=st.data())
@example(docs=["南开大学位于天津市，是一所综合性研究型大学，创建于一九一九年。"] * 3
         + ["南开大学位于天津市，是一所综合性研究型大学，创建于一九一九年！", "", "", "，。"], data=None)
def test_near_duplicates(simd_level, docs, data):
    kw = data.draw(near_kwargs(len(docs))) if data is not None else dict(keep="first", exact=True)
    forms = (("from_strings", TextBatch.from_strings(docs)),)
    compare_near(docs, forms, **kw)


@settings(max_examples=examples(25))
@given(base=long_doc, copies=st.integers(33, 45), data=st.data())
def test_near_duplicates_large_buckets(simd_level, base, copies, data):
    """More than 32 copies of one text (exact=False): buckets use the star + chain rule."""
    docs = [base if data.draw(st.integers(0, 3)) else _edit(data.draw, base) for _ in range(copies)]
    kw = dict(exact=False, threshold=data.draw(st.sampled_from([0.0, 0.5, 0.9])), num_perm=32, bands=8, rows=4,
              keep=data.draw(st.sampled_from(["first", "longest"])))
    compare_near(docs, **kw)


@settings(max_examples=examples(25))
@given(docs=st.lists(bytes_doc, max_size=8), errors=st.sampled_from(ERRORS), exact=st.booleans())
def test_near_duplicates_bytes(simd_level, docs, errors, exact):
    batch = TextBatch.from_bytes(docs + docs[:3])  # some exact duplicates
    compare_near(batch, exact=exact, threshold=0.5, bands=8, rows=2,
                 hasher=dict(num_perm=16, ngram=2, errors=errors))
