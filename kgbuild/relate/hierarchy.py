"""SUBCLASS_OF and PART_OF, only where the sentence states them.

"Xs such as Y and Z" and "Y is a kind of X" state membership of a class;
"X consists of Y", "the Y module of X" and "integrate Y into X" state parts.
Subclasses stay within one label family (systems, datasets), parts within
systems: a dataset is not a part of a method.
"""

from __future__ import annotations

from collections.abc import Iterator

from kgbuild.models import Relation
from kgbuild.relate.pairs import FILLER, OTHERS, SYSTEMS, pair_relations, pattern
from kgbuild.relate.sentences import Sentence

_ABBREVIATION = r"(?:\( <m> \) )?"
_EXAMPLES = r"(?:, )?(?:such as|including|like|e\.g\. ,?|especially|particularly|namely|for example ,?|for instance ,?) "
_KIND = r"(?:type|kind|variant|form|class|family|instance|example|special case|member)s?"
_PART = r"(?:module|layer|component|block|head|branch|encoder|decoder|unit)s?"
# Hearst's "Xs such as Y" needs a plural class: "pre-training, such as BERT" gives an example, not a kind.
_PLURAL = r"[a-z]s$"
# "KD methods of BERT, such as X": the class is the noun before "of", not the mention after it.
_NOT_AN_OBJECT = r"(?<!\bof )(?<!\bfor )(?<!\bin )(?<!\bon )(?<!\bwith )(?<!\bto )$"

PATTERNS = [
    *(pattern("hierarchy:such-as", "SUBCLASS_OF", labels, labels, _ABBREVIATION + _EXAMPLES + OTHERS, 0.7,
              head_is_left=False, before=_NOT_AN_OBJECT, left_text=_PLURAL) for labels in (SYSTEMS, ("Dataset",))),
    *(pattern("hierarchy:and-other", "SUBCLASS_OF", labels, labels, r"(?:, )?(?:and|or) other ", 0.75)
      for labels in (SYSTEMS, ("Dataset",))),
    *(pattern("hierarchy:kind-of", "SUBCLASS_OF", labels, labels,
              _ABBREVIATION + r"(?:, |is |are )(?:a|an|one) (?:\S+ ){0,2}?" + _KIND + r" of " + FILLER, 0.8)
      for labels in (SYSTEMS, ("Dataset",))),
    pattern("hierarchy:consists-of", "PART_OF", SYSTEMS, SYSTEMS,
            _ABBREVIATION + r"(?:, )?(?:(?:which|that) )?(?:consists of|consisting of|is composed of|composed of|comprises|comprising|contains|containing) "
            + FILLER + OTHERS, 0.75, head_is_left=False),
    pattern("hierarchy:part-of", "PART_OF", SYSTEMS, SYSTEMS,
            r"(?:\S+ )?" + _PART + r" (?:of|in) " + FILLER, 0.7),
    pattern("hierarchy:integrated-into", "PART_OF", SYSTEMS, SYSTEMS, r"into " + FILLER, 0.7,
            before=r"\b(?:integrat|incorporat|insert|plug|embedd?|add)\S* " + FILLER + "$"),
]


def find(sentence: Sentence) -> Iterator[Relation]:
    yield from pair_relations(sentence, PATTERNS)
