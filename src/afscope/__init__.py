"""afscope: measure alignment faking and in-context scheming in language models, on Inspect.

The top level holds the value objects every part shares and the error tree; each role has its own
subpackage (scenarios, queries, transcripts, organism, classifiers, monitor, stats, report,
harness). Importing afscope does not import Inspect.
"""

from importlib.metadata import version as _version

from afscope.errors import AfscopeError, ConfigError, DataError, ProviderError, UnknownNameError
from afscope.records import OrganismTruth, Outcome, RunInfo, SampleRecord, Tier, Verdict

__version__ = _version("afscope")

__all__ = [
    "AfscopeError",
    "ConfigError",
    "DataError",
    "OrganismTruth",
    "Outcome",
    "ProviderError",
    "RunInfo",
    "SampleRecord",
    "Tier",
    "UnknownNameError",
    "Verdict",
    "__version__",
]
