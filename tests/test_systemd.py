"""The systemd unit (deploy/meeting@.service) is confined, and the server runs so confined.

`systemd-analyze security` rates the unit file as it stands; the production server (gunicorn's
gevent worker) then serves a meeting, its display's WebSocket included, under the kernel's
rule that MemoryDenyWriteExecute= sets (no memory both writable and executable, ever), with
no new privileges, as the unit starts it.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest
import requests
import socketio
from conftest import HELD_AT, ROOT, LiveServer, until

UNIT = ROOT / "deploy" / "meeting@.service"
# systemd's words for a unit's exposure, from the least exposed.
GOOD_ENOUGH = ("PERFECT", "SAFE", "OK")

# Set, before anything else runs, in every Python process the server starts: the kernel's
# memory-deny-write-execute (prctl PR_SET_MDWE, kept across fork and exec) and no new
# privileges, each checked as set.
CONFINED = """\
import ctypes, sys
_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS = 38, 39
PR_SET_MDWE, PR_GET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 66, 1
for setting, value in ((PR_SET_NO_NEW_PRIVS, 1), (PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN)):
    if _libc.prctl(setting, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl %d" % setting)
if _libc.prctl(PR_GET_MDWE, 0, 0, 0, 0) != 1 or _libc.prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1:
    raise OSError("not confined")
print("confined: memory-deny-write-execute, no new privileges", file=sys.stderr, flush=True)
"""


def analyze() -> str:
    """Return `systemd-analyze security`'s report on the unit file, or skip where it cannot."""
    found = shutil.which("systemd-analyze")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs systemd-analyze (apt-get install systemd)")
        pytest.skip("systemd-analyze is not installed")
    return subprocess.run(
        [found, "security", "--offline=true", "--no-pager", str(UNIT)],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


def test_the_unit_is_rated_ok_or_better():
    report = analyze()
    overall = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)", report)
    assert overall, report
    score, level = float(overall.group(1)), overall.group(2)
    assert level in GOOD_ENOUGH and score < 2, report
    # The parts that matter most to a reviewer, each marked as held.
    for held in (
        "NoNewPrivileges=",
        "ProtectSystem=",
        "ProtectHome=",
        "PrivateTmp=",
        "PrivateDevices=",
        "MemoryDenyWriteExecute=",
        "RestrictNamespaces=~user",
        "SystemCallArchitectures=",
        "CapabilityBoundingSet=~CAP_SYS_ADMIN",
    ):
        line = next(line for line in report.splitlines() if line[2:].startswith(held))
        assert line.startswith("✓"), line


def test_the_production_server_runs_under_the_units_memory_rule(tmp_path):
    kernel = tuple(int(n) for n in re.findall(r"\d+", os.uname().release)[:2])
    if not sys.platform.startswith("linux") or kernel < (6, 3):
        pytest.skip("the kernel's memory-deny-write-execute rule came in Linux 6.3")
    rules = tmp_path / "confined"
    rules.mkdir()
    (rules / "sitecustomize.py").write_text(CONFINED, encoding="utf-8")
    probe = subprocess.run(
        [sys.executable, "-c", "import mmap; mmap.mmap(-1, 4096, prot=7)"],
        env={**os.environ, "PYTHONPATH": f"{rules}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"},
        capture_output=True,
        text=True,
    )
    assert "confined" in probe.stderr and "PermissionError" in probe.stderr, probe.stderr

    path = f"{rules}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    env = {"PYTHONPATH": path, "MEETING_METRICS_LOOPBACK": "1"}
    server = LiveServer(tmp_path, env=env, production=True)
    server.start()
    screen = socketio.Client(reconnection=False)
    try:
        said = "".join(server.said)
        # gunicorn's master started confined; its worker, forked from it, keeps the rules.
        assert "confined: memory-deny-write-execute" in said
        chair = server.first_chair()
        details = {"title": "Review", "kind": "other", "child": "A.B.", "starts_at": HELD_AT}
        made = chair.post(server.url + "/meetings/new", data=details)
        assert made.ok
        display = re.search(r'href="/display/([^"]+)"', made.text).group(1)
        screen.connect(server.url, auth={"display": display}, transports=["websocket"])
        assert screen.transport() == "websocket"
        assert requests.get(server.url + "/healthz", timeout=10).json()["database"] == "ok"

        def displays() -> str:
            text = requests.get(server.url + "/metrics", timeout=10).text
            return re.search(r'meeting_live_connections\{kind="display"\} (\S+)', text).group(1)

        until(lambda: displays() == "1.0", 10, "the display's connection was not counted")
    finally:
        if screen.connected:
            screen.disconnect()
        server.stop()
    assert "Traceback" not in "".join(server.said)
