"""`afscope power`, through click's runner, as a user types it."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from afscope.cli import cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["power", *args])
    return result.exit_code, result.output


def test_queries_needed_for_the_papers_headline_gap() -> None:
    # 14% vs 3% with the unpaired fallback: (1.96*sqrt(2*.085*.915) + .8416*sqrt(.1204+.0291))^2
    # / .11^2 = 99.5 -> 100 queries per tier
    code, output = run("--training", "0.14", "--unmonitored", "0.03")
    assert code == 0, output
    assert output.startswith("100 queries per tier (200 samples")
    assert "unpaired" in output and "--discordance" in output


def test_discordance_switches_to_the_paired_formula_and_needs_fewer_queries() -> None:
    code, output = run("--training", "0.14", "--unmonitored", "0.03", "--discordance", "0.12")
    assert code == 0, output
    match = re.match(r"(\d+) queries per tier", output)
    assert match is not None and int(match.group(1)) < 100
    assert "McNemar" in output


def test_more_power_needs_more_queries() -> None:
    def queries(*extra: str) -> int:
        _, output = run("--training", "0.3", "--unmonitored", "0.2", *extra)
        match = re.match(r"(\d+) queries", output)
        assert match is not None, output
        return int(match.group(1))

    assert queries("--power", "0.9") > queries() > queries("--power", "0.5")


def test_interval_width_for_n_and_rate() -> None:
    code, output = run("--n", "200", "--rate", "0.14")
    assert code == 0, output
    # Wilson for 28/200: 9.9% to 19.5%, about 9.6 points wide
    assert "9.6 points wide" in output
    assert "[9.9%, 19.5%]" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--training", "1.4", "--unmonitored", "0.03"), "'--training'"),
        (("--training", "0.1", "--unmonitored", "0.1"), "no gap to detect"),
        (("--training", "0.14", "--unmonitored", "0.03", "--power", "1"), "'--power'"),
        (("--training", "0.14", "--unmonitored", "0.03", "--discordance", "0.05"), "between 0.11"),
        (
            (
                "--training",
                "0.14",
            ),
            "must be given together",
        ),
        (("--n", "0", "--rate", "0.1"), "'--n'"),
        (("--n", "20", "--rate", "-0.1"), "'--rate'"),
        (("--n", "20", "--training", "0.1"), "either"),
        ((), "either"),
    ],
)
def test_bad_values_give_one_clear_error(args: tuple[str, ...], message: str) -> None:
    code, output = run(*args)
    assert code == 2
    assert message in output
    assert "Traceback" not in output
