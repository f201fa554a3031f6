"""What every form shares: text typed or pasted is cleaned of control characters, WTForms' own
messages are in the site's language, and dates are days the site can mean.

PostgreSQL refuses NUL in text, and the other C0 controls (a pasted bell, a vertical tab) are
invisible noise that would end up in records, exports and certificates. Tab and line breaks are
text and stay.
"""

from __future__ import annotations

from datetime import date

from flask_babel import get_translations, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import StopValidation

from app.text import drop_control_characters

FIRST_DAY = date(1950, 1, 1)  # a year 0001 or 9999 is a slip of the keyboard
LAST_DAY = date(2100, 12, 31)


class SiteTranslations:
    """WTForms ships no Vietnamese: its messages ("This field is required.", "Not a valid date
    value.") are looked up in the site's catalogue, where ``WTFORMS_MESSAGES`` keeps them."""

    def gettext(self, string: str) -> str:
        return get_translations().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ngettext(singular, plural, n)


class Form(FlaskForm):
    """Base of the site's forms."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), drop_control_characters]
            return unbound_field.bind(form=form, filters=filters, **options)

        def get_translations(self, form):
            return SiteTranslations()


def plausible_date(form, field) -> None:
    """A date between FIRST_DAY and LAST_DAY (after a ``InputRequired`` or ``Optional``: unlike
    ``DataRequired``, they keep "Not a valid date value." for a day such as 30/02)."""
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise StopValidation(
            _l(
                "Enter a date between %(first)s and %(last)s.",
                first=FIRST_DAY.strftime("%d/%m/%Y"),
                last=LAST_DAY.strftime("%d/%m/%Y"),
            )
        )


# WTForms' messages that the site's forms can show, listed for the catalogue's extraction.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid date value."),
    _l("Not a valid decimal value."),
    _l("Not a valid integer value."),
    _l("Not a valid choice."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Field must be equal to %(other_name)s."),
)


def _plural_wtforms_messages() -> None:  # pragma: no cover - read by the extraction only
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    )
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    )
