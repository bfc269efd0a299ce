"""Ordered, memory-bounded fan-out of batches to worker processes."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


def ordered_map(function: Callable[[In], Out], items: Iterable[In], workers: int) -> Iterator[Out]:
    """`map(function, items)` on `workers` processes, results in input order.

    At most 2 x workers items are in flight (Pool.imap would read `items` to the
    end first), so memory stays bounded on unbounded input. "spawn" processes:
    `function` must be a module-level callable, and nothing relies on fork.
    """
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.apply_async(function, (item,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
