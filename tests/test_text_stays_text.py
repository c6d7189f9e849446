"""Markup that an editor types into any text field appears on the page as the same characters, and never acts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import build_site, copy_project
from markupsafe import Markup, escape

# One line: it also goes into a stored text, so that quotes and spellings can carry it.
INLINE = (
    'X<script>alert(1)</script> <img src=x onerror="alert(2)"> [link](https://evil.example/) *emph* __strong__ '
    "{{ 7*7 }} {% if true %}J{% endif %} &amp; &lt;b&gt; `code` <!-- hidden --> ]]> :~:text=x"
)
# A blank line, a heading, a list item and an indented line could end a raw HTML block if they reached Markdown.
PAYLOAD = INLINE + "\n\n# heading\n* item\n\n    indented code\nend"
SHOWN = " ".join(PAYLOAD.split())
# Fields that hold ids, allowed values, numbers, dates, addresses or words a source must contain.
NOT_FREE_TEXT = {
    "id", "source", "paragraph", "speaker", "party", "kind", "status", "file", "sha256", "url", "quotes",
    "references", "head", "iso", "date", "sequence", "begins", "not_part_of_report", "sic", "records", "parts",
    "old", "new", "renamed",
}  # fmt: skip


# Fields of a source record that its stored text must print, as quotes must be: the stored texts stay as they are.
PRINTED = {"title", "wire_tag", "dateline", "date_as_printed"}


def _with_markup(node, key=None, parent=None, *, printed=frozenset()):
    if isinstance(node, dict):
        return {k: _with_markup(v, k, key, printed=printed) for k, v in node.items()}
    if isinstance(node, list):
        return [_with_markup(item, key, parent, printed=printed) for item in node]
    quoted = key == "text" and parent in ("quotes", "spellings", "roles")
    if isinstance(node, str) and key not in NOT_FREE_TEXT and key not in printed and not quoted:
        return f"{node} {PAYLOAD}"
    return node


@pytest.fixture(scope="module")
def marked_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built from a copy of the data with markup in every text field, and a stored text that holds it."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    data = project / "data"
    for path in [*data.glob("*.yaml"), *data.glob("*/*.yaml")]:
        record = _with_markup(
            yaml.safe_load(path.read_text(encoding="utf-8")),
            printed=PRINTED if path.parent.name == "sources" else frozenset(),
        )
        path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # A stored text that prints the whole payload, so that a source's title and dateline can carry it too.
    stored = f"Markup test: {PAYLOAD}\n".encode()
    (data / "sources" / "markup.txt").write_bytes(stored)
    source = {
        "title": PAYLOAD,
        "agency": PAYLOAD,
        "publisher": PAYLOAD,
        "dateline": PAYLOAD,
        "file": "markup.txt",
        "sha256": hashlib.sha256(stored).hexdigest(),
        "paragraphs": [
            {"id": "all", "begins": "Markup test"},
            {"id": "heading", "begins": "# heading"},
            {"id": "code", "begins": "indented code"},
        ],
    }
    (data / "sources" / "markup-source.yaml").write_text(yaml.safe_dump(source), encoding="utf-8")
    meeting_path = data / "meetings" / "first-plenary.yaml"
    meeting = yaml.safe_load(meeting_path.read_text(encoding="utf-8"))
    quote = {"id": "markup-quote", "source": "markup-source", "text": INLINE, "voice": PAYLOAD, "party": "press"}
    meeting["quotes"].append(quote)
    meeting["statements"][0]["quotes"].append("markup-quote")
    meeting_path.write_text(yaml.safe_dump(meeting, allow_unicode=True, sort_keys=False), encoding="utf-8")
    person_path = data / "people" / "sergey-ryabkov.yaml"
    person = yaml.safe_load(person_path.read_text(encoding="utf-8"))
    person["roles"].append({"text": INLINE, "source": "markup-source"})
    person_path.write_text(yaml.safe_dump(person, allow_unicode=True, sort_keys=False), encoding="utf-8")
    changes_path = data / "changes.yaml"
    if changes_path.exists():
        changes = yaml.safe_load(changes_path.read_text(encoding="utf-8"))
        changes["changes"][0]["records"].append("markup-source")
        changes_path.write_text(yaml.safe_dump(changes, allow_unicode=True, sort_keys=False), encoding="utf-8")
    output = project / "site"
    result = build_site(output, config=project / "mkdocs.yml")
    assert result.returncode == 0, result.stderr
    return output


def _pages(site: Path) -> dict[str, BeautifulSoup]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        pages[path.relative_to(site).as_posix()] = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return pages


def test_markup_in_every_text_field_acts_as_nothing(marked_site):
    for name, soup in _pages(marked_site).items():
        for script in soup.find_all("script"):
            if script.get("type") == "application/ld+json":  # data, not code: the text must stay inside it
                assert "<" not in script.string and json.loads(script.string), name
            else:
                assert "alert(" not in script.get_text(), name
        assert not soup.find_all(attrs={"onerror": True}), name
        assert not soup.find_all("a", href="https://evil.example/"), name
        assert not [tag for tag in soup.find_all(["em", "strong"]) if tag.get_text() in ("emph", "strong")], name
        assert not [tag for tag in soup.find_all(["h1", "h2", "h3", "h4"]) if tag.get_text().strip() == "heading"], name
        assert not [tag for tag in soup.find_all("li") if tag.get_text().strip() == "item"], name
        assert not [tag for tag in soup.find_all(["pre", "code"]) if "indented code" in tag.get_text()], name
        assert "49 J" not in soup.get_text(), name


def _shown_in(text: str) -> int:
    return " ".join(text.split()).count(SHOWN)


@pytest.mark.parametrize(
    ("page", "at_least"),
    [
        ("meetings/first-plenary/index.html", 20),
        ("people/sergey-ryabkov/index.html", 2),
        ("sources/markup-source/index.html", 4),
        ("sources/sputnik-professional-and-substantive/index.html", 4),
        ("meetings/index.html", 7),
        ("timeline/index.html", 7),
    ],
)
def test_markup_in_every_text_field_is_shown_as_typed(marked_site, page, at_least):
    soup = BeautifulSoup((marked_site / page).read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article")
    assert _shown_in(article.get_text(" ")) >= at_least
    # Lists carry no record's title; a stored source's headline is what its text prints, which holds no markup.
    in_title = not (page.endswith("s/index.html") or "timeline" in page or "sputnik" in page)
    assert _shown_in(soup.title.get_text()) == in_title


def test_markup_in_a_quote_and_in_a_stored_text_is_shown_as_typed(marked_site):
    meeting = BeautifulSoup((marked_site / "meetings/first-plenary/index.html").read_text("utf-8"), "html.parser")
    quoted = [figure.blockquote.get_text() for figure in meeting.select("figure.ssd-quote")]
    assert f"“{INLINE}”" in quoted
    source = BeautifulSoup((marked_site / "sources/markup-source/index.html").read_text("utf-8"), "html.parser")
    assert f"Markup test: {INLINE}" in source.find("article").get_text()


def test_markup_in_a_title_stays_text_in_the_head_of_the_page(marked_site):
    soup = BeautifulSoup((marked_site / "meetings/first-plenary/index.html").read_text("utf-8"), "html.parser")
    assert SHOWN in " ".join(soup.title.get_text().split())
    assert SHOWN in " ".join(soup.find("meta", attrs={"name": "description"})["content"].split())
    search_index = (marked_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "<script>alert" not in search_index and "<img src=x" not in search_index


TRICKY_VALUES = [
    "plain",
    "<b>&amp;\"'</b>",
    "",
    "\u2028\x00é",
    7,
    2.5,
    None,
    Markup("<i>safe</i>"),
    type("Html", (), {"__html__": lambda self: "<u>own</u>"})(),
    type("NotText", (), {"__html__": lambda self: 5})(),
    type("Safe", (Markup,), {})("<s>a subclass of Markup</s>"),
    type("Text", (str,), {})("<sub>class of str</sub>"),
]
# Output in the page, in a macro, in a call block, in a set block, in a filter block, in an included
# template, and where autoescape is switched off and on again: every place Jinja writes a {{ value }}.
TEMPLATE = """{% macro m(a) %}<{{ a }}>{% endmacro %}{% macro w() %}[{{ caller() }}]{% endmacro %}
{{ v }}|{{ m(v) }}|{% call w() %}({{ v }}){% endcall %}|{% set b %}({{ v }}){% endset %}{{ b }}|{{ b ~ v }}
{% filter upper %}{{ v }}{% endfilter %}|{% include "inc" %}|{% autoescape false %}{{ v }}{% endautoescape %}
{% autoescape true %}{{ v }}{% endautoescape %}|{{ "<const>" }}|{{ v if v is not none else "" }}"""


@pytest.mark.parametrize("value", TRICKY_VALUES, ids=repr)
def test_the_archives_templates_escape_every_value_as_jinja_does(value):
    from archive.escaping import escaped_text
    from archive.pages import TemplateEnvironment
    from jinja2 import DictLoader, Environment, StrictUndefined

    templates = {"page": TEMPLATE, "inc": "{{ v }}"}
    made = {
        kind: kind(loader=DictLoader(templates), autoescape=True, undefined=StrictUndefined).get_template("page")
        for kind in (Environment, TemplateEnvironment)
    }
    assert made[TemplateEnvironment].render(v=value) == made[Environment].render(v=value)
    assert escaped_text(value) == str(escape(value))


def test_a_value_whose_html_cannot_be_called_fails_as_in_jinja():
    from archive.pages import TemplateEnvironment
    from jinja2 import Environment

    odd = type("Odd", (), {"__html__": None})()
    for kind in (Environment, TemplateEnvironment):
        with pytest.raises(TypeError):
            kind(autoescape=True).from_string("{{ v }}").render(v=odd)


def test_the_archives_templates_write_values_out_without_wrapping_them():
    """The faster code is the code the templates run: a newer Jinja that ignored it would be noticed."""
    from archive.pages import TemplateEnvironment
    from jinja2 import DictLoader, StrictUndefined, UndefinedError

    environment = TemplateEnvironment(loader=DictLoader({"page": TEMPLATE, "inc": "{{ v }}"}), autoescape=True)
    code = environment.compile(TEMPLATE, raw=True)
    assert code.count("environment.escaped_text(") >= 6
    assert "escape(" not in code.replace("environment.escaped_text(", "")
    strict = TemplateEnvironment(
        loader=DictLoader({"page": "{{ missing }}"}), undefined=StrictUndefined, autoescape=True
    )
    with pytest.raises(UndefinedError):
        strict.get_template("page").render()


def _callables():
    """Every kind of callable a template may call, marked or not to be passed the context and the like."""
    from jinja2 import pass_context, pass_environment, pass_eval_context

    class Holder:
        def method(self, a, b="b"):
            return f"method {a} {b}"

        @pass_context
        def with_context(self, context, a):
            return f"context {context['v']} {a}"

    class CallsWithContext:
        @pass_context
        def __call__(self, context, a):
            return f"object {context['v']} {a}"

    def stops(a):
        raise StopIteration

    return {
        "plain": lambda a, b="b": f"plain {a} {b}",
        "method": Holder().method,
        "context": pass_context(lambda context, a: f"context {context['v']} {a}"),
        "method_context": Holder().with_context,
        "environment": pass_environment(lambda environment, a: f"environment {environment.autoescape} {a}"),
        "eval_context": pass_eval_context(lambda eval_context, a: f"eval {eval_context.autoescape} {a}"),
        "object": CallsWithContext(),
        "builtin": len,
        "stops": stops,
    }


# Calls in the page, in a loop (where Jinja passes the loop's variables along), in a block (its variables), with
# keywords, and in a macro.
CALLS = """{% macro m(f) %}{{ f("in a macro") }}{% endmacro %}
{% block b %}{% set v = "in a block" %}{{ fs.context("b") }}|{{ fs.plain("b") }}{% endblock %}
{% for name, f in fs.items() if name not in ("builtin", "stops") %}{% set v = "looped" %}{{ f("x") }}|{{ m(f) }}|
{% endfor %}{{ fs.plain("y", b="keyword") }}|{{ fs.method(a="named") }}|{{ fs.builtin("four") }}|
{{- fs.stops(1) is undefined }}"""


def test_the_archives_templates_call_every_kind_of_function_as_jinja_does():
    """A function marked to be passed the context (pass_context and the like) still is; any other is called as is."""
    from archive.pages import TemplateEnvironment
    from jinja2 import Environment

    rendered = {
        kind: kind(autoescape=True).from_string(CALLS).render(fs=_callables(), v="page")
        for kind in (Environment, TemplateEnvironment)
    }
    assert rendered[TemplateEnvironment] == rendered[Environment]
    assert "context looped x" in rendered[Environment] and "environment True x" in rendered[TemplateEnvironment]
    assert "plain y keyword|method named b|4|True" in rendered[Environment]
    assert "context in a block b|plain b b" in rendered[Environment] and "object looped x" in rendered[Environment]
