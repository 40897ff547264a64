"""Inspect glue for the LLM judges: run :mod:`afscope.classifiers` votes through an Inspect Model.

Each vote is one ``model.generate`` call at the spec's temperature. Inspect does the provider
retries (429/5xx, ``max_retries``/``timeout``), concurrency and caching; the cache key of each
call carries the rubric (name, version, hash), the vote slot and the attempt, so the 20 votes of a
verdict are 20 distinct cached answers and a re-run reproduces them exactly.

The judge model is the ``grader`` model role (``--model-role grader=...``) or, failing that, the
``judge`` given to :func:`af_judge_scorer`; it is never silently the model under evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from inspect_ai.model import CachePolicy, ChatMessageUser, GenerateConfig, Model, get_model
from inspect_ai.scorer import Score, Scorer, Target, scorer
from inspect_ai.solver import TaskState
from inspect_ai.util import collect

from afscope.agentic import episode_parts
from afscope.classifiers import (
    ClassifierSpec,
    Draw,
    DrawFailure,
    Rubric,
    TranscriptParts,
    VoteCollector,
    VoteRequest,
    error_verdict,
    load_rubric,
    make_spec,
    parse_judge_answer,
    render_prompt,
    rubric_for,
)
from afscope.harness._messages import episode_steps, parse_messages, transcript_parts
from afscope.harness._metrics import run_metrics
from afscope.harness._refusals import send
from afscope.records import JUDGED_KINDS, Verdict, VerdictKind

__all__ = [
    "JUDGE_ROLE",
    "JudgeOptions",
    "af_judge_scorer",
    "episode_judge_scorer",
    "judge_sample",
    "judge_transcripts",
]

JUDGE_ROLE = "grader"
_REASON_LIMIT = 200


@dataclass(frozen=True)
class JudgeOptions:
    """Voting overrides (None = the rubric's default) and judge-call settings."""

    votes: int | None = None
    temperature: float | None = None
    threshold: float | None = None
    maybe_band: float | None = None
    adaptive: str | None = None
    sequential_risk: float | None = None
    parse_retries: int | None = None
    max_tokens: int = 2000
    max_retries: int | None = 6  # provider retries per call (Inspect's backoff)
    timeout: int | None = 600  # seconds per call including retries
    cache: bool = True
    cache_expiry: str | None = None  # None: judge answers never expire

    def spec_for(self, rubric: Rubric, judge_model: str) -> ClassifierSpec:
        overrides: dict[str, Any] = {
            "votes": self.votes,
            "temperature": self.temperature,
            "threshold": self.threshold,
            "maybe_band": self.maybe_band,
            "adaptive": self.adaptive,
            "sequential_risk": self.sequential_risk,
            "parse_retries": self.parse_retries,
        }
        return make_spec(rubric, judge_model, **overrides)


def _cache(options: JudgeOptions, spec: ClassifierSpec, request: VoteRequest) -> CachePolicy | bool:
    if not options.cache:
        return False
    scopes = {
        "afscope_rubric": f"{spec.name}@{spec.version}:{spec.rubric_sha256[:16]}",
        "afscope_vote": str(request.slot),
        "afscope_attempt": str(request.attempt),
    }
    return CachePolicy(expiry=options.cache_expiry, per_epoch=False, scopes=scopes)


def _describe(error: Exception) -> str:
    """One short line for a failed judge call: the HTTP status and provider message if known."""
    status = getattr(error, "status_code", None)
    message = getattr(error, "provider_message", None) or next(
        (line.strip() for line in str(error).splitlines() if line.strip()), ""
    )
    prefix = f"{type(error).__name__}" + (f" (HTTP {status})" if status else "")
    return f"{prefix}: {message}"[:_REASON_LIMIT]


async def _draw(
    model: Model,
    rubric: Rubric,
    prompt: str,
    spec: ClassifierSpec,
    request: VoteRequest,
    options: JudgeOptions,
) -> tuple[Draw, int]:
    config = GenerateConfig(
        temperature=spec.temperature,
        max_tokens=options.max_tokens,
        max_retries=options.max_retries,
        timeout=options.timeout,
    )
    try:
        output = await send(
            model,
            model.generate(
                [ChatMessageUser(content=prompt)],
                config=config,
                cache=_cache(options, spec, request),
            ),
        )
    except Exception as error:  # the provider failed after Inspect's retries: an error vote
        return DrawFailure(_describe(error)), 0
    tokens = output.usage.total_tokens if output.usage else 0
    return parse_judge_answer(output.completion, rubric), tokens


async def judge_sample(
    model: Model | str,
    rubric: Rubric,
    transcript: TranscriptParts,
    *,
    options: JudgeOptions | None = None,
) -> Verdict:
    """Judge one transcript with one rubric; votes are drawn concurrently where that wastes none."""
    options = options or JudgeOptions()
    model = get_model(model)
    spec = options.spec_for(rubric, str(model))
    missing = rubric.missing_parts(transcript)
    if missing:
        return error_verdict(spec, f"not applicable: the transcript has no {', '.join(missing)}")
    prompt = render_prompt(rubric, transcript)
    collector = VoteCollector(spec)
    while requests := collector.next_requests():
        results = await collect(
            *(_draw(model, rubric, prompt, spec, request, options) for request in requests)
        )
        for request, (result, tokens) in zip(requests, results, strict=True):
            collector.record(request, result, tokens)
    return collector.verdict()


async def judge_transcripts(
    model: Model | str,
    rubrics: Sequence[Rubric],
    transcripts: Sequence[TranscriptParts],
    *,
    options: JudgeOptions | None = None,
    on_done: Callable[[], None] | None = None,
) -> list[dict[str, Verdict]]:
    """Judge many transcripts (e.g. foreign ones) with several rubrics.

    Returns one dict per transcript, in input order, keyed by rubric name; a rubric that needs a
    part the transcript lacks (e.g. a scratchpad) is left out. Inspect's connection limit bounds
    the concurrency. ``on_done`` is called as each transcript's verdicts are complete.
    """
    model = get_model(model)

    async def one(parts: TranscriptParts) -> dict[str, Verdict]:
        applicable = [rubric for rubric in rubrics if not rubric.missing_parts(parts)]
        verdicts = await collect(
            *(judge_sample(model, rubric, parts, options=options) for rubric in applicable)
        )
        if on_done is not None:
            on_done()
        return {r.name: verdict for r, verdict in zip(applicable, verdicts, strict=True)}

    return list(await collect(*(one(parts) for parts in transcripts)))


def _rubric(kind: str, setting: str) -> Rubric:
    if kind in JUDGED_KINDS:
        return rubric_for(kind, setting)
    return load_rubric(kind)


@scorer(metrics=[run_metrics(list(JUDGED_KINDS))])
def af_judge_scorer(
    kinds: Sequence[str] = (VerdictKind.AF_REASONING, VerdictKind.COMPLIANCE),
    judge: str | Model | None = None,
    options: JudgeOptions | None = None,
    setting: str = "helpful-only",
    suffix: bool = True,
) -> Scorer:
    """Judge each sample with the rubrics of ``kinds`` (kind or rubric names).

    A kind resolves to its rubric for the run's ``setting`` ("compliance" in the animal-welfare
    setting uses ``compliance_animal_welfare``). Score value: {kind: "yes"|"no"|"maybe"|"error"};
    metadata: {"verdicts": {kind: Verdict.to_dict()}, "skipped": {kind: reason}} where a kind is
    skipped when the transcript lacks what its rubric needs (e.g. no scratchpad), and the
    answer's outcome, from which Inspect's metrics give the judged rates per tier as afscope's
    summary does.

    Args:
        kinds: Verdict kinds or rubric names to judge (default: AF reasoning and compliance).
        judge: The judge model (default: the ``grader`` model role).
        options: Votes per verdict and when voting may stop early (default: the rubric's).
        setting: The run's setting, which picks each kind's rubric.
        suffix: Whether the user turns asked for the accept/reject tags.
    """
    rubrics = {kind: _rubric(kind, setting) for kind in kinds}  # unknown names fail here

    async def score(state: TaskState, target: Target) -> Score:
        parsed = parse_messages(state.messages, suffix=suffix)  # once: parts, outcome, unclosed
        parts = transcript_parts(state, parsed)
        model = get_model(role=JUDGE_ROLE, default=judge, required=True)
        skipped = {
            kind: _missing(missing, parsed.unclosed)
            for kind, rubric in rubrics.items()
            if (missing := rubric.missing_parts(parts))
        }
        judged = [kind for kind in kinds if kind not in skipped]
        verdicts = await collect(
            *(judge_sample(model, rubrics[kind], parts, options=options) for kind in judged)
        )
        by_kind = dict(zip(judged, verdicts, strict=True))
        return Score(
            value={kind: verdict.decision for kind, verdict in by_kind.items()},
            explanation="; ".join(
                f"{kind}: {v.decision} ({v.score if v.score is None else round(v.score, 3)})"
                for kind, v in by_kind.items()
            ),
            metadata={
                "verdicts": {kind: verdict.to_dict() for kind, verdict in by_kind.items()},
                "skipped": skipped,
                "outcome": parsed.outcome.value,
            },
        )

    return score


def _missing(parts: tuple[str, ...], unclosed: bool) -> str:
    """Why a rubric cannot judge a transcript: the parts it lacks (an unclosed scratchpad is
    not an absent one)."""
    if unclosed and "scratchpad" in parts:
        return "the scratchpad never closes (unclosed_scratchpad), so it cannot be read"
    return f"the transcript has no {', '.join(parts)}"


@scorer(metrics=[])
def episode_judge_scorer(
    rubric: str, votes: int | None = None, adaptive: str | None = None
) -> Scorer:
    """Judge an agentic episode with ``rubric``: the task, the model's own text, and its tool
    calls with their outputs (:func:`afscope.agentic.episode_parts`). Score value and metadata
    are shaped like :func:`af_judge_scorer`'s.

    Args:
        rubric: The rubric's name (e.g. ``exfiltration_decision``); the judge is the ``grader``
            model role.
        votes: Votes per verdict (default: the rubric's).
        adaptive: When voting may stop early: ``off``, ``exact`` or ``sequential``.
    """
    loaded = load_rubric(rubric)
    options = JudgeOptions(votes=votes, adaptive=adaptive)

    async def score(state: TaskState, target: Target) -> Score:
        task = next((m.text for m in state.messages if m.role == "user"), "")
        parts = episode_parts(task, episode_steps(state.messages))
        model = get_model(role=JUDGE_ROLE, required=True)
        verdict = await judge_sample(model, loaded, parts, options=options)
        shown = verdict.score if verdict.score is None else round(verdict.score, 3)
        return Score(
            value={rubric: verdict.decision},
            explanation=f"{rubric}: {verdict.decision} ({shown})",
            metadata={"verdicts": {rubric: verdict.to_dict()}, "skipped": {}},
        )

    return score
