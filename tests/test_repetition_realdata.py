"""Repetition statistics on the shared real data.

* native == pure-Python twin, bit for bit, on every document of clean_zh and noisy_zh (list[str]
  and TextBatch, every SIMD level);
* the default rules keep >= 98 % of the documents of every clean_zh source (docs/repetition.md,
  section 4 states the rates);
* they remove the spam-like raw web pages of the c4 sample that were picked out by hand before
  the calibration, and keep its pages that hold a real article.

Needs the shared data (``$CORPUS_ENGINE_DATA`` or ``<repo>/../shared/data``); skips otherwise.
"""

from __future__ import annotations

from typing import Dict

import pytest

from helpers import TextBatch, _import
from test_repetition_differential import assert_same

rep = _import("corpus_engine.repetition")
from corpus_engine.reference import repetition as ref  # noqa: E402

C4 = "c4-dataset-script/Chinese_docs_random-100.jsonl"

# Documents of the c4 sample (index = line of the .jsonl) that a reader would drop whole: no
# sentence worth keeping, or a page whose text is a keyword list, a menu or a repeated block.
# The defaults remove every one of them.
C4_SPAM: Dict[int, str] = {
    1: "car forum: navigation and thread titles, no prose",
    2: "cable catalogue: menus, part lists, cookie banner",
    3: "medical portal: navigation and article-title lists",
    5: "porn film page: title repeated, menus",
    7: "blog: tag cloud and post-title list",
    16: "web-agency page: navigation, repeated blocks",
    17: "French wiki diff page: navigation and revision metadata",
    18: "component gallery: one-word menu lines",
    19: "truck promotion: template sentence, model list repeated",
    20: "git forge issue list: English UI menus",
    21: "blog category page: navigation",
    22: "JavaScript source and menus",
    24: "Russian company menus repeated around one scraped Chinese sentence",
    25: "gambling brand page with a spun article repeated",
    26: "product menu page: one product name per line",
    29: "nail-salon menu page",
    30: "software download site: menus and download lists",
    31: "lottery tips: '103期:…已公开' lines repeated",
    34: "wine catalogue: product fields, no prose",
    35: "erotic film page: title and menus",
    36: "lottery keyword page: script code and menus",
    37: "stock-photo site: French UI menus repeated",
    38: "share-by-mail form",
    39: "portal user page: navigation and empty lists",
    40: "adult video-chat landing page: prices, phone numbers, menus",
    41: "university department menus, repeated",
    44: "porn title, spun text and menus",
    45: "porn keyword lists injected into a company site, repeated",
    46: "wrong charset: mojibake",
    47: "app download instructions",
    48: "English jewellery shop navigation, repeated",
    49: "porn video listing",
    50: "gambling brand page with a recipe repeated",
    51: "factory site: menus and headline list",
    52: "product menu page",
    58: "forum login page",
    62: "404 page",
    64: "list of truncated teasers ('...10-30 12:49')",
    65: "English news portal menus under a gambling title",
    66: "gambling brand page with a spun news article repeated",
    67: "college menu page",
    68: "auction listing: one city or category per line",
    70: "product catalogue: multilingual menus repeated",
    71: "mojibake with porn keywords",
    72: "electronic-parts shop navigation",
    73: "product page: navigation only",
    75: "equipment maker: navigation only",
    76: "keyword stuffing: product names repeated",
    77: "porn keyword lists injected into a company site",
    84: "advertorial marketplace: navigation and ad blocks",
    85: "porn keyword lists injected into a company site",
    90: "almanac: a table of dates",
    91: "electronics forum navigation",
    94: "porn keyword lists injected into a company site",
    95: "porn site listing",
    97: "laptop maker: product navigation",
    99: "porn title over a solar-company menu page",
}

