"""report.html: the funnel of a run, its histograms, and samples of removed text per reason.

One self-contained file (inline SVG charts, no scripts, no network), readable
offline next to stats.json.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Dict, List

SAMPLES_PER_REASON = 3
SAMPLE_CHARS = 300


def _bars(title: str, data: Dict[str, float], width: int = 560, unit: str = "") -> str:
    if not data:
        return ""
    items = list(data.items())
    peak = max((v for _, v in items), default=0) or 1
    row_h, label_w = 22, 150
    h = row_h * len(items) + 10
    parts = [f'<h3>{html.escape(title)}</h3><svg width="{width}" height="{h}" role="img" aria-label="{html.escape(title)}">']
    for i, (k, v) in enumerate(items):
        y = 5 + i * row_h
        w = int((width - label_w - 90) * (v / peak))
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{html.escape(str(k))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1)}" height="{row_h - 6}" fill="#4a7bd0"/>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 15}">{v:,.0f}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _ordered_clusters(h: Dict[str, int]) -> Dict[str, int]:
    return dict(sorted(h.items(), key=lambda kv: int(kv[0].split("-")[0].rstrip("+"))))


def _samples(out: Path, limit: int = SAMPLES_PER_REASON) -> Dict[str, List[Dict[str, Any]]]:
    from ..io.rows import read_rows

    found: Dict[str, List[Dict[str, Any]]] = {}
    files = sorted((out / "shards").glob("*/removed.jsonl.zst")) + sorted((out / "final").glob("*.removed.jsonl.zst"))
    for f in files:
        for row in read_rows(f):
            lst = found.setdefault(row.get("reason", "?"), [])
            if len(lst) < limit:
                lst.append(row)
        if found and all(len(v) >= limit for v in found.values()) and len(found) > 12:
            break
    return found


def write_report(out: Path, stats: Dict[str, Any]) -> Path:
    out = Path(out)
    stages = stats["stages"]
    funnel = [("read", stats["documents"])] + [(s["stage"], s["docs_out"]) for s in stages]
    if stats.get("removed_global"):
        funnel.append(("global dedup", stats["kept"]))
    chars = [(s["stage"], s["chars_out"]) for s in stages]
    rows = "".join(
        f"<tr><td>{html.escape(s['stage'])}</td><td>{s['docs_in']:,}</td><td>{s['docs_out']:,}</td>"
        f"<td>{s['removed']:,}</td><td>{s['chars_in']:,}</td><td>{s['chars_out']:,}</td><td>{s['seconds']:.2f}</td>"
        f"<td>{html.escape(', '.join(f'{k}: {v:,}' for k, v in sorted(s['reasons'].items())))}</td></tr>"
        for s in stages
    )
    extra = {s["stage"]: s.get("extra", {}) for s in stages}
    charts = [
        _bars("Documents after each step", dict(funnel)),
        _bars("Characters after each stage", dict(chars)),
        _bars("Chinese ratio of the documents read (zh_extract)", extra.get("zh_extract", {}).get("zh_ratio_hist", {})),
        _bars("Probability of Chinese (lang_gate, fastText)", extra.get("lang_gate", {}).get("zh_prob_hist", {})),
        _bars("Document length in characters (length stage)", extra.get("length", {}).get("length_hist", {})),
        _bars("Censor hits by category", extra.get("censor", {}).get("hits_by_category", {})),
        _bars("Boilerplate lines removed, by phrase group (noise_lines)",
              extra.get("noise_lines", {}).get("lines_by_group", {})),
        _bars("Personal information found, by kind (pii)", extra.get("pii", {}).get("pii_by_kind", {})),
        _bars("Removed by the repetition rules", next((s["reasons"] for s in stages if s["stage"] == "repetition"), {})),
        _bars("Dedup cluster sizes within shards (documents per cluster: number of clusters)",
              _ordered_clusters(extra.get("dedup", {}).get("cluster_sizes", {}))),
        _bars("Perplexity", extra.get("quality", {}).get("perplexity_hist", {})) or
        "<h3>Perplexity</h3><p>No perplexity yet: the quality stage is an empty hook in this recipe.</p>",
        _bars("Removed as duplicates", {**next((s["reasons"] for s in stages if s["stage"] == "dedup"), {}),
                                        **stats.get("removed_global", {})}),
        _bars("Quarantined records by reason", stats.get("quarantine_reasons", {})),
        _bars("Records skipped as not documents (warcinfo, requests, non-HTML, HTTP errors...)",
              stats.get("skipped_reasons", {})),
    ]
    samples = _samples(out)
    sample_html = []
    for reason, lst in sorted(samples.items()):
        items = "".join(
            f"<li><code>{html.escape(str(r.get('id')))}</code> {html.escape(str(r.get('url') or ''))}"
            f"<pre>{html.escape((r.get('text') or '')[:SAMPLE_CHARS])}</pre></li>"
            for r in lst
        )
        sample_html.append(f"<h3>{html.escape(reason)}</h3><ul>{items}</ul>")
    body = f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>corpus-engine report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}td:first-child,td:last-child{{text-align:left}}
svg text{{font-size:12px}}pre{{white-space:pre-wrap;background:#f6f6f6;padding:6px}}</style></head><body>
<h1>corpus-engine run</h1>
<p>{stats['shards']} shards, {stats['records']:,} records read: {stats['documents']:,} documents,
{stats['quarantined']:,} quarantined. Kept {stats['kept']:,}, removed {stats['removed']:,}
(counts add up: {'yes' if stats.get('counts_add_up') else 'NO'}). {stats['bytes_in'] / 1e6:,.1f} MB of text in
{stats['seconds_shards'] + stats['seconds_global']:.1f} s ({stats['mb_per_second']:.1f} MB/s),
{stats['workers']} worker(s) × {stats['threads']} thread(s); {html.escape(_time_parts(stats))}.</p>
<h2>Funnel</h2><table><tr><th>stage</th><th>docs in</th><th>docs out</th><th>removed</th><th>chars in</th>
<th>chars out</th><th>seconds</th><th>reasons</th></tr>{rows}</table>
<h2>Charts</h2>{''.join(charts)}
<h2>Samples of removed text, per reason</h2>{''.join(sample_html) or '<p>none</p>'}
<p>Full numbers: <code>stats.json</code>; every removed document with its reason: <code>shards/*/removed.jsonl.zst</code>
and <code>final/*.removed.jsonl.zst</code>; unreadable records: <code>shards/*/quarantine.jsonl</code>.</p>
</body></html>"""
    path = out / "report.html"
    tmp = path.with_suffix(".html.part")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(path)
    return path


