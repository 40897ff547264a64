"""The --sandbox docker path: no Docker daemon here, so only its files are checked (parsed)."""

from __future__ import annotations

from pathlib import Path

import yaml

from afscope.agentic import load_environment
from afscope.harness._agentic import environment_task, sandbox_spec


def test_docker_compose_file_isolates_the_default_service() -> None:
    kind, path = sandbox_spec("docker")
    compose = yaml.safe_load(Path(path).read_text())
    service = compose["services"]["default"]  # Inspect runs tools in the "default" service
    assert kind == "docker"
    assert service["network_mode"] == "none" and service["working_dir"] == "/workspace"
    assert service["pids_limit"] > 0 and service["cap_drop"] == ["ALL"]
    dockerfile = Path(path).parent / service["build"]["dockerfile"]
    lines = [line.split() for line in dockerfile.read_text().splitlines() if line.strip()]
    instructions = {words[0]: words[1:] for words in lines if not words[0].startswith("#")}
    assert instructions["WORKDIR"] == ["/workspace"] and instructions["USER"] == ["agent"]
    assert "FROM" in instructions


def test_the_same_task_runs_on_docker_by_name() -> None:
    task = environment_task(load_environment("exfiltration"), sandbox_type="docker")
    assert task.sandbox is not None and task.sandbox.type == "docker"
    assert str(task.sandbox.config).endswith("compose.yaml")
    assert environment_task(load_environment("exfiltration")).sandbox.type == "bwrap"  # type: ignore[union-attr]
