"""Comments pinned to a time in a recording, written one a line as "1:05 Ask why now". Pure."""
import re

LINE = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2})\s+(\S.*)$")
MAX_TEXT = 500


class BadComment(ValueError):
    """A line could not be read; the message names it."""


def parse_pinned_comments(text: str, longest_seconds: float | None) -> list[dict]:
    """[{"at": seconds, "text": ...}] in time order; blank lines are skipped."""
    comments = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = LINE.match(line)
        if match is None:
            raise BadComment(f"Comment line {number}: start with the time in the recording, "
                             "as 1:05, then the comment.")
        hours, minutes, seconds, body = match.groups()
        if int(seconds) > 59:
            raise BadComment(f"Comment line {number}: {minutes}:{seconds} is not a time "
                             "(seconds go up to 59).")
        at = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
        if longest_seconds is not None and at > longest_seconds + 1:
            raise BadComment(f"Comment line {number}: {format_time(at)} is past the end of the "
                             f"recording ({format_time(longest_seconds)}).")
        if len(body) > MAX_TEXT:
            raise BadComment(f"Comment line {number} is longer than {MAX_TEXT} characters.")
        comments.append({"at": at, "text": body.strip()})
    return sorted(comments, key=lambda c: c["at"])


def format_time(seconds: float) -> str:
    """1:05, or 1:02:05 past an hour."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
