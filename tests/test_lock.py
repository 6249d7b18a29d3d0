"""The lock file production installs from agrees with pyproject.toml: every runtime and
production dependency is pinned there, to a version the project's ranges allow, with a
hash to check it by."""

import re
import tomllib

from conftest import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK = ROOT / "requirements" / "production.txt"


def locked() -> dict[str, tuple[str, list[str]]]:
    """Return each locked package's version and hashes, by its canonical name."""
    found: dict[str, tuple[str, list[str]]] = {}
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        pinned = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)(.*)", line)
        if pinned:
            name, version, rest = pinned.groups()
            found[canonicalize_name(name)] = (version, re.findall(r"--hash=(\S+)", rest))
    return found


def test_every_production_dependency_is_locked_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for r in project["optional-dependencies"]["production"]]
    pins = locked()
    assert len(pins) >= len(wanted)
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in {LOCK.name}"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version), f"{name}=={version}: {requirement}"
        assert hashes and all(h.startswith("sha256:") for h in hashes)


def test_every_runtime_dependency_has_an_upper_bound():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    every = project["dependencies"] + project["optional-dependencies"]["production"]
    unbounded = [
        r for r in every if not any(s.operator in {"<", "=="} for s in Requirement(r).specifier)
    ]
    assert unbounded == []
