"""QR codes: encoding (matrix, PNG, SVG) and reading them from hostile or messy images."""

from __future__ import annotations

import io
import os
import struct
import time
import zlib

import pytest
from PIL import Image, ImageFile, ImageFilter

from diploma_exchange.documents.qr import qr_matrix, qr_png, qr_svg, read_qr_codes
from diploma_exchange.errors import InvalidInput, LimitExceeded

URL = "http://localhost:8000/s/abc123def456ghi789jkl012mno345pqr678"


def _png_bytes(image: Image.Image, format: str = "PNG", **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **params)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header claims ``width`` × ``height`` 8-bit gray pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def _code(excinfo: pytest.ExceptionInfo[InvalidInput]) -> str:
    return excinfo.value.code


# ---- encoding ---------------------------------------------------------------------------------


def test_matrix_is_a_square_qr_symbol() -> None:
    matrix = qr_matrix(URL)
    size = len(matrix)
    assert size >= 21 and (size - 17) % 4 == 0  # versions 1..40, no Micro QR
    assert all(len(row) == size and all(isinstance(m, bool) for m in row) for row in matrix)
    # The three finder patterns: a dark 7x7 ring at three corners.
    for top, left in ((0, 0), (0, size - 7), (size - 7, 0)):
        assert all(matrix[top][left + i] and matrix[top + 6][left + i] for i in range(7))


def test_png_and_svg_encode_the_text() -> None:
    png = qr_png(URL, scale=4)
    assert png.startswith(b"\x89PNG")
    assert read_qr_codes(png) == [URL]
    svg = qr_svg(URL)
    assert svg.startswith("<svg") and "<path" in svg and svg.rstrip().endswith("</svg>")


def test_empty_and_oversized_texts_are_refused() -> None:
    with pytest.raises(InvalidInput) as empty:
        qr_matrix("")
    assert _code(empty) == "qr-empty"
    with pytest.raises(LimitExceeded) as huge:
        qr_png("x" * 8000)
    assert _code(huge) == "qr-too-long"


# ---- reading ----------------------------------------------------------------------------------


def test_reads_one_code_and_deduplicates() -> None:
    code = Image.open(io.BytesIO(qr_png(URL, scale=5)))
    double = Image.new("L", (code.width * 2 + 40, code.height + 20), 255)
    double.paste(code, (10, 10))
    double.paste(code, (code.width + 30, 10))
    assert read_qr_codes(_png_bytes(double)) == [URL]


@pytest.mark.parametrize(
    ("format", "params"),
    [("JPEG", {"quality": 85}), ("WEBP", {}), ("GIF", {}), ("BMP", {}), ("TIFF", {})],
)
def test_reads_every_accepted_format(format: str, params: dict[str, object]) -> None:
    image = Image.open(io.BytesIO(qr_png(URL, scale=5))).convert("RGB")
    assert read_qr_codes(_png_bytes(image, format, **params)) == [URL]


def test_reads_a_phone_photo() -> None:
    """Rotated 7°, slightly blurred, noisy, JPEG quality 60, on a larger textured background."""
    code = Image.open(io.BytesIO(qr_png(URL, scale=6))).convert("L")
    tilted = code.rotate(7, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    photo = Image.effect_noise((1600, 1200), 40).point(lambda v: 90 + v // 3)
    photo.paste(tilted, (430, 260))
    photo = photo.filter(ImageFilter.GaussianBlur(1.2))
    noise = Image.effect_noise(photo.size, 25)
    photo = Image.blend(photo, noise, 0.12).convert("RGB")
    assert read_qr_codes(_png_bytes(photo, "JPEG", quality=60)) == [URL]


@pytest.mark.parametrize(
    ("scale", "dark", "light", "blur"),
    [(3, 120, 135, 0.0), (2, 100, 140, 1.0)],
    ids=["faint-scan", "small-and-blurred"],
)
def test_retries_a_cleaned_up_image(scale: int, dark: int, light: int, blur: float) -> None:
    """Codes the first decoding pass misses: contrast stretching or upscaling finds them."""
    code = Image.open(io.BytesIO(qr_png(URL, scale=scale))).convert("L")
    code = code.point(lambda v: dark if v < 128 else light)
    if blur:
        code = code.filter(ImageFilter.GaussianBlur(blur))
    assert read_qr_codes(_png_bytes(code)) == [URL]


def test_reads_a_large_photo_after_scaling_it_down() -> None:
    code = Image.open(io.BytesIO(qr_png(URL, scale=30))).convert("L")
    photo = Image.new("L", (5000, 4000), 200)
    photo.paste(code, (1800, 1200))
    start = time.perf_counter()
    assert read_qr_codes(_png_bytes(photo, "JPEG", quality=80)) == [URL]
    assert time.perf_counter() - start < 10


def test_applies_exif_orientation() -> None:
    code = Image.open(io.BytesIO(qr_png(URL, scale=5))).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: viewers turn it 90° clockwise
    jpeg = _png_bytes(code.rotate(90, expand=True), "JPEG", quality=90, exif=exif)
    assert read_qr_codes(jpeg) == [URL]


def test_more_bytes_than_allowed_is_too_large() -> None:
    with pytest.raises(LimitExceeded) as caught:
        read_qr_codes(qr_png(URL), max_bytes=100)
    assert _code(caught) == "image-too-large"


def test_a_header_claiming_60000_by_60000_pixels_is_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    bomb = _png_claiming(60_000, 60_000)
    assert len(bomb) < 200
    for max_pixels in (40_000_000, 10**12):  # ours, then Pillow's own limit
        with pytest.raises(LimitExceeded) as caught:
            read_qr_codes(bomb, max_pixels=max_pixels)
        assert _code(caught) == "image-too-large"


def test_more_pixels_than_allowed_is_too_large() -> None:
    with pytest.raises(LimitExceeded) as caught:
        read_qr_codes(qr_png(URL), max_pixels=1000)
    assert _code(caught) == "image-too-large"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        os.urandom(4096),
        b"%PDF-1.7\n" + os.urandom(200),
        b"\x89PNG\r\n\x1a\n" + os.urandom(100),
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
    ],
    ids=["empty", "random", "pdf", "png-signature-then-junk", "svg"],
)
def test_what_is_not_an_image_is_unreadable(data: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_qr_codes(data)
    assert _code(caught) == "image-unreadable"


def test_a_truncated_image_is_unreadable() -> None:
    png = _png_bytes(Image.effect_noise((400, 400), 60))
    with pytest.raises(InvalidInput) as caught:
        read_qr_codes(png[: len(png) // 2])
    assert _code(caught) == "image-unreadable"


def test_an_unsupported_image_format_is_unreadable() -> None:
    ppm = _png_bytes(Image.open(io.BytesIO(qr_png(URL))).convert("RGB"), "PPM")
    with pytest.raises(InvalidInput) as caught:
        read_qr_codes(ppm)
    assert _code(caught) == "image-unreadable"


def test_an_image_without_a_qr_code() -> None:
    photo = Image.effect_noise((800, 600), 30).filter(ImageFilter.GaussianBlur(3))
    with pytest.raises(InvalidInput) as caught:
        read_qr_codes(_png_bytes(photo))
    assert _code(caught) == "qr-not-found"
