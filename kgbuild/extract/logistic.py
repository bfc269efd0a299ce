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

    def to_bytes(self) -> bytes:
        payload = {"bias": self.bias, "weights": dict(sorted(self.weights.items()))}
        return (json.dumps(payload, separators=(",", ":")) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> SparseLogistic:
        payload = json.loads(data)
        return cls(payload["weights"], payload["bias"])

    def save(self, path: Path) -> None:
        path.write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: Path) -> SparseLogistic:
        return cls.from_bytes(path.read_bytes())

    @classmethod
    def neutral(cls) -> SparseLogistic:
        """0.5 for everything: before a model is fitted (the uncalibrated candidates of cross-validation runs)."""
        return cls({}, 0.0)
