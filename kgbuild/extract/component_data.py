"""How the extraction components keep their data: spaCy's serialisation protocol over a few named files.

spaCy saves a pipeline as its config (each component's factory and arguments) and, in a directory per
component, whatever that component's `to_disk` writes; `spacy.load()` rebuilds every component from the
config and hands it its directory through `from_disk`, as it does for spacy/pipeline/'s own components. A
component here lists its files in `data_files()`; `ComponentData` turns that list into the four methods.
The lexicon, named-system and resolver components keep theirs so; the NER's files are spaCy's own
recognizer's (ner.py), the encoder's its model and tokenizer (encoder_ner.py); the abbreviation and
context-pattern components have none (their rules are code).

A component holds its data in `Loaded` attributes: one read before the data was set (build_pipeline) or
loaded (spacy.load) raises UnloadedComponentError, where a component without its data used to run on
nothing (no lexicon matches, a score of 0.5 for every mention).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

from spacy import util

from kgbuild.errors import KgbuildError

T = TypeVar("T")

# file name -> (the file's bytes, now; set the component's data from such bytes)
DataFiles = dict[str, tuple[Callable[[], bytes], Callable[[bytes], None]]]


class UnloadedComponentError(KgbuildError):
    """A pipeline component was used or saved before its data was set or loaded."""


def unloaded(component: str, what: str) -> UnloadedComponentError:
    return UnloadedComponentError(
        f"pipeline component {component!r} has no {what}: build the pipeline with "
        f"kgbuild.extract.pipeline.build_pipeline() or load a saved one with spacy.load()"
    )


class Loaded(Generic[T]):
    """An attribute of a component's data: reading it before it was set raises UnloadedComponentError, which
    says the component has no `what` (the attribute's name, or the data it is made from)."""

    def __init__(self, what: str = "") -> None:
        self.what = what

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.what = self.what or name.replace("_", " ")

    @overload
    def __get__(self, component: None, owner: type) -> Loaded[T]: ...

    @overload
    def __get__(self, component: object, owner: type) -> T: ...

    def __get__(self, component: object, owner: type) -> T | Loaded[T]:
        if component is None:
            return self
        value = component.__dict__.get(self.name)
        if value is None:
            raise unloaded(getattr(component, "name", type(component).__name__), self.what)
        return value

    def __set__(self, component: object, value: T) -> None:
        component.__dict__[self.name] = value


class ComponentData:
    """to_bytes/from_bytes/to_disk/from_disk of a component whose data is the files `data_files()` lists."""

    def data_files(self) -> DataFiles:
        raise NotImplementedError

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return util.to_bytes({name: write for name, (write, _) in self.data_files().items()}, exclude)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> Any:
        util.from_bytes(data, {name: read for name, (_, read) in self.data_files().items()}, exclude)
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        util.to_disk(path, {name: _to_file(write) for name, (write, _) in self.data_files().items()}, exclude)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> Any:
        util.from_disk(path, {name: _from_file(read) for name, (_, read) in self.data_files().items()}, exclude)
        return self


def _to_file(write: Callable[[], bytes]) -> Callable[[Path], None]:
    def to_file(file: Path) -> None:
        file.write_bytes(write())

    return to_file


def _from_file(read: Callable[[bytes], None]) -> Callable[[Path], None]:
    def from_file(file: Path) -> None:
        read(file.read_bytes())

    return from_file
