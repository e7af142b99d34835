"""InferenceClient/Worker: the model loads off the GUI thread, the newest drawing wins, errors
come back as signals, and shutting down waits for the thread even mid-inference."""
import threading
import time

import numpy as np
import pytest

from digitdesk.engine.stroke_groups import PenStroke
from digitdesk.engine.stroke_ink import render_strokes
from digitdesk.gui.inference import InferenceClient, load_default_recognizer
from tests.engine.pen import touching_ten

LOAD_TIMEOUT_MS = 120_000   # first TensorFlow import on a busy machine


def one() -> np.ndarray:
    """A bold '1': dark ink on white, like the canvas exports."""
    image = np.full((280, 280), 255, np.uint8)
    image[40:240, 128:152] = 0
    return image


def blank() -> np.ndarray:
    return np.full((280, 280), 255, np.uint8)


def started(qtbot, client: InferenceClient) -> InferenceClient:
    with qtbot.waitSignal(client.modelReady, timeout=LOAD_TIMEOUT_MS):
        client.start()
    return client


@pytest.fixture
def client(qtbot):
    client = started(qtbot, InferenceClient())
    yield client
    client.shutdown()


def test_the_model_loads_in_the_worker_thread(qtbot):
    loaded_in = []

    def load():
        loaded_in.append(threading.current_thread())
        return load_default_recognizer()

    client = InferenceClient(load)
    announced = []
    client.modelLoading.connect(lambda: announced.append("loading"))
    try:
        with qtbot.waitSignal(client.modelReady, timeout=LOAD_TIMEOUT_MS) as ready:
            client.start()
        assert loaded_in and loaded_in[0] is not threading.main_thread()
        assert announced == ["loading"] and ready.args[0] >= 0      # load time in seconds
        assert client.state == "ready"
    finally:
        client.shutdown()


def test_a_result_comes_back_with_its_request_id_and_time(client, qtbot):
    with qtbot.waitSignal(client.resultReady, timeout=30_000) as result:
        request_id = client.request(one())
    got_id, recognition, ms = result.args
    assert got_id == request_id
    assert recognition.text == "1" and recognition.digits[0].input28.shape == (28, 28)
    assert ms > 0


def test_a_drawing_made_before_the_model_is_ready_is_read_once_it_is(qtbot):
    client = InferenceClient()
    try:
        request_id = client.request(one())
        with qtbot.waitSignal(client.resultReady, timeout=LOAD_TIMEOUT_MS) as result:
            client.start()
        assert result.args[0] == request_id and result.args[1].text == "1"
    finally:
        client.shutdown()


def test_the_request_is_a_copy_of_the_image(client, qtbot):
    image = one()
    with qtbot.waitSignal(client.resultReady, timeout=30_000) as result:
        client.request(image)
        image[:] = 255   # the user keeps drawing (or clears) while the worker reads
    assert result.args[1].text == "1"


def test_when_drawing_fast_stale_requests_are_skipped_and_the_latest_wins(client, qtbot):
    results = []
    client.resultReady.connect(lambda request_id, recognition, ms: results.append((request_id, recognition)))
    ids = [client.request(one() if i % 2 else blank()) for i in range(40)]
    qtbot.waitUntil(lambda: bool(results) and results[-1][0] == ids[-1], timeout=30_000)
    qtbot.wait(200)
    got = [request_id for request_id, _ in results]
    assert got == sorted(got) and got[-1] == ids[-1]             # never an older answer after a newer one
    assert len(got) < len(ids) // 2                               # most stale requests were never run
    assert results[-1][1].text == "1"                             # the answer is for the last drawing


def test_a_bad_image_fails_as_a_signal_and_the_worker_keeps_going(client, qtbot):
    with qtbot.waitSignal(client.failed, timeout=30_000) as failure:
        bad_id = client.request(np.zeros((2, 3, 4, 5), np.float32))
    assert failure.args[0] == bad_id and "Recognition failed" in failure.args[1]
    with qtbot.waitSignal(client.resultReady, timeout=30_000) as result:
        client.request(one())
    assert result.args[1].text == "1"


def test_a_model_that_cannot_load_is_reported_not_raised(qtbot, tmp_path):
    def load():
        from digitdesk.engine.recognizer import Recognizer
        from digitdesk.engine.runner import KerasRunner
        return Recognizer(KerasRunner(tmp_path / "missing.keras"))

    client = InferenceClient(load)
    try:
        with qtbot.waitSignal(client.modelFailed, timeout=LOAD_TIMEOUT_MS) as failed:
            client.start()
        assert "Could not load the model" in failed.args[0]
        with qtbot.waitSignal(client.failed, timeout=10_000) as refused:
            client.request(one())
        assert "Could not load the model" in refused.args[1]
    finally:
        client.shutdown()


def test_shutdown_mid_inference_waits_for_the_thread(client, qtbot, qtlog):
    big = np.full((2000, 2000), 255, np.uint8)
    big[300:1700, 900:1100] = 0
    client.request(big)
    time.sleep(0.01)                     # let the worker pick it up
    client.shutdown()
    assert not client.is_running()
    assert not [r for r in qtlog.records if "Destroyed while thread" in r.message]


def test_shutdown_while_the_model_is_still_loading(qtbot):
    def slow_load():
        time.sleep(0.5)
        return load_default_recognizer()

    client = InferenceClient(slow_load)
    client.start()
    client.request(one())
    client.shutdown()
    assert not client.is_running() and client.state == "stopped"
    assert isinstance(client.request(one()), int)   # requests after shutdown are ignored, not a crash


def drawing_of_touching_ten():
    """A 1 drawn along the left edge of a 0 (their ink overlaps), as strokes and as the canvas shows them."""
    strokes = [PenStroke(s.points + (60, 90), s.width) for s in touching_ten()]
    ink = render_strokes([s.points for s in strokes], [s.width for s in strokes], origin=(0, 0), shape=(280, 280))
    return strokes, np.rint(255 * (1 - ink)).astype(np.uint8)


def test_a_drawing_sent_with_its_strokes_is_read_by_its_strokes(client, qtbot):
    strokes, image = drawing_of_touching_ten()
    with qtbot.waitSignal(client.resultReady, timeout=30_000) as result:
        client.request(image, strokes)
    recognition = result.args[1]
    assert recognition.text == "10"
    one, zero = recognition.digits
    assert one.box.x + one.box.w <= zero.box.x + 16          # boxes in the drawing's pixels, side by side
    assert 60 <= one.box.x + one.box.w / 2 <= 100


def test_the_strokes_of_a_request_are_copies(client, qtbot):
    strokes, image = drawing_of_touching_ten()
    with qtbot.waitSignal(client.resultReady, timeout=30_000) as result:
        client.request(image, strokes)
        for stroke in strokes:
            stroke.points[:] = 0      # the user keeps drawing while the worker reads
    assert result.args[1].text == "10"
