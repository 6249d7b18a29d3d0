"""The release has one number: pyproject.toml's, installed, written up first in CHANGELOG.md,
and said by /healthz, /metrics and `flask --app meeting version`."""

import re
import tomllib

from conftest import ROOT

import meeting

CHANGELOG = ROOT / "CHANGELOG.md"


def project_version() -> str:
    """Return the version pyproject.toml gives this checkout."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return str(project["version"])


def test_the_changelog_opens_with_this_release_and_its_upgrade_notes():
    version = project_version()
    assert re.fullmatch(r"0\.\d+\.\d+", version), "0.<issue>.<fix>"
    text = CHANGELOG.read_text(encoding="utf-8")
    releases = re.findall(r"^## (.+)$", text, flags=re.M)
    assert releases[0] == version
    this = text.split(f"## {version}\n", 1)[1].split("\n## ", 1)[0]
    assert "### What an operator must do" in this
    assert "flask --app meeting db upgrade" in this
    # Every setting a release added is written up where it came.
    for setting in ("MEETING_METRICS_TOKEN", "MEETING_METRICS_LOOPBACK", "MEETING_LOG_FORMAT"):
        assert setting in text


def test_the_installed_release_is_this_checkout():
    assert meeting.__version__ == project_version(), (
        "the installed package's metadata is another release's: install this checkout again "
        "(pip install --no-deps -e .)"
    )


def test_the_server_and_its_command_say_the_release(app):
    assert app.test_client().get("/healthz").json["version"] == meeting.__version__
    said = app.test_cli_runner().invoke(args=["version"])
    assert said.exit_code == 0 and said.output == f"{meeting.__version__}\n"
    app.config["METRICS_LOOPBACK"] = True
    scraped = app.test_client().get("/metrics").text
    assert f'meeting_build_info{{version="{meeting.__version__}"}} 1.0' in scraped
