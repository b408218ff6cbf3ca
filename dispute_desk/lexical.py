"""Word-level text handling shared by BM25 and sentence selection: tokens, stemming, BM25 index.

Tokens come from bm25s's tokenizer with the Snowball English stemmer (PyStemmer): our splitter keeps dollar
amounts and decimals whole ("$5.00" -> "5.00"), the stop words are NLTK's English list plus the domain words
in ``prompts/stopwords.txt``. Changing any of this changes the index's tokens: bump ``TOKENS_VERSION``.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import Stemmer

TOKENS_VERSION = 2  # 1: hand-written suffix stripper; 2: Snowball (PyStemmer) through bm25s's tokenizer
STOPWORDS_FILE = Path(__file__).resolve().parent.parent / "prompts" / "stopwords.txt"

_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_local = threading.local()


def _bm25s() -> None:
    """Import bm25s on first use (about half a second), then put its logger, which it forces to DEBUG on
    import, back under the application's control.
    """
    import bm25s  # noqa: F401

    logging.getLogger("bm25s").setLevel(logging.NOTSET)


@functools.cache
def stopwords() -> frozenset[str]:
    """NLTK's English stop words plus the domain ones, all also without their apostrophes ("don't" -> "dont")."""
    _bm25s()
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    domain = (line.strip() for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines())
    words = {*STOPWORDS_EN_PLUS, *(w for w in domain if w and not w.startswith("#"))}
    return frozenset(words | {w.replace("'", "") for w in words})


def _split(text: str) -> list[str]:
    """Words of lower-cased text: apostrophes dropped, thousands separators removed, single letters skipped."""
    text = _THOUSANDS.sub("", text.replace("’", "'"))
    words = (w.replace("'", "") for w in _WORD.findall(text))
    return [w for w in words if len(w) > 1 or w.isdigit()]


def _stemmer() -> Stemmer.Stemmer:
    """The Snowball stemmer of the calling thread: a stemmer has internal state and must not be shared across
    threads, and keeping one per thread keeps its cache of recent words warm.
    """
    stemmer: Stemmer.Stemmer | None = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def tokenize(texts: Iterable[str]) -> list[list[str]]:
    """Content tokens of each text: lower-cased, stop words removed, stemmed. Dollar amounts keep their digits."""
    from bm25s.tokenization import Tokenizer

    # A fresh tokenizer per call (its vocabulary is per corpus); its streaming method skips the progress bar,
    # which costs more than tokenising a sentence.
    tokenizer = Tokenizer(lower=True, splitter=_split, stopwords=stopwords(), stemmer=_stemmer())
    ids = list(tokenizer.streaming_tokenize(list(texts), update_vocab=True, allow_empty=False))
    out: list[list[str]] = tokenizer.decode(ids)
    return out


def tokens(text: str) -> list[str]:
    """Content tokens of one text (see ``tokenize``)."""
    return tokenize([text])[0]


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
