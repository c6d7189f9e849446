"""The curator's workflow: new-source and new-meeting on a copy of the data, the guide, the hooks, publishing."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from archive.__main__ import main
from archive.load import FOLDERS, load_archive
from archive.pages import render_site
from archive.problems import ArchiveProblems
from conftest import DATA, ROOT, replace_once
from test_site import page

AFP_TEXT = DATA / "sources" / "002_fbcdd8b57675e584.txt"
AFP_SOURCE = "afp-productive-arms-control-talks"
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=\.\./\.\./schema/(\w+)\.schema\.json$")


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_named_first_in_the_changes(data: Path, record_id: str, out: str) -> None:
    """The command named its new record in a new entry, dated today, above the others, keeping the file's comments."""
    text = (data / "changes.yaml").read_text(encoding="utf-8")
    assert text.startswith((DATA / "changes.yaml").read_text(encoding="utf-8").split("\nchanges:\n")[0])
    newest = yaml.safe_load(text)["changes"][0]
    assert newest["date"] == datetime.date.today()
    assert newest["records"] == [record_id]
    assert f"Named '{record_id}' in a new entry, dated today, at the top of {data / 'changes.yaml'}" in out


def problem_fields(data: Path) -> list[tuple[str, str]]:
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data)
    return [(problem.file.rsplit("/", 1)[-1], problem.field) for problem in raised.value.problems]


def schema_problems(record: str, fields: dict) -> list[str]:
    """What the record's published JSON Schema finds wrong in a record, as an editor's YAML plugin would."""
    jsonschema = pytest.importorskip("jsonschema")
    path = ROOT / "schema" / f"{record}.schema.json"
    if not path.exists():
        pytest.skip(f"{path.name} is not written yet")
    schema = yaml.safe_load(path.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [error.message for error in validator.iter_errors(fields)]


# -- the guide ---------------------------------------------------------------------


def schema_fields() -> dict[str, list[str]]:
    """Every record and nested record of the schema, with its fields: from the models and the schema files."""
    import json

    schemas = [model.model_json_schema() for model in FOLDERS.values()]
    schemas += [json.loads(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "schema").glob("*.json"))]
    fields: dict[str, list[str]] = {}
    for schema in schemas:
        for name, definition in [(schema["title"], schema), *schema.get("$defs", {}).items()]:
            fields.setdefault(name, [])
            fields[name] += [field for field in definition.get("properties", {}) if field not in fields[name]]
    return fields


def section_id(record: str) -> str:
    """DateFact → date-fact-fields: the heading id of the record's table in the guide."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", record).lower() + "-fields"


def undocumented_fields(soup) -> list[str]:
    """Each schema field with no row, or no example, in its record's table of the guide."""
    missing = []
    for record, fields in schema_fields().items():
        heading = soup.find(id=section_id(record))
        if heading is None:
            missing.append(f"no section with id '{section_id(record)}' for {record}")
            continue
        table = heading.find_next("table")
        rows = {row.td.get_text(): row.find_all("td") for row in table.select("tbody tr")}
        for field in fields:
            if field not in rows:
                missing.append(f"{record}.{field} is not in the table under '{heading.get_text()}'")
            elif not rows[field][-1].get_text(strip=True):
                missing.append(f"{record}.{field} has no example")
    return missing


def test_the_guide_documents_every_field_of_every_record_with_an_example(site):
    assert undocumented_fields(page(site, "curators/")) == []


def test_a_field_missing_from_the_guide_is_named(site):
    soup = page(site, "curators/")
    table = soup.find(id="quote-fields").find_next("table")
    next(row for row in table.select("tbody tr") if row.td.get_text() == "sic").decompose()
    table = soup.find(id="date-fact-fields").find_next("table")
    next(row for row in table.select("tbody tr") if row.td.get_text() == "iso").find_all("td")[-1].clear()
    assert undocumented_fields(soup) == [
        "DateFact.iso has no example",
        "Quote.sic is not in the table under 'Quote'",
    ]


