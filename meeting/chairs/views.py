"""Chair accounts on the web: the first-run set-up, logging in and out."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..pages.access import current_chair
from . import accounts

bp = Blueprint("chairs", __name__)


@bp.route("/")
def index():
    if accounts.chair_count(db.session) == 0:
        return redirect(url_for("chairs.setup"))
    if current_chair() is not None:
        return redirect(url_for("agenda.index"))
    return render_template("index.html")


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if accounts.chair_count(db.session):
        return redirect(url_for("chairs.login"))
    form, errors = request.form, {}
    if request.method == "POST":
        code = accounts.setup_code(db.session)
        if form.get("setup_code", "").strip().upper() != code:
            errors["setup_code"] = (
                "That is not the set-up code. It is printed where the server was started."
            )
        errors |= accounts.validate_chair(
            db.session,
            form.get("name", ""),
            form.get("email", ""),
            form.get("password", ""),
            form.get("confirm", ""),
        )
        if not errors:
            chair = accounts.create_chair(
                db.session,
                form["name"],
                form["email"],
                generate_password_hash(form["password"]),
                form.get("agency", ""),
            )
            db.session.commit()
            session.clear()
            session["chair_id"] = chair.id
            return redirect(url_for("agenda.index"))
    status = 422 if errors else 200
    return render_template("chairs/setup.html", form=form, errors=errors), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    form, error = request.form, None
    if request.method == "POST":
        chair = accounts.find_chair(db.session, form.get("email", ""))
        if chair is None or not check_password_hash(chair.password_hash, form.get("password", "")):
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
    return render_template("chairs/login.html", form=form, error=error), 401 if error else 200


@bp.route("/logout", methods=["POST"])
def logout():
    session.pop("chair_id", None)
    return redirect(url_for("chairs.login"))
