"""QR codes: drawing them (PDF vector, PNG, SVG) and reading them from uploaded images.

Encoding is segno's; decoding is zxing-cpp's. Uploaded images are untrusted: the byte size and
the pixel count (read from the header, before any pixel is decoded) are checked first, only
common raster formats are opened, and every Pillow or zxing failure becomes an
:class:`~diploma_exchange.errors.InvalidInput` with a stable code.

The work of reading an upload is bounded as a whole, not only its size:

- pixels: the header's pixel count (``max_pixels``), Pillow's decompression-bomb check as an
  error rather than a warning, and, for JPEG, decoding at a reduced scale when the photo is
  far larger than what reading a QR code needs;
- scans: a progressive JPEG is decoded once per scan, and nothing in the format limits how
  many scans a file repeats; a 94 KB file of 1,000 scans took 18 s to decode (a 10 MB one
  would take over an hour), so more than :data:`MAX_JPEG_SCANS` scans are refused before
  decoding (counted by walking the JPEG markers, linear in the file);
- frames: only the first frame of an animated GIF, WebP or multi-page TIFF is decoded;
- decoding: the image is scaled down to :data:`MAX_DECODE_SIDE` pixels on its longest side
  before zxing sees it, and zxing runs at most :data:`MAX_DECODE_ATTEMPTS` times (the image,
  then cleaned-up variants). A 2,500-pixel image full of finder-pattern look-alikes took 3 s
  over four attempts; the bound keeps the worst case near 1 s.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

import segno
import zxingcpp
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from diploma_exchange.errors import InvalidInput, LimitExceeded

if TYPE_CHECKING:
    from fpdf import FPDF

#: Pillow format names accepted for uploads.
ACCEPTED_FORMATS: frozenset[str] = frozenset({"PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF"})
#: Modules of white border around a QR code (ISO/IEC 18004 asks for 4).
QUIET_ZONE = 4
#: Longest side, in pixels, above which an upload is scaled down before decoding: a QR code
#: that is readable at all stays readable at this size, and decoding time grows with area.
MAX_DECODE_SIDE = 2000
#: zxing runs on the image and on at most this many minus one cleaned-up variants.
MAX_DECODE_ATTEMPTS = 3
#: Scans of a progressive JPEG (a normal one has about ten; libjpeg decodes each in full).
MAX_JPEG_SCANS = 64

_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def _make(data: str) -> segno.QRCode:
    if not data:
        raise InvalidInput("a QR code needs some text to encode", code="qr-empty")
    try:
        # Level M at least; segno raises it for free when the symbol has room to spare.
        return segno.make(data, error="m", micro=False)
    except segno.DataOverflowError as exc:
        raise LimitExceeded(
            f"{len(data)} characters do not fit in a QR code; use a shorter link",
            code="qr-too-long",
        ) from exc


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of the QR code for ``data`` (error correction M or better), no quiet zone.

    ``True`` is a dark module; rows run top to bottom.

    Raises:
        InvalidInput: ``data`` is empty (code ``qr-empty``).
        LimitExceeded: ``data`` does not fit in a QR code (code ``qr-too-long``).
    """
    return [[bool(module) for module in row] for row in _make(data).matrix]


def draw_qr(pdf: FPDF, data: str, x: float, y: float, size_mm: float) -> None:
    """Draw the QR code for ``data`` as vector graphics on ``pdf``'s current page.

    ``(x, y)`` is the top-left corner and ``size_mm`` the side of the square *including* the
    quiet zone (in the document unit, millimetres for our PDFs). The quiet zone is painted
    white so the code stays readable on a tinted background. Each run of dark modules in a row
    is one rectangle, and all rectangles are filled as a single path, so renderers leave no
    anti-aliasing seams between neighbouring modules.

    Raises:
        InvalidInput: ``data`` is empty (code ``qr-empty``).
        LimitExceeded: ``data`` does not fit in a QR code (code ``qr-too-long``).
    """
    matrix = qr_matrix(data)
    count = len(matrix)
    module = size_mm / (count + 2 * QUIET_ZONE)
    with pdf.local_context():
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(x, y, size_mm, size_mm, style="F")
        with pdf.new_path() as path:
            path.style.fill_color = "#000000"
            path.style.stroke_color = None
            for row_index, row in enumerate(matrix):
                top = y + (QUIET_ZONE + row_index) * module
                col = 0
                while col < count:
                    if not row[col]:
                        col += 1
                        continue
                    start = col
                    while col < count and row[col]:
                        col += 1
                    path.rectangle(
                        x + (QUIET_ZONE + start) * module, top, (col - start) * module, module
                    )