# Picked out by hand too, but well-formed prose (or too short) for these statistics: other stages
# take them (docs/repetition.md, section 4). Not asserted either way.
C4_SPAM_FOR_OTHER_STAGES: Dict[int, str] = {
    6: "gambling brand over well-formed lottery news: censor",
    13: "machine-spun novel chapter (paraphrased, not repeated): quality model",
    27: "gambling brand over a spun article: censor, quality model",
    32: "83-character 'site expired' notice: length filter",
    33: "dictionary page, English sentences end its lines: Chinese extraction",
    60: "porn keyword dump in a few very long lines: censor",
    61: "spun health text (shuffled words): quality model",
    81: "one-line porn title: censor, length filter",
    87: "gambling brand over one news sentence: censor",
    89: "porn title over a spun news article: censor, quality model",
}

# Raw pages around a real article, novel chapter or report: kept despite their menus.
C4_CONTENT = {
    4: "housing-policy news report",
    8: "celebrity news with a shop advert",
    9: "news feature on exam-advice businesses",
    10: "novel chapter",
    12: "company profile in full sentences",
    14: "labour-law article",
    15: "software how-to",
    43: "novel chapter",
    63: "go (weiqi) tournament report",
    69: "novel chapter",
    86: "economy news report",
}

_CACHE: dict = {}


def _reference(key, docs):
    if key not in _CACHE:
        _CACHE[key] = ref.measure(docs)
    return _CACHE[key]


@pytest.fixture(scope="module")
def c4_stats(noisy_zh):
    return rep.measure(noisy_zh[C4])


def _sources(clean_zh, noisy_zh):
    return [("clean/" + k, v) for k, v in clean_zh.items()] + [("noisy/" + k, v) for k, v in noisy_zh.items()]


def test_native_equals_reference_on_every_document(simd_level, clean_zh, noisy_zh):
    for key, docs in _sources(clean_zh, noisy_zh):
        want = _reference(key, docs)
        assert_same(rep.measure(docs, threads=2), want, f"{key} list")
        clean = [d for d in docs if not any(0xD800 <= ord(c) <= 0xDFFF for c in d)]
        if len(clean) == len(docs):
            assert_same(rep.measure(TextBatch.from_strings(docs), threads=1), want, f"{key} batch")


def test_defaults_keep_clean_text(clean_zh):
    total = kept = 0
    rates = {}
    for key, docs in clean_zh.items():
        keep, reasons = rep.decide(rep.measure(docs))
        rates[key] = keep.mean()
        total += len(docs)
        kept += int(keep.sum())
    overall = kept / total
    print("clean_zh keep rates:", {k: round(100 * v, 2) for k, v in rates.items()}, "overall", round(100 * overall, 2))
    assert min(rates.values()) >= 0.98, rates
    assert overall >= 0.99, overall


def test_defaults_remove_the_spam_pages(c4_stats):
    keep, reasons = rep.decide(c4_stats)
    assert len(keep) == 100
    kept_spam = {i: C4_SPAM[i] for i in C4_SPAM if keep[i]}
    assert not kept_spam, kept_spam
    labelled = {**C4_SPAM, **C4_SPAM_FOR_OTHER_STAGES}
    assert not set(C4_SPAM) & set(C4_SPAM_FOR_OTHER_STAGES) and not set(labelled) & set(C4_CONTENT)
    removed = sum(not keep[i] for i in labelled)
    print(f"c4: {int((~keep).sum())} of 100 removed; of the {len(labelled)} spam pages, {removed}")


def test_defaults_keep_the_article_pages(c4_stats):
    keep, reasons = rep.decide(c4_stats)
    removed = {i: (C4_CONTENT[i], reasons[i]) for i in C4_CONTENT if not keep[i]}
    assert not removed, removed


def test_reasons_name_their_rule(c4_stats):
    keep, reasons = rep.decide(c4_stats)
    names = {rep.reason_name(c) for c in rep.DEFAULT_THRESHOLDS}
    assert all((r is None) == bool(k) for r, k in zip(reasons, keep))
    assert {r for r in reasons if r} <= names
    # Every removal reason holds for its document (and no earlier rule fired).
    for i, r in enumerate(reasons):
        if r is None:
            continue
        col = next(c for c in rep.DEFAULT_THRESHOLDS if rep.reason_name(c) == r)
        op, value = rep.DEFAULT_THRESHOLDS[col]
        x = c4_stats[col][i]
        assert {">": x > value, ">=": x >= value, "<": x < value, "<=": x <= value}[op], (i, col, x)
