"""The Linker: mentions -> entities, in two streaming passes.

    linker = Linker(aliases_path=None)
    for ep in extracted: linker.observe(ep)          # pass 1: statistics per key
    entities, variant_pairs = linker.finish()        # LinkedEntities (by id), [(variant_id, family_id)]
    for ep in extracted: yield linker.resolve(ep)    # pass 2: Mention.entity_id set

How mentions become entities (blocking by key: nothing is compared pairwise):

1. Every mention gets its matching key (kgbuild.link.keys). Inside one paper, a
   short form the paper defines (Schwartz & Hearst, kgbuild.abbreviations)
   takes the key of its long form, and a curated alias takes its entry's key
   (kgbuild.link.aliases). The result is the mention's *node* key; statistics
   are kept per node, so memory grows with distinct keys, never with mentions.
   A mention that is one lower-case word ("clip") names the node only if the
   node's capitalised spellings of that word are not all capitals or mixed
   case: "transformer" is "Transformer", but "clip" in "video clip" is not
   CLIP; such words form their own node, key + "-word" ("Method:clip-word"; a
   key never has a hyphen between letters, so it cannot collide).
2. Each node gets one label by the weighted vote of its mentions
   (kgbuild.link.labels); mentions labelled otherwise are counted as
   `label_disagreements` and resolve to the winning label's entity.
3. A short form becomes a corpus-wide alias of its long form when the
   definitions agree (one long form holds >= 90% of the papers defining it) and
   both nodes got the same label; otherwise it stays a separate entity outside
   the papers that define it ("OOD" = out-of-domain in one paper,
   out-of-distribution in another).
4. Nodes joined by step 3 form one entity. Model entities whose name is a size
   variant of another Model entity ("LLaMA-2-7B" of "LLaMA-2") are reported as
   (variant_id, family_id) pairs for VARIANT_OF.

Entity fields:
- id: "Label:key" where key is the curated entry's key if the entity has one,
  else the longest node key (ties: alphabetical) — a function of the keys only,
  so it is identical across runs, input orders and incremental loads that do
  not merge new keys into the entity. The long form wins over its abbreviation
  because an abbreviation's own id must stay free for the day it turns
  ambiguous ("Method:ood" is the undefined OOD, "Method:outofdomain" the
  defined one).
- name: the curated name; else the most frequent short form when the entity has
  an abbreviation in common use (SHORT_NAME_SHARE); else the most frequent
  surface form. Surface forms are
  counted with a singular head ("LLMs" counts as "LLM"), but the name is always
  a spelling the text contains: the singular when it is written, else the
  plural as written ("Cityscapes", never "Cityscape"); ties go to the
  alphabetically first form (capitalised forms sort first). The same for
  full_name. Only keys fold plurals.
- full_name: the curated long form, else the most frequent defined long form.
- aliases / alias_counts: every surface form seen, most frequent first (ties
  alphabetical), with "alias\\tcount".
- paper_count: sum over the entity's nodes of the papers mentioning that node;
  a paper that uses an abbreviation and its long form without defining it
  counts twice (exact counts would need per-paper sets, i.e. memory per mention).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import overload

from networkx.utils import UnionFind

from kgbuild.abbreviations import Definition, find_definitions
from kgbuild.link.aliases import AliasTable, load_aliases
from kgbuild.link.keys import clean_surface, match_key, singular_head
from kgbuild.link.labels import decide_label
from kgbuild.link.variants import family_of
from kgbuild.models import ENTITY_LABELS, Entity, EntityLabel, ExtractedPaper
from kgbuild.schema import Label

# Share of the defining papers the most common long form needs for its short
# form to become a corpus-wide alias (LLMs: 98% "large language models"; OOD:
# 2 out-of-domain vs 1 out-of-distribution stays apart).
DOMINANT_SHARE = 0.9
# An abbreviation names its entity when it is used at least half as often as the
# other spellings together: "SFT" (15 uses vs 24), but "fine-tuning" (221 vs 1 "FT").
SHORT_NAME_SHARE = 0.5


# Where each label's tallies sit in NodeStats.tallies: its weight at its index, its mention count _LABELS further.
_LABELS = len(ENTITY_LABELS)
_LABEL_INDEX: dict[str, int] = {label: index for index, label in enumerate(ENTITY_LABELS)}


class NodeStats:
    """Everything pass 1 keeps about one node key.

    There is one per distinct name, and the linker keeps them until pass 2 is over, so they are its memory
    per entity and are kept small (~0.3 KB): `tallies` is one array of doubles holding, for each label of
    ENTITY_LABELS, the summed extractor score and then the number of mentions (exact in a double); `surfaces`
    is the node's one spelling while it has only one (counted by `mentions`), a Counter once it has more.

    Mentions that are one lower-case word ("clip") are counted apart in `lower` until finish() knows
    whether the node's name is written in capitals ("CLIP"), which a common word does not name; `papers`
    counts the papers with another mention, `lower.papers` those with a lower-case one, and
    `papers_only_lower` those with nothing else (what joining the two adds).
    """

    __slots__ = ("tallies", "surfaces", "papers", "lower", "papers_only_lower")

    def __init__(self) -> None:
        self.tallies = array("d", [0.0]) * (2 * _LABELS)
        self.surfaces: str | Counter[str] | None = None
        self.papers = 0
        self.lower: NodeStats | None = None
        self.papers_only_lower = 0

    @property
    def mentions(self) -> int:
        return int(sum(self.tallies[_LABELS:]))

    def label_weights(self) -> dict[EntityLabel, float]:
        """Summed score per label, for the labels of its mentions."""
        return {
            label: self.tallies[index] for index, label in enumerate(ENTITY_LABELS) if self.tallies[_LABELS + index]
        }

    def label_counts(self) -> dict[EntityLabel, int]:
        """Mentions per label, for the labels of its mentions."""
        return {label: int(count) for label, count in zip(ENTITY_LABELS, self.tallies[_LABELS:], strict=True) if count}

    def surface_counts(self) -> Counter[str]:
        if isinstance(self.surfaces, Counter):
            return self.surfaces
        return Counter({self.surfaces: self.mentions} if self.surfaces is not None else {})

    def count(self, label: EntityLabel, score: float, surface: str) -> None:
        if self.surfaces is None:
            self.surfaces = surface
        elif isinstance(self.surfaces, Counter):
            self.surfaces[surface] += 1
        elif surface != self.surfaces:
            self.surfaces = Counter({self.surfaces: self.mentions, surface: 1})
        index = _LABEL_INDEX[label]
        self.tallies[index] += score
        self.tallies[_LABELS + index] += 1

    def absorb(self, other: NodeStats, papers: int) -> None:
        """Add `other`'s mentions, and `papers` papers (those not counted here already)."""
        surfaces = Counter(self.surface_counts())
        surfaces.update(other.surface_counts())
        self.surfaces = next(iter(surfaces)) if len(surfaces) == 1 else surfaces or None
        for index, tally in enumerate(other.tallies):
            self.tallies[index] += tally
        self.papers += papers

    def merge(self, other: NodeStats) -> None:
        """Add the same node's statistics observed on other papers (each paper is counted in one of the two)."""
        self.absorb(other, other.papers)
        self.papers_only_lower += other.papers_only_lower
        if other.lower is not None:
            if self.lower is None:
                self.lower = NodeStats()
            self.lower.merge(other.lower)


