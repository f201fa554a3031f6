"""Errors found in content files, always tied to a file and a line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ContentError(Exception):
    """A problem in a content file: ``path:line: message``, or ``path:line: warning: message``
    for a warning (the file is accepted; ``--strict`` refuses it).

    ``path`` is shown as given (the loader passes paths relative to the
    content root's parent, e.g. ``courses/cchc/01-intro.md``); ``line`` is
    1-based, 0 when the problem concerns the file as a whole.
    """

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "warning" (shown, but nothing is refused)

    @property
    def is_warning(self) -> bool:
        return self.severity == "warning"

    def as_error(self) -> ContentError:
        """The same problem as an error (``--strict`` turns warnings into errors)."""
        return ContentError(self.path, self.line, self.message)

    def __str__(self) -> str:
        message = f"warning: {self.message}" if self.is_warning else self.message
        if self.line:
            return f"{self.path}:{self.line}: {message}"
        return f"{self.path}: {message}"


def split_problems(
    problems: list[ContentError],
) -> tuple[list[ContentError], list[ContentError]]:
    """(errors, warnings), each sorted by path and line."""
    errors = sorted(p for p in problems if not p.is_warning)
    warnings = sorted(p for p in problems if p.is_warning)
    return errors, warnings


class ContentErrors(Exception):
    """Several content errors at once; nothing was changed."""

    def __init__(self, errors: list[ContentError]):
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
