"""The linker's memory per entity: it keeps one set of statistics per distinct name until pass 2 is over,
so that is what its memory grows with (docs/scale.md, "Memory: where it grows")."""

from __future__ import annotations

import gc
import tracemalloc

from kgbuild.link import Linker
from kgbuild.models import ExtractedPaper, Mention


def _papers(count: int) -> list[ExtractedPaper]:
    """Papers that each name two new systems, one shared model and one defined abbreviation, as the
    synthetic scale corpus does (about one new name per paper)."""
    papers = []
    for number in range(count):
        names = [(f"Qz{number}Net", "Model"), (f"Vortex {number} Former", "Method"), ("BERT", "Model")]
        text = f"We propose Sparse Graph Attention (SGA). {' and '.join(name for name, _ in names)} are compared."
        mentions, start = [], text.index("Sparse")
        mentions.append(("Sparse Graph Attention", "Method", start))
        for name, label in names:
            start = text.index(name, start)
            mentions.append((name, label, start))
        papers.append(
            ExtractedPaper(
                paper_id=f"p{number}",
                title="",
                abstract=text,
                source="test",
                mentions=[
                    Mention(
                        field="abstract",
                        start=start,
                        end=start + len(name),
                        text=name,
                        label=label,
                        score=0.5 + number % 7 / 20,
                        source="test",
                        sentence=0,
                    )
                    for name, label, start in mentions
                ],
            )
        )
    return papers


def _linked_bytes(papers: list[ExtractedPaper]) -> tuple[int, int]:
    """Traced bytes a linker holds after finish() (with what finish() returned), and its entity count."""
    gc.collect()
    tracemalloc.start()
    try:
        linker = Linker()
        for paper in papers:
            linker.observe(paper)
        entities, variant_pairs = linker.finish()
        gc.collect()
        return tracemalloc.get_traced_memory()[0], len(entities)
    finally:
        tracemalloc.stop()


def test_the_linker_holds_under_a_kilobyte_per_entity():
    """Measured: 0.73 KB per entity (compact NodeStats, entities built when read; the key caches of
    kgbuild.link.keys count too), against 2.6 KB when NodeStats held dicts and finish() returned a list of
    Entity objects. The difference of two sizes leaves out what does not grow (the alias table)."""
    small, large = _papers(1000), _papers(3000)
    _linked_bytes(small)  # imports and first-use caches
    small_bytes, small_entities = _linked_bytes(small)
    large_bytes, large_entities = _linked_bytes(large)
    assert large_entities - small_entities == 4000  # two new names per paper
    per_entity = (large_bytes - small_bytes) / (large_entities - small_entities)
    assert per_entity < 1000, per_entity
