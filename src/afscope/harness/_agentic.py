"""Inspect glue for agentic environments: data tools, the bounded agent loop, task and scorer.

Every command runs in the sample's sandbox (``bwrap`` by default, ``docker`` works unchanged); the
loop records each tool call's command and the work directory before and after into the sample's
store under ``agentic`` (``before``, ``after``, ``diff``, ``commands``, ``turns``, ``tokens``,
``stopped``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    execute_tools,
    get_model,
)
from inspect_ai.scorer import (
    Metric,
    SampleScore,
    Score,
    Scorer,
    Target,
    metric,
    scorer,
)
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.tool import Tool, ToolDef, ToolParam, ToolParams, bash
from inspect_ai.util import sandbox

from afscope.agentic._environment import Environment, ToolSpec
from afscope.agentic._plan import planned_sample
from afscope.agentic._scoring import diff_files, score_final_state
from afscope.errors import ConfigError
from afscope.experiment import Plan, PlannedSample
from afscope.harness._refusals import send
from afscope.stats import wilson_interval

__all__ = [
    "agent_loop",
    "agent_sample",
    "condition_rates",
    "data_tool",
    "environment_task",
    "final_state_scorer",
    "last_organism_truth",
    "organism_truth",
    "sandbox_spec",
    "task_from_agentic_plan",
]

_SNAPSHOT = (
    "find . -type f -not -path './.afscope/*' -printf '%s\\t%P\\n' | sort -k2 | "
    "while IFS=$'\\t' read -r size path; do "
    'printf \'%s\\t%s\\t%s\\n\' "$size" "$(sha256sum "$path" | cut -d\' \' -f1)" "$path"; done'
)


def data_tool(spec: ToolSpec) -> Tool:
    """A tool from an environment's data: its command template runs in the sandbox."""

    async def execute(**arguments: Any) -> str:
        result = await sandbox().exec(["bash", "-c", spec.render(arguments)])
        return f"{result.stderr}\n{result.stdout}" if result.stderr else result.stdout

    params = ToolParams(
        properties={
            name: ToolParam(type="string", description=text)
            for name, text in spec.parameters.items()
        },
        required=list(spec.parameters),
    )
    return ToolDef(
        execute, name=spec.name, description=spec.description, parameters=params
    ).as_tool()


# small text files (configs, memos, answers) keep their content in the snapshot, so that scoring
# rules can read a flag's value and the report can show a diff; larger ones keep only the digest
SNAPSHOT_TEXT_BYTES = 16 * 1024


async def snapshot() -> dict[str, dict[str, Any]]:
    """The sandbox work directory: path -> size, sha256 and, for small UTF-8 files, ``text``
    (any sandbox that has bash)."""
    environment = sandbox()
    result = await environment.exec(["bash", "-c", _SNAPSHOT])
    files: dict[str, dict[str, Any]] = {}
    for line in result.stdout.splitlines():
        size, digest, path = line.split("\t", 2)
        files[path] = {"size": int(size), "sha256": digest}
        if int(size) <= SNAPSHOT_TEXT_BYTES:
            # binary or unreadable: the digest alone describes it
            with contextlib.suppress(UnicodeDecodeError, OSError):
                files[path]["text"] = await environment.read_file(path, text=True)
    return files


def _commands(state: TaskState) -> list[str]:
    commands = []
    for message in state.messages:
        if isinstance(message, ChatMessageAssistant):
            for call in message.tool_calls or []:
                args = call.arguments
                commands.append(str(args.get("command", args.get("cmd", ""))) or call.function)
    return commands


