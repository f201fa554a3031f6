"""Parts of pages that are the same for every request of a kind, rendered once.

The header's menu depends only on the language and the account's role; the offline notice
only on the language; the stylesheet's and script's addresses (with their files' versions)
on nothing but the deployment; a course card on the course and the progress it shows. Each
costs translations, addresses and number or date formatting on every page: ``kept_fragment``
renders each variant once per process and keeps the HTML (except when templates are reloaded
as they change, in debug: then on every request).

A fragment is rendered with Jinja alone, not through Flask's ``render_template``: it gets
``url_for``, ``_()`` and the variables of its key, and nothing of the request (no
``current_user``, ``request`` or ``session``), so nothing personal can be kept in it.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup

_KEY = "layout.fragments"
_MOST = 10_000  # variants kept per process (a course card per course, progress and language)


def kept_fragment(template: str, **variables: str) -> Markup:
    """The HTML of ``template`` rendered with ``variables``, for this request's language."""
    environment = current_app.jinja_env
    if environment.auto_reload:  # debug: templates and static files change as one works
        return Markup(environment.get_template(template).render(**variables))
    kept: dict[tuple, Markup] = current_app.extensions.setdefault(_KEY, {})
    root = request.script_root if has_request_context() else ""
    key = (template, str(get_locale()), root, *sorted(variables.items()))
    html = kept.get(key)
    if html is None:
        html = Markup(environment.get_template(template).render(**variables))
        if len(kept) >= _MOST:
            kept.clear()
        kept[key] = html
    return html


def register_layout(app: Flask) -> None:
    app.jinja_env.globals["kept_fragment"] = kept_fragment
