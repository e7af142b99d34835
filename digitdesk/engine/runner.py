"""Run the digit model behind a tiny interface: LiteRT when available, else Keras.

The model answers logits for eleven classes (0-9, "not a digit") and its
penultimate features; the runner turns logits into calibrated probabilities
with the temperature stored beside the model (engine/calibration.py), so both
backends give calibrated, trustworthy numbers. The bundled Keras model is the
source of truth; models/digit_cnn.tflite is its LiteRT conversion with int8
weights (training/export_litert.py: the same decisions on the validation set,
probabilities within 1 %; a test checks the two agree). LiteRT answers one
image in ~0.11 ms with no per-call framework overhead and without importing
TensorFlow at all; the Keras runner (~1 ms
through a traced function, against ~40-50 ms for model.predict) is the
fallback where LiteRT cannot be imported (no wheel for Intel Macs) or the file is missing.
DIGITDESK_RUNNER=keras|litert forces one. TensorFlow is imported here only,
lazily: it costs seconds, and the app shows its window before paying that.
"""
from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from digitdesk.engine.calibration import Calibration
from digitdesk.paths import litert_model_path, model_path


@runtime_checkable
class ModelRunner(Protocol):
    def classify(self, batch: np.ndarray) -> np.ndarray:
        """(n, 28, 28) float32 in [0, 1], ink bright -> (n, 11) float32 probabilities
        (digits 0-9, then "not a digit"; a runner without that class may answer (n, 10))."""
        ...


