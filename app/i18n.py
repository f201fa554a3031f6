"""Locale selection and the display filters (dates as dd/mm/yyyy, Vietnamese first)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache

from babel import numbers as babel_numbers
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import (
    format_date,
    format_datetime,
    get_locale,
    get_translations,
    gettext,
)
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context

from app.extensions import babel

DATE_FORMAT = "dd/MM/yyyy"
DATETIME_FORMAT = "dd/MM/yyyy HH:mm"


def select_locale() -> str:
    """``?lang=`` (remembered in the session), then the user's choice, then Vietnamese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands, reports, reminders: Vietnamese
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):  # the API answers in Vietnamese and keeps no session
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def date_filter(value: date | datetime | None) -> str:
    """dd/mm/yyyy; a datetime is naive UTC and shown in Vietnam's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, DATE_FORMAT)
    return format_date(value, DATE_FORMAT)


def datetime_filter(value: datetime | None) -> str:
    return format_datetime(value, DATETIME_FORMAT) if value is not None else ""


def number_filter(value: Decimal | float | int | None, digits: int = 2) -> str:
    """Numbers with the locale's decimal separator, without useless zeros (12 / 12,5).

    Cut, never rounded up: 15.96 of 16 hours or a grade of 69.996 % against a pass mark of 70
    must not read as the threshold met."""
    if value is None:
        return ""
    cut = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN)
    locale = get_locale()  # None outside an application context: Babel's default
    number = abs(cut) if cut == 0 else cut.normalize()
    return _formatted(str(locale) if locale is not None else None, number)


@lru_cache(maxsize=4096)
def _formatted(locale: str | None, number: Decimal) -> str:
    """Babel's formatting of a number, kept: pages show the same few (hours, grades) again
    and again, and formatting one costs more than the rest of a course card."""
    return babel_numbers.format_decimal(number, format="#,##0.##", locale=locale)


def unit_kind_filter(kind: str) -> str:
    return {
        "province": gettext("province"),
        "city": gettext("centrally-run city"),
        "district": gettext("district (before 1/7/2025)"),
        "commune": gettext("commune"),
        "ward": gettext("ward"),
        "township": gettext("township (before 1/7/2025)"),
        "special_zone": gettext("special zone"),
        "agency": gettext("agency"),
    }.get(kind, kind)


def _translations(context: Context):
    """The catalogue of the locale a template is rendered in, looked up once per rendering
    and locale. Flask-Babel's own template callables look it up again for each string
    (request context, domain, locale, catalogue: about 10 µs each, 20 to 70 strings a page);
    ``get_locale`` alone is a third of that. The locale object is compared by identity: it is
    made once per request (or per ``force_locale``), and macros imported by templates keep
    their context from one request to the next."""
    locale = get_locale()
    eval_ctx = context.eval_ctx
    kept = getattr(eval_ctx, "translations", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    eval_ctx.translations = (locale, translations)
    return translations


@pass_context
def _template_gettext(context: Context, string: str) -> str:
    return _translations(context).ugettext(string)


@pass_context
def _template_ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return _translations(context).ungettext(singular, plural, n)


@pass_context
def _template_pgettext(context: Context, msgctxt: str, string: str) -> str:
    return _translations(context).upgettext(msgctxt, string)


@pass_context
def _template_npgettext(context: Context, msgctxt: str, singular: str, plural: str, n: int) -> str:
    return _translations(context).unpgettext(msgctxt, singular, plural, n)


def register_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # replaces Flask-Babel's, same behaviour
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
        newstyle=True,
    )
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.filters["number"] = number_filter
    app.jinja_env.filters["unit_kind"] = unit_kind_filter
    app.jinja_env.globals["get_locale"] = get_locale
