"""``scripts/bench``: how fast and how lean a render is, against the physical floor and against
the naive way. Every row is a separate process, timed from the outside (start-up included:
that is what a user waits for).

Usage: python -m benchmarks.bench [ROUTINE] [--skip-naive] [--repeat N]

Each timed row is the best of N runs (default 2): this machine's timings wander by a second or
two from run to run, and the best run is the one least disturbed by everything else.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cuecast.audio import ffmpeg
from cuecast.engines.piper import default_voice
from cuecast.engines.vits import default_cache_root, load_model
from cuecast.script.options import DEFAULT_BITRATE
from cuecast.script.timeline import clock

ROOT = Path(__file__).resolve().parent.parent

@dataclass
class Row:
    name: str
    wall_s: float
    session_ms: int
    rss_mb: float
    note: str = ""

    @property
    def rtf(self) -> float:
        return self.session_ms / 1000 / self.wall_s if self.wall_s else 0.0


def run(args: list[str], work: Path, prefix: tuple[str, ...] = ()) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of one child process (``prefix``: e.g. taskset)."""
    report = work / "report.json"
    env = {**os.environ, "BENCH_REPORT": str(report)}
    started = time.perf_counter()
    proc = subprocess.run([*prefix, sys.executable, "-m", "benchmarks.child", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(args[:3])} failed:\n{proc.stderr}")
    return wall, json.loads(report.read_text())["rss_mb"], proc.stdout.strip()


def duration_ms(mp3: Path) -> int:
    cues = json.loads(mp3.with_name(mp3.stem + ".cues.json").read_text(encoding="utf-8"))
    return int(cues["duration_ms"])


def encode_floor(mp3: Path, work: Path, tries: int = 3) -> float:
    """Best of ``tries``: ffmpeg encoding the session's PCM with render's exact settings."""
    pcm = ffmpeg.decode_file(mp3)
    best = float("inf")
    for _ in range(tries):
        started = time.perf_counter()
        ffmpeg.encode_mp3(pcm, work / "floor.mp3", bitrate_kbps=DEFAULT_BITRATE)
        best = min(best, time.perf_counter() - started)
    return best


def _repeat() -> int:
    if "--repeat" in sys.argv:
        return max(1, int(sys.argv[sys.argv.index("--repeat") + 1]))
    return 2


def main() -> None:
    repeat = _repeat()
    args = [a for a in sys.argv[1:] if not a.startswith("--") and not a.isdigit()]
    routine = Path(args[0]) if args else ROOT / "routines" / "upper-back-pain.yaml"
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="cuecast-bench-") as tmp:
        work = Path(tmp)
        cache = work / "cache"
        common = ["--cache-dir", str(cache)]

        def render(name: str, out: str, *extra: str, cold: bool = False,
                   prefix: tuple[str, ...] = ()) -> Row:
            mp3 = work / out
            best: Row | None = None
            for _ in range(repeat):
                if cold:
                    shutil.rmtree(cache, ignore_errors=True)
                wall, rss, said = run(["render", str(routine), "-o", str(mp3), *common,
                                       *extra], work, prefix)
                synth = said.split("clips: ")[1].split(",")[0] if "clips: " in said else "?"
                row = Row(name, wall, duration_ms(mp3), rss, synth)
                if best is None or row.wall_s < best.wall_s:
                    best = Row(name, wall, row.session_ms, max(rss, best.rss_mb if best else 0),
                               synth)
            assert best is not None
            rows.append(best)
            return best

        # the voice's halves exist before any row: cutting it is once per voice, not a render
        load_model(voice=default_voice(), cache_root=default_cache_root(), threads=1)
        cores = sorted(os.sched_getaffinity(0))
        one_core = render("cold render on 1 core (taskset)", "cold1.mp3", cold=True,
                          prefix=("taskset", "-c", str(cores[0])))
        cold = render(f"cold render (empty cache, {len(cores)} cores)", "cold.mp3", cold=True)
        piper = render(f"cold, --engine piper ({len(cores)} cores)", "piper.mp3",
                       "--engine", "piper", cold=True)
        warm = render("warm re-render, one hold changed", "warm.mp3", "--hold", "cat-cow=90")
        served = serve_warm(routine, cache, work, repeat)
        rows.append(Row("serve: warm re-render until playable", served, warm.session_ms, 0.0,
                        "POST to player and first range"))
        floor = encode_floor(work / "warm.mp3", work, tries=max(3, repeat))
        rows.append(Row(f"encode floor (ffmpeg, same PCM, LAME -q {ffmpeg.LAME_QUALITY})", floor,
                        warm.session_ms, 0.0))
        run(["render", str(routine), "-o", str(work / "x4.mp3"), *common, "--scale", "4"], work)
        x4 = render("warm, all holds x4", "x4.mp3", "--scale", "4")
        naive = reference = None
        if "--skip-naive" not in sys.argv:

            def baseline(name: str, threads: int) -> Row:
                walls, peaks = [], []
                for _ in range(repeat):
                    wall, rss, _ = run(["--naive", str(work / "piper.cues.json"),
                                        str(work / "naive.mp3"), str(threads)], work)
                    walls.append(wall)
                    peaks.append(rss)
                rows.append(Row(name, min(walls), piper.session_ms, max(peaks)))
                return rows[-1]

            naive = baseline("naive baseline, one thread", 1)
            reference = baseline("naive, onnxruntime's default threads", 0)
    print_table(rows, cold, piper, warm, floor, x4, naive, reference, one_core, len(cores),
                served)


