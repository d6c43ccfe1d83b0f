"""``infolens demo``: the README's main job, run through the installed script."""

import json
from pathlib import Path

from tests.cli.conftest import RunCLI


def test_demo_prints_estimates_next_to_truth_and_writes_a_report(
    run_cli: RunCLI, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    done = run_cli("demo", "-n", "600", "--seed", "3", "--out", report)
    assert done.returncode == 0, done.stderr
    assert "0.4133" in done.stdout  # the truth of the 1x1 Gaussian task
    payload = json.loads(report.read_text())
    assert payload["meta"]["n_samples"] == 600
    tasks = {r["task"] for r in payload["records"]}
    assert len(tasks) == 9
    for r in payload["records"]:
        assert abs(r["estimate"] - r["truth"] - r["error"]) < 1e-12
    auto = [r for r in payload["records"] if r["method"] == "auto"]
    assert auto
    assert f"auto → {auto[0]['resolved_method']}" in done.stdout


def test_demo_rejects_unknown_units(run_cli: RunCLI) -> None:
    done = run_cli("demo", "-n", "100", "--units", "bytes")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "Error: Invalid value for '--units' / '-u': 'bytes' is not one of 'nats', 'bits'. "
        "(see 'infolens demo --help')"
    )
