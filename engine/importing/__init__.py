"""Import CSV and Excel files (one per entity kind) into the graph: all checked first, then written."""

from engine.importing.importer import import_files
from engine.importing.kinds import KINDS, Kind, RefColumn, find_kind
from engine.importing.report import ImportFailed, ImportProblem, ImportRejected, ImportReport

__all__ = [
    "KINDS",
    "ImportFailed",
    "ImportProblem",
    "ImportRejected",
    "ImportReport",
    "Kind",
    "RefColumn",
    "find_kind",
    "import_files",
]
