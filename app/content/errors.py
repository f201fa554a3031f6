"""Errors found in content files, always tied to a file and a line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ContentError(Exception):
    """A problem in a content file: ``path:line: message``.

    ``path`` is shown as given (the loader passes paths relative to the
    content root's parent, e.g. ``courses/cchc/01-intro.md``); ``line`` is
    1-based, 0 when the problem concerns the file as a whole.
    """

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"


class ContentErrors(Exception):
    """Several content errors at once; nothing was changed."""

    def __init__(self, errors: list[ContentError]):
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
