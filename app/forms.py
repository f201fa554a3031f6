"""What every form shares: text typed or pasted is cleaned of control characters, WTForms' own
messages ("This field is required.", "Not a valid date value.") speak the user's language, and
dates are days that exist and that the site can mean.

PostgreSQL refuses NUL in text, and the other C0 controls (a pasted bell, a vertical tab) are
invisible noise that would end up in records, exports and certificates. Tab and line breaks are
text and stay.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import get_translations, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField as BaseDateField
from wtforms.validators import StopValidation

from app.text import drop_control_characters

FIRST_DAY = date(1950, 1, 1)  # a year 0001 or 9999 is a slip of the keyboard
LAST_DAY = date(2100, 12, 31)

# WTForms' messages that our forms can show, marked so that `make i18n-update` keeps them in
# the site's catalogue (WTForms ships no Vietnamese). The plural ones are in WTFORMS_PLURALS.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Invalid input."),
    _l("Not a valid choice."),
    _l("Not a valid date value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
)


def _plural_markers() -> None:  # never called: lets `pybabel extract` see the plural forms
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    )
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    )


class SiteTranslations:
    """WTForms' messages through the site's catalogue, in the request's language."""

    # Raw strings: WTForms fills in the placeholders itself.
    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    """Base of the site's forms."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), drop_control_characters]
            return unbound_field.bind(form=form, filters=filters, **options)

        def get_translations(self, form):
            return SiteTranslations()

    def validate(self, extra_validators=None) -> bool:
        """A value that could not be read (a date, a number) says why, not "this field is
        required", which DataRequired puts in its place since no value came of it."""
        valid = super().validate(extra_validators)
        for field in self:
            if field.process_errors and not set(field.process_errors) <= set(field.errors):
                field.errors = list(field.process_errors)
                valid = False
        return valid


# 2026-02-30 or 30/02/2026: numbers in the shape of a date, whatever they say.
_DATE_SHAPES = (
    re.compile(r"^\s*(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\s*$"),
    re.compile(r"^\s*(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\s*$"),
)


class DateField(BaseDateField):
    """A date from the browser's date picker (yyyy-mm-dd) or typed as dd/mm/yyyy. A day that
    is not in the calendar (30/02, 31/04) is named as such rather than "not a valid date"."""

    def __init__(self, label=None, validators=None, format=("%Y-%m-%d", "%d/%m/%Y"), **kwargs):
        formats = [format] if isinstance(format, str) else list(format)
        super().__init__(label, validators, format=formats, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not " ".join(valuelist).strip():
            self.data = None  # left empty: the field's Optional or InputRequired says so
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            text = " ".join(valuelist)
            for shape in _DATE_SHAPES:
                match = shape.match(text)
                if match and 1 <= int(match["m"]) <= 12 and 1 <= int(match["d"]) <= 31:
                    day, month, year = int(match["d"]), int(match["m"]), int(match["y"])
                    if not _exists(year, month, day):
                        raise ValueError(
                            gettext(
                                "The date %(date)s does not exist.",
                                date=f"{day:02d}/{month:02d}/{year:04d}",
                            )
                        ) from None
            raise ValueError(gettext("Not a valid date value. Use dd/mm/yyyy.")) from None


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


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
