"""Native == reference on every document of the shared real corpora (clean_zh, noisy_zh), in
both input forms and at every SIMD level, plus sanity facts about Chinese extraction.

Needs the shared data (``$CORPUS_ENGINE_DATA`` or ``<repo>/../shared/data``); skips otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import (
    ALL_VARIANTS,
    DEFAULT_VARIANTS,
    TextBatch,
    assert_same_result,
    compare_all,
    flatten,
    news_commentary_pairs,
    reference_result,
    text,
)

REAL_VARIANTS = DEFAULT_VARIANTS + [
    v for v in ALL_VARIANTS if v[0] in ("extract-paper-bands", "extract-nkcorpus-bands", "strip-chars-str", "trim-ascii")
]

_BATCHES: dict = {}


def _corpus(name, clean_zh, noisy_zh):
    docs = flatten(clean_zh if name == "clean_zh" else noisy_zh)
    if name not in _BATCHES:
        _BATCHES[name] = TextBatch.from_strings(docs)
    return docs, _BATCHES[name]


@pytest.mark.parametrize("corpus", ["clean_zh", "noisy_zh"])
def test_every_document_matches_reference(simd_level, corpus, clean_zh, noisy_zh):
    docs, batch = _corpus(corpus, clean_zh, noisy_zh)
    assert len(docs) > 1000
    # list[str] against the reference; the TextBatch of the same text against the same result
    compare_all(docs, REAL_VARIANTS, errors=("replace",), what=corpus, cache_key=("real", corpus),
                also=[("from_strings", batch)])
    # the text is well-formed, so errors="drop" must give the very same result
    for vid, fn, kw in REAL_VARIANTS:
        want = reference_result(fn, docs, kw, "replace", ("real", corpus))
        assert_same_result(getattr(text, fn)(docs, errors="drop", **kw), want, f"{corpus} {vid} drop")


def _raw_line_batch(path) -> TextBatch:
    """A file's bytes as a TextBatch with one document per line, line terminator included,
    offsets found with NumPy: the buffer form as a reader would build it."""
    raw = np.fromfile(path, dtype=np.uint8)
    ends = np.flatnonzero(raw == ord("\n")) + 1
    offsets = np.concatenate([[0], ends, [raw.size] if not ends.size or ends[-1] != raw.size else []]).astype(np.int64)
    return TextBatch(raw, offsets)


RAW_FILES = [
    "clean_zh/tencentpretrain/zhwiki_sampled.txt",
    "clean_zh/tencentpretrain/news-commentary-v13-en-zh_sampled.txt",
    "noisy_zh/c4-dataset-script/Chinese_docs_random-100.jsonl",
    "noisy_zh/chinesewebtext/fasttext/dirty.jsonl",
]


@pytest.mark.parametrize("rel", RAW_FILES)
def test_raw_file_buffers_match_reference(simd_level, rel, shared_data):
    path = shared_data / rel
    if not path.exists():
        pytest.skip(f"{path} not found: set CORPUS_ENGINE_DATA")
    batch = _raw_line_batch(path)
    assert len(batch) > 5
    whole = TextBatch.from_bytes([path.read_bytes()])  # the whole file as one multi-line document
    compare_all(batch, DEFAULT_VARIANTS, errors=("replace",), what=rel, cache_key=("raw", rel))
    compare_all(whole, DEFAULT_VARIANTS, errors=("replace",), what=rel + " (one doc)", cache_key=("raw1", rel))


def _kept_fraction(docs, **kw) -> float:
    out = text.extract_chinese(docs, **kw)
    return text.char_lengths(out).sum() / text.char_lengths(docs).sum()


# Measured on the shared data (paper / nkcorpus): clean_zh keeps 93.8% / 97.1% of its
# characters; the worst source (fewclue tnews headlines) keeps 88.8% / 94.3%.
@pytest.mark.parametrize("mode, overall, per_source", [("paper", 0.92, 0.85), ("nkcorpus", 0.95, 0.90)])
def test_extract_keeps_most_of_clean_chinese(clean_zh, mode, overall, per_source):
    assert _kept_fraction(flatten(clean_zh), mode=mode) > overall
    for name, docs in clean_zh.items():
        frac = _kept_fraction(docs, mode=mode)
        assert frac > per_source, f"{name}: extract_chinese(mode={mode!r}) kept only {frac:.3f} of the characters"


@pytest.mark.parametrize("mode", ["paper", "nkcorpus"])
def test_extract_drops_english_side_of_news_commentary(shared_data, mode):
    pairs = [(en, zh) for en, zh in news_commentary_pairs(shared_data) if en and zh]
    assert len(pairs) > 900
    docs = [en + "\n" + zh for en, zh in pairs]
    out = text.extract_chinese(docs, mode=mode)
    en_kept = [en for (en, _), o in zip(pairs, out) if en in o.split("\n")]
    zh_kept = sum(zh in o.split("\n") for (_, zh), o in zip(pairs, out))
    assert en_kept == [], f"English lines kept: {en_kept[:3]}"
    # measured: 965 (paper) / 983 (nkcorpus) of 1000 Chinese sides kept
    assert zh_kept > 0.95 * len(pairs)
    # and the English side alone scores low
    assert text.zh_ratio([en for en, _ in pairs], mode=mode).max() < 0.1


def test_extract_prefers_clean_web_text_to_dirty(noisy_zh):
    """ChineseWebText's fastText samples: the clean ones survive extraction whole (measured
    100%), the dirty ones (code, menus) lose about half their characters (measured 46%)."""
    clean = noisy_zh["chinesewebtext/fasttext/clean.jsonl"]
    dirty = noisy_zh["chinesewebtext/fasttext/dirty.jsonl"]
    assert _kept_fraction(clean) > 0.98
    assert _kept_fraction(dirty) < 0.7
