"""The public API: each package's __all__ is importable, and the top level does not drift."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import afscope

PACKAGES = [
    "afscope.classifiers",
    "afscope.experiment",
    "afscope.harness",
    "afscope.monitor",
    "afscope.organism",
    "afscope.queries",
    "afscope.report",
    "afscope.scenarios",
    "afscope.stats",
    "afscope.transcripts",
    "afscope.variants",
]


def test_top_level_exports() -> None:
    assert sorted(afscope.__all__) == [
        "AfscopeError",
        "ConfigError",
        "DataError",
        "OrganismTruth",
        "Outcome",
        "ProviderError",
        "RunInfo",
        "SampleRecord",
        "Tier",
        "UnknownNameError",
        "Verdict",
        "__version__",
    ]
    for name in afscope.__all__:
        assert hasattr(afscope, name), name


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_exists(package: str) -> None:
    module = importlib.import_module(package)
    exported = module.__all__
    for name in exported:
        assert hasattr(module, name), f"{package}.{name}"
        assert not name.startswith("_"), f"{package}.{name} is private"


def test_the_core_does_not_import_inspect() -> None:
    core = [p for p in _public_packages() if p != "afscope.harness"]
    core += ["afscope", "afscope.summary", "afscope.harness"]  # the harness imports it lazily
    code = (
        "import sys\n"
        + "".join(f"import {p}\n" for p in core)
        + ("print('inspect_ai' in sys.modules)")
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def _public_packages() -> list[str]:
    return [
        f"afscope.{info.name}"
        for info in pkgutil.iter_modules(afscope.__path__)
        if info.ispkg and not info.name.startswith("_")
    ]


@pytest.mark.parametrize("package", _public_packages())
def test_all_is_exactly_what_the_package_defines(package: str) -> None:
    """Every public name a package takes from its own modules is in __all__, and nothing else."""
    module = importlib.import_module(package)
    own = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and str(getattr(value, "__module__", "")).startswith(f"{package}.")
    }
    exported = set(module.__all__)
    assert own <= exported, f"{package} offers {sorted(own - exported)} outside __all__"
    assert all(hasattr(module, name) for name in exported), package


def test_harness_loads_each_export_from_the_module_its_types_come_from() -> None:
    """The harness imports lazily: its table of homes, its __all__ and the imports mypy reads
    (under TYPE_CHECKING) must name the same things, or a name fails only when first used."""
    import ast

    import afscope.harness as harness

    tree = ast.parse(Path(harness.__file__).read_text(encoding="utf-8"))
    guarded = next(node for node in tree.body if isinstance(node, ast.If))
    typed = {
        alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    lazy = {name: f"afscope.harness.{home}" for name, home in harness._HOME_OF.items()}
    assert typed == lazy
    assert sorted(lazy) == sorted(harness.__all__)
