"""The README's main job (``corpus-engine demo``: synth + run + report) and ``kernels-demo``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from corpus_engine.synthetic import web_pages
from helpers import REPO, TextBatch, text


def _cli(*args, timeout=300):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "corpus_engine.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_demo_generates_runs_and_reports(tmp_path):
    out = tmp_path / "demo"
    res = _cli("demo", "--output", str(out), "--size", "600KB", "--quiet")
    assert res.returncode == 0, res.stderr
    stats = json.loads((out / "run" / "stats.json").read_text(encoding="utf-8"))
    assert stats["counts_add_up"] and 0 < stats["kept"] < stats["documents"]
    truth = (out / "input" / "_ground_truth.jsonl").read_text(encoding="utf-8").splitlines()
    assert stats["documents"] == len(truth)  # the ground truth is not read as input
    assert (out / "run" / "report.html").stat().st_size > 1000
    assert f"kept {stats['kept']:,}" in res.stdout
    # A second demo reuses the data and the finished run.
    again = _cli("demo", "--output", str(out), "--size", "600KB", "--quiet")
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "run" / "stats.json").read_text(encoding="utf-8"))["kept"] == stats["kept"]


def test_demo_rejects_bad_arguments():
    res = _cli("demo", "--size", "lots", timeout=60)
    assert res.returncode == 2 and "size" in res.stderr


def test_kernels_demo_prints_kept_count():
    res = _cli("kernels-demo", "--docs", "200", timeout=120)
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


def test_kernels_demo_rejects_bad_arguments():
    assert _cli("kernels-demo", "--docs", "many", timeout=60).returncode != 0
