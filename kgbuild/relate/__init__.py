"""Relate stage: one paper's (Paper, list[AnalysedField], list[Mention]) -> list[Relation] (docs/architecture.md).

    from kgbuild.relate import relate
    relations = relate(paper, analysed_fields, mentions)

The extract stage calls it once per paper (extract_papers(relate=relate)), while the paper's parsed
fields exist; a Relation's head and tail index the paper's mentions (or are "paper"), and the link stage
later gives both ends their entity ids. Nothing here reads another paper.

Everything reads one sentence at a time (kgbuild.relate.sentences); each rule
family lives in its own module: proposes, derivation (FINE_TUNED_FROM,
BASED_ON, TRAINED_ON), usage (USES, ADDRESSES), benchmarks (EVALUATED_ON,
BENCHMARK_FOR), comparison (OUTPERFORMS, COMPARED_WITH), hierarchy
(SUBCLASS_OF, PART_OF) and results (HAS_RESULT). A pair classifier trained on
SciER/SciERC (classifier) adds the gold-annotated types the rules rarely
reach; see its docstring for the measured trade-off. A second one reads the
encoder's token vectors (encoder_pairs) and reaches pairs further apart. Every
source states a type only where its measured dev precision allows, and of
several statements of one relation the surest is kept. A rule's relation between
two extracted mentions must also be likely right given how sure the extractor
is of both (confidence). Pure: no I/O beyond
reading the shipped classifier weights once, and `relate` is a module-level
function so a process pool can pickle it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kgbuild.extract.analysed import AnalysedField
from kgbuild.extract.named import system_name
from kgbuild.models import Mention, Paper, Relation, TextField
from kgbuild.relate import (
    benchmarks,
    classifier,
    comparison,
    derivation,
    encoder_pairs,
    hierarchy,
    proposes,
    results,
    usage,
)
from kgbuild.relate.confidence import confident
from kgbuild.relate.endpoints import allowed
from kgbuild.relate.pairs import SYSTEMS
from kgbuild.relate.sentences import Sentence, sentences
from kgbuild.schema import Label, RelType
from kgbuild.text import fold, normalise
from kgbuild.vocab import TRAINING, TUNING

_TRAINING = re.compile(rf"{TRAINING}ing|{TUNING}ing")
_PAIR_FAMILIES = (derivation, usage, benchmarks, comparison, hierarchy, classifier, encoder_pairs)


def _words(mention: Mention) -> list[str]:
    """The mention's words as the extractor read them (the text as given may hold soft hyphens, line breaks)."""
    return normalise(mention.text).text.split()


def _proposed_system(proposals: list[Relation], mentions: list[Mention]) -> int | None:
    """The system the paper introduces, for resolving "our model": its surest, earliest proposal, a name
    ("GR-1") before a description ("a unified instruction-based framework")."""
    systems = [(r, r.tail) for r in proposals if isinstance(r.tail, int) and mentions[r.tail].label in SYSTEMS]
    best = max(
        systems,
        key=lambda pair: (
            any(map(system_name, _words(mentions[pair[1]]))),
            pair[0].score,
            pair[0].field == TextField.TITLE,
            -pair[1],
        ),
        default=None,
    )
    return best[1] if best else None


def _same_thing(relation: Relation, mentions: list[Mention]) -> bool:
    """Head and tail name the same thing ("BERT ... BERT"): no relation, whatever the words say."""
    if not (isinstance(relation.head, int) and isinstance(relation.tail, int)):
        return False
    return relation.head == relation.tail or fold(mentions[relation.head].text) == fold(mentions[relation.tail].text)


def _model_of_a_procedure(relation: Relation, mentions: list[Mention]) -> bool:
    """A trained model is a kind of system, never of a procedure: "GPT-4o SUBCLASS_OF fine-tuning" comes from
    "fine-tuning models such as GPT-4o" with the class phrase cut short (4 of the 6 wrong SUBCLASS_OF in a
    judged corpus sample; on SciER dev, ELMo and ULMFit "SUBCLASS_OF pre-training" likewise), nor of a
    training phrase ("CLIP SUBCLASS_OF fine-tuning large pre-trained models")."""
    if relation.type != RelType.SUBCLASS_OF or not (isinstance(relation.head, int) and isinstance(relation.tail, int)):
        return False
    words = [word.lower() for word in _words(mentions[relation.tail])]
    return mentions[relation.head].label == Label.MODEL and (
        words[-1].endswith("ing") or bool(_TRAINING.fullmatch(words[0]))
    )


