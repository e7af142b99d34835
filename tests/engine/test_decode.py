"""Every odd or broken file a user may drop ends as an upright RGB image or a clear reason."""
import io
import os
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from digitdesk.engine.decode import MAX_SIDE, ImageDecodeError, load_image
from tests.engine.images import canvas_digit


def _digit_rgb(size=(120, 90)) -> Image.Image:
    """A dark '7' on white, not symmetric, so a wrong rotation shows."""
    return Image.fromarray(canvas_digit(7, size=size, thickness=8)).convert("RGB")


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _png_with_size(width: int, height: int) -> bytes:
    """A valid 1x1 PNG whose header claims another size: a decompression bomb's signature."""
    data = bytearray(_png_bytes(Image.new("L", (1, 1), 255)))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4:ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr:ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17:ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


def _reason(src) -> str:
    with pytest.raises(ImageDecodeError) as info:
        load_image(src)
    return str(info.value)


def test_plain_png_round_trips(tmp_path):
    original = _digit_rgb()
    path = tmp_path / "seven.png"
    original.save(path)
    image = load_image(path)
    assert image.dtype == np.uint8 and image.shape == (120, 90, 3)
    np.testing.assert_array_equal(image, np.asarray(original))


def test_accepts_str_paths_and_bytes(tmp_path):
    original = _digit_rgb()
    path = tmp_path / "seven.png"
    original.save(path)
    np.testing.assert_array_equal(load_image(str(path)), np.asarray(original))
    np.testing.assert_array_equal(load_image(path.read_bytes()), np.asarray(original))
    np.testing.assert_array_equal(load_image(bytearray(path.read_bytes())), np.asarray(original))


def test_content_decides_not_the_extension(tmp_path):
    path = tmp_path / "really_a_png.jpg"
    _digit_rgb().save(path, "PNG")
    np.testing.assert_array_equal(load_image(path), np.asarray(_digit_rgb()))


def test_exif_rotated_jpeg_comes_out_upright(tmp_path):
    upright = _digit_rgb()
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # how a sideways phone stores it
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    path = tmp_path / "phone.jpg"
    stored.save(path, "JPEG", quality=95, exif=exif)
    image = load_image(path)
    assert image.shape == (120, 90, 3)
    difference = np.abs(image.astype(int) - np.asarray(upright).astype(int)).mean()
    assert difference < 4  # JPEG noise only: same picture, same way up


def test_transparent_background_becomes_white_paper(tmp_path):
    ink = np.zeros((40, 40, 4), np.uint8)  # fully transparent black ...
    ink[10:30, 18:22] = (0, 0, 0, 255)     # ... with an opaque black stroke
    path = tmp_path / "rgba.png"
    Image.fromarray(ink, "RGBA").save(path)
    image = load_image(path)
    assert (image[0, 0] == 255).all()        # transparent -> white, not black
    assert (image[20, 20] == 0).all()


@pytest.mark.parametrize("shape, rows, columns", [
    ((40, 60), slice(10, 30), slice(28, 32)),      # a dark-mode drawing app's white ink: on white paper it vanished
    ((600, 800), slice(100, 500), slice(401, 403)),  # 2 px wide: the paper was judged from every 4th pixel
])
def test_light_ink_on_a_transparent_background_is_laid_on_black(tmp_path, shape, rows, columns):
    rgba = np.zeros((*shape, 4), np.uint8)
    rgba[rows, columns] = (250, 250, 250, 255)
    path = tmp_path / "dark-mode.png"
    Image.fromarray(rgba, "RGBA").save(path)
    image = load_image(path)[:, :, 0]
    assert image[0, 0] == 0 and image[(rows.start + rows.stop) // 2, columns.start] >= 240


def test_grey_with_alpha_is_composited(tmp_path):
    la = Image.new("LA", (30, 30), (0, 0))
    la.paste((0, 255), (10, 5, 14, 25))
    path = tmp_path / "la.png"
    la.save(path)
    image = load_image(path)
    assert (image[0, 0] == 255).all() and (image[15, 12] == 0).all()


def test_palette_with_transparent_index(tmp_path):
    palette = Image.new("P", (30, 30), 0)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)  # index 0 black (transparent), 1 red
    palette.paste(1, (10, 10, 20, 20))
    path = tmp_path / "palette.png"
    palette.save(path, transparency=0)
    image = load_image(path)
    assert tuple(image[0, 0]) == (255, 255, 255)
    assert tuple(image[15, 15]) == (255, 0, 0)


