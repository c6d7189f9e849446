"""What a reader's browser does with the site: following a quote to its passage."""

from __future__ import annotations

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
