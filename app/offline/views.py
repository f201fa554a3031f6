"""The service worker (a static file, served from the site's root so that its scope covers the
lessons) and the web app manifest, in the user's language.

What the worker keeps is chosen in the browser (app/static/js/site.js, "Save for reading
offline" on a course page); this module only serves files and the version of a course.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, url_for
from flask_babel import gettext as _

from app.models import Lesson

bp = Blueprint("offline", __name__)


@bp.get("/sw.js")
def service_worker():
    path = Path(current_app.static_folder, "js", "sw.js")
    response = current_app.response_class(
        path.read_bytes(), mimetype="text/javascript", headers={"Cache-Control": "no-cache"}
    )
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker, from its saved copy, for a page that was not saved."""
    return render_template("offline/offline.html")


@bp.get("/manifest.webmanifest")
def manifest():
    response = jsonify(
        {
            "name": _("Civil servant training"),
            "short_name": _("Training"),
            "start_url": url_for("learn.home"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1f5fbf",
            "icons": [
                {
                    "src": url_for("static", filename="favicon.svg"),
                    "sizes": "any",
                    "type": "image/svg+xml",
                }
            ],
        }
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.app_template_filter("offline_version")
def offline_version(lessons: Iterable[Lesson]) -> str:
    """Changes whenever a lesson of the course changes, is added or removed: a saved copy
    older than this is saved again."""
    digest = hashlib.sha256()
    for lesson in lessons:
        digest.update(f"{lesson.id}:{lesson.slug}:{lesson.content_hash};".encode())
    return digest.hexdigest()[:16]