# -- new-source --------------------------------------------------------------------


def test_new_source_stores_the_text_byte_for_byte_and_leaves_the_description_to_the_curator(
    data_copy, tmp_path, capsys
):
    article = tmp_path / "afp-again.txt"
    article.write_bytes(AFP_TEXT.read_bytes() + b"\n")  # the report again, saved with one more line end
    code, out, err = run(capsys, "--data", str(data_copy), "new-source", str(article), "--id", "afp-again")
    assert code == 0, err
    stored, record = data_copy / "sources" / "afp-again.txt", data_copy / "sources" / "afp-again.yaml"
    assert f"Wrote {stored}" in out and f"Wrote {record}" in out
    assert stored.read_bytes() == article.read_bytes()
    text = record.read_text(encoding="utf-8")
    assert SCHEMA_LINE.match(text.splitlines()[0]).group(1) == "source"
    fields = yaml.safe_load(text)
    assert fields["sha256"] == hashlib.sha256(article.read_bytes()).hexdigest()
    assert fields["file"] == "afp-again.txt"
    assert fields["title"] is None and fields["agency"] is None, "nothing is claimed that the curator did not write"
    assert fields["paragraphs"][2] == {"id": "washington-afp-russian", "begins": "WASHINGTON (AFP) - Russian and"}
    assert_named_first_in_the_changes(data_copy, "afp-again", out)
    empty = [field for file, field in problem_fields(data_copy) if file == "afp-again.yaml"]
    assert sorted(empty) == ["agency", "dateline", "publisher", "title"]
    text = text.replace("\ntitle:\n", '\ntitle: "US, Russia hold ‘productive’ arms control talks in Geneva"\n')
    for field, value in (("agency", "AFP"), ("publisher", "The Straits Times"), ("dateline", "WASHINGTON")):
        text = text.replace(f"\n{field}:\n", f"\n{field}: {value}\n")
    record.write_text(text, encoding="utf-8")
    assert schema_problems("source", fields) != [], "the blank description does not pass the schema"
    assert schema_problems("source", yaml.safe_load(text)) == []
    archive = load_archive(data_copy)
    assert archive.sources["afp-again"].paragraphs[0].begins == "US, Russia hold ‘productive’ arms"
    assert archive.files["afp-again"] == article.read_bytes()
    # The guide's next step works at once: the new source is named in the changes already.
    meeting = ["--id", "geneva-again", "--title", "Geneva again", "--short-title", "Again", "--kind", "plenary"]
    meeting += ["--status", "held", "--source", "afp-again", "--quote", SECOND_PLENARY[-1]]
    code, out, err = run(capsys, "--data", str(data_copy), "new-meeting", *meeting)
    assert code == 0, err
    assert load_archive(data_copy).quotes["geneva-again-status"].source == "afp-again"


def test_new_source_refuses_a_text_already_stored(data_copy, capsys):
    code, _, err = run(capsys, "--data", str(data_copy), "new-source", str(AFP_TEXT), "--id", "afp-twice")
    assert code == 1
    assert "the text is stored already" in err
    assert not (data_copy / "sources" / "afp-twice.yaml").exists()


def test_new_source_refuses_the_same_bytes_under_another_file_name(data_copy, tmp_path, capsys):
    article = tmp_path / "afp-renamed.txt"
    shutil.copyfile(AFP_TEXT, article)
    before = sorted(path.name for path in (data_copy / "sources").iterdir())
    code, _, err = run(capsys, "--data", str(data_copy), "new-source", str(article), "--id", "afp-renamed")
    assert code == 1
    stored = data_copy / "sources" / AFP_TEXT.name
    assert err.startswith(
        f"Nothing was written: the same bytes are stored already as {stored}, the text of source '{AFP_SOURCE}': "
    )
    assert sorted(path.name for path in (data_copy / "sources").iterdir()) == before


