"""Settings are checked at start: a wrong one stops the server with one line saying which,
and what it wants; a secret key others could know never signs a session.

Every server here is a real process (`python -m meeting`), started as an operator would.
"""

import os
import re
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from conftest import LiveServer, free_port
from conftest import postgres_database as new_postgres_database
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from meeting.settings import READINGS

ROOT = Path(__file__).resolve().parents[1]
SOURCE = (ROOT / "meeting" / "settings.py").read_text()

# For every setting that can be wrong: a wrong value, and the line the server must stop with.
WRONG = {
    "MEETING_DATABASE_URL": (
        "postgres://meeting:hunter2@db/meeting",
        "MEETING_DATABASE_URL must be a database address such as "
        "postgresql+psycopg://meeting@/meeting?host=/var/run/postgresql, "
        "not 'postgres://meeting:***@db/meeting' (no database called 'postgres' is known).",
    ),
    "MEETING_DATABASE_POOL_SIZE": (
        "ten",
        "MEETING_DATABASE_POOL_SIZE must be a whole number of connections, such as 10, not 'ten'.",
    ),
    "MEETING_DATABASE_POOL_OVERFLOW": ("-1", "MEETING_DATABASE_POOL_OVERFLOW must be"),
    "MEETING_DATABASE_UPGRADES_ITSELF": (
        "maybe",
        "MEETING_DATABASE_UPGRADES_ITSELF must be yes or no (1 or 0), not 'maybe'.",
    ),
    "MEETING_REDIS_URL": (
        "127.0.0.1:6379",
        "MEETING_REDIS_URL must be a Redis address such as redis://127.0.0.1:6379/0, "
        "not '127.0.0.1:6379'.",
    ),
    "MEETING_REDIS_PREFIX": ("my meeting", "MEETING_REDIS_PREFIX must be a name of"),
    "MEETING_TIMEZONE": (
        "Europe/Londres",
        "MEETING_TIMEZONE must be a time zone name such as Europe/London, not 'Europe/Londres'.",
    ),
    "MEETING_PROXY_HOPS": (
        "yes",
        "MEETING_PROXY_HOPS must be a whole number of proxies from 0 to 10, such as 1, not 'yes'.",
    ),
    "MEETING_REMEMBER_DEVICE_DAYS": ("a year", "MEETING_REMEMBER_DEVICE_DAYS must be"),
    "MEETING_CHAIR_SESSION_HOURS": (
        "12h",
        "MEETING_CHAIR_SESSION_HOURS must be a number of hours, such as 12, not '12h'.",
    ),
    "MEETING_READER_LINK_DAYS": ("90 days", "MEETING_READER_LINK_DAYS must be"),
    "MEETING_SMTP_HOST": (
        "smtp://mail.example.org:25",
        "MEETING_SMTP_HOST must be a mail server's name alone",
    ),
    "MEETING_SMTP_PORT": ("70000", "MEETING_SMTP_PORT must be a port number from 1 to 65535"),
    "MEETING_SMTP_STARTTLS": ("tls", "MEETING_SMTP_STARTTLS must be yes or no"),
    "MEETING_MAIL_FROM": (
        "meetings",
        "MEETING_MAIL_FROM must be an email address such as meetings@example.org, not 'meetings'.",
    ),
    "MEETING_PUBLIC_URL": (
        "meetings.example.org",
        "MEETING_PUBLIC_URL must be an address starting https:// or http://, such as "
        "https://meetings.example.org, not 'meetings.example.org'.",
    ),
    "MEETING_KEEP_CLOSED_DAYS": ("seven years", "MEETING_KEEP_CLOSED_DAYS must be"),
    "MEETING_CASE_MANAGERS": (
        "manager@example.org, Pat Manager",
        "MEETING_CASE_MANAGERS must be email addresses separated by commas or spaces",
    ),
    "MEETING_TRIGGERS_BY_PROFESSIONALS": ("sometimes", "MEETING_TRIGGERS_BY_PROFESSIONALS"),
    "MEETING_ATTENDEE_ADDITIONS_LIMIT": (
        "lots",
        "MEETING_ATTENDEE_ADDITIONS_LIMIT must be an allowance such as '5 per minute;30 per hour'",
    ),
    "MEETING_OIDC_ISSUER": ("login.example.org", "MEETING_OIDC_ISSUER must be the provider's"),
    "MEETING_LOG_FORMAT": ("xml", "MEETING_LOG_FORMAT must be text or json, not 'xml'."),
    "MEETING_METRICS_TOKEN": (
        "short",
        "MEETING_METRICS_TOKEN must be a token of at least 24 characters and no spaces.",
    ),
    "MEETING_METRICS_LOOPBACK": ("maybe", "MEETING_METRICS_LOOPBACK must be yes or no"),
}
# Settings any text is right for.
ANY_TEXT = {
    "MEETING_PROTECTIVE_MARKING",
    "MEETING_SMTP_USERNAME",
    "MEETING_SMTP_PASSWORD",
    "MEETING_PURGE_EXPORT_TO",
    "MEETING_LEGAL_BASES",
    "MEETING_OIDC_CLIENT_ID",
    "MEETING_OIDC_CLIENT_SECRET",
}
MAKE_KEY = "python -c 'import secrets; print(secrets.token_hex(32))'"


