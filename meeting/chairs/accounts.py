"""Chair accounts: the one-time set-up code, checking a new chair's details, finding a chair.

Passwords reach these rules already hashed; the web layer hashes and checks them.
"""

import secrets

from sqlalchemy import func, select

from ..models import AnySession, Chair, SetupCode


def chair_count(session: AnySession) -> int:
    """Return how many chair accounts exist."""
    return session.scalar(select(func.count(Chair.id))) or 0


def setup_code(session: AnySession) -> str | None:
    """Return the one-time set-up code while no chair exists, creating it if needed."""
    if chair_count(session):
        return None
    row = session.scalar(select(SetupCode))
    if row is None:
        row = SetupCode(code=secrets.token_hex(4).upper())
        session.add(row)
        session.commit()
    return row.code


def normalise_email(email: str) -> str:
    """Return an email address as accounts are keyed by it."""
    return email.strip().lower()


def validate_chair(
    session: AnySession, name: str, email: str, password: str, confirm: str
) -> dict[str, str]:
    """Return what is wrong with a new chair's details (empty when they are fine)."""
    return validate_details(session, name, email) | validate_password(password, confirm)


def validate_details(session: AnySession, name: str, email: str) -> dict[str, str]:
    """Return what is wrong with a new chair's name and address (empty when they are fine)."""
    errors = {}
    if not name.strip():
        errors["name"] = "Enter your name."
    if "@" not in email or len(email) > 254:
        errors["email"] = "Enter an email address, e.g. name@council.gov.uk."
    elif find_chair(session, email):
        errors["email"] = "A chair with this email address already exists."
    return errors


def validate_password(password: str, confirm: str) -> dict[str, str]:
    """Return what is wrong with a new password (empty when it is fine)."""
    if len(password) < 10:
        return {"password": "Use a password of at least 10 characters."}
    if password != confirm:
        return {"confirm": "The two passwords differ."}
    return {}


# A password hash no password matches: the account of a disabled chair.
DISABLED = "disabled"
# Another that no password matches: a chair who signs in only with the council's account.
COUNCIL_ONLY = "council sign-in only"


def set_password(chair: Chair, password_hash: str) -> None:
    """Give a chair a new password; every session from before ends."""
    chair.password_hash = password_hash
    chair.session_version += 1


def disable(chair: Chair) -> None:
    """Stop a chair logging in; every session ends. Their meetings and records stay."""
    set_password(chair, DISABLED)


def disabled(chair: Chair) -> bool:
    """Say whether a chair's account is disabled."""
    return chair.password_hash == DISABLED


def council_only(chair: Chair) -> bool:
    """Say whether a chair has no password here and signs in only with the council's account."""
    return chair.password_hash == COUNCIL_ONLY


def create_chair(
    session: AnySession, name: str, email: str, password_hash: str, agency: str = ""
) -> Chair:
    """Create a chair account; the set-up code is used up with the first one."""
    chair = Chair(
        name=name.strip(),
        email=normalise_email(email),
        agency=agency.strip(),
        password_hash=password_hash,
    )
    session.add(chair)
    for code in session.scalars(select(SetupCode)):
        session.delete(code)
    return chair


def find_chair(session: AnySession, email: str) -> Chair | None:
    """Return the chair account with this email address, if any."""
    return session.scalar(select(Chair).where(Chair.email == normalise_email(email)))
