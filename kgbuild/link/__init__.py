"""Link stage: Iterable[ExtractedPaper] -> LinkedCorpus (docs/architecture.md).

    from kgbuild.pipeline import link_extracted
    corpus = link_extracted(extracted)       # papers (each Mention.entity_id set), entities, variant_pairs

Mentions become entities, one per real thing and never over-merged, in two passes over the papers
(link_extracted spools them): the Linker observes every paper (statistics per key), finishes
(its entities, a Sequence[Entity] built when read, and the (variant, family) pairs of VARIANT_OF), then resolves each paper:

    linker = Linker(aliases_path=None)
    for ep in extracted: linker.observe(ep)
    entities, variant_pairs = linker.finish()
    linked = [linker.resolve(ep) for ep in extracted]

One algorithm per module: keys (normalisation for matching), aliases (curated table), labels (type
decision), variants (size variants -> VARIANT_OF), linker (the two passes); abbreviations come from
kgbuild.abbreviations (Schwartz & Hearst 2003), shared with extract and relate.
"""

from kgbuild.link.linker import Linker

__all__ = ["Linker"]
