"""The search page's two languages: Bengali (the default) and English.

Every text the page shows comes from here: its labels, and the library's
messages (notices and errors, :class:`bnsearch.model.Message`) said by their
key. A message with no Bengali text here is shown in English and marked
``lang="en"``, so that a screen reader speaks it with an English voice.
On the Bengali page numbers are written in Bengali digits.
"""

from __future__ import annotations

from typing import Literal

from markupsafe import Markup, escape

from ..model import Message

__all__ = ["LANGUAGES", "Language", "choose", "digits", "say", "text_of"]

Language = Literal["bn", "en"]
LANGUAGES: tuple[Language, ...] = ("bn", "en")
_BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def choose(asked: str | None) -> Language:
    """The page's language: ``?lang=`` when it names one of LANGUAGES, else
    Bengali. (Not the browser's Accept-Language: many Bengali readers'
    browsers say only English, and the page is a Bengali one.)"""
    return asked if asked in LANGUAGES else "bn"  # type: ignore[return-value]


def digits(value: object, language: Language) -> str:
    """``value`` as text, in Bengali digits on the Bengali page."""
    text = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
    return text.translate(_BENGALI_DIGITS) if language == "bn" else text


# The page's labels: key → (Bengali, English).
LABELS: dict[str, tuple[str, str]] = {
    "site": ("bnsearch: বাংলা অনুসন্ধান", "bnsearch: Bengali search"),
    "skip": ("মূল অংশে যান", "Skip to the main content"),
    "brand": ("bnsearch: নতুন অনুসন্ধান", "bnsearch: a new search"),
    "search": ("অনুসন্ধান", "Search"),
    "placeholder": ("বাংলায় লিখুন: কাতারের রাজধানী", "Type in Bengali: কাতারের রাজধানী"),
    "submit": ("খুঁজুন", "Search"),
    "options": (
        "আরও বিকল্প: অনুচ্ছেদের শিরোনাম, অন্য অনুচ্ছেদ",
        "More options: section heading, other sections",
    ),
    "section": ("অনুচ্ছেদের শিরোনামে", "In section headings"),
    "section_example": ("ইতিহাস", "ইতিহাস"),
    "show_sections": (
        "প্রতিটি নিবন্ধের অন্য মিল থাকা অনুচ্ছেদও দেখাও",
        "Also show each article's other matching sections",
    ),
    "suggestions": ("পরামর্শ", "Suggestions"),
    "results_heading": ("ফলাফল", "Results"),
    "did_you_mean": ("আপনি কি খুঁজছেন:", "Did you mean:"),
    "no_match": ("{query}: কোনো নিবন্ধ মেলেনি", "{query}: no article matched"),
    "no_match_section": (
        " (শিরোনামে “{section}” আছে এমন অনুচ্ছেদে)",
        " (in sections headed “{section}”)",
    ),
    "past_end": (
        "পৃষ্ঠা {page} শেষের পরে: {total}টি নিবন্ধ, {pages} পৃষ্ঠা",
        "Page {page} is past the end: {total} articles, {pages} pages",
    ),
    "count": ("{total}টি নিবন্ধ", "{total} articles"),
    "count_one": ("{total}টি নিবন্ধ", "1 article"),
    "count_more": (" বা তার বেশি", " or more"),
    "page_of": ("পৃষ্ঠা {page} / {pages}", "page {page} of {pages}"),
    "took": ("{seconds} সেকেন্ডে", "in {seconds} s"),
    "copies": ("একই নিবন্ধ:", "The same article:"),
    "others": (
        "এই নিবন্ধের আরও {count}টি অনুচ্ছেদে মিল",
        "{count} more matching sections of this article",
    ),
    "lead_link": ("নিবন্ধের শুরু", "Start of the article"),
    "lead": ("ভূমিকা", "Introduction"),
    "pages": ("পৃষ্ঠা", "Pages"),
    "previous": ("← আগের পৃষ্ঠা", "← Previous page"),
    "next": ("পরের পৃষ্ঠা →", "Next page →"),
    "page_number": ("পৃষ্ঠা {number}", "Page {number}"),
    "intro": (
        "বাংলা লেখায় শব্দের যেকোনো রূপ খুঁজুন। উদাহরণ:",
        "Search Bengali text for any form of a word. Examples:",
    ),
    "example_words": ("দুটি শব্দ", "two words"),
    "example_phrase": ("বাক্যাংশ", "a phrase"),
    "example_exclude": ("একটি শব্দ বাদ দিয়ে", "leaving a word out"),
    "example_require": ("একটি শব্দ আবশ্যক করে", "requiring a word"),
    "example_title": ("শিরোনামে", "in titles"),
    "example_question": ("প্রশ্ন", "a question"),
    "example_romanized": ("রোমান হরফে", "in Latin letters"),
    "back": ("← ফলাফলে ফিরুন", "← Back to the results"),
    "new_search": ("নতুন অনুসন্ধান", "A new search"),
    "contents": ("সূচিপত্র", "Contents"),
    "to_top": ("↑ শুরুতে", "↑ To the top"),
    "this_hit": ("(এখানে মিল)", "(the match)"),
    "source": ("উৎস: {source}", "Source: {source}"),
    "licence_wikipedia": (
        "লেখাটি উইকিপিডিয়া থেকে, ক্রিয়েটিভ কমন্স অ্যাট্রিবিউশন-শেয়ারঅ্যালাইক (CC BY-SA) লাইসেন্সে।",
        "The text is from Wikipedia, under the Creative Commons Attribution-ShareAlike "
        "licence (CC BY-SA).",
    ),
    "language_switch": ("English", "বাংলা"),
    "error": ("ত্রুটি", "Error"),
    "status_400": ("অনুসন্ধান করা গেল না", "The query cannot be searched"),
    "status_403": ("অনুমতি নেই", "Not allowed"),
    "status_404": ("পাওয়া যায়নি", "Not found"),
    "status_405": ("এই পদ্ধতি চলে না", "Method not allowed"),
    "status_413": ("অনুরোধটি খুব বড়", "The request is too large"),
    "status_422": ("ভুল অনুরোধ", "Invalid request"),
    "status_500": ("সার্ভারের ত্রুটি", "Server error"),
    "status_503": ("সার্ভার এখন উত্তর দিতে পারছে না", "The server cannot answer now"),
}

