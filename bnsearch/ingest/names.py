"""The other names an article's lead gives its subject.

An encyclopedia article's first sentence names its subject, often more than
once: "ঔষধ বা ওষুধ …", "আসাম বা অসম …", "গন্ধক তথা সালফার …",
"থার্ড আম্পায়ার বা তৃতীয় আম্পায়ার …", "টাংস্টেন (…, উলফ্রাম নামেও পরিচিত)";
and a later sentence of the lead may say it is known by another
("খেলাটি সকার নামে পরিচিত", "আগে এটি আবিসিনিয়া নামে পরিচিত ছিল").
A reader who knows the subject by the other name (ওষুধ) should find the
article as if it had that title, so the index searches these names with the
title (bnsearch.engine.indexing).

The cut is strict, because a name taken too long ("সাপ বা সর্প হাত-পাবিহীন
দীর্ঘ") would make description words title words: a name stands right next
to the title, joined by বা, অথবা or তথা (or a comma inside such a chain), is
Bengali, at most one word longer than the title, and ends at punctuation, a
bracket, another বা, a copula or article word (হল, একটি …) or a genitive
(the description's start: "ডিএসই বাংলাদেশের প্রধান …"). A later sentence
counts only when its subject is the article's (এটি, তিনি, দেশটি, খেলাটি …)
and it is no definition of a kind ("যিনি ভ্রমণ করেন, তিনি পর্যটক নামে
পরিচিত"). What does not fit is left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..analysis import exact_term
from ..model import Section

__all__ = ["MAX_NAMES", "article_names", "lead_names", "searched_title", "title_with_names"]

# At most this many names per article (a lead listing a dozen spellings is
# a list, not names of one thing).
MAX_NAMES = 4

# The part of the lead a name is looked for in: its first sentence, cut at
# this many characters (a lead that opens with an infobox has no sentence).
_FIRST_SENTENCE = 400
# How much of a lead is read at all (its opening sentences; a lead may be a
# whole long article without headings).
_LEAD_READ = 4000

_JOINERS = frozenset({"বা", "অথবা", "তথা"})
# Words that end a name: the copulas and articles that start a definition.
_ENDERS = frozenset(
    "হল হলো হলেন হচ্ছে হচ্ছেন হয় ছিল ছিলেন একটি একজন এক বলতে বলা যা যে যিনি "
    "নামে নামেও নামক প্রধান প্রথম".split()
)
_KNOWN_AS = ("নামেও", "নামে")
# The lead's sentences after its first that are read for "known as" (a
# lead's later sentences name other things too, so only when the sentence's
# subject is the article's: এটি, তিনি, or the kind of thing it is with the
# classifier -টি; not any -টি noun: উপভাষাটি, প্রক্রিয়াটি, দ্বিতীয়টি name
# other things, and সিকিউরিটি is no classifier at all).
_NEXT_SENTENCES = 6
_PRONOUNS = frozenset({"এটি", "এটা", "ইহা", "তিনি", "ইনি"})
_KINDS = frozenset(
    "দেশ শহর নগর খেলা ভাষা দল নদী সংস্থা প্রতিষ্ঠান বাহিনী দ্বীপ অঞ্চল রাজ্য গ্রাম "
    "জেলা উৎসব পদক পুরস্কার স্থান ভবন বিশ্ববিদ্যালয় পত্রিকা চলচ্চিত্র গ্রন্থ বই".split()
)
# A sentence with a relative pronoun defines a kind of person or thing
# ("যিনি ভ্রমণ করেন, তিনি পর্যটক নামে পরিচিত"), not the article's subject.
_RELATIVES = frozenset({"যিনি", "যাঁরা", "যারা", "যাকে", "যাদের"})
_CONJUNCTIONS = frozenset({"এবং", "ও", "আর", "কিংবা"})
# Words before a name that are not part of it ("in short", "only").
_LEAD_INS = frozenset({"সংক্ষেপে", "শুধু", "শুধুই", "সাধারণত", "অর্থাৎ", "সচরাচর", "মূলত", "প্রায়ই", "বর্তমানে"})
_KNOWN = "পরিচিত"
_BREAKS = frozenset(",()।;:[]")
_TOKEN = re.compile(r"[,()।;:\[\]]|[^\s,()।;:\[\]\"'“”‘’]+")
_BENGALI_WORD = re.compile(r"^[\u0980-\u09FF\u200c\u200d-]+$")
# Genitive endings (-এর, -দের; not a bare -র, which ends many names: নগর,
# বন্দর): a genitive after a name starts the description. The name itself
# may open with one (দার্শনিকের পাথর).
_GENITIVE = ("ের", "দের", "য়ের")


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _key(words: str) -> str:
    return " ".join(exact_term(w) for w in words.split())


def _is_name_word(word: str) -> bool:
    return bool(_BENGALI_WORD.match(word)) and not any("০" <= c <= "৯" for c in word)


def _ends_name(token: str, taken: list[str]) -> bool:
    if token in _BREAKS or token in _JOINERS or token in _ENDERS:
        return True
    return bool(taken) and token.endswith(_GENITIVE)


def _is_lead_in(word: str) -> bool:
    return word in _LEAD_INS or word.endswith("ভাবে")


def _name(words: list[str]) -> str | None:
    """``words`` as a name, without a lead-in adverb (সংক্ষেপে এটিপি,
    সরকারিভাবে রুশ ফেডারেশন); None when they cannot be one: a name is a
    noun phrase, so it does not end in a genitive (… বা বাঘের)."""
    while words and _is_lead_in(words[0]):
        words = words[1:]
    if not words or words[-1].endswith(_GENITIVE) or any(map(_is_lead_in, words)):
        return None
    return " ".join(words)


def _read_after(tokens: list[str], at: int, title: int) -> tuple[str | None, int]:
    """The name starting at ``tokens[at]`` and where it ends (None when the
    words there do not end as a name does): at most one word longer than
    the title's ``title`` words, and no longer than the title when only a
    genitive ends it (a description may open with one: "… বা আকিমিনীয়
    সাম্রাজ্য বৃহত্তর ইরানের …")."""
    while at < len(tokens) and _is_lead_in(tokens[at]):
        at += 1
    taken: list[str] = []
    while at < len(tokens) and not _ends_name(tokens[at], taken):
        if not _is_name_word(tokens[at]) or len(taken) > title:
            return None, at
        taken.append(tokens[at])
        at += 1
    if not taken or at == len(tokens):
        return None, at
    softly = tokens[at] not in _BREAKS and tokens[at] not in _JOINERS | _ENDERS
    if softly and len(taken) > title:
        return None, at
    return _name(taken), at


def _read_before(tokens: list[str], end: int, longest: int) -> str | None:
    """The name ending just before ``tokens[end]``: from the sentence's
    start or a break, at most ``longest`` words."""
    start = end
    while start > 0 and tokens[start - 1] not in _BREAKS:
        start -= 1
    taken = tokens[start:end]
    if not taken or len(taken) > longest or not all(map(_is_name_word, taken)):
        return None
    if any(w in _JOINERS or w in _ENDERS for w in taken):
        return None
    return _name(taken)


def _is_subject(word: str) -> bool:
    """এটি, তিনি, or a kind of thing with the classifier -টি (দেশটি, খেলাটি)."""
    return word in _PRONOUNS or (word.endswith("টি") and word[:-2] in _KINDS)


def _read_after_subject(tokens: list[str], end: int, longest: int) -> str | None:
    """The name between the sentence's subject (_is_subject) and
    ``tokens[end]`` ("known as"), at most ``longest`` words."""
    start = end
    while start > 0 and not _is_subject(tokens[start - 1]):
        start -= 1
        if end - start > longest + 1 or tokens[start] in _BREAKS:
            return None
    if start == 0:
        return None
    taken = tokens[start:end]
    if not taken or not all(map(_is_name_word, taken)):
        return None
    if any(w in _JOINERS or w in _ENDERS or w in _CONJUNCTIONS for w in taken):
        return None
    name = _name(taken)
    return name if name and len(name.split()) <= longest else None


def _find(tokens: list[str], title: list[str]) -> int:
    """Where the title's words first stand in ``tokens``, or -1."""
    keys = [_key(w) for w in title]
    words = [_key(t) for t in tokens]
    for at in range(len(tokens) - len(keys) + 1):
        if words[at : at + len(keys)] == keys:
            return at
    return -1


def _skip_brackets(tokens: list[str], at: int) -> int:
    """Past a bracketed aside right after the title ("টোগো (ফরাসি: Togo)")."""
    if at < len(tokens) and tokens[at] == "(":
        depth = 0
        for i in range(at, len(tokens)):
            depth += tokens[i] == "("
            depth -= tokens[i] == ")"
            if depth == 0:
                return i + 1
    return at


def lead_names(title: str, lead: str) -> tuple[str, ...]:
    """The names besides ``title`` that ``lead``'s first sentence gives the
    article's subject, in the order they stand."""
    title_words = [w for w in _words(re.sub(r"\s*\(.*\)\s*$", "", title)) if w not in _BREAKS]
    if not title_words or not all(map(_is_name_word, title_words)):
        return ()
    lead = lead[:_LEAD_READ]
    sentence = lead[:_FIRST_SENTENCE].split("।", 1)[0]
    tokens = _words(sentence)
    longest = len(title_words) + 1
    names: list[str] = []
    at = _find(tokens, title_words)
    if at >= 0:
        # Before the title: "থার্ড আম্পায়ার বা তৃতীয় আম্পায়ার".
        if at >= 2 and tokens[at - 1] in _JOINERS:
            before = _read_before(tokens, at - 1, longest)
            if before:
                names.append(before)
        # After it: "ঔষধ বা ওষুধ", "ওয়েস্ট ইন্ডিজ ক্রিকেট দল, ওয়েস্ট ইন্ডিজ বা উইন্ডিজ".
        end = _skip_brackets(tokens, at + len(title_words))
        chain: list[str] = []
        joined = False
        while end < len(tokens) and tokens[end] in _JOINERS | {","}:
            joined = joined or tokens[end] in _JOINERS
            name, end = _read_after(tokens, end + 1, len(title_words))
            if name is None:
                break
            chain.append(name)
            end = _skip_brackets(tokens, end)
        if joined:
            names.extend(chain)
    # "(…, উলফ্রাম নামেও পরিচিত)": the name the subject is also known by.
    for i in range(1, len(tokens) - 1):
        if tokens[i] in _KNOWN_AS and tokens[i + 1] == _KNOWN:
            name = _read_before(tokens, i, longest + 1)
            if name:
                names.append(name)
    # The lead's next sentences, when the subject of one is the article's
    # (এটি, তিনি, খেলাটি …): "খেলাটি সকার নামে পরিচিত", "দেশটি আবিসিনিয়া নামে
    # পরিচিত ছিল".
    for sentence in lead.split("।")[1:_NEXT_SENTENCES]:
        tokens = _words(sentence[:_FIRST_SENTENCE])
        if _RELATIVES & set(tokens):
            continue
        for i in range(1, len(tokens) - 1):
            if tokens[i] in _KNOWN_AS and tokens[i + 1] == _KNOWN:
                name = _read_after_subject(tokens, i, longest + 1)
                if name:
                    names.append(name)
    seen = {_key(" ".join(title_words))}
    kept = []
    for name in names:
        if _key(name) not in seen:
            seen.add(_key(name))
            kept.append(name)
    return tuple(kept[:MAX_NAMES])


def article_names(title: str, sections: Sequence[Section]) -> tuple[str, ...]:
    """The names an article's lead (``sections[0]``) gives its subject."""
    if not title or not sections or sections[0].ordinal != 0:
        return ()
    return lead_names(title, sections[0].text)


def searched_title(title: str, sections: Sequence[Section], names: bool = True) -> str:
    """What an article's title fields index: its ``title`` and, with
    ``names``, the names its lead gives the subject (article_names), one per
    line, so that the article is found by any of them as by its title. The
    title itself is what is stored and shown."""
    return title_with_names(title, article_names(title, sections) if names else ())


def title_with_names(title: str, names: Sequence[str]) -> str:
    """The text the title fields index: the title and ``names``, one per line."""
    return "\n".join((title, *names))
