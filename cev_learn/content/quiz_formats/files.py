"""Read one quiz file in whichever format its name says: .gift, .txt (Aiken) or .quiz.yaml."""
from pathlib import Path

from cev_learn.content.problems import Problem
from cev_learn.content.questions import Question
from cev_learn.content.quiz_formats.aiken import read_aiken
from cev_learn.content.quiz_formats.errors import QuizFormatError
from cev_learn.content.quiz_formats.gift import read_gift
from cev_learn.content.quiz_formats.native import read_native
from cev_learn.content.quiz_formats.reading import QuizReading

MAX_BYTES = 1024 * 1024
READERS = ((".quiz.yaml", read_native), (".gift", read_gift), (".txt", read_aiken))


def parse_quiz_file(path: Path) -> list[Question]:
    """The file's questions, or QuizFormatError listing every problem (never a partial quiz)."""
    return read_quiz_file(path).questions_or_raise()


def read_quiz_file(path: Path) -> QuizReading:
    """The questions read from the file and the problems of those that were not read; a
    problem with the file as a whole (unreadable, no questions) raises QuizFormatError."""
    path, name = Path(path), str(path)
    reader = next((read for suffix, read in READERS if path.name.lower().endswith(suffix)), None)
    if reader is None:
        raise _error(name, "unknown quiz file type; use .gift, .txt (Aiken) or .quiz.yaml")
    reading = reader(_read_text(path, name), name)
    if not reading.questions and not reading.problems:
        raise _error(name, "the quiz has no questions")
    return reading


def _read_text(path: Path, name: str) -> str:
    try:
        if (size := path.stat().st_size) > MAX_BYTES:
            raise _error(name, f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")
        data = path.read_bytes()
    except OSError as exc:
        raise _error(name, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _error(name, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
                     "save the file as UTF-8", line) from None


def _error(name: str, message: str, line: int = 1) -> QuizFormatError:
    return QuizFormatError([Problem(name, line, message)])