def clean_environment(folder: Path, **settings: str) -> dict[str, str]:
    """The environment of a server with only these MEETING_* settings, in its own folder."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("MEETING_")}
    return env | {"MEETING_INSTANCE_PATH": str(folder / "instance")} | settings


def start(env: dict[str, str], port: int | None = None) -> subprocess.CompletedProcess:
    """Start `python -m meeting` as an operator would; return how it ended (60 s at most)."""
    return subprocess.run(
        [sys.executable, "-m", "meeting", "--port", str(port or free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=env["MEETING_INSTANCE_PATH"].rsplit("/", 1)[0],
    )


def said(ended: subprocess.CompletedProcess) -> list[str]:
    """The lines a process wrote, on either stream."""
    return [line for line in (ended.stdout + ended.stderr).splitlines() if line.strip()]


def test_every_setting_read_from_the_environment_is_checked():
    read = set(re.findall(r'env\(\s*"(MEETING_\w+)"', SOURCE))
    assert read == set(READINGS), "each variable `defaults` reads has a row in READINGS"
    assert set(WRONG) | ANY_TEXT == set(READINGS), "each row is tried here"


@pytest.fixture(scope="module")
def wrong_starts(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    """Each setting given a wrong value, one server each, several at once."""

    def try_one(variable: str) -> subprocess.CompletedProcess:
        folder = tmp_path_factory.mktemp(variable.lower())
        return start(clean_environment(folder, **{variable: WRONG[variable][0]}))

    with ThreadPoolExecutor(3) as pool:
        return dict(zip(WRONG, pool.map(try_one, WRONG), strict=True))


@pytest.mark.parametrize("variable", list(WRONG))
def test_a_wrong_setting_stops_the_start_with_one_line_naming_it(variable, wrong_starts):
    ended = wrong_starts[variable]
    lines = said(ended)
    assert ended.returncode == 1, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith(WRONG[variable][1]), lines
    assert "Traceback" not in ended.stdout + ended.stderr
    assert "hunter2" not in ended.stdout + ended.stderr


def test_a_flask_command_says_the_same_line(tmp_path):
    env = clean_environment(tmp_path, MEETING_PROXY_HOPS="yes")
    ended = subprocess.run(
        ["flask", "--app", "meeting", "list-chairs"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert ended.returncode == 1
    assert said(ended) == [
        "MEETING_PROXY_HOPS must be a whole number of proxies from 0 to 10, such as 1, not 'yes'."
    ]


def test_a_database_that_refuses_or_does_not_answer_stops_the_start_with_one_line(tmp_path):
    databases = new_postgres_database()
    url = next(databases)
    server, name = url.rsplit("/", 1)
    host = server.split("@", 1)[1]
    refusing = {
        "no such database": (
            f"{server}/{name}_gone",
            f'database "{name}_gone" does not exist',
            "create it",
        ),
        "no such user": (
            f"postgresql+psycopg://nobody_{secrets.token_hex(3)}:pw@{host}/{name}",
            "role",
            "create it",
        ),
        "nothing listening": (
            f"postgresql+psycopg://meeting:hunter2@127.0.0.1:{free_port()}/meeting",
            "Connection refused",
            "check that the database server is running",
        ),
    }
    try:
        for case, (address, cause, advice) in refusing.items():
            folder = tmp_path / case.replace(" ", "-")
            folder.mkdir()
            ended = start(clean_environment(folder, MEETING_DATABASE_URL=address))
            lines = said(ended)
            assert ended.returncode == 1, (case, lines)
            assert len(lines) == 1, (case, lines)
            assert lines[0].startswith("Not starting: the database at "), (case, lines)
            assert cause in lines[0] and advice in lines[0], (case, lines)
            assert "Traceback" not in ended.stderr and "hunter2" not in lines[0], case
    finally:
        next(databases, None)


@pytest.mark.parametrize(
    "key, why",
    [
        ("change-me", "is a sample or made-up value that others could know"),
        (secrets.token_hex(15) + "a", "is 31 characters long, and needs at least 32"),
        ("a1" * 20, "repeats a few characters, so it could be guessed"),
        (None, "is not set, and only the one-room default makes its own"),
    ],
    ids=["sample", "short", "repetitive", "missing"],
)
def test_a_served_deployment_refuses_a_key_others_could_know(key, why, tmp_path):
    """With a public https address the server is a deployment, not one meeting room: its
    key must be given, long and random; and a server that refuses never answers."""
    settings = {"MEETING_PUBLIC_URL": "https://meetings.example.org"}
    if key is not None:
        settings["MEETING_SECRET_KEY"] = key
    port = free_port()
    ended = start(clean_environment(tmp_path, **settings), port)
    lines = said(ended)
    assert ended.returncode == 1, lines
    assert lines[-1] == f"Not starting: MEETING_SECRET_KEY {why}: set it to a key made with: " + (
        MAKE_KEY
    ), lines
    assert [line for line in lines if "SECRET_KEY" in line] == lines[-1:]
    assert "Traceback" not in ended.stderr
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/meetings/", timeout=5)


def test_the_one_room_default_refuses_a_sample_key_too(tmp_path):
    ended = start(clean_environment(tmp_path, MEETING_SECRET_KEY="change-me"))
    assert ended.returncode == 1
    assert said(ended)[-1].startswith("Not starting: MEETING_SECRET_KEY is a sample")


def forged(key: str, chair_id: int = 1) -> str:
    """A session cookie saying the first chair is logged in, signed with `key`."""
    signer = Flask("forger")
    signer.secret_key = key
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer)
    assert serializer is not None
    fields = {"chair_id": chair_id, "chair_version": 1, "chair_since": int(time.time())}
    return serializer.dumps(fields)


def test_a_session_signed_with_the_sample_key_opens_nothing(tmp_path):
    """The server runs only with a key of its own: a session cookie signed with the key the
    sample settings once shipped is a stranger's, sent to log in; signed with the server's
    own key, the same cookie opens the chair's meetings (the forgery is the right shape)."""
    key = secrets.token_hex(32)
    server = LiveServer(tmp_path, env={"MEETING_SECRET_KEY": key})
    server.start()
    try:
        server.first_chair()
        meetings = server.url + "/meetings/"
        stranger = requests.get(meetings, cookies={"session": forged("change-me")})
        assert stranger.history and urlsplit(stranger.url).path == "/login", stranger.url
        insider = requests.get(meetings, cookies={"session": forged(key)})
        assert insider.status_code == 200 and not insider.history
        assert "Log out" in insider.text
    finally:
        server.stop()