def test_new_source_leaves_a_byte_order_mark_out_of_the_first_paragraph(data_copy, tmp_path, capsys):
    article = tmp_path / "with-bom.txt"
    article.write_bytes(b"\xef\xbb\xbf" + AFP_TEXT.read_bytes())
    code, _, err = run(capsys, "--data", str(data_copy), "new-source", str(article), "--id", "with-bom")
    assert code == 0, err
    assert (data_copy / "sources" / "with-bom.txt").read_bytes() == article.read_bytes(), "stored byte for byte"
    record = data_copy / "sources" / "with-bom.yaml"
    text = record.read_text(encoding="utf-8")
    assert "\ufeff" not in text
    first = yaml.safe_load(text)["paragraphs"][0]
    assert AFP_TEXT.read_text(encoding="utf-8").startswith(first["begins"])
    headline = "US, Russia hold ‘productive’ arms control talks in Geneva"
    for field, value in (("title", headline), ("agency", "AFP"), ("publisher", "X"), ("dateline", "WASHINGTON")):
        text = text.replace(f"\n{field}:\n", f"\n{field}: {value}\n")
    record.write_text(text, encoding="utf-8")
    archive = load_archive(data_copy)
    assert archive.texts["with-bom"].paragraphs[0].text == archive.texts[AFP_SOURCE].paragraphs[0].text


def test_new_source_refuses_a_file_that_is_not_utf8(data_copy, tmp_path, capsys):
    article = tmp_path / "latin1.txt"
    article.write_bytes("Genève".encode("latin-1"))
    code, _, err = run(capsys, "--data", str(data_copy), "new-source", str(article), "--id", "latin")
    assert (code, err.strip()) == (
        1,
        f"Nothing was written: {article} is not UTF-8 text (byte 3); save it as UTF-8 first.",
    )
    assert not (data_copy / "sources" / "latin1.txt").exists()


# -- new-meeting -------------------------------------------------------------------

SECOND_PLENARY = (
    "--id", "autumn-plenary",
    "--title", "Autumn plenary meeting",
    "--short-title", "Autumn plenary",
    "--kind", "plenary",
    "--status", "held",
    "--source", "afp-productive-arms-control-talks",
    "--quote", "Russian and US diplomats held talks behind closed doors in Geneva",
)  # fmt: skip


def test_new_meeting_writes_a_record_backed_by_its_quote_and_silent_on_the_rest(data_copy, capsys):
    code, out, err = run(capsys, "--data", str(data_copy), "new-meeting", *SECOND_PLENARY)
    assert code == 0, err
    assert_named_first_in_the_changes(data_copy, "autumn-plenary", out)
    record = data_copy / "meetings" / "autumn-plenary.yaml"
    text = record.read_text(encoding="utf-8")
    assert SCHEMA_LINE.match(text.splitlines()[0]).group(1) == "meeting"
    fields = yaml.safe_load(text)
    for fact in ("date", "place", "venue", "format", "outcome"):
        assert fields[fact] == {"silent": "Not stated in the sources."}, fact
    assert fields["status_evidence"] == {"quotes": ["autumn-plenary-status"]}
    assert schema_problems("meeting", fields) == []
    assert fields["sequence"] == 1 + max(m.sequence for m in load_archive(DATA).meetings.values())
    archive = load_archive(data_copy)
    located = archive.quotes["autumn-plenary-status"]
    assert archive.texts[located.source].text[located.match.start : located.match.end] == SECOND_PLENARY[-1]
    assert archive.timeline[-1] == "autumn-plenary"
    rendered = render_site(archive).pages["meetings/autumn-plenary.md"]
    assert "Autumn plenary meeting" in rendered and "Not stated in the sources." in rendered


def test_new_meeting_refuses_words_that_are_not_in_the_source(data_copy, capsys):
    arguments = [*SECOND_PLENARY[:-1], "Russian and US diplomats held talks in Vienna"]
    code, _, err = run(capsys, "--data", str(data_copy), "new-meeting", *arguments)
    assert code == 1
    assert err.startswith("Nothing was written: the quote is not in source 'afp-productive-arms-control-talks'")
    assert "Closest passage" in err
    assert not (data_copy / "meetings" / "autumn-plenary.yaml").exists()


