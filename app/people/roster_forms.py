"""Forms of the roster, units and merger pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from app.forms import DateField, Form


class UploadForm(Form):
    file = FileField(
        _l("File (CSV or XLSX)"),
        validators=[FileRequired(), FileAllowed(["csv", "xlsx"], _l("Only CSV or XLSX files."))],
    )
    dry_run = BooleanField(_l("Dry run: show what would change, change nothing"), default=True)


class MergeForm(Form):
    codes = StringField(
        _l("Codes of the units that end"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("Separated by spaces or commas, e.g. XA-AN XA-BINH"),
    )
    into = StringField(
        _l("Code of the successor unit"), validators=[DataRequired(), Length(max=32)]
    )
    on = DateField(_l("Merged on"), validators=[DataRequired()])
    dry_run = BooleanField(_l("Dry run: show what would change, change nothing"), default=True)
