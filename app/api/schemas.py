"""The API's schemas: they validate requests, shape responses and, through flask-smorest and
apispec, are the OpenAPI document. Datetimes are UTC with an offset (RFC 3339)."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates

from app.compliance.rules import STATUS_ORDER


class UtcDateTime(fields.DateTime):
    """Stored naive in UTC; sent with ``+00:00``; read with any offset (none means UTC)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment


class Strict(Schema):
    class Meta:
        ordered = True


# --- Query strings ---------------------------------------------------------------------------


class PageArgs(Strict):
    cursor = fields.String(
        metadata={"description": "`next_cursor` of the previous page; absent for the first."},
        validate=validate.Length(max=100),
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=500),
        metadata={"description": "Items per page (1–500)."},
    )


class SyncArgs(PageArgs):
    updated_since = UtcDateTime(
        metadata={"description": "Only items changed at or after this moment (RFC 3339)."}
    )


class OfficialArgs(SyncArgs):
    unit = fields.String(
        validate=validate.Length(max=32), metadata={"description": "A unit code: its subtree."}
    )
    position = fields.String(validate=validate.Length(max=40))
    active = fields.Boolean()


class ComplianceArgs(PageArgs):
    unit = fields.String(validate=validate.Length(max=32))
    position = fields.String(validate=validate.Length(max=40))
    status = fields.String(validate=validate.OneOf([str(s) for s in STATUS_ORDER]))


class ComplianceUnitArgs(Strict):
    unit = fields.String(validate=validate.Length(max=32))
    position = fields.String(validate=validate.Length(max=40))
    status = fields.String(validate=validate.OneOf([str(s) for s in STATUS_ORDER]))


class YearArgs(Strict):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


# --- Resources -------------------------------------------------------------------------------


class UnitOut(Strict):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    parent_code = fields.String(allow_none=True, required=True)
    depth = fields.Integer(required=True)
    active = fields.Boolean(required=True)
    valid_from = fields.Date(allow_none=True, required=True)
    valid_to = fields.Date(allow_none=True, required=True)
    successor_code = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The unit that took over (2025 mergers)."},
    )
    updated_at = UtcDateTime(required=True)


class UnitDetailOut(UnitOut):
    children = fields.List(fields.String(), required=True)


class PositionOut(Strict):
    code = fields.String(required=True)
    name = fields.String(required=True)
    group = fields.String(required=True)
    sector = fields.String(allow_none=True, required=True)
    current = fields.Boolean(required=True)
    legal_basis = fields.String(allow_none=True, required=True)
    updated_at = UtcDateTime(required=True)


class OfficialOut(Strict):
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    unit_code = fields.String(allow_none=True, required=True)
    position_code = fields.String(allow_none=True, required=True)
    role = fields.String(required=True, validate=validate.OneOf(["official", "hr", "admin"]))
    active = fields.Boolean(required=True)
    joined_on = fields.Date(allow_none=True, required=True)
    left_on = fields.Date(
        allow_none=True,
        required=True,
        metadata={"description": "The last day in service (the account is then inactive)."},
    )
    updated_at = UtcDateTime(required=True)


class ComplianceRowOut(Strict):
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    unit_code = fields.String(required=True)
    position_code = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, validate=validate.OneOf([str(s) for s in STATUS_ORDER]))
    status_label = fields.String(required=True)
    reason = fields.String(required=True)
    required_done = fields.Integer(required=True)
    required_total = fields.Integer(required=True)
    missing_courses = fields.List(fields.String(), required=True)
    hours = fields.Float(required=True)
    hours_required = fields.Float(allow_none=True, required=True)
    deadline = fields.Date(required=True)


