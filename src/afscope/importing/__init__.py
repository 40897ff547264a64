"""Foreign transcripts (the paper's release, another harness, your own logs) in afscope's terms.

Pure: reads a JSONL, CSV or JSON file with a column mapping into typed transcripts; the Inspect
log is written by :func:`afscope.harness.write_imported_log`. See docs/import.md for the format.

    from afscope.importing import import_transcripts, load_mapping
    imported = import_transcripts(Path("theirs.jsonl"), load_mapping(Path("mapping.yaml")))
"""

from afscope.importing._convert import import_transcripts
from afscope.importing._mapping import (
    CANDIDATES,
    CONSTANT_FIELDS,
    FIELDS,
    LABEL_KINDS,
    ColumnMapping,
    load_mapping,
)
from afscope.importing._model import IMPORTED_LABEL, ImportedSet, ImportedTranscript
from afscope.importing._rows import FILE_TYPES

__all__ = [
    "CANDIDATES",
    "CONSTANT_FIELDS",
    "FIELDS",
    "FILE_TYPES",
    "IMPORTED_LABEL",
    "LABEL_KINDS",
    "ColumnMapping",
    "ImportedSet",
    "ImportedTranscript",
    "import_transcripts",
    "load_mapping",
]
