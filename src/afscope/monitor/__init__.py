"""The local monitor: an offline, CPU-only alignment-faking detector for scratchpad reasoning.

    from afscope.monitor import load_monitor
    monitor = load_monitor()
    [result] = monitor.score([scratchpad])     # result.score, result.evidence, result.criteria
    verdict = monitor.verdict(scratchpad)      # an afscope.records.Verdict, kind "af_reasoning"

It scores the reasoning :func:`afscope.transcripts.read_reasoning` reads from a text, and flags
what that reading says cannot be trusted. See docs/monitor.md for how it was trained and how
well it does out of source.
"""

from afscope.monitor._model import FLAG_MEANINGS, MONITOR_NAME, Monitor, MonitorResult, load_monitor

__all__ = [
    "FLAG_MEANINGS",
    "MONITOR_NAME",
    "Monitor",
    "MonitorResult",
    "load_monitor",
]
