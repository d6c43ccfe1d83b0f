"""No traceback for a user error, in any command: one line, exit status 2, the parameter named.

Also: missing extras (torch blocked in a subprocess), ``python -m infolens``, help texts without
reStructuredText markup, deprecated spellings, warnings as one line, the k-NN compile notice.
"""

import json
import math
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import infolens
from infolens.cli import _kernels, app
from infolens.cli._kernels import NOTICE, kernels_cached
from infolens.exceptions import InvalidParameterError, MissingExtraError
from tests.cli.conftest import RunCLI, problems

ENV = {"NO_COLOR": "1", "COLUMNS": "120"}


def invoke(*args: object) -> tuple[int, str, list[str]]:
    """Run ``infolens *args`` in-process; return the exit code, stdout and stderr's lines."""
    result = CliRunner().invoke(app, [str(a) for a in args], env=ENV)
    return result.exit_code, result.stdout, problems(result.stderr)


@pytest.fixture(scope="module")
def xy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("xy")
    rng = np.random.default_rng(5)
    x = rng.standard_normal(300)
    np.save(d / "x.npy", x)
    np.save(d / "y.npy", x + rng.standard_normal(300))
    return d / "x.npy", d / "y.npy"


# --- missing extras --------------------------------------------------------------------------


def test_methods_without_torch_lists_every_method_and_marks_the_torch_ones(
    run_without_torch: RunCLI,
) -> None:
    done = run_without_torch("methods", "--json")
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    assert list(listing) == infolens.available_methods()
    assert listing["infonce"]["extra"] == "torch"
    assert listing["infonce"]["installed"] is False
    assert listing["ksg"] == {
        "quantities": ["mutual_information"],
        "description": listing["ksg"]["description"],
        "data": "continuous",
        "extra": None,
        "installed": True,
    }
    table = run_without_torch("methods")
    assert table.returncode == 0, table.stderr
    assert "[torch] (not installed)" in table.stdout
    assert 'pip install "infolens[torch]"' in table.stdout


def test_a_torch_method_without_torch_is_one_line_with_the_install_hint(
    run_without_torch: RunCLI, xy: tuple[Path, Path]
) -> None:
    done = run_without_torch("estimate", *xy, "--method", "infonce")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: ")
    assert 'pip install "infolens[torch]"' in lines[0]


def test_infoplane_without_torch_is_one_line(run_without_torch: RunCLI, tmp_path: Path) -> None:
    done = run_without_torch("infoplane", "reproduce", "tishby", "--epochs", "2", "--out", tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: ")


def test_an_import_error_escaping_a_command_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def needs_torch(*args: Any, **kwargs: Any) -> None:
        raise ModuleNotFoundError("No module named 'torch'", name="torch")

    monkeypatch.setattr("infolens.cli.methods.method_table", needs_torch)
    code, out, err = invoke("methods")
    assert (code, out) == (2, "")
    assert err == [
        'Error: This needs PyTorch (torch), which is not installed: pip install "infolens[torch]".'
    ]


def test_library_missing_extra_message_is_kept(
    monkeypatch: pytest.MonkeyPatch, xy: tuple[Path, Path]
) -> None:
    message = "Method 'infonce' needs the 'torch' extra: pip install \"infolens[torch]\"."

    def missing(*args: Any, **kwargs: Any) -> None:
        raise MissingExtraError(message)

    monkeypatch.setattr(infolens, "mutual_information", missing)
    code, _, err = invoke("estimate", *xy)
    assert code == 2
    assert err == [f"Error: {message}"]


# --- messages name the parameter -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--seed", "-1"], "Error: Invalid value for '--seed'", id="seed"),
        pytest.param(["--jobs", "-2"], "Error: Invalid value for '--jobs' / '-j'", id="jobs"),
        pytest.param(["-u", "bytes"], "Error: Invalid value for '--units' / '-u'", id="units"),
        pytest.param(["-m", "nope"], "Error: Invalid value for '--method' / '-m'", id="method"),
        pytest.param(["--bogus"], "Error: No such option: --bogus", id="unknown-option"),
    ],
)
def test_bad_options_name_the_parameter(
    xy: tuple[Path, Path], args: list[str], message: str
) -> None:
    code, out, err = invoke("estimate", *xy, *args)
    assert (code, out) == (2, "")
    assert len(err) == 1
    assert err[0].startswith(message)
    assert err[0].endswith("(see 'infolens estimate --help')")


def test_jobs_minus_one_means_all_cores(xy: tuple[Path, Path]) -> None:
    code, out, err = invoke("estimate", *xy, "-m", "ksg", "--jobs", "-1", "--json")
    assert code == 0, err
    x, y = (np.load(p) for p in xy)
    assert json.loads(out)["value"] == infolens.mutual_information(x, y, method="ksg").value


def test_deprecated_rng_still_sets_the_seed_with_a_warning(xy: tuple[Path, Path]) -> None:
    code, out, err = invoke("estimate", *xy, "-m", "ksg", "--rng", "4", "--json")
    assert code == 0
    assert err == ["Warning: --rng is deprecated; use --seed."]
    code_new, out_new, _ = invoke("estimate", *xy, "-m", "ksg", "--seed", "4", "--json")
    assert code_new == 0
    assert json.loads(out) == json.loads(out_new)


