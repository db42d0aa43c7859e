"""Loose romanization keys: Latin-typed Bengali (Banglish) meets Bengali.

People type Bengali in Latin letters informally: ``sh``/``s`` for শ ষ স,
``o``/``a`` for the inherent vowel or none at all, doubled or dropped vowels,
``w`` or nothing for ব-ফলা, ``ph``/``f``, ``j``/``z``. ICU's Latin-Bengali
transliterator is strict ISO (``dhaka`` becomes ধক), so both sides are
brought to a *loose form* instead: consonant classes (aspirates with their
plain consonant, স শ ষ as one, …) and five vowels; the *key* is the loose
form without vowels (a leading vowel kept as ``V``) and without repeats.
``ঢাকার`` and ``dhakar`` share the key ``dkr``; candidates that share a key
are told apart by how close their loose forms are (vowels included) and by
how often they occur. The rules are data (romanization.txt), versioned as
ROMANIZATION_VERSION.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

from .distance import weighted_distance
from .script import CONSONANTS, HASANTA, MARKS, NUKTA, VOWEL_SIGNS

__all__ = [
    "INHERENT",
    "ROMANIZATION_VERSION",
    "bengali_fine",
    "bengali_key",
    "bengali_loose",
    "fit",
    "is_latin_word",
    "key_of",
    "latin_fine",
    "latin_key",
    "latin_keys",
    "latin_loose",
    "loose_distance",
]

_HASANTA, _NUKTA = HASANTA, NUKTA
_VOWELS = frozenset("aeiouy")  # y: য় and a typed y, vowel-like in both
_SIGNS = VOWEL_SIGNS
_MARKS = MARKS


def _load() -> tuple[str, dict[str, dict[str, str]], dict[str, list[tuple[str, str]]]]:
    text = resources.files(__package__).joinpath("romanization.txt").read_text("utf-8")
    version = ""
    tables: dict[str, dict[str, str]] = {
        kind: {} for kind in ("bn", "bn-after-hasanta", "bn-cluster", "la-after-consonant",
                              "fine", "fine-cluster")
    }  # fmt: skip
    ordered: dict[str, list[tuple[str, str]]] = {"la": [], "la-fine": []}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, source, *rest = line.split("\t")
        value = rest[0] if rest else ""
        if kind == "version":
            version = source
        elif kind in ordered:
            ordered[kind].append((source, value))
        else:
            tables[kind][unicodedata.normalize("NFC", source)] = value
    for pairs in ordered.values():
        pairs.sort(key=lambda pair: -len(pair[0]))  # longest match first
    return version, tables, ordered


ROMANIZATION_VERSION, _TABLES, _ORDERED = _load()
_BENGALI, _AFTER_HASANTA = _TABLES["bn"], _TABLES["bn-after-hasanta"]
_CLUSTERS, _LATIN_AFTER = _TABLES["bn-cluster"], _TABLES["la-after-consonant"]
_LATIN = _ORDERED["la"]
_FINE, _FINE_CLUSTERS, _LATIN_FINE = _TABLES["fine"], _TABLES["fine-cluster"], _ORDERED["la-fine"]
_LATIN_WORD = re.compile(r"[a-z]+")


def is_latin_word(word: str) -> bool:
    """A word of ASCII letters only (any case)."""
    return bool(_LATIN_WORD.fullmatch(word.lower()))


def _is_consonant(char: str) -> bool:
    return char in CONSONANTS


@lru_cache(maxsize=1 << 16)
def bengali_loose(word: str) -> str:
    """The loose form of a Bengali word (other characters are dropped)."""
    return _bengali_form(word, _BENGALI, _CLUSTERS, "o")


@lru_cache(maxsize=1 << 16)
def bengali_fine(word: str) -> str:
    """How a Bengali word is typed letter by letter: aspiration kept (খ kh),
    the inherent vowel as "ô" (typed o, a or not at all)."""
    return _bengali_form(word, _FINE, _FINE_CLUSTERS, INHERENT)


INHERENT = "ô"


def _bengali_form(word: str, letters: dict, clusters: dict, inherent: str) -> str:
    # NFC keeps ড় ঢ় য় as a letter and a nukta: the table's keys are read so too.
    word = unicodedata.normalize("NFC", word)
    out: list[str] = []
    position, in_cluster = 0, False  # in_cluster: a hasanta came before this consonant
    while position < len(word):
        pair = word[position : position + 2]
        cluster = next((c for c in clusters if word.startswith(c, position)), None)
        if cluster is not None:
            out.append(clusters[cluster])
            position += len(cluster)
            consonant, in_cluster = True, True
        elif (
            len(pair) == 2 and pair in letters
        ):  # a letter with its nukta (য় is a glide: no inherent vowel)
            out.append(letters[pair])
            position += 2
            consonant = pair[0] != "য"
        elif pair[:1] == _HASANTA:
            reph = position > 0 and word[position - 1] == "র"
            if pair[1:] in _AFTER_HASANTA and not reph:
                out.append(_AFTER_HASANTA[pair[1:]])  # a ফলা: the cluster ends here
                position += 2
                consonant, in_cluster = True, True
            else:
                position += 1
                in_cluster = True
                continue
        else:
            char = word[position]
            out.append(letters.get(char, ""))
            position += 1
            consonant = _is_consonant(char)
        if consonant:
            following = word[position : position + 1]
            if _is_consonant(following) or following in _MARKS:
                out.append(inherent)  # the inherent vowel, before another consonant
            elif not following and in_cluster:
                out.append(inherent)  # a word that ends in a cluster: যুদ্ধ juddho
        in_cluster = False
    return "".join(out)


@lru_cache(maxsize=1 << 14)
def latin_loose(word: str) -> str:
    """The loose form of a Latin-typed word."""
    return _latin_form(word, _LATIN, _LATIN_AFTER)


@lru_cache(maxsize=1 << 14)
def latin_fine(word: str) -> str:
    """A typed word in the letters of bengali_fine (ph f, v bh, z j, …)."""
    return _latin_form(word, _LATIN_FINE, {})


def _latin_form(word: str, rules: list[tuple[str, str]], after_consonant: dict[str, str]) -> str:
    """``word`` lower-cased and rewritten by ``rules`` (longest first), and
    by ``after_consonant`` for a letter that follows a consonant; other
    letters kept, anything else dropped."""
    word = word.lower()
    out: list[str] = []
    position = 0
    while position < len(word):
        char = word[position]
        if char in after_consonant and out and out[-1][-1:] not in _VOWELS:
            out.append(after_consonant[char])
            position += 1
            continue
        for source, value in rules:
            if word.startswith(source, position):
                out.append(value)
                position += len(source)
                break
        else:
            out.append(char if char.isalpha() else "")
            position += 1
    return "".join(out)


_FINE_VOWELS = frozenset("aeiouyô")
_OPEN = frozenset("aoô")  # the inherent vowel is typed o, a, or not at all


_TYPED_H = "H"  # an h typed: aspiration the word must have (dhan: ধান, not দান)


def _fine_indel(char: str) -> float:
    if char == INHERENT:
        return 0.1
    if char == "h":
        return 0.2  # the word's aspiration, not typed (daka: ঢাকা)
    if char == _TYPED_H:
        return 0.6  # aspiration typed that the word does not have
    return 0.5 if char in _FINE_VOWELS else 1.0


def _fine_substitution(x: str, y: str) -> float:
    if x == y or {x, y} == {_TYPED_H, "h"}:
        return 0.0
    if x in _OPEN and y in _OPEN:
        if INHERENT in (x, y):
            return 0.1 if "o" in (x, y) else 0.3  # the inherent vowel typed o, or a
        return 0.4  # o typed for া
    if {x, y} <= {"i", "e", "y"} or {x, y} <= {"u", "o"}:
        return 0.35
    return 0.5 if x in _FINE_VOWELS and y in _FINE_VOWELS else 1.0


@lru_cache(maxsize=1 << 16)
def fit(latin: str, bengali: str) -> float:
    """How well a typed word spells a Bengali word, finer than their shared
    key: aspiration, and which vowel, count (khan is খান before কোন; tokyo
    টোকিও before টাকা); repeated letters count once."""
    return weighted_distance(
        _squeeze_repeats(latin_fine(latin)).replace("h", _TYPED_H),
        _squeeze_repeats(bengali_fine(bengali)),
        _fine_substitution,
        _fine_indel,
    )


def _squeeze_repeats(form: str) -> str:
    """``form`` with each run of one letter written once."""
    out: list[str] = []
    for char in form:
        if not out or out[-1] != char:
            out.append(char)
    return "".join(out)


def latin_keys(word: str) -> list[str]:
    """The keys a typed word is looked up under: its key, and where it has
    "ng" (ঙ, ঙ্গ, ং: bongo is বঙ্গ, bangla বাংলা) the key with the g kept."""
    keys = [latin_key(word)]
    if "ng" in word.lower():
        other = latin_key(word.lower().replace("ng", "n-g"))
        if other not in keys:
            keys.append(other)
    return keys


def key_of(loose: str) -> str:
    """The key of a loose form: "V" for a leading vowel, then its consonant
    classes, a doubled one once (ট্ট, tt)."""
    key = ["V"] if loose[:1] in _VOWELS else []
    previous = ""
    for char in loose:
        if char not in _VOWELS and char != previous:
            key.append(char)
        previous = char
    return "".join(key)


def bengali_key(word: str) -> str:
    return key_of(bengali_loose(word))


def latin_key(word: str) -> str:
    return key_of(latin_loose(word))


def _squeeze(loose: str) -> str:
    """Repeats collapsed and the inherent-vowel letters a/o made one (the
    inherent vowel is typed either way, or not at all)."""
    return _squeeze_repeats(loose.replace("o", "a"))


def _indel(char: str) -> float:
    return 0.5 if char in _VOWELS else 1.0


def _substitution(x: str, y: str) -> float:
    if x == y:
        return 0.0
    return 0.5 if x in _VOWELS and y in _VOWELS else 1.0


@lru_cache(maxsize=1 << 16)
def loose_distance(a: str, b: str) -> float:
    """How far two loose forms are: edits on their squeezed forms, a vowel
    dropped, added or changed costing half (the inherent vowel is often not
    typed)."""
    return weighted_distance(_squeeze(a), _squeeze(b), _substitution, _indel)
