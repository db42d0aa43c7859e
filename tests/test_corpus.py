"""Corpus readers: the seed files, JSON Lines, MediaWiki XML, and bad input."""

from __future__ import annotations

import bz2
import gzip
import json
import tracemalloc
from pathlib import Path

from conftest import DATA, SEED_DIR

from bnsearch.ingest import Corpus, read_file, wikitext_to_text
from bnsearch.model import Article, Skipped

SEED_TITLES = {
    "000_d77cc1112f49de51": "কাতার–মেক্সিকো সম্পর্ক",
    "001_033b12f9f6b598bb": "আর্মেনিয়া–মেক্সিকো সম্পর্ক",
    "002_11aff6c9bfaa5fee": "কাতার–রাশিয়া সম্পর্ক",
    "003_2868b3d8c8007add": "আজারবাইজান–আর্জেন্টিনা সম্পর্ক",
}


def events(path: Path) -> tuple[list[Article], list[Skipped]]:
    articles, skipped = [], []
    for event in Corpus([path]):
        (articles if isinstance(event, Article) else skipped).append(event)
    return articles, skipped


# --- plain text -------------------------------------------------------------


def test_seed_articles_get_their_titles_and_ids() -> None:
    articles, skipped = events(SEED_DIR)
    assert not skipped
    assert {a.id: a.title for a in articles} == SEED_TITLES
    assert all(a.source == str((SEED_DIR / f"{a.id}.txt").resolve()) for a in articles)


def test_seed_text_loses_wiki_leftovers_only() -> None:
    articles, _ = events(SEED_DIR)
    armenia = next(a for a in articles if a.id.startswith("001"))
    assert all("'''" not in a.text for a in articles)
    assert "চিত্র:" not in armenia.text and "Reloj" not in armenia.text
    assert "আর্মেনীয় সম্প্রদায়ের পক্ষ থেকে দেয়া ঘড়ি" in armenia.text  # the caption stays
    assert "== ইতিহাস ==" in armenia.text and "==বাণিজ্য==" in armenia.text


def test_title_line_forms(tmp_path: Path) -> None:
    (tmp_path / "hash.txt").write_text("# দোহা\nদোহা কাতারের রাজধানী।", encoding="utf-8")
    (tmp_path / "short.txt").write_text("দোহা\n\nদোহা কাতারের রাজধানী।", encoding="utf-8")
    (tmp_path / "none_here.txt").write_text("দোহা কাতারের রাজধানী।", encoding="utf-8")
    articles, _ = events(tmp_path)
    titles = {a.id: (a.title, a.text) for a in articles}
    assert titles["hash"] == ("দোহা", "দোহা কাতারের রাজধানী।")
    assert titles["short"] == ("দোহা", "দোহা কাতারের রাজধানী।")
    assert titles["none_here"] == ("none here", "দোহা কাতারের রাজধানী।")


def test_text_ids_are_paths_below_the_directory(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "c.txt").write_text("কাতার", encoding="utf-8")
    [article], _ = events(tmp_path)
    assert article.id == "a/b/c"


def test_bad_text_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("কাতার".encode() + b"\xff\xfe bad")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02ELF\x00")
    (tmp_path / "empty.txt").write_bytes(b"  \n\n")
    (tmp_path / "good.txt").write_text("দোহা কাতারের রাজধানী।", encoding="utf-8")
    articles, skipped = events(tmp_path)
    assert [a.id for a in articles] == ["good"]
    reasons = {Path(s.source).name: s.reason for s in skipped}
    assert reasons["latin1.txt"].startswith("not valid UTF-8 (byte 0xff at offset 15)")
    assert reasons["binary.txt"].startswith("binary file")
    assert reasons["empty.txt"] == "empty file"


# --- JSON Lines --------------------------------------------------------------


