"""The ``infolens`` command line: a thin typer + rich layer over the public API.

Commands, one module each: ``infolens estimate`` (:mod:`infolens.cli.estimate`),
``infolens methods`` (:mod:`infolens.cli.methods`), ``infolens demo`` (:mod:`infolens.cli.demo`),
``infolens pid`` (:mod:`infolens.cli.pid`), ``infolens infoplane`` (:mod:`infolens.cli.infoplane`)
and ``infolens bench`` (:mod:`infolens.cli.bench`). Shared pieces: the option vocabulary
(:mod:`infolens.cli._options`, table in ``docs/cli.md``), data sources
(:mod:`infolens.cli._sources`) and output (:mod:`infolens.cli._output`).

Errors the user can fix are printed as one ``Error: ...`` line on stderr with exit status 2,
never a traceback: each command reports its own (:func:`infolens.cli._output.report_problems`)
and :class:`InfolensGroup` catches usage errors and anything expected that escapes a command
(a missing optional dependency, for instance).

This package is the only one that imports typer and rich; ``import infolens`` never imports it.
"""

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

import infolens
from infolens.cli import demo, estimate, infoplane, methods, pid, test
from infolens.cli._options import InfolensCommand
from infolens.cli._output import EXPECTED_ERRORS, USER_ERROR, error_message, print_error
from infolens.cli.bench import bench_app

try:  # typer >= 0.2x vendors click as typer._click; older typer uses click itself
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - depends on the installed typer
    from click import exceptions as click_exceptions  # type: ignore[no-redef]


class InfolensGroup(TyperGroup):
    """The root command: every usage error and expected failure becomes one ``Error:`` line."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; in standalone mode, exit with 0, 2 (user error) or 130."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.Abort:
            print_error("Aborted.")
            sys.exit(130)
        except click_exceptions.NoArgsIsHelpError as err:
            err.show()
            sys.exit(USER_ERROR)
        except click_exceptions.ClickException as err:
            message = err.format_message().replace("Value error, ", "")
            context = getattr(err, "ctx", None)
            if context is not None and isinstance(err, click_exceptions.UsageError):
                message += f" (see '{context.command_path} --help')"
            print_error(message)
            sys.exit(USER_ERROR)
        except EXPECTED_ERRORS as err:
            print_error(error_message(err))
            sys.exit(USER_ERROR)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="infolens",
    cls=InfolensGroup,
    rich_markup_mode="markdown",
    help="Estimate entropy, mutual information and conditional mutual information.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.command("estimate", cls=InfolensCommand)(estimate.estimate)
app.command("methods", cls=InfolensCommand)(methods.methods)
app.command("demo", cls=InfolensCommand)(demo.demo)
app.command("pid", cls=InfolensCommand)(pid.pid)
app.command("test", cls=InfolensCommand)(test.independence)
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
    app(prog_name="infolens")


__all__ = ["InfolensGroup", "app", "main"]
