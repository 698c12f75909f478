"""The one error every quiz format raises: all the problems found in a file, as path:line."""
from cev_learn.content.problems import ContentError


class QuizFormatError(ContentError):
    """A quiz file has problems; no question from it was loaded."""
