"""Model or Method? A logistic model of whether a system mention names a trained model.

Why: the issue's labels split systems in two - Model is a named, trained
system or checkpoint (BERT, XLM-R, ResNet-50), Method a technique or
architecture (LoRA, Transformer, masked language modelling). Only GSAP-NER
annotates the difference; the other training sets call every system Method,
so the NER sees Model rarely and labels most unseen models Method (on a
held-out GSAP fold, 225 of 856 gold Models came out as Method).

The decision is mostly in how a name is written and the words around it:
"RoBERTa", "ClassiNet", "GPT2-small", "the pre-trained X", "X-base" are models;
"MLM", "RL", "offline RL", "fine-tuning", "X loss" are methods. So: sparse
features of the span (shape, character n-grams, head and first word) and its
context (the word before and after), weights fitted by
scripts/train_extractor.py on GSAP's Model/Method spans (`fit` learns them
with the NER; cross-validation folds hold a GSAP fold out), applied in pure
Python by the resolver (resolve.py) to every system mention that has no
explicit cue (named.py's cues say what a name is and win).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Span

from kgbuild.extract.named import system_name

SYSTEM_LABELS = ("Method", "Model")


def _shape(text: str) -> str:
    """"RoBERTa" -> "XxXXXx", runs collapsed; digits d, other characters kept."""
    out = []
    for char in text:
        kind = "X" if char.isupper() else "x" if char.islower() else "d" if char.isdigit() else char
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)[:8]


def kind_features(span: Span) -> dict[str, float]:
    """Sparse features of one system mention (names are the classifier's weight keys)."""
    words = [token.lower_ for token in span]
    text = span.text
    folded = f"<{text.lower()}>"
    found = {f"shape={_shape(text)}": 1.0, f"head={words[-1]}": 1.0, f"tokens={min(len(words), 3)}": 1.0}
    if len(words) > 1:
        found[f"first={words[0]}"] = 1.0
    for n in (3, 4):
        for i in range(len(folded) - n + 1):
            found[f"c{n}={folded[i:i + n]}"] = 1.0
    doc = span.doc
    found[f"prev={doc[span.start - 1].lower_ if span.start > 0 else '<s>'}"] = 1.0
    found[f"next={doc[span.end].lower_ if span.end < len(doc) else '</s>'}"] = 1.0
    if span.start > 1:
        found[f"prev2={doc[span.start - 2].lower_}"] = 1.0
    return found


@dataclass(frozen=True)
class SystemKind:
    weights: dict[str, float]
    bias: float

    def model_probability(self, span: Span) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in kind_features(span).items())
        return 1.0 / (1.0 + math.exp(-z))

    def is_model(self, span: Span) -> bool:
        """Confidently a Model. Only short spans with a system name in them are asked:
        GSAP leaves model classes ("large language models", "LLMs") out, so the weights
        never learnt that those are not Models. 0.65, and never demoting the NER's
        Models, was the best of five settings on two held-out GSAP folds."""
        if len(span) > 3 or not any(system_name(token.text) for token in span):
            return False
        return self.model_probability(span) >= 0.65

    def save(self, path: Path) -> None:
        payload = {"bias": self.bias, "weights": dict(sorted(self.weights.items()))}
        path.write_text(json.dumps(payload, separators=(",", ":")) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> SystemKind:
        payload = json.loads(path.read_text(encoding="utf-8"))
        return cls(payload["weights"], payload["bias"])
