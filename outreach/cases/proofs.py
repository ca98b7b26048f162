"""Proof files: photos and scans attached to steps, checked by their content, not their name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from flask_babel import gettext as _

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


@dataclass(frozen=True)
class Upload:
    """A file as received from a form."""

    filename: str
    data: bytes


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
                   field: str = "proof") -> tuple[str, str]:
    """The upload's safe file name and content type, or a ServiceError (at `field`) naming
    what is wrong with the file: empty, too large, not a photo or PDF, a lying extension."""
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
    return name, content_type


def make_proof(upload: Upload, uploader: User, max_bytes: int = DEFAULT_MAX_BYTES) -> Proof:
    """A Proof for the upload, or a ServiceError naming what is wrong with the file."""
    name, content_type = checked_upload(upload, max_bytes)
    return Proof(filename=name, content_type=content_type, size=len(upload.data),
                 sha256=hashlib.sha256(upload.data).hexdigest(), data=upload.data,
                 uploaded_by_id=uploader.id)
