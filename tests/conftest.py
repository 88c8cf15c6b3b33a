"""Shared fixtures of the test suite (helpers and loaders live in ``helpers.py``).

* ``shared_data``: the directory of the shared real data (``$CORPUS_ENGINE_DATA`` or
  ``<repo>/../shared/data``); tests that need it skip with a reason when it is absent.
* ``clean_zh`` / ``noisy_zh``: every document of the clean and noisy Chinese corpora,
  as ``{source name: [documents]}``.
* ``simd_level``: parametrizes a test over every SIMD level the CPU and build offer
  (scalar < avx2 < avx512) and restores the previous level afterwards.
* ``impl``: the reference twin plus the native kernels at every SIMD level, for the
  hand-written semantics tests that pin both implementations.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List

import pytest
from hypothesis import HealthCheck, settings

from helpers import SIMD_LEVELS, Impl, load_clean_zh, load_noisy_zh, ref, require_data, text

settings.register_profile(
    "corpus_engine",
    deadline=None,  # no timing assertions: the reference twin is slow by design
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "corpus_engine"))


@pytest.fixture(params=SIMD_LEVELS)
def simd_level(request):
    """Run the test with the native kernels forced to one SIMD level; restore the old one after."""
    prev = text.simd_level()
    text.set_simd_level(request.param)
    assert text.simd_level() == request.param
    try:
        yield request.param
    finally:
        text.set_simd_level(prev)


@pytest.fixture(params=["reference"] + [f"native-{lv}" for lv in SIMD_LEVELS])
def impl(request):
    """The reference twin, then the native kernels at each SIMD level."""
    if request.param == "reference":
        yield Impl("reference", ref)
        return
    level = request.param.split("-", 1)[1]
    prev = text.simd_level()
    text.set_simd_level(level)
    try:
        yield Impl(request.param, text, level)
    finally:
        text.set_simd_level(prev)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return require_data()


@pytest.fixture(scope="session")
def clean_zh(shared_data) -> Dict[str, List[str]]:
    return load_clean_zh(shared_data)


@pytest.fixture(scope="session")
def noisy_zh(shared_data) -> Dict[str, List[str]]:
    return load_noisy_zh(shared_data)
