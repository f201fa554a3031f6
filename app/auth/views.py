from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import ChangePasswordForm, LoginForm
from app.models import utcnow

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _policy() -> services.ThrottlePolicy:
    cfg = current_app.config
    return services.ThrottlePolicy(
        window=timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"]),
        max_per_account=cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        max_per_address=cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"],
    )


def _throttled(exc: services.Throttled) -> str:
    return _(
        "Too many failed sign-ins. Try again in %(minutes)d minutes.",
        minutes=exc.retry_after_minutes,
    )


def _next_url(form: LoginForm) -> str:
    target = form.next.data or request.args.get("next")
    return target if services.is_safe_next(target) else url_for("learn.home")


# What an account with a temporary password may still open: the page to change it, sign out,
# and the files the pages need.
OPEN_WITH_TEMPORARY_PASSWORD = frozenset({"auth.change_password", "auth.logout", "static"})


@bp.before_app_request
def require_new_password():
    """An account with a temporary password (new, or reset by HR) changes it before anything
    else."""
    if (
        request.endpoint is not None
        and request.endpoint not in OPEN_WITH_TEMPORARY_PASSWORD
        and current_user.is_authenticated
        and current_user.must_change_password
    ):
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("learn.home"))
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.username.data,
                form.password.data,
                address=request.remote_addr or "unknown",
                policy=_policy(),
                now=utcnow(),
            )
        except services.Throttled as exc:
            form.password.errors.append(_throttled(exc))
            return render_template("auth/login.html", form=form), 429
        except services.InvalidCredentials:  # already counted (services.count_attempt)
            form.password.errors.append(_("Wrong username or password."))
            return render_template("auth/login.html", form=form), 400
        services.start_session(user, now=utcnow())
        login_user(user, remember=form.remember.data)
        if user.must_change_password:
            flash(_("Please choose a new password before you continue."), "warning")
            return redirect(url_for("auth.change_password"))
        return redirect(_next_url(form))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        services.end_session(current_user)
    logout_user()
    flash(_("You have signed out."), "info")
    response = redirect(url_for("auth.login"))
    # Lessons saved for reading offline, unsent progress: nothing stays on a shared phone.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    services.end_all_sessions(current_user, by=current_user)
    logout_user()
    flash(_("You have signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                form.current.data,
                form.new.data,
                address=request.remote_addr or "unknown",
                policy=_policy(),
                now=utcnow(),
            )
        except services.Throttled as exc:
            form.current.errors.append(_throttled(exc))
            return render_template("auth/password.html", form=form), 429
        except services.InvalidCredentials:
            form.current.errors.append(_("The current password is wrong."))
            return render_template("auth/password.html", form=form), 400
        login_user(current_user._get_current_object())  # this session goes on, others end
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("learn.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status