class UnitSummaryOut(Strict):
    unit_code = fields.String(allow_none=True, required=True)
    unit_name = fields.String(allow_none=True, required=True)
    officials = fields.Integer(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    compliant_share = fields.Float(
        allow_none=True,
        required=True,
        metadata={"description": "Compliant among covered, non-exempt officials (0–1)."},
    )


class UnitSummariesOut(Strict):
    year = fields.Integer(required=True)
    items = fields.List(fields.Nested(UnitSummaryOut), required=True)
    total = fields.Nested(UnitSummaryOut, required=True)


class CourseRecordOut(Strict):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    lessons_completed = fields.Integer(required=True)
    lesson_count = fields.Integer(required=True)
    completed_at = UtcDateTime(allow_none=True, required=True)
    quiz_grade = fields.Float(allow_none=True, required=True)


class QuizResultOut(Strict):
    quiz = fields.String(required=True)
    title = fields.String(required=True)
    number = fields.Integer(required=True)
    submitted_at = UtcDateTime(allow_none=True, required=True)
    score = fields.Float(allow_none=True, required=True)
    passed = fields.Boolean(allow_none=True, required=True)


class ExternalTrainingOut(Strict):
    id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    provider = fields.String(required=True)
    hours = fields.Float(required=True)
    start_date = fields.Date(allow_none=True, required=True)
    end_date = fields.Date(required=True)
    source = fields.String(required=True)


class RecordOut(Strict):
    username = fields.String(required=True)
    year = fields.Integer(required=True)
    courses = fields.List(fields.Nested(CourseRecordOut), required=True)
    quiz_results = fields.List(fields.Nested(QuizResultOut), required=True)
    external_training = fields.List(fields.Nested(ExternalTrainingOut), required=True)


class ExternalTrainingIn(Strict):
    """The HR form's checks: title up to 300, hours 0.25–1000, the dates in order, not in
    the future (the last two checked by the service, as for the form)."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    provider = fields.String(load_default="", validate=validate.Length(max=300))
    hours = fields.Float(required=True, validate=validate.Range(min=0.25, max=1000))
    start_date = fields.Date(load_default=None, allow_none=True)
    end_date = fields.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates("title")
    def _not_blank(self, value: str, **_kwargs) -> None:
        if not value.strip():
            raise ValidationError("The title is empty.")


# --- Roster upsert ---------------------------------------------------------------------------

MAX_ROSTER_ROWS = 5000  # officials per call: a province sends its roster in batches


class RosterArgs(Strict):
    dry_run = fields.Boolean(
        load_default=False,
        metadata={"description": "Check every row and answer as for the real call; write nothing."},
    )


class RosterRowIn(Strict):
    """One official, as the roster import's columns (names as in `OfficialOut`). The content
    is checked by the roster import (username, unit and position codes, scope, e-mail, dates
    in order…): a bad row is listed in the 400's `rows`. An optional field that is absent or
    null keeps what is stored; `left_on` makes the account inactive."""

    username = fields.String(
        required=True,
        metadata={"description": "Matched case aside: an unknown one creates an account."},
    )
    full_name = fields.String(required=True)
    unit_code = fields.String(
        required=True,
        metadata={"description": "A unit of the client's scope; a new one moves the account."},
    )
    position_code = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    role = fields.String(
        allow_none=True,
        validate=validate.OneOf(["official", "hr"]),
        metadata={
            "description": "`official` (default for a new account); API clients may "
            "only create and change officials."
        },
    )
    joined_on = fields.Date(allow_none=True)
    left_on = fields.Date(
        allow_none=True, metadata={"description": "The last day in service: deactivates."}
    )


class RosterIn(Strict):
    officials = fields.List(
        fields.Nested(RosterRowIn),
        required=True,
        validate=validate.Length(min=1, max=MAX_ROSTER_ROWS),
        metadata={"description": f"1 to {MAX_ROSTER_ROWS:,} officials; one bad row writes none."},
    )


class RosterCountsOut(Strict):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    moved = fields.Integer(required=True)
    deactivated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


class TemporaryPasswordOut(Strict):
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    unit_code = fields.String(required=True)
    temporary_password = fields.String(
        required=True,
        metadata={
            "description": "Shown in this answer only and stored nowhere in clear: "
            "hand it to the official, who must change it at first sign-in."
        },
    )


class RosterOut(Strict):
    dry_run = fields.Boolean(required=True)
    counts = fields.Nested(RosterCountsOut, required=True)
    created = fields.List(fields.String(), required=True)
    updated = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Name, e-mail, position, "
            "role or dates changed (a move or a deactivation alone is not listed here)."
        },
    )
    moved = fields.List(fields.String(), required=True)
    deactivated = fields.List(fields.String(), required=True)
    temporary_passwords = fields.List(
        fields.Nested(TemporaryPasswordOut),
        required=True,
        metadata={"description": "New active accounts (empty on a dry run)."},
    )


class StandardCourseOut(Strict):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    position_code = fields.String(allow_none=True, required=True)


class StandardOut(Strict):
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    version = fields.String(required=True)
    issuer = fields.String(required=True)
    legal_basis = fields.List(fields.String(), required=True)
    start_date = fields.Date(required=True)
    deadline = fields.Date(required=True)
    min_hours = fields.Float(allow_none=True, required=True)
    pass_mark = fields.Float(allow_none=True, required=True)
    external_hours_cap = fields.Float(allow_none=True, required=True)
    count_external = fields.Boolean(required=True)
    min_months_worked = fields.Integer(allow_none=True, required=True)
    joined_after = fields.Date(allow_none=True, required=True)
    unit_kinds = fields.List(fields.String(), allow_none=True, required=True)
    unit_codes = fields.List(fields.String(), allow_none=True, required=True)
    position_codes = fields.List(fields.String(), allow_none=True, required=True)
    courses = fields.List(fields.Nested(StandardCourseOut), required=True)


class CertificateOut(Strict):
    code = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    holder_name = fields.String(required=True)
    year = fields.Integer(required=True)
    completed_on = fields.Date(required=True)
    issued_at = UtcDateTime(required=True)
    details = fields.List(fields.String(), required=True)


def page_of(item: type[Schema]) -> type[Schema]:
    """``{"items": [...], "next_cursor": "…" | null}``."""
    return type(
        item.__name__.removesuffix("Out") + "Page",
        (Strict,),
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(
                allow_none=True,
                required=True,
                metadata={"description": "Pass as `cursor` for the next page; null at the end."},
            ),
        },
    )


UnitPage = page_of(UnitOut)
PositionPage = page_of(PositionOut)
OfficialPage = page_of(OfficialOut)
ComplianceRowPage = page_of(ComplianceRowOut)


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "Stable, for programs."})
    detail = fields.String(required=True, metadata={"description": "In Vietnamese, for people."})
    errors = fields.Dict(metadata={"description": "Field errors of a 400, by location."})


class RosterRowErrorOut(Schema):
    index = fields.Integer(required=True, metadata={"description": "In `officials`, from 0."})
    username = fields.String(allow_none=True, required=True)
    message = fields.String(required=True, metadata={"description": "Every problem of the row."})


class RosterProblemOut(ProblemOut):
    """A problem document; a rejected roster adds `rows`: every bad row, nothing written."""

    rows = fields.List(fields.Nested(RosterRowErrorOut))
