"""`afscope --help` lists every command with its own help line, without importing any of them."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from afscope.cli import _COMMANDS, _SUMMARIES, _short_help, cli


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
