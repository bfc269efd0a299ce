"""Paper identity: which id a record gets, and which records are the same paper.

The id is the given id, else an arXiv id or DOI from the record's link fields,
else a hash of the normalised title, else of the normalised abstract. Two
records are one paper when they share the id, the normalised title or the
normalised abstract (the corpus repeats papers with and without titles).
"""

from __future__ import annotations

import re
from hashlib import blake2b

from kgbuild.read.records import RawRecord
from kgbuild.text import fold

_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_IN_LINK = re.compile(rf"arxiv(?:\.org/(?:abs|pdf)/|:)\s*({_ARXIV_NEW}|{_ARXIV_OLD})", re.IGNORECASE)
_ARXIV_BARE = re.compile(rf"^({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?$")
_DOI = re.compile(r"\b(10\.\d{4,9}/\S+)")


def text_key(text: str) -> str:
    """Case, accents, LaTeX and punctuation removed: 'T\\"ulu 2!' -> 'tülu 2'."""
    return " ".join(re.findall(r"\w+", fold(text)))


def _digest(kind: str, key: str) -> str:
    return blake2b(f"{kind}\0{key}".encode(), digest_size=8).hexdigest()


def _link_id(record: RawRecord) -> str | None:
    for name, value in record.id_fields.items():
        arxiv = _ARXIV_BARE.match(value.strip()) if name in ("arxiv", "arxiv_id") else _ARXIV_IN_LINK.search(value)
        if arxiv:
            return f"arxiv:{arxiv.group(1)}"
    for value in record.id_fields.values():
        doi = _DOI.search(value)
        if doi:
            return f"doi:{doi.group(1).rstrip('.').lower()}"
    return None


def paper_id(record: RawRecord) -> str:
    if record.given_id:
        return record.given_id
    linked = _link_id(record)
    if linked:
        return linked
    title = text_key(record.title)
    if title:
        return f"title:{_digest('title', title)}"
    return f"abstract:{_digest('abstract', text_key(record.abstract))}"


def same_paper_keys(record: RawRecord, pid: str) -> list[int]:
    """Fingerprints under which this record's paper is remembered (8-byte ints: small in a set)."""
    keys = [f"id\0{pid}", f"abstract\0{text_key(record.abstract)}"]
    title = text_key(record.title)
    if title:
        keys.append(f"title\0{title}")
    return [int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "big") for key in keys]
