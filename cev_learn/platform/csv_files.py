"""Reading uploaded CSV files: the parts every import shares (encoding, header, errors)."""
import csv
import io
from collections import Counter
from dataclasses import dataclass

NAMES_SHOWN = 10  # column names a message lists; a hostile header may have a million


class ImportFileError(Exception):
    """The file as a whole cannot be read; no row of it was looked at."""


@dataclass(frozen=True, order=True)
class RowError:
    line: int  # the physical line the row starts on; the header is line 1
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def decode_csv(data: bytes) -> str:
    """The text of an uploaded file; a UTF-8 byte order mark is dropped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"the file is not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start}); "
            "save it as 'CSV UTF-8'") from None
    # UTF-16 text without a byte order mark decodes as UTF-8 when it is all ASCII, with a
    # NUL after every character: no header row has one.
    end = text.find("\n")
    if text.find("\0", 0, len(text) if end < 0 else end) >= 0:
        raise ImportFileError("the file is not UTF-8 text (its first line holds NUL "
                              "characters, as UTF-16 text does); save it as 'CSV UTF-8'")
    return text


# --- Files as spreadsheets and CRMs save them -------------------------------------------

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
SNIFFED_LINES = 20


def decode_any(data: bytes) -> tuple[str, str]:
    """The text of an exported file and the encoding it was read in: UTF-8 (with or without a
    byte order mark), UTF-16 as Excel saves "Unicode text" (with a byte order mark, or
    without one when the text is mostly ASCII), else Windows-1252, which older exports use."""
    for mark, codec, name in ((b"\xef\xbb\xbf", "utf-8", "UTF-8 with byte order mark"),
                              (b"\xff\xfe", "utf-16-le", "UTF-16 (little-endian)"),
                              (b"\xfe\xff", "utf-16-be", "UTF-16 (big-endian)")):
        if data.startswith(mark):
            return _decoded(data[len(mark):], codec, name), name
    head = data[:4096]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):  # ASCII as UTF-16: every other byte
        if head[1::2].count(0) > head[0::2].count(0):
            return _decoded(data, "utf-16-le", "UTF-16 (little-endian)"), "UTF-16 (little-endian)"
        return _decoded(data, "utf-16-be", "UTF-16 (big-endian)"), "UTF-16 (big-endian)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return _decoded(data, "cp1252", "Windows-1252"), "Windows-1252"


def _decoded(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"the file is not readable as {name} text (byte {data[exc.start]:#04x} at offset "
            f"{exc.start}); save it as 'CSV UTF-8'") from None


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: of comma, semicolon and tab, the one that splits its first
    lines into the most fields, the same number on most of them (a comma wins a tie)."""
    lines = [line for line in text.splitlines()[:SNIFFED_LINES] if line.strip()]

    def score(delimiter: str) -> tuple[int, int]:
        try:
            widths = [len(cells) for cells in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            return (0, 0)
        common = Counter(widths).most_common(1)[0] if widths else (1, 0)
        return (common[1], common[0]) if common[0] > 1 else (0, 0)

    best = max(DELIMITERS, key=lambda d: (score(d), d == ","))
    return best if score(best) > (0, 0) else ","


def open_csv(text: str, columns: tuple[str, ...], required: tuple[str, ...],
             delimiter: str = ","):
    """A csv reader past the header, and the header: known, unique and complete columns."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ImportFileError("the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return reader, _read_header(reader, columns, required)


def _read_header(reader, columns: tuple[str, ...], required: tuple[str, ...]) -> list[str]:
    try:
        cells = next(reader)
    except csv.Error as exc:
        raise ImportFileError(f"line 1: {exc}") from None
    header = [cell.strip().lower() for cell in cells]
    if not any(name in columns for name in header):
        raise ImportFileError("line 1: no header row; the first line must name the columns, "
                              f"e.g. {','.join(required)}")
    unknown = [name for name in header if name not in columns]
    if unknown:
        raise ImportFileError(f"unknown column{_s(unknown)} {_names(unknown)}; "
                              f"the columns are {', '.join(columns)}")
    duplicates = sorted(name for name, count in Counter(header).items() if count > 1)
    if duplicates:
        raise ImportFileError(f"duplicate column{_s(duplicates)} {_names(duplicates)}")
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportFileError(f"missing required column{_s(missing)} {_names(missing)}")
    return header


def _s(items: list) -> str:
    return "s" if len(items) > 1 else ""


def _names(items: list[str]) -> str:
    shown = ", ".join(repr(item if len(item) <= 40 else item[:40] + "…")
                      for item in items[:NAMES_SHOWN])
    more = len(items) - NAMES_SHOWN
    return f"{shown} and {more:,} more" if more > 0 else shown
