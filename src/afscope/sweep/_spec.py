"""What a sweep runs: the grid of cells (model x setting x variant) and how each model is reached.

Plain Python: parsing and checking the command line's names happens here, before Inspect is
imported, so a typo costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from afscope.errors import ConfigError
from afscope.experiment import Experiment
from afscope.providers import check_base_url, is_simulated, provider_of

__all__ = [
    "Cell",
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
    kind: str = "alignment_faking"

    @property
    def label(self) -> str:
        return f"{self.model} · {self.setting} · {self.variant}"

    @property
    def task_name(self) -> str:
        """The name Inspect shows and writes into the log file name for this cell."""
        return f"{self.kind}_{self.setting}_{self.variant}"


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class SweepPlan:
    """The grid and how to reach each model; cells are ordered model, setting, variant."""

    models: tuple[str, ...]
    settings: tuple[str, ...] = ("helpful-only",)
    variants: tuple[str, ...] = ("default",)
    # every cell's experiment but its model, setting and variant
    experiment: Experiment = field(default_factory=Experiment)
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
            raise ConfigError(f"-M names model {stray[0]!r}, which is not in --models", key="-M")
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
            Cell(model, setting, variant, self.experiment.kind)
            for model in self.models
            for setting in self.settings
            for variant in self.variants
        )

    def base_url(self, model: str) -> str | None:
        return self.base_urls.get(provider_of(model))

    def options(self) -> list[str]:
        """Command-line options of ``afscope sweep`` that reproduce this plan."""
        out = [
            "--models",
            ",".join(self.models),
            "--settings",
            ",".join(self.settings),
            "--variants",
            ",".join(self.variants),
        ]
        for model, args in self.model_args.items():
            for key, value in args.items():
                out += ["-M", model, f"{key}={value}"]
        for provider, url in self.base_urls.items():
            out += ["--base-url", f"{provider}={url}"]
        return out + self.experiment.shared_options()

    def experiment_for(self, cell: Cell) -> Experiment:
        """The experiment one cell runs."""
        return replace(
            self.experiment, model=cell.model, setting=cell.setting, variant=cell.variant
        )

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
        check_base_url(url)  # Inspect writes the URL into every cell's log
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
            raise ConfigError(f"-M expects MODEL KEY=VALUE, got {model!r} {assignment!r}", key="-M")
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
