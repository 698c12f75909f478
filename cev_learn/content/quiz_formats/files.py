"""Read one quiz file in whichever format its name says: .gift, .txt (Aiken) or .quiz.yaml."""
from pathlib import Path

from cev_learn.content.problems import Problem
from cev_learn.content.questions import Question
from cev_learn.content.quiz_formats.aiken import parse_aiken
from cev_learn.content.quiz_formats.errors import QuizFormatError
from cev_learn.content.quiz_formats.gift import parse_gift
from cev_learn.content.quiz_formats.native import parse_native

MAX_BYTES = 1024 * 1024
PARSERS = ((".quiz.yaml", parse_native), (".gift", parse_gift), (".txt", parse_aiken))


def parse_quiz_file(path: Path) -> list[Question]:
    """The file's questions, or QuizFormatError listing every problem (never a partial quiz)."""
    path, name = Path(path), str(path)
    parser = next((parse for suffix, parse in PARSERS if path.name.lower().endswith(suffix)), None)
    if parser is None:
        raise _error(name, "unknown quiz file type; use .gift, .txt (Aiken) or .quiz.yaml")
    questions = parser(_read_text(path, name), name)
    if not questions:
        raise _error(name, "the quiz has no questions")
    return questions


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
