"""OCR: text from page images, offline, with Tesseract.

Image-only PDF pages (rendered with pdfium) and PNG, JPEG and TIFF uploads are read by the
``tesseract`` program from Debian (``tesseract-ocr`` with its English model, installed by
``make system-deps``); nothing is downloaded. Tesseract was chosen over RapidOCR (PP-OCR on
onnxruntime) by measurement: on a page rendered from known text both read every character,
but RapidOCR ran words together ("feedhasno owner"), 0.858 character accuracy against
Tesseract's 1.000, at the same speed (about 1.5 s a page on 2 cores). See bench/RESULTS.md.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator

RENDER_SCALE = 3.0  # pdfium renders at 72 dpi x scale: 216 dpi, enough for 10-point print
MAX_PIXELS = 60_000_000  # a page image larger than this is refused, not decoded


class OcrFailed(Exception):
    """Tesseract could not read an image (it stopped, timed out or is missing)."""


def available() -> bool:
    return shutil.which("tesseract") is not None


def read_png(png: bytes, timeout: float) -> str:
    """The text Tesseract reads in one image (PNG bytes), or ``OcrFailed``."""
    program = shutil.which("tesseract")
    if program is None:
        raise OcrFailed("Tesseract is not installed")
    try:
        done = subprocess.run(
            [program, "stdin", "stdout", "-l", "eng", "--psm", "3"],
            input=png,
            capture_output=True,
            timeout=max(timeout, 1.0),
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrFailed("it took longer than the time left for the file") from exc
    except OSError as exc:
        raise OcrFailed(exc.strerror or "Tesseract could not start") from exc
    if done.returncode != 0:
        raise OcrFailed(done.stderr.decode(errors="replace").strip()[:200] or "Tesseract failed")
    return done.stdout.decode("utf-8", errors="replace")


def pdf_page_png(data: bytes, index: int) -> bytes:
    """Page ``index`` (0-based) of a PDF, rendered to PNG for OCR."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        page = document[index]
        width, height = page.get_size()
        scale = RENDER_SCALE
        if width * height * scale * scale > MAX_PIXELS:
            scale = (MAX_PIXELS / max(width * height, 1.0)) ** 0.5
        image = page.render(scale=scale, grayscale=True).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()
    finally:
        document.close()


def image_frames(data: bytes) -> Iterator[bytes]:
    """Each frame of a PNG, JPEG or TIFF upload as PNG bytes (a TIFF may hold many pages)."""
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # larger images raise instead of filling memory
    with Image.open(io.BytesIO(data)) as image:
        for frame in ImageSequence.Iterator(image):
            out = io.BytesIO()
            frame.convert("L").save(out, format="PNG")
            yield out.getvalue()


def image_frame_count(data: bytes) -> int:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with Image.open(io.BytesIO(data)) as image:
        return int(getattr(image, "n_frames", 1))
