"""What every form shares: text typed or pasted is cleaned of control characters.

PostgreSQL refuses NUL in text, and the other C0 controls (a pasted bell, a vertical tab) are
invisible noise that would end up in records, exports and certificates. Tab and line breaks are
text and stay.
"""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def drop_control_characters(value: Any) -> Any:
    """``value`` without control characters other than tab and line breaks; non-text unchanged."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class Form(FlaskForm):
    """Base of the site's forms."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), drop_control_characters]
            return unbound_field.bind(form=form, filters=filters, **options)
