"""The ``corpus-engine demo`` command runs the text kernels end to end and reports what it kept."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from corpus_engine.synthetic import web_pages
from helpers import REPO, TextBatch, text


def test_cli_demo_prints_kept_count():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    res = subprocess.run([sys.executable, "-m", "corpus_engine.cli", "demo", "--docs", "200"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    m = re.search(r"(\d+) of (\d+) pages kept", res.stdout)
    assert m, res.stdout
    kept, total = int(m.group(1)), int(m.group(2))
    assert total == 200
    # the count is the one the kernels give on the same generated pages
    cur = TextBatch.from_strings(web_pages(200, seed=0))
    for f in (text.strip_control, text.extract_chinese, text.trim_content):
        cur = f(cur)
    assert kept == int(text.length_mask(cur, min_chars=20).sum())
    assert 0 < kept <= 200
    assert "200 generated web pages" in res.stdout


def test_cli_demo_rejects_bad_arguments():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    res = subprocess.run([sys.executable, "-m", "corpus_engine.cli", "demo", "--docs", "many"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode != 0
