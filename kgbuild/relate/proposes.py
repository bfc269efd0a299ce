"""PROPOSES: what the paper introduces (head is always the paper).

Abstracts announce their contribution in a few fixed ways: an author subject
with an introducing verb ("we propose X", "this paper presents a framework
named X"), a title "X: ...", "our X" / "the proposed X", and a sentence that
opens with "X, a novel ...". Without a parser the object of the verb is
taken as the mentions right after it, up to the first preposition or clause
word, so "we propose X for T using Y" proposes X, not T or Y. When a name is
given in apposition ("a medical IFT dataset, MedInstruct-52k"), mentions
that only modify the described noun ("IFT"), or describe a name already
given ("MiniPLM, a KD framework"), are not proposed. A colon names what the
verb introduces only when the name follows it directly ("we present a suite of
LLMs: SciLitLLM"), not a description ("we propose X: a Transformer ...").
When the introduced thing is a long form the extractor cut ("we introduce
Probabilistic Hyper-Graphs using Masked Autoencoders (PHG-MAE)"), its short
form is proposed if, by Schwartz & Hearst, its long form starts right after
the verb.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kgbuild.abbreviations import long_form_before
from kgbuild.extract.named import system_name
from kgbuild.models import Relation, TextField
from kgbuild.relate.sentences import MENTION, Sentence, Slot
from kgbuild.schema import RelType
from kgbuild.vocab import ARCHITECTURE_NOUNS, DATASET_NOUNS, METHOD_NOUNS, MODEL_NOUNS, TECHNIQUE_NOUNS

_AUTHORS = {"we", "paper", "work", "study", "article", "report", "here"}
_INTRODUCE = re.compile(
    r"(?:propose|introduce|present|develop|release|construct|create|design|devise|curate|contribute"
    r"|unveil|establish|formulate|open-source|assemble|collect|compile|annotate)[sd]?|presented"
    r"|developed|build|builds|built"
)
_PASSIVE = {"previously", "recently", "originally", "been", "be", "was", "were", "is", "are", "newly", "widely"}
_NAMING_WORDS = {"named", "called", "dubbed", "termed", "coined", "namely"}
_NAMING = _NAMING_WORDS | {":", ","}
_ENDS_WITH_NAME = re.compile(r"<m>(?: \( <m> \))?$")
_COORDINATION = re.compile(r"(?:(?:the |a |an |both )?<m> (?:,|and|, and|or) )+")
# Words that end the object of the introducing verb (prepositions, clause starters).
_BOUNDARY = {
    "using",
    "with",
    "based",
    "by",
    "on",
    "for",
    "to",
    "that",
    "which",
    "where",
    "via",
    "from",
    "in",
    "through",
    "while",
    "whereas",
    "than",
    "over",
    "against",
    "into",
    "as",
    "when",
    ";",
    ".",
    "is",
    "are",
    "outperforms",
    "achieves",
    "between",
    "among",
    "without",
}
_DETERMINERS = {"a", "an", "the", "our"}
# What an introduced name may only modify ("a new NLP task", "a LLaMA-based model"): the kinds of thing a paper
# introduces. Not "techniques": "we propose novel regularisation and network growth techniques" proposes them.
_GENERIC_HEAD = (
    DATASET_NOUNS
    | MODEL_NOUNS
    | METHOD_NOUNS
    | ARCHITECTURE_NOUNS
    | TECHNIQUE_NOUNS
    | {
        "system",
        "pipeline",
        "task",
        "tasks",
        "data",
        "tool",
        "toolkit",
        "library",
        "agent",
        "platform",
        "training",
        "setting",
    }
) - {"techniques"}
_NOVEL = re.compile(r"^(?:\( <m> \) )?(?:, |is |: )(?:a|an) (?:\S+ ){0,3}?(?:novel|new) ")
# What "our X ..." may say X of besides that X is the paper's own.
_NOT_OURS = {
    "experiments",
    "experiment",
    "variants",
    "variant",
    "results",
    "analysis",
    "evaluation",
    "evaluations",
    "setting",
    "settings",
    "study",
    "findings",
}
_OUR = re.compile(r"(?:^| )(?:our|the proposed|our proposed)(?: new| novel)?$")


def _author_verbs(words: list[str]) -> list[int]:
    """Positions of introducing verbs with an author subject shortly before ("we ... propose"), not passive."""
    return [
        i
        for i, word in enumerate(words)
        if _INTRODUCE.fullmatch(word)
        and not (i and words[i - 1] in _PASSIVE)
        and _AUTHORS & set(words[max(0, i - 12) : i])
    ]


def _introduced(before: list[str]) -> tuple[str, float] | None:
    """How a mention preceded by `before` is introduced by an author verb: (kind, score), or None."""
    if before[-2:] == [MENTION, "("]:  # "a Visual-Language Mapper (CVLM)": the short form goes with its long form
        return _introduced(before[:-2])
    for verb in reversed(_author_verbs(before)):
        gap = before[verb + 1 :]
        markers = [i for i, word in enumerate(gap) if word in _NAMING]
        if markers and set(gap[markers[-1] + 1 :]) <= _DETERMINERS | {"as"}:
            described = gap[: markers[-1]]
            # "..., dubbed X" names X whatever the description says, and so does "...: X"
            explicit = gap[markers[-1]] in _NAMING_WORDS or (
                gap[markers[-1]] == ":" and markers[-1] == len(gap) - 1 and len(gap) <= 8 and not _BOUNDARY & set(gap)
            )
            # "a dataset, X" names the dataset X; in "X, a KD framework" the mention after the comma describes X.
            describes_a_name = _ENDS_WITH_NAME.search(" ".join(described)) is not None
            appositive = bool(described) and not describes_a_name and not _BOUNDARY & set(described)
            if explicit or (appositive and len(described) <= 14):
                return "named", 0.9
        # "we propose X and Y"; but in "we propose DeViDe, a novel method" (no mention for DeViDe) the
        # mention after the comma only describes what is proposed.
        coordinated = not {MENTION, ","} & set(gap) or _COORDINATION.fullmatch(" ".join(gap) + " ")
        if len(gap) <= 8 and coordinated and not (_BOUNDARY | {"of", "("}) & set(gap):
            return "object", 0.85 if len(gap) <= 3 else 0.75
        return None
    return None


_LEADING = _DETERMINERS | {"novel", "new", "simple", "first"}


def _short_form_of_introduced(sentence: Sentence, slot: Slot) -> tuple[str, float] | None:
    """ "we introduce <long form> (SF)": SF names what is introduced when its long form starts after the verb."""
    doc = sentence.field.doc
    opening = slot.span.start - 1
    if opening <= sentence.span.start or doc[opening].text != "(" or len(slot.span) > 3:
        return None
    words = [token.lower_ for token in doc[sentence.span.start : opening]]
    verbs = _author_verbs(words)
    if not verbs or opening - (sentence.span.start + verbs[-1] + 1) > 12:
        return None
    after_verb = doc[sentence.span.start + verbs[-1] + 1 : opening]
    long_form = long_form_before(slot.span.text, after_verb.text)
    if long_form is None or not set(after_verb.text[: long_form[0]].lower().split()) <= _LEADING:
        return None
    return "named", 0.85


def _modifies_next_noun(sentence: Sentence, slot: Slot, past_abbreviation: bool) -> bool:
    """The mention only modifies what follows: "a new NLP task", "LLaMA-based", "Pre-trained Visual ... Tuning".

    `past_abbreviation` looks past "(RAG)" too: right for an appositive description ("LLaMP, a multimodal
    retrieval-augmented generation (RAG) framework"), wrong for the object itself ("a Knowledge-Aware
    Prompt Tuning (KAPT) framework" is the proposed framework).
    """
    after = sentence.after(slot).split()
    if past_abbreviation and after[:1] == ["("] and ")" in after:
        after = after[after.index(")") + 1 :]
    following = sentence.field.doc[slot.span.end] if slot.span.end < sentence.span.end else None
    name_goes_on = (
        following is not None and following.is_alpha and following.is_title and following.i != sentence.span.start
    )
    return bool(after) and (after[0] in _GENERIC_HEAD or re.match(r"-[a-z]", after[0]) is not None or name_goes_on)


def _not_what_is_ours(sentence: Sentence, slot: Slot) -> bool:
    """ "our X" where X only modifies what is ours: "our topic classification dataset", "our fine-tuning
    experiments", "our MoE variants". A name before a generic head is what is ours ("our BLURB benchmark")."""
    after = sentence.after(slot).split()[:1]
    if after and after[0] in _NOT_OURS:
        return True
    named = any(system_name(token.text) for token in slot.span)
    return not named and _modifies_next_noun(sentence, slot, past_abbreviation=False)


def _abstract(sentence: Sentence) -> Iterator[Relation]:
    found: list[tuple[Slot, str, float]] = []
    for slot in sentence.slots:
        before = sentence.before(slot).split()
        introduced = _introduced(before) or _short_form_of_introduced(sentence, slot)
        if introduced:
            found.append((slot, *introduced))
        elif _OUR.search(" ".join(before)):
            found.append((slot, "our", 0.6))
        elif not [word for word in before if word != MENTION] and _NOVEL.match(sentence.after(slot) + " "):
            found.append((slot, "novel", 0.7))
    for slot, kind, score in found:
        if kind in ("object", "named") and _modifies_next_noun(sentence, slot, past_abbreviation=kind == "named"):
            continue  # "we propose a new NLP task": the task is proposed, not NLP
        if kind == "our" and _not_what_is_ours(sentence, slot):
            continue
        yield sentence.relation(RelType.PROPOSES, "paper", slot.mention, score, f"proposes:{kind}")


def _title(sentence: Sentence) -> Iterator[Relation]:
    """A title "X: subtitle" names the contribution X."""
    for slot in sentence.slots:
        if slot.span.start == sentence.span.start and sentence.after(slot).startswith(":"):
            yield sentence.relation(RelType.PROPOSES, "paper", slot.mention, 0.9, "proposes:title")


def find(sentence: Sentence) -> Iterator[Relation]:
    yield from _title(sentence) if sentence.field.field == TextField.TITLE else _abstract(sentence)
