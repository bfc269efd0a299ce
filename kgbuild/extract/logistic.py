"""Sparse logistic models shipped as plain JSON weights: the mention-score calibrator
(calibration.py) and the name-kind models (name_kind.py).

scripts/train_extractor.py fits them with scikit-learn; here they are applied in
pure Python, so nothing is unpickled and scikit-learn is not needed at run time.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SparseLogistic:
    weights: dict[str, float]
    bias: float

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-z))

    def save(self, path: Path) -> None:
        payload = {"bias": self.bias, "weights": dict(sorted(self.weights.items()))}
        path.write_text(json.dumps(payload, separators=(",", ":")) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> SparseLogistic:
        payload = json.loads(path.read_text(encoding="utf-8"))
        return cls(payload["weights"], payload["bias"])

    @classmethod
    def neutral(cls) -> SparseLogistic:
        """0.5 for everything: before a model is fitted (cross-validation runs), or none is given."""
        return cls({}, 0.0)
