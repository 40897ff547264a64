"""The public API: each package's __all__ is importable, and the top level does not drift."""

from __future__ import annotations

import importlib
import subprocess
import sys

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
        "AfscopeError", "ConfigError", "DataError", "OrganismTruth", "Outcome", "ProviderError",
        "RunInfo", "SampleRecord", "Tier", "UnknownNameError", "Verdict", "__version__",
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
    core = [p for p in PACKAGES if p != "afscope.harness"] + ["afscope", "afscope.summary"]
    code = "import sys\n" + "".join(f"import {p}\n" for p in core) + (
        "print('inspect_ai' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