def test_cmyk_jpeg(tmp_path):
    cmyk = Image.new("CMYK", (40, 40), (0, 0, 0, 0))  # no ink: white
    cmyk.paste((0, 0, 0, 255), (10, 10, 30, 30))     # full black
    path = tmp_path / "print.jpg"
    cmyk.save(path, "JPEG", quality=95)
    image = load_image(path)
    assert image.shape == (40, 40, 3)
    assert image[2, 2].min() > 230 and image[20, 20].max() < 40


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path):
    ramp = np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (8, 1))
    path = tmp_path / "scan16.png"
    Image.fromarray(ramp).save(path)
    image = load_image(path)[:, :, 0].astype(int)
    assert image[0, 0] == 0 and image[0, -1] == 255
    assert 120 <= image[0, 32] <= 135            # mid-grey stays mid-grey
    assert np.all(np.diff(image[0]) >= 0)        # and the ramp stays a ramp


def _stroke_page(paper, dtype) -> np.ndarray:
    page = np.full((40, 60), paper, dtype)
    page[10:30, 28:32] = 0                       # a stroke of ink
    return page


@pytest.mark.parametrize("name, page, mode", [
    ("scan10.png", _stroke_page(2 ** 10 - 1, np.uint16), None),   # 10-14 bits in a 16-bit file: a 12-bit
    ("scan12.png", _stroke_page(2 ** 12 - 1, np.uint16), None),   # scanner's page read as nearly black
    ("scan14.png", _stroke_page(2 ** 14 - 1, np.uint16), None),
    ("float12.tif", _stroke_page(4095.0, np.float32), "F"),        # the same range as floats
    ("nan.tif", np.where(np.indices((40, 60)).sum(0) == 0, np.nan, _stroke_page(1.0, np.float32)).astype(np.float32),
     "F"),                                                          # one bad pixel blanked the whole page
])
def test_odd_ranges_keep_white_paper_and_black_ink(tmp_path, name, page, mode):
    path = tmp_path / name
    Image.fromarray(page, mode).save(path)
    image = load_image(path)[:, :, 0]
    assert image[5, 5] == 255 and image[20, 30] == 0


def test_a_png_with_a_big_colour_profile_is_read_not_called_corrupt(tmp_path):
    page = np.full((40, 60), 255, np.uint8)
    page[10:30, 28:32] = 0
    path = tmp_path / "profiled.png"
    Image.fromarray(page).save(path, icc_profile=bytes(3_000_000))
    assert load_image(path)[20, 30, 0] == 0


def test_animated_gif_gives_its_first_frame(tmp_path):
    first = Image.fromarray(canvas_digit(1, size=(60, 60), thickness=6)).convert("P")
    second = Image.new("P", (60, 60), 0)
    path = tmp_path / "anim.gif"
    first.save(path, save_all=True, append_images=[second], duration=100, loop=0)
    image = load_image(path)
    assert image.shape == (60, 60, 3)
    np.testing.assert_array_equal(image[:, :, 0], np.asarray(first.convert("L")))


def test_large_photo_is_reduced_while_decoding(tmp_path):
    wide = Image.new("L", (4200, 300), 255)
    path = tmp_path / "panorama.jpg"
    wide.save(path, "JPEG")
    image = load_image(path)
    assert max(image.shape[:2]) == MAX_SIDE
    assert image.shape[0] == pytest.approx(300 * MAX_SIDE / 4200, abs=2)