def _as_batch(batch: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(batch, dtype=np.float32).reshape(-1, 28, 28, 1)


class _Calibrated:
    """What both backends share: logits -> calibrated probabilities, features kept for adaptation."""
    calibration: Calibration
    features_size: int

    def classify(self, batch: np.ndarray) -> np.ndarray:
        return self.infer(batch)[0]

    def infer(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities (n, classes), features (n, features_size)), both float32."""
        batch = _as_batch(batch)
        if len(batch) == 0:
            return (np.zeros((0, self.calibration.classes), np.float32),
                    np.zeros((0, self.features_size), np.float32))
        logits, features = self._forward(batch)
        return self.calibration.probabilities(logits), np.asarray(features, np.float32)

    def logits(self, batch: np.ndarray) -> np.ndarray:
        """(n, classes) raw logits, before the calibration (for evaluating the model file itself)."""
        batch = _as_batch(batch)
        if len(batch) == 0:
            return np.zeros((0, self.calibration.classes), np.float32)
        return np.asarray(self._forward(batch)[0], np.float32)

    def _forward(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


def _calibration_for(model_file: Path) -> Calibration:
    try:
        return Calibration.load(model_file.with_suffix(".json"))
    except ValueError as exc:
        raise ModelLoadError(str(exc)) from exc


class ModelLoadError(RuntimeError):
    """The model file is missing or unreadable; str(error) says which and why."""


class KerasRunner(_Calibrated):
    """The bundled Keras model behind traced functions; safe to call from several threads.

    Calls go to concrete functions directly, skipping tf.function's argument
    handling (~0.1 ms). Single images, the latency that users feel while
    drawing, take an XLA-compiled path (~0.8 ms instead of ~1 ms here: it fuses
    each convolution with its batch norm and activation); XLA compiles once
    per input shape, so batches of other sizes take the plain graph. XLA is
    skipped where it fails to compile, or with DIGITDESK_XLA=0.
    """
    name = "Keras"

    def __init__(self, path: str | os.PathLike | None = None, xla: bool | None = None):
        self.path = Path(path) if path is not None else model_path()
        if not self.path.is_file():
            raise ModelLoadError(f"model file not found: {self.path}")
        self._lock = threading.Lock()
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        with _startup_notices_hidden():
            import keras
            import tensorflow as tf
            try:
                self.model = keras.saving.load_model(self.path, compile=False)
            except Exception as exc:
                raise ModelLoadError(f"cannot load model {self.path.name}: {exc}") from exc
            self.calibration = _calibration_for(self.path)
            self.features_size = int(self.model.outputs[1].shape[-1])
            self._tensor = tf.constant
            self._batch = self._trace(tf, None, jit=False)
            self._single = self._batch
            self.xla = False
            if xla if xla is not None else os.environ.get("DIGITDESK_XLA", "1") != "0":
                try:
                    self._single = self._trace(tf, 1, jit=True)
                    self.xla = True
                except Exception:  # no XLA on this platform: the plain graph is nearly as fast
                    pass

    def _trace(self, tf, batch_size: int | None, jit: bool):
        signature = [tf.TensorSpec((batch_size, 28, 28, 1), tf.float32)]
        function = tf.function(lambda x: self.model(x, training=False), input_signature=signature,
                               jit_compile=jit, autograph=False)  # no Python control flow to convert
        forward = function.get_concrete_function()
        forward(tf.zeros((1, 28, 28, 1)))  # trace and compile now, not on the first drawing
        return forward

    def _forward(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        forward = self._single if len(batch) == 1 else self._batch
        with self._lock:
            logits, features = forward(self._tensor(batch))
            return np.asarray(logits), np.asarray(features)


# TensorFlow's C++ start-up notices (oneDNN, "no CUDA drivers") are written to
# fd 2 before TF_CPP_MIN_LOG_LEVEL applies; on a desktop without a GPU they are
# noise that looks like failure.
_NOTICE = re.compile(r"^(WARNING: All log messages before absl|[IW]\d{4} |E\d{4} .*(cuda|CUDA|cuInit)"
                     r"|INFO: Created TensorFlow Lite XNNPACK delegate)")


@contextlib.contextmanager
def _startup_notices_hidden():
    """Capture fd 2 while TensorFlow starts; pass on everything but its start-up notices."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real stderr (windowed bundle)
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().decode(errors="replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if not _NOTICE.match(line))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()


class LiteRTRunner(_Calibrated):
    """The LiteRT conversion of the bundled model; safe to call from several threads."""
    name = "LiteRT"

    def __init__(self, path: str | os.PathLike | None = None, threads: int | None = None):
        self.path = Path(path) if path is not None else litert_model_path()
        if not self.path.is_file():
            raise ModelLoadError(f"model file not found: {self.path}")
        from ai_edge_litert.interpreter import Interpreter
        self._lock = threading.Lock()
        try:
            with _startup_notices_hidden():
                self._interpreter = Interpreter(model_path=str(self.path),
                                                num_threads=threads or min(os.cpu_count() or 1, 4))
                self._interpreter.allocate_tensors()
        except Exception as exc:
            raise ModelLoadError(f"cannot load model {self.path.name}: {exc}") from exc
        self.calibration = _calibration_for(self.path)
        self._input = self._interpreter.get_input_details()[0]["index"]
        outputs = self._interpreter.get_output_details()
        logits = [o for o in outputs if o["shape"][-1] == self.calibration.classes]
        features = [o for o in outputs if o["shape"][-1] != self.calibration.classes]
        if len(outputs) != 2 or not logits or not features:
            raise ModelLoadError(f"{self.path.name} is not a DigitDesk model (it should answer "
                                 f"{self.calibration.classes} logits and its features)")
        self._logits, self._features = logits[0]["index"], features[0]["index"]
        self.features_size = int(features[0]["shape"][-1])
        self._size = 1

    def _forward(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # The batch runs at its own size: each image costs the same (~0.11 ms with int8 weights, no
        # batching gain on CPU), and most pictures hold few candidates, so re-planning for a new size
        # (~0.3 ms) when it changes costs less than padding every call to a fixed size.
        with self._lock:
            if len(batch) != self._size:
                self._interpreter.resize_tensor_input(self._input, batch.shape)
                self._interpreter.allocate_tensors()
                self._size = len(batch)
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            return (self._interpreter.get_tensor(self._logits).copy(),
                    self._interpreter.get_tensor(self._features).copy())


def infer_images(runner, images: np.ndarray, batch: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Many uint8 model inputs (n, 28, 28) in batches, so memory stays bounded: (probabilities, features)."""
    parts = [runner.infer(images[i:i + batch].astype(np.float32) / 255) for i in range(0, max(len(images), 1), batch)]
    return np.concatenate([p for p, _ in parts]), np.concatenate([f for _, f in parts])


def load_runner(kind: str | None = None) -> ModelRunner:
    """kind: "litert", "keras" or "auto" (default: $DIGITDESK_RUNNER, else auto = LiteRT if it loads)."""
    kind = (kind or os.environ.get("DIGITDESK_RUNNER") or "auto").lower()
    if kind not in ("auto", "litert", "keras"):
        raise ValueError(f"unknown runner {kind!r}: use auto, litert or keras")
    litert_error = None
    if kind != "keras":
        try:
            return LiteRTRunner()
        except (ImportError, ModelLoadError) as exc:
            if kind == "litert":
                raise
            litert_error = exc
    try:
        return KerasRunner()
    except ImportError as exc:  # a LiteRT-only install or bundle
        raise ModelLoadError(f"LiteRT could not load the model ({litert_error}) and TensorFlow "
                             f"is not installed ({exc})") from exc


_shared: ModelRunner | None = None
_shared_lock = threading.Lock()


def shared_runner() -> ModelRunner:
    """The process-wide runner, loaded on first use (call it off the GUI thread: Keras takes seconds)."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = load_runner()
    return _shared
