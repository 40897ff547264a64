"""The `afscope` command line.

Each subcommand lives in its own module and is imported only when invoked, so `afscope --help`
stays fast (Inspect is slow to import). A user's mistake (any :class:`AfscopeError`) prints one
line and exits with status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any

import click

from afscope.errors import AfscopeError

__all__ = ["UserError", "cli", "main"]

# command name -> "module:attribute" of a click.Command; add a line to register a subcommand
_COMMANDS: dict[str, str] = {
    "run": "afscope.cli._run:run",
    "resume": "afscope.cli._run:resume",
    "classify": "afscope.cli._classify:classify",
    "import": "afscope.cli._import:import_command",
    "power": "afscope.cli._power:power",
    "report": "afscope.cli._report:report",
    "monitor": "afscope.cli._monitor:monitor",
    "sweep": "afscope.cli._sweep:sweep",
    "scheming": "afscope.cli._scheming:scheming",
    "variants": "afscope.cli._variants:variants",
}


# command name -> the first line of its help, so that `afscope --help` imports no subcommand
# (tests/test_cli_help.py checks each against the command's own help); a command missing here is
# imported to list it
_SUMMARIES: dict[str, str] = {
    "run": "Run the alignment-faking experiment (default: helpful-only on the simulated organism).",
    "resume": "Finish an interrupted run: only the samples missing from LOG are sent again.",
    "classify": (
        "Judge existing Inspect logs or foreign JSONL transcripts (a `text` field per line)."
    ),
    "import": "Import foreign transcripts (JSONL/CSV) as a run that every afscope command reads.",
    "power": "How many queries a compliance gap needs, or how precise n samples are.",
    "report": "Build a report from one or more afscope logs (several logs: a comparison report).",
    "monitor": "The offline alignment-faking monitor (no API, CPU only).",
    "scheming": "Run the in-context scheming environments (Meinke et al. 2024) in the sandbox.",
    "sweep": "Run a grid of models x settings x variants; rerun the same command to resume.",
    "variants": "The paper's prompt variations (ablations) as named edits of a setting's prompt.",
}


class UserError(click.ClickException):
    """An AfscopeError shown as one line, exit status 2, no traceback."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class _LazyGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AfscopeError as error:
            raise UserError(str(error)) from error

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, _short_help(self, ctx, name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command


def _short_help(group: click.Group, ctx: click.Context, name: str, limit: int) -> str:
    """A command's one-line help in the listing, without importing it when it is summarised."""
    if name in _SUMMARIES:
        return click.Command(name, help=_SUMMARIES[name]).get_short_help_str(limit)
    command = group.get_command(ctx, name)
    return command.get_short_help_str(limit) if command else ""


@click.group(cls=_LazyGroup)
@click.version_option(package_name="afscope")
def cli() -> None:
    """Measure alignment faking and in-context scheming in language models."""


# Python collects its youngest objects after 700 net allocations; a run allocates millions (each
# sample's messages, events, scores and summaries), and those collections cost ~3 ms CPU a sample
# on the organism, ~1 ms at this threshold (docs/scale.md). The process is afscope's own here.
YOUNG_COLLECTION_THRESHOLD = 7_000


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `afscope` script."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)
    try:
        cli.main(args=argv, prog_name="afscope", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        _exit_interrupted()
    except click.ClickException as error:
        error.show()
        if error.exit_code == 130:
            _exit_interrupted()
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        _exit_interrupted()


def _exit_interrupted() -> None:
    """Exit 130 after Ctrl-C, without waiting forever on threads the interrupted run left."""
    from afscope.cli._interrupted import release_worker_threads

    release_worker_threads()
    sys.exit(130)
