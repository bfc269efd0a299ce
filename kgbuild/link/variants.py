"""Size variants of model families: "LLaMA-2-7B" is a variant of "LLaMA-2".

Only sizes are variants here: a parameter count ("7B", "13b", "350M",
"1.5B", optionally in parentheses, always separated from the family name) or a size word ("base", "large", "XL", ...)
separated from the family name. Versions are not sizes: "LLaMA-2" is not a
variant of "LLaMA" and "GPT-3.5" is not a variant of "GPT-3" (they are
different models, kept apart by their keys).
"""

from __future__ import annotations

import re

from kgbuild.vocab import PARAMETER_COUNT, SIZE_WORDS, alternatives

_PARAMETER_COUNT = re.compile(rf"^(?P<family>.*[^\W_].*?)[\s\-_(]+{PARAMETER_COUNT}\)?$")
_SIZE_WORD = re.compile(rf"^(?P<family>.*[^\W_].*?)[\s\-_]+\(?{alternatives(SIZE_WORDS)}\)?$", re.IGNORECASE)


def family_of(surface: str) -> str | None:
    """The family name of a size variant ("Llama 2 (13B)" -> "Llama 2"), or None."""
    match = _PARAMETER_COUNT.match(surface) or _SIZE_WORD.match(surface)
    if match is None:
        return None
    family = match.group("family").rstrip(" -_(")
    return family if any(char.isalpha() for char in family) else None
