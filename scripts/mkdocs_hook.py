"""MkDocs hook: check the data and add the archive's rendered pages to the build.

All the work is done by the plain-Python `archive` package beside this file,
so the site could move to another generator by replacing these few lines.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).parent))

from archive.load import load_archive
from archive.pages import RenderedSite, render_site
from archive.problems import ArchiveProblems

_site = RenderedSite()


def on_pre_build(config) -> None:
    # Runs before MkDocs cleans site/, so bad data leaves the last good site untouched.
    global _site
    try:
        _site = render_site(load_archive(Path(config.config_file_path).parent / "data"), config.site_url)
        config.extra["ssd_archive"] = _site.extra  # the version line on hand-written pages (overrides/main.html)
        # An unknown marker is found now too, while the last good site is still whole.
        docs = Path(config.docs_dir)
        for page in sorted(docs.rglob("*.md")):
            _site.fill_markers(page.read_text(encoding="utf-8"), page.relative_to(docs).as_posix())
    except ArchiveProblems as problems:
        raise PluginError(problems.report()) from None


def on_files(files, config):
    for uri, content in {**_site.pages, **_site.downloads}.items():
        files.append(File.generated(config, uri, content=content))
    return files


def on_page_markdown(markdown, page, config, files):
    try:
        return _site.fill_markers(markdown, page.file.src_uri)
    except ArchiveProblems as problems:
        raise PluginError(problems.report()) from None
