"""Text clean-up shared by forms, services and imports."""

from __future__ import annotations

import re
from typing import Any

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def drop_control_characters(value: Any) -> Any:
    """``value`` without control characters other than tab and line breaks; non-text unchanged."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value
