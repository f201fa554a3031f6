from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import DateField, Form


class OverrideForm(Form):
    extra_minutes = IntegerField(
        _l("Extra minutes per attempt"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=24 * 60)],
    )
    extra_attempts = IntegerField(
        _l("Extra attempts this year"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=20)],
    )
    close_on = DateField(_l("Open until (dd/mm/yyyy)"), validators=[Optional()], format="%Y-%m-%d")
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), Length(min=5, max=1000)],
        description=_l("E.g. disability, connection failure during the attempt, leave."),
    )
