"""Unicode general-category ranges: equal to a direct scan, cached per Unicode version on disk."""

import os
import subprocess
import sys
import unicodedata

from corpus_engine import charsets as cs
from helpers import REPO


def _direct(pred):
    return cs.to_ranges([(cp, cp) for cp in range(cs.MAX_CP + 1) if pred(unicodedata.category(chr(cp)))])


def test_category_ranges_equal_a_direct_scan():
    assert cs.category_ranges("P") == cs.unicode_punctuation() == _direct(lambda c: c[0] == "P")
    assert cs.category_ranges("Nd") == _direct(lambda c: c == "Nd")
    assert cs.category_ranges("S") == _direct(lambda c: c[0] == "S")


def _in_fresh_process(cache_dir):
    code = "from corpus_engine import charsets as cs; print(len(cs.category_ranges('P')), cs.category_ranges('Sc')[0])"
    env = {**os.environ, "CORPUS_ENGINE_CACHE": str(cache_dir), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


def test_cache_file_written_reused_and_a_corrupt_one_ignored(tmp_path):
    want = f"{len(cs.category_ranges('P'))} {cs.category_ranges('Sc')[0]}\n"
    assert _in_fresh_process(tmp_path) == want
    files = list(tmp_path.glob("unicode-categories-*.json"))
    assert [f.name for f in files] == [f"unicode-categories-{unicodedata.unidata_version}.json"]
    assert _in_fresh_process(tmp_path) == want  # read back
    files[0].write_text("[[0, 5", encoding="ascii")  # a torn file: scanned again, rewritten
    assert _in_fresh_process(tmp_path) == want
    assert files[0].read_text(encoding="ascii").endswith("]]")
    ro = tmp_path / "ro"
    ro.write_text("not a folder", encoding="ascii")  # an unusable cache location only costs the scan
    assert _in_fresh_process(ro) == want
