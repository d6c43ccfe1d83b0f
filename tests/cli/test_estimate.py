"""Tests of ``infolens estimate``: data sources, dispatch, output and one-line errors.

Values from the installed script must equal the Python API's on the same data exactly (JSON
round-trips floats), so every test compares with ``==``.
"""

import csv
import io
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import infolens
from infolens.cli import app
from infolens.cli._options import parse_params
from infolens.cli._sources import read_csv, read_source, split_source
from infolens.exceptions import DegenerateDataWarning
from tests.cli.conftest import problems

RunCLI = Callable[..., subprocess.CompletedProcess[str]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]

N_SAMPLES = 200


def _samples() -> dict[str, FloatArray]:
    rng = np.random.default_rng(12345)
    x = rng.standard_normal(N_SAMPLES)
    z = rng.standard_normal(N_SAMPLES)
    y = x + z + rng.standard_normal(N_SAMPLES)
    return {"x": x, "y": y, "z": z}


SAMPLES = _samples()
LABELS = np.array(["red", "green", "blue", "green"] * (N_SAMPLES // 4))


def _csv_text(columns: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in zip(*columns.values(), strict=True):
        writer.writerow([str(v) if isinstance(v, str) else repr(float(v)) for v in row])
    return out.getvalue()


def _npy_bytes(array: FloatArray) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write the samples as .npy, .npz and .csv files (plus a few malformed ones)."""
    d = tmp_path_factory.mktemp("data")
    np.save(d / "x.npy", SAMPLES["x"])
    np.save(d / "y.npy", SAMPLES["y"])
    np.savez(d / "xyz.npz", x=SAMPLES["x"], y=SAMPLES["y"], z=SAMPLES["z"])
    np.savez(d / "one.npz", only=SAMPLES["x"])
    columns = {"a": SAMPLES["x"], "b": SAMPLES["y"], "c": SAMPLES["z"], "colour": LABELS}
    (d / "xyz.csv").write_text(_csv_text(columns))
    (d / "nan.csv").write_text("a,b\n0.5,1.0\nnan,2.0\n1.5,0.0\n2.5,3.0\n")
    ties = np.repeat(np.arange(10.0), 20)
    (d / "ties.csv").write_text(_csv_text({"a": ties, "b": ties[::-1]}))
    return d


def _ok_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    assert problems(result.stderr) == []
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def _assert_same(payload: dict[str, Any], expected: infolens.Estimate) -> None:
    assert payload["value"] == expected.value
    assert payload["units"] == expected.units
    assert payload["n_samples"] == expected.n_samples == N_SAMPLES
    assert payload["method"] == expected.method
    assert payload["quantity"] == expected.quantity
    assert payload["params"] == json.loads(json.dumps(expected.params))
    assert payload["details"] == json.loads(json.dumps(expected.details))


# --- dispatch and data sources ---------------------------------------------------------------


def test_entropy_of_npy_file_matches_api(run_cli: RunCLI, data_dir: Path) -> None:
    payload = _ok_json(run_cli("estimate", data_dir / "x.npy", "--json"))
    _assert_same(payload, infolens.entropy(SAMPLES["x"]))
    assert set(payload) == {
        "value",
        "units",
        "n_samples",
        "method",
        "quantity",
        "params",
        "details",
    }


def test_mutual_information_of_npz_keys_with_k_matches_api(run_cli: RunCLI, data_dir: Path) -> None:
    npz = data_dir / "xyz.npz"
    payload = _ok_json(
        run_cli("estimate", f"{npz}:x", f"{npz}:y", "--method", "ksg", "-k", "5", "--json")
    )
    _assert_same(
        payload, infolens.mutual_information(SAMPLES["x"], SAMPLES["y"], method="ksg", k=5)
    )
    assert payload["params"]["k"] == 5


def test_npz_with_a_single_array_needs_no_key(run_cli: RunCLI, data_dir: Path) -> None:
    payload = _ok_json(run_cli("estimate", data_dir / "one.npz", "--method", "kl", "--json"))
    _assert_same(payload, infolens.entropy(SAMPLES["x"], method="kl"))


def test_conditional_mutual_information_of_csv_columns_in_bits(
    run_cli: RunCLI, data_dir: Path
) -> None:
    x, y, z = (f"{data_dir / 'xyz.csv'}:{column}" for column in "abc")
    result = run_cli("estimate", x, y, "--given", z, "--units", "bits", "--json")
    payload = _ok_json(result)
    expected = infolens.conditional_mutual_information(
        SAMPLES["x"], SAMPLES["y"], SAMPLES["z"], units="bits"
    )
    _assert_same(payload, expected)
    assert payload["units"] == "bits"
    assert payload["quantity"] == "conditional_mutual_information"


def test_csv_selects_several_columns_as_one_joint_variable(run_cli: RunCLI, data_dir: Path) -> None:
    result = run_cli("estimate", f"{data_dir / 'xyz.csv'}:a,c", "--method", "gaussian", "--json")
    joint = np.column_stack([SAMPLES["x"], SAMPLES["z"]])
    _assert_same(_ok_json(result), infolens.entropy(joint, method="gaussian"))


def test_csv_text_labels_work_with_categorical_methods(run_cli: RunCLI, data_dir: Path) -> None:
    result = run_cli(
        "estimate",
        f"{data_dir / 'xyz.csv'}:colour",
        "--method",
        "plugin",
        "--units",
        "bits",
        "--json",
    )
    payload = _ok_json(result)
    _assert_same(payload, infolens.entropy(LABELS, method="plugin", units="bits"))
    assert payload["value"] == 1.5  # p = (1/4, 1/2, 1/4)


def test_stdin_csv_text_with_column_selector(run_cli: RunCLI, data_dir: Path) -> None:
    stdin = (data_dir / "xyz.csv").read_bytes()
    payload = _ok_json(
        run_cli("estimate", "-:a", f"{data_dir / 'xyz.csv'}:b", "--json", stdin=stdin)
    )
    _assert_same(payload, infolens.mutual_information(SAMPLES["x"], SAMPLES["y"]))


def test_stdin_npy_bytes(run_cli: RunCLI, data_dir: Path) -> None:
    stdin = _npy_bytes(SAMPLES["y"])
    payload = _ok_json(run_cli("estimate", data_dir / "x.npy", "-", "--json", stdin=stdin))
    _assert_same(payload, infolens.mutual_information(SAMPLES["x"], SAMPLES["y"]))


def test_param_is_passed_to_the_estimator(run_cli: RunCLI, data_dir: Path) -> None:
    x_path, y_path = data_dir / "x.npy", data_dir / "y.npy"
    result = run_cli(
        "estimate", x_path, y_path, "--method", "ksg", "--param", "variant=2", "--json"
    )
    payload = _ok_json(result)
    expected = infolens.mutual_information(SAMPLES["x"], SAMPLES["y"], method="ksg", variant=2)
    _assert_same(payload, expected)
    assert payload["params"]["variant"] == 2


def test_default_output_is_one_line_with_value_units_method_and_n(
    run_cli: RunCLI, data_dir: Path
) -> None:
    result = run_cli("estimate", data_dir / "x.npy", data_dir / "y.npy", "--units", "bits")
    assert result.returncode == 0, result.stderr
    assert problems(result.stderr) == []
    expected = infolens.mutual_information(SAMPLES["x"], SAMPLES["y"], units="bits")
    assert result.stdout == (
        f"I(X;Y) = {expected.value:.6g} bits  (method {expected.method}, N = 200)\n"
    )


def test_verbose_prints_the_record_as_a_table(run_cli: RunCLI, data_dir: Path) -> None:
    result = run_cli("estimate", data_dir / "x.npy", data_dir / "y.npy", "-m", "ksg", "-v")
    assert result.returncode == 0, result.stderr
    expected = infolens.mutual_information(SAMPLES["x"], SAMPLES["y"], method="ksg")
    for text in (f"{expected.value:.6g}", "mutual_information", "params.k", "nats", "200"):
        assert text in result.stdout


def test_library_warnings_become_one_line_each(run_cli: RunCLI, data_dir: Path) -> None:
    ties = data_dir / "ties.csv"
    result = run_cli(
        "estimate", f"{ties}:a", f"{ties}:b", "--method", "ksg", "--seed", "7", "--json"
    )
    assert result.returncode == 0, result.stderr
    lines = problems(result.stderr)
    assert len(lines) == 1
    assert lines[0].startswith("Warning: ")
    assert "repeated values" in lines[0]
    assert "Traceback" not in result.stderr
    with pytest.warns(DegenerateDataWarning, match="repeated values"):
        expected = infolens.mutual_information(
            np.repeat(np.arange(10.0), 20),
            np.repeat(np.arange(10.0), 20)[::-1],
            method="ksg",
            rng=7,
        )
    assert json.loads(result.stdout)["value"] == expected.value


# --- errors ----------------------------------------------------------------------------------

_K_ZERO = "The 'k' parameter of KSGEstimator must be an int in the range [1, inf). Got 0 instead."
_BAD_KEY = "Key 'w' not found in X ('{d}/xyz.npz'). Available keys: 'x', 'y', 'z'."

ERROR_CASES = [
    pytest.param(["{d}/missing.npy"], b"", "no such file", id="missing-file"),
    pytest.param(["{d}/nan.csv:a", "{d}/nan.csv:b"], b"", "contains NaN", id="nan"),
    pytest.param(
        ["{d}/x.npy", "{d}/y.npy", "--method", "ksgg"],
        b"",
        "Invalid value for '--method' / '-m': 'ksgg' is not one of 'auto', 'binning',",
        id="unknown-method",
    ),
    pytest.param(
        ["{d}/x.npy", "--units", "furlongs"],
        b"",
        "Invalid value for '--units' / '-u': 'furlongs' is not one of 'nats', 'bits'.",
        id="unknown-units",
    ),
    pytest.param(["{d}/x.npy", "--seed", "-1"], b"", "Invalid value for '--seed'", id="seed"),
    pytest.param(
        ["{d}/x.npy", "{d}/y.npy", "--jobs", "0"],
        b"",
        "Invalid value for '--jobs' / '-j': must be -1 (all cores) or an int >= 1; got 0.",
        id="jobs-zero",
    ),
    pytest.param(
        ["{d}/x.npy", "{d}/y.npy", "-m", "gaussian", "--jobs", "2"],
        b"",
        "--jobs does not apply to method 'gaussian'",
        id="jobs-not-parallel",
    ),
    pytest.param(
        ["{d}/x.npy", "{d}/y.npy", "-p", "rng=3"],
        b"",
        "Give rng with --seed, not with --param.",
        id="rng-as-param",
    ),
    pytest.param(["{d}/xyz.npz:w", "{d}/xyz.npz:y"], b"", _BAD_KEY, id="bad-npz-key"),
    pytest.param(["{d}/xyz.npz"], b"", "holds 3 arrays; choose one with ':KEY'", id="npz-no-key"),
    pytest.param(["{d}/x.npy", "--given", "{d}/y.npy"], b"", "--given Z needs Y", id="given-no-y"),
    pytest.param(["{d}/x.npy", "{d}/y.npy", "-m", "ksg", "-k", "0"], b"", _K_ZERO, id="k-zero"),
    pytest.param(["{d}/xyz.csv:a,q"], b"", "Column(s) 'q' not found", id="unknown-column"),
    pytest.param(
        ["{d}/x.npy", "--method", "ksg"],
        b"",
        "Method 'ksg' does not estimate entropy.",
        id="wrong-quantity",
    ),
    pytest.param(
        ["{d}/x.npy", "{d}/y.npy", "--param", "variant"],
        b"",
        "--param expects name=value",
        id="malformed-param",
    ),
    pytest.param(["-", "-:a"], b"a\n1\n2\n", "Only one of X, Y and Z may be '-'", id="two-stdin"),
]


@pytest.mark.parametrize(("args", "stdin", "message"), ERROR_CASES)
def test_error_is_one_line_with_exit_status_2(
    data_dir: Path, args: list[str], stdin: bytes, message: str
) -> None:
    # in-process (typer's CliRunner): the same InfolensGroup.main as the script, much faster
    result = CliRunner().invoke(
        app,
        ["estimate", *(a.format(d=data_dir) for a in args)],
        input=stdin,
        env={"NO_COLOR": "1", "COLUMNS": "120"},
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = problems(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert message.format(d=data_dir) in lines[0]


def test_installed_script_reports_errors_in_one_line(run_cli: RunCLI, data_dir: Path) -> None:
    result = run_cli("estimate", "-", "-:a", stdin=b"a\n1\n2\n")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "Error: Only one of X, Y and Z may be '-' (standard input).\n"
    result = run_cli("estimate", data_dir / "x.npy", "--units", "furlongs")
    assert result.returncode == 2
    assert result.stderr == (
        "Error: Invalid value for '--units' / '-u': 'furlongs' is not one of 'nats', 'bits'. "
        "(see 'infolens estimate --help')\n"
    )


# --- readers and parsers (in-process) --------------------------------------------------------


def test_parse_params_reads_json_values_and_keeps_other_text() -> None:
    params = parse_params(["variant=2", "bias_correction=false", "bins=[10,[1,2]]", "rule=fd"])
    assert params == {"variant": 2, "bias_correction": False, "bins": (10, (1, 2)), "rule": "fd"}


def test_parse_params_rejects_repeated_names() -> None:
    with pytest.raises(ValueError, match=re.escape("Parameter 'k' is given more than once.")):
        parse_params(["k=1", "k=2"])


def test_read_csv_infers_integer_float_and_string_columns() -> None:
    text = "i,f,s\n1,0.5,a\n2,,b\n"
    assert read_csv(text, "i").dtype == np.int64
    floats = read_csv(text, "i,f")
    assert floats.dtype == np.float64
    assert np.isnan(floats[1, 1])  # an empty cell is a missing value
    assert read_csv(text).tolist() == [["1", "0.5", "a"], ["2", "", "b"]]


def test_read_csv_reports_ragged_rows() -> None:
    with pytest.raises(
        ValueError, match=re.escape("X: CSV line 3 has 1 fields; the first row has 2.")
    ):
        read_csv("a,b\n1,2\n3\n", where="X")


def test_read_source_sniffs_npy_bytes_on_stdin() -> None:
    array = read_source("-", stdin=io.BytesIO(_npy_bytes(SAMPLES["x"])))
    np.testing.assert_array_equal(array, SAMPLES["x"])


def test_split_source_keeps_existing_paths_with_colons_whole(tmp_path: Path) -> None:
    odd = tmp_path / "a:b.npy"
    np.save(odd, SAMPLES["x"])
    assert split_source(str(odd)) == (str(odd), None)
    assert split_source("data.csv:a,b") == ("data.csv", "a,b")


def test_plugin_on_continuous_data_warns_in_one_line(run_cli: RunCLI, data_dir: Path) -> None:
    result = run_cli("estimate", data_dir / "x.npy", "--method", "plugin")
    assert result.returncode == 0, result.stderr
    with pytest.warns(DegenerateDataWarning, match="continuous") as caught:
        expected = infolens.entropy(SAMPLES["x"], method="plugin")
    message = " ".join(str(caught[0].message).split())
    assert problems(result.stderr) == [f"Warning: {message}"]
    assert result.stdout.startswith(f"H(X) = {expected.value:.6g} nats")


def test_ci_option_fills_the_interval_like_the_api(run_cli: RunCLI, data_dir: Path) -> None:
    npz = data_dir / "xyz.npz"
    args = ("estimate", f"{npz}:x", f"{npz}:y", "-m", "gaussian", "--ci", "0.9", "--seed", "3")
    payload = _ok_json(run_cli(*args, "--json"))
    expected = infolens.mutual_information(
        SAMPLES["x"], SAMPLES["y"], method="gaussian", ci=0.9, rng=3
    )
    assert expected.ci is not None
    assert payload["ci"]["level"] == 0.9
    assert (payload["ci"]["low"], payload["ci"]["high"]) == (expected.ci.low, expected.ci.high)
    line = run_cli(*args)
    assert line.returncode == 0, line.stderr
    assert "90% CI [" in line.stdout
    bad = run_cli(*args[:-4], "--ci", "1.5")
    assert bad.returncode == 2
    assert "'ci'" in bad.stderr
    assert "Traceback" not in bad.stderr
