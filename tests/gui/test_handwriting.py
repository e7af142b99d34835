"""Handwriting (the GUI's side of the samples): following changes another program makes to the file."""
import numpy as np

from digitdesk.engine.samples import SampleStore
from digitdesk.gui.handwriting import Handwriting


def picture(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (28, 28), dtype=np.uint8)


def test_samples_forgotten_or_taught_by_another_program_count_here_without_a_restart(qtbot, tmp_path):
    other = SampleStore(tmp_path)   # another DigitDesk window, or `digitdesk teach` / `profile forget`
    hw = Handwriting(SampleStore(tmp_path))
    try:
        hw.correct(picture(1) / 255.0, 7, "draw")
        assert len(hw.live) == 1 and not hw.follow_outside_changes()   # its own corrections are no news
        other.add("default", 2, picture(2), "cli")
        with qtbot.waitSignal(hw.changed, timeout=10_000):   # checked every few seconds, on its own
            pass
        assert len(hw.live) == 2
        other.forget("default")
        qtbot.waitUntil(lambda: len(hw.live) == 0, timeout=10_000)   # a forgotten sample sways nothing here
    finally:
        other.close()
        hw.close()
