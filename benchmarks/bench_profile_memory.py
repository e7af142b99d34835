"""Memory and time of a big personal profile: building it and its check ("your samples: x % with ..."),
at several sizes, in one run.

A profile measures every sample against every other (each one's nearest other digit, and the
leave-one-out check), so done whole, its memory grows with the square of the samples: 3.2 GB for
10,000 imported samples. Done a block of rows at a time it grows with the samples. The samples here are
random unit vectors in the profile space's 128 dimensions with random labels and probabilities: the
maths does not depend on what they look like, and no model is needed. Peak memory is what numpy
allocated (tracemalloc). The last line is JSON.

    python benchmarks/bench_profile_memory.py [--sizes 1000 5000 10000]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digitdesk.engine.personal import Guards, PersonalProfile  # noqa: E402

DIMS = 128


class _Space:
    scale = 0.05   # a typical same-digit distance (the bundled space's is of this order)


def measure(size: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(size, DIMS)).astype(np.float32)
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    labels = rng.integers(0, 10, size)
    probabilities = rng.dirichlet(np.ones(11), size).astype(np.float32)
    profile = object.__new__(PersonalProfile)   # the maths alone: no runner, no store
    profile.guards, profile.space = Guards(), _Space()
    tracemalloc.start()
    start = time.perf_counter()
    state = profile._build(np.arange(size), labels, z, probabilities)
    built = time.perf_counter()
    profile._leave_one_out(state, not_digit_threshold=0.6)
    checked = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"samples": size, "peak_mb": round(peak / 1e6, 1), "build_s": round(built - start, 3),
            "check_s": round(checked - built, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    args = parser.parse_args()
    rows = [measure(size) for size in args.sizes]
    for row in rows:
        print(f"{row['samples']:7,d} samples: peak {row['peak_mb']:7.1f} MB, built in {row['build_s']:.2f} s, "
              f"checked in {row['check_s']:.2f} s")
    growth = rows[-1]["peak_mb"] / rows[0]["peak_mb"] if len(rows) > 1 else 1.0
    print(json.dumps({"benchmark": "profile_memory", "rows": rows,
                      "peak_ratio_largest_to_smallest": round(growth, 2),
                      "size_ratio": round(rows[-1]["samples"] / rows[0]["samples"], 2)}))


if __name__ == "__main__":
    main()
