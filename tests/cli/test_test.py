"""Tests of ``infolens test``: the same p-value as the Python API, output, and one-line errors."""

import json
import math
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from infolens.cli import app
from infolens.independence import independence_test
from tests.cli.conftest import problems

RunCLI = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    rng = np.random.default_rng(7)
    z = rng.standard_normal(200)
    x = z + rng.standard_normal(200)
    data = {"x": x, "y": x + z + rng.standard_normal(200), "z": z, "w": rng.standard_normal(200)}
    paths = {}
    for name, values in data.items():
        paths[name] = tmp_path / f"{name}.npy"
        np.save(paths[name], values)
    return paths


def test_installed_script_gives_the_api_p_value(run_cli: RunCLI, sources: dict[str, Path]) -> None:
    done = run_cli(
        "test", sources["x"], sources["y"], "-m", "ksg", "-n", "99", "--seed", "3", "--json"
    )
    assert done.returncode == 0, done.stderr
    assert problems(done.stderr) == []
    record = json.loads(done.stdout)
    x, y = np.load(sources["x"]), np.load(sources["y"])
    expected = independence_test(x, y, method="ksg", n_permutations=99, rng=3)
    assert record["p_value"] == expected.p_value
    assert record["statistic"]["value"] == expected.statistic.value
    assert record["null_distribution"] == expected.null_distribution.tolist()
    assert (record["method"], record["permutation"], record["n_permutations"]) == (
        "ksg",
        "global",
        99,
    )


def test_conditional_test_in_bits_uses_local_permutations(sources: dict[str, Path]) -> None:
    args = ["test", str(sources["x"]), str(sources["w"]), "--given", str(sources["z"])]
    args += ["-m", "gaussian", "-n", "49", "--seed", "1", "--units", "bits", "--k-perm", "4"]
    done = CliRunner().invoke(app, [*args, "--json"])
    assert done.exit_code == 0, done.output
    record = json.loads(done.stdout)
    data = [np.load(sources[name]) for name in "xwz"]
    expected = independence_test(*data, method="gaussian", n_permutations=49, rng=1, k_perm=4)
    assert (record["permutation"], record["k_perm"]) == ("local", 4)
    assert record["statistic"]["units"] == "bits"
    assert record["statistic"]["value"] == pytest.approx(
        expected.statistic.value / math.log(2), rel=1e-12
    )
    np.testing.assert_allclose(
        record["null_distribution"], expected.null_distribution / math.log(2), rtol=1e-12
    )
    line = CliRunner().invoke(app, args).stdout
    assert line.startswith(f"p = {expected.p_value:.4g}  (49 local permutations); I(X;Y|Z) = ")


def test_hsic_statistic_is_dimensionless(sources: dict[str, Path]) -> None:
    args = ["test", str(sources["x"]), str(sources["y"]), "-m", "hsic", "-n", "19", "--json"]
    done = CliRunner().invoke(app, [*args, "--units", "bits"])
    assert done.exit_code == 0, done.output
    record = json.loads(done.stdout)
    assert record["statistic"]["units"] is None
    assert record["p_value"] == 1 / 20


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-n", "0"], "Invalid value for '--permutations' / '-n'"),
        (
            ["-m", "hsic", "--given", "Z"],
            "Error: method='hsic' of independence_test tests unconditional independence only",
        ),
        (["-p", "n_permutations=3"], "Error: Give n_permutations with --permutations"),
    ],
)
def test_bad_options_give_one_error_line(
    sources: dict[str, Path], extra: list[str], message: str
) -> None:
    extra = [str(sources["z"]) if item == "Z" else item for item in extra]
    done = CliRunner().invoke(app, ["test", str(sources["x"]), str(sources["y"]), *extra])
    assert done.exit_code == 2
    assert message in done.output
