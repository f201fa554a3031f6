"""What every form shares: text typed or pasted is cleaned of control characters.

PostgreSQL refuses NUL in text, and the other C0 controls (a pasted bell, a vertical tab) are
invisible noise that would end up in records, exports and certificates. Tab and line breaks are
text and stay.
"""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.text import drop_control_characters


class Form(FlaskForm):
    """Base of the site's forms."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), drop_control_characters]
            return unbound_field.bind(form=form, filters=filters, **options)
