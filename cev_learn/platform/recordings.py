"""What a recorded file is, read from its bytes (never its name or the header the browser
sent): its container, whether it is whole, and its duration where the container tells it
cheaply. Pure: works on any seekable binary file."""
import struct
from dataclasses import dataclass
from typing import BinaryIO

HEAD_BYTES = 4096
MIN_BYTES = 64  # less than this holds no sound


@dataclass(frozen=True)
class Kind:
    name: str       # webm, ogg, mp4, mp3, wav
    mimetype: str   # what the file is served as
    video: bool     # played in a <video> element (it may hold pictures), else <audio>


KINDS = {k.name: k for k in (
    Kind("webm", "video/webm", True), Kind("weba", "audio/webm", False),
    Kind("mp4", "video/mp4", True),
    Kind("ogg", "audio/ogg", False), Kind("mp3", "audio/mpeg", False),
    Kind("wav", "audio/wav", False))}
LABELS = "WebM, Ogg, MP4, MP3 or WAV"
LABEL = {"webm": "WebM", "weba": "WebM", "ogg": "Ogg", "mp4": "MP4", "mp3": "MP3", "wav": "WAV"}


VIDEO_TRACK = b"\x83\x81\x01"  # WebM's TrackType element holding 1: video


class NotARecording(Exception):
    """The file is not a recording cev_learn can play; the message is fit to show."""


@dataclass(frozen=True)
class Inspection:
    kind: Kind
    duration_seconds: float | None  # None: the container does not say cheaply


def sniff(head: bytes) -> Kind | None:
    """The container its first bytes announce, or None."""
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        # A video track (TrackType 1) in its first bytes, else sound only (a recorded voice).
        return KINDS["webm"] if VIDEO_TRACK in head else KINDS["weba"]
    if head.startswith(b"OggS"):
        return KINDS["ogg"]
    if head[4:8] == b"ftyp":
        return KINDS["mp4"]
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return KINDS["wav"]
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return KINDS["mp3"]
    return None


def inspect(file: BinaryIO, size: int) -> Inspection:
    """Check that the file is a whole recording of a known kind; raise NotARecording."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    kind = sniff(head)
    if kind is None:
        raise NotARecording(f"This file is not a recording: its content is not {LABELS}, "
                            "whatever its name says.")
    duration = _CHECKS[kind.name](file, head, size)
    if size < MIN_BYTES:
        raise _truncated(LABEL[kind.name])
    return Inspection(kind, duration)


def _truncated(kind: str) -> NotARecording:
    return NotARecording(f"This {kind} recording is cut short (the file ends before its "
                         "content does); record or export it again.")


def _wav(file: BinaryIO, head: bytes, size: int) -> float | None:
    """RIFF chunks: the file holds the size its header declares; duration from 'fmt ' and
    'data'."""
    if 8 + struct.unpack_from("<I", head, 4)[0] > size:
        raise _truncated("WAV")
    byte_rate, offset = None, 12
    while offset + 8 <= len(head):
        chunk, length = head[offset:offset + 4], struct.unpack_from("<I", head, offset + 4)[0]
        if chunk == b"fmt " and offset + 20 <= len(head):
            byte_rate = struct.unpack_from("<I", head, offset + 16)[0]
        if chunk == b"data":
            if offset + 8 + length > size:
                raise _truncated("WAV")
            return length / byte_rate if byte_rate else None
        offset += 8 + length + (length & 1)
    raise _truncated("WAV")


def _mp4(file: BinaryIO, head: bytes, size: int) -> float | None:
    """Top-level boxes must each end within the file, and one must be 'moov'; the duration
    is its 'mvhd' box's."""
    offset, duration, found_moov = 0, None, False
    while offset < size:
        file.seek(offset)
        header = file.read(16)
        if len(header) < 8:
            raise _truncated("MP4")
        length, name = struct.unpack_from(">I4s", header)
        if length == 1 and len(header) == 16:
            length = struct.unpack_from(">Q", header, 8)[0]
        elif length == 0:
            length = size - offset
        if length < 8 or offset + length > size:
            raise _truncated("MP4")
        if name == b"moov":
            found_moov = True
            duration = _mvhd_duration(file, offset + 8, offset + length)
        offset += length
    if not found_moov:
        raise _truncated("MP4")
    return duration


def _mvhd_duration(file: BinaryIO, start: int, end: int) -> float | None:
    file.seek(start)
    body = file.read(min(end - start, 1 << 20))
    at = body.find(b"mvhd")
    if at < 4 or len(body) < at + 32:
        return None
    version = body[at + 4]
    if version == 1:
        scale, length = struct.unpack_from(">IQ", body, at + 4 + 4 + 16)
    else:
        scale, length = struct.unpack_from(">II", body, at + 4 + 4 + 8)
    return length / scale if scale else None


def _webm(file: BinaryIO, head: bytes, size: int) -> float | None:
    """The EBML header must end within the file and be followed by a Segment holding a
    Cluster (where sound starts) in the first bytes. A browser's recorder writes no duration
    (it streams), so none is read."""
    width, header_size = _vint(head, 4)
    if width == 0 or 4 + width + header_size + 4 > len(head):
        raise _truncated("WebM")
    segment = 4 + width + header_size
    if head[segment:segment + 4] != SEGMENT or CLUSTER not in head[segment:]:
        raise _truncated("WebM")
    return None


SEGMENT, CLUSTER = b"\x18\x53\x80\x67", b"\x1f\x43\xb6\x75"  # EBML element ids


def _vint(data: bytes, offset: int) -> tuple[int, int]:
    """An EBML variable-length size at `offset`: (its width in bytes, its value); (0, 0) when
    unreadable."""
    if offset >= len(data) or data[offset] == 0:
        return 0, 0
    width = 8 - data[offset].bit_length() + 1
    if offset + width > len(data):
        return 0, 0
    value = data[offset] & (0xFF >> width)
    for byte in data[offset + 1:offset + width]:
        value = (value << 8) | byte
    return width, value


def _ogg(file: BinaryIO, head: bytes, size: int) -> float | None:
    """The first page must be whole (its 27-byte header, segment table and segments)."""
    if len(head) < 27:
        raise _truncated("Ogg")
    segments = head[26]
    if 27 + segments > len(head) or 27 + segments + sum(head[27:27 + segments]) > size:
        raise _truncated("Ogg")
    return None


def _mp3(file: BinaryIO, head: bytes, size: int) -> float | None:
    """An ID3 tag must end within the file and be followed by audio."""
    if head.startswith(b"ID3"):
        if len(head) < 10:
            raise _truncated("MP3")
        tag = 10 + ((head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9])
        if tag + 4 > size:
            raise _truncated("MP3")
    return None


_CHECKS = {"wav": _wav, "mp4": _mp4, "webm": _webm, "weba": _webm, "ogg": _ogg, "mp3": _mp3}