# The node of the lower-case word of a name written in capitals: "clip" -> "clip-word" (apart from CLIP).
WORD_SUFFIX = "-word"


def _lower_case_word(surface: str) -> bool:
    """One lower-case word ("clip", "glue"); an abbreviation written in lower case ("fc", "lstm": no vowel) is
    not one, it still names its capitalised form."""
    return surface.isalpha() and surface.islower() and any(vowel in surface for vowel in "aeiou")


def _written_in_capitals(stats: NodeStats) -> bool:
    """Is every capitalised spelling of the node's lower-case words all-caps or mixed case ("CLIP", "GLUE")?

    Only spellings of the same word count ("Clip", "CLIPs"; not the long form "Contrastive Language-Image
    Pretraining" a curated entry joins), and a sentence-initial "Clip" means the word is an ordinary one.
    """
    words = {match_key(surface) for surface in stats.lower.surface_counts()} if stats.lower else set()
    capitalised = [surface for surface in stats.surface_counts() if match_key(surface) in words]
    return bool(capitalised) and all(any(char.isupper() for char in surface[1:]) for surface in capitalised)


def _most_frequent(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _written_name(counts: Counter[str]) -> str:
    """The most frequent spelling, counting a plural with its singular ("LLMs" counts as "LLM").

    The name is always a spelling seen in the text: the singular when it is written, else the most
    frequent written form of it ("Cityscapes" stays "Cityscapes" when "Cityscape" never occurs).
    """
    singular: Counter[str] = Counter()
    for surface, count in counts.items():
        singular[singular_head(surface)] += count
    (name, _), *_ = _most_frequent(singular)
    if name in counts:
        return name
    return _most_frequent(
        Counter({surface: count for surface, count in counts.items() if singular_head(surface) == name})
    )[0][0]


_ENTITY_LABEL_NAMED: dict[str, EntityLabel] = {str(label): label for label in ENTITY_LABELS}


def _curated_key(nodes: list[str], aliases: AliasTable) -> str | None:
    return next((node for node in nodes if node in aliases.entries), None)


def _entity_id(nodes: list[str], label: EntityLabel, aliases: AliasTable) -> str:
    """The id of the entity of `nodes`, "Label:key": the curated entry's key if one of them is one, else the
    longest key (ties: alphabetical)."""
    return f"{label}:{_curated_key(nodes, aliases) or min(nodes, key=lambda node: (-len(node), node))}"


class LinkedEntities(Sequence[Entity]):
    """finish()'s entities in id order, each built from the linker's statistics when it is read.

    The linker keeps its statistics for pass 2 anyway; holding every Entity as well cost ~1.1 KB more per
    entity (pydantic objects), the largest part of the memory that grew with the papers (docs/scale.md).
    Equal to any sequence of the same entities in the same order."""

    def __init__(self, linker: Linker, ids: list[str]) -> None:
        self._linker, self._ids = linker, ids

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> Entity: ...

    @overload
    def __getitem__(self, index: slice) -> list[Entity]: ...

    def __getitem__(self, index: int | slice) -> Entity | list[Entity]:
        if isinstance(index, slice):
            return [self._linker.entity(entity_id) for entity_id in self._ids[index]]
        return self._linker.entity(self._ids[index])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which are not hashable


class Linker:
    """See the module docstring. Not thread-safe; one instance per corpus."""

    def __init__(self, aliases_path: str | Path | None = None) -> None:
        self.aliases: AliasTable = load_aliases(aliases_path)
        self.nodes: dict[str, NodeStats] = {}
        # short key -> {long node key: number of papers defining it so}
        self.definitions: dict[str, Counter[str]] = {}
        # long node key -> surface counts of the long / short forms defined for it
        self.long_forms: dict[str, Counter[str]] = {}
        self.short_forms: dict[str, Counter[str]] = {}
        self.entity_of_node: dict[str, str] = {}
        # entity id -> its node keys, for the entities of more than one node (finish())
        self.joined: dict[str, list[str]] = {}

    # -- pass 1 -------------------------------------------------------------
    def local_definitions(self, paper: ExtractedPaper) -> dict[str, tuple[str, Definition]]:
        """Short key -> (long node key, definition) for the abbreviations `paper` defines; the first one wins.

        A short form whose long form is already its curated alias maps to itself
        (kept so the corpus-wide dominance counts every definition).
        """
        local: dict[str, tuple[str, Definition]] = {}
        for text in (paper.title, paper.abstract):
            for definition in find_definitions(text):
                local.setdefault(self.curated_key(definition.short), (self.curated_key(definition.long), definition))
        return local

    def curated_key(self, text: str) -> str:
        """The matching key of `text`, replaced by its curated entry's key when it has one."""
        return self.aliases.resolve(match_key(text))

    def node_key(self, text: str, local: dict[str, tuple[str, Definition]]) -> str:
        """The node of a mention: its key, through the paper's definitions and the curated table.

        A mention that is itself a definition ("Large Language Models (LLMs)")
        is keyed by its long form.
        """
        inner = find_definitions(text) if text.rstrip().endswith(")") else []
        key = self.curated_key(inner[0].long if inner else text)
        return local[key][0] if key in local else key

    def observe(self, paper: ExtractedPaper) -> None:
        """Pass 1: add the paper's mentions and abbreviation definitions to the statistics."""
        local = self.local_definitions(paper)
        for short_key, (long_node, definition) in local.items():
            self.definitions.setdefault(short_key, Counter())[long_node] += 1
            self.long_forms.setdefault(long_node, Counter())[clean_surface(definition.long)] += 1
            self.short_forms.setdefault(long_node, Counter())[clean_surface(definition.short)] += 1
        written: dict[str, set[bool]] = {}  # node -> how its mentions are written: is a lower-case word or not
        for mention in paper.mentions:
            node = self.node_key(mention.text, local)
            stats = self.nodes.get(node)
            if stats is None:
                stats = self.nodes[node] = NodeStats()
            surface = clean_surface(mention.text)
            lower = _lower_case_word(surface)
            counted = stats
            if lower:
                if stats.lower is None:
                    stats.lower = NodeStats()
                counted = stats.lower
            counted.count(mention.label, mention.score, surface)
            written.setdefault(node, set()).add(lower)
        for node, forms in written.items():
            stats = self.nodes[node]
            stats.papers += int(False in forms)
            if True in forms:
                assert stats.lower is not None  # set above for every lower-case mention
                stats.lower.papers += 1
                stats.papers_only_lower += int(False not in forms)

    def merge(self, other: Linker) -> None:
        """Add the pass-1 statistics of a linker that observed other papers, key by key (the reduce of a
        distributed pass 1, kgbuild.ray_engine): finish() then decides as if this linker had observed them all.
        Label weights are float sums, so the order of merging moves them only below decide_label's rounding."""
        for node, stats in other.nodes.items():
            self.nodes.setdefault(node, NodeStats()).merge(stats)
        for mine, theirs in (
            (self.definitions, other.definitions),
            (self.long_forms, other.long_forms),
            (self.short_forms, other.short_forms),
        ):
            for key, counts in theirs.items():
                mine.setdefault(key, Counter()).update(counts)

    # -- between the passes ---------------------------------------------------
    def finish(self) -> tuple[LinkedEntities, list[tuple[str, str]]]:
        """Decide labels, join abbreviations corpus-wide, give every node its entity id; the entities (built
        when read, LinkedEntities) and the VARIANT_OF pairs."""
        for node, stats in list(self.nodes.items()):
            if stats.lower is not None and _written_in_capitals(stats):
                self.nodes[node + WORD_SUFFIX] = stats.lower
            elif stats.lower is not None:
                stats.absorb(stats.lower, stats.papers_only_lower)
            stats.lower = None
        groups = UnionFind()
        for short_key, long_nodes in self.definitions.items():
            (long_node, count), *_ = _most_frequent(long_nodes)
            if long_node == short_key or short_key not in self.nodes or long_node not in self.nodes:
                continue
            if count >= DOMINANT_SHARE * sum(long_nodes.values()) and self._label(short_key) == self._label(long_node):
                groups.union(short_key, long_node)
        members: dict[str, list[str]] = {}
        for node in sorted(groups.parents):  # the nodes joined to another; every other node is its own entity
            members.setdefault(groups[node], []).append(node)
        for nodes in members.values():
            entity_id = _entity_id(nodes, self._label(nodes[0]), self.aliases)
            self.joined[entity_id] = nodes
            for node in nodes:
                self.entity_of_node[node] = entity_id
        ids = list(self.joined)
        for node in self.nodes:
            if node not in self.entity_of_node:
                ids.append(_entity_id([node], self._label(node), self.aliases))
                self.entity_of_node[node] = ids[-1]
        ids.sort()
        model = f"{Label.MODEL}:"
        variant_pairs = sorted(
            {
                (entity_id, family_id)
                for entity_id in ids
                if entity_id.startswith(model)
                for family_id in self._families(self.nodes_of(entity_id))
                if family_id != entity_id and family_id.startswith(model)
            }
        )
        return LinkedEntities(self, ids), variant_pairs

    def _label(self, node: str) -> EntityLabel:
        stats = self.nodes[node]
        return decide_label(stats.label_weights(), stats.label_counts())

    def nodes_of(self, entity_id: str) -> list[str]:
        """The node keys of one of finish()'s entities (a lone node's key is its id's)."""
        return self.joined.get(entity_id) or [entity_id.partition(":")[2]]

    def _families(self, nodes: list[str]) -> set[str]:
        families = set()
        for node in nodes:
            for surface in self.nodes[node].surface_counts():
                family = family_of(surface)
                family_id = self.entity_of_node.get(self.curated_key(family)) if family else None
                if family_id is not None:
                    families.add(family_id)
        return families

    def entity(self, entity_id: str) -> Entity:
        """One of finish()'s entities, built from the statistics of its nodes."""
        nodes = self.nodes_of(entity_id)
        label = _ENTITY_LABEL_NAMED[entity_id.partition(":")[0]]
        curated_key = _curated_key(nodes, self.aliases)
        curated = self.aliases.entries[curated_key] if curated_key else None
        surfaces: Counter[str] = Counter()
        long_forms: Counter[str] = Counter()
        short_keys = {node for node in nodes if node in self.definitions}
        for node in nodes:
            surfaces.update(self.nodes[node].surface_counts())
            long_forms.update(self.long_forms.get(node, Counter()))
            short_keys.update(self.curated_key(short) for short in self.short_forms.get(node, ()))
        short_surfaces = Counter(
            {surface: count for surface, count in surfaces.items() if self.curated_key(surface) in short_keys}
        )
        short_is_used = short_surfaces.total() >= SHORT_NAME_SHARE * (surfaces.total() - short_surfaces.total())
        aliases = _most_frequent(surfaces)
        full_name = curated.full_name if curated and curated.full_name else None
        if full_name is None and long_forms:
            full_name = _written_name(long_forms)
        mentions = sum(self.nodes[node].mentions for node in nodes)
        return Entity(
            id=entity_id,
            label=label,
            name=curated.name
            if curated
            else _written_name(short_surfaces if short_surfaces and short_is_used else surfaces),
            full_name=full_name,
            aliases=[alias for alias, _ in aliases],
            alias_counts=[f"{alias}\t{count}" for alias, count in aliases],
            mention_count=mentions,
            paper_count=sum(self.nodes[node].papers for node in nodes),
            label_disagreements=mentions - sum(self.nodes[node].label_counts().get(label, 0) for node in nodes),
        )

    # -- pass 2 -------------------------------------------------------------
    def resolve(self, paper: ExtractedPaper) -> ExtractedPaper:
        """Pass 2: a copy of `paper` whose mentions carry their entity_id.

        A mention of a node never observed gets "Label:key", the id it would
        have as a singleton entity (it is not among finish()'s entities). A
        lower-case word whose name is written in capitals ("clip" in "video
        clip", CLIP) is the word's entity ("Method:clip-word").
        """
        local = self.local_definitions(paper)
        mentions = []
        for mention in paper.mentions:
            node = self.node_key(mention.text, local)
            if node + WORD_SUFFIX in self.entity_of_node and _lower_case_word(clean_surface(mention.text)):
                node += WORD_SUFFIX
            entity_id = self.entity_of_node.get(node, f"{mention.label}:{node}")
            mentions.append(mention.model_copy(update={"entity_id": entity_id}))
        return paper.model_copy(update={"mentions": mentions})
