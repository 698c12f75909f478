"""Where recordings are kept: a directory (instance/recordings by default; a shared volume
mounted at the same path on every app server when there are several). Files are named by a
random key cev_learn draws, never by the uploader; a file is written to a temporary name,
checked by its content, and only then given its key, so a refused upload leaves nothing."""
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from cev_learn.platform.recordings import Inspection, NotARecording, inspect

CHUNK = 64 * 1024
KEY = re.compile(r"^[A-Za-z0-9_-]{32}$")


class TooLarge(NotARecording):
    """The upload passed the size limit."""


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    inspection: Inspection


def describe_size(size: int) -> str:
    """50 MB, or 300 KB below a megabyte."""
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.0f} MB"


class RecordingStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def save(self, stream: BinaryIO, max_bytes: int) -> StoredFile:
        """Copy the stream in chunks, stopping past `max_bytes`; keep it only if its content is
        a whole recording (NotARecording, TooLarge otherwise, and nothing stays)."""
        self.root.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(24)
        partial = self.root / f"{key}.part"
        try:
            with open(partial, "xb") as out:
                size = _copy(stream, out, max_bytes)
            with open(partial, "rb") as written:
                inspection = inspect(written, size)
            os.replace(partial, self.root / key)
        finally:
            partial.unlink(missing_ok=True)
        return StoredFile(key, size, inspection)

    def path(self, key: str) -> Path:
        """The file of a key cev_learn drew (ValueError for anything else)."""
        if not KEY.match(key):
            raise ValueError("not a recording key")
        return self.root / key

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


def _copy(stream: BinaryIO, out: BinaryIO, max_bytes: int) -> int:
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"This recording is larger than the limit of "
                           f"{describe_size(max_bytes)}; record a shorter take or export it "
                           "at a lower quality.")
        out.write(chunk)
    return size


def file_name_problem(name: str | None) -> str | None:
    """Why an uploaded file's name is refused, or None. cev_learn never stores a file under
    the name it came with, but a name with folders in it is a crafted request, not a take."""
    if not name:
        return None
    if "/" in name or "\\" in name or "\0" in name or name.strip(". ") == "" or ".." in name:
        return (f"The file name {name[:80]!r} is not a plain file name (it names folders); "
                "rename the file and choose it again.")
    return None


def recording_store() -> RecordingStore:
    return RecordingStore(Path(current_app.config["RECORDINGS_DIR"]))
