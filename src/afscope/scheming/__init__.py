"""In-context scheming: six environments as data, deterministic scoring, interrogation, presets.

Plain Python (no Inspect). The environments (oversight subversion, self-exfiltration,
goal-guarding, covert email reranking, instrumental alignment faking, sandbagging) render into
setups, each with and without the goal nudge; a rule scores what an episode left in its work
directory; rates per environment x nudge come with intervals. The organism's scheming presets
(``o1-like``, ``never-schemes``, ``confesses``) decide typed file-action plans whose commands the
agentic layer's tool-using organism runs in the sandbox.

    environment = load_environment("oversight_subversion")
    for setup in environment_setups(environment):
        plan = plan_episode(load_preset("o1-like"), environment, setup)
        finding = score_episode(environment, apply_plan(setup, plan))
"""

from afscope.scheming._environment import (
    ENVIRONMENT_NAMES,
    Environment,
    Setup,
    environment_setups,
    load_environment,
    parse_environment,
)
from afscope.scheming._interrogation import (
    Interrogation,
    Stance,
    confession_rate,
    doubles_down,
    follow_up_questions,
    interrogate,
    stance_from_decisions,
)
from afscope.scheming._policy import Action, Plan, apply_plan, interrogation_reply, plan_episode
from afscope.scheming._presets import PRESET_NAMES, SchemingPreset, load_preset
from afscope.scheming._scoring import (
    Episode,
    FileChange,
    Finding,
    ToolCall,
    score_episode,
    warrants_interrogation,
    work_dir_diff,
)
from afscope.scheming._stats import SchemingRate, Scored, scheming_rates
from afscope.scheming._summary import (
    SchemingEpisode,
    SchemingRun,
    SchemingSummary,
    setup_for_key,
    summarize_scheming,
)

__all__ = [
    "ENVIRONMENT_NAMES",
    "PRESET_NAMES",
    "Action",
    "Environment",
    "Episode",
    "FileChange",
    "Finding",
    "Interrogation",
    "Plan",
    "SchemingEpisode",
    "SchemingPreset",
    "SchemingRate",
    "SchemingRun",
    "SchemingSummary",
    "Scored",
    "Setup",
    "Stance",
    "ToolCall",
    "apply_plan",
    "confession_rate",
    "doubles_down",
    "environment_setups",
    "follow_up_questions",
    "interrogate",
    "interrogation_reply",
    "load_environment",
    "load_preset",
    "parse_environment",
    "plan_episode",
    "scheming_rates",
    "score_episode",
    "setup_for_key",
    "stance_from_decisions",
    "summarize_scheming",
    "warrants_interrogation",
    "work_dir_diff",
]