def test_an_infolens_error_from_the_library_is_one_line(
    monkeypatch: pytest.MonkeyPatch, xy: tuple[Path, Path]
) -> None:
    def bad(*args: Any, **kwargs: Any) -> None:
        raise InvalidParameterError("The 'k' parameter of X must be\nan int. Got 0 instead.")

    monkeypatch.setattr(infolens, "mutual_information", bad)
    assert invoke("estimate", *xy) == (
        2,
        "",
        ["Error: The 'k' parameter of X must be an int. Got 0 instead."],
    )


def test_library_warnings_are_one_readable_line_each(
    monkeypatch: pytest.MonkeyPatch, xy: tuple[Path, Path]
) -> None:
    def warns(*args: Any, **kwargs: Any) -> infolens.Estimate:
        warnings.warn("The data look continuous:\nevery value is distinct.", UserWarning, 2)
        return infolens.Estimate(
            value=math.log(300), n_samples=300, method="plugin", quantity="entropy"
        )

    monkeypatch.setattr(infolens, "entropy", warns)
    code, out, err = invoke("estimate", xy[0], "-m", "plugin")
    assert code == 0
    assert err == ["Warning: The data look continuous: every value is distinct."]
    assert out.startswith("H(X) = 5.70378 nats")


# --- the data-source fixes through the command -----------------------------------------------


def test_param_false_reaches_the_estimator_as_a_bool(xy: tuple[Path, Path]) -> None:
    code, out, err = invoke("estimate", *xy, "-m", "ksg", "-p", "standardize=False", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["params"]["standardize"] is False
    x, y = (np.load(p) for p in xy)
    expected = infolens.mutual_information(x, y, method="ksg", standardize=False)
    assert payload["value"] == expected.value


def test_header_less_csv_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("".join(f"{v + 10},{v % 3}\n" for v in range(12)))
    code, out, err = invoke("estimate", f"{path}:1", "-m", "plugin", "--json")
    assert code == 0, err
    assert json.loads(out)["n_samples"] == 12  # no header: column 1 by position, every row
    assert json.loads(out)["value"] == pytest.approx(math.log(3), abs=1e-12)
    # asked to, the first row ("10,0") names the columns
    code, out, err = invoke("estimate", f"{path}:0", "-m", "plugin", "--header", "--json")
    assert code == 0, err
    assert json.loads(out)["n_samples"] == 11


def test_ten_huge_integer_labels_are_ten_labels(run_cli: RunCLI, tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("id\n" + "".join(f"{2**63 + i}\n" for i in range(10)))
    done = run_cli("estimate", path, "-m", "plugin", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["value"] == pytest.approx(math.log(10), abs=1e-12)


def test_zero_up_to_rounding_is_printed_as_zero(tmp_path: Path) -> None:
    path = tmp_path / "independent.csv"
    path.write_text("x,y\n" + "".join(f"{i % 3},{i // 3}\n" for i in range(9)))
    code, out, err = invoke("estimate", f"{path}:x", f"{path}:y", "-m", "plugin")
    assert code == 0, err
    assert out == "I(X;Y) = 0 nats  (method plugin, N = 9)\n"


# --- help, python -m -------------------------------------------------------------------------

COMMANDS = [
    [],
    ["estimate"],
    ["methods"],
    ["demo"],
    ["pid"],
    ["bench"],
    ["bench", "list"],
    ["bench", "run"],
    ["bench", "report"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "infolens")
def test_help_texts_show_no_restructuredtext_markup(command: list[str]) -> None:
    code, out, _ = invoke(*command, "--help")
    assert code == 0
    assert "Usage: infolens" in out
    for markup in ("``", ":class:", ":func:", ":mod:", ":meth:", ":data:"):
        assert markup not in out, f"{markup!r} shown raw in the help of {command}"
    assert not re.search(r"^\W*\.\. [a-z]+::", out, flags=re.MULTILINE)  # no directives


def test_python_dash_m_infolens_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "infolens", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"infolens {infolens.__version__}"


# --- the k-NN compile notice -----------------------------------------------------------------


def test_compile_notice_is_printed_for_knn_methods_on_a_fresh_cache(
    monkeypatch: pytest.MonkeyPatch, xy: tuple[Path, Path]
) -> None:
    monkeypatch.setattr(_kernels, "kernels_cached", lambda index_files=None: False)
    result = CliRunner().invoke(app, ["estimate", *map(str, xy), "-m", "ksg"], env=ENV)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [NOTICE]
    result = CliRunner().invoke(app, ["estimate", *map(str, xy), "-m", "gaussian"], env=ENV)
    assert result.stderr == ""  # no k-NN kernel involved


def test_kernels_cached_reads_numbas_cache_directory(tmp_path: Path) -> None:
    code = (
        "from infolens.cli._kernels import kernel_index_files, kernels_cached; "
        "before = kernels_cached(); files = kernel_index_files(); "
        "files[0].parent.mkdir(parents=True, exist_ok=True); files[0].touch(); "
        f"print(before, kernels_cached(), all(str(f).startswith({str(tmp_path)!r}) for f in files))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"NUMBA_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "True"]


def test_kernels_cached_with_explicit_index_files(tmp_path: Path) -> None:
    files = [tmp_path / "a.nbi", tmp_path / "b.nbi"]
    assert kernels_cached(files) is False
    files[1].touch()
    assert kernels_cached(files) is True
