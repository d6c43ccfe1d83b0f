"""Tests of ``infolens methods`` and of the top-level command (``--version``, help)."""

import json
import subprocess
import sys
from collections.abc import Callable

import infolens

RunCLI = Callable[..., subprocess.CompletedProcess[str]]


def test_methods_json_lists_every_method_with_its_quantities(run_cli: RunCLI) -> None:
    result = run_cli("methods", "--json")
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    assert list(listing) == infolens.available_methods()
    for quantity in ("entropy", "mutual_information", "conditional_mutual_information"):
        supported = [name for name, info in listing.items() if quantity in info["quantities"]]
        assert supported == infolens.available_methods(quantity)
    assert all(info["description"] for info in listing.values())


def test_methods_table_names_every_method(run_cli: RunCLI) -> None:
    result = run_cli("methods")
    assert result.returncode == 0, result.stderr
    for name in infolens.available_methods():
        assert name in result.stdout


def test_version(run_cli: RunCLI) -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"infolens {infolens.__version__}"


def test_import_infolens_does_not_import_the_cli() -> None:
    code = (
        "import sys, infolens; "
        "print(sorted(m for m in sys.modules if m.startswith(('infolens.cli', 'typer', 'rich'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_listing_methods_imports_no_estimator_and_no_torch() -> None:
    code = (
        "import sys; from typer.testing import CliRunner; from infolens.cli import app; "
        "before = set(sys.modules); "
        "result = CliRunner().invoke(app, ['methods']); assert result.exit_code == 0; "
        "CliRunner().invoke(app, ['methods', '--json']); "
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('infolens')), "
        "'torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[] False"


def test_methods_quantity_filter(run_cli: RunCLI) -> None:
    result = run_cli("methods", "--quantity", "entropy", "--json")
    assert result.returncode == 0, result.stderr
    assert list(json.loads(result.stdout)) == infolens.available_methods("entropy")
