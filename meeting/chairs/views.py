"""Chair accounts on the web: the first-run set-up, logging in and out."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..pages import allowances
from ..pages.access import current_chair, log_in_chair
from ..pages.doorbell import chair_room, drop_connections
from ..pages.redirects import next_page
from . import accounts

bp = Blueprint("chairs", __name__)

# Checked against when no account has the address, so an unknown address takes as long to
# refuse as a wrong password: the answer's timing says nothing about who has an account.
NOBODY = generate_password_hash("no account has this address")
TOO_MANY_LOG_INS = (
    "Too many failed log-ins for this account or from here. Wait 15 minutes and try "
    "again, or ask another chair to check the account."
)
TOO_MANY_CODES = "Too many wrong set-up codes from here. Wait an hour and try again."


@bp.route("/")
def index():
    """Answer the front page (set-up, a chair's meetings, or the join form); anyone."""
    if accounts.chair_count(db.session) == 0:
        return redirect(url_for("chairs.setup"))
    if current_chair() is not None:
        return redirect(url_for("agenda.index"))
    return render_template("index.html")


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Create the first chair account with the set-up code; anyone, until a chair exists."""
    if accounts.chair_count(db.session):
        return redirect(url_for("chairs.login"))
    form, errors = request.form, {}
    if request.method == "POST":
        code = accounts.setup_code(db.session)
        address = get_remote_address()
        if allowances.used_up("SETUP_ATTEMPTS_LIMIT", "setup-code", address):
            errors["setup_code"] = TOO_MANY_CODES
        elif form.get("setup_code", "").strip().upper() != code:
            errors["setup_code"] = (
                "That is not the set-up code. It is printed where the server was started."
            )
            if not allowances.count("SETUP_ATTEMPTS_LIMIT", "setup-code", address):
                errors["setup_code"] = TOO_MANY_CODES
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
            db.session.flush()
            log_in_chair(chair)
            return redirect(url_for("agenda.index"))
    status = 422 if errors else 200
    return render_template("chairs/setup.html", form=form, errors=errors), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log a chair in by email and password; anyone, with failed tries limited."""
    form, error = request.form, None
    if request.method == "POST":
        email = accounts.normalise_email(form.get("email", ""))
        address = get_remote_address()
        chair = accounts.find_chair(db.session, email)
        matches = check_password_hash(
            chair.password_hash if chair else NOBODY, form.get("password", "")
        )
        if allowances.used_up(
            "LOGIN_ATTEMPTS_PER_ACCOUNT", "login-account", email
        ) or allowances.used_up("LOGIN_ATTEMPTS_PER_ADDRESS", "login-address", address):
            error = TOO_MANY_LOG_INS
        elif chair is None or not matches:
            error = "That email address and password do not match a chair account."
            within = allowances.count("LOGIN_ATTEMPTS_PER_ACCOUNT", "login-account", email)
            by_address = allowances.count("LOGIN_ATTEMPTS_PER_ADDRESS", "login-address", address)
            within = by_address and within
            if not within:
                error = TOO_MANY_LOG_INS
        else:
            seats = session.get("seats")
            session.clear()
            if seats:
                session["seats"] = seats
            log_in_chair(chair)
            return redirect(next_page(request.args.get("next")))
    status = 429 if error == TOO_MANY_LOG_INS else 401 if error else 200
    return render_template("chairs/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Log this device's chair out everywhere and close their pages; anyone, no-op if none."""
    chair = current_chair()
    if chair is not None:
        # Every copy of this chair's cookie ends here, and so do its live connections.
        chair.session_version += 1
        db.session.commit()
        drop_connections(chair_room(chair.id))
    session.pop("chair_id", None)
    session.pop("chair_version", None)
    session.pop("chair_since", None)
    return redirect(url_for("chairs.login"))
