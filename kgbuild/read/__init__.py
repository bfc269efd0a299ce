"""Read stage: input paths -> Iterator[Paper], one per paper (the first stage; docs/architecture.md).

    from kgbuild.read import read_papers, ReadReport
    report = ReadReport()
    for paper in read_papers(["corpus/"], report=report):   # files, directories, "-" for stdin
        ...

Inputs are txt (one abstract per line, or daily-page dumps), JSONL, JSON or CSV. Records of one paper
(same id, title or abstract) are merged, the first wins; a bad record is one warning in the report and
is skipped. Files: reader.py (read_papers: paths -> records -> Papers, streamed; ReadReport), formats.py
(detection, one parser per format), records.py (RawRecord, a record as parsed), identity.py (canonical
ids, SeenPapers), dates.py, errors.py (InputError, ReadIssue).
"""

from kgbuild.read.errors import InputError, ReadIssue
from kgbuild.read.formats import FORMATS
from kgbuild.read.reader import FileStats, ReadReport, read_papers

__all__ = ["FORMATS", "FileStats", "InputError", "ReadIssue", "ReadReport", "read_papers"]