def print_stats(stats: Dict[str, Any]) -> str:
    """The funnel as text (corpus-engine stats DIR)."""
    lines = [
        f"{stats['shards']} shards, {stats['records']:,} records: {stats['documents']:,} documents, "
        f"{stats['quarantined']:,} quarantined"
        + (f" (and {stats['skipped']:,} records that are not documents: "
           + ", ".join(f"{k} {v:,}" for k, v in stats.get("skipped_reasons", {}).items()) + ")"
           if stats.get("skipped") else ""),
        f"{'stage':12s} {'docs in':>12s} {'docs out':>12s} {'removed':>10s} {'chars out':>14s}  reasons",
    ]
    for s in stats["stages"]:
        reasons = ", ".join(f"{k} {v:,}" for k, v in sorted(s["reasons"].items(), key=lambda kv: -kv[1]))
        lines.append(f"{s['stage']:12s} {s['docs_in']:>12,} {s['docs_out']:>12,} {s['removed']:>10,} "
                     f"{s['chars_out']:>14,}  {reasons}")
    if stats.get("removed_global"):
        rg = stats["removed_global"]
        lines.append(f"{'global dedup':12s} {stats['kept_local']:>12,} {stats['kept']:>12,} "
                     f"{sum(rg.values()):>10,} {'':>14s}  " + ", ".join(f"{k} {v:,}" for k, v in rg.items()))
    lines.append(f"kept {stats['kept']:,}, removed {stats['removed']:,}, quarantined {stats['quarantined']:,}; "
                 f"counts add up: {stats.get('counts_add_up')}")
    if "seconds_shards" in stats:
        lines.append(f"time: {stats['seconds_shards'] + stats['seconds_global']:.1f} s ({stats['mb_per_second']:.1f} MB/s); "
                     + _time_parts(stats))
    return "\n".join(lines)


def _time_parts(stats: Dict[str, Any]) -> str:
    """Where the workers' CPU time went, as one line."""
    parts = stats.get("shard_seconds_by_part") or {}
    names = {"read": "reading", "stages": "stages", "rows_and_files": "rows and files", "global_add": "global dedup store"}
    return "shard work " + ", ".join(f"{names.get(k, k)} {v:.2f} s" for k, v in parts.items()) + \
        f"; global dedup and last pass {stats['seconds_global']:.2f} s"
