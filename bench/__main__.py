"""Run the benchmarks: `python -m bench [--part NAME ...]` (default: every part).

A part is a module with `run() -> list[dict]`; register it in PARTS.
"""

from __future__ import annotations

import argparse
import importlib

from bench.common import print_table, write_results

PARTS: dict[str, str] = {
    "matching": "bench.matching",
    "reports": "bench.reports",
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--part", action="append", choices=sorted(PARTS), help="run only this part (repeatable)")
    for part in parser.parse_args().part or list(PARTS):
        print(f"== {part}")
        rows = importlib.import_module(PARTS[part]).run()
        print_table(rows)
        write_results(part, rows)


if __name__ == "__main__":
    main()
