"""ANALYZER_VERSION must change whenever any analysis rule changes.

An index records the analyzer version it was built with and refuses to be
searched by another, so a rule change without a version bump would silently
mix old and new terms. This test fingerprints what the analyzers produce on a
fixed sample (the seed articles, the test tables, tricky strings) plus the
rule lists, and compares it with the fingerprint recorded for the version.
"""

from __future__ import annotations

import hashlib

from conftest import DATA, SEED_DIR, read_table

from bnsearch.analysis import ANALYZER_VERSION, STOPWORDS, analyze
from bnsearch.analysis.filters import _STEMMER

# Bases of every shape (consonant-, vowel-, conjunct-final, nukta, -ার, -ক,
# -ত, protected) and the suffixes the stemmer knows, alone and in pairs: any
# change to a stemming rule changes some of these terms.
BASES = "দেশ দল কাতার বাজার ফেদেরার মেক্সিকো ভাষা নদী চুক্তি সময় বৈঠক ভারত রাশিয়া বই ব্যাটিং মাটি সম্পর্ক"
SUFFIXES = "ের র য় য়ের য়ে কে তে এ ে ই ও গুলো গুলোর গুলোতে গুলি সমূহ দের দেরকে রা েরা টি টির টিতে টা"


def _grid() -> list[str]:
    suffixes = SUFFIXES.split()
    words = []
    for base in BASES.split():
        words += [base + a for a in suffixes]
        words += [base + a + b for a in suffixes for b in ("ই", "ও", "ের", "কে")]
    return [" ".join(words)]


TRICKY = [
    "Qatarকে FIFAর iPhoneটি COVID-19-এর ১৬ই ডিসেম্বর ৩২টি ১৯শ শতকে",
    "র\u200d্যাব কি\u200cন্তু উত্\u200dপাদন উত্পাদন বাড়ি বাড়ি রযে়ছে দুই্টি যুুদ্ধ",
    "😀 𝐀 ＦＩＦＡ Straße ١٢٣ ৩.৫% ১,২৩৪ ক'দিন মো.আব্দুল www.qatar.qa",
    "ডি’অলিভেইরা ডি‘অলিভেইরা ডিʼঅলিভেইরা কবে কয়টি কতজন কাদের কোনটি কিসের ?",
]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for word in sorted(STOPWORDS):
        digest.update(f"stop {word}\n".encode())
    for word in sorted(_STEMMER.protected):
        digest.update(f"protected {word}\n".encode())
    for ending in sorted(_STEMMER.protected_endings):
        digest.update(f"ending {ending}\n".encode())
    samples = [p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt"))]
    samples += [
        " ".join(row[:2])
        for name in ("conflation.tsv", "keep_apart.tsv")
        for row in read_table(name)
    ]
    samples += TRICKY + _grid()
    for text in samples:
        for field in ("exact", "stem"):
            for token in analyze(text, field):
                digest.update(f"{field} {token.start} {token.end} {token.term}\n".encode())
    return digest.hexdigest()[:16]


def test_rules_unchanged_for_this_analyzer_version() -> None:
    recorded = dict(read_table("analyzer_versions.tsv"))
    current = fingerprint()
    assert ANALYZER_VERSION in recorded, (
        f"record the fingerprint of {ANALYZER_VERSION} in {DATA / 'analyzer_versions.tsv'}: "
        f"{ANALYZER_VERSION}\t{current}"
    )
    assert recorded[ANALYZER_VERSION] == current, (
        "analysis output changed: bump ANALYZER_VERSION in bnsearch/analysis/__init__.py "
        f"and record the new fingerprint ({current})"
    )


def test_each_version_has_its_own_fingerprint() -> None:
    fingerprints = [row[1] for row in read_table("analyzer_versions.tsv")]
    assert len(fingerprints) == len(set(fingerprints))
