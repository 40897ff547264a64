"""`afscope scheming`: an alias of `afscope run --experiment ENV` for the scheming environments.

Each environment (and ``scheming``, the suite) is an experiment kind; this command only spells
the scheming options the way the scheming paper does (``--nudge``, ``--instances``) and hands
everything to `afscope run`, so both run, dry-run, estimate and summarise the same way.
"""

from __future__ import annotations

from typing import Any

import click

__all__ = ["scheming"]


def _setting(nudge: str, instances: str | None) -> str:
    """The kind's ``--setting``: the nudge condition(s) and instance ids as one comma list."""
    names = [] if nudge == "both" else [nudge]
    names += [name.strip() for name in (instances or "").split(",") if name.strip()]
    return ",".join(names) or "all"


@click.command()
@click.argument("environment", default="all", metavar="[ENV|all]")
@click.option("--model", default="organism/o1-like", show_default=True, help="Any Inspect model.")
@click.option("--base-url", default=None, help="Base URL of the model's API (local servers).")
@click.option(
    "--nudge",
    type=click.Choice(["both", "nudge", "no-nudge"]),
    default="both",
    show_default=True,
    help="With the strong goal nudge, without it, or both.",
)
@click.option(
    "--instances", default=None, help="Comma list of one environment's instance ids [all]."
)
@click.option("--epochs", type=click.IntRange(min=1), default=5, show_default=True)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="First N instances of each ENV."
)
@click.option(
    "--interrogation-turns",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Management's questions after a scheming episode.",
)
@click.option("--max-turns", type=click.IntRange(min=1), default=12, show_default=True)
@click.option("--judge", default=None, help="Judge model for the interrogation's answers.")
@click.option("--sandbox", default="bwrap", show_default=True, help="bwrap, docker or k8s.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--log-dir", default="logs", show_default=True, type=click.Path(file_okay=False))
@click.option(
    "--dry-run", is_flag=True, help="Print what would be sent and its cost; send nothing."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.pass_context
def scheming(ctx: click.Context, /, **options: Any) -> None:
    """Run the in-context scheming environments (Meinke et al. 2024) in the sandbox.

    The same as `afscope run --experiment ENV --setting NUDGE,INSTANCES` (ENV ``all``: the kind
    ``scheming``, the suite); `afscope run` and `afscope sweep` take every option of theirs.
    """
    from afscope.cli._run import run
    from afscope.errors import UnknownNameError
    from afscope.scheming import ENVIRONMENT_NAMES

    name = options.pop("environment")
    if name not in ("all", *ENVIRONMENT_NAMES):
        raise UnknownNameError("scheming environment", name, ("all", *ENVIRONMENT_NAMES))
    ctx.invoke(
        run,
        kind="scheming" if name == "all" else name,
        setting=_setting(options.pop("nudge"), options.pop("instances")),
        **options,
    )
