"""Word-level text handling shared by BM25 and sentence selection: tokens, stemming, BM25 index.

Tokens come from bm25s's tokenizer: our splitter keeps dollar amounts and decimals whole ("$5.00" -> "5.00"),
the stop words are data (``prompts/stopwords.txt``), the stemmer is a small suffix stripper. The Snowball
stemmer (PyStemmer) was measured in its place (issue #12): retrieval equal, but two fewer dev answers carrying
their fact and a lower cross-validated gate recall, so the small stemmer stays. Changing any of this changes
the index's tokens: bump ``TOKENS_VERSION``.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

TOKENS_VERSION = 2  # 2: chat filler ("lol", "bro", "kindly") became stop words; saved caches and the gate record it
STOPWORDS_FILE = Path(__file__).resolve().parent.parent / "prompts" / "stopwords.txt"

_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ed", "es", "s")


@functools.cache
def _bm25s() -> None:
    """Import bm25s on first use (about half a second), then put its logger, which it forces to DEBUG on
    import, back under the application's control.
    """
    import bm25s  # noqa: F401

    logging.getLogger("bm25s").setLevel(logging.NOTSET)


@functools.cache
def stopwords() -> frozenset[str]:
    """The stop words of ``prompts/stopwords.txt`` (lines starting with # are comments)."""
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines if not line.lstrip().startswith("#") for word in line.split())


@functools.lru_cache(maxsize=65_536)
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


def _split(text: str) -> list[str]:
    """Words of lower-cased text: apostrophes dropped, thousands separators removed, single letters skipped."""
    text = _THOUSANDS.sub("", text.replace("’", "'"))
    words = (w.replace("'", "") for w in _WORD.findall(text))
    return [w for w in words if len(w) > 1 or w.isdigit()]


def tokenize(texts: Iterable[str]) -> list[list[str]]:
    """Content tokens of each text: lower-cased, stop words removed, stemmed. Dollar amounts keep their digits."""
    _bm25s()
    from bm25s.tokenization import Tokenizer

    # A fresh tokenizer per call (its vocabulary is per corpus); its streaming method skips the progress bar,
    # which costs more than tokenising a sentence.
    tokenizer = Tokenizer(lower=True, splitter=_split, stopwords=stopwords(), stemmer=stem)
    ids = list(tokenizer.streaming_tokenize(list(texts), update_vocab=True, allow_empty=False))
    out: list[list[str]] = tokenizer.decode(ids)
    return out


def tokens(text: str) -> list[str]:
    """Content tokens of one text (see ``tokenize``)."""
    return list(_tokens(text))


@functools.lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    # A question's text is tokenised several times over (reading it, BM25, the gate, the answer): once is enough.
    return tuple(tokenize([text])[0])


class BM25Index:
    """BM25 over chunk texts (bm25s), plus the document frequencies sentence selection reuses."""

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s

        corpus = [doc or ["_empty_"] for doc in tokenize(texts)]
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
        _bm25s()
        import bm25s

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