def _strongest(relations: list[Relation]) -> list[Relation]:
    """One relation per (type, head, tail, result): the highest-scoring statement of it."""
    best: dict[tuple, Relation] = {}
    for relation in relations:
        key = (relation.type, relation.head, relation.tail, relation.metric, relation.value, relation.unit)
        if key not in best or relation.score > best[key].score:
            best[key] = relation
    return list(best.values())


def _not_implied(relations: list[Relation]) -> list[Relation]:
    """Drop COMPARED_WITH where the same pair has OUTPERFORMS: the stronger statement implies it."""
    outperforms = {frozenset((r.head, r.tail)) for r in relations if r.type == RelType.OUTPERFORMS}
    return [
        r for r in relations if not (r.type == RelType.COMPARED_WITH and frozenset((r.head, r.tail)) in outperforms)
    ]


def _one_class_each(relations: list[Relation]) -> list[Relation]:
    """One SUBCLASS_OF per mention and sentence, the surest: "Xs such as A" names one class for A.

    The pair classifier also pairs A with class-like phrases further back ("advances in contextualized
    representations through pre-training on language models such as ELMo"), which the sentence does not
    say A is a kind of.
    """
    best: dict[tuple, Relation] = {}
    for relation in relations:
        if relation.type == RelType.SUBCLASS_OF:
            key = (relation.head, relation.field, relation.evidence)
            if key not in best or relation.score > best[key].score:
                best[key] = relation
    return [r for r in relations if r.type != RelType.SUBCLASS_OF or best[r.head, r.field, r.evidence] is r]


def _parts_are_used(relations: list[Relation], labels: Sequence[str]) -> list[Relation]:
    """A system uses its parts: PART_OF(batch normalization, CNN) also states USES(CNN, batch normalization).

    SciER annotates "X uses Y" only as Part-Of(Y, X), so the gold's USES are these reversed parts too.
    """
    used = [
        relation.model_copy(update={"type": RelType.USES, "head": relation.tail, "tail": relation.head})
        for relation in relations
        if relation.type == RelType.PART_OF
        and isinstance(relation.head, int)
        and isinstance(relation.tail, int)
        and labels[relation.head] in SYSTEMS
        and labels[relation.tail] in SYSTEMS
    ]
    return _strongest(relations + used)


def _named(proposed: int | None, mentions: list[Mention]) -> int | None:
    """The proposed system if it has a name: a score is the named system's, "we achieve +1.1%" is not stated
    of a description ("encoding-enhanced")."""
    if proposed is not None and any(map(system_name, re.split(r"[\s\-]+", mentions[proposed].text))):
        return proposed
    return None


def _found(views: list[Sentence], mentions: list[Mention]) -> list[Relation]:
    """Every relation a pattern family finds, before any check. PROPOSES comes first: the system the paper
    proposes is the head of the results, benchmarks and comparisons stated of "we" or "our model"."""
    proposals = [relation for view in views for relation in proposes.find(view)]
    proposed = _proposed_system(proposals, mentions)
    found = proposals + [relation for view in views for family in _PAIR_FAMILIES for relation in family.find(view)]
    found += [relation for view in views for relation in results.find(view, _named(proposed, mentions))]
    found += [relation for view in views for relation in benchmarks.find_own(view, proposed)]
    found += [relation for view in views for relation in comparison.find_own(view, proposed)]
    return found


def relate(paper: Paper, fields: list[AnalysedField], mentions: list[Mention]) -> list[Relation]:
    """All relations the paper states between its mentions (or itself and a mention)."""
    labels = [mention.label for mention in mentions]
    found = _found(list(sentences(fields, mentions)), mentions)
    kept = [r for r in found if allowed(r, labels) and not _same_thing(r, mentions) and confident(r, mentions)]
    # The one class a sentence names is chosen before dropping a procedure: when the surest class is a cut
    # phrase ("pre-training" of "pre-training on language models such as ELMo"), none is stated.
    classes = _one_class_each(_not_implied(_parts_are_used(_strongest(kept), labels)))
    return [r for r in classes if not _model_of_a_procedure(r, mentions)]
