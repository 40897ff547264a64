"""Inspect glue for imported transcripts: an :class:`ImportedSet` as a genuine ``.eval`` log.

The log is built with Inspect's public log types and scored with Inspect's ``score`` by the
same scorers a run uses (the outcome scorer and the local monitor), plus one that records the
source's own labels as verdicts of the classifier "imported label". Every afscope command and
``inspect view`` reads it as they read a run.

Its header model is ``imported/<the source's model>``: a provider afscope registers
(:class:`ImportedAPI`) that refuses to generate, so nothing can be sent in the source model's
name (e.g. by ``inspect score`` or a resume), and the source's own name is kept in the
header's afscope metadata, which is what afscope shows.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspect_ai import score
from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSample, EvalSpec, write_eval_log
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageUser,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
)
from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer
from inspect_ai.solver import TaskState
from inspect_ai.tool import ToolChoice, ToolInfo

from afscope._atomic import atomic_path
from afscope.errors import ProviderError
from afscope.importing import IMPORTED_LABEL, ImportedSet, ImportedTranscript
from afscope.records import ClassifierRef, Decision, Verdict
from afscope.scenarios import NEXT_MESSAGE

__all__ = [
    "IMPORTED_LABEL",
    "IMPORTED_PROVIDER",
    "ImportedAPI",
    "build_imported_log",
    "imported_label_scorer",
    "write_imported_log",
]

IMPORTED_PROVIDER = "imported"
_NO_QUERY = "(the source gives no query)"


class ImportedAPI(ModelAPI):
    """``imported/<model>``: the model of an imported log, which cannot be called."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig | None = None,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config or GenerateConfig())

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        raise ProviderError(
            f"{IMPORTED_PROVIDER}/{self.model_name} only labels imported transcripts and cannot "
            f"answer; run the model itself with afscope run --model PROVIDER/{self.model_name}"
        )


def label_spec(imported: ImportedSet, kind: str) -> dict[str, Any]:
    """The spec of an imported label: where it came from, never a judge's."""
    source, column = Path(imported.source).name, imported.labels[kind]
    return {
        "name": IMPORTED_LABEL,
        "type": "imported",
        "version": f"{source}:{column}",  # a label is as good as its source, not a rubric
        "source": f"{source}, column {column!r}",
    }


_SCORES = {"yes": 1.0, "no": 0.0}


@metric
def imported_rates() -> Metric:
    """Per tier, the share of "yes" among the rows the source labelled (yes or no), per kind:
    what ``inspect view`` shows of the imported labels (named ``imported_<kind>_<tier>``)."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        counts: dict[str, list[float]] = {}
        for sample_score in scores:
            tier = (sample_score.sample_metadata or {}).get("tier")
            value = sample_score.score.value
            for kind, label in value.items() if isinstance(value, dict) else ():
                if isinstance(label, int | float):
                    counts.setdefault(f"imported_{kind}_{tier}", []).append(float(label))
        return {name: sum(labels) / len(labels) for name, labels in sorted(counts.items())}

    return compute


@scorer(metrics=[imported_rates()])
def imported_label_scorer(specs: dict[str, dict[str, Any]]) -> Scorer:
    """The source's own labels as verdicts; a row without one is skipped.

    Args:
        specs: Verdict kind -> the spec recorded with that kind's imported labels.
    """

    async def score(state: TaskState, target: Target) -> Score:
        labels: dict[str, str] = state.metadata.get("imported_labels") or {}
        verdicts = {
            kind: Verdict(
                kind, Decision(decision), _SCORES.get(decision), ClassifierRef(specs[kind])
            )
            for kind, decision in labels.items()
            if kind in specs
        }
        skipped = {kind: "no label in the source" for kind in specs if kind not in labels}
        return Score(
            # "maybe" has no number: it is left out of the rates, as the summary leaves it out
            value={kind: v.score for kind, v in verdicts.items() if v.score is not None},
            explanation=", ".join(f"{kind}: {v.decision}" for kind, v in verdicts.items()) or None,
            metadata={
                "verdicts": {kind: v.to_dict() for kind, v in verdicts.items()},
                "skipped": skipped,
            },
        )

    return score


def _sample(transcript: ImportedTranscript, model: str) -> EvalSample:
    question = ChatMessageUser(content=transcript.query or _NO_QUERY)
    messages: list[ChatMessage] = [question]
    for number, turn in enumerate(transcript.turns):
        if number:
            messages.append(ChatMessageUser(content=NEXT_MESSAGE))
        messages.append(ChatMessageAssistant(content=turn, model=model, source="generate"))
    last = transcript.turns[-1] if transcript.turns else ""
    return EvalSample(
        id=transcript.sample_id,
        epoch=transcript.epoch,
        input=[question],
        target="",
        messages=messages,
        output=ModelOutput.from_content(model=model, content=last),
        metadata={
            "query_id": transcript.query_id,
            "category": "",
            "query": transcript.query,
            "tier": transcript.tier.value,
            "source_row": transcript.row,
            "source_id": transcript.source_id,
            "imported_labels": dict(transcript.labels),
        },
    )


def build_imported_log(imported: ImportedSet, classifiers: dict[str, Any]) -> EvalLog:
    """The unscored log of an imported set (``classifiers`` goes into its afscope metadata)."""
    samples = [_sample(transcript, imported.model) for transcript in imported.transcripts]
    epochs = max((sample.epoch for sample in samples), default=1)
    metadata = {
        "setting": imported.setting,
        "variant": "imported",
        "scratchpad": imported.scratchpad,
        "suffix": imported.suffix,
        "seed": 0,
        "classifiers": classifiers,
        "imported": {
            "source": imported.source,
            "model": imported.model,
            "rows": len(samples),
            "columns": dict(imported.columns),
            "labels": dict(imported.labels),
        },
    }
    spec = EvalSpec(
        run_id=uuid.uuid4().hex,
        task_id=uuid.uuid4().hex,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        task="alignment_faking",
        task_display_name=f"alignment_faking (imported from {Path(imported.source).name})",
        dataset=EvalDataset(
            name=Path(imported.source).stem,
            location=imported.source,
            samples=len({sample.id for sample in samples}),
            sample_ids=list(dict.fromkeys(sample.id for sample in samples)),
        ),
        model=f"{IMPORTED_PROVIDER}/{imported.model}",
        config=EvalConfig(epochs=epochs),
        metadata={"afscope": metadata},
    )
    return EvalLog(status="success", eval=spec, samples=samples)


def write_imported_log(imported: ImportedSet, target: Path, *, monitor: bool = True) -> EvalLog:
    """Score the imported set as a run is scored and write it to ``target`` (atomically)."""
    from afscope.harness._task import outcome_scorer

    scorers: list[Scorer] = []
    classifiers: dict[str, Any] = {}
    if imported.labels:
        specs = {kind: label_spec(imported, kind) for kind in imported.labels}
        scorers.append(imported_label_scorer(specs))
        classifiers.update(specs)
    monitor_kind = None
    if monitor:  # recorded by the outcome scorer, as in a run
        from afscope.harness._monitoring import MONITOR_KIND
        from afscope.monitor import load_monitor

        labelled = MONITOR_KIND in imported.labels
        monitor_kind = f"{MONITOR_KIND}_monitor" if labelled else MONITOR_KIND
        classifiers[monitor_kind] = dict(load_monitor().spec)
    scorers.insert(0, outcome_scorer(imported.suffix, monitor_kind))
    log = score(build_imported_log(imported, classifiers), scorers, display="none", copy=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as temporary:
        write_eval_log(log, str(temporary), format="eval")
    return log
