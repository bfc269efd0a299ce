"""Paper identity: which id a record gets, and which records are the same paper.

The id is the given id, else an arXiv id or DOI from the record's link fields,
else a hash of the normalised title, else of the normalised abstract. Two
records are one paper when they share the id, the normalised title or the
normalised abstract (the corpus repeats papers with and without titles).

An id that names an arXiv paper or a DOI, however written, becomes one form:
`2211.19126`, `arxiv:2211.19126`, `arXiv:2211.19126v2` and
`https://arxiv.org/abs/2211.19126v2` are all `arxiv:2211.19126` (the version is
dropped from the id and kept as the paper's `version`); `10.1000/ABC`,
`doi:10.1000/abc` and `https://doi.org/10.1000/abc` are all `doi:10.1000/abc`
(DOIs are case-insensitive).
"""

from __future__ import annotations

import re
from hashlib import blake2b

from kgbuild.read.records import RawRecord
from kgbuild.text import fold

_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
_VERSION = r"(?:v(\d+))?"
_ARXIV_IN_LINK = re.compile(rf"arxiv(?:\.org/(?:abs|pdf)/|:)\s*({_ARXIV_NEW}|{_ARXIV_OLD}){_VERSION}", re.IGNORECASE)
_ARXIV_BARE = re.compile(rf"^({_ARXIV_NEW}|{_ARXIV_OLD}){_VERSION}$")
_DOI = re.compile(r"\b(10\.\d{4,9}/\S+)")
_DOI_GIVEN = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)


def text_key(text: str) -> str:
    """Case, accents, LaTeX and punctuation removed: 'T\\"ulu 2!' -> 'tülu 2'."""
    return " ".join(re.findall(r"\w+", fold(text)))


def _digest(kind: str, key: str) -> str:
    return blake2b(f"{kind}\0{key}".encode(), digest_size=8).hexdigest()


def _doi(value: str) -> str:
    return f"doi:{value.rstrip('.').lower()}"


def canonical_id(value: str) -> tuple[str, str | None]:
    """(id, arXiv version or None) for an id as written; ids of other kinds are kept as given."""
    value = value.strip()
    arxiv = _ARXIV_BARE.match(value) or _ARXIV_IN_LINK.search(value)
    if arxiv:
        return f"arxiv:{arxiv.group(1)}", arxiv.group(2) and f"v{arxiv.group(2)}"
    doi = _DOI_GIVEN.match(value)
    if doi:
        return _doi(doi.group(1)), None
    return value, None


def _link_id(record: RawRecord) -> tuple[str, str | None] | None:
    for name, value in record.id_fields.items():
        arxiv = _ARXIV_BARE.match(value.strip()) if name in ("arxiv", "arxiv_id") else _ARXIV_IN_LINK.search(value)
        if arxiv:
            return f"arxiv:{arxiv.group(1)}", arxiv.group(2) and f"v{arxiv.group(2)}"
    for value in record.id_fields.values():
        doi = _DOI.search(value)
        if doi:
            return _doi(doi.group(1)), None
    return None


def paper_id(record: RawRecord) -> tuple[str, str | None]:
    """(id, arXiv version or None) of a record; see the module docstring."""
    if record.given_id:
        return canonical_id(record.given_id)
    linked = _link_id(record)
    if linked:
        return linked
    title = text_key(record.title)
    if title:
        return f"title:{_digest('title', title)}", None
    return f"abstract:{_digest('abstract', text_key(record.abstract))}", None


def same_paper_keys(pid: str, title: str, abstract: str) -> list[int]:
    """Fingerprints under which a paper is remembered (8-byte ints: small in a set)."""
    keys = [f"id\0{pid}", f"abstract\0{text_key(abstract)}"]
    title = text_key(title)
    if title:
        keys.append(f"title\0{title}")
    return [int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "big") for key in keys]


class SeenPapers:
    """Which papers were seen already: two are one when they share the id, title or abstract key."""

    def __init__(self) -> None:
        self._keys: set[int] = set()

    def add(self, pid: str, title: str, abstract: str) -> bool:
        """Remember a paper; whether it was new."""
        keys = same_paper_keys(pid, title, abstract)
        new = self._keys.isdisjoint(keys)
        self._keys.update(keys)
        return new
