"""Read stage: input files of any supported format -> a stream of unique Papers.

from kgbuild.read import read_papers, ReadReport
report = ReadReport()
for paper in read_papers(["corpus/"], report=report):
    ...
"""

from kgbuild.read.errors import InputError, ReadIssue
from kgbuild.read.formats import FORMATS
from kgbuild.read.reader import FileStats, ReadReport, read_papers

__all__ = ["FORMATS", "FileStats", "InputError", "ReadIssue", "ReadReport", "read_papers"]