def test_jsonl_ids_titles_and_text(tmp_path: Path) -> None:
    lines = [
        {"id": "a1", "title": "কাতার", "text": "কাতার একটি দেশ।"},
        {"_id": "b2", "title": "দোহা", "text": "দোহা একটি শহর।"},  # BEIR style
        {"id": 7, "text": "শিরোনাম ছাড়া।"},
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n")
    articles, skipped = events(path)
    assert not skipped
    assert [(a.id, a.title) for a in articles] == [("a1", "কাতার"), ("b2", "দোহা"), ("7", "")]


def test_bad_jsonl_lines_are_reported_by_line_number(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl.gz"
    with gzip.open(path, "wb") as out:
        out.write(b'{"id": "ok1", "title": "t", "text": "\xe0\xa6\x95"}\n')
        out.write(b'{"id": "broken", "text": \n')
        out.write(b"[1, 2]\n")
        out.write(b'{"id": "notext"}\n')
        out.write(b'{"id": "badutf", "text": "\xff"}\n')
        out.write(b'{"id": "empty", "text": ""}\n')
        out.write(b'{"id": "ok2", "text": "\xe0\xa6\x96"}\n')
    articles, skipped = events(path)
    assert [a.id for a in articles] == ["ok1", "ok2"]
    assert [(s.location, s.reason.split(" (")[0]) for s in skipped] == [
        ("line 2", "malformed JSON"),
        ("line 3", "not a JSON object"),
        ("line 4", 'no "text" string'),
        ("line 5", "not valid UTF-8"),
        ("line 6", "no title and no text"),
    ]


def test_truncated_gzip_skips_the_rest(tmp_path: Path) -> None:
    data = gzip.compress(b"".join(b'{"id": "%d", "text": "ab"}\n' % i for i in range(2000)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    articles, skipped = events(path)
    assert 0 < len(articles) < 2000
    assert len(skipped) == 1 and "rest of file skipped" in skipped[0].reason


def test_lone_surrogates_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "s", "text": "ক\\ud800খ"}\n')
    articles, skipped = events(path)
    assert not articles and "lone surrogate" in skipped[0].reason


def test_reading_is_streaming(tmp_path: Path) -> None:
    """Memory stays flat: reading 40 MB peaks far below the file size."""
    path = tmp_path / "big.jsonl"
    text = "কাতার মেক্সিকো সম্পর্ক। " * 400
    with path.open("w", encoding="utf-8") as out:
        for number in range(4000):
            out.write(json.dumps({"id": str(number), "text": text}, ensure_ascii=False) + "\n")
    tracemalloc.start()
    count = sum(1 for e in Corpus([path]) if isinstance(e, Article))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 4000
    assert path.stat().st_size > 40e6 and peak < 2e6


# --- MediaWiki XML ------------------------------------------------------------


def test_mediawiki_export_main_namespace_without_redirects() -> None:
    articles, skipped = events(DATA / "bnwiki-sample.xml")
    assert [(a.id, a.title) for a in articles] == [("1001", "কাতার"), ("1004", "দোহা")]
    assert [(s.location, s.reason) for s in skipped] == [
        ("page 1005 'ভাঙা পাতা'", "page has no revision text")
    ]


def test_wikitext_becomes_plain_text_with_headings() -> None:
    articles, _ = events(DATA / "bnwiki-sample.xml")
    qatar = articles[0].text
    assert qatar.startswith("কাতার (আরবি: قطر) পশ্চিম এশিয়ার একটি দেশ। রাজধানী দোহা।")
    assert "== ইতিহাস ==" in qatar and "=== আধুনিক কাল ===" in qatar
    assert "দোহার দৃশ্য" in qatar  # a file's caption stays, its name and options go
    for gone in ("{{", "}}", "[[", "<ref", "thumb", "Doha skyline", "বিষয়শ্রেণী", "Qatar", "মন্তব্য"):
        assert gone not in qatar


def test_compressed_dump_and_syntax_errors(tmp_path: Path) -> None:
    data = (DATA / "bnwiki-sample.xml").read_bytes()
    (tmp_path / "dump.xml.bz2").write_bytes(bz2.compress(data))
    articles, _ = events(tmp_path / "dump.xml.bz2")
    assert [a.id for a in articles] == ["1001", "1004"]
    cut = data[: data.index(b"<title>\xe0\xa6\xa6")]  # the document ends mid-page
    (tmp_path / "broken.xml").write_bytes(cut + b"<page><title>x</titl></page>")
    articles, skipped = events(tmp_path / "broken.xml")
    assert [a.id for a in articles] == ["1001"]
    assert "XML syntax error" in skipped[0].reason and skipped[0].location.startswith("line ")


def test_wikitext_links_tables_and_lists() -> None:
    text = wikitext_to_text("[[দোহা|রাজধানী]] ও [[কাতার]]\n* তালিকা\n{|\n| ঘর || ঘর২\n|}")
    assert text.splitlines()[0] == "রাজধানী ও কাতার"
    assert "তালিকা" in text and "ঘর" in text


# --- walking ------------------------------------------------------------------


def test_directories_are_walked_and_unknown_files_ignored(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("কাতার", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("ignored", encoding="utf-8")
    articles, skipped = events(tmp_path)
    assert [a.id for a in articles] == ["sub/a"] and not skipped


def test_explicit_unknown_or_missing_paths_are_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("x", encoding="utf-8")
    problems = [e for e in Corpus([tmp_path / "notes.md", tmp_path / "nope"])]
    assert [p.reason.split(" (")[0] for p in problems] == [
        "unknown format",
        "no such file or directory",
    ]


def test_read_file_counts_bytes() -> None:
    counter = [0]
    list(read_file(DATA / "bnwiki-sample.xml", counter=counter))
    assert counter[0] == (DATA / "bnwiki-sample.xml").stat().st_size
