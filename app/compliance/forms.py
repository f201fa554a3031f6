from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DecimalField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from app.forms import DateField, Form, plausible_date

SCAN_TYPES = ["pdf", "jpg", "jpeg", "png"]


def finite_number(form, field) -> None:
    """Refuse NaN and infinities before any range check compares them."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_l("Enter a number."))


class ExternalTrainingForm(Form):
    title = StringField(_l("Training"), validators=[DataRequired(), Length(max=300)])
    provider = StringField(_l("Provider"), validators=[Optional(), Length(max=300)])
    hours = DecimalField(
        _l("Hours"),
        places=2,
        validators=[InputRequired(), finite_number, NumberRange(min=0.25, max=1000)],
    )
    start_date = DateField(_l("From"), validators=[Optional(), plausible_date])
    end_date = DateField(_l("To"), validators=[InputRequired(), plausible_date])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    scan = FileField(
        _l("Scan of the certificate (PDF, JPG or PNG, at most 5 MB)"),
        validators=[FileAllowed(SCAN_TYPES, _l("Only PDF, JPG or PNG files."))],
    )


class ExtensionForm(Form):
    deadline = DateField(_l("New deadline"), validators=[DataRequired(), plausible_date])
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(min=5, max=1000)], id="extension-reason"
    )


class ExemptionForm(Form):
    reason = TextAreaField(
        _l("Reason for the exemption"),
        validators=[DataRequired(), Length(min=5, max=1000)],
        id="exemption-reason",
    )


class LeaveForm(Form):
    start_date = DateField(_l("From"), validators=[InputRequired(), plausible_date])
    end_date = DateField(_l("To"), validators=[InputRequired(), plausible_date])
    kind = StringField(
        _l("Kind of leave"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("E.g. maternity leave, long sick leave, long-term study."),
    )


class ImportForm(Form):
    file = FileField(
        _l("File (CSV or XLSX)"),
        validators=[FileRequired(), FileAllowed(["csv", "xlsx"], _l("Only CSV or XLSX files."))],
    )
    dry_run = BooleanField(_l("Dry run: show what would be recorded, record nothing"), default=True)
