"""Two plumbing "backends" of one model, for tests of switching DESK_EMBEDDING_BACKEND (never for quality).

Both are the HashingEmbedder under the model name "hashing"; the second moves every vector a little (cosine
about 0.98), as the int8 onnx export does against torch. Each reports its ``backend`` like the real embedders.
"""

from __future__ import annotations

import math

from dispute_desk.embedding import HashingEmbedder


def torch_like() -> HashingEmbedder:
    return HashingEmbedder(backend="torch")


class OnnxLike(HashingEmbedder):
    """The same model ("hashing") on another backend: every vector moved a little."""

    def __init__(self) -> None:
        super().__init__(backend="onnx-int8")

    def _embed(self, text: str) -> list[float]:
        vector = super()._embed(text)
        vector[0] += 0.2
        norm = math.sqrt(sum(v * v for v in vector))
        return [v / norm for v in vector]


def close(a: list[float], b: list[float], tolerance: float = 1e-5) -> bool:
    return all(abs(x - y) < tolerance for x, y in zip(a, b, strict=True))
