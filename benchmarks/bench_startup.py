"""Startup time of the desktop app, from a fresh process: launch -> window shown -> model ready.

Each run starts `python -m digitdesk` with DIGITDESK_STARTUP_PROBE=1, which makes the
app print timestamped markers to stderr and quit once the model is ready; times are
measured from just before the process is spawned. Uses the offscreen Qt platform
unless a display is available (DISPLAY set). Targets: window <= 1.5 s, model <= 4 s.
The last line is one JSON object.

    python benchmarks/bench_startup.py [--runs 5]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

WINDOW_TARGET_S = 1.5
MODEL_TARGET_S = 4.0


def one_launch(config_home: str, timeout: float = 120.0) -> dict[str, float]:
    env = dict(os.environ, DIGITDESK_STARTUP_PROBE="1", TF_CPP_MIN_LOG_LEVEL="2",   # never touch the user's
               XDG_CONFIG_HOME=config_home,                                        # settings or samples
               DIGITDESK_DATA_DIR=os.path.join(config_home, "data"))
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    started = time.time()
    done = subprocess.run([sys.executable, "-m", "digitdesk"], env=env, capture_output=True, text=True,
                          timeout=timeout)
    finished = time.time()
    markers = {}
    for line in done.stderr.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("window-shown", "model-ready", "model-failed"):
            markers[parts[0]] = float(parts[1]) - started
    if "model-failed" in markers or "model-ready" not in markers or "window-shown" not in markers:
        raise RuntimeError(f"the app did not start properly (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return {"window_s": markers["window-shown"], "model_s": markers["model-ready"],
            "exit_s": finished - started, "returncode": done.returncode}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="digitdesk-bench-") as config_home:
        one_launch(config_home)   # warm the OS file cache: first launches after boot measure the disk
        runs = []
        for i in range(args.runs):
            run = one_launch(config_home)
            runs.append(run)
            print(f"run {i + 1}: window {run['window_s']:.2f} s, model ready {run['model_s']:.2f} s, "
                  f"exited {run['exit_s']:.2f} s")
    window = statistics.median(r["window_s"] for r in runs)
    model = statistics.median(r["model_s"] for r in runs)
    print(f"median: window shown {window:.2f} s (target <= {WINDOW_TARGET_S} s), "
          f"model ready {model:.2f} s (target <= {MODEL_TARGET_S} s)")
    print(json.dumps({
        "benchmark": "startup", "runs": len(runs),
        "platform": "offscreen" if not os.environ.get("DISPLAY") else "display",
        "window_shown_median_s": round(window, 3), "model_ready_median_s": round(model, 3),
        "window_shown_max_s": round(max(r["window_s"] for r in runs), 3),
        "model_ready_max_s": round(max(r["model_s"] for r in runs), 3),
        "window_target_ratio": round(window / WINDOW_TARGET_S, 3),
        "model_target_ratio": round(model / MODEL_TARGET_S, 3),
        "clean_exits": sum(r["returncode"] == 0 for r in runs),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
