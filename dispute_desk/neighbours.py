"""The labelled training questions nearest a member's question: one of the answerability gate's signals.

Look-alikes (in-scope questions that name a declined topic in passing) and the requests the desk declines come
in tight clusters of wording that one linear boundary over the embedding cannot follow. The share of
answerable questions among the nearest training questions, weighted by similarity, can: on grouped
cross-validation it let the gate decline more must-declines at the same cap on look-alikes declined.

The vectors are kept with the gate file as int8 (unit vectors times 127), about 1.1 MB for 2,132 questions.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

NEIGHBOURS = 10


@dataclass(frozen=True)
class Neighbours:
    vectors: np.ndarray  # (questions, dims) unit vectors
    answerable: np.ndarray  # (questions,) bool
    k: int = NEIGHBOURS

    def answerable_share(self, units: np.ndarray, *, own: np.ndarray | None = None) -> np.ndarray:
        """For each row of ``units``: the similarity-weighted share of answerable questions among the ``k``
        nearest. ``own`` (training only): a (rows, questions) mask of questions a row may not count, its own
        situation group, so a rewording of a question never vouches for it.
        """
        if not len(self.vectors):
            return np.full(len(units), 0.5)
        sims = np.atleast_2d(units).astype(np.float32) @ self.vectors.T  # float64 would copy the whole matrix
        if own is not None:
            sims = np.where(own, -np.inf, sims)
        k = min(self.k, sims.shape[1])
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        weights = np.maximum(np.take_along_axis(sims, nearest, axis=1), 0.0)
        labels = self.answerable[nearest].astype(float)
        total = weights.sum(axis=1)
        shares: np.ndarray = np.where(total > 0, (weights * labels).sum(axis=1) / np.maximum(total, 1e-12), 0.5)
        return shares

    @classmethod
    def of(cls, vectors: np.ndarray, answerable: Sequence[bool] | np.ndarray, k: int = NEIGHBOURS) -> Neighbours:
        return cls(np.asarray(vectors, dtype=np.float32), np.asarray(answerable, dtype=bool), k)

    def to_json(self) -> dict[str, Any]:
        quantised = np.clip(np.round(self.vectors * 127), -127, 127).astype(np.int8)
        return {
            "k": self.k,
            "dims": int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0,
            "answerable": "".join("1" if a else "0" for a in self.answerable),
            "vectors_int8": base64.b64encode(quantised.tobytes()).decode("ascii"),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Neighbours:
        labels = np.array([c == "1" for c in raw["answerable"]], dtype=bool)
        flat = np.frombuffer(base64.b64decode(raw["vectors_int8"]), dtype=np.int8)
        dims = int(raw["dims"])
        if dims <= 0 or flat.size != dims * len(labels):
            raise ValueError(f"neighbours: {flat.size} values for {len(labels)} questions of {dims} dimensions")
        vectors = flat.reshape(len(labels), dims).astype(np.float32) / 127.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return cls(vectors / np.where(norms > 0, norms, 1.0), labels, int(raw["k"]))
