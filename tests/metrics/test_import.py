import subprocess
import sys


def test_import_infolens_does_not_import_metrics_or_losses() -> None:
    code = (
        "import sys, infolens; "
        "bad = [m for m in ('infolens.metrics', 'infolens.losses', 'infolens.streaming') "
        "if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
