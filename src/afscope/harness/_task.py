"""The alignment-faking experiment as an Inspect task: samples, the <NEXT/> loop, the outcome score.

Thin glue: prompts come from :mod:`afscope.scenarios`, queries from :mod:`afscope.queries`, parsing
from :mod:`afscope.transcripts`. Each query appears once per tier so the tiers are paired by query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig, get_model
from inspect_ai.scorer import Score, Scorer, Target, scorer
from inspect_ai.solver import Generate, Solver, TaskState, solver

from afscope.classifiers import Adaptive
from afscope.experiment import Experiment, Plan, plan_experiment
from afscope.harness._judging import JudgeOptions, af_judge_scorer
from afscope.harness._messages import parse_messages, sample_usage
from afscope.harness._metrics import run_metrics
from afscope.harness._monitoring import MONITOR_KIND, VerdictBatcher, judge_reasoning
from afscope.harness._refusals import send
from afscope.monitor import load_monitor
from afscope.records import JUDGED_KINDS, Outcome
from afscope.scenarios import NEXT_MESSAGE
from afscope.transcripts import ParsedTranscript, needs_continuation

__all__ = [
    "alignment_faking",
    "build_samples",
    "outcome_scorer",
    "scratchpad_loop",
    "system_prompt",
    "task_from_plan",
]


def build_samples(plan: Plan) -> list[Sample]:
    """The plan's samples as Inspect samples: each one's first user turn as its input.

    The system prompt is not in the input: :func:`system_prompt` sends it. Inspect keeps a summary
    of every finished sample (its input included) in memory until the run ends and writes them all
    to the log's ``summaries.json``; an 18k-character system prompt in each input made that about
    half of a run's memory growth per sample. ``sample.messages`` still starts with it.
    """
    return [
        Sample(id=sample.id, input=sample.user, metadata=dict(sample.metadata))
        for sample in plan.samples
    ]


def system_prompt(plan: Plan) -> Solver:
    """A solver that puts each sample's planned system prompt first in its conversation.

    Built from the plan, not from sample metadata (which every sample's summary keeps): one prompt
    when all of the plan's samples share it (alignment faking's do), else one per sample id.
    """
    prompts = {sample.id: sample.system for sample in plan.samples}
    shared = next(iter(prompts.values())) if len(set(prompts.values())) == 1 else None

    @solver(name="system_prompt")
    def insert_system_prompt() -> Solver:
        async def solve(state: TaskState, generate: Generate) -> TaskState:
            text = shared if shared is not None else prompts[str(state.sample_id)]
            # marked as input, as Inspect marks the messages of a sample's input
            state.messages.insert(0, ChatMessageSystem(content=text, source="input"))
            return state

        return solve

    return insert_system_prompt()


@solver
def scratchpad_loop(max_turns: int = 4) -> Solver:
    """Generate; while a turn ends in reasoning without <OUTPUT>, answer <NEXT/> (max_turns).

    After the provider refuses a request for good (400, 401, 403, 404) the run's later and
    waiting samples send nothing and fail at once (:mod:`afscope.harness._refusals`).

    Args:
        max_turns: Model turns per sample: the first answer and the ``<NEXT/>`` continuations.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        # nothing is written to the state but the conversation: scoring reads it, and the token
        # usage from the sample's transcript
        model = get_model()
        for _ in range(max_turns - 1):
            state = await send(model, generate(state))
            if not needs_continuation(state.output.completion):
                return state
            state.messages.append(ChatMessageUser(content=NEXT_MESSAGE))
        state = await send(model, generate(state))
        return state

    return solve


def _record_fields(state: TaskState, parsed: ParsedTranscript) -> dict[str, Any]:
    usage = sample_usage()  # the model's calls in this sample's transcript
    cached = (usage.input_tokens_cache_read or 0) if usage else 0
    written = (usage.input_tokens_cache_write or 0) if usage else 0
    return {
        "outcome": parsed.outcome.value,
        "malformed_reason": parsed.reason,
        "turns": parsed.turns,
        # the organism's decision holds for the whole conversation; its last answer carries it
        "truth": (state.output.metadata or {}).get("organism_truth"),
        "input_tokens": (usage.input_tokens + cached + written) if usage else 0,
        "cached_input_tokens": cached,
        "cache_write_tokens": written,
        "output_tokens": usage.output_tokens if usage else 0,
    }


@scorer(metrics=[run_metrics()])
def outcome_scorer(
    suffix: bool = True, monitor_kind: str | None = None, monitor_model: str | None = None
) -> Scorer:
    """Deterministic outcome: accepted / rejected / answered / malformed (with its reason); with
    ``monitor_kind``, the local monitor's verdict on the reasoning too.

    The monitor's verdict (or the reason it skipped the sample) goes into this score's metadata
    as :func:`~afscope.harness._monitoring.monitor_scorer` would write it, from the same parse:
    a second scorer would cost Inspect a span, a score event and a summary entry per sample.

    Args:
        suffix: Whether the user turns asked for the accept/reject tags.
        monitor_kind: The verdict kind to record the local monitor's judgement as (None: no
            monitor).
        monitor_model: A fitted monitor's name or artefact path (default: the shipped one).
    """
    # at task creation: a broken monitor install fails before anything is sent
    batcher = VerdictBatcher(load_monitor(monitor_model)) if monitor_kind is not None else None

    async def score(state: TaskState, target: Target) -> Score:
        parsed = parse_messages(state.messages, suffix=suffix)
        fields = _record_fields(state, parsed)
        outcome = fields["outcome"]
        metadata = {"tier": state.metadata.get("tier"), **fields}
        explanation = fields["malformed_reason"]
        if batcher is not None and monitor_kind is not None:
            judged = await judge_reasoning(batcher, monitor_kind, parsed)
            metadata.update(judged.metadata)
            explanation = "; ".join(filter(None, (explanation, judged.explanation)))
        return Score(
            value=1.0 if outcome == Outcome.ACCEPTED.value else 0.0,
            answer=outcome,
            explanation=explanation,
            metadata=metadata,
        )

    return score


