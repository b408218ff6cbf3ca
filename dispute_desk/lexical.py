"""Word-level text handling shared by BM25 and sentence selection: tokens, light stemming, BM25 index."""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    im ive id dont doesnt didnt cant wont isnt arent wasnt hi hello thanks thank please pls hey ok okay also
    get got still even really want wants wanted know need needs say says said one way thing things mine""".split()  # noqa: SIM905
)

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ed", "es", "s")


def stem(word: str) -> str:
    """A deliberately small suffix stripper: 'disputes'/'disputed'/'disputing' -> 'disput', 'policies' -> 'polic'."""
    if len(word) <= 2 or any(ch.isdigit() for ch in word):
        return word
    if len(word) > 4 and word.endswith(("ies", "ied")):
        word = word[:-3] + "y"
    else:
        for suffix in _SUFFIXES:
            if not word.endswith(suffix) or len(word) - len(suffix) < 3:
                continue
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith(("e", "y")):
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Content tokens: lower-cased, stop words removed, stemmed. Dollar amounts keep their digits."""
    out = []
    text = _THOUSANDS.sub("", text.lower().replace("’", "'"))
    for word in _WORD.findall(text):
        word = word.replace("'", "")
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        out.append(stem(word))
    return out


class BM25Index:
    """BM25 over chunk texts (bm25s), plus the document frequencies sentence selection reuses."""

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s

        # bm25s forces its logger to DEBUG on import; put it back under the application's control.
        logging.getLogger("bm25s").setLevel(logging.NOTSET)
        corpus = [tokens(t) or ["_empty_"] for t in texts]
        self.size = len(corpus)
        self._bm25 = bm25s.BM25()
        if corpus:
            self._bm25.index(corpus, show_progress=False)
        df: Counter[str] = Counter()
        for doc in corpus:
            df.update(set(doc))
        self._idf = {term: math.log(1 + (self.size - n + 0.5) / (n + 0.5)) for term, n in df.items()}
        self._default_idf = math.log(1 + (self.size + 0.5) / 0.5) if self.size else 1.0

    def save(self, folder: Path) -> None:
        """Write the index (bm25s arrays + our document frequencies) so a later start need not re-tokenise."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.size:
            self._bm25.save(str(folder / "bm25s"), show_progress=False)
        (folder / "idf.json").write_text(json.dumps({"size": self.size, "idf": self._idf}), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        """An index written by ``save`` (the score arrays are memory-mapped, not read into memory)."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.NOTSET)
        raw = json.loads((folder / "idf.json").read_text(encoding="utf-8"))
        index = cls.__new__(cls)
        index.size = int(raw["size"])
        index._idf = {str(k): float(v) for k, v in raw["idf"].items()}
        index._default_idf = math.log(1 + (index.size + 0.5) / 0.5) if index.size else 1.0
        index._bm25 = (bm25s.BM25.load(str(folder / "bm25s"), mmap=True, show_progress=False)
                       if index.size else bm25s.BM25())
        return index

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._default_idf)

    def known(self, term: str) -> bool:
        return term in self._idf

    def top(self, query: str, n: int) -> list[tuple[int, float]]:
        """(document index, score) for the n best documents with a score above zero."""
        query_tokens = tokens(query)
        if not query_tokens or not self.size:
            return []
        scores = self._bm25.get_scores(query_tokens)
        n = min(n, self.size)
        best = np.argpartition(-scores, n - 1)[:n]
        ranked = sorted(best, key=lambda i: -scores[i])
        return [(int(i), float(scores[i])) for i in ranked if scores[i] > 0]