@solver
def agent_loop(max_turns: int = 12, max_tokens: int = 60_000) -> Solver:
    """Generate with tools, run the calls in the sandbox; stop on no calls, turns or tokens.

    After a refusal no retry fixes (400, 401, 403, 404), later samples send nothing.

    Args:
        max_turns: Model turns per sample.
        max_tokens: Tokens per sample over all turns (input and output).
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        _refuse_host_sandbox()
        before = await snapshot()
        model = get_model()
        tokens, turns, stopped = 0, 0, "max_turns"
        while turns < max_turns:
            output = await send(model, model.generate(state.messages, state.tools))
            turns += 1
            state.output = output
            state.messages.append(output.message)
            tokens += output.usage.total_tokens if output.usage else 0
            if not output.message.tool_calls:
                stopped = "answered"
                break
            result = await execute_tools(state.messages, state.tools)
            state.messages.extend(result.messages)
            if tokens >= max_tokens:
                stopped = "max_tokens"
                break
        after = await snapshot()
        state.store.set(
            "agentic",
            {
                "before": before,
                "after": after,
                "diff": diff_files(before, after),
                "commands": _commands(state),
                "turns": turns,
                "tokens": tokens,
                "stopped": stopped,
            },
        )
        return state

    return solve


@metric
def condition_rates() -> Metric:
    """Per condition: the rate of a true score and its 95% Wilson interval.

    With several epochs Inspect hands metrics each sample's mean over its epochs: the rate is
    still the mean, and the interval counts samples, not episodes (wider; afscope's own summary
    reads every episode)."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        groups: dict[str, list[float]] = {}
        for item in scores:
            condition = str((item.sample_metadata or {}).get("condition", "all"))
            groups.setdefault(condition, []).append(item.score.as_float())
        out: dict[str, float] = {}
        for condition, values in sorted(groups.items()):
            interval = wilson_interval(round(sum(values)), len(values))
            out[f"{condition}"] = sum(values) / len(values)
            out[f"{condition}:low"] = interval.low
            out[f"{condition}:high"] = interval.high
        if any((item.score.metadata or {}).get("organism_truth") for item in scores):
            # shown in Inspect's own summary too: these rates come from a simulated model
            out["SIMULATED_organism"] = 1.0
        return out

    return compute


@scorer(metrics=[condition_rates()])
def final_state_scorer(environment: Environment) -> Scorer:
    """The environment's deterministic rule on the sandbox's final state.

    Args:
        environment: The agentic environment whose ``scoring`` rule decides each sample.
    """
    spec = dict(environment.scoring)

    async def score(state: TaskState, target: Target) -> Score:
        record = state.store.get("agentic") or {}
        after, before = record.get("after", {}), record.get("before", {})
        source = before.get(str(spec.get("source")))
        if source is not None:
            spec["source_sha256"] = source["sha256"]
        result = score_final_state(spec, after, record.get("commands", []))
        truth = last_organism_truth(state.messages)
        return Score(
            value=1 if result["value"] else 0,
            explanation=str(result.get("reached")),
            metadata={
                "deterministic": result,
                "organism_truth": truth,
                "stopped": record.get("stopped"),
            },
        )

    return score


def organism_truth(message: ChatMessage) -> dict[str, Any] | None:
    """The simulated organism's ground truth on one of its replies (None on any other message)."""
    if isinstance(message, ChatMessageAssistant) and message.metadata:
        truth = message.metadata.get("organism_truth")
        return dict(truth) if truth is not None else None
    return None


def last_organism_truth(messages: Sequence[ChatMessage]) -> dict[str, Any] | None:
    """The ground truth of the organism's latest reply that carries one."""
    return next((t for m in reversed(messages) if (t := organism_truth(m)) is not None), None)


# Inspect's `local` sandbox runs commands as plain host processes: never for model commands
_HOST_SANDBOX = "local"


def _refuse_host_sandbox() -> None:
    """Stop before any model command when the sample's sandbox is Inspect's host-process one
    (e.g. ``inspect eval --sandbox local`` overriding the task's own sandbox)."""
    environment: Any = sandbox()
    while hasattr(environment, "_sandbox"):  # Inspect wraps each sandbox in an event proxy
        environment = environment._sandbox
    if type(environment).__name__ == "LocalSandboxEnvironment":
        raise ConfigError(
            "the 'local' sandbox runs model commands on the host; agentic tasks run only in an "
            "isolating sandbox (bwrap, docker, k8s)",
            key="sandbox",
        )


