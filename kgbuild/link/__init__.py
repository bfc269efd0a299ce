"""Link stage: mentions -> entities (one per real thing, never over-merged).

    from kgbuild.link import Linker
    linker = Linker(aliases_path=None)
    for ep in extracted: linker.observe(ep)
    entities, variant_pairs = linker.finish()
    linked = [linker.resolve(ep) for ep in extracted]

One algorithm per module: keys (normalisation for matching), abbreviations
(Schwartz & Hearst 2003), aliases (curated table), labels (type decision),
variants (size variants -> VARIANT_OF), linker (the two passes).
"""

from kgbuild.link.linker import Linker

__all__ = ["Linker"]
