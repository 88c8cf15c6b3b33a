"""Runs the Python examples of Markdown files as doctests.

Usage: python docs/check_examples.py [FILE.md ...]   (default: README.md and docs/*.md)

The ``>>>`` examples in fenced blocks opened with ```python are doctests; the blocks of one
file share their names, in order. Exits non-zero when an example fails.
"""

from __future__ import annotations

import doctest
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE_OPEN = re.compile(r"^```python\s*$")
FENCE_CLOSE = re.compile(r"^```\s*$")


def examples(md: Path) -> str:
    """The file with every line outside the ```python blocks blanked (line numbers kept)."""
    out = []
    inside = False
    for line in md.read_text(encoding="utf-8").splitlines():
        if not inside and FENCE_OPEN.match(line):
            inside = True
            out.append("")
        elif inside and FENCE_CLOSE.match(line):
            inside = False
            out.append("")  # a blank line ends the block's last expected output
        else:
            out.append(line if inside else "")
    return "\n".join(out) + "\n"


def main(argv) -> int:
    files = [Path(a) for a in argv] or [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    failed = attempted = 0
    for md in files:
        src = examples(md)
        if not src.strip():
            continue
        test = doctest.DocTestParser().get_doctest(src, {"__name__": "__main__"}, md.name, str(md), 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        runner.run(test)
        res = runner.summarize(verbose=False)
        print(f"{md.name}: {res.attempted} examples, {res.failed} failed")
        failed += res.failed
        attempted += res.attempted
    if attempted == 0:
        print("no examples found")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
