"""Sending a run's requests through the provider's batch API (``--batch``): the option's value.

Inspect 0.3.285 batches through ``GenerateConfig.batch`` for the providers that have a batcher
(:data:`BATCH_PROVIDERS`): requests are gathered into batches (``size`` requests, or whatever
arrived within ``send_delay`` seconds), submitted, and polled every ``tick`` seconds until the
provider has answered them all. Anthropic's Message Batches and OpenAI's Batch API bill half the
list price and may take up to 24 hours. Batching replaces Inspect's adaptive concurrency.

    --batch            batches of Inspect's default size (100 requests)
    --batch 500        batches of 500 requests
    --batch FILE       a YAML or JSON mapping of the fields of :class:`BatchOptions`
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from afscope._yaml import load_mapping
from afscope.errors import ConfigError

__all__ = ["BATCH_PROVIDERS", "BatchOptions", "check_batchable", "parse_batch"]

# providers with a batcher in the pinned Inspect (model/_providers/*_batch.py)
BATCH_PROVIDERS = ("anthropic", "google", "grok", "openai", "together")
DEFAULT_SIZE = 100  # Inspect's DEFAULT_BATCH_SIZE


@dataclass(frozen=True)
class BatchOptions:
    """Inspect's ``BatchConfig`` fields (None: Inspect's default) and the file they came from."""

    size: int | None = None  # requests to gather before a batch is sent (default 100)
    max_size: int | None = None  # most requests in one batch (default: the provider's maximum)
    send_delay: float | None = None  # seconds before a partly filled batch is sent (default 15)
    tick: float | None = None  # seconds between checks of the intake and the batches (default 15)
    max_batches: int | None = None  # batches in flight at once per provider
    max_consecutive_check_failures: int | None = None  # failed checks before a batch fails
    source: str | None = None  # the --batch FILE, if any (rerun commands name it again)

    def __post_init__(self) -> None:
        for name in _FIELDS:
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ConfigError(
                    "must be a positive number", file=self.source, key=_key(name, self.source)
                )

    def config(self) -> dict[str, Any]:
        """The value of Inspect's ``batch`` generate option (a ``BatchConfig`` as a mapping)."""
        return {name: value for name, value in asdict(self).items() if name in _FIELDS and value}

    def option(self) -> list[str]:
        """The ``--batch`` argument that gives these options again."""
        return ["--batch", self.source or str(self.size or DEFAULT_SIZE)]


_FIELDS = tuple(f.name for f in fields(BatchOptions) if f.name != "source")
_INTEGERS = frozenset({"size", "max_size", "max_batches", "max_consecutive_check_failures"})


def _key(name: str, source: str | None) -> str:
    return name if source else "--batch"


def parse_batch(value: str | None) -> BatchOptions | None:
    """``--batch``'s value: absent (None), "true" (the flag alone), a size, or a config file."""
    if value is None:
        return None
    text = value.strip()
    if text.lower() == "true":
        return BatchOptions()
    if text.isdigit():
        return BatchOptions(size=int(text))
    path = Path(text)
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise ConfigError(
            f"expected nothing, a batch size (e.g. --batch 500) or a YAML/JSON file, got {value!r}",
            key="--batch",
        )
    return _read_file(path)


def _read_file(path: Path) -> BatchOptions:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigError(f"cannot read the batch file ({reason})", file=source) from None
    data = load_mapping(text, source, "a batch file")  # JSON is YAML too
    values: dict[str, Any] = {}
    for key, item in data.items():
        if key not in _FIELDS:
            raise ConfigError(f"unknown key; allowed: {', '.join(_FIELDS)}", file=source, key=key)
        whole = isinstance(item, int) and not isinstance(item, bool)
        number = whole or (isinstance(item, float) and key not in _INTEGERS)
        if not number:
            kind = "a whole number" if key in _INTEGERS else "a number of seconds"
            raise ConfigError(f"expected {kind}, got {item!r}", file=source, key=key)
        values[key] = item
    return BatchOptions(**values, source=source)


def check_batchable(models: list[str] | tuple[str, ...]) -> None:
    """Refuse ``--batch`` for a model whose provider has no batch API in Inspect."""
    for model in models:
        provider = model.split("/", 1)[0]
        if provider not in BATCH_PROVIDERS:
            raise ConfigError(
                f"{model} has no batch API in Inspect 0.3.285 (batching providers: "
                f"{', '.join(BATCH_PROVIDERS)}); drop --batch or leave that model out",
                key="--batch",
            )
