"""DrawingCanvas: what a user draws is what gets read, saved, undone and redone."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QImage, QPointingDevice, QTabletEvent

from digitdesk.engine.results import Box
from digitdesk.gui.canvas import BOX_MARGIN, DrawingCanvas
from tests.gui.strokes import draw_digit, draw_stroke


@pytest.fixture
def canvas(qtbot):
    widget = DrawingCanvas(pen_width=20)
    qtbot.addWidget(widget)
    widget.resize(300, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def ink(canvas) -> np.ndarray:
    return canvas.to_array() < 128


def test_blank_canvas_exports_white_gray_uint8_at_widget_size(canvas):
    image = canvas.to_array()
    assert image.dtype == np.uint8 and image.shape == (300, 300)
    assert image.min() == 255
    assert canvas.is_empty()


def test_a_mouse_stroke_leaves_dark_ink_where_the_pointer_went(canvas):
    draw_stroke(canvas, [QPoint(50, 150), QPoint(150, 150), QPoint(250, 150)])
    marks = ink(canvas)
    assert marks[150, 50:251].all()                      # along the path
    assert marks[150 - 8:150 + 9, 150].all()             # about the pen width across
    assert not marks[150 - 14, 150] and not marks[:100].any()
    assert canvas.stroke_count() == 1


def test_strokes_are_antialiased_with_round_caps(canvas):
    draw_stroke(canvas, [QPoint(100, 100), QPoint(200, 100)])
    image = canvas.to_array()
    assert ((image > 20) & (image < 235)).any()          # soft edges, not jagged
    assert image[100, 95] < 128                          # the round cap reaches past the end point
    assert image[100 - 9, 100 - 9] > 128                 # ... but is round, not a square corner


def test_a_click_makes_a_dot(canvas):
    draw_stroke(canvas, [QPoint(120, 80)])
    assert ink(canvas)[80, 120] and canvas.stroke_count() == 1


def test_export_is_a_copy(canvas):
    draw_stroke(canvas, [QPoint(50, 50), QPoint(250, 250)])
    exported = canvas.to_array()
    exported[:] = 0
    assert canvas.to_array().max() == 255


def test_undo_and_redo_work_stroke_by_stroke(canvas):
    draw_stroke(canvas, [QPoint(40, 60), QPoint(260, 60)])
    draw_stroke(canvas, [QPoint(40, 240), QPoint(260, 240)])
    both = canvas.to_array()
    canvas.undo()
    marks = ink(canvas)
    assert marks[60, 150] and not marks[240, 150]
    canvas.undo()
    assert canvas.is_empty() and not ink(canvas).any()
    assert not canvas.can_undo()
    canvas.redo()
    canvas.redo()
    np.testing.assert_array_equal(canvas.to_array(), both)
    assert not canvas.can_redo()


def test_a_new_stroke_after_undo_discards_the_redo_history(canvas):
    draw_stroke(canvas, [QPoint(40, 60), QPoint(260, 60)])
    canvas.undo()
    draw_stroke(canvas, [QPoint(40, 240), QPoint(260, 240)])
    assert not canvas.can_redo()
    canvas.redo()
    assert not ink(canvas)[60, 150]


def test_clear_can_be_undone(canvas, qtbot):
    draw_digit(canvas, "0")
    drawing = canvas.to_array()
    with qtbot.waitSignal(canvas.changed):
        canvas.clear()
    assert canvas.is_empty() and not ink(canvas).any()
    canvas.undo()
    np.testing.assert_array_equal(canvas.to_array(), drawing)


def test_pen_width_applies_to_new_strokes(canvas):
    canvas.set_pen_width(6)
    draw_stroke(canvas, [QPoint(40, 80), QPoint(260, 80)])
    canvas.set_pen_width(40)
    draw_stroke(canvas, [QPoint(40, 200), QPoint(260, 200)])
    marks = ink(canvas)
    thin, thick = marks[:, 150][40:120].sum(), marks[:, 150][160:240].sum()
    assert 3 <= thin <= 9 and 34 <= thick <= 44


def test_save_png_writes_the_drawing(canvas, tmp_path):
    draw_digit(canvas, "1")
    saved = canvas.save_png(tmp_path / "one")
    assert saved.name == "one.png"
    with Image.open(saved) as image:
        pixels = np.asarray(image.convert("L"))
    np.testing.assert_array_equal(pixels < 128, ink(canvas))


def test_save_png_to_an_unwritable_place_raises_a_readable_error(canvas, tmp_path):
    draw_digit(canvas, "1")
    with pytest.raises(OSError, match="Could not save .*: No such file or directory"):   # and why
        canvas.save_png(tmp_path / "no-such-folder" / "one.png")
    (tmp_path / "taken.png").mkdir()
    with pytest.raises(OSError, match=r"Could not save .*taken\.png: \w+"):   # "Is a directory" (Windows: denied)
        canvas.save_png(tmp_path / "taken.png")


def test_a_save_that_fails_midway_keeps_the_earlier_picture_whole(canvas, tmp_path, monkeypatch):
    earlier = tmp_path / "one.png"
    earlier.write_bytes(b"the picture saved yesterday")
    draw_digit(canvas, "1")

    def disk_full(self, data):   # half the bytes reach the disk, then it is full
        with open(self, "wb") as out:
            out.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        canvas.save_png(earlier)
    assert earlier.read_bytes() == b"the picture saved yesterday"
    assert [p.name for p in tmp_path.iterdir()] == ["one.png"]   # nothing half-written left beside it


def test_resizing_keeps_the_drawing_scaled_not_cropped(canvas, qtbot):
    draw_stroke(canvas, [QPoint(30, 150), QPoint(270, 150)])     # across nearly the whole width
    canvas.resize(600, 600)
    qtbot.waitUntil(lambda: canvas.to_array().shape == (600, 600))
    marks = ink(canvas)
    assert marks[300, 70] and marks[300, 530]                   # both ends, scaled x2
    canvas.resize(250, 250)
    qtbot.waitUntil(lambda: canvas.to_array().shape == (250, 250))
    marks = ink(canvas)
    assert marks[125, 30] and marks[125, 220]
    assert canvas.stroke_count() == 1


def inside(canvas) -> bool:
    points = np.concatenate([stroke.points for stroke in canvas.pen_strokes()])
    return bool((points >= 0).all() and (points[:, 0] <= canvas.width()).all()
                and (points[:, 1] <= canvas.height()).all())


def test_a_drawing_made_on_a_wide_canvas_stays_whole_when_the_window_narrows(canvas, qtbot):
    canvas.resize(600, 300)
    qtbot.waitUntil(lambda: canvas.to_array().shape == (300, 600))
    draw_stroke(canvas, [QPoint(20, 150), QPoint(580, 150)])       # a number written across a wide window
    draw_stroke(canvas, [QPoint(560, 60), QPoint(560, 240)])
    canvas.resize(300, 300)
    qtbot.waitUntil(lambda: canvas.to_array().shape == (300, 300))
    assert inside(canvas)                                         # what is read is all on the canvas ...
    marks = ink(canvas)
    assert marks[150, 5:25].any() and marks[150, 275:295].any()   # ... and shown, both ends, smaller
    assert marks[:, 270:295].any(axis=1).sum() > 80                # the right-hand stroke too, half as tall
    narrow = DrawingCanvas(pen_width=20)                           # restored in a smaller window: the same
    qtbot.addWidget(narrow)
    narrow.resize(250, 250)
    narrow.restore_strokes(canvas.strokes_data())
    assert inside(narrow)
    canvas.resize(600, 300)                                       # wide again: as drawn
    qtbot.waitUntil(lambda: canvas.to_array().shape == (300, 600))
    np.testing.assert_allclose(canvas.pen_strokes()[0].points, [[20, 150], [580, 150]], atol=0.01)


def test_a_stroke_dragged_past_the_edge_runs_along_it(canvas):
    draw_stroke(canvas, [QPoint(150, 150), QPoint(420, 150), QPoint(420, 250), QPoint(150, 250)])
    assert inside(canvas)                                         # nothing read that the canvas does not show
    assert ink(canvas)[160:240, 292:300].any(axis=1).all()        # the part past the edge: along it


def test_hidpi_backing_image_has_device_pixels_and_export_is_logical(canvas, monkeypatch):
    monkeypatch.setattr(canvas, "devicePixelRatioF", lambda: 2.0)
    draw_stroke(canvas, [QPoint(50, 150), QPoint(250, 150)])
    backing = canvas.to_qimage()
    assert (backing.width(), backing.height()) == (600, 600)
    assert backing.devicePixelRatio() == 2.0
    marks = ink(canvas)
    assert marks.shape == (300, 300) and marks[150, 60:241].all() and not marks[100].any()


def _tablet(canvas, kind, x, y, pressure):
    buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
    event = QTabletEvent(kind, QPointingDevice.primaryPointingDevice(), QPointF(x, y),
                         QPointF(canvas.mapToGlobal(QPoint(x, y))), pressure, 0.0, 0.0, 0.0, 0.0, 0.0,
                         Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, buttons)
    canvas.tabletEvent(event)
    return event


def _tablet_stroke(canvas, y, pressure):
    _tablet(canvas, QEvent.Type.TabletPress, 40, y, pressure)
    for x in range(50, 261, 10):
        _tablet(canvas, QEvent.Type.TabletMove, x, y, pressure)
    return _tablet(canvas, QEvent.Type.TabletRelease, 260, y, pressure)


def test_pen_pressure_sets_the_stroke_width(canvas):
    release = _tablet_stroke(canvas, 80, pressure=0.1)
    _tablet_stroke(canvas, 220, pressure=1.0)
    assert release.isAccepted()                                # no duplicate mouse stroke
    marks = ink(canvas)[:, 150]
    light, firm = marks[40:120].sum(), marks[180:260].sum()
    assert 4 <= light < firm - 8 and canvas.stroke_count() == 2


def test_only_the_changed_area_is_repainted_while_drawing(canvas, qtbot):
    from PySide6.QtCore import QObject

    class PaintSpy(QObject):
        rects = []

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                self.rects.append(event.rect())
            return False

    spy = PaintSpy()
    canvas.installEventFilter(spy)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(canvas, QPoint(110, 104))
    qtbot.waitUntil(lambda: bool(spy.rects))
    assert all(r.width() < 100 and r.height() < 100 for r in spy.rects)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(110, 104))
    canvas.removeEventFilter(spy)


def test_strokes_come_out_in_drawing_order_in_pixels_with_the_pen_width(canvas):
    draw_stroke(canvas, [QPoint(50, 150), QPoint(150, 150), QPoint(250, 150)])
    canvas.set_pen_width(8)
    draw_stroke(canvas, [QPoint(100, 40), QPoint(100, 90)])
    first, second = canvas.pen_strokes()
    np.testing.assert_allclose(first.points, [[50, 150], [150, 150], [250, 150]], atol=0.01)
    np.testing.assert_allclose(second.points, [[100, 40], [100, 90]], atol=0.01)
    assert (first.width, second.width) == (20, 8)


def test_strokes_follow_the_drawing_when_the_canvas_is_resized(canvas, qtbot):
    draw_stroke(canvas, [QPoint(30, 150), QPoint(270, 150)])
    canvas.resize(600, 600)
    qtbot.waitUntil(lambda: canvas.to_array().shape == (600, 600))
    (stroke,) = canvas.pen_strokes()
    np.testing.assert_allclose(stroke.points, [[60, 300], [540, 300]], atol=0.01)
    assert stroke.width == 40
    assert all(ink(canvas)[300, int(x)] for x, _ in stroke.points)


def test_the_stroke_being_drawn_is_included(canvas, qtbot):
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(60, 60))
    qtbot.mouseMove(canvas, QPoint(120, 60))
    (stroke,) = canvas.pen_strokes()
    assert len(stroke.points) == 2 and canvas.stroke_count() == 0
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(120, 60))


def test_exported_strokes_are_copies(canvas):
    draw_stroke(canvas, [QPoint(50, 50), QPoint(250, 250)])
    canvas.pen_strokes()[0].points[:] = 0
    np.testing.assert_allclose(canvas.pen_strokes()[0].points, [[50, 50], [250, 250]], atol=0.01)


def shown(canvas) -> np.ndarray:
    """What is on screen, as (H, W, 3) RGB: a copy, since the QImage's memory goes with it."""
    image = canvas.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())[
        :, :image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def bluish(pixels) -> bool:
    """Any of these RGB pixels tinted blue (a box line), not white paper or grey ink?"""
    pixels = np.asarray(pixels, np.int32).reshape(-1, 3)
    return bool((pixels[:, 2] - pixels[:, 0] > 40).any())


def test_digit_boxes_are_shown_faintly_on_screen_but_never_saved(canvas, tmp_path):
    draw_digit(canvas, "1", QRect(40, 60, 100, 180))
    drawing = canvas.to_array()
    canvas.show_digit_boxes([Box(80, 70, 20, 160)])
    screen = shown(canvas)
    left = 80 - BOX_MARGIN
    assert bluish(screen[70:230, left]) and bluish(screen[70 - BOX_MARGIN, 80:100])   # its edges
    assert not bluish(screen[70:230, left - 6]) and not bluish(screen[70:230, left + 6])
    np.testing.assert_array_equal(canvas.to_array(), drawing)                  # not part of the drawing
    with Image.open(canvas.save_png(tmp_path / "one.png")) as saved:
        assert np.asarray(saved.convert("L")).min() == drawing.min()
        assert not bluish(np.asarray(saved.convert("RGB")))
    assert canvas.digit_boxes() == [Box(80, 70, 20, 160)]


def test_digit_boxes_go_with_clear_undo_and_redo(canvas):
    draw_digit(canvas, "1")
    for action in (canvas.undo, canvas.redo, canvas.clear):
        canvas.show_digit_boxes([Box(100, 40, 30, 200)])
        action()
        assert canvas.digit_boxes() == []
        assert not bluish(shown(canvas))


def test_digit_boxes_follow_the_drawing_when_the_canvas_is_resized(canvas, qtbot):
    canvas.show_digit_boxes([Box(100, 40, 30, 200)])
    canvas.resize(600, 600)
    qtbot.waitUntil(lambda: canvas.to_array().shape == (600, 600))
    assert canvas.digit_boxes() == [Box(200, 80, 60, 400)]
