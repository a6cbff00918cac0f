"""Run one cuecast command and report its peak memory (RSS) to the file in $BENCH_REPORT.

Usage: python -m benchmarks.child cuecast-args...
   or: python -m benchmarks.child --naive CUES.json OUT.mp3 [ORT_THREADS]
"""

from __future__ import annotations

import json
import os
import resource
import sys


def main() -> None:
    args = sys.argv[1:]
    code = 0
    try:
        if args and args[0] == "--naive":
            from pathlib import Path

            from benchmarks.naive import main as naive

            naive(Path(args[1]), Path(args[2]), int(args[3]) if len(args) > 3 else 1)
        else:
            from cuecast.cli import app

            app(args, prog_name="cuecast")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(os.environ["BENCH_REPORT"], "w", encoding="utf-8") as f:
        json.dump({"rss_mb": usage.ru_maxrss / 1024, "code": code}, f)
    sys.exit(code)


if __name__ == "__main__":
    main()
