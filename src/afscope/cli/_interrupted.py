"""How a run that Ctrl-C (or SIGTERM) stopped ends: what was kept, how to finish, and an exit.

* :class:`Interrupted` says what was kept and the command that finishes the run (exit 130). A
  log cut off before Inspect wrote its start (Ctrl-C in the first moments of a run) holds no
  sample and no reader can open it: it is removed, and the line says to run the command again.
* :func:`release_worker_threads` lets the process end after an interrupt: a cancelled Inspect run
  can leave anyio's idle worker threads (not daemons) waiting for work from a loop that is gone,
  and the interpreter waited for them forever at exit (measured: > 120 s, 3 of 6 trials).
"""

from __future__ import annotations

import queue
import shlex
import threading
import time
from pathlib import Path
from typing import Any

import click

__all__ = ["Interrupted", "newest_log", "release_worker_threads"]


class Interrupted(click.ClickException):
    """Ctrl-C (or SIGTERM) during a run: say what was kept and how to finish; exit 130.

    ``log`` is the run's log, or for a sweep its log directory with the ``command`` that finishes
    it (the same sweep again).
    """

    exit_code = 130

    def __init__(self, log: Path | None, *, command: str | None = None) -> None:
        super().__init__("interrupted")
        self.log = log
        self.command = command

    def show(self, file: Any = None) -> None:
        from afscope.harness import cut_off_before_start, finished_samples

        if self.log is None:
            click.echo("interrupted before any log was written; nothing to resume", err=True)
            return
        if not self.log.is_dir() and cut_off_before_start(self.log):
            self.log.unlink(missing_ok=True)  # no reader can open it, and it holds nothing
            click.echo(
                "interrupted before the run's log was started: no sample was kept (the empty "
                f"log {self.log} was removed); run the same command again",
                err=True,
            )
            return
        logs = sorted(self.log.glob("*.eval")) if self.log.is_dir() else [self.log]
        kept = finished_samples([log for log in logs if not cut_off_before_start(log)])
        count = f"{kept} finished samples" if kept is not None else "the finished samples"
        what, command = ("sweep", self.command) if self.command else ("run", None)
        command = command or f"afscope resume {shlex.quote(str(self.log))}"
        click.echo(
            f"interrupted: {count} kept in {self.log}; finish the {what} with: {command}", err=True
        )


def newest_log(log_dir: str | Path, *, since: float) -> Path | None:
    """The newest .eval file in ``log_dir`` written after ``since`` (a time.time() value)."""
    logs = [p for p in Path(log_dir).glob("*.eval") if p.stat().st_mtime >= since - 1]
    return max(logs, key=lambda p: p.stat().st_mtime) if logs else None


def release_worker_threads(wait: float = 5.0) -> None:
    """Stop anyio's idle worker threads whose event loop has closed, then wait for the rest.

    Each waits on its queue for the next call and stops on ``None``; the loop that would have
    sent it is gone after an interrupted run. Other threads (a log being written) get ``wait``
    seconds to finish.
    """
    for thread in threading.enumerate():
        work = getattr(thread, "queue", None)
        loop = getattr(thread, "loop", None)
        if thread.daemon or not isinstance(work, queue.Queue) or loop is None:
            continue
        if type(thread).__name__ == "WorkerThread" and loop.is_closed():
            try:
                work.put_nowait(None)
            except queue.Full:  # busy: it returns to the queue and finds the stop next
                continue
    deadline = time.monotonic() + wait
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
