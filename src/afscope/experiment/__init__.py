"""One experiment value, one planning function: what `run`, `sweep`, `--dry-run`, the cost
estimate and the Inspect task all start from.

    experiment = Experiment(setting="animal-welfare", variant="no-objective", limit=10)
    plan = plan_experiment(experiment)   # pure: scenario, queries, rendered prompts, no Inspect
    plan.samples[0].system, plan.samples[0].user, plan.samples[0].metadata

Everything about one experiment lives in :class:`Experiment` (validated when built, from the
command line's shared options in :mod:`afscope.cli._options`, a sweep cell, or an Inspect task's
arguments). :func:`plan_experiment` turns it into a :class:`Plan`: every sample with its prompts
and metadata. The CLI's dry run and cost estimate read the plan; the Inspect task turns the same
plan into a dataset, so what is estimated is what is sent.

How a new experiment kind plugs in (exfiltration, the scheming environments):

1. Write a pure plan function ``def plan_mine(experiment: Experiment) -> Plan`` in your own
   package (no Inspect import). ``experiment.setting`` names your environment,
   ``experiment.variant`` your variant; the rest (queries, limit, turns, seed, judge...) as you
   need. Raise :class:`afscope.errors.ConfigError`/``UnknownNameError`` for bad names.
2. Write a registered Inspect ``@task`` whose parameters are :meth:`Experiment.task_args`; it
   rebuilds the value with ``Experiment.from_task_args("mine", **args)``, calls
   :func:`plan_experiment` and builds its Task from ``plan.samples`` (solver and scorers are yours).
   Inspect re-creates a task from those arguments on resume and retry, so keep them plain.
3. Add one line to ``KINDS`` in :mod:`afscope.experiment._kinds`:
   ``"mine": ExperimentKind("mine", plan="pkg.module:plan_mine", task="pkg.module:mine_task")``,
   with ``summary="pkg.module:mine_summary"`` (``(log path, prices) -> object with lines() and
   to_json()``: what `run` prints after the run) and ``default_setting`` (what ``--setting``
   means when not given) where the alignment-faking ones do not fit.

Then ``afscope run --experiment mine --setting ENV``, ``afscope sweep --experiment mine``, their
``--dry-run`` and cost estimate work without further edits.

An agent-loop kind sets ``Plan.sample_tokens`` (the loop's token bound per sample) and
``Plan.max_turns``: the dry run and the cost estimate then count every sample run to its bound
(:func:`afscope.cost.estimate_plan`). :func:`afscope.agentic.plan_environment` builds such a plan
from an environment's data, and :func:`afscope.harness.task_from_agentic_plan` its
task; :func:`afscope.harness.agentic_summary` is a ready summary (per-condition rates of
the environment's rule, the judge's verdict, the baseline difference). ``exfiltration`` is the
worked example.
"""

from afscope.experiment._experiment import DEFAULT_MODEL, Experiment
from afscope.experiment._kinds import KINDS, ExperimentKind, experiment_kind
from afscope.experiment._plan import Plan, PlannedSample, plan_experiment

__all__ = [
    "DEFAULT_MODEL",
    "KINDS",
    "Experiment",
    "ExperimentKind",
    "Plan",
    "PlannedSample",
    "experiment_kind",
    "plan_experiment",
]
