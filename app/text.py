"""Text clean-up shared by forms, services and imports."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def drop_control_characters(value: Any) -> Any:
    """``value`` without control characters other than tab and line breaks; non-text unchanged."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


def fold(value: str) -> str:
    """Text for diacritics-insensitive search: casefolded, without combining marks, đ -> d and
    runs of white space as one space ("  Đặng Văn  A" -> "dang van a")."""
    decomposed = unicodedata.normalize("NFD", value.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("đ", "d").split())


def nfc(value: str) -> str:
    """``value`` in Unicode NFC and trimmed: a name typed on one system and pasted from another
    is the same name."""
    return unicodedata.normalize("NFC", value).strip()
