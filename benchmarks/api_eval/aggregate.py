"""Per range and per language (held-out vs tuned) recall and precision from run.py outputs.

usage: aggregate.py LABEL OUT.json [OUT.json ...]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path


def _load(paths: list[str]) -> dict:
    out: dict = {}
    for path in paths:
        out.update(json.loads(Path(path).read_text()))
    return out


def _pct(hit: int, total: int) -> str:
    return f"{hit}/{total} ({100 * hit / total:.0f}%)" if total else f"{hit}/0 (n/a)"


def _counts(result: dict) -> list[int]:
    b, f = result["score"]["breaking"], result["score"]["feature"]
    return [b["recalled"], b["expected"], b["on_target"], b["bullets"],
            f["recalled"], f["expected"], f["on_target"], f["bullets"]]  # fmt: skip


def main() -> None:
    label, data = sys.argv[1], _load(sys.argv[2:])
    print(f"## {label}\n")
    print("range | lang | set | B recall | B precision | F recall | F precision")
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 8)
    for name, result in data.items():
        which = "tuned" if result["tuned"] else "held-out"
        c = _counts(result)
        for key in ((result["lang"], which), ("all", which)):
            totals[key] = [x + y for x, y in zip(totals[key], c, strict=True)]
        cells = [f"{c[i]}/{c[i + 1]}" for i in range(0, 8, 2)]
        print(f"{name} | {result['lang']} | {which} | " + " | ".join(cells))
    print("\nlanguage | set | B recall | B precision | F recall | F precision")
    for (lang, which), t in sorted(totals.items()):
        cells = [_pct(t[i], t[i + 1]) for i in range(0, 8, 2)]
        print(f"{lang} | {which} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
