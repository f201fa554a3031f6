"""Forms of the accounts pages. Choices (units, positions, roles) are filled in by the view
from what the signed-in user may grant."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.forms import DateField, Form

ROLE_LABELS = {
    "official": _l("Official"),
    "hr": _l("HR"),
    "admin": _l("Administrator"),
}


class AccountForm(Form):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(
                r"^[A-Za-z0-9._@-]+$",
                message=_l("Letters without diacritics, digits and . _ @ - only."),
            ),
        ],
    )
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Not a valid e-mail address.")),
        ],
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    unit = SelectField(_l("Unit"), validators=[Optional()])
    position = SelectField(_l("Position"), validators=[Optional()])
    joined_on = DateField(_l("In service since"), validators=[Optional()])

    def fill_choices(self, roles, units, positions) -> None:
        self.role.choices = [(r, ROLE_LABELS[r]) for r in roles]
        self.unit.choices = [("", "—")] + [(u.code, f"{u.code} — {u.name}") for u in units]
        self.position.choices = [("", "—")] + [(p.code, p.name) for p in positions]


class EditAccountForm(AccountForm):
    """The username is fixed once created (it is what imports match on)."""

    username = None


class ScopeForm(Form):
    units = SelectMultipleField(_l("Units covered"), validators=[Optional()])
