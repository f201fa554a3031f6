"""Parts of the page layout that are the same for every request of a kind, rendered once.

The header's menu depends only on the language and the account's role; the offline notice
only on the language. Rendering them costs a translation and an address per link on every
page; ``layout_fragment`` renders each variant once per process and keeps the HTML.

A fragment is rendered with Jinja alone, not through Flask's ``render_template``: it gets
``url_for``, ``_()`` and the variables of its key, and nothing of the request (no
``current_user``, ``request`` or ``session``), so nothing personal can be kept in it.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup

_KEY = "layout.fragments"


def layout_fragment(template: str, **variables: str) -> Markup:
    """The HTML of ``template`` rendered with ``variables``, for this request's language."""
    kept: dict[tuple, Markup] = current_app.extensions.setdefault(_KEY, {})
    root = request.script_root if has_request_context() else ""
    key = (template, str(get_locale()), root, *sorted(variables.items()))
    html = kept.get(key)
    if html is None:
        html = Markup(current_app.jinja_env.get_template(template).render(**variables))
        kept[key] = html
    return html


def register_layout(app: Flask) -> None:
    app.jinja_env.globals["layout_fragment"] = layout_fragment
