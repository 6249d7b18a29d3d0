"""Chair accounts: the first-run set-up, logging in and out."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from sqlalchemy import delete

from . import meetings
from .access import current_chair
from .extensions import db
from .models import SetupCode

bp = Blueprint("auth", __name__)


@bp.route("/")
def index():
    if meetings.chair_count() == 0:
        return redirect(url_for("auth.setup"))
    if current_chair() is not None:
        return redirect(url_for("agenda.index"))
    return render_template("index.html")


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if meetings.chair_count():
        return redirect(url_for("auth.login"))
    form, errors = request.form, {}
    if request.method == "POST":
        code = meetings.setup_code()
        if form.get("setup_code", "").strip().upper() != code:
            errors["setup_code"] = (
                "That is not the set-up code. It is printed where the server was started."
            )
        errors |= meetings.validate_chair(
            form.get("name", ""),
            form.get("email", ""),
            form.get("password", ""),
            form.get("confirm", ""),
        )
        if not errors:
            chair = meetings.create_chair(
                form["name"], form["email"], form["password"], form.get("agency", "")
            )
            db.session.execute(delete(SetupCode))
            db.session.commit()
            session.clear()
            session["chair_id"] = chair.id
            return redirect(url_for("agenda.index"))
    status = 422 if errors else 200
    return render_template("auth/setup.html", form=form, errors=errors), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    form, error = request.form, None
    if request.method == "POST":
        chair = meetings.authenticate(form.get("email", ""), form.get("password", ""))
        if chair is None:
            error = "That email address and password do not match a chair account."
        else:
            seats = session.get("seats")
            session.clear()
            if seats:
                session["seats"] = seats
            session["chair_id"] = chair.id
            target = request.args.get("next", "")
            safe = target.startswith("/") and not target.startswith("//")
            return redirect(target if safe else url_for("agenda.index"))
    return render_template("auth/login.html", form=form, error=error), 401 if error else 200


@bp.route("/logout", methods=["POST"])
def logout():
    session.pop("chair_id", None)
    return redirect(url_for("auth.login"))
