"""The package imports with only its core dependencies, and exposes a curated API."""

import subprocess
import sys

import infolens
from tests.helpers import HIDE_TORCH


def test_import_works_without_torch_and_without_the_cli_dependencies() -> None:
    # Block torch (as if not installed) and check that neither torch, typer nor rich is imported.
    code = (
        HIDE_TORCH + "import infolens, numpy as np\n"
        "est = infolens.mutual_information(np.arange(20.0), np.arange(20.0) ** 2, method='ksg')\n"
        "assert est.value > 0\n"
        "loaded = {m.split('.')[0] for m, mod in sys.modules.items() if mod is not None}\n"
        "print(sorted(loaded & {'torch', 'typer', 'rich'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_public_api_is_explicit() -> None:
    for name in infolens.__all__:
        assert hasattr(infolens, name)
    assert isinstance(infolens.__version__, str)
    assert infolens.__version__ != "0+unknown"
