"""The benchmark's harness works: its smallest run, against real servers, loses nothing.

Timings are the benchmark's business (README, "Benchmark"); this asserts only what must hold
whatever the timings: every rating acknowledged is in the record exactly once, and every
page saw the round open, each rating in the progress, and the reveal.
"""

import json

from bench.run import main


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
    assert "| 1×25 | all rate in the same second | product |" in capsys.readouterr().out
