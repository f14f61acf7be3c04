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
    """Typo budget by word length: none up to 4 letters ("boda" is not "poda"), 1 for 5-8
    letters, 2 from 9 letters."""
    n = len(word)
    if n <= 4 or word.isdigit():
        return 0
    return 1 if n <= 8 else 2


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


# --- synonyms, regional lexicon, false friends, English glossary ----------------------------

SYNONYM_WEIGHT = 0.6  # an expansion always scores below the word as typed (weight 1.0)
LEXICON_WEIGHT = 0.6
CHAINED = 0.9  # what a target itself means (abrir un negocio -> licencia -> patente) weighs less


@dataclass(frozen=True)
class Rule:
    """``phrase`` (folded words) also means each of ``targets``, scored at ``weight``.

    ``countries`` and ``source`` document where the usage comes from (the lexicon's columns).
    """

    phrase: tuple[str, ...]
    targets: tuple[tuple[str, ...], ...]
    weight: float = SYNONYM_WEIGHT
    countries: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Expansion:
    """Words ``start:end`` of a query matched a rule; ``alternatives`` are what else to look for."""

    start: int
    end: int
    alternatives: tuple[tuple[str, ...], ...]
    weight: float = SYNONYM_WEIGHT
    weights: tuple[float, ...] = ()  # per alternative when they differ (chained ones weigh less)


@dataclass
class Synonyms:
    """Equivalence groups ("luz, energia electrica") plus one-way rules (the regional lexicon).

    Phrases are stored folded; matching compares a key of each word (the stem, or the word itself
    for a stop word, in the engines) so plurals and accents match too.
    """

    groups: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    _keyed: dict[int, dict[str, list[tuple[tuple[str, ...], Rule]]]] = field(
        default_factory=dict, repr=False, compare=False
    )

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
            return cls.parse(_packaged("synonyms_es.txt"))
        return cls.parse(Path(path).read_text("utf-8"))

    def with_rules(self, extra: Iterable[Rule]) -> Synonyms:
        """A copy with more one-way rules (an institution's own terms, from the console)."""
        return Synonyms(list(self.groups), [*self.rules, *extra])

    def all_rules(self) -> list[Rule]:
        """Every group as rules (each phrase means the others) followed by the one-way rules."""
        out = [
            Rule(p, tuple(o for o in group if o != p), SYNONYM_WEIGHT) for group in self.groups for p in group
        ]
        return out + self.rules

    def as_rules(self) -> list[str]:
        """Solr/OpenSearch synonym rules: equivalence lines, then ``a => a, b`` for one-way rules
        (the literal is kept, so a synonym graph expands without losing the word as typed)."""
        lines = [", ".join(" ".join(p) for p in group) for group in self.groups]
        for rule in self.rules:
            literal = " ".join(rule.phrase)
            targets = [" ".join(t) for t in rule.targets if " ".join(t) != literal]
            if targets:
                lines.append(f"{literal} => {', '.join([literal, *targets])}")
        return lines

    def _index(self, key: Callable[[str], str]) -> dict[str, list[tuple[tuple[str, ...], Rule]]]:
        found = self._keyed.get(id(key))
        if found is None:
            found = {}
            for rule in self.all_rules():
                keys = tuple(key(w) for w in rule.phrase)
                if keys:
                    found.setdefault(keys[0], []).append((keys, rule))
            for entries in found.values():
                entries.sort(key=lambda e: -len(e[0]))
            self._keyed[id(key)] = found
        return found

    def expand(self, query_words: Sequence[str], key: Callable[[str], str] = lambda w: w) -> list[Expansion]:
        """Every longest, leftmost rule phrase found in ``query_words``, merged per span.

        ``key`` must be a long-lived function (its identity caches the keyed rules).
        """
        index = self._index(key)
        keyed = [key(w) for w in query_words]
        found: list[Expansion] = []
        i = 0
        while i < len(keyed):
            best_len = 0
            alternatives: dict[tuple[str, ...], float] = {}
            for keys, rule in index.get(keyed[i], ()):
                n = len(keys)
                if n < best_len or i + n > len(keyed) or tuple(keyed[i : i + n]) != keys:
                    continue
                best_len = n
                for t in rule.targets:
                    if t != rule.phrase:
                        alternatives[t] = max(alternatives.get(t, 0.0), rule.weight)
            if not best_len:
                i += 1
                continue
            if alternatives:
                weight = max(alternatives.values())
                found.append(
                    Expansion(i, i + best_len, tuple(alternatives), weight, tuple(alternatives.values()))
                )
            i += best_len
        return found


