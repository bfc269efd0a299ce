"""Evaluation: a gold JSONL file -> precision, recall and F1 of a stage (`kgbuild eval`; docs/architecture.md).

Files: ner.py (mentions: the extract stage, exact and overlapping spans per label), links.py (the link
stage: pairwise "same entity" decisions on gold mentions), relations.py (the relate stage on
gold or extracted mentions). Each has evaluate_* (a result dict) and format_*_report (its text).
"""
