"""Find and mask personal data in Chinese web text (native, OpenMP, GIL released).

Kinds (column order of the counts): mobile and landline phone numbers, resident ID card
numbers (date and MOD 11-2 check verified), bank card numbers (Luhn), e-mail, IPv4 and IPv6
addresses, QQ and WeChat accounts named by a keyword. The exact rules and the overlap
policy are in docs/pii.md; the pure-Python twin :mod:`corpus_engine.reference.pii` defines
them and gives the same spans, counts and masked text.

Every function takes a sequence of ``str`` or a :class:`TextBatch`; ``mask`` returns the
form it was given. ``threads=None`` uses ``OMP_NUM_THREADS`` (or all cores). Invalid UTF-8
in a buffer and lone surrogates in a ``str`` are replaced by U+FFFD (``errors="replace"``)
or dropped (``errors="drop"``) before scanning.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _native
from . import charsets as cs
from .batch import TextBatch
from .reference.pii import DEFAULT_REPLACEMENTS, KINDS, check_kinds, check_replacements
from .text import _threads

Docs = Union[Sequence[str], TextBatch]

__all__ = ["KINDS", "DEFAULT_REPLACEMENTS", "scan", "mask", "spans"]


def _kind_mask(kinds) -> int:
    return sum(1 << i for i, on in enumerate(check_kinds(kinds)) if on)


def scan(docs: Docs, kinds=None, errors: str = "replace", threads: Optional[int] = None) -> np.ndarray:
    """Counts of PII spans: int64 array of shape (len(docs), len(KINDS)).

    ``kinds``: the kinds to look for (names from KINDS; None: all); the other columns are 0.
    Only the selected kinds take part in the overlap rule.
    """
    mask_bits = _kind_mask(kinds)
    return _native.pii_scan(docs, mask_bits, cs.check_errors(errors), _threads(threads))


def mask(
    docs: Docs,
    kinds=None,
    replacements: Optional[Dict[str, str]] = None,
    errors: str = "replace",
    threads: Optional[int] = None,
) -> Tuple[Union[List[str], TextBatch], np.ndarray]:
    """Replace every PII span by the replacement of its kind; returns ``(new_docs, counts)``.

    ``replacements`` updates DEFAULT_REPLACEMENTS per kind. A ``list[str]`` input gives a
    ``list[str]`` (documents without PII are the same objects), a TextBatch a TextBatch.
    """
    mask_bits = _kind_mask(kinds)
    repl = check_replacements(replacements)
    new, counts = _native.pii_mask(docs, mask_bits, repl, cs.check_errors(errors), _threads(threads))
    if isinstance(docs, TextBatch):
        new = TextBatch(*new)
    return new, counts


def spans(doc: Union[str, bytes], kinds=None, errors: str = "replace") -> List[Tuple[str, int, int]]:
    """The PII spans of one document: ``(kind, start, end)`` in code points, in text order."""
    mask_bits = _kind_mask(kinds)
    if isinstance(doc, (bytes, bytearray, memoryview)):
        docs = TextBatch.from_bytes([bytes(doc)])
    elif isinstance(doc, str):
        docs = [doc]
    else:
        raise TypeError(f"doc must be str or bytes, got {type(doc).__name__}")
    arr = _native.pii_spans(docs, mask_bits, cs.check_errors(errors), 1)[0]
    return [(KINDS[k], s, e) for s, e, k in arr.tolist()]