def qr_png(data: str, *, scale: int = 6) -> bytes:
    """A PNG image of the QR code for ``data``, ``scale`` pixels per module, with quiet zone.

    Raises:
        InvalidInput: ``data`` is empty (code ``qr-empty``).
        LimitExceeded: ``data`` does not fit in a QR code (code ``qr-too-long``).
    """
    out = io.BytesIO()
    _make(data).save(out, kind="png", scale=scale, border=QUIET_ZONE)
    return out.getvalue()


def qr_svg(data: str) -> str:
    """An inline ``<svg>`` element of the QR code for ``data`` (scalable, with quiet zone).

    Raises:
        InvalidInput: ``data`` is empty (code ``qr-empty``).
        LimitExceeded: ``data`` does not fit in a QR code (code ``qr-too-long``).
    """
    svg: str = _make(data).svg_inline(scale=4, border=QUIET_ZONE, omitsize=True)
    return svg


def _unreadable(detail: str) -> InvalidInput:
    return InvalidInput(
        f"the upload is not a readable image ({detail}); upload a PNG, JPEG, WEBP, GIF, BMP or "
        "TIFF photo or scan of the QR code",
        code="image-unreadable",
    )


def _too_large(message: str) -> LimitExceeded:
    return LimitExceeded(message, code="image-too-large")


_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def jpeg_scan_count(data: bytes) -> int:
    """The number of scans (SOS segments) of a JPEG, counted by walking its markers.

    Marker segments are skipped by their length (so a thumbnail inside EXIF data does not
    count); after each SOS the entropy-coded data is skipped to the next marker (a 0xFF not
    followed by a stuffed 0x00, a restart marker or fill). Linear in ``len(data)``; stops at
    EOI or at the end of the data. Returns 0 for what is not a JPEG.
    """
    if not data.startswith(b"\xff\xd8"):
        return 0
    scans = 0
    pos = 2
    size = len(data)
    while pos + 1 < size:
        if data[pos] != 0xFF:
            match = _JPEG_MARKER.search(data, pos)
            if match is None:
                break
            pos = match.start()
            continue
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:  # EOI
            break
        if 0xD0 <= marker <= 0xD7 or marker in (0x01, 0xD8):  # no length field
            pos += 2
            continue
        if pos + 4 > size:
            break
        end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA:
            scans += 1
            match = _JPEG_MARKER.search(data, end)
            if match is None:
                break
            pos = match.start()
        else:
            pos = end
    return scans


