"""PII kernels on the real shared corpora (docs/pii.md):

* native == reference on every document of clean_zh and noisy_zh (spans counted, masked text);
* recall: valid PII of every kind planted into real clean_zh documents is all found, with the
  exact span and kind, and is gone from the masked text;
* precision: real non-PII number runs of clean_zh (dates, prices, decimals, versions, article
  and standard numbers) are never touched, and the masked spans per MB stay at the level
  measured and reviewed in docs/pii.md.
"""

from __future__ import annotations

import random
import re
from collections import Counter

import numpy as np
import pytest

import pii_gen
from helpers import TextBatch, _import, assert_same_result, flatten

pii = _import("corpus_engine.pii")
from corpus_engine.reference import pii as ref  # noqa: E402


@pytest.mark.parametrize("corpus", ["clean_zh", "noisy_zh"])
def test_native_equals_reference(request, corpus):
    docs = flatten(request.getfixturevalue(corpus))
    want_new, want_counts = ref.mask(docs)
    new, counts = pii.mask(docs)
    assert_same_result(counts, want_counts, f"{corpus} counts")
    assert_same_result(new, want_new, f"{corpus} masked")
    batch_new, batch_counts = pii.mask(TextBatch.from_strings(docs))
    assert_same_result(batch_counts, want_counts, f"{corpus} counts (TextBatch)")
    assert batch_new.to_strings() == want_new
    assert want_counts.sum() > 0  # the corpora do hold some contact data


def plant(docs, seed: int, per_kind: int):
    """Real documents with valid PII inserted between "，" and "。" at random places.

    Returns the new documents and, per document, the planted (kind, start, end) in code points."""
    r = random.Random(seed)
    out, planted = [], []
    jobs = [g for g in pii_gen.GENERATORS for _ in range(per_kind)]
    r.shuffle(jobs)
    for i, gen in enumerate(jobs):
        doc = docs[(i * 7919) % len(docs)]
        items = [gen] + [r.choice(pii_gen.GENERATORS) for _ in range(r.randint(0, 2))]
        cuts = sorted(r.randint(0, len(doc)) for _ in items)
        text, spans, prev = "", [], 0
        for gen_one, cut in zip(items, cuts):
            kind, piece, s, e = gen_one(r)
            text += doc[prev:cut] + "，"
            spans.append((kind, len(text) + s, len(text) + e))
            text += piece + "。"
            prev = cut
        text += doc[prev:]
        out.append(text)
        planted.append(spans)
    return out, planted


@pytest.mark.parametrize("who", ["native", "reference"])
def test_planted_recall(clean_zh, who):
    impl = pii if who == "native" else ref
    docs, planted = plant(flatten(clean_zh), seed=2024, per_kind=300 if who == "native" else 80)
    missed, per_kind = [], Counter()
    for text, want in zip(docs, planted):
        got = set(impl.spans(text))
        for item in want:
            per_kind[item[0]] += 1
            if item not in got:
                missed.append((item, text[item[1] - 5 : item[2] + 5], sorted(got)))
    assert not missed, f"{len(missed)} planted items missed, e.g. {missed[:3]}"
    assert set(per_kind) == set(pii.KINDS)
    # masking removes every planted item
    new, counts = impl.mask(docs)
    for text, m, want in zip(docs, new, planted):
        for kind, s, e in want:
            assert text[s:e] not in m or len(text[s:e]) < 8  # (a short account may recur elsewhere)
    assert counts.sum() >= sum(len(w) for w in planted)


# Non-PII number runs of real text; none may overlap a masked span.
NON_PII = re.compile(
    r"\d{4}年\d{1,2}月\d{1,2}日"  # dates
    r"|(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)"  # 20231001
    r"|(?<!\d)\d{4}[-./]\d{1,2}[-./]\d{1,2}(?!\d)"  # 2023-10-01, 2023.10.01
    r"|[¥￥$]\s?\d[\d,]*(?:\.\d+)?"  # prices
    r"|(?<![\d.])\d+\.\d+(?![\d.])"  # decimals
    r"|(?<![\d.])\d+(?:\.\d+){2,}(?![\d.])"  # versions, section numbers
    r"|ISBN[\s:：]*[\d-]+[\dXx]|ISSN[\s:：]*\d{4}-\d{3}[\dXx]|CN\s?\d{2}-\d{4}"  # standard numbers
    r"|(?<!\d)\d{4}-\d{4}(?!\d)"  # article / journal numbers
)


def test_real_non_pii_left_alone(clean_zh):
    docs = flatten(clean_zh)
    touched, total = [], 0
    for d in docs:
        found = pii.spans(d)
        for m in NON_PII.finditer(d):
            total += 1
            for kind, s, e in found:
                if s < m.end() and m.start() < e:
                    touched.append((m.group(), kind, d[s:e]))
    assert total > 5000  # the corpus is rich in such runs
    assert not touched, touched[:10]


def test_masked_rate_clean_zh(clean_zh):
    """The masked spans of clean_zh were all reviewed (docs/pii.md: every one is real contact
    data in CLUECorpusSmall pages). Guard against a rule change that masks ordinary text."""
    docs = flatten(clean_zh)
    counts = pii.scan(docs)
    mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    per_mb = counts.sum() / mb
    docs_hit = int((counts.sum(axis=1) > 0).sum())
    assert per_mb < 5.0, per_mb
    assert docs_hit / len(docs) < 0.002, docs_hit
    by_kind = dict(zip(pii.KINDS, counts.sum(axis=0).tolist()))
    # no long-number kind fires on this clean text: its IDs, cards and IPv6 are all non-PII
    assert by_kind["id_card"] == by_kind["bank_card"] == by_kind["ipv6"] == by_kind["ipv4"] == 0, by_kind
