"""MkDocs hook: check the data and add the archive's rendered pages to the build.

All the work is done by the plain-Python `archive` package beside this file,
so the site could move to another generator by replacing these few lines.
"""

from __future__ import annotations

import atexit
import html
import logging
import os
import re
import signal
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).parent))

from archive import staging
from archive.book import add_book
from archive.load import loaded_for_build
from archive.pages import COMPILED_TEMPLATES, RenderedSite, render_site, stand_in_site
from archive.problems import ArchiveProblems
from archive.processes import build_processes

_site = RenderedSite()
log = logging.getLogger("mkdocs.hooks.archive")
_serving = False
_problems: str | None = None  # while serving: the problems of the data, shown above the last good pages


def on_startup(command, dirty) -> None:
    # Live reload must show an edit within seconds; printing the whole archive as a PDF takes longer
    # and grows with it, so `mkdocs serve` leaves the PDF to `make build` and `make book`.
    global _serving
    _serving = command == "serve"
    # Stopped by a process manager (SIGTERM) as by Ctrl+C, so that the folder of pages is removed.
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _stop)
    except ValueError:  # MkDocs run from a thread other than the main one: signals are not ours to handle
        pass


def on_pre_build(config) -> None:
    # Runs before MkDocs cleans site/, so bad data leaves the last good site untouched.
    global _site, _problems
    project = Path(config.config_file_path).parent
    data = project / "data"
    # The pages are written to a folder of .cache/ as they are rendered, and MkDocs reads them from there
    # as it reads docs/: a large archive never holds every page in memory. None: kept in memory instead.
    folder = staging.new_folder(project / ".cache" / "ssd-pages")
    try:
        # A build may load and render on two processors; `mkdocs serve` runs threads, so it keeps to one process.
        processes = 1 if _serving else build_processes()
        with loaded_for_build(data, processes) as archive:
            make_pdf = not _serving and os.environ.get("SSD_BOOK_PDF") != "0"
            book: list[str | None] = []  # why the book's PDF is missing, if it is

            def add_the_book(site: RenderedSite) -> None:  # done while a second process renders pages
                book.append(add_book(site, archive, data, config.site_url, make_pdf=make_pdf))

            site = render_site(archive, config.site_url, folder, processes, also=add_the_book)
            config.extra["ssd_archive"] = site.extra  # the version line on hand-written pages (overrides/main.html)
            missing = book[0]
    except ArchiveProblems as problems:
        staging.remove(folder)
        if not _serving:
            raise PluginError(problems.report()) from None
        # A failed build would make `mkdocs serve` hold every request, or not start at all, until the data is
        # fixed. It serves the last good pages instead, with the problems on top of each page; started on bad
        # data, it serves the hand-written pages, with a stand-in for what the archive adds to them.
        _problems = problems.report()
        if not _site.uris() or _site.stand_in is not None:
            _site = stand_in_site()
            showing = "Serving the hand-written pages, without the archive's records, until the data is fixed."
        else:
            showing = "Serving the last good pages until the data is fixed."
        print(f"ERROR   -  {_problems}\n{showing}", file=sys.stderr)
        config.extra["ssd_archive"] = _site.extra
        return
    except BaseException:
        staging.remove(folder)
        raise
    _site.close()
    staging.remove(_site.folder)
    _site, _problems = site, None
    if missing and os.environ.get("CI") == "true":
        raise PluginError(f"The briefing book PDF could not be made: {missing}")
    if missing:
        log.info("The briefing book PDF was not made, so the site offers only its web page. %s", missing)
    # An unknown marker is found now too, while the last good site is still whole.
    docs = Path(config.docs_dir)
    try:
        for page in sorted(docs.rglob("*.md")):
            _site.fill_markers(page.read_text(encoding="utf-8"), page.relative_to(docs).as_posix())
    except ArchiveProblems as problems:
        raise PluginError(problems.report()) from None


atexit.register(staging.remove_all)


def on_shutdown() -> None:
    staging.remove_all()


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt  # MkDocs stops on it as on Ctrl+C, and the pages' folder is removed


def on_page_content(html, page, config, files):
    # MkDocs keeps every page's Markdown and HTML until the last page is written. Neither is read again once
    # the page is converted, or once it is written (the title comes from the front matter or the render),
    # so they are let go: at a thousand meetings that is half the memory of the build.
    page.markdown = ""
    return html


def on_post_page(output, page, config):
    page.content = None
    if not _problems:
        return output
    shown = "the archive's records are not shown" if _site.stand_in is not None else "these are the last good pages"
    banner = (
        '<div role="alert" style="padding:1em;background:#fff3cd;color:#000;border-bottom:3px solid #b00020">'
        f"<p><strong>The archive data has problems: {shown}.</strong> "
        "Fix the files named below and the site comes back by itself.</p>"
        f'<pre style="white-space:pre-wrap">{html.escape(_problems)}</pre></div>'
    )
    return re.sub(r"<body[^>]*>", lambda body: body.group(0) + banner, output, count=1)


def on_env(env, config, files):
    # The theme's templates too are compiled once per process, not once per rebuild under `mkdocs serve`.
    env.bytecode_cache = COMPILED_TEMPLATES
    return env


class PackedPage(File):
    """A rendered page whose Markdown lies in the build's pack of pages (see RenderedSite), read when asked for."""

    @File.content_bytes.getter
    def content_bytes(self) -> bytes:
        return _site.read(self.src_uri) if self._content is None else File.content_bytes.fget(self)

    @File.content_string.getter
    def content_string(self) -> str:
        return self.content_bytes.decode("utf-8") if self._content is None else File.content_string.fget(self)


def on_files(files, config):
    for uri, content in {**_site.pages, **_site.downloads}.items():
        files.append(File.generated(config, uri, content=content))
    for uri in _site.packed:
        files.append(PackedPage.generated(config, uri, abs_src_path=str(_site.pack_path)))
    for uri in _site.written:
        files.append(File.generated(config, uri, abs_src_path=str(_site.folder / uri)))
    for uri, stored in _site.linked.items():
        files.append(File.generated(config, uri, abs_src_path=str(stored)))
    return files


def on_page_markdown(markdown, page, config, files):
    try:
        return _site.fill_markers(markdown, page.file.src_uri)
    except ArchiveProblems as problems:
        raise PluginError(problems.report()) from None
