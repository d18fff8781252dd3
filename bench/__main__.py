"""``python -m bench [--only NAME] [--quick]``: run benchmarks, print a table, write JSON.

Each module ``bench/bench_<name>.py`` exposes ``run(quick: bool) -> list[dict]``; the rows
go to ``bench/results/latest.json``. Needs ``DATABASE_URL`` (``make bench`` provides it).
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

import bench

RESULTS = Path(__file__).parent / "results" / "latest.json"


def _modules() -> list[str]:
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(bench.__path__)
        if m.name.startswith("bench_")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", help=f"one benchmark of: {', '.join(_modules())}")
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute each)")
    args = parser.parse_args(argv)
    names = _modules()
    if args.only:
        if args.only not in names:
            parser.error(f"unknown benchmark {args.only!r}; choose from {', '.join(names)}")
        names = [args.only]
    console = Console(width=max(Console().width, 150))
    rows: list[dict[str, Any]] = []
    for name in names:
        console.print(f"[bold]benchmark {name}[/bold]{' (quick)' if args.quick else ''} …")
        module = importlib.import_module(f"bench.bench_{name}")
        rows += module.run(quick=args.quick)
    table = Table(title="Yanshen benchmarks (ratios against baselines measured in the same run)")
    for column in ("name", "value", "unit", "baseline", "baseline value", "ratio", "params"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["name"],
            f"{r['value']:,}",
            r["unit"],
            r["baseline"],
            f"{r['baseline_value']:,}",
            f"{r['ratio']:.2f}",
            json.dumps(r["params"]),
        )
    console.print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(rows, ensure_ascii=False, indent=2))
    console.print(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