def plural_key(word: str) -> str:
    """How lexicon phrases compare: the folded word without a plural ending ("baches" = "bache",
    "luces" = "luz"), but not its stem, so "hoy" is not "hoyo" and "recibir" is not "recibo"."""
    if len(word) > 3 and word.endswith("s"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if word.endswith("z"):
        word = word[:-1] + "c"
    return word


def _packaged(name: str) -> str:
    return resources.files("ventanilla.help.search").joinpath(name).read_text("utf-8")


def parse_lexicon(text: str, weight: float = LEXICON_WEIGHT) -> list[Rule]:
    """``term | means | countries | source`` lines (see lexicon_latam.txt) as one-way rules."""
    rules: list[Rule] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 2:
            continue
        phrase, target = tuple(words(cells[0])), tuple(words(cells[1]))
        if not phrase or not target or phrase == target:
            continue
        countries = tuple(c.strip().upper() for c in cells[2].split(",")) if len(cells) > 2 else ()
        rules.append(Rule(phrase, (target,), weight, countries, cells[3] if len(cells) > 3 else ""))
    return rules


@lru_cache(maxsize=1)
def default_synonyms() -> Synonyms:
    return Synonyms.load()


@lru_cache(maxsize=1)
def default_lexicon() -> Synonyms:
    """The Latin American lexicon (lexicon_latam.txt) as one-way rules; match with plural_key."""
    return Synonyms(rules=parse_lexicon(_packaged("lexicon_latam.txt")))


DEFAULT_COUNTRY = "CL"  # INSTITUTION_COUNTRY's default (settings)


def _names_by_common_name(
    country: str, official_only: bool = False
) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Each common name of the lexicon and the words ``country`` uses for it, in lexicon order."""
    found: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for rule in default_lexicon().rules:
        if country in rule.countries and (not official_only or rule.source.lower().startswith("norma")):
            for target in rule.targets:
                found.setdefault(target, []).append(rule.phrase)
    return found


@lru_cache(maxsize=8)
def local_names(country: str = DEFAULT_COUNTRY) -> Synonyms:
    """The way back from each common name of the lexicon to the words ``country`` uses for it.

    The lexicon maps what citizens type to a common name ("predial" -> "impuesto predial"); a
    Chilean municipality's articles say "contribuciones". Followed only as the second hop of an
    expansion (a word from another country, or the English glossary's common name, reaching the
    local word), never for the words as typed: those keep their own meaning.
    """
    return Synonyms(
        rules=[
            Rule(target, tuple(dict.fromkeys(names)), LEXICON_WEIGHT, (country,), "local name")
            for target, names in _names_by_common_name(country).items()
        ]
    )


@lru_cache(maxsize=8)
def official_names(country: str = DEFAULT_COUNTRY) -> Synonyms:
    """Each common name and the first official name ``country`` gives it (lexicon source "norma"):
    "licencia de funcionamiento" is "patente" in a Chilean municipality's articles."""
    return Synonyms(
        rules=[
            Rule(target, (names[0],), LEXICON_WEIGHT, (country,), "official name")
            for target, names in _names_by_common_name(country, official_only=True).items()
        ]
    )


def localise(text: str, names: Synonyms) -> str:
    """``text`` (the glossary's Spanish for an English query) with each common name followed by
    the official name the institution's country gives it. The citizen typed neither: we chose the
    common name, and the articles may use either (a word of each is enough to rank them)."""
    found = words(text)
    out: list[str] = []
    at = 0
    for exp in names.expand(found, key=plural_key):
        out += [*found[at : exp.end], *exp.alternatives[0]]
        at = exp.end
    return " ".join([*out, *found[at:]])


@dataclass(frozen=True)
class FalseFriends:
    """Word forms the stemmer collapses although they mean different things.

    ``family(word)`` is the set of forms that may match ``word`` (its own group), or None when the
    word is not listed and its stem can be trusted.
    """

    groups: dict[str, frozenset[str]]

    @classmethod
    def parse(cls, text: str) -> FalseFriends:
        groups: dict[str, frozenset[str]] = {}
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            for part in line.split("|"):
                forms = frozenset(words(part))
                for w in forms:
                    groups[w] = forms
        return cls(groups)

    def family(self, word: str) -> frozenset[str] | None:
        return self.groups.get(word)

    def lines(self) -> list[list[frozenset[str]]]:
        """The collisions as lists of groups (for tests that check each still collides)."""
        out: list[list[frozenset[str]]] = []
        for raw in _packaged("false_friends_es.txt").splitlines():
            line = raw.split("#", 1)[0].strip()
            if line:
                out.append([frozenset(words(p)) for p in line.split("|")])
        return out


@lru_cache(maxsize=1)
def false_friends() -> FalseFriends:
    return FalseFriends.parse(_packaged("false_friends_es.txt"))


@dataclass(frozen=True)
class Glossary:
    """English -> Spanish phrases of the help centre's terms (``glossary_en_es.txt``)."""

    rules: tuple[tuple[tuple[str, ...], str], ...]
    by_first: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Glossary:
        rules: list[tuple[tuple[str, ...], str]] = []
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if "|" not in line:
                continue
            en, es = (c.strip() for c in line.split("|", 1))
            key = tuple(k for k in (stem(w, "en") or w for w in words(en)) if k)
            if key and es:
                rules.append((key, " ".join(words(es))))
        rules.sort(key=lambda r: -len(r[0]))
        by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for rule in rules:
            by_first.setdefault(rule[0][0], []).append(rule)
        return cls(tuple(rules), {k: tuple(v) for k, v in by_first.items()})

    def translate(self, text: str, keep: Callable[[str], bool] = lambda w: True) -> tuple[str, int]:
        """Spanish words for an English query and how many English words were translated.

        English stop words are dropped; a word with no entry is kept only if ``keep`` says so (the
        engine keeps words the Spanish content uses: a name, a code, a word both languages share)."""
        ws = words(text)
        keys = [stem(w, "en") for w in ws]
        out: list[str] = []
        translated = 0
        i = 0
        while i < len(ws):
            candidates = self.by_first.get(keys[i], ()) + self.by_first.get(ws[i], ())
            for key, es in candidates:
                n = len(key)
                if tuple(keys[i : i + n]) == key or tuple(ws[i : i + n]) == key:
                    out.append(es)
                    translated += n
                    i += n
                    break
            else:
                if keys[i] and ws[i] not in ENGLISH_FUNCTION_WORDS and keep(ws[i]):
                    out.append(ws[i])
                i += 1
        return " ".join(out), translated


# Question words, pronouns and auxiliaries of English queries (tantivy's English stop list is short).
_ENGLISH_FUNCTION = """
    i me my mine we our us you your he she his her they them their what where when why how who which
    do does did done can could should would will shall may might must have has had get got am
    out up down off over about from just please need want help some any there here
"""
ENGLISH_FUNCTION_WORDS: frozenset[str] = frozenset(_ENGLISH_FUNCTION.split())


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    return Glossary.parse(_packaged("glossary_en_es.txt"))


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
                if max_edits(w) == 0:
                    continue  # a correction must be within its own budget too: none for short words
                for d in _deletes(w, max_edits(w)):
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


def unstemmed_analyzer() -> tantivy.TextAnalyzer:
    """Folded words without stemming or stop words: where the stemmer would confuse two words."""
    import tantivy

    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )
