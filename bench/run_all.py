"""Run every benchmark in turn (`make bench`); results accumulate in bench/results/latest.json."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ["registry_import.py"],
    ["registry_import.py", "--pg"],
    ["event_throughput.py"],
    ["event_throughput.py", "--pg"],
    ["event_latency.py", "--rate", "100"],
    ["event_latency.py", "--rate", "200"],
    ["gateway_vs_direct.py"],
    ["land_search.py"],
    ["land_search.py", "--pg"],
    ["spend_pipeline.py"],
    ["spend_pipeline.py", "--pg"],
    ["matching.py"],
]


def main() -> None:
    failed = []
    for args in BENCHMARKS:
        print(f"== {' '.join(args)}", flush=True)
        if subprocess.run([sys.executable, str(HERE / args[0]), *args[1:]], cwd=HERE.parent).returncode != 0:
            failed.append(" ".join(args))
    if failed:
        raise SystemExit(f"benchmarks that did not run: {failed}")


if __name__ == "__main__":
    main()
