"""Quality gates in a real browser, on every page of the built site: loads cleanly, accessible, looks right."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = ROOT / "test-results" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as a path relative to the site's root."""
    pages = (str(path.relative_to(site)).removesuffix("index.html") for path in site.rglob("*.html"))
    return sorted(pages)


def one_page_of_each_kind(site: Path) -> list[str]:
    """The home page, each section's index and the first page of each kind: the templates a reader meets."""
    pages = site_pages(site)
    kinds = {page.split("/")[0] for page in pages if page.count("/") == 2}
    firsts = [next(page for page in pages if page.startswith(kind + "/") and page.count("/") == 2) for kind in kinds]
    sections = [page for page in pages if page.count("/") == 1]
    return sorted({"", *sections, *firsts})


# Links that make the browser fetch or connect: preconnect and dns-prefetch open sockets that no request event shows.
FETCHING_LINKS = """() => [...document.querySelectorAll('link[href]')]
  .filter(l => /\\b(preconnect|dns-prefetch|preload|prefetch|modulepreload|stylesheet|icon|manifest)\\b/.test(l.rel))
  .map(l => l.href)
  .concat(performance.getEntriesByType('resource').map(e => e.name))"""


def visit(context, url: str) -> list[str]:
    """Open one page and list everything wrong with how it loaded."""
    problems: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and problems.append(f"console error: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed request: {request.url} ({request.failure})"))
    page.on(
        "response", lambda response: response.status >= 400 and problems.append(f"{response.status}: {response.url}")
    )
    page.goto(url, wait_until="networkidle")
    page.evaluate("() => new Promise(requestAnimationFrame)")
    own = urlsplit(url).netloc
    problems += [f"connects to another host: {link}" for link in page.evaluate(FETCHING_LINKS) if foreign(link, own)]
    page.close()
    return problems


def report(problems: dict) -> str:
    """All problems, page by page, readable in a test failure."""
    return "\n" + json.dumps(problems, indent=2, ensure_ascii=False)


def each_page(browser, site_url: str, paths, **options):
    """Open each path in a new tab of one browser context made with options; yield (path, page), then close."""
    context = browser.new_context(**options)
    try:
        for path in paths:
            page = context.new_page()
            try:
                page.goto(site_url + path)
                yield path, page
            finally:
                page.close()
    finally:
        context.close()


def local(url: str) -> bool:
    return urlsplit(url).hostname == "127.0.0.1" or urlsplit(url).scheme in ("data", "blob")


def foreign(url: str, own_host: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in ("data", "blob", "about") and parts.netloc != own_host


@pytest.fixture
def context(browser):
    """A fresh browser context that records every request its pages and their workers make, and stops foreign ones."""
    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    context.requests = []
    # Playwright reports only requests made by a page or its workers; Chromium's own background traffic (switched
    # off by CHROMIUM_ARGS anyway) never reaches these handlers, so it cannot be mistaken for the page's.
    context.on("request", lambda request: context.requests.append(request.url))
    # Nothing leaves the machine: a request to any other host is stopped, and so reported as failed.
    context.route("**/*", lambda route: route.continue_() if local(route.request.url) else route.abort())
    yield context
    context.close()


def test_every_page_loads_cleanly_from_its_own_host_only(context, site, site_url):
    problems = {page: visit(context, site_url + page) for page in site_pages(site)}
    # Searching starts the search worker, which fetches the index: that traffic is the page's too.
    page = context.new_page()
    page.goto(site_url)
    page.locator(".md-search__input").fill("Geneva")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    page.close()
    own = urlsplit(site_url).netloc
    problems["(any page or worker)"] = sorted({url for url in context.requests if foreign(url, own)})
    problems = {page: found for page, found in problems.items() if found}
    assert not problems, report(problems)
    # The index is fetched by the worker, not the page: it must show up here, or workers' requests are missed.
    assert any(url.endswith("search/search_index.json") for url in context.requests)


def test_the_load_check_catches_a_page_that_reaches_out(context, tmp_path):
    """The gate above can fail: a page with a preconnect hint, a foreign image and a console error is caught."""
    from conftest import serve

    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><title>t</title><link rel="preconnect" href="https://fonts.example.org">'
        '<img src="http://127.0.0.2:9/x.png" alt="x"><script>console.error("boom")</script>'
    )
    with serve(tmp_path) as url:
        problems = visit(context, url)
    assert any("connects to another host: https://fonts.example.org/" in problem for problem in problems)
    assert any("failed request: http://127.0.0.2:9/x.png" in problem for problem in problems)
    assert "console error: boom" in problems


