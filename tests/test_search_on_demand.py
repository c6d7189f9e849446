"""Search on demand: a page does not download the search index until the reader searches, and search still works."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_search_index_waits_for_the_reader_and_search_then_finds_pages(browser, site_url):
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site_url + "meetings/first-plenary/", wait_until="networkidle")
    page.wait_for_timeout(1000)
    assert not [url for url in requested if "search_index.json" in url or "/workers/search." in url]

    page.keyboard.press("s")
    page.locator("input[data-md-component=search-query]").fill("Ryabkov")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=10_000)
    assert any("search_index.json" in url for url in requested)
    assert "Ryabkov" in results.first.inner_text()
    page.close()


def test_a_search_address_loads_the_index_at_once(browser, site_url):
    page = browser.new_page()
    with page.expect_request(lambda request: "search_index.json" in request.url, timeout=10_000):
        page.goto(site_url + "?q=Geneva")
    page.close()
