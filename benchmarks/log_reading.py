"""Reading a run back from its log: afscope's streaming reader beside Inspect's per-sample one.

Inspect's ``read_eval_log_samples`` reopens the ``.eval`` zip for every sample, so reading a log
back grows faster than the log (issue 11: 9.4 -> 17.3 -> 51.9 ms per record at 220 / 2,000 /
10,000 samples). ``afscope.harness.iter_records`` reads it in chunks through one header read.
Prints CPU time (process time) per record of each, and the peak RSS after each.
``--afscope-only`` leaves Inspect's reader out (hours on a 100,000-sample log) and also reads
the run's summary the way ``afscope run`` does (the records without their text, then the
statistics); give one log per process to see the peak RSS each size needs.

    .venv/bin/python benchmarks/log_reading.py [--afscope-only] LOG.eval [LOG.eval ...]

Figures are from a shared 2-core machine: compare the two columns of one run, not runs.
"""

from __future__ import annotations

import argparse
import resource
import time

from inspect_ai.log import read_eval_log_samples

from afscope.harness import iter_records, read_run
from afscope.summary import summarize_run


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", nargs="+")
    parser.add_argument("--afscope-only", action="store_true", help="leave Inspect's reader out")
    args = parser.parse_args()
    for log in args.logs:
        before = _peak_mb()
        start = time.process_time()
        count = sum(1 for _ in iter_records(log))
        ours = (time.process_time() - start) / count * 1000
        ours_peak = _peak_mb()
        if args.afscope_only:
            start = time.process_time()
            run, records = read_run(log, text=False)
            summary = summarize_run(run, records)
            summary_ms = (time.process_time() - start) / len(records) * 1000
            print(
                f"{log}: {count} samples; peak RSS {before:.0f} MB before reading; afscope "
                f"iter_records {ours:.2f} ms CPU/record (peak RSS {ours_peak:.0f} MB); the run's "
                f"summary ({len(summary.records)} records) {summary_ms:.2f} ms CPU/record "
                f"(peak RSS {_peak_mb():.0f} MB)"
            )
            continue
        start = time.process_time()
        theirs_count = sum(1 for _ in read_eval_log_samples(log, all_samples_required=False))
        theirs = (time.process_time() - start) / theirs_count * 1000
        print(
            f"{log}: {count} samples; afscope iter_records {ours:.2f} ms CPU/record "
            f"(peak RSS {ours_peak:.0f} MB); Inspect read_eval_log_samples {theirs:.2f} ms "
            f"CPU/sample (peak RSS {_peak_mb():.0f} MB)"
        )


if __name__ == "__main__":
    main()
