"""Deterministic whatever the thread count: the same bytes with threads=1, 2, 3 and None, for
every kernel and both input forms; OMP_NUM_THREADS is respected; concurrent calls from
Python threads (the GIL is released) do not disturb each other."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from corpus_engine.synthetic import web_pages
from helpers import ALL_VARIANTS, REPO, TextBatch, assert_same_result, data_dir, flatten, load_clean_zh, load_noisy_zh, \
    text

THREADS = [2, 3, None]


@pytest.fixture(scope="module")
def mixed_docs():
    """A few MB of real (when the shared data is there) and generated text, with a couple of
    very large documents among many small ones, plus a raw-bytes form with ill-formed UTF-8."""
    docs = web_pages(3000, seed=7)
    d = data_dir()
    if d.is_dir():
        docs += flatten(load_noisy_zh(d))[::4] + flatten(load_clean_zh(d))[::8]
    docs.insert(len(docs) // 2, "".join(web_pages(400, seed=8)))  # one ~0.5 MB document
    docs.append("\r\n".join(web_pages(300, seed=9)))
    docs += ["", "\ud800中", "a"] * 50
    raw = [d.encode("utf-8", "surrogatepass") for d in docs]
    rng = np.random.default_rng(3)
    for i in rng.choice(len(raw), size=len(raw) // 10, replace=False).tolist():
        b = bytearray(raw[i])
        if b:
            b[int(rng.integers(0, len(b)))] = int(rng.integers(0x80, 0x100))
        raw[i] = bytes(b)
    batch = TextBatch.from_bytes(raw)
    assert batch.nbytes > 2_000_000
    return docs, TextBatch.from_strings(docs), batch


@pytest.mark.parametrize("vid, fn, kw", ALL_VARIANTS, ids=[v[0] for v in ALL_VARIANTS])
def test_same_output_for_any_thread_count(simd_level, mixed_docs, vid, fn, kw):
    for form, docs in zip(("list[str]", "from_strings", "raw bytes"), mixed_docs):
        for err in ("replace", "drop"):
            one = getattr(text, fn)(docs, errors=err, threads=1, **kw)
            for th in THREADS:
                got = getattr(text, fn)(docs, errors=err, threads=th, **kw)
                assert_same_result(got, one, f"{form} {vid} errors={err} threads={th}")


def test_concurrent_calls_from_python_threads(mixed_docs):
    docs, batch, raw = mixed_docs
    jobs = [
        (text.extract_chinese, docs), (text.strip_control, batch), (text.trim_content, raw),
        (text.zh_ratio, docs), (text.char_lengths, raw), (text.extract_chinese, raw),
    ] * 3
    want = [f(d, threads=2) for f, d in jobs]
    with ThreadPoolExecutor(max_workers=4) as ex:
        got = list(ex.map(lambda j: j[0](j[1], threads=2), jobs))
    for (f, _), g, w in zip(jobs, got, want):
        assert_same_result(g, w, f.__name__)


def _run_python(code: str, **env_extra) -> str:
    env = dict(os.environ)
    env.update(env_extra)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    res = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


@pytest.mark.parametrize("n", ["1", "2"])
def test_omp_num_threads_is_respected(n):
    out = _run_python("import corpus_engine.text as t; print(t._native.max_threads())", OMP_NUM_THREADS=n)
    assert out == n


_DIGEST = """
import hashlib
from corpus_engine import text, TextBatch
from corpus_engine.synthetic import web_pages
b = TextBatch.from_strings(web_pages(2000, seed=5))
h = hashlib.sha256()
for f in (text.strip_control, text.extract_chinese, text.trim_content):
    out = f(b)
    h.update(out.data.tobytes()); h.update(out.offsets.tobytes())
h.update(text.zh_ratio(b).tobytes()); h.update(text.char_lengths(b).tobytes())
print(h.hexdigest())
"""


def test_same_bytes_under_different_omp_num_threads():
    one = _run_python(_DIGEST, OMP_NUM_THREADS="1")
    four = _run_python(_DIGEST, OMP_NUM_THREADS="4")
    assert one == four and len(one) == 64
    # and the same as in this process with the default thread count
    b = TextBatch.from_strings(web_pages(2000, seed=5))
    h = hashlib.sha256()
    for f in (text.strip_control, text.extract_chinese, text.trim_content):
        out = f(b)
        h.update(out.data.tobytes())
        h.update(out.offsets.tobytes())
    h.update(text.zh_ratio(b).tobytes())
    h.update(text.char_lengths(b).tobytes())
    assert h.hexdigest() == one
