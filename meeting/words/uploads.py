"""Checking attached work by what it is, not what it is called: a PNG or JPEG image (read
and re-encoded without its metadata) or a PDF; anything else is refused, saying why."""

import hashlib
import re
import warnings
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import Invalid

# The largest file taken; the request as a whole may be a little larger (`REQUEST_LIMIT`).
LIMIT = 10 * 1024 * 1024
# A request carrying a file, its name and the form around it.
REQUEST_LIMIT = LIMIT + 256 * 1024
# The most pixels an image may have: a photo from any phone, never a decompression bomb.
MAX_PIXELS = 50_000_000
# Where a PDF's end-of-file mark must be (writers may add a few bytes after it).
EOF_WINDOW = 1024
FIELD = "work"
KINDS = "a PNG or JPEG picture, or a PDF"
# What marks web content: a page or an SVG drawing can carry script, and is never taken.
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)", re.I)
# What in a PDF would run or open something when it is read.
_ACTIVE_PDF = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFile|RichMedia|OpenAction)\b")


@dataclass(frozen=True)
class Checked:
    """A file that passed: the bytes to keep, what they are, and their digest."""

    name: str
    media_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def megabytes(size: int) -> str:
    """Say a size in megabytes, as a person reads it ("10 MB", "12.4 MB")."""
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"


def _refuse(message: str) -> Invalid:
    return Invalid({FIELD: message})


def shown_name(name: str | None) -> str:
    """Return the file's own name, without any folder the device put before it."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = "".join(ch for ch in base if ch.isprintable())
    return base[:200] or "attached work"


def check(name: str | None, data: bytes, limit: int = LIMIT) -> Checked:
    """Return the file as it will be kept, or raise `Invalid` saying what is wrong with it."""
    called = shown_name(name)
    if not data:
        raise _refuse(f"“{called}” is empty. Choose the file again.")
    if len(data) > limit:
        raise _refuse(
            f"“{called}” is {megabytes(len(data))}; the largest file that can be attached is "
            f"{megabytes(limit)}. A photo of a drawing taken at a smaller size will fit."
        )
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Checked(called, "image/png", _clean_image(called, data, "PNG"))
    if data.startswith(b"\xff\xd8\xff"):
        return Checked(called, "image/jpeg", _clean_image(called, data, "JPEG"))
    if data.startswith(b"%PDF-"):
        return Checked(called, "application/pdf", _checked_pdf(called, data))
    if _MARKUP.search(head) or head.startswith(b"<"):
        raise _refuse(
            f"“{called}” is a web page or an SVG drawing, not a picture or a PDF, and it "
            f"could run code, so it was not attached. Attach {KINDS}."
        )
    raise _refuse(f"“{called}” is not {KINDS}, so it was not attached. Attach {KINDS}.")


def _clean_image(called: str, data: bytes, kind: str) -> bytes:
    """Read an image whole and write it anew: only its pixels are kept, never its metadata
    (a phone's photo says where it was taken)."""
    broken = _refuse(
        f"“{called}” looks like a {kind} picture but could not be read. Attach it again."
    )
    unreadable = (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                found, (width, height) = probe.format, probe.size
                if found == kind and width * height <= MAX_PIXELS:
                    probe.verify()
    except (*unreadable, Image.DecompressionBombError):
        raise broken from None
    if found != kind:
        raise broken
    if width * height > MAX_PIXELS:
        raise _refuse(
            f"“{called}” is {width} × {height} pixels, too large a picture to show. "
            "Take the photo at a smaller size."
        )
    try:
        with Image.open(BytesIO(data)) as image:
            image.load()
            # Turned as the camera meant, since the note saying so goes with the rest.
            upright = ImageOps.exif_transpose(image)
            if upright.mode in ("P", "PA", "LA"):
                upright = upright.convert("RGBA")
            # Pixels alone, into a new image: no text chunk, EXIF or XMP can come along.
            clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    except unreadable:
        raise broken from None
    out = BytesIO()
    if kind == "JPEG":
        if clean.mode not in ("RGB", "L", "CMYK"):
            clean = clean.convert("RGB")
        clean.save(out, format="JPEG", quality=90)
    else:
        clean.save(out, format="PNG")
    return out.getvalue()


def _checked_pdf(called: str, data: bytes) -> bytes:
    """Take a PDF as sent, once it ends as a PDF ends and carries no web page or script."""
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise _refuse(
            f"“{called}” starts like a PDF but does not end like one. Save it as a PDF again."
        )
    if _MARKUP.search(data):
        raise _refuse(
            f"“{called}” holds a web page inside it, so it was not attached. Save it as a "
            "PDF again, or attach a photo of it."
        )
    if _ACTIVE_PDF.search(data):
        raise _refuse(
            f"“{called}” holds a script or something that opens by itself, so it was not "
            "attached. Print it to a new PDF, or attach a photo of it."
        )
    return data
