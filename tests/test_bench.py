"""The benchmark's harness works: its smallest run, against real servers, loses nothing.

Timings are the benchmark's business (bench/README.md); this asserts only what must hold
whatever the timings: every rating acknowledged is in the record exactly once, and every
page saw the round open, each rating in the progress, and the reveal. Called from here it
leaves the process's signals alone; run as a program, SIGTERM stops it and its servers.
"""

import json
import signal
import subprocess
import sys

import psutil
from conftest import ROOT, until

from bench import run as harness
from bench.run import main

# What test_the_smallest_run_sees_everything_and_loses_nothing asks the benchmark for.
SMALLEST = ["--quick", "--shapes", "burst", "--targets", "product,relay"]


def test_the_smallest_run_sees_everything_and_loses_nothing(tmp_path, capsys):
    # The product's pages fetch what changed; the bare relay's events carry it.
    code = main(
        ["--quick", "--shapes", "burst", "--targets", "product,relay", "--out", str(tmp_path)]
    )

    assert code == 0
    (written,) = tmp_path.glob("*.json")
    run = json.loads(written.read_text())
    measured = {r["target"]: r for r in run["results"]}
    assert set(measured) == {"product", "relay"}
    for target, result in measured.items():
        (played,) = result["rounds"]
        assert played["ratings"] == 25, target
        assert played["acked"] == played["found"] == 25, target
        assert played["exactly_once"], target
        assert played["clients"] == played["clients_complete"] == 26, target
        assert played["complete"], target
        assert all(v is not None for v in played["progress"] + played["reveal"]), target
        # From the person's side: each rating's send → every page showing it, and → its
        # answer; no page shows a rating before its person sent it.
        assert len(played["sent"]) == len(played["answer"]) == 25, target
        assert all(v >= 0 for v in played["sent"] + played["answer"]), target
    assert "| 1×25 | all rate in the same second | product |" in capsys.readouterr().out


def test_calling_the_benchmark_leaves_the_processs_sigterm_handler_alone(tmp_path, monkeypatch):
    """A SIGTERM to pytest still stops pytest, not just the benchmark it is running."""

    async def measured_nothing(args, save):
        # Everything main() does around the measuring, without servers.
        save([])
        return []

    monkeypatch.setattr(harness, "measure", measured_nothing)
    before = signal.getsignal(signal.SIGTERM)

    assert main([*SMALLEST, "--out", str(tmp_path)]) == 0

    assert signal.getsignal(signal.SIGTERM) is before
    assert len(list(tmp_path.glob("*.json"))) == 1, "main() ran to the end"


def test_the_benchmark_stopped_by_sigterm_stops_its_servers_and_exits_143(tmp_path):
    command = [sys.executable, "-m", "bench", "--quick", "--shapes", "burst"]
    command += ["--targets", "relay", "--out", str(tmp_path)]
    bench = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        # It says so once its relay has answered and its rooms are set up.
        said = []
        for line in bench.stderr:
            said.append(line)
            if "relay set up" in line:
                break
        assert "relay set up" in "".join(said), "".join(said)
        servers = psutil.Process(bench.pid).children(recursive=True)
        assert servers, "the benchmark runs its relay as a process of its own"
        bench.send_signal(signal.SIGTERM)
        assert bench.wait(timeout=60) == 143
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait()
        bench.stderr.close()
    until(lambda: not any(s.is_running() for s in servers), 15, "its relay outlived it")
