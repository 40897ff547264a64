"""The `afscope` command line.

Each subcommand lives in its own module and is imported only when invoked, so `afscope --help`
stays fast (Inspect is slow to import). A user's mistake (any :class:`AfscopeError`) prints one
line and exits with status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from afscope.errors import AfscopeError

__all__ = ["cli", "main"]

# command name -> "module:attribute" of a click.Command; add a line to register a subcommand
_COMMANDS: dict[str, str] = {
    "run": "afscope.cli._run:run",
    "power": "afscope.cli._power:power",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup)
@click.version_option(package_name="afscope")
def cli() -> None:
    """Measure alignment faking and in-context scheming in language models."""


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `afscope` script."""
    try:
        cli.main(args=argv, prog_name="afscope", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except AfscopeError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
