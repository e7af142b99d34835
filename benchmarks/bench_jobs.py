"""`digitdesk predict --jobs N` on a folder of scans: wall time and CPU time for 1 and 2 jobs, on 1 and 2 cores.

Writes N scans of 1200x900 (paper with uneven lighting and noise, a 2-4 digit number in MNIST
handwriting when the IDX files are found, else pen-like renders; JPEG like most scanners) into a
temporary folder, then times the real command line end to end (process start, model load, every
file read, JSON printed) for each setting, alternating settings over `--repeats` rounds. The
outputs of every run must be identical, line for line, to --jobs 1's. Each setting's CPU time is
that of the command and all its processes (workers and fork server included).

    python benchmarks/bench_jobs.py [--scans 600] [--unique 60] [--repeats 3]

Prints a summary, then one JSON line last. Other work on the machine slows the runs unevenly:
the 1-minute load average is recorded before and after.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))    # the handwriting generator is shared with the tests

from tests.gui.media import GlyphSource, finish, ink_onto, paper, save  # noqa: E402

WIDTH, HEIGHT = 1200, 900
TARGET = 1.6   # --jobs 2 at least this many times faster than --jobs 1 on 2 cores


def mnist_folder() -> Path | None:
    env = os.environ.get("DIGITDESK_MNIST_DIR")
    folder = Path(env) if env else ROOT.parent / "shared" / "data" / "mnist"
    return folder if any(folder.glob("t10k-images-idx3-ubyte*")) else None


def scan(glyphs: GlyphSource, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """A 1200x900 page with one number of 2-4 digits somewhere on it."""
    text = "".join(str(d) for d in rng.integers(0, 10, rng.integers(2, 5)))
    size = int(rng.integers(90, 200))
    step = int(size * 0.8)
    page = np.array(paper(HEIGHT, WIDTH, rng))
    x = int(rng.integers(20, WIDTH - step * len(text) - size))
    y = int(rng.integers(20, HEIGHT - size - 20))
    for i, ch in enumerate(text):
        ink_onto(page, glyphs.glyph(int(ch)), x + i * step, y, size)
    return finish(page, rng), text


def write_scans(folder: Path, count: int, unique: int, seed: int = 0) -> None:
    """`unique` different scans, each hard-linked (or copied) until there are `count` files."""
    glyphs = GlyphSource(mnist_folder())
    rng = np.random.default_rng(seed)
    originals = []
    for i in range(unique):
        image, _ = scan(glyphs, rng)
        originals.append(save(folder / f"scan-{i:05d}.jpg", image, quality=90))
    for i in range(unique, count):
        target = folder / f"scan-{i:05d}.jpg"
        source = originals[i % unique]
        try:
            os.link(source, target)
        except OSError:
            target.write_bytes(source.read_bytes())


def adopt_orphans() -> None:
    """Become the 'subreaper' of everything started from here (Linux), so CPU time counts all of it.

    The workers are children of the fork server, which outlives the command by a moment and is
    then re-parented: without this, neither would be waited for here, nor their CPU time counted.
    """
    import ctypes
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_all() -> None:
    """Wait for every process left over from a run (the fork server exits once the command has)."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def run_predict(folder: Path, jobs: int, cores: list[int] | None) -> tuple[float, float, str]:
    """(wall seconds of the command, CPU seconds of it and all its processes, its output) for one run."""
    command = [sys.executable, "-m", "digitdesk", "predict", "--json", "--jobs", str(jobs), str(folder)]
    preexec = (lambda: os.sched_setaffinity(0, cores)) if cores else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, preexec_fn=preexec, cwd=ROOT)
    wall = time.perf_counter() - started
    reap_all()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"--jobs {jobs} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=600)
    parser.add_argument("--unique", type=int, default=60, help="different scans among them")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    adopt_orphans()
    cores = sorted(os.sched_getaffinity(0))
    settings = [("1 core", cores[:1], 1), ("1 core", cores[:1], 2)]
    if len(cores) >= 2:
        settings += [("2 cores", cores[:2], 1), ("2 cores", cores[:2], 2)]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="digitdesk-bench-jobs-") as tmp:
        folder = Path(tmp)
        write_scans(folder, args.scans, min(args.unique, args.scans))
        run_predict(folder, 1, cores[:1])   # warm the disk cache and imports
        runs: dict[tuple[str, int], list[tuple[float, float]]] = {(c, j): [] for c, _, j in settings}
        reference = None
        for _ in range(args.repeats):
            for label, use, jobs in settings:
                wall, cpu, output = run_predict(folder, jobs, use)
                if reference is None:
                    reference = output
                if output != reference:
                    raise SystemExit(f"--jobs {jobs} on {label} printed different results from --jobs 1")
                runs[(label, jobs)].append((wall, cpu))
    load_after = os.getloadavg()[0]

    table = {}
    for (label, jobs), measured in runs.items():
        wall = statistics.median(w for w, _ in measured)
        cpu = statistics.median(c for _, c in measured)
        table[f"{label}, --jobs {jobs}"] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                                           "images_per_s": round(args.scans / wall, 1),
                                           "walls_s": [round(w, 3) for w, _ in measured]}
    speedups = {}
    for label in dict.fromkeys(c for c, _, _ in settings):
        one, two = table[f"{label}, --jobs 1"]["wall_s"], table[f"{label}, --jobs 2"]["wall_s"]
        speedups[label] = round(one / two, 2)
    print(f"{args.scans} scans of {WIDTH}x{HEIGHT} ({min(args.unique, args.scans)} different), "
          f"median of {args.repeats}; load {load_before:.2f} -> {load_after:.2f}")
    for name, row in table.items():
        print(f"  {name:<18} {row['wall_s']:7.2f} s wall  {row['cpu_s']:7.2f} s CPU"
              f"  {row['images_per_s']:6.1f} images/s")
    for label, ratio in speedups.items():
        print(f"  {label}: --jobs 2 is {ratio}x --jobs 1")
    two_cores = speedups.get("2 cores")
    print(json.dumps({
        "benchmark": "jobs", "scans": args.scans, "unique": min(args.unique, args.scans), "size": [WIDTH, HEIGHT],
        "repeats": args.repeats, "results": table, "speedup_jobs2_over_jobs1": speedups,
        "target": TARGET, "met": two_cores is not None and two_cores >= TARGET,
        "conditions": {"cpus": len(cores), "load_avg_1m_before": round(load_before, 2),
                       "load_avg_1m_after": round(load_after, 2), "python": sys.version.split()[0]},
    }))


if __name__ == "__main__":
    main()