# The library's messages in Bengali, by key (see bnsearch.model.Message).
MESSAGES: dict[str, str] = {
    "romanized": "{word} → {forms}: রোমান হরফে লেখা বাংলা হিসেবে পড়া হয়েছে",
    "spellings": "{word}: সূচিতে যে বানানে আছে, সেই {forms}-ও খোঁজা হয়েছে",
    "joined": "{words}: সূচিতে যেভাবে একসঙ্গে লেখা, সেই {joined}-ও খোঁজা হয়েছে",
    "joined_romanized": "{words}: এক শব্দ হিসেবে পড়ে {joined}-ও খোঁজা হয়েছে",
    "split": "{word}: সূচিতে যেভাবে আলাদা করে লেখা, সেই {halves}-ও খোঁজা হয়েছে",
    "exonyms": "{word}: এর বাংলা নাম {names}-ও খোঁজা হয়েছে",
    "related": "{words}: যে অনুচ্ছেদে “{form}” আছে, সেটিও এর উত্তর দেয়",
    "prefix_cut": (
        "{prefix}* দিয়ে এত শব্দ শুরু হয় যে সবগুলো খোঁজা যায় না: সবচেয়ে বেশি পাওয়া "
        "{kept}টি খোঁজা হয়েছে, বাদ গেছে {left_out}টি"
    ),
    "latin_only": ("{words}: রোমান হরফের শব্দ শুধু রোমান হরফের লেখায় মিলবে (বাংলা হিসেবে পড়া বন্ধ আছে)"),
    "empty_filter": (
        "{field} ফিল্টার “{words}”-এ খোঁজার মতো কোনো শব্দ নেই: স্টপওয়ার্ড ও প্রশ্নবোধক শব্দ সূচিতে রাখা হয় না"
    ),
    "short_prefix": "{prefix}* খুব বিস্তৃত: * চিহ্নের আগে অন্তত {letters}টি অক্ষর দিন",
    "empty_query": "খালি অনুসন্ধান: এক বা একাধিক শব্দ লিখুন",
    "nothing_to_search": "“{query}”-এ খোঁজার মতো কিছু নেই: এক বা একাধিক শব্দ লিখুন",
    "timeout": (
        "অনুসন্ধানটি তার সময়সীমায় ({seconds} সেকেন্ড) শেষ হয়নি: আরও বিরল শব্দ, কম শব্দ বা লম্বা শুরু দিয়ে খুঁজুন"
    ),
    "unknown_field": "অজানা ফিল্ড {field}: অনুসন্ধানে; যে ফিল্ডগুলো আছে: {known}",
    "too_deep": "অনুসন্ধানে বন্ধনী {depth} স্তরের বেশি গভীর",
    "proximity": (
        'নৈকট্য-অনুসন্ধান ("…"~N) চলে না: উদ্ধৃতিচিহ্ন ছাড়া শব্দগুলো খুঁজুন, যে অনুচ্ছেদে বেশি শব্দ আছে সেটি আগে আসবে'
    ),
    "fuzzy": ("আনুমানিক ও নৈকট্য-অনুসন্ধান (~) চলে না: বিরল শব্দের কাছাকাছি বানান এমনিতেই খোঁজা হয়"),
    "boost": (
        "গুরুত্ব বাড়ানো ({token}) চলে না: প্রতিটি শব্দ তার বিরলতা অনুযায়ী গোনা হয়, আর +শব্দ সেটিকে আবশ্যক করে"
    ),
    "wildcard": "এক-অক্ষরের ওয়াইল্ডকার্ড ({token}) চলে না: {prefix}* এর মতো শুরু দিয়ে খুঁজুন",
    "leading_wildcard": (
        "* চিহ্নের আগে অন্তত ২টি অক্ষর চাই ({token}): শব্দ খোঁজা হয় তার শুরু দিয়ে, শেষ দিয়ে নয়"
    ),
    "too_long": "অনুসন্ধানটি {length} অক্ষরের; সর্বোচ্চ {most}",
    "too_many_words": "অনুসন্ধানে {words}টি শব্দ; সর্বোচ্চ {most}টি (কম জরুরিগুলো বাদ দিন)",
    "no_article": "এই আইডির কোনো নিবন্ধ সূচিতে নেই: {id}",
    "no_page": "এই ঠিকানায় কোনো পৃষ্ঠা নেই",
    "invalid": "অনুরোধে ভুল মান: {where}",
    "busy": "সার্ভার এখন ব্যস্ত: একটু পরে আবার চেষ্টা করুন",
    "internal": "অভ্যন্তরীণ ত্রুটি: সার্ভার উত্তর দিতে পারেনি",
}
_FIELDS_BN = {"title": "শিরোনাম", "section": "অনুচ্ছেদ"}


def text_of(key: str, language: Language, **values: object) -> str:
    """A label in the page's language, its numbers in its digits."""
    bengali, english = LABELS[key]
    template = bengali if language == "bn" else english
    return template.format(**{k: _value(v, language) for k, v in values.items()})


def say(message: str, language: Language) -> Markup:
    """A library message in the page's language, escaped: in Bengali when
    it is a Message with a Bengali text, else as written, marked English."""
    if language == "bn" and isinstance(message, Message) and message.key in MESSAGES:
        values = {k: _value(v, language) for k, v in message.values.items()}
        if message.key == "empty_filter":
            values["field"] = _FIELDS_BN.get(str(message.values.get("field")), values["field"])
        return escape(MESSAGES[message.key].format(**values))
    if language == "bn":
        return Markup('<span lang="en">{}</span>').format(message)
    return escape(message)


def _value(value: object, language: Language) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
        return shown.translate(_BENGALI_DIGITS) if language == "bn" else shown
    return str(value)
