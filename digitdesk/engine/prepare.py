"""Turn any picture of digits into what the model knows: bright ink on black, MNIST-style.

The model only ever saw MNIST: white antialiased strokes on pure black, fitted
into a 20x20 box and centred by mass in 28x28. Photos, scans and drawings
differ in polarity, lighting, paper colour and stroke width; each step here
removes one of those differences:

* ``Page`` finds the paper. Polarity comes from the border (else from which
  way the local contrast is skewed); the paper itself is estimated on a 64-px
  thumbnail (a closing finds the ink, a median of the rest follows shadows and
  gradients; a darker surface reaching the border, like a desk beside the
  sheet, keeps its own brightness, so its sharp edge does not read as ink);
  darkness is then measured relative to the paper, so grey paper and shadows
  turn black. Ink levels come from the darkness histogram (Otsu,
  noise floor, ink core) and are applied as a soft ramp that keeps the
  antialiasing inside strokes.
* ``to_mnist`` crops one digit's ink, brings its stroke width to MNIST's, fits
  it into 20x20 keeping the aspect ratio and puts its centre of mass at (14, 14).

Heavy work runs on small pyramid levels (exact 2x area reductions are cheap in
OpenCV), so a 1000x700 canvas frame prepares in a few hundred microseconds.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from digitdesk.engine.decode import UnreadableImage, full_scale, paper_under

DETAIL_SIDE = 1024    # the largest level ever looked at; crops of digits come from here
COARSE_SIDE = 160     # level used for polarity and levels, and to start segmenting
BACKGROUND_SIDE = 64  # level on which the paper is estimated
SURFACE_OF_SIDE = 4   # a darker surface this share (1/n) of the longer side across is not ink ...
SURFACE_OF_STROKE = 4  # ... if that is also this many times the strokes' width (see _surface_paper)
MIN_SIDE = 96         # tiny bitmaps are upscaled to this first, so morphology has room
MAX_ASPECT = 16       # longer, thinner pictures get paper added until this, so every level keeps some width
WORK_SIDE = 8 * DETAIL_SIDE   # a longer array (the API's; files are reduced while decoding) is shrunk first:
                              # padding a 1x200000 strip to MAX_ASPECT took gigabytes
PAPER_FLOOR = 64      # paper is never taken as darker than this (see darkness())
FIRST_PASS_INK = 25   # darker than the closed paper by this much (of 255) is surely ink
CLEAR_SKEW = 0.5      # local contrast skewed more than this shows which shade the ink is
MIN_CONTRAST = 40     # ink must be this much darker than its paper (of 255) to count
WEAK_CONTRAST = 2     # ink less than this many times MIN_CONTRAST darker may be a faint shadow's: look again ...
BROAD = 3             # ... and where pixels fainter than the ink's core survive an opening this wide ...
BROAD_SHARE = 0.5     # ... for at least this share of them, they are a shadow, not the soft edges of strokes
MIN_COHERENCE = 0.25  # below this the "ink" is pixel noise, not strokes (see _coherence)
FINER_LOOK = 2        # a page blank on the coarse level is looked at this many halvings finer
MASK_LEVEL = 0.25     # soft ink above this belongs to a stroke when finding components

MNIST_BOX = 20        # MNIST fits each digit into 20x20 ...
MNIST_SIDE = 28       # ... and centres its mass in 28x28 at (14, 14)
NORM_SIDE = 64        # stroke widths are measured and adjusted at this size (long side)
# MNIST's stroke width measured with stroke_width() at NORM_SIDE: median 6.9 px over
# the test set (5th-95th percentile 4.6-10.7). Strokes more than a pixel off
# are eroded or dilated to it.
MNIST_STROKE = 7.0


def to_gray(image) -> np.ndarray:
    """Any picture as (H, W) uint8 grey; transparency becomes white paper (black under light ink).

    Accepts PIL images and arrays: grey (H, W) or (H, W, 1), RGB, RGBA, in
    uint8, other integers, bool or float (0-1 or 0-255; NaN and infinities
    count as black). Anything else raises UnreadableImage saying why.
    """
    if hasattr(image, "mode") and hasattr(image, "size") and not isinstance(image, np.ndarray):
        image = _pil_to_array(image)
    try:
        array = np.asarray(image)
    except Exception as exc:   # ragged nested lists and other things that are no grid of pixels
        raise UnreadableImage("not an image: its pixels do not form a grid") from exc
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise UnreadableImage(f"expected a grey, RGB or RGBA image, got an array of shape {array.shape}")
    if array.size == 0:
        raise UnreadableImage("the image has no pixels")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool) or np.iscomplexobj(array):
        raise UnreadableImage(f"the image's pixels are not brightness values (they are {array.dtype.name})")
    array = _as_uint8(array)
    if array.ndim == 2:
        return array
    if array.shape[2] == 4:   # on white paper, or black under light ink, as a decoded file is
        alpha = array[:, :, 3:4].astype(np.float32) * (1 / 255)
        rgb = array[:, :, :3].astype(np.float32) * alpha + float(paper_under(array)) * (1.0 - alpha)
        array = np.rint(rgb).astype(np.uint8)
    return cv2.cvtColor(np.ascontiguousarray(array), cv2.COLOR_RGB2GRAY)


def _pil_to_array(image) -> np.ndarray:
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        return np.asarray(image.convert("RGBA"))
    if image.mode in ("L", "RGB"):
        return np.asarray(image)
    if image.mode.startswith("I") or image.mode == "F":
        return np.asarray(image)  # scaled by _as_uint8
    return np.asarray(image.convert("RGB"))


def _as_uint8(array: np.ndarray) -> np.ndarray:
    if array.dtype == np.uint8:
        return array
    if array.dtype == bool:
        return array.astype(np.uint8) * 255
    if np.issubdtype(array.dtype, np.floating):
        array = np.nan_to_num(array, nan=0.0, posinf=0.0, neginf=0.0)
        if array.dtype.itemsize > 4:   # beyond float32's range it would overflow to infinity
            limit = float(np.finfo(np.float32).max)
            array = np.clip(array, -limit, limit)
    values = np.maximum(array.astype(np.float32), 0.0)   # below black is black (and cannot overflow when scaled)
    high = float(values.max()) if values.size else 0.0
    if np.issubdtype(array.dtype, np.floating) and high <= 1.0:
        values = values * 255.0
    elif high > 255.0:   # 10-16 bits: the smallest depth that holds the brightest value, as decode does
        values = values * (255.0 / (full_scale(high) if high <= 65535.0 else high))
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def half(image: np.ndarray) -> np.ndarray:
    """Exact 2x2 area reduction (even sides, so OpenCV's fast path applies)."""
    h, w = image.shape[:2]
    return cv2.resize(image[: h // 2 * 2, : w // 2 * 2], (w // 2, h // 2), interpolation=cv2.INTER_AREA)


def _halvings(side: int, limit: int) -> int:
    levels = 0
    while side > limit:
        side //= 2
        levels += 1
    return levels


@dataclass(frozen=True)
class Levels:
    """How dark (0-255, relative to the paper) means "no ink" and "full ink"."""
    low: float
    high: float
    empty: bool
    # when `low` comes from a second split (a shadow's soft edge passed for ink): the first split's floor,
    # which holds against paper measured right beside each stroke, where no shadow is left (Page.mask, local)
    local_low: float | None = None

    def table(self) -> np.ndarray:
        span = max(self.high - self.low, 1.0)
        return np.clip((np.arange(256, dtype=np.float32) - self.low) / span, 0.0, 1.0).astype(np.float32)


@dataclass(frozen=True)
class InkCrop:
    """Ink of a rectangle of the page; its pixel (0, 0) is detail pixel (x0, y0), each `scale` wide."""
    ink: np.ndarray  # float32 in [0, 1], bright on black
    x0: int
    y0: int
    scale: int


class Page:
    """One analysed picture: its paper, polarity and ink levels, and ink at any level of detail.

    Coordinates: ``detail`` pixels are ``factor`` original pixels wide (factor < 1
    when a tiny bitmap was upscaled); the pyramid's level k halves k times, so
    the coarse level's pixels are ``coarse_scale`` = 2**k detail pixels wide.
    The coarse level starts at most COARSE_SIDE wide; refine() moves it finer.
    """

    def __init__(self, image):
        gray = to_gray(image)
        self.shape = gray.shape  # original (H, W)
        shrink = -(-max(gray.shape) // WORK_SIDE)
        if shrink > 1:
            gray = cv2.resize(gray, (max(1, gray.shape[1] // shrink), max(1, gray.shape[0] // shrink)),
                              interpolation=cv2.INTER_AREA)
        gray = _with_room(gray)
        longest = max(gray.shape)
        if longest < MIN_SIDE:
            up = -(-MIN_SIDE // longest)
            gray = cv2.resize(gray, (gray.shape[1] * up, gray.shape[0] * up), interpolation=cv2.INTER_LINEAR)
            self.factor = 1.0 / up
        else:
            k = _halvings(longest, DETAIL_SIDE)
            for _ in range(k):
                gray = half(gray)
            self.factor = float(2 ** k * shrink)
        self.pyramid = [gray]  # detail, then halved down to the coarse level; kept for digit crops
        for _ in range(_halvings(max(gray.shape), COARSE_SIDE)):
            self.pyramid.append(half(self.pyramid[-1]))
        coarse = self.pyramid[-1]
        coarse_scale = 2 ** (len(self.pyramid) - 1)

        thumb = coarse  # small, but keeping a few dozen rows even for a long strip of digits
        k = min(_halvings(max(coarse.shape), BACKGROUND_SIDE), _halvings(min(coarse.shape), BACKGROUND_SIDE // 2))
        for _ in range(k):
            thumb = half(thumb)
        self.inverted = _ink_is_light(thumb, coarse)
        if self.inverted:
            coarse, thumb = 255 - coarse, 255 - thumb
        self.background_scale = coarse_scale * 2 ** k
        self.background = _paper(thumb)

        paper = self._paper_under(coarse.shape, 2 ** k)
        self._surface = _surface_paper(coarse, paper)
        self._surface_scale = coarse_scale
        dark = darkness(coarse, self._capped(paper, 0, 0, coarse_scale))
        self.levels = _levels(dark)
        self._table = self.levels.table()
        self.empty = self.levels.empty or _coherence(dark) < MIN_COHERENCE
        self.coarse_dark = np.zeros_like(dark) if self.empty else dark
        self.level = len(self.pyramid) - 1  # the pyramid level coarse_dark describes
        if self.empty:
            self._look_finer()

    def _look_finer(self) -> None:
        """A page blank on the coarse level, looked at FINER_LOOK times finer: thin or faint strokes of a
        big photo (8 px of pencil in 4000 px) are averaged away with their paper on the coarse level."""
        level = max(0, len(self.pyramid) - 1 - FINER_LOOK)
        if level == self.level:
            return
        dark = self._darkness_at(level)
        levels = _levels(dark)
        if levels.empty or _coherence(dark) < MIN_COHERENCE:
            return
        self.levels, self._table, self.empty = levels, levels.table(), False
        self.coarse_dark, self.level = dark, level

    @property
    def detail(self) -> np.ndarray:
        return self.pyramid[0]

    @property
    def coarse_scale(self) -> int:
        return 2 ** self.level

    def refine(self) -> bool:
        """Move the coarse level one step finer (small digits need it to be segmented); False at the finest."""
        if self.level == 0 or self.empty:
            return False
        self.level -= 1
        self.coarse_dark = self._darkness_at(self.level)
        return True

    def _darkness_at(self, level: int) -> np.ndarray:
        """Pyramid level `level`'s darkness against the page's paper, ink made the dark shade."""
        gray = self.pyramid[level]
        if self.inverted:
            gray = 255 - gray
        scale = 2 ** level
        paper = self._paper_under(gray.shape, self.background_scale // scale)
        return darkness(gray, self._capped(paper, 0, 0, scale))

    @property
    def coarse_ink(self) -> np.ndarray:
        """Ink at the coarse level (float32 in [0, 1])."""
        return cv2.LUT(self.coarse_dark, self._table)

    def coarse_mask(self, level: float) -> np.ndarray:
        """uint8 0/1 mask of coarse pixels whose ink reaches `level` (cheaper than thresholding coarse_ink)."""
        if self.empty:
            return np.zeros_like(self.coarse_dark)
        return self.mask(self.coarse_dark, level)

    def stroke_darkness(self, x0: int, y0: int, x1: int, y1: int, width: int) -> np.ndarray:
        """Darkness of the coarse rectangle [x0, x1) x [y0, y1) against the paper right beside each pixel (uint8).

        The paper estimate is smooth and coarse: a darker surface smaller than
        it, or next to a sharp edge (the shaded end of a sheet held in front of
        a brighter desk), reads as ink against it. Here a pixel is dark only in
        a dark valley narrower than `width` (a closing that wide fills strokes,
        not surfaces), so a surface at least that broad is its own paper and
        only the strokes on it stay dark. Threshold it with mask().
        """
        if self.empty:
            return np.zeros((y1 - y0, x1 - x0), np.uint8)
        gray = self.pyramid[self.level]
        height, full_width = gray.shape
        # a margin, so every square through the rectangle is seen; past the frame there is nothing to see, so
        # a stroke cut off by a tight crop stays a stroke (a surface must show its breadth within the frame)
        top, left = max(y0 - width, 0), max(x0 - width, 0)
        around = gray[top:min(y1 + width, height), left:min(x1 + width, full_width)]
        if self.inverted:
            around = 255 - around
        around = cv2.blur(around, (3, 3))  # a closing picks the brightest grain: even it out first
        side = width | 1  # odd: an even kernel shifts the closing by a pixel
        paper = cv2.morphologyEx(around, cv2.MORPH_CLOSE, np.ones((side, side), np.uint8))
        return darkness(around, paper)[y0 - top:y1 - top, x0 - left:x1 - left]

    def mask(self, dark: np.ndarray, level: float, local: bool = False) -> np.ndarray:
        """uint8 0/1 mask of the pixels of a darkness map (coarse_dark, stroke_darkness()) whose ink reaches `level`;
        `local`: the darkness is against the paper beside each stroke (stroke_darkness)."""
        low = self.levels.local_low if local and self.levels.local_low is not None else self.levels.low
        threshold = low + level * max(self.levels.high - low, 1.0)
        _, mask = cv2.threshold(dark, np.ceil(threshold) - 1, 1, cv2.THRESH_BINARY)
        return mask

    def ink(self, x0: int = 0, y0: int = 0, x1: int | None = None, y1: int | None = None,
            max_side: int = DETAIL_SIDE) -> InkCrop:
        """Ink of the detail-level rectangle [x0, x1) x [y0, y1), at the finest level fitting max_side."""
        height, width = self.detail.shape
        x1 = width if x1 is None else min(x1, width)
        y1 = height if y1 is None else min(y1, height)
        k = _halvings(max(x1 - x0, y1 - y0), max_side)
        level = min(k, len(self.pyramid) - 1)
        step = 2 ** level
        rows, cols = slice(y0 // step, -(-y1 // step)), slice(x0 // step, -(-x1 // step))
        x0, y0 = x0 // step * step, y0 // step * step
        if k == level == self.level:  # the coarse level: its darkness is known already
            return InkCrop(cv2.LUT(self.coarse_dark[rows, cols], self._table), x0, y0, step)
        gray = self.pyramid[level][rows, cols]
        for _ in range(k - level):  # coarser than the pyramid goes (a huge digit)
            gray = half(gray)
        if self.inverted:
            gray = 255 - gray
        scale = 2 ** k
        if self.empty:
            return InkCrop(np.zeros(gray.shape, np.float32), x0, y0, scale)
        return InkCrop(cv2.LUT(self._dark(gray, x0, y0, scale), self._table), x0, y0, scale)

    def _paper_under(self, shape: tuple[int, int], ratio: int) -> np.ndarray:
        """The paper upscaled by an exact integer ratio (cheaper than a warp), edges replicated."""
        h, w = self.background.shape
        paper = cv2.resize(self.background, (w * ratio, h * ratio), interpolation=cv2.INTER_LINEAR)
        return cv2.copyMakeBorder(paper, 0, shape[0] - h * ratio, 0, shape[1] - w * ratio, cv2.BORDER_REPLICATE)

    def _dark(self, gray: np.ndarray, x0: int, y0: int, scale: int) -> np.ndarray:
        """How much darker than the paper each pixel is (uint8, 0 = paper)."""
        b = self.background_scale
        step = scale / b  # background pixels per pixel of `gray`
        transform = np.array([[step, 0.0, (x0 + scale / 2) / b - 0.5],
                              [0.0, step, (y0 + scale / 2) / b - 0.5]])
        paper = cv2.warpAffine(self.background, transform, (gray.shape[1], gray.shape[0]),
                               flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)
        return darkness(gray, self._capped(paper, x0, y0, scale))

    def _capped(self, paper: np.ndarray, x0: int, y0: int, scale: int) -> np.ndarray:
        """The paper, no brighter than a darker surface at the border under it (see _surface_paper).

        `paper`'s pixel (0, 0) is detail pixel (x0, y0), each `scale` detail pixels wide.
        """
        if self._surface is None:
            return paper
        s = self._surface_scale
        if scale == s and x0 == 0 and y0 == 0 and paper.shape == self._surface.shape:
            return np.minimum(paper, self._surface)
        step = scale / s
        transform = np.array([[step, 0.0, (x0 + scale / 2) / s - 0.5],
                              [0.0, step, (y0 + scale / 2) / s - 0.5]])
        cap = cv2.warpAffine(self._surface, transform, (paper.shape[1], paper.shape[0]),
                             flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
        return np.minimum(paper, cap)

    def to_original(self, x: float, y: float) -> tuple[float, float]:
        """A detail-level point in original pixels."""
        return x * self.factor, y * self.factor


def _with_room(gray: np.ndarray) -> np.ndarray:
    """A picture more than MAX_ASPECT times longer than wide, padded with its paper below or to the right.

    Halving a 3x20000 strip to a working size would leave no rows at all. The
    padding takes the picture's median (its paper), so it adds no ink, and the
    original stays at the top left: coordinates are unchanged.
    """
    height, width = gray.shape
    least = -(-max(height, width) // MAX_ASPECT)
    if min(height, width) >= least:
        return gray
    paper = int(np.median(gray))
    return cv2.copyMakeBorder(gray, 0, max(0, least - height), 0, max(0, least - width),
                              cv2.BORDER_CONSTANT, value=paper)


def darkness(gray: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """How much darker than its paper each pixel is, as a share of the paper's brightness (uint8).

    Relative, so grey paper and shadows do not weaken ink; but paper darker
    than PAPER_FLOOR counts as that bright, or its sensor noise would be
    amplified into "ink".
    """
    return cv2.divide(cv2.subtract(paper, gray), np.maximum(paper, PAPER_FLOOR), scale=255)


def _ink_is_light(thumb: np.ndarray, gray: np.ndarray) -> bool:
    """Light ink on dark paper?

    A border mostly of one shade is paper: a canvas (even when a fat stroke
    reaches its edge and covers most of it), a scan, a cropped photo. Otherwise
    (a shadow across the page) ink is told by being the minority around it: the
    local contrast (pixel - local mean) of `gray` is skewed its way, which
    smooth lighting does not change.
    """
    _, light = cv2.threshold(thumb, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    border = np.concatenate([light[0], light[-1], light[:, 0], light[:, -1]])
    light_border = float(border.mean())
    if light_border >= 0.75 or light_border <= 0.25:
        return light_border <= 0.25
    size = max(3, max(gray.shape) // 4) | 1
    residual = gray.astype(np.float32) - cv2.blur(gray, (size, size)).astype(np.float32)
    spread = float(np.mean(residual ** 2))
    skewness = float(np.mean(residual ** 3)) / spread ** 1.5 if spread > 0 else 0.0
    return skewness > CLEAR_SKEW  # ink makes it clearly skewed (|2| and more); when unclear, dark ink


def _paper(gray: np.ndarray) -> np.ndarray:
    """The paper under the ink, estimated on a thumbnail in two passes.

    A closing wider than any stroke erases the ink, but it brightens every dip
    narrower than itself, so on its own the dark side of a shadow would read as
    ink. It only serves to find the ink: the pixels clearly darker than it are
    replaced by it, and a median of the result is the paper. The median follows
    shading closely, and with the ink filled in, dense bold digits cannot
    darken it.
    """
    closed = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, np.ones((_odd(gray, 3),) * 2, np.uint8),
                              borderType=cv2.BORDER_REPLICATE)
    dark = darkness(gray, closed)
    threshold = _otsu(dark)
    ink = cv2.dilate((dark > max(threshold, FIRST_PASS_INK)).astype(np.uint8), np.ones((3, 3), np.uint8))
    filled = np.where(ink > 0, closed, gray)
    small = half(filled)  # OpenCV's wide medians are slow: take it on a 2x smaller image
    paper = cv2.medianBlur(small, max(7, _odd(small, 5)))
    paper = cv2.resize(paper, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    paper = cv2.GaussianBlur(paper, (5, 5), 0, borderType=cv2.BORDER_REPLICATE)
    return np.maximum(paper, 1)


def _surface_paper(gray: np.ndarray, paper: np.ndarray) -> np.ndarray | None:
    """Where a darker surface reaches the picture's border, its own brightness as a cap on the paper; else None.

    The paper estimate is smooth, so across a sharp edge (a sheet held over a
    darker desk, a hard shadow) it stays too bright on the dark side, which
    would read as a band of ink along the edge. A closing as wide as a quarter
    of the picture fills every stroke but keeps such a surface and its edge;
    surfaces darker than the paper that reach the border (ink does not fill
    the frame that widely) keep that as their paper. The cap reaches a pixel
    past the surface, so scaled-up pixels never mix the edge back in. 255
    means "no cap".
    """
    if not _dark_border(gray, paper):
        return None  # the usual case, cheap to tell: a closing only brightens, so no surface can reach the border
    side = max(3, max(gray.shape) // SURFACE_OF_SIDE) | 1
    # paper beyond the border: a stroke cut off by the frame is not taken for a surface running on past it
    closed = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, np.ones((side, side), np.uint8),
                              borderType=cv2.BORDER_CONSTANT, borderValue=255)
    darker = (darkness(closed, paper) > FIRST_PASS_INK).astype(np.uint8)
    if not darker.any():
        return None  # the usual case: no surface darker than the paper
    _, regions = cv2.connectedComponents(darker, connectivity=8)
    at_border = np.unique(np.concatenate((regions[0], regions[-1], regions[:, 0], regions[:, -1])))
    at_border = at_border[at_border > 0]
    if at_border.size == 0:
        return None
    surface = cv2.dilate(np.isin(regions, at_border).astype(np.uint8), np.ones((3, 3), np.uint8))
    if side < SURFACE_OF_STROKE * _stroke_width_outside(gray, paper, surface):
        return None  # as broad as a few strokes: the ink itself, a bold digit cropped tightly
    return np.where(surface > 0, cv2.erode(closed, np.ones((3, 3), np.uint8)), 255).astype(np.uint8)


def _dark_border(gray: np.ndarray, paper: np.ndarray) -> bool:
    """Is any pixel on the picture's edge clearly darker than the paper?"""
    def edge(image: np.ndarray) -> np.ndarray:
        return np.concatenate((image[0], image[-1], image[:, 0], image[:, -1]))
    return int(darkness(edge(gray), edge(paper)).max()) > FIRST_PASS_INK


def _stroke_width_outside(gray: np.ndarray, paper: np.ndarray, surface: np.ndarray) -> float:
    """Stroke width (pixels) of the ink that is not on the surface (0 when there is none)."""
    dark = darkness(gray, paper)
    levels = _levels(dark)
    if levels.empty:
        return 0.0
    ink = ((dark >= levels.low + MASK_LEVEL * (levels.high - levels.low)) & (surface == 0)).astype(np.float32)
    return stroke_width(ink)


def _odd(image: np.ndarray, fraction: int) -> int:
    """An odd kernel size of 1/fraction of the image's typical side (at least 3)."""
    return max(3, int(np.sqrt(image.shape[0] * image.shape[1])) // fraction) | 1


def _levels(dark: np.ndarray) -> Levels:
    """Noise floor and ink core of a darkness map, from the histogram of every other pixel.

    Weak contrast above the first split can mean a broad faint region (the soft
    edge of a shadow, which the smooth paper estimate misses) outnumbers thin
    ink, so the split fell between paper and shadow: the darker side is then
    split once more. A core clearly darker than the rest is the ink when there
    was no ink otherwise, or when the rest is broad, not the soft edges of strokes;
    the first split's floor is kept for strokes measured against the paper right
    beside them (Levels.local_low), where the shadow is gone.
    """
    sample = np.ascontiguousarray(dark[::2, ::2])
    threshold = _otsu(sample)
    counts = np.cumsum(cv2.calcHist([sample], [0], None, [256], [0, 256]).ravel())
    noise = float(np.searchsorted(counts, counts[threshold] / 2.0)) / 0.6745  # paper darkness is ~half-normal noise
    floor = min(3.0 * noise, 0.6 * threshold)
    levels = _ink_above(counts, threshold, floor)
    if levels.empty or levels.high - levels.low < WEAK_CONTRAST * MIN_CONTRAST:
        faint = sample[sample > threshold]
        second = _otsu(faint.reshape(1, -1)) if faint.size else threshold
        deeper = _ink_above(counts, second, max(levels.low, 0.6 * second))
        if not deeper.empty and (levels.empty or _mostly_broad(sample, threshold, second)):
            return replace(deeper, local_low=floor)
    return levels


def _mostly_broad(sample: np.ndarray, low: int, high: int) -> bool:
    """Do the pixels darker than `low` but not than `high` mostly form broad regions, not thin ones?"""
    between = cv2.inRange(sample, low + 1, high)
    broad = cv2.morphologyEx(between, cv2.MORPH_OPEN, np.ones((BROAD, BROAD), np.uint8))
    return cv2.countNonZero(broad) >= BROAD_SHARE * cv2.countNonZero(between)


def _otsu(values: np.ndarray) -> int:
    return int(cv2.threshold(values, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0])


def _ink_above(counts: np.ndarray, split: int, low: float) -> Levels:
    """Levels of the ink darker than `split` (counts: the cumulative histogram); the ink core is its median."""
    below, total = counts[split], counts[-1]
    if total - below < max(2.0, total * 1e-4):
        return Levels(0.0, 255.0, True)
    high = float(np.searchsorted(counts, (below + total) / 2.0))
    return Levels(low, high, high - low < MIN_CONTRAST)


def _coherence(dark: np.ndarray) -> float:
    """Share of the ink's variance that survives a 3x3 box blur.

    Strokes are several pixels wide and keep most of it (0.5-0.9); independent
    pixel noise keeps about 1/9.
    """
    variance = float(cv2.meanStdDev(dark)[1][0, 0]) ** 2
    if variance < 1e-6:
        return 0.0
    return float(cv2.meanStdDev(cv2.blur(dark, (3, 3)))[1][0, 0]) ** 2 / variance


def ink_map(image, max_side: int = DETAIL_SIDE) -> np.ndarray:
    """The whole picture as an ink map: float32 in [0, 1], ink bright on black, paper removed.

    Pictures larger than max_side are reduced by halving; tiny ones come back at
    their original size.
    """
    page = Page(image)
    height, width = page.shape
    ink = page.ink(0, 0, int(np.ceil(width / page.factor)), int(np.ceil(height / page.factor)), max_side).ink
    if page.factor < 1:
        ink = cv2.resize(ink, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_AREA)
    return ink


# --- MNIST preparation of one digit --------------------------------------------------------

def ink_bounds(ink: np.ndarray, level: float = 0.05) -> tuple[int, int, int, int] | None:
    """(x, y, w, h) of the pixels above level, or None when there are none."""
    mask = (ink > level).astype(np.uint8)
    x, y, w, h = cv2.boundingRect(mask)
    return None if w == 0 or h == 0 else (x, y, w, h)


def stroke_width(ink: np.ndarray) -> float:
    """Typical stroke width in pixels: ink area / half the length of its outline.

    A stroke of width w and length L has area w*L and an outline of about 2*L,
    loops included (inner plus outer outline). The area is the soft ink's sum,
    so a faint hairline measures thinner than a pixel, as it is.
    """
    mask = (ink >= 0.25).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    outline = sum(cv2.arcLength(c, True) for c in contours)
    if outline == 0:
        return 0.0
    return 2.0 * float(ink.sum()) / max(outline, 2.0)


def normalise_stroke(ink: np.ndarray) -> np.ndarray:
    """Thin fat strokes (marker, fat canvas pens) and thicken hairlines to MNIST's weight.

    `ink` is a tight crop whose longer side is NORM_SIDE. Grey erosion/dilation
    of the soft map keeps the antialiasing. Erosion keeps at least a third of
    the stroke, so narrow parts of a fat stroke survive.
    """
    width = stroke_width(ink)
    if width <= 0:
        return ink
    radius = int(round((width - MNIST_STROKE) / 2))
    if radius > 0:
        radius = min(radius, int(width / 3))
        if radius >= 1:
            return cv2.erode(ink, _disc(radius))
    elif radius < 0:
        radius = -radius
        padded = cv2.copyMakeBorder(ink, radius, radius, radius, radius, cv2.BORDER_CONSTANT, value=0)
        return cv2.dilate(padded, _disc(radius))
    return ink


def _disc(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def to_mnist(ink: np.ndarray) -> np.ndarray:
    """One digit's ink crop (bright on black) as the model's (28, 28) float32 input.

    MNIST's recipe: crop to the ink, fit into 20x20 keeping the aspect ratio (a
    '1' stays thin), then shift by whole pixels so the centre of mass sits at
    (14, 14), without pushing ink off the frame. Before fitting, the ink is
    brought to full strength and its strokes to MNIST's weight. All zeros when
    there is no ink.
    """
    ink = np.asarray(ink, dtype=np.float32)
    out = np.zeros((MNIST_SIDE, MNIST_SIDE), np.float32)
    bounds = ink_bounds(ink)
    if bounds is None:
        return out
    x, y, w, h = bounds
    crop = normalise_stroke(_full_strength(_resized(ink[y:y + h, x:x + w], NORM_SIDE)))
    bounds = ink_bounds(crop)
    if bounds is None:
        return out
    x, y, w, h = bounds
    digit = _full_strength(_resized(crop[y:y + h, x:x + w], MNIST_BOX))

    h, w = digit.shape
    mass = float(digit.sum())
    if mass <= 0:
        return out
    cy = float(digit.sum(axis=1) @ np.arange(h, dtype=np.float32)) / mass
    cx = float(digit.sum(axis=0) @ np.arange(w, dtype=np.float32)) / mass
    top = min(max(round(MNIST_SIDE / 2 - cy), 0), MNIST_SIDE - h)  # builtins: np.clip on a scalar costs ~5 us
    left = min(max(round(MNIST_SIDE / 2 - cx), 0), MNIST_SIDE - w)
    out[top:top + h, left:left + w] = digit
    return out


def _full_strength(ink: np.ndarray) -> np.ndarray:
    """Scale so the strongest ink is 1, as in MNIST (faint pencil and downscaled hairlines alike)."""
    peak = float(ink.max())
    return ink if peak <= 0 or peak == 1.0 else np.minimum(ink * (1.0 / peak), 1.0)


def _resized(crop: np.ndarray, long_side: int) -> np.ndarray:
    """Scale so the longer side is long_side, keeping the aspect ratio (short side >= 1).

    Reductions by up to 2x (all a digit crop needs before NORM_SIDE) interpolate
    linearly, several times cheaper than area averaging and as smooth on
    antialiased ink.
    """
    h, w = crop.shape
    scale = long_side / max(h, w)
    size = (max(1, int(round(w * scale))), max(1, int(round(h * scale))))
    if size == (w, h):
        return crop
    interpolation = cv2.INTER_AREA if scale < 0.5 else cv2.INTER_LINEAR
    return cv2.resize(crop, size, interpolation=interpolation)
