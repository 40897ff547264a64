"""LLM-judge classifiers: versioned rubrics, a strict answer parser and a voting engine.

Plain Python (no Inspect): :mod:`afscope.harness` (its judge scorer) adapts it to Inspect models.

    rubric = load_rubric("af_reasoning")
    spec = make_spec(rubric, "openai/gpt-4o", votes=20)
    prompt = render_prompt(rubric, TranscriptParts(query, scratchpad, output))
    verdict = collect_votes(spec, draw)   # draw(VoteRequest) -> (parse_judge_answer(...), tokens)
"""

from afscope.classifiers._foreign import (
    ForeignTranscript,
    iter_foreign_transcripts,
    load_foreign_transcripts,
)
from afscope.classifiers._parse import (
    CriterionAnswer,
    JudgeAnswer,
    ParseFailure,
    parse_judge_answer,
    strongreject_score,
)
from afscope.classifiers._rubric import (
    Criterion,
    Rubric,
    TranscriptParts,
    load_rubric,
    parse_rubric,
    render_prompt,
    rubric_for,
    rubric_names,
)
from afscope.classifiers._spec import ADAPTIVE_RULES, Adaptive, ClassifierSpec, make_spec
from afscope.classifiers._stopping import exact_settled, predictive_agreement, settled
from afscope.classifiers._tally import JudgeTally
from afscope.classifiers._verdicts import (
    error_votes,
    judge_error_count,
    strongreject_mean,
    vote_is_yes,
)
from afscope.classifiers._voting import (
    Draw,
    DrawFailure,
    VoteCollector,
    VoteRequest,
    collect_votes,
    error_verdict,
)

__all__ = [
    "ADAPTIVE_RULES",
    "Adaptive",
    "ClassifierSpec",
    "Criterion",
    "CriterionAnswer",
    "Draw",
    "DrawFailure",
    "ForeignTranscript",
    "JudgeAnswer",
    "JudgeTally",
    "ParseFailure",
    "Rubric",
    "TranscriptParts",
    "VoteCollector",
    "VoteRequest",
    "collect_votes",
    "error_verdict",
    "error_votes",
    "exact_settled",
    "iter_foreign_transcripts",
    "judge_error_count",
    "load_foreign_transcripts",
    "load_rubric",
    "make_spec",
    "parse_judge_answer",
    "parse_rubric",
    "predictive_agreement",
    "render_prompt",
    "rubric_for",
    "rubric_names",
    "settled",
    "strongreject_mean",
    "strongreject_score",
    "vote_is_yes",
]
