"""Preparation turns drawings, scans and photos into the MNIST-like input the model knows."""
import numpy as np
import pytest
from PIL import Image

from digitdesk.engine.prepare import MNIST_STROKE, NORM_SIDE, Page, ink_map, stroke_width, to_gray, to_mnist
from digitdesk.engine.recognizer import prepare_digits
from tests.engine import images


def centre_of_mass(x: np.ndarray) -> tuple[float, float]:
    rows, cols = np.mgrid[:x.shape[0], :x.shape[1]]
    return float((x * rows).sum() / x.sum()), float((x * cols).sum() / x.sum())


def ink_extent(x: np.ndarray, level: float = 0.05) -> tuple[int, int]:
    rows, cols = np.nonzero(x > level)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def only_digit(image) -> np.ndarray:
    digits = prepare_digits(image)
    assert len(digits) == 1, f"expected one digit, found {len(digits)}"
    return digits[0].input28


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def assert_mnist_like(x: np.ndarray) -> None:
    """MNIST's format: 28x28 in [0, 1], full-strength ink, long side fitted to 20, mass centred at (14, 14)."""
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() == pytest.approx(1.0)
    assert max(ink_extent(x)) in (19, 20, 21)  # long side fitted to 20 (+ antialiasing)
    cy, cx = centre_of_mass(x)
    assert abs(cy - 14) <= 0.6 and abs(cx - 14) <= 0.6


# --- to_gray ---------------------------------------------------------------------------------

def test_to_gray_accepts_the_usual_kinds_of_picture():
    grey = images.canvas_digit(3, size=(50, 40), thickness=4)
    rgb = np.repeat(grey[:, :, None], 3, axis=2)
    for picture in (grey, grey[:, :, None], rgb, rgb.astype(np.float32) / 255, rgb.astype(np.float64) * 1.0,
                    Image.fromarray(grey), Image.fromarray(rgb)):
        np.testing.assert_allclose(to_gray(picture).astype(int), grey.astype(int), atol=1)


def test_to_gray_puts_transparency_on_white():
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[3:7, 3:7, 3] = 255  # opaque black square, transparent (black) elsewhere
    gray = to_gray(rgba)
    assert gray[0, 0] == 255 and gray[5, 5] == 0
    assert to_gray(Image.fromarray(rgba, "RGBA"))[0, 0] == 255


def test_light_ink_on_transparency_and_a_12_bit_scan_keep_their_ink_as_arrays_too():
    """As decoded files do: white ink on transparency goes on black, 0-4095 is a whole 12-bit range."""
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[10:30, 18:22] = (250, 250, 250, 255)
    gray = to_gray(rgba)
    assert gray[0, 0] == 0 and gray[20, 20] >= 240
    page = np.full((10, 10), 4095, np.uint16)
    page[5, 5] = 0
    assert to_gray(page)[0, 0] == 255 and to_gray(page)[5, 5] == 0


def test_a_very_long_strip_is_read_in_its_own_coordinates_without_gigabytes():
    """Arrays this long are shrunk before the strip is padded with paper (a 1x200000 one took 10 GB)."""
    strip = np.full((600, 30000), 255, np.uint8)
    starts = np.linspace(0, 29400, 12).astype(int)
    for x in starts:
        strip[:, x:x + 600] = images.canvas_digit(7, size=(600, 600), box=(150, 50, 300, 500), thickness=60)
    found = prepare_digits(strip)
    assert len(found) == 12
    assert all(abs(d.box.x - (x + 150)) < 60 and abs(d.box.h - 500) < 80 for d, x in zip(found, starts))
    assert prepare_digits(np.full((1, 200000), 255, np.uint8)) == []


def test_to_gray_rejects_non_images_clearly():
    with pytest.raises(ValueError, match="shape"):
        to_gray(np.zeros((4, 4, 7)))


# --- to_mnist: MNIST's own recipe --------------------------------------------------------------

@pytest.mark.parametrize("digit", range(10))
def test_prepared_digit_fits_20x20_and_is_centred_by_mass(digit):
    assert_mnist_like(only_digit(images.canvas_digit(digit)))


def test_aspect_ratio_is_kept():
    wide = only_digit(images.canvas_digit(0, size=(300, 500), box=(50, 80, 400, 140), thickness=12))
    tall = only_digit(images.canvas_digit(0, size=(500, 300), box=(100, 50, 100, 400), thickness=12))
    assert ink_extent(wide)[1] >= 19 and ink_extent(wide)[0] <= 10  # 20 wide, flat
    assert ink_extent(tall)[0] >= 19 and ink_extent(tall)[1] <= 9   # 20 tall, narrow


def test_a_one_stays_thin():
    x = only_digit(images.canvas_digit(1))
    height, width = ink_extent(x)
    assert height >= 19 and width <= 12


def test_to_mnist_of_nothing_is_black():
    assert not to_mnist(np.zeros((30, 30), np.float32)).any()


