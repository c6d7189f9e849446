"""What a reader's browser does with the site: following a quote to its passage."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote, urljoin

import pytest

pytestmark = pytest.mark.browser
IN_VIEW = "p => { const r = p.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"


def test_a_quote_link_lands_on_its_paragraph_in_view(browser, site_url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(site_url + "meetings/second-plenary/")
    link = page.locator("#afp-slow-progress a.ssd-passage-link")
    href = link.get_attribute("href")
    assert ":~:text=" in href
    link.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0].endswith("/sources/afp-productive-arms-control-talks/")
    paragraph = page.locator("#slow-progress")
    assert "This is slow progress. But this in itself is also good." in paragraph.inner_text()
    assert paragraph.evaluate(
        "p => { const r = p.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    page.close()


def test_the_paragraph_id_alone_lands_on_the_paragraph(browser, site_url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(site_url + "sources/sputnik-professional-and-substantive/#haq-quote")
    paragraph = page.locator("#haq-quote")
    assert paragraph.evaluate(
        "p => { const r = p.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    assert paragraph.evaluate("p => p.matches(':target')")
    page.close()


def quote_links(site) -> list[str]:
    """Every quote link on every page, as an address from the site's root, each once."""
    links = set()
    for page in site.rglob("*.html"):
        for href in re.findall(r'href="([^"]*:~:text=[^"]*)"', page.read_text()):
            target = urljoin("http://site/" + str(page.relative_to(site)), html.unescape(href))
            links.add(target.removeprefix("http://site/"))
    return sorted(links)


def quoted_start(link: str) -> str:
    """The first words the text directive looks for (its prefix- and -suffix left out)."""
    terms = link.split(":~:text=", 1)[1].split("&")[0].split(",")
    return unquote(next(term for term in terms if not term.endswith("-") and not term.startswith("-")))


def test_every_quote_link_lands_on_its_paragraph_marked_and_in_view(browser, site, site_url):
    """Each quote link scrolls its paragraph into view through Chromium's text fragment; each paragraph id alone
    lands on the paragraph and marks it (:target)."""
    links = quote_links(site)
    assert len(links) >= 10
    paragraphs = sorted({link.split(":~:")[0] for link in links})
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    problems = []
    for variant in links + paragraphs:
        address, fragment = variant.split("#", 1)
        paragraph_id = fragment.split(":~:")[0]
        if not (address.startswith("sources/") and paragraph_id):
            problems.append(f"{variant}: a quote links to a paragraph of a source")
            continue
        page = context.new_page()
        page.goto(site_url + variant)
        page.wait_for_timeout(50)  # Chromium scrolls to a text fragment just after the load
        paragraph = page.locator(f"[id='{paragraph_id}']")
        if not paragraph.count():
            problems.append(f"{variant}: no paragraph {paragraph_id}")
        elif ":~:" in variant and quoted_start(variant) not in " ".join(paragraph.inner_text().split()):
            problems.append(f"{variant}: paragraph {paragraph_id} does not hold “{quoted_start(variant)}”")
        elif not paragraph.evaluate(IN_VIEW):
            problems.append(f"{variant}: paragraph {paragraph_id} is not in view")
        elif ":~:" not in variant and not paragraph.evaluate("p => p.matches(':target')"):
            problems.append(f"{variant}: paragraph {paragraph_id} is not marked as the target")
        page.close()
    context.close()
    assert problems == []
