"""The ``corpus-engine dedup`` commands: curve and eval print their tables; bad arguments exit 2."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from helpers import REPO, _import

cli = _import("corpus_engine.cli")
dedup = _import("corpus_engine.dedup")


def run(argv, capsys):
    """main(argv) in this process: (exit code, stdout, stderr)."""
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- curve


def test_curve_prints_probabilities_and_recommendation(capsys):
    code, out, err = run(["dedup", "curve", "--bands", "16", "--rows", "8"], capsys)
    assert code == 0, err
    rows = re.findall(r"^\| (\d\.\d\d) \| (\d\.\d{4}) \|$", out, flags=re.M)
    assert [j for j, _ in rows] == [f"{0.5 + 0.05 * i:.2f}" for i in range(11)]
    for j, p in rows:
        assert float(p) == pytest.approx(float(dedup.lsh_probability(float(j), 16, 8)), abs=5e-5)
    assert "| 0.80 | 0.9470 |" in out
    b, r = dedup.recommend_bands(128, 0.8, 0.95)
    assert f"--bands {b} --rows {r}" in out


def test_curve_options(capsys):
    code, out, err = run(["dedup", "curve", "--bands", "20", "--rows", "10", "--num-perm", "200",
                          "--threshold", "0.9", "--recall", "0.99"], capsys)
    assert code == 0, err
    assert "20 bands x 10 rows (200 of 200 signature values)" in out
    b, r = dedup.recommend_bands(200, 0.9, 0.99)
    assert f"num_perm 200, threshold 0.90, recall >= 0.99: --bands {b} --rows {r}" in out


def test_curve_unreachable_recall(capsys):
    code, out, err = run(["dedup", "curve", "--bands", "1", "--rows", "1", "--num-perm", "1",
                          "--threshold", "0.5", "--recall", "0.99"], capsys)
    assert code == 0, err
    assert "no bands x rows <= 1 reaches" in out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--bands", "0"], "argument --bands: must be a positive integer, got '0'"),
        (["--rows", "x"], "argument --rows: must be a positive integer, got 'x'"),
        (["--threshold", "1.5"], "argument --threshold: must be a number in [0, 1], got '1.5'"),
        (["--recall", "0"], "argument --recall: must be a number in (0, 1], got '0'"),
        (["--bands", "20", "--rows", "10"], "--bands 20 x --rows 10 = 200 signature values, more than --num-perm 128"),
        (["--num-perm", "100000"], "--num-perm must be at most 4096"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_curve_bad_arguments(capsys, argv, message):
    code, out, err = run(["dedup", "curve", *argv], capsys)
    assert code == 2
    assert message in err
    assert "corpus-engine dedup curve: error:" in err


def test_dedup_needs_a_subcommand(capsys):
    code, _, err = run(["dedup"], capsys)
    assert code == 2 and "curve,eval" in err


# --------------------------------------------------------------------------- eval


def test_eval_default_data(capsys, shared_data, monkeypatch):
    monkeypatch.setenv("CORPUS_ENGINE_DATA", str(shared_data))
    code, out, err = run(["dedup", "eval", "--docs", "150", "--copies", "2", "--seed", "1"], capsys)
    assert code == 0, err
    assert "150 originals, 300 planted copies (seed 1)" in out
    assert "| true Jaccard | pairs | duplicates (J >= 0.80) | detected | recall |" in out
    assert re.search(r"^\| \[0\.85, 0\.90\) \| \d+ \|", out, flags=re.M)
    assert re.search(r"^recall \(J >= 0\.85\): \d+/\d+ = [01]\.\d{4}$", out, flags=re.M)
    assert re.search(r"^precision: \d+/\d+ = [01]\.\d{4}", out, flags=re.M)
    assert "Jaccard estimate from signatures" not in out


def test_eval_compare_methods_and_options(capsys, shared_data, monkeypatch):
    monkeypatch.setenv("CORPUS_ENGINE_DATA", str(shared_data))
    code, out, err = run(["dedup", "eval", "--docs", "100", "--copies", "1", "--method", "classic",
                          "--threshold", "0.7", "--bands", "13", "--rows", "7", "--num-perm", "96",
                          "--compare-methods", "--compare-seeds", "2", "--threads", "1"], capsys)
    assert code == 0, err
    assert "threshold 0.7, num_perm 96, bands 13 x rows 7, ngram 5, method classic" in out
    assert "duplicates (J >= 0.70)" in out
    assert "| true Jaccard | pairs x seeds | oph MAE | oph RMSE | oph bias | classic MAE |" in out
    assert re.search(r"^\| all \| 200 \|", out, flags=re.M)


def test_eval_input_file(capsys, tmp_path):
    from corpus_engine.synthetic import web_pages

    path = tmp_path / "pages.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for page in web_pages(60, seed=4):
            fh.write(json.dumps({"text": page}, ensure_ascii=False) + "\n")
    code, out, err = run(["dedup", "eval", "--input", str(path), "--docs", "40", "--min-chars", "30"], capsys)
    assert code == 0, err
    assert f"originals from {path}" in out
    assert "| true Jaccard |" in out


def test_eval_missing_data_says_where_it_looked(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CORPUS_ENGINE_DATA", str(tmp_path))
    code, out, err = run(["dedup", "eval", "--docs", "10"], capsys)
    assert code == 2
    assert str(tmp_path / "clean_zh" / "tencentpretrain" / "zhwiki_sampled.txt") in err
    assert "--input FILE" in err


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--input", "/no/such/file.txt"], "--input /no/such/file.txt: no such file"),
        (["--docs", "0"], "argument --docs: must be a positive integer, got '0'"),
        (["--copies", "-1"], "argument --copies: must be an integer >= 0, got '-1'"),
        (["--method", "simhash"], "argument --method: invalid choice: 'simhash'"),
        (["--threshold", "two"], "argument --threshold: must be a number in [0, 1], got 'two'"),
        (["--seed", "-3"], "argument --seed: must be an integer >= 0, got '-3'"),
        (["--bands", "32", "--rows", "8"], "--bands 32 x --rows 8 = 256 signature values, more than --num-perm 128"),
    ],
)
def test_eval_bad_arguments(capsys, argv, message):
    code, out, err = run(["dedup", "eval", *argv], capsys)
    assert code == 2
    assert message in err


def test_eval_bad_input_contents(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a"}\nnot json\n', encoding="utf-8")
    code, _, err = run(["dedup", "eval", "--input", str(bad)], capsys)
    assert code == 2 and "bad.jsonl:2: not a JSON line" in err
    short = tmp_path / "short.txt"
    short.write_text("短\n也短\n", encoding="utf-8")
    code, _, err = run(["dedup", "eval", "--input", str(short)], capsys)
    assert code == 2 and "none of the 2 documents" in err and "--min-chars" in err


# --------------------------------------------------------------------------- entry point


def _python_m(*argv):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "corpus_engine.cli", *argv], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_entry_point_exit_codes():
    ok = _python_m("dedup", "curve")
    assert ok.returncode == 0, ok.stderr
    assert "| 1.00 | 1.0000 |" in ok.stdout
    bad = _python_m("dedup", "curve", "--rows", "0")
    assert bad.returncode == 2 and "must be a positive integer" in bad.stderr


def test_kernels_demo_still_works(capsys):
    code, out, err = run(["kernels-demo", "--docs", "30"], capsys)
    assert code == 0, err
    assert "30 generated web pages" in out