def test_stroke_weight_is_brought_toward_mnist():
    """A fat marker and a hairline pen (27x thicker or thinner) give strokes of similar weight."""
    fat = only_digit(images.canvas_digit(4, thickness=80))
    hair = only_digit(images.canvas_digit(4, thickness=3))
    # measured at 3x (84 px, the 20-px digit at 60 px): MNIST's weight there is ~MNIST_STROKE * 60 / 64
    fat_width, hair_width = (stroke_width(np.kron(x, np.ones((3, 3), np.float32))) for x in (fat, hair))
    mnist = MNIST_STROKE * 60 / NORM_SIDE
    assert 0.6 * mnist < hair_width < 1.5 * mnist
    assert 0.6 * mnist < fat_width < 1.5 * mnist
    assert 0.66 < fat_width / hair_width < 1.5


def test_tiny_binary_bitmap_upscales_cleanly():
    big = images.canvas_digit(7, size=(160, 160), box=(30, 15, 100, 130), thickness=16)
    bitmap = np.where(big[::10, ::10] > 127, 255, 0).astype(np.uint8)  # 16x16, binary
    x = only_digit(bitmap)
    assert max(ink_extent(x)) in (19, 20, 21)
    reference = only_digit(big)
    assert correlation(x, reference) > 0.75


# --- paper removal ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["white", "grey", "gradient", "shadow", "ruled"])
def test_paper_is_removed(kind):
    clean = images.canvas_digit(5, size=(300, 300), thickness=14)
    prepared = only_digit(images.on_paper(clean, kind))
    assert_mnist_like(prepared)
    assert correlation(prepared, only_digit(clean)) > 0.9


def test_blurred_jpeg_photo_on_shadowed_paper():
    clean = images.canvas_digit(2, size=(300, 300), thickness=14)
    photo = images.jpeg(images.blur(images.on_paper(clean, "shadow"), 2.0), quality=40)
    prepared = only_digit(photo)
    assert_mnist_like(prepared)
    assert correlation(prepared, only_digit(clean)) > 0.85


def test_light_ink_on_dark_paper_reads_like_dark_on_light():
    clean = images.canvas_digit(9, size=(300, 300), thickness=14)
    chalkboard = 255 - images.on_paper(clean, "white")
    prepared = only_digit(chalkboard)
    assert_mnist_like(prepared)
    assert correlation(prepared, only_digit(clean)) > 0.9


def test_thick_digit_filling_the_canvas_keeps_its_polarity():
    fat = images.canvas_digit(8, size=(200, 200), box=(30, 10, 140, 180), thickness=45)
    ink = ink_map(fat)
    assert ink[0, 0] == 0.0 and ink[59, 100] == 0.0  # the paper, inside the upper loop too
    assert ink[fat < 50].mean() > 0.9                 # the strokes


def test_ink_map_is_soft_inside_stroke_edges():
    ink = ink_map(images.canvas_digit(0, size=(200, 200), thickness=10))
    partial = ((ink > 0.05) & (ink < 0.95)).sum()
    assert partial > 0.1 * (ink > 0.05).sum()  # antialiasing survives: not a binary mask
    assert ink.dtype == np.float32 and ink.min() >= 0 and ink.max() <= 1


# --- nothing to read ----------------------------------------------------------------------------

def _noise(kind: str) -> np.ndarray:
    rng = np.random.default_rng(3)
    if kind == "blank":
        return np.full((300, 400), 255, np.uint8)
    if kind == "grey card":
        return np.full((300, 400), 128, np.uint8)
    if kind == "sensor noise":
        return np.clip(rng.normal(200, 8, (300, 400)), 0, 255).astype(np.uint8)
    if kind == "uniform noise":
        return rng.integers(0, 256, (300, 400), dtype=np.uint8)
    if kind == "dust":
        page = np.full((300, 400), 250, np.uint8)
        ys, xs = rng.integers(0, 300, 40), rng.integers(0, 400, 40)
        page[ys, xs] = 30
        return page
    if kind == "shaded paper":
        return images.jpeg(images.paper((300, 400), "shadow").astype(np.uint8), 50)
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["blank", "grey card", "sensor noise", "uniform noise", "dust", "shaded paper"])
def test_pictures_without_ink_have_no_digits(kind):
    assert prepare_digits(_noise(kind)) == []


def test_an_empty_page_says_so():
    page = Page(np.full((50, 50), 255, np.uint8))
    assert page.empty
    assert not ink_map(np.full((50, 50), 255, np.uint8)).any()


def test_thin_pencil_in_a_big_photo_is_not_taken_for_a_blank_page():
    """8 px of pencil (ink 150 on paper 245) in a 4000x3000 photo vanished into its paper on the coarse level."""
    from digitdesk.engine.recognizer import Recognizer
    photo = np.full((3000, 4000), 245, np.uint8)
    for i, digit in enumerate((3, 8, 5, 9)):
        images.draw_digit(photo, digit, (800 + i * 600, 1200, 300, 450), 8, color=150)
    assert not Page(photo).empty
    assert Recognizer().recognize(photo).text == "3859"