def sandbox_spec(sandbox_type: str) -> str | tuple[str, str]:
    """``bwrap`` (default) as is; ``docker`` with afscope's compose file; others by name, except
    Inspect's ``local``, which would run model commands on the host."""
    if sandbox_type == _HOST_SANDBOX:
        raise ConfigError(
            "sandbox 'local' runs model commands on the host; use bwrap (default), docker or k8s",
            key="sandbox",
        )
    if sandbox_type == "docker":
        return (
            "docker",
            str(resources.files("afscope.agentic").joinpath("docker", "compose.yaml")),
        )
    return sandbox_type


def environment_task(
    environment: Environment,
    *,
    conditions: Sequence[str] | None = None,
    epochs: int = 1,
    sandbox_type: str = "bwrap",
) -> Task:
    """One sample per condition (times epochs), run in ``sandbox_type`` with the agent loop."""
    chosen = (
        [environment.condition(name) for name in conditions]
        if conditions
        else list(environment.conditions)
    )
    samples = [planned_sample(environment, c, c.name) for c in chosen]
    return _agentic_task(
        environment,
        samples,
        scorers=[final_state_scorer(environment)],
        bounds=(environment.max_turns, environment.max_tokens),
        sandbox_type=sandbox_type,
        epochs=epochs,
        metadata={},
    )


def task_from_agentic_plan(
    environment: Environment, plan: Plan, *, sandbox_type: str = "bwrap"
) -> Task:
    """The Inspect task of an agentic plan: its samples in ``sandbox_type``, the agent loop at the
    plan's bounds, the environment's deterministic rule and, with a judge, its decision rubric.
    The log's ``afscope`` metadata is the plan's (what afscope's summary and report read)."""
    experiment = plan.experiment
    scorers = [final_state_scorer(environment)]
    classifiers: dict[str, dict[str, Any]] = {
        "deterministic": {
            "name": str(environment.scoring.get("rule")),
            "type": "rule",
            **{k: v for k, v in environment.scoring.items() if k != "rule"},
        },
    }
    rubric = environment.judge_rubric
    if experiment.uses_judge and rubric:
        from afscope.harness._judging import episode_judge_scorer

        scorers.append(
            episode_judge_scorer(
                rubric, votes=experiment.judge_votes, adaptive=experiment.judge_adaptive
            )
        )
        classifiers[rubric] = {"name": rubric, "type": "llm-judge"}
    assert plan.sample_tokens is not None
    return _agentic_task(
        environment,
        list(plan.samples),
        scorers=scorers,
        bounds=(plan.max_turns, plan.sample_tokens),
        sandbox_type=sandbox_type,
        epochs=experiment.epochs,
        metadata={
            "afscope": {**plan.metadata, "kind": experiment.kind, "classifiers": classifiers}
        },
        name=experiment.kind,
    )


def agent_sample(
    planned: PlannedSample, files: Mapping[str, str], id: str | None = None, **metadata: Any
) -> Sample:
    """A sample for the agent loop: the planned prompts as its first messages, ``files`` seeded
    into its sandbox, ``metadata`` added to the plan's."""
    return Sample(
        id=id or planned.id,
        input=[ChatMessageSystem(content=planned.system), ChatMessageUser(content=planned.user)],
        files=dict(files),
        metadata={**planned.metadata, **metadata},
    )


def _agentic_task(
    environment: Environment,
    samples: Sequence[PlannedSample],
    *,
    scorers: list[Scorer],
    bounds: tuple[int, int],
    sandbox_type: str,
    epochs: int,
    metadata: dict[str, Any],
    name: str | None = None,
) -> Task:
    dataset = [agent_sample(sample, environment.files) for sample in samples]
    tools = [bash(timeout=None), *(data_tool(spec) for spec in environment.tools)]

    @solver
    def with_tools() -> Solver:
        async def solve(state: TaskState, generate: Generate) -> TaskState:
            state.tools = list(tools)
            return state

        return solve

    max_turns, max_tokens = bounds
    return Task(
        dataset=MemoryDataset(dataset, name=environment.name),
        solver=[with_tools(), agent_loop(max_turns, max_tokens)],
        scorer=scorers,
        sandbox=sandbox_spec(sandbox_type),
        epochs=epochs,
        metadata={
            "environment": environment.name,
            "max_turns": max_turns,
            "max_tokens": max_tokens,
            "sandbox": sandbox_type,
            **metadata,
        },
        name=name,
    )