def _open(image: bytes, max_pixels: int) -> Image.Image:
    """Open, check and decode the upload's first frame as an 8-bit grayscale image."""
    scans = jpeg_scan_count(image)
    if scans > MAX_JPEG_SCANS:
        raise _too_large(
            f"the JPEG has {scans} progressive scans (a photo has about ten, at most "
            f"{MAX_JPEG_SCANS} are decoded); save it again as an ordinary JPEG or PNG"
        )
    try:
        with warnings.catch_warnings():
            # Pillow only *warns* between its own limit and twice it; we want a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Image.open reads the header only; pixels are decoded by load() below.
            img: Image.Image = Image.open(io.BytesIO(image), formats=sorted(ACCEPTED_FORMATS))
            width, height = img.size
            if width <= 0 or height <= 0:
                raise _unreadable("the image has no pixels")
            if width * height > max_pixels:
                raise _too_large(
                    f"the image is {width}×{height} pixels; the limit is {max_pixels} pixels, "
                    "so crop or scale it down"
                )
            # JPEG only: decode straight to grayscale, and at 1/2..1/8 scale when the photo
            # is far bigger than what decoding needs (a no-op for other formats).
            img.draft("L", (MAX_DECODE_SIDE, MAX_DECODE_SIDE))
            # load() decodes the current frame only: frame 0 of an animation or a TIFF.
            img.load()
            img = ImageOps.exif_transpose(img)
            return img.convert("L")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large(f"the image is too large to decode safely: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise _unreadable("unknown or unsupported format") from exc
    except InvalidInput:
        raise
    except Exception as exc:
        # Pillow's plugins report truncated or corrupt files with a wide, undocumented range
        # of exceptions (OSError, ValueError, SyntaxError, EOFError, struct.error, ...).
        raise _unreadable(type(exc).__name__) from exc


def _decode(img: Image.Image) -> list[str]:
    try:
        found = zxingcpp.read_barcodes(img, formats=_QR_ONLY)
    except (RuntimeError, ValueError, TypeError) as exc:
        raise _unreadable("the decoder could not process it") from exc
    return [barcode.text for barcode in found if barcode.valid and barcode.text]


def _retries(img: Image.Image) -> Iterator[Image.Image]:
    """Cleaned-up variants for hard photos and scans, most useful first, made only when
    needed (the caller stops after :data:`MAX_DECODE_ATTEMPTS` attempts in all)."""
    stretched = ImageOps.autocontrast(img, cutoff=2)
    if max(img.size) <= MAX_DECODE_SIDE // 2:
        # Small codes (a few pixels per module) decode better when upscaled smoothly.
        yield stretched.resize((img.width * 2, img.height * 2), Image.Resampling.LANCZOS)
    else:
        yield stretched
    yield stretched.filter(ImageFilter.MedianFilter(3)).point(
        lambda value: 255 if value > 127 else 0
    )


def read_qr_codes(
    image: bytes,
    *,
    max_bytes: int = 10 * 1024 * 1024,
    max_pixels: int = 40_000_000,
) -> list[str]:
    """Decode the QR codes in an uploaded image (a photo, a scan or a screenshot).

    Only PNG, JPEG, WEBP, GIF, BMP and TIFF are opened. The byte size is checked first and
    the pixel count is read from the header before any pixel is decoded, so a small file that
    claims a huge image is refused cheaply. EXIF orientation is applied, very large images are
    scaled down, and when nothing is found the image is retried contrast-stretched,
    binarised and (if small) upscaled.

    Returns:
        The decoded texts, duplicates removed, in the order the decoder found them.

    Raises:
        LimitExceeded: more than ``max_bytes`` bytes or ``max_pixels`` pixels
            (code ``image-too-large``).
        InvalidInput: not an image, an unsupported format, or a truncated or corrupt file
            (code ``image-unreadable``); no QR code was found (code ``qr-not-found``).
    """
    if len(image) > max_bytes:
        raise _too_large(
            f"the image is {len(image)} bytes; the limit is {max_bytes} bytes, "
            "so upload a smaller photo or scan"
        )
    if not image:
        raise _unreadable("the upload is empty")
    img = _open(image, max_pixels)
    if max(img.size) > MAX_DECODE_SIDE:
        img.thumbnail((MAX_DECODE_SIDE, MAX_DECODE_SIDE), Image.Resampling.LANCZOS)
    texts = _decode(img)
    if not texts:
        for _, variant in zip(range(MAX_DECODE_ATTEMPTS - 1), _retries(img), strict=False):
            texts = _decode(variant)
            if texts:
                break
    if not texts:
        raise InvalidInput(
            "no QR code was found in the image; photograph the QR code straight on, in focus "
            "and filling a good part of the picture, or upload the PDF or credential JSON",
            code="qr-not-found",
        )
    return list(dict.fromkeys(texts))


__all__ = [
    "ACCEPTED_FORMATS",
    "MAX_DECODE_ATTEMPTS",
    "MAX_DECODE_SIDE",
    "MAX_JPEG_SCANS",
    "QUIET_ZONE",
    "draw_qr",
    "jpeg_scan_count",
    "qr_matrix",
    "qr_png",
    "qr_svg",
    "read_qr_codes",
]
