"""What a sweep runs: the grid of cells (model x setting x variant) and how each model is reached.

Plain Python: parsing and checking the command line's names happens here, before Inspect is
imported, so a typo costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from afscope.errors import ConfigError
from afscope.providers import is_simulated, provider_of

__all__ = [
    "Cell",
    "ExperimentArgs",
    "SweepPlan",
    "parse_base_urls",
    "parse_model_args",
    "split_names",
]


@dataclass(frozen=True)
class Cell:
    """One run of the grid: a model on one setting and one prompt variant."""

    model: str
    setting: str
    variant: str

    @property
    def label(self) -> str:
        return f"{self.model} · {self.setting} · {self.variant}"

    @property
    def task_name(self) -> str:
        """The name Inspect shows and writes into the log file name for this cell."""
        return f"alignment_faking_{self.setting}_{self.variant}"


@dataclass(frozen=True)
class ExperimentArgs:
    """The experiment's knobs shared by every cell (the task arguments but setting/variant)."""

    queries: str | None = None
    limit: int | None = None
    scratchpad: bool = True
    suffix: bool | None = None
    tier_casing: Literal["lower", "title"] = "lower"
    max_turns: int = 4
    max_tokens: int | None = None
    seed: int = 0
    judge: str | None = None  # LLM judge model (the grader role); None: the local monitor
    judge_votes: int | None = None
    judge_adaptive: str | None = None

    def options(self) -> list[str]:
        """Command-line options that reproduce these arguments (non-default values only)."""
        out: list[str] = []
        for name in ("queries", "limit", "max_tokens"):
            value = getattr(self, name)
            if value is not None:
                out += [f"--{name.replace('_', '-')}", str(value)]
        if self.seed != 0:
            out += ["--seed", str(self.seed)]
        if not self.scratchpad:
            out.append("--no-scratchpad")
        if self.suffix is not None:
            out.append("--suffix" if self.suffix else "--no-suffix")
        if self.tier_casing != "lower":
            out += ["--tier-casing", self.tier_casing]
        if self.max_turns != 4:
            out += ["--max-turns", str(self.max_turns)]
        for flag, value in (
            ("--judge", self.judge),
            ("--judge-votes", self.judge_votes),
            ("--adaptive", self.judge_adaptive),
        ):
            if value is not None:
                out += [flag, str(value)]
        return out

    def task_args(self, cell: Cell) -> dict[str, Any]:
        """Arguments of :func:`afscope.harness.alignment_faking` for one cell."""
        return {
            "setting": cell.setting,
            "variant": cell.variant,
            "queries": self.queries,
            "limit": self.limit,
            "scratchpad": self.scratchpad,
            "suffix": self.suffix,
            "tier_casing": self.tier_casing,
            "max_turns": self.max_turns,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "judge": self.judge is not None,
            "judge_votes": self.judge_votes,
            "judge_adaptive": self.judge_adaptive,
        }


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class SweepPlan:
    """The grid and how to reach each model; cells are ordered model, setting, variant."""

    models: tuple[str, ...]
    settings: tuple[str, ...] = ("helpful-only",)
    variants: tuple[str, ...] = ("default",)
    experiment: ExperimentArgs = field(default_factory=ExperimentArgs)
    # model -> its model args (organism overrides, provider options)
    model_args: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # provider -> base URL used by every model of that provider
    base_urls: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for model in self.models:
            if "/" not in model.strip("/"):
                raise ConfigError(
                    f"model {model!r} is not an Inspect model string (provider/name, "
                    "e.g. openai/gpt-4o or organism/opus-like)",
                    key="--models",
                )
        stray = sorted(set(self.model_args) - set(self.models))
        if stray:
            raise ConfigError(
                f"-M names model {stray[0]!r}, which is not in --models", key="-M"
            )
        judge = [self.experiment.judge] if self.experiment.judge else []
        providers = {provider_of(model) for model in [*self.models, *judge]}
        unused = sorted(set(self.base_urls) - providers)
        if unused:
            raise ConfigError(
                f"--base-url names provider {unused[0]!r}, which no model in --models uses "
                f"(providers: {', '.join(sorted(providers))})",
                key="--base-url",
            )
        object.__setattr__(
            self, "model_args", _frozen({m: _frozen(a) for m, a in self.model_args.items()})
        )
        object.__setattr__(self, "base_urls", _frozen(self.base_urls))

    def cells(self) -> tuple[Cell, ...]:
        return tuple(
            Cell(model, setting, variant)
            for model in self.models
            for setting in self.settings
            for variant in self.variants
        )

    def base_url(self, model: str) -> str | None:
        return self.base_urls.get(provider_of(model))

    def options(self) -> list[str]:
        """Command-line options of ``afscope sweep`` that reproduce this plan."""
        out = [
            "--models", ",".join(self.models),
            "--settings", ",".join(self.settings),
            "--variants", ",".join(self.variants),
        ]
        for model, args in self.model_args.items():
            for key, value in args.items():
                out += ["-M", model, f"{key}={value}"]
        for provider, url in self.base_urls.items():
            out += ["--base-url", f"{provider}={url}"]
        return out + self.experiment.options()

    def args_for(self, model: str) -> dict[str, Any]:
        """The model args Inspect gets for ``model`` (the organism also gets the sweep's seed)."""
        args = dict(self.model_args.get(model, {}))
        if is_simulated(model):
            args = {"seed": str(self.experiment.seed), **args}
        return args


def split_names(text: str, option: str) -> tuple[str, ...]:
    """A comma list of names, in order, without blanks or repeats."""
    names: list[str] = []
    for part in text.split(","):
        name = part.strip()
        if name and name not in names:
            names.append(name)
    if not names:
        raise ConfigError(f"{option} needs at least one name (comma-separated)", key=option)
    return tuple(names)


def parse_base_urls(pairs: Iterable[str]) -> dict[str, str]:
    """``PROVIDER=URL`` pairs (``openai=http://127.0.0.1:8000/v1``) as a provider -> URL map."""
    urls: dict[str, str] = {}
    for pair in pairs:
        provider, sep, url = pair.partition("=")
        provider, url = provider.strip(), url.strip()
        if not sep or not provider or "/" in provider or not url:
            raise ConfigError(
                f"--base-url expects PROVIDER=URL (e.g. openai=http://127.0.0.1:8000/v1), "
                f"got {pair!r}",
                key="--base-url",
            )
        if provider in urls and urls[provider] != url:
            raise ConfigError(f"--base-url gives provider {provider!r} twice", key="--base-url")
        urls[provider] = url
    return urls


def parse_model_args(pairs: Iterable[Sequence[str]]) -> dict[str, dict[str, Any]]:
    """``(MODEL, KEY=VALUE)`` pairs as model -> {key: value}; values like JSON scalars."""
    args: dict[str, dict[str, Any]] = {}
    for model, assignment in pairs:
        key, sep, value = assignment.partition("=")
        if not sep or not key.strip():
            raise ConfigError(
                f"-M expects MODEL KEY=VALUE, got {model!r} {assignment!r}", key="-M"
            )
        args.setdefault(model.strip(), {})[key.strip()] = _scalar(value.strip())
    return args


def _scalar(text: str) -> Any:
    """``true``/``false`` as booleans, numbers as numbers, anything else as the text itself."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text
