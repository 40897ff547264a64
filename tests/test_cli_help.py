"""`afscope --help` lists every command with its own help line, without importing any of them;
the entry point sets up its process (the garbage collector's threshold)."""

from __future__ import annotations

import gc
import subprocess
import sys

import click
import pytest

from afscope.cli import _COMMANDS, _SUMMARIES, YOUNG_COLLECTION_THRESHOLD, _short_help, cli, main


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_the_listing_shows_each_commands_own_help(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    for limit in (45, 80):
        listed = _short_help(cli, click.Context(cli), name, limit)
        assert listed == command.get_short_help_str(limit)


def test_help_imports_no_subcommand() -> None:
    code = (
        "import sys\nfrom afscope.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('afscope.cli.', 'inspect_ai',"
        " 'scipy'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Commands:" in done.stdout
    missing = sorted(set(_COMMANDS) - set(_SUMMARIES))
    assert not missing, f"add the first help line of {missing} to _SUMMARIES in afscope/cli"
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_command_collects_young_objects_less_often(capsys: pytest.CaptureFixture[str]) -> None:
    """The `afscope` process owns its garbage collector: a run's allocations made Python's
    default young collections cost ~3 ms CPU a sample (docs/scale.md)."""
    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, saved[1], saved[2])
        main(["variants", "list"])
        assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, saved[1], saved[2])
        assert YOUNG_COLLECTION_THRESHOLD > 700
        assert "default" in capsys.readouterr().out  # the command itself ran
    finally:
        gc.set_threshold(*saved)
