"""Run the benchmarks: `python -m bench [--part NAME ...] [--rebuild] [--duration S]` (default: every part).

A part is a module with `run() -> list[dict]`; register it in PARTS. A part that takes the
keyword `rebuild` or `duration` gets the option's value.
"""

from __future__ import annotations

import argparse
import importlib
import inspect

from bench.common import print_table, write_results

PARTS: dict[str, str] = {
    "matching": "bench.matching",
    "plans": "bench.plans",
    "reports": "bench.reports",
    "risk": "bench.risk",
    "roster": "bench.roster",
    "startup": "bench.startup",
    "web": "bench.web",
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--part", action="append", choices=sorted(PARTS), help="run only this part (repeatable)")
    parser.add_argument("--rebuild", action="store_true", help="load kept benchmark databases anew")
    parser.add_argument("--duration", type=float, help="seconds of load per page (web)")
    args = parser.parse_args()
    for part in args.part or list(PARTS):
        print(f"== {part}")
        run = importlib.import_module(PARTS[part]).run
        options = {name: value for name, value in (("rebuild", args.rebuild), ("duration", args.duration))
                   if value is not None and name in inspect.signature(run).parameters}
        rows = run(**options)
        print_table(rows)
        write_results(part, rows)


if __name__ == "__main__":
    main()
