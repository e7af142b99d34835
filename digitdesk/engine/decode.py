"""Decode any image file (or dropped/pasted bytes) into an upright RGB array.

Decoding goes by content, never by extension, and every way a file can be
unusable ends in ImageDecodeError carrying a short reason a user can act on,
so the app can say "image is truncated or corrupt" instead of crashing.
Big photos are reduced while decoding (JPEG draft mode) because digits never
need more than a couple of thousand pixels.
"""
from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, PngImagePlugin, UnidentifiedImageError

MAX_PIXELS = 90_000_000   # refuse anything bigger: ~270 MB decoded, likely a decompression bomb
MAX_SIDE = 2048           # larger images are downscaled while decoding
# A baseline JPEG is decoded at 1/2 to 1/8 of its size (draft mode), so a 108 megapixel phone photo costs
# what a few megapixels do: allowed up to here. Not a progressive one: its decoder holds every
# coefficient of the full picture (a 500-byte file claiming 20000x20000 took 1.2 GB).
MAX_PHOTO_PIXELS = 180_000_000
_DRAFT_FORMATS = ("JPEG", "MPO")   # MPO: a JPEG holding a second picture, as many phones write
# Pillow refuses above twice this while opening, before our own check, as GIF and ICO allocate there.
Image.MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS // 2

# Half-decoded files must fail loudly, not come back with grey garbage.
ImageFile.LOAD_TRUNCATED_IMAGES = False
# Pillow refuses a PNG text or colour-profile chunk over 1 MB as if the file were corrupt; scanners and
# photo tools write bigger ones. The pixels are what count (MAX_PIXELS still guards the size).
PngImagePlugin.MAX_TEXT_CHUNK = max(PngImagePlugin.MAX_TEXT_CHUNK, 16 * 1024 * 1024)

_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
_RESIZABLE_MODES = {"L", "RGB", "RGBA", "LA", "CMYK", "I", "F"}


class UnreadableImage(ValueError):
    """A picture (file, bytes or array) the engine cannot read; str(error) is a short reason for the user.

    Every way an input can be unusable ends here, never in a library's own error text.
    """


UNKNOWN_FORMAT = "not an image file (or an unknown format)"


class ImageDecodeError(UnreadableImage):
    """The file or bytes are not a usable image; str(error) is a short reason for the user."""


def load_image(src: str | Path | bytes | bytearray | memoryview) -> np.ndarray:
    """Decode a file path or raw bytes to an (H, W, 3) uint8 RGB array (see load_image_scaled)."""
    return load_image_scaled(src)[0]


def load_image_scaled(src: str | Path | bytes | bytearray | memoryview) -> tuple[np.ndarray, float]:
    """Decode a file path or raw bytes to an (H, W, 3) uint8 RGB array, and the file's pixels per pixel of
    it (above 1 for a picture reduced to MAX_SIDE: boxes found in it are that much larger in the file).

    EXIF orientation is applied, transparency is composited on white (ink on a
    transparent background reads as ink on paper; light ink goes on black), 16-bit grey
    (or 10-14 bits in 16) is scaled to 8 bit,
    animations give their first frame and sides above MAX_SIDE are reduced.
    """
    stream = _open_source(src)
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own limit; ours (checked below) decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(stream)
    except Image.DecompressionBombError as exc:   # past twice Pillow's limit: the limit quoted is this format's
        raise ImageDecodeError(_too_large(_pixels_in(str(exc)), MAX_PHOTO_PIXELS if _drawn_small(stream)
                                          else MAX_PIXELS)) from exc
    except UnidentifiedImageError as exc:
        raise ImageDecodeError(UNKNOWN_FORMAT) from exc
    except Exception as exc:  # a broken header can raise almost anything
        raise ImageDecodeError("image is truncated or corrupt") from exc

    with image:
        width, height = image.size
        limit = MAX_PHOTO_PIXELS if _reduced_while_decoded(image) else MAX_PIXELS
        if width * height > limit:
            raise ImageDecodeError(_too_large(width * height, limit))
        if width == 0 or height == 0:
            raise ImageDecodeError("image has no pixels")
        try:
            rgb = _decode(image)
            return rgb, max(width, height) / max(rgb.shape[:2])
        except ImageDecodeError:
            raise
        except MemoryError as exc:
            raise ImageDecodeError("not enough memory to decode this image") from exc
        except Exception as exc:  # OSError "image file is truncated", zlib/struct errors, ...
            raise ImageDecodeError("image is truncated or corrupt") from exc


def _open_source(src) -> io.BytesIO | Path:
    """Bytes as a stream; a path checked for the usual reasons it cannot be read (Pillow reads it lazily)."""
    if isinstance(src, (bytes, bytearray, memoryview)):
        if len(src) == 0:
            raise ImageDecodeError("file is empty")
        return io.BytesIO(bytes(src))
    path = Path(src)
    try:
        if path.is_dir():
            raise ImageDecodeError("is a folder, not an image file")
        if not path.exists():
            raise ImageDecodeError("a link to a file that is gone" if path.is_symlink() else "file not found")
        if not path.is_file():   # opening a pipe would wait for a writer for ever
            raise ImageDecodeError("not a file but a pipe, device or socket")
        if path.stat().st_size == 0:
            raise ImageDecodeError("file is empty")
        with open(path, "rb"):
            pass  # readable?
    except PermissionError as exc:
        raise ImageDecodeError("permission denied") from exc
    except OSError as exc:
        raise ImageDecodeError(f"cannot read file ({exc.strerror or exc})") from exc
    return path


