"""What a recorded file is, read from its bytes alone (pure: no app)."""
import io
import struct

import pytest

from cev_learn.platform.recordings import NotARecording, inspect


def box(name: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + name + body


def mp4_bytes(seconds: int) -> bytes:
    mvhd = box(b"mvhd", b"\0\0\0\0" + b"\0" * 8 + struct.pack(">II", 1000, seconds * 1000)
               + b"\0" * 80)
    return box(b"ftyp", b"isom\0\0\0\0isom") + box(b"moov", mvhd) + box(b"mdat", b"\0" * 500)


def ogg_bytes() -> bytes:
    return b"OggS\0\2" + b"\0" * 20 + b"\1" + b"\x40" + b"\0" * 64 + b"OggS" + b"\0" * 100


def mp3_bytes() -> bytes:
    return b"ID3\4\0\0\0\0\0\x10" + b"\0" * 16 + b"\xff\xfb\x90\x00" + b"\0" * 400


def inspected(content: bytes):
    return inspect(io.BytesIO(content), len(content))


def test_an_mp4_tells_its_duration():
    found = inspected(mp4_bytes(42))
    assert (found.kind.name, found.duration_seconds) == ("mp4", 42)


@pytest.mark.parametrize("content,kind", [(ogg_bytes(), "ogg"), (mp3_bytes(), "mp3")])
def test_ogg_and_mp3_are_recognised_without_a_duration(content, kind):
    found = inspected(content)
    assert (found.kind.name, found.duration_seconds) == (kind, None)


@pytest.mark.parametrize("content,label", [
    (mp4_bytes(42)[:-100], "MP4"),                       # the media data runs past the end
    (box(b"ftyp", b"isom") + box(b"mdat", b"\0" * 200), "MP4"),  # no moov: unplayable
    (ogg_bytes()[:60], "Ogg"),
    (b"ID3\4\0\0\0\1\0\0" + b"\0" * 100, "MP3"),          # its tag is longer than the file
])
def test_a_file_cut_short_is_refused(content, label):
    with pytest.raises(NotARecording, match=f"This {label} recording is cut short"):
        inspected(content)


def test_a_tiny_file_is_refused_even_with_the_right_first_bytes():
    with pytest.raises(NotARecording, match="cut short"):
        inspected(b"OggS" + b"\0" * 23)