@pytest.mark.parametrize("fmt", ["JPEG", "MPO"])   # MPO: a JPEG holding a second picture, as many phones write
def test_a_108_megapixel_phone_photo_is_read_not_refused(tmp_path, fmt):
    from PIL import ImageDraw
    photo = Image.new("L", (12_000, 9_000), 255)   # a 1 written across the page
    ImageDraw.Draw(photo).line((6_000, 1_500, 6_000, 7_500), fill=0, width=500)
    path = tmp_path / "phone.jpg"
    photo.save(path, fmt, quality=70, **({"save_all": True, "append_images": [Image.new("L", (300, 200))]}
                                         if fmt == "MPO" else {}))
    del photo
    image = load_image(path)
    assert max(image.shape[:2]) == MAX_SIDE                  # decoded small, as any big photo
    assert image[image.shape[0] // 2, image.shape[1] // 2, 0] < 64 and image[10, 10, 0] > 200


def test_a_tiny_progressive_jpeg_claiming_a_huge_size_is_refused_before_decoding():
    """A progressive JPEG's decoder holds the full picture's coefficients however small it draws it:
    a 500-byte file claiming 12000x9000 would cost a gigabyte, so it keeps the general limit."""
    small = io.BytesIO()
    Image.new("RGB", (16, 16), (255, 255, 255)).save(small, "JPEG", progressive=True)
    data = bytearray(small.getvalue())
    frame = data.find(b"\xff\xc2")                                   # SOF2: the progressive frame header
    data[frame + 5:frame + 9] = (9_000).to_bytes(2, "big") + (12_000).to_bytes(2, "big")
    assert _reason(bytes(data)) == "image too large (108 megapixels; limit 90)"


@pytest.mark.parametrize("progressive, limit", [(False, 180), (True, 90)])
def test_a_jpeg_past_even_the_photo_limit_is_refused_quoting_its_own_limit(progressive, limit):
    small = io.BytesIO()
    Image.new("RGB", (16, 16), (255, 255, 255)).save(small, "JPEG", progressive=progressive)
    data = bytearray(small.getvalue())
    frame = data.find(b"\xff\xc2" if progressive else b"\xff\xc0")    # the frame header: SOF2 / SOF0
    data[frame + 5:frame + 9] = (10_000).to_bytes(2, "big") + (20_000).to_bytes(2, "big")
    assert _reason(bytes(data)) == f"image too large (200 megapixels; limit {limit})"


@pytest.mark.parametrize("width,height", [(10_000, 10_000), (40_000, 40_000)])
def test_decompression_bomb_is_refused_with_its_size(tmp_path, width, height):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_with_size(width, height))
    reason = _reason(path)
    assert reason == f"image too large ({width * height / 1e6:.0f} megapixels; limit 90)"   # a PNG's limit
    assert _reason(path.read_bytes()) == reason                                           # pasted, the same


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_file(tmp_path, fmt):
    buffer = io.BytesIO()
    Image.fromarray((np.random.default_rng(0).random((200, 200, 3)) * 255).astype(np.uint8)).save(buffer, fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    assert _reason(path) == "image is truncated or corrupt"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_pipe_or_a_broken_link_named_like_a_picture_says_what_it_is(tmp_path):
    os.mkfifo(tmp_path / "pipe.png")
    assert _reason(tmp_path / "pipe.png") == "not a file but a pipe, device or socket"   # and does not hang
    (tmp_path / "gone.png").symlink_to(tmp_path / "moved-away.png")
    assert _reason(tmp_path / "gone.png") == "a link to a file that is gone"


def test_empty_file_and_empty_bytes(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    assert _reason(path) == "file is empty"
    assert _reason(b"") == "file is empty"


def test_text_file_named_png(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("shopping list: milk, eggs\n")
    assert _reason(path).startswith("not an image file")


def test_missing_file_and_folder(tmp_path):
    assert _reason(tmp_path / "nowhere.png") == "file not found"
    assert _reason(tmp_path) == "is a folder, not an image file"