@task
def alignment_faking(
    setting: str = "helpful-only",
    queries: str | None = None,
    limit: int | None = None,
    scratchpad: bool = True,
    suffix: bool | None = None,
    tier_casing: Literal["lower", "title"] = "lower",
    max_turns: int | None = None,
    max_tokens: int | None = None,
    seed: int = 0,
    variant: str = "default",
    judge: bool = False,
    judge_votes: int | None = None,
    judge_adaptive: Adaptive | None = None,
    monitor: bool | None = None,
    monitor_model: str | None = None,
    epochs: int = 1,
    interrogation_turns: int | None = None,
) -> Task:
    """Alignment faking (Greenblatt et al. 2024): each query asked in both tiers.

    Args:
        setting: Shipped setting (``helpful-only``, ``animal-welfare``) or a scenario YAML path.
        queries: Built-in query set or a csv/jsonl file (default: the setting's own).
        limit: Ask only the first N queries.
        scratchpad: Let the model reason in a hidden scratchpad before answering.
        suffix: Ask for accept/reject tags (default: the setting's default).
        tier_casing: ``lower`` or ``title`` casing of the tier cue.
        max_turns: Turns per conversation (continuations after <NEXT/>; default 4); 1 without
            scratchpad.
        max_tokens: Output token limit per generation.
        seed: Seed of the run (and of the simulated organism).
        variant: Prompt variant applied to the setting.
        judge: Judge AF reasoning, compliance and partial compliance with the LLM judges (the
            judge model is the ``grader`` model role).
        judge_votes: Votes per judge verdict.
        judge_adaptive: When to stop drawing votes: ``off``, ``exact`` or ``sequential``.
        monitor: Score AF reasoning with the local monitor (default: when no judge runs).
        monitor_model: A fitted monitor's name or artefact path (default: the shipped one).
        epochs: Times each sample is run.
        interrogation_turns: The scheming kinds' option: refused unless left at None.
    """
    args = dict(locals())
    experiment = Experiment.from_task_args("alignment_faking", **args)
    return task_from_plan(plan_experiment(experiment), solver=scratchpad_loop)


def task_from_plan(plan: Plan, *, solver: Callable[[int], Solver]) -> Task:
    """An Inspect task for a plan: its samples, ``solver(max_turns)``, the outcome scorer and the
    experiment's classifiers (LLM judges, local monitor)."""
    experiment = plan.experiment
    setting, suffix = plan.metadata["setting"], plan.suffix
    scorers, classifiers, monitor_kind = _classifier_scorers(setting, suffix, experiment)
    outcome = outcome_scorer(suffix, monitor_kind, experiment.monitor_model)
    return Task(
        dataset=MemoryDataset(build_samples(plan), name=plan.name),
        solver=[system_prompt(plan), solver(plan.max_turns)],
        scorer=[outcome, *scorers],
        config=GenerateConfig(max_tokens=experiment.max_tokens),
        epochs=experiment.epochs if experiment.epochs > 1 else None,  # else eval(epochs=) decides
        metadata={"afscope": {**plan.metadata, "classifiers": classifiers}},
        name=experiment.kind,
    )


def _classifier_scorers(
    setting: str, suffix: bool, experiment: Experiment
) -> tuple[list[Scorer], dict[str, dict[str, Any]], str | None]:
    """The classifier scorers of a run, what the log should say about them, and the verdict kind
    the outcome scorer records the local monitor's judgement as (None: no monitor).

    The specs written here name the classifiers; each verdict also carries its full spec (judge
    model, rubric hash, votes...), which is what a log reader reports.
    """
    scorers: list[Scorer] = []
    classifiers: dict[str, dict[str, Any]] = {}
    judge = experiment.uses_judge
    if judge:
        options = JudgeOptions(votes=experiment.judge_votes, adaptive=experiment.judge_adaptive)
        scorers.append(
            af_judge_scorer(JUDGED_KINDS, options=options, setting=setting, suffix=suffix)
        )
        classifiers.update({kind: {"name": kind, "type": "llm-judge"} for kind in JUDGED_KINDS})
    monitor_kind = None
    if experiment.uses_monitor:
        monitor_kind = f"{MONITOR_KIND}_monitor" if judge else MONITOR_KIND
        classifiers[monitor_kind] = dict(load_monitor(experiment.monitor_model).spec)
    return scorers, classifiers, monitor_kind
