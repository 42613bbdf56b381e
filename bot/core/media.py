"""Evidence files: stored once under the media directory, named by their sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.core.messages import MediaRef

_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)
MAX_IMAGE_BYTES = 20 * 1024 * 1024


class MediaRejected(ValueError):
    pass


def sniff_image(data: bytes) -> tuple[str, str]:
    """(content type, extension) from the bytes themselves, never from a client's name."""
    for magic, content_type, ext in _SIGNATURES:
        if data.startswith(magic):
            return content_type, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    raise MediaRejected("not a JPEG, PNG, GIF or WebP image")


_TYPES = {ext: content_type for _, content_type, ext in _SIGNATURES} | {"webp": "image/webp"}


def stored_ref(path: str) -> MediaRef:
    """The reference of a file ``store_image`` wrote: its name is ``<sha256>.<ext>``."""
    name = Path(path)
    return MediaRef(str(path), name.stem, _TYPES.get(name.suffix.lstrip("."), "image/jpeg"))


def read_stored(ref: MediaRef, within: str | Path | None = None) -> bytes:
    """The bytes of a stored photo (blocking: call it in a thread); OSError when the file
    is gone (erased under the retention rule) or, given ``within``, lies outside it."""
    path = Path(ref.path)
    if within is not None and not path.resolve().is_relative_to(Path(within).resolve()):
        raise OSError(f"{ref.path} lies outside the media directory")
    return path.read_bytes()


def store_image(media_dir: str | Path, channel: str, data: bytes) -> MediaRef:
    if len(data) > MAX_IMAGE_BYTES:
        raise MediaRejected("image larger than 20 MB")
    content_type, ext = sniff_image(data)
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(media_dir) / channel / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.{ext}"
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return MediaRef(path=str(path), sha256=digest, content_type=content_type)