def serve_warm(routine: Path, cache: Path, work: Path, repeat: int) -> float:
    """Best of ``repeat``: from the phone's Render tap (one hold changed, every clip cached) to
    the player page and the first bytes of the MP3, through a real ``cuecast serve``."""
    from http.cookiejar import CookieJar
    from urllib.request import HTTPCookieProcessor, Request, build_opener

    env = {**os.environ, "XDG_CONFIG_HOME": str(work / "config")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cuecast", "serve", "--host", "127.0.0.1", "--port", "0",
         "--routines", str(routine.parent), "--output", str(work / "served"),
         "--cache-dir", str(cache)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        found = next(m for line in proc.stdout
                     if (m := re.search(r"(http://127\.0\.0\.1:\d+)/\?token=([\w-]+)", line)))
        base = found.group(1)
        browser = build_opener(HTTPCookieProcessor(CookieJar()))  # keeps the key's cookie
        browser.open(found.group(0)).read()

        def get(path: str, **headers: str) -> bytes:
            with browser.open(Request(f"{base}{path}", headers=headers)) as r:
                return bytes(r.read())

        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            post = Request(f"{base}/routine/{routine.stem}/render", data=b"ex0=90",
                           headers={"Origin": base}, method="POST")
            with browser.open(post) as r:  # follows the redirect to the job's page
                job = r.url.split("?")[0].rsplit("/", 1)[-1]
            while (state := json.loads(get(f"/api/jobs/{job}")))["state"] != "done":
                if state["state"] == "failed":
                    sys.exit(f"bench: serve render failed: {state['error']}")
                time.sleep(0.02)
            get(state["player"])
            stem = state["player"].rsplit("/", 1)[-1]
            get(f"/files/{stem}.mp3", Range="bytes=0-65535")
            best = min(best, time.perf_counter() - started)
        return best
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)


def print_table(rows: list[Row], cold: Row, piper: Row, warm: Row, floor: float, x4: Row,
                naive: Row | None, reference: Row | None, one_core: Row, cores: int,
                served: float) -> None:
    print(f"cuecast bench on {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; best of {_repeat()} runs per row, peak RSS "
          "the highest seen")
    print(f"{'':38} {'wall s':>7} {'session':>9} {'x realtime':>10} {'peak RSS':>9}  clips")
    for r in rows:
        rss = f"{r.rss_mb:.0f} MB" if r.rss_mb else "-"
        print(f"{r.name:38} {r.wall_s:7.2f} {clock(r.session_ms):>9} {r.rtf:10.0f} "
              f"{rss:>9}  {r.note}")
    print()
    checks = [("default voice cold / piper cold", cold.wall_s / piper.wall_s, "<=", 0.45)]
    if naive:
        checks.append(("naive (Piper) / cold --engine piper", naive.wall_s / piper.wall_s,
                       ">=", 2.0))
    checks.append(("warm / encode floor", warm.wall_s / floor, "<=", 1.5))
    if cores > 1:
        checks.append((f"scaling efficiency, 1 -> {cores} cores (t1 / (n * tn))",
                       one_core.wall_s / (cores * cold.wall_s), ">=", 0.85))
    checks.append(("serve warm until playable - CLI warm, s", served - warm.wall_s, "<=", 0.5))
    checks.append(("peak RSS, MB (cold, warm, x4)", max(cold.rss_mb, warm.rss_mb, x4.rss_mb),
                   "<=", 350))
    checks.append(("peak RSS growth per added worker, MB", (cold.rss_mb - one_core.rss_mb)
                   / max(1, cores - 1), "<=", 60))
    length_ratio = x4.session_ms / warm.session_ms
    checks.append((f"x4 time / warm time (session ratio {length_ratio:.2f})",
                   x4.wall_s / warm.wall_s, "<=", length_ratio))
    for name, value, op, target in checks:
        ok = value >= target if op == ">=" else value <= target
        print(f"{name:52} {value:7.2f}  target {op} {target:g}  {'ok' if ok else 'MISSED'}")
    if reference:
        print(f"{'(for reference) naive with default threads / piper cold':52} "
              f"{reference.wall_s / piper.wall_s:7.2f}")


if __name__ == "__main__":
    main()
