"""The experiment value: every knob of one experiment, validated once."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from afscope.classifiers import ADAPTIVE_RULES, Adaptive
from afscope.errors import ConfigError

__all__ = ["DEFAULT_MODEL", "Experiment"]

DEFAULT_MODEL = "organism/opus-like"
TIER_CASINGS = ("lower", "title")
JUDGE_ROLE = "grader"  # the model role an Inspect task knows its judge by

# fields that are not arguments of the kind's Inspect task (the model is Inspect's own)
_NOT_TASK_ARGS = ("kind", "model")


@dataclass(frozen=True)
class Experiment:
    """One experiment: what is asked (kind, setting, variant, queries), how, of which model.

    ``suffix=None`` means the setting's default; ``judge`` is the LLM judge model (inside an
    Inspect task only its role, ``"grader"``, is known), ``None`` for none; ``monitor=None``
    means the local monitor runs when no judge does; ``monitor_model`` names a monitor fitted
    with ``afscope monitor fit`` (or an artefact path) to run instead of the shipped one.
    """

    kind: str = "alignment_faking"
    setting: str = "helpful-only"
    variant: str = "default"
    model: str = DEFAULT_MODEL
    queries: str | None = None
    limit: int | None = None
    scratchpad: bool = True
    suffix: bool | None = None
    tier_casing: Literal["lower", "title"] = "lower"
    max_turns: int | None = None  # None: the kind's own bound (alignment faking: 4)
    max_tokens: int | None = None
    epochs: int = 1
    seed: int = 0
    judge: str | None = None
    judge_votes: int | None = None
    judge_adaptive: Adaptive | None = None
    monitor: bool | None = None
    monitor_model: str | None = None  # a fitted monitor's name or artefact path; None: shipped
    interrogation_turns: int | None = None  # scheming kinds: management's questions; None: 3

    def __post_init__(self) -> None:
        from afscope.experiment._kinds import experiment_kind

        experiment_kind(self.kind)  # unknown kind: one line with "did you mean"
        checks = (
            (self.tier_casing in TIER_CASINGS, "--tier-casing", f"one of {TIER_CASINGS}"),
            (
                self.judge_adaptive in (None, *ADAPTIVE_RULES),
                "--adaptive",
                f"one of {ADAPTIVE_RULES}",
            ),
            (self.max_turns is None or self.max_turns >= 1, "--max-turns", "at least 1"),
            (self.epochs >= 1, "--epochs", "at least 1"),
            (self.limit is None or self.limit >= 1, "--limit", "at least 1"),
            (self.max_tokens is None or self.max_tokens >= 1, "--max-tokens", "at least 1"),
            (self.judge_votes is None or self.judge_votes >= 1, "--judge-votes", "at least 1"),
            (
                self.interrogation_turns is None or self.interrogation_turns >= 0,
                "--interrogation-turns",
                "0 or more",
            ),
        )
        for ok, key, rule in checks:
            if not ok:
                raise ConfigError(f"{key} must be {rule}", key=key)

    @property
    def uses_judge(self) -> bool:
        return self.judge is not None

    @property
    def uses_monitor(self) -> bool:
        return self.monitor if self.monitor is not None else not self.uses_judge

    def task_args(self) -> dict[str, Any]:
        """The arguments of the kind's Inspect task (the judge as a flag: its model is a role)."""
        args = {k: v for k, v in asdict(self).items() if k not in _NOT_TASK_ARGS}
        args["judge"] = self.uses_judge
        return args

    @classmethod
    def from_task_args(cls, kind: str, **args: Any) -> Experiment:
        """The value an Inspect task was called with (``judge`` is a flag there)."""
        judge = args.pop("judge", False)
        return cls(kind=kind, judge=JUDGE_ROLE if judge else None, **args)

    def shared_options(self) -> list[str]:
        """Command-line options (shared by `run` and `sweep`) that reproduce this experiment's
        non-default values, but setting, variant and model, which each command names itself."""
        out: list[str] = []
        defaults = Experiment()
        flags = {
            "scratchpad": ("", "--no-scratchpad"),
            "suffix": ("--suffix", "--no-suffix"),
            "monitor": ("--monitor", "--no-monitor"),
        }
        names = {"judge_adaptive": "--adaptive", "kind": "--experiment"}
        for item in fields(self):
            name, value = item.name, getattr(self, item.name)
            if name in ("setting", "variant", "model") or value == getattr(defaults, name):
                continue
            if name in flags:
                flag = flags[name][0 if value else 1]
                out += [flag] if flag else []
            else:
                out += [names.get(name, "--" + name.replace("_", "-")), str(value)]
        return out