def test_a_sequence_taken_twice_is_the_problem_of_the_newer_meeting(data_copy, capsys):
    code, _, err = run(capsys, "--data", str(data_copy), "new-meeting", *SECOND_PLENARY)
    assert code == 0, err
    last = max(load_archive(data_copy).meetings.values(), key=lambda meeting: meeting.sequence)
    taken = load_archive(DATA).meetings["third-plenary"].sequence
    record = data_copy / "meetings" / "autumn-plenary.yaml"
    replace_once(record, f"\nsequence: {last.sequence} ", f"\nsequence: {taken} ")
    # 'autumn-plenary' is read before 'third-plenary', but the changelog names it later: the problem is its own.
    assert problem_fields(data_copy) == [("autumn-plenary.yaml", "sequence")]
    with pytest.raises(ArchiveProblems) as raised:
        load_archive(data_copy)
    assert f"sequence: sequence {taken}, which third-plenary already has." in str(raised.value.problems[0])


def test_new_meeting_on_data_with_a_problem_lists_it_and_writes_nothing(data_copy, capsys):
    person = data_copy / "people" / "sergey-ryabkov.yaml"
    person.write_text(person.read_text(encoding="utf-8").replace("\nparty: russia\n", "\nparty: Russia\n"), "utf-8")
    code, _, err = run(capsys, "--data", str(data_copy), "new-meeting", *SECOND_PLENARY)
    assert code == 1
    assert err.splitlines()[:2] == [
        "The archive data has 1 problem; nothing was written.",
        "data/people/sergey-ryabkov.yaml:3:1: party: 'Russia', which is not allowed here.",
    ]
    assert err.splitlines()[-1] == "Fix these first: new records are added to sound data only."
    assert not (data_copy / "meetings" / "autumn-plenary.yaml").exists()


def test_new_meeting_refuses_a_quote_from_a_paragraph_not_part_of_the_report(data_copy, capsys):
    arguments = [*SECOND_PLENARY[:-1], "get the latest breaking news delivered to you"]
    code, _, err = run(capsys, "--data", str(data_copy), "new-meeting", *arguments)
    assert (code, err.strip()) == (
        1,
        "Nothing was written: the quote is in paragraph 'newspaper-promotion', which the source's record marks as "
        "not part of the report (a publisher's line backs nothing); quote the report itself.",
    )
    assert not (data_copy / "meetings" / "autumn-plenary.yaml").exists()


def test_new_meeting_refuses_an_id_already_used(data_copy, capsys):
    arguments = ["--id", "second-plenary", *SECOND_PLENARY[2:]]
    code, _, err = run(capsys, "--data", str(data_copy), "new-meeting", *arguments)
    assert (code, err.strip()) == (
        1,
        "Nothing was written: the id 'second-plenary' is already used in the archive (--id); choose another.",
    )


def test_new_meeting_asks_in_a_terminal_for_what_it_was_not_given(data_copy, capsys, monkeypatch):
    answers = io.StringIO("Autumn plenary meeting\nAutumn plenary\nplenery\nplenary\nheld\n")
    answers.isatty = lambda: True
    monkeypatch.setattr(sys, "stdin", answers)
    given = ["--id", "autumn-plenary", *SECOND_PLENARY[10:]]
    code, out, err = run(capsys, "--data", str(data_copy), "new-meeting", *given)
    assert code == 0, err
    kinds = "Kind (summit, plenary, consultations, working-group): "
    assert f"Full title: Short title: {kinds}  'plenery' is not one of: summit, plenary, consultations, " in out
    assert yaml.safe_load((data_copy / "meetings" / "autumn-plenary.yaml").read_text())["kind"] == "plenary"
    assert (
        yaml.safe_load((data_copy / "meetings" / "autumn-plenary.yaml").read_text())["short_title"] == "Autumn plenary"
    )