def axe_violations(axe, page) -> list[str]:
    """axe's WCAG 2.1 A/AA and best-practice violations on the page, one line a rule."""
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        f"{rule['id']}: {rule['help']} at {[node['target'] for node in rule['nodes']][:5]}"
        for rule in results.response["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe_in_both_colour_schemes(browser, site, site_url, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    violations = {}
    for path, page in each_page(browser, site_url, site_pages(site), viewport=DESKTOP, color_scheme=scheme):
        if path == "":
            # The theme follows the emulated preference: the dark run really sees the dark palette.
            assert page.evaluate("document.body.dataset.mdColorScheme") == {"light": "default", "dark": "slate"}[scheme]
        found = axe_violations(axe, page)
        if found:
            violations[path] = found
    assert not violations, report(violations)


# Visible things a reader can click or type into, each numbered, so that two identical links (the same heading in two
# tables of contents) stay two controls. Labels count when they switch an option (the colour scheme's radio buttons);
# the theme's labels for hidden toggles are titles or icons beside a field, or (the phone's menu and search) stand
# hidden behind real buttons (assets/keyboard.js). The links of a closed phone drawer are inert (off-screen): the
# menu button, itself a control, opens them.
CONTROLS = """() => Object.fromEntries(
  [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex], label[for]')]
  .map((e, i) => { e.dataset.gate = i; return e; })
  .filter(e => !(e.tagName === 'LABEL' && document.getElementById(e.htmlFor)?.type !== 'radio'))
  .filter(e => !e.closest('[inert]'))
  .filter(e => e.checkVisibility({opacityProperty: true, visibilityProperty: true})
          && e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().height > 0)
  .map(e => [e.dataset.gate, e.outerHTML.slice(0, 100)]))"""

# What the keyboard focused, and whether it was focused before (the end of the round). A radio button is one tab
# stop for its whole group, so every label of the group counts as reached.
FOCUSED = """() => {
  const e = document.activeElement;
  const again = e === document.body || 'gateSeen' in e.dataset;
  e.dataset.gateSeen = '';
  const group = e.type === 'radio' ? [...document.getElementsByName(e.name)] : [e];
  const labels = group.flatMap(r => r.id ? [...document.querySelectorAll(`label[for="${r.id}"]`)] : []);
  return {again, controls: [e, ...labels].map(c => c.dataset.gate).filter(Boolean), html: e.outerHTML.slice(0, 100)};
}"""

# Whether the focused control shows a ring the reader can see: on itself, or, for a hidden radio button, on the
# visible label beside it.
RING = """() => {
  const e = document.activeElement;
  const seen = c => c && c.checkVisibility({opacityProperty: true, visibilityProperty: true})
                    && c.getBoundingClientRect().width > 0 && c.getBoundingClientRect().height > 0;
  const shown = seen(e) ? e : [e.nextElementSibling, ...e.labels || []].find(seen);
  if (!shown) return false;
  const style = getComputedStyle(shown);
  return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1
         && style.outlineColor !== 'rgba(0, 0, 0, 0)';
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_control_is_reachable_by_keyboard_with_focus_visible(browser, site, site_url, viewport):
    problems = {}
    for path, page in each_page(browser, site_url, one_page_of_each_kind(site), viewport=viewport):
        # The theme fades some controls in (the skip link): judge the focused state, not a fade towards it.
        page.add_style_tag(
            content="*, *::before, *::after { transition: none !important; animation: none !important; }"
        )
        controls = page.evaluate(CONTROLS)
        reached, unseen = set(), []
        for _ in range(len(controls) + 20):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused["again"]:
                break  # out of the page, or round to the start
            reached.update(focused["controls"])
            if not page.evaluate(RING):
                page.wait_for_timeout(200)  # on a phone the theme shows search a moment after its field takes focus
                if not page.evaluate(RING):
                    unseen.append(focused["html"])
        missing = [html for number, html in controls.items() if number not in reached]
        if missing or unseen:
            problems[path] = {"not reachable by Tab": missing, "focus not visible": unseen}
    assert not problems, report(problems)


# Elements wider than the viewport, or reaching past its right edge, unless a container scrolls them sideways on
# purpose (a wide table's scroll box) or they sit in a fixed panel the theme slides in and out (the phone's drawer).
OVERFLOWING = """() => {
  const exempt = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (['auto', 'scroll'].includes(style.overflowX) || style.position === 'fixed') return true; } return false; };
  return [...document.body.querySelectorAll('*')]
    .filter(e => !e.closest('[inert]'))
  .filter(e => e.checkVisibility({opacityProperty: true, visibilityProperty: true}) && e.getClientRects().length)
    .filter(e => getComputedStyle(e).position !== 'fixed' && !exempt(e))
    .filter(e => e.getBoundingClientRect().width > innerWidth + 0.5
                 || e.getBoundingClientRect().right > innerWidth + 0.5)
    .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} "${e.textContent.trim().slice(0, 40)}"`
              + ` (${Math.round(e.getBoundingClientRect().left)} to ${Math.round(e.getBoundingClientRect().right)}px)`);
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_nothing_overflows_sideways_on_any_page(browser, site, site_url, viewport):
    problems = {}
    for path, page in each_page(browser, site_url, site_pages(site), viewport=viewport):
        width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        found = page.evaluate(OVERFLOWING)
        if width[0] > width[1]:
            found.insert(0, f"page scrolls sideways: {width[0]}px in a {width[1]}px window")
        if found:
            problems[path] = found
    assert not problems, report(problems)


def screenshot_pages(site: Path) -> dict[str, str]:
    """Home, the first meeting and the first source: the pages a reader sees most."""
    pages = site_pages(site)
    meeting = next(page for page in pages if page.startswith("meetings/") and page.count("/") == 2)
    source = next(page for page in pages if page.startswith("sources/") and page.count("/") == 2)
    return {"home": "", "meeting": meeting, "source": source}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_screenshots_of_the_main_pages(browser, site, site_url, viewport, scheme, request):
    """Full-page screenshots into test-results/ (not committed) for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = screenshot_pages(site)
    names = {path: name for name, path in shots.items()}
    made = []
    for path, page in each_page(browser, site_url, shots.values(), viewport=viewport, color_scheme=scheme):
        target = SCREENSHOTS / f"{names[path]}-{request.node.callspec.id}.png"
        page.screenshot(path=target, full_page=True)
        made.append(target)
    assert all(target.stat().st_size > 10_000 for target in made), json.dumps([str(t) for t in made])


def test_the_phone_menu_and_search_open_from_the_keyboard(browser, site_url):
    page = browser.new_page(viewport=PHONE)
    page.goto(site_url + "meetings/first-plenary/")
    for toggle, name in (("__drawer", "Navigation menu"), ("__search", "Search")):
        button = page.get_by_role("button", name=name, exact=True)
        assert button.is_visible(), f"no visible {name} button on a phone"
        for key in ("Enter", " "):
            button.focus()
            page.keyboard.press(key)
            assert page.locator(f"#{toggle}").is_checked(), f"{key!r} on the {name} button did not open it"
            if toggle == "__drawer":
                assert not page.locator(".md-sidebar--primary").evaluate("s => s.inert"), "open drawer stays inert"
            page.locator(f"#{toggle}").evaluate("toggle => toggle.click()")  # close it again, as the theme does
    page.close()
    desktop = browser.new_page(viewport=DESKTOP)
    desktop.goto(site_url + "meetings/first-plenary/")
    assert not desktop.locator("button.ssd-header-toggle").first.is_visible(), "phone buttons show on a desktop"
    desktop.close()


def test_one_page_of_each_kind_passes_axe_on_a_phone(browser, site, site_url):
    """At phone width the header shows its menu and search buttons, which the desktop runs never see."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page(viewport=PHONE)
    violations = {}
    for path in one_page_of_each_kind(site):
        page.goto(site_url + path)
        found = axe_violations(axe, page)
        if found:
            violations[path] = found
    page.close()
    assert not violations, report(violations)
