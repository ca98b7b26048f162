"""Proof files: photos and scans attached to steps, checked by their content, not their name.

Photos are stored re-encoded from their pixels, without their metadata: a phone's EXIF block
names the device and, often, where the photo was taken (GPS), personal data the proof does not
need (UU 27/2022 on personal data protection, art. 16: collection limited to its purpose). A
photo taken sideways is turned upright first, as its EXIF orientation said.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from flask_babel import gettext as _
from PIL import Image, ImageOps

from outreach.cases.models import Proof
from outreach.core.errors import ServiceError
from outreach.org.models import User

#: content signature -> (content type, extensions a file of that type may carry)
SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
    (b"%PDF-", "application/pdf", {".pdf"}),
]
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: the most pixels a photo may have (a 50-megapixel camera; a larger image is a decompression bomb)
MAX_PIXELS = 50_000_000
#: Pillow's format and save options of each photo type
PHOTO_FORMATS = {"image/jpeg": ("JPEG", {"quality": 90, "optimize": True}),
                 "image/png": ("PNG", {"optimize": True}),
                 "image/webp": ("WEBP", {"quality": 90})}


@dataclass(frozen=True)
class Upload:
    """A file as received from a form."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Accepted:
    """An upload that passed the checks, as it is stored: photos without their metadata."""

    name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def human_size(size: int) -> str:
    """A byte count as "10 MB" or "500 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size // 1024} KB"


def sniff(data: bytes) -> tuple[str, set[str]] | None:
    """The content type of the data and its allowed extensions, or None if not accepted."""
    for signature, content_type, extensions in SIGNATURES:
        if data.startswith(signature):
            return content_type, extensions
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", {".webp"}
    return None


def checked_upload(upload: Upload, max_bytes: int = DEFAULT_MAX_BYTES,
                   field: str = "proof") -> Accepted:
    """The upload as it is stored (a safe file name, its content type, a photo's pixels
    without metadata), or a ServiceError (at `field`) naming what is wrong with the file:
    empty, too large, not a photo or PDF, a lying extension, a photo that cannot be read."""
    name = PurePath(upload.filename.replace("\\", "/")).name[:200] or "bukti"
    if not upload.data:
        raise ServiceError(_("The file %(name)s is empty.", name=name), field)
    if len(upload.data) > max_bytes:
        raise ServiceError(_("The file %(name)s is larger than %(size)s.", name=name,
                             size=human_size(max_bytes)), field)
    found = sniff(upload.data)
    if found is None:
        raise ServiceError(_("The file %(name)s is not a photo (JPEG, PNG, WebP) or a PDF scan.",
                             name=name), field)
    content_type, extensions = found
    if PurePath(name).suffix.lower() not in extensions:
        raise ServiceError(_("The file %(name)s does not match its extension.", name=name),
                           field)
    data = upload.data
    if content_type in PHOTO_FORMATS:
        data = without_metadata(upload.data, content_type, name, field)
    return Accepted(name, content_type, data)


def without_metadata(data: bytes, content_type: str, name: str, field: str = "proof") -> bytes:
    """The photo re-encoded from its pixels, upright, with no EXIF, XMP or text chunks."""
    image_format, options = PHOTO_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ServiceError(_("The photo %(name)s has more than %(n)d megapixels.",
                                         name=name, n=MAX_PIXELS // 1_000_000), field)
                upright = ImageOps.exif_transpose(image)
                if image_format == "JPEG" and upright.mode not in ("RGB", "L"):
                    upright = upright.convert("RGB")
                clean = upright.copy()
                clean.info = {}  # EXIF (GPS, device), XMP, ICC, PNG text: none carried over
                out = io.BytesIO()
                clean.save(out, image_format, **options)
                return out.getvalue()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ServiceError(_("The photo %(name)s has more than %(n)d megapixels.", name=name,
                             n=MAX_PIXELS // 1_000_000), field) from error
    except (OSError, ValueError, SyntaxError) as error:
        raise ServiceError(_("The photo %(name)s cannot be read. Take it again or send it as "
                             "a PDF scan.", name=name), field) from error


def make_proof(upload: Upload, uploader: User, max_bytes: int = DEFAULT_MAX_BYTES) -> Proof:
    """A Proof for the upload, or a ServiceError naming what is wrong with the file."""
    accepted = checked_upload(upload, max_bytes)
    return Proof(filename=accepted.name, content_type=accepted.content_type,
                 size=len(accepted.data), sha256=accepted.sha256, data=accepted.data,
                 uploaded_by_id=uploader.id)