def _decode(image: Image.Image) -> np.ndarray:
    image.seek(0)  # animated GIF/PNG/WebP: the first frame
    if image.format in _DRAFT_FORMATS:
        image.draft(image.mode, _fitted_size(image.size))  # decode at 1/2..1/8 scale when large
    image.load()
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # a malformed EXIF block should not cost the user the picture
        pass
    if image.mode in _RESIZABLE_MODES:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        rgb = _to_rgb(image)
    else:
        rgb = _to_rgb(image)
        rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return np.array(rgb, dtype=np.uint8)


def _fitted_size(size: tuple[int, int]) -> tuple[int, int]:
    scale = min(1.0, MAX_SIDE / max(size))
    return max(1, int(size[0] * scale)), max(1, int(size[1] * scale))


def _to_rgb(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode in _ALPHA_MODES or (mode in ("P", "L", "RGB") and "transparency" in image.info):
        rgba = image.convert("RGBA")
        grey = paper_under(np.asarray(rgba))
        paper = Image.new("RGBA", rgba.size, (grey, grey, grey, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    if mode.startswith("I") or mode == "F":
        return _to_8bit(image).convert("RGB")
    return image.convert("RGB")  # L, 1, P, CMYK, YCbCr, LAB, HSV, RGB


def full_scale(high: float) -> float:
    """White of a 10-16-bit picture whose brightest value is `high`: 2**bits - 1 for the fewest bits that
    hold it (a 12-bit scanner's page in a 16-bit file is white at 4095, not 65535)."""
    return float(2 ** max(8, int(high).bit_length()) - 1)


def paper_under(rgba: np.ndarray) -> int:
    """The grey to lay a transparent picture (H, W, 4 uint8) on: white under dark ink; black under light
    ink (a dark-mode drawing app's export), which white paper would make vanish."""
    alpha = rgba[..., 3].astype(np.float32) * (1 / 255)   # every pixel: a thin stroke may be one or two wide
    weight = float(alpha.sum())
    if weight < 1.0:
        return 255
    brightness = float((rgba[..., :3].mean(axis=2, dtype=np.float32) * alpha).sum()) / weight
    return 0 if brightness > 160 and weight < 0.5 * alpha.size else 255


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit / 32-bit grey to 8 bit by scaling (clipping would turn most 16-bit scans white).

    Scanners and cameras often store 10, 12 or 14 bits in a 16-bit file: the full scale is the
    smallest such depth that holds the brightest value (paper), else a 12-bit page reads as black."""
    values = np.asarray(image).astype(np.float32)   # float32: a 9000x9000 scan took 3 GB in float64
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)   # one bad pixel must not blank the page
    low, high = float(values.min()), float(values.max())
    if image.mode.startswith("I;16") or (low >= 0.0 and 255.0 < high <= 65535.0):
        scaled = values * (255.0 / full_scale(high))
    elif image.mode == "F" and low >= 0.0 and high <= 1.0:
        scaled = values * 255.0
    elif low >= 0.0 and high <= 255.0:
        scaled = values
    else:  # unknown range: stretch what is there
        scaled = (values - low) * (255.0 / max(high - low, 1e-9))
    return Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8))


def _reduced_while_decoded(image: Image.Image) -> bool:
    """A baseline JPEG (also one holding a second picture, MPO: many phones' photos): draft mode decodes
    it small, at small cost."""
    return image.format in _DRAFT_FORMATS and not image.info.get("progressive")


def _drawn_small(source: Path | io.BytesIO) -> bool:
    """Is the file or stream a baseline JPEG (or MPO), which is decoded small and so may be bigger? Read from
    its frame header (SOF0 / SOF1), whatever its name says; a progressive one (SOF2) keeps the general limit."""
    try:
        if isinstance(source, Path):
            with open(source, "rb") as fh:
                head = fh.read(1 << 16)
        else:
            head = source.getvalue()[:1 << 16]
    except OSError:
        return False
    if head[:2] != b"\xff\xd8":
        return False
    at = 2
    while at + 4 <= len(head) and head[at] == 0xFF:
        marker = head[at + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):   # a frame header
            return marker in (0xC0, 0xC1)
        at += 2 + int.from_bytes(head[at + 2:at + 4], "big")
    return False


def _pixels_in(message: str) -> int | None:
    match = re.search(r"\((\d+) pixels\)", message)
    return int(match.group(1)) if match else None


def _too_large(pixels: int | None, limit: int) -> str:
    if pixels is None:
        return f"image too large (limit {limit // 1_000_000} megapixels)"
    return f"image too large ({pixels / 1e6:.0f} megapixels; limit {limit // 1_000_000})"
