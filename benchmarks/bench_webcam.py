"""Webcam pipeline throughput: frames per second read end to end at 640x480, and how many are right.

Writes a clip of a handwritten number on unevenly lit, noisy paper that drifts
and jitters like a hand-held sheet (MNIST digits when the IDX files are found,
else pen-like font renders), then runs the Webcam tab's own CaptureWorker loop over it
as fast as it goes (video decode, colour conversion, segmentation, one batched
model call per frame). No window is needed: frames are acknowledged as soon as
they arrive, as an infinitely fast display would.

    python benchmarks/bench_webcam.py [--frames 300] [--text 305482] [--guide]

Prints a summary, then one JSON line last.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))    # the clip generator is shared with the tests

from digitdesk.gui.capture import CaptureWorker  # noqa: E402
from tests.gui.media import DigitVideo, GlyphSource  # noqa: E402

TARGET_FPS = 15.0


def mnist_folder() -> Path | None:
    env = os.environ.get("DIGITDESK_MNIST_DIR")
    folder = Path(env) if env else ROOT.parent / "shared" / "data" / "mnist"
    return folder if any(folder.glob("t10k-images-idx3-ubyte*")) else None


class TimedRunner:
    """Delegates to the real runner and adds up the time spent in the model."""

    def __init__(self, runner):
        self._runner = runner
        self.seconds = 0.0
        self.calls = 0
        self.digits = 0

    def classify(self, batch):
        start = time.perf_counter()
        try:
            return self._runner.classify(batch)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1
            self.digits += len(batch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--text", default="305482", help="the number on the sheet (up to 6 digits)")
    parser.add_argument("--guide", action="store_true", help="read only inside the guide rectangle")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from digitdesk.engine.recognizer import Recognizer
    from digitdesk.engine.runner import shared_runner

    mnist = mnist_folder()
    glyphs = GlyphSource(mnist)
    runner = TimedRunner(shared_runner())
    recognizer = Recognizer(runner)
    with tempfile.TemporaryDirectory() as tmp:
        clip = DigitVideo(glyphs, args.text, size=(640, 480), seed=args.seed)
        path = clip.write(Path(tmp) / "desk.avi", frames=args.frames)
        recognizer.recognize(clip.frame(0)[..., ::-1].copy())   # warm-up outside the timing
        runner.seconds, runner.calls, runner.digits = 0.0, 0, 0

        worker = CaptureWorker(str(path), recognizer, use_guide=args.guide, paced=False, loop_video=False)
        readings, stamps = [], []

        def shown(reading):
            stamps.append(time.perf_counter())
            readings.append(reading)
            worker.frame_shown()

        failures = []
        worker.frame.connect(shown)
        worker.failed.connect(failures.append)
        start = time.perf_counter()
        worker.run()                       # the tab's capture loop, in this thread
        elapsed = time.perf_counter() - start
    if failures or not readings:
        print("capture failed:", failures, file=sys.stderr)
        return 1

    frames = len(readings)
    fps = frames / elapsed
    correct = sum(r.recognition.text == args.text for r in readings) / frames
    per_frame = [1000 * (b - a) for a, b in zip(stamps, stamps[1:])]
    model_ms = 1000 * runner.seconds / frames
    frame_ms = 1000 * elapsed / frames
    result = {
        "benchmark": "webcam",
        "frame_size": "640x480",
        "digits_in_view": len(args.text),
        "glyphs": "mnist" if glyphs.handwritten else "rendered",
        "guide": args.guide,
        "frames": frames,
        "fps": round(fps, 1),
        "target_fps": TARGET_FPS,
        "fps_vs_target": round(fps / TARGET_FPS, 2),
        "share_all_digits_correct": round(correct, 3),
        "ms_per_frame_median": round(statistics.median(per_frame), 1) if per_frame else None,
        "ms_per_frame_p95": round(sorted(per_frame)[int(0.95 * (len(per_frame) - 1))], 1) if per_frame else None,
        "model_ms_per_frame": round(model_ms, 1),
        "other_ms_per_frame": round(frame_ms - model_ms, 1),   # video decode + prepare + segment
        "model_calls_per_frame": round(runner.calls / frames, 2),
        "cpu_count": os.cpu_count(),
    }
    print(f"{frames} frames of {result['frame_size']} with {len(args.text)} digits "
          f"({result['glyphs']} glyphs{', guide on' if args.guide else ''})")
    print(f"  {fps:.1f} fps end to end (target {TARGET_FPS:.0f}); {frame_ms:.1f} ms/frame: "
          f"model {model_ms:.1f} ms, decode+prepare+segment {frame_ms - model_ms:.1f} ms")
    print(f"  all digits read correctly in {correct:.1%} of frames")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
