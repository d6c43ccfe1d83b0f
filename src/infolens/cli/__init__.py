"""The ``infolens`` command line: a thin typer + rich layer over the public API.

Commands, one module each: ``infolens estimate`` (:mod:`infolens.cli.estimate`),
``infolens methods`` (:mod:`infolens.cli.methods`), ``infolens demo`` (:mod:`infolens.cli.demo`),
``infolens pid`` (:mod:`infolens.cli.pid`), ``infolens infoplane`` (:mod:`infolens.cli.infoplane`)
and ``infolens bench`` (:mod:`infolens.cli.bench`). Errors the user can fix are printed as one
``Error: ...`` line on stderr with exit status 1; see :mod:`infolens.cli._output`.

This package is the only one that imports typer and rich; ``import infolens`` never imports it.
"""

from typing import Annotated

import typer

import infolens
from infolens.cli import demo, estimate, infoplane, methods, pid
from infolens.cli.bench import bench_app

app = typer.Typer(
    name="infolens",
    help="Estimate entropy, mutual information and conditional mutual information.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.command("estimate", cls=estimate.EstimateCommand)(estimate.estimate)
app.command("methods")(methods.methods)
app.command("demo")(demo.demo)
app.command("pid")(pid.pid)
app.add_typer(infoplane.app, name="infoplane")
app.add_typer(bench_app, name="bench")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"infolens {infolens.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_show_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Estimate entropy, mutual information and conditional mutual information."""


def main() -> None:
    """Run the ``infolens`` command (the console-script entry point)."""
    app()


__all__ = ["app", "main"]