def test_new_meeting_without_a_terminal_names_what_is_missing(data_copy, monkeypatch):
    result = subprocess.run(
        [sys.executable, "-m", "archive", "--data", str(data_copy), "new-meeting", "--id", "autumn-plenary"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Nothing was written: missing --title, --short-title, --kind, --status, --source, --quote. "
        "Give them as options, or run the command in a terminal to be asked."
    )


@pytest.mark.parametrize(
    ("make_arguments", "message"),
    [
        (
            ["new-source", "FILE=report.txt"],
            "missing the id. Give it as ID=, as in make new-source FILE=report.txt ID=source-id, "
            "or run make in a terminal to be asked.",
        ),
        (
            ["new-meeting", "ARGS=--id autumn-plenary --title Autumn"],
            "missing --short-title, --kind, --status, --source, --quote. Give them in ARGS, as in make new-meeting "
            'ARGS="--short-title ... --kind ... --status ... --source ... --quote ...", '
            "or run make in a terminal to be asked.",
        ),
    ],
    ids=["new-source", "new-meeting"],
)
def test_make_without_a_terminal_names_what_is_missing_as_make_takes_it(make_arguments, message):
    """Run through make, the message names ID= and ARGS, not the options make passes on; nothing is written."""
    before = _tree(DATA)
    result = subprocess.run(
        ["make", "--no-print-directory", *make_arguments],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert f"Nothing was written: {message}" in result.stderr.splitlines()
    assert _tree(DATA) == before


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


# -- hooks and publishing ----------------------------------------------------------


def git(repo: Path, *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def hooks_repo(tmp_path: Path) -> Path:
    """A scratch git repository holding the archive's data, code and pre-commit configuration."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("Makefile", "pyproject.toml", ".pre-commit-config.yaml", "requirements.txt"):
        shutil.copy2(ROOT / name, repo / name)
    for folder in ("scripts", "data", "schema"):
        if (ROOT / folder).exists():
            shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / ".venv").symlink_to(ROOT / ".venv")
    # `make check` must not reinstall: the stamp of the real environment stands for this copy too.
    os.utime(repo / "requirements.txt", (0, 0))
    git(repo, "init", "-q")
    git(repo, "add", ".pre-commit-config.yaml", "data")
    return repo


def pre_commit(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "pre-commit"), "run", "--all-files"],
        cwd=repo,
        env={**os.environ, "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home")},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_pre_commit_hooks_run_make_check_and_stop_a_broken_quote(hooks_repo):
    passed = pre_commit(hooks_repo)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"make check .*Passed", passed.stdout)
    meeting = hooks_repo / "data" / "meetings" / "second-plenary.yaml"
    meeting.write_text(meeting.read_text().replace("held at Russia's UN mission", "held at America's UN mission"))
    failed = pre_commit(hooks_repo)
    assert failed.returncode == 1
    assert re.search(r"data/meetings/second-plenary\.yaml:\d+:\d+: quotes\[\d+\]\.text: ", failed.stdout)
    assert "The archive data has 1 problem" in failed.stdout


def test_the_pre_commit_hooks_run_ruff(hooks_repo):
    badly_formatted = hooks_repo / "scripts" / "archive" / "spacing.py"
    badly_formatted.write_text("x = {  'a':1 }\n")
    git(hooks_repo, "add", "scripts/archive/spacing.py")
    result = pre_commit(hooks_repo)
    assert result.returncode == 1
    assert re.search(r"ruff format\.+Failed", result.stdout)


def test_the_workflow_builds_strictly_tests_and_deploys_site_to_pages():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    commands = "\n".join(step.get("run", "") for step in build["steps"])
    assert "make test" in commands and "make build" in commands
    assert "strict: true" in (ROOT / "mkdocs.yml").read_text(), "make build is mkdocs build --strict"
    upload = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site/"
    assert deploy["needs"] == "build"
    assert any(step.get("uses", "").startswith("actions/deploy-pages") for step in deploy["steps"])
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
