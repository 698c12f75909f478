"""Symbolic links in a track: refused, because they can lead anywhere on the server.

Whatever a track holds is published to reps by `content sync`, so a link to a folder or file
outside it (another app's secrets, /etc) would publish that. One simple rule, links pointing
inside the track included: a track holds only real files and folders.
"""
import os
from pathlib import Path

from cev_learn.content.problems import Problem

MESSAGE = ("is a symbolic link; a track holds only real files and folders "
           "(copy the file or folder in instead)")


def symlink_problems(track: Path, *, may_be_link: bool) -> list[Problem]:
    """Name every symbolic link in a track folder (and the folder itself unless allowed)."""
    if track.is_symlink() and not may_be_link:
        return [Problem(str(track), 1, MESSAGE)]
    problems = []
    # followlinks=False: a linked folder is listed in `folders` but never entered.
    for parent, folders, files in os.walk(track, followlinks=False):
        for name in folders + files:
            path = Path(parent, name)
            if path.is_symlink():
                problems.append(Problem(str(path), 1, MESSAGE))
    return problems
