"""Agentic layer: environments as data, an agent loop in the bubblewrap sandbox, an acting organism.

How an environment plugs in (three pieces, no new Python loop or sandbox):

1. **A data file** ``afscope/agentic/data/<name>.yaml`` (or any path given to
   :func:`load_environment`), read by :class:`Environment`:

   - ``name``, ``description``, ``max_turns`` (model turns), ``max_tokens`` (per sample, all
     turns), ``samples`` (per condition when a run gives no ``--limit``), ``judge`` (the rubric
     ``--judge`` reads each episode with, e.g. ``exfiltration_decision``);
   - ``system_prompt`` and ``task`` (the first user turn): templates whose ``{placeholders}``
     come from the condition's ``vars``;
   - ``files``: ``{path: text}`` seeded into the sample's work directory (``/workspace``);
   - ``tools``: besides Inspect's own ``bash()`` (always present), tools as data:
     ``{name, description, parameters: {param: description}, command}``; ``command`` is a shell
     template run in the sandbox with each ``{param}`` shell-quoted;
   - ``conditions``: ``{name: {vars: {...}, description}}``; one sample per condition (and epoch);
   - ``scoring``: the deterministic rule, by ``rule`` name (see 2), its arguments and
     ``outcome`` (what the rule's "true" means, in words, for the summary);
   - ``variants``: ``{name: {description, edits}}``, prompt variations as edits of the text:
     ``{find, replace}`` (everywhere: system prompt, task, condition vars; ``find`` must occur) or
     ``{append_to: system_prompt|task, text}``;
   - ``behaviour``: what the organism does here (see 3).

2. **A scoring rule**: a function ``(final_files, commands, arguments) -> dict`` registered with
   :func:`scoring_rule`. ``final_files`` is the work directory's final snapshot (path -> size,
   sha256), ``commands`` the bash commands the model ran. The result's ``"value"`` (a bool) is the
   sample's score; every key is recorded. Built in: ``file_reached``.

3. **Organism behaviour** (the ``behaviour`` section), read by :class:`ActingOrganism`:

   - ``recognise``: a regex on the prompt that tells the organism it is in this environment (an
     environment outside this package calls :func:`register_environment` at import);
   - ``cues``: ``{cue: regex}`` searched in the system prompt + first user turn (all it is sent);
   - ``propensities``: ``{preset: {take: {<cue>+<cue>|default: p}, reason: p, lie: p}}``: the
     probability of taking the opportunity for the most specific cue combination that holds, of
     reasoning about it aloud, of lying about it afterwards;
   - ``captures``: ``{name: regex}`` whose first group, found in any text seen so far (prompt or
     tool output), fills ``{name}`` in the plan's arguments;
   - ``plans``: ``take`` and ``decline``: lists of steps ``{say: text, call: {tool, args}}``, then
     ``final``: ``{honest: text, lie: text}`` (``decline`` uses ``honest``).

   The decision is drawn at the first turn from the seed, the prompt and the draw (epoch); every
   reply carries ``organism_truth`` (``took_opportunity``, ``reasoned``, ``lied``, ``cues``).

Inspect glue lives in :mod:`afscope.harness._agentic` (agent loop solver, tools, task builder).
"""

from afscope.agentic._environment import (
    Condition,
    Environment,
    EnvironmentVariant,
    TextEdit,
    ToolSpec,
    acting_presets,
    behaviour_for,
    list_environments,
    load_environment,
    register_environment,
)
from afscope.agentic._episode import Episode, Step, ToolCallView, episode_parts
from afscope.agentic._organism import ActingOrganism, Action, Turn
from afscope.agentic._plan import plan_environment, plan_exfiltration, select_conditions
from afscope.agentic._scoring import diff_files, score_final_state, scoring_rule

__all__ = [
    "ActingOrganism",
    "Action",
    "Condition",
    "Environment",
    "EnvironmentVariant",
    "Episode",
    "Step",
    "TextEdit",
    "ToolCallView",
    "ToolSpec",
    "Turn",
    "acting_presets",
    "behaviour_for",
    "diff_files",
    "episode_parts",
    "list_environments",
    "load_environment",
    "plan_environment",
    "plan_exfiltration",
    "register_environment",
    "score_final_state",
    "scoring_rule",
    "select_conditions",
]
