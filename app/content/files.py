"""Small helpers shared by the content readers."""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.content.errors import ContentError


def digest(*parts: str) -> str:
    """A stable hash of texts, to tell whether a file changed between two loads."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def read_text(path: Path, shown: str) -> str:
    """The file as UTF-8 text, or a ContentError naming the line of the first bad byte (a NUL
    included: no database stores it as text, and no author means it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ContentError(shown, line, "not valid UTF-8 text") from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise ContentError(shown, line, "contains a NUL character (is it a text file?)")
    return text
