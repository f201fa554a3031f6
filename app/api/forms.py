"""The form of the API clients page (admins and HR)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import Form


class ApiClientForm(Form):
    name = StringField(
        _l("Name of the connected system"), validators=[DataRequired(), Length(max=100)]
    )
    units = StringField(
        _l("Unit codes, separated by commas"), validators=[DataRequired(), Length(max=500)]
    )
    can_write = BooleanField(_l("May record external training (read-write)"))
    days = IntegerField(
        _l("Valid for (days, empty: no expiry)"),
        validators=[Optional(), NumberRange(min=1, max=3650)],
    )
