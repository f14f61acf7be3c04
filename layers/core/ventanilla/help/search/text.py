"""Spanish text normalisation shared by the search engines.

The index analyzers (tantivy's and OpenSearch's) do the heavy lifting at index time; this module
does the query-side work both need to agree on: folding accents and case, tokenising, expanding
colloquial synonyms and finding spelling corrections in the indexed vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where an analyzer is built: the OpenSearch engine never loads tantivy
    import tantivy

# Letters and digits; underscores and punctuation split words ("20.285" -> "20", "285").
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)

# Caps that keep any query cheap: a pasted 2,000-character text is cut to its first words.
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 24

# Words citizens wrap around a question that say nothing about the topic. Dropped from queries
# only (never from the index), and only when something else is left.
_NOISE = """
    hola buenas buenos dias tardes noches saludos gracias favor porfa porfavor quisiera queria
    quiero necesito necesitaria saber consultar pregunta preguntar ayudenme ayudeme alguien
    puedo podria puede pueden hago hacer tengo tiene tienen debo deberia donde cuando como cual
    cuales que quien cuanto cuanta cuantos cuantas mi mis me yo usted ustedes nos por para
    estimados estimado senor senora senores municipalidad muni municipal valle verde
"""
QUERY_NOISE: frozenset[str] = frozenset(_NOISE.split())


def fold(text: str) -> str:
    """Lowercase and strip diacritics, so "Licéncia", "LICENCIA" and "licencia" compare equal (ñ -> n)."""
    # Decompose, lowercase, decompose again (lowercasing can create new combining marks, "İ").
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded words of ``text`` in order (letters and digits only)."""
    return _WORD_RE.findall(fold(text))


def spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of the words of ``text`` in the original string, for highlighting."""
    for match in _WORD_RE.finditer(text):
        yield match.start(), match.end()


def clip_query(query: str) -> str:
    """Bound the work a single query can cause, whatever its length."""
    return query[:MAX_QUERY_CHARS]


def max_edits(word: str) -> int:
    """Typo budget by word length: none below 4 letters, 1 for 4-7 letters, 2 from 8 letters."""
    n = len(word)
    if n < 4 or word.isdigit():
        return 0
    return 1 if n <= 7 else 2


def spanish_analyzer() -> tantivy.TextAnalyzer:
    """The analysis chain of Spanish text: lowercase, stop words, ASCII folding, Snowball stemmer.

    Stop words go before folding because tantivy's Spanish list is accented ("está", "más").
    """
    import tantivy

    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("spanish"))
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("spanish"))
        .build()
    )


def english_analyzer() -> tantivy.TextAnalyzer:
    """Same chain for the English translations."""
    import tantivy

    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


_ANALYZERS: dict[str, tantivy.TextAnalyzer] = {}


def analyzer_for(lang: str) -> tantivy.TextAnalyzer:
    if lang not in _ANALYZERS:
        _ANALYZERS[lang] = english_analyzer() if lang == "en" else spanish_analyzer()
    return _ANALYZERS[lang]


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str = "es") -> str:
    """Index term of one folded word, or "" for a stop word."""
    out = analyzer_for(lang).analyze(word)
    return str(out[0]) if out else ""


# --- synonyms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expansion:
    """Words ``start:end`` of a query matched a synonym group; ``alternatives`` are the others."""

    start: int
    end: int
    alternatives: tuple[tuple[str, ...], ...]


@dataclass
class Synonyms:
    """Groups of equivalent words or phrases ("luz, energia electrica, electricidad").

    Phrases are stored folded; matching compares a key of each word (the stem by default in the
    engines) so plurals and accents match too.
    """

    groups: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> Synonyms:
        groups: list[tuple[tuple[str, ...], ...]] = []
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            phrases = [tuple(words(p)) for p in line.split(",")]
            unique = tuple(dict.fromkeys(p for p in phrases if p))
            if len(unique) >= 2:
                groups.append(unique)
        return cls(groups)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Synonyms:
        """Load a synonyms file; by default the one packaged with the search engines."""
        if path is None:
            text = resources.files("ventanilla.help.search").joinpath("synonyms_es.txt").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        return cls.parse(text)

    def as_rules(self) -> list[str]:
        """Solr/OpenSearch synonym rules, one equivalence group per line."""
        return [", ".join(" ".join(p) for p in group) for group in self.groups]

    def expand(self, query_words: Sequence[str], key: Callable[[str], str] = lambda w: w) -> list[Expansion]:
        """Every (longest, leftmost) phrase of a group found in ``query_words``, with its alternatives."""
        keyed = [key(w) for w in query_words]
        found: list[Expansion] = []
        i = 0
        while i < len(keyed):
            best: Expansion | None = None
            for group in self.groups:
                for phrase in group:
                    n = len(phrase)
                    if n == 0 or i + n > len(keyed) or (best is not None and n <= best.end - best.start):
                        continue
                    if all(keyed[i + j] == key(phrase[j]) for j in range(n)):
                        others = tuple(p for p in group if p != phrase)
                        best = Expansion(i, i + n, others)
            if best is None:
                i += 1
            else:
                found.append(best)
                i = best.end
        return found


@lru_cache(maxsize=1)
def default_synonyms() -> Synonyms:
    return Synonyms.load()


# --- spelling -------------------------------------------------------------------------------


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance (a swap counts 1), or ``limit + 1`` once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1] if prev[-1] <= limit else limit + 1


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        nxt = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= nxt
        frontier = nxt
    return out


class Vocabulary:
    """Counts of the folded words of indexed text, with a symmetric-delete lookup for typos.

    Corrections always come from words that really occur in the content, so "lisencia de
    condusir" becomes "licencia de conducir" and never a dictionary word the help does not use.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lookup: dict[str, list[str]] | None = None

    def add(self, ws: Iterable[str]) -> None:
        before = len(self.counts)
        self.counts.update(ws)
        if len(self.counts) != before:
            self._lookup = None

    def subtract(self, ws: Iterable[str]) -> None:
        self.counts.subtract(ws)
        gone = [w for w, c in self.counts.items() if c <= 0]
        for w in gone:
            del self.counts[w]
        if gone:
            self._lookup = None

    def __contains__(self, word: object) -> bool:
        return word in self.counts

    def _index(self) -> dict[str, list[str]]:
        if self._lookup is None:
            lookup: dict[str, list[str]] = {}
            for w in self.counts:
                if len(w) < 3 or w.isdigit():
                    continue
                for d in _deletes(w, 2 if len(w) >= 7 else 1):
                    lookup.setdefault(d, []).append(w)
            self._lookup = lookup
        return self._lookup

    def similar(self, word: str, limit: int | None = None) -> list[tuple[str, int]]:
        """Known words within the typo budget of ``word`` (itself excluded), nearest and commonest first."""
        budget = max_edits(word) if limit is None else limit
        if budget == 0:
            return []
        lookup = self._index()
        seen: set[str] = set()
        found: list[tuple[int, int, str]] = []
        for d in _deletes(word, budget):
            for cand in lookup.get(d, ()):
                if cand in seen or cand == word:
                    continue
                seen.add(cand)
                dist = edit_distance(word, cand, budget)
                if dist <= min(budget, max_edits(cand)):
                    found.append((dist, -self.counts[cand], cand))
        found.sort()
        return [(w, d) for d, _, w in found]

    def correct(self, word: str) -> str | None:
        """The best replacement for an unknown word, or None when it is known or nothing is close."""
        if word in self.counts or word.isdigit():
            return None
        near = self.similar(word)
        return near[0][0] if near else None
