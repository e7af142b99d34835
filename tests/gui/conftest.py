"""Fixtures shared by the GUI tests."""
import pytest

from tests.conftest import mnist_dir
from tests.gui.media import GlyphSource


@pytest.fixture
def glyphs():
    """Handwritten MNIST digits when the data is there, else pen-like font renders."""
    return GlyphSource(mnist_dir())
