"""Step (a) of the benchmark: the archive's own work, as the MkDocs hook does it (on two processors if it would).

Load and check the data, render every page and download into a scratch folder, and the briefing
book's web page (its PDF is measured apart); then remove the folder. The last line printed gives
the seconds of the two parts, as JSON, and of the book's page, made while a second process renders
pages if there is one.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from archive.book import add_book
from archive.load import loaded_for_build
from archive.pages import LOCAL_SITE_URL, RenderedSite, render_site
from archive.processes import build_processes


def main(data: Path) -> None:
    """The work, in a function as in the hook: the archive is let go when the function returns."""
    folder = Path(tempfile.mkdtemp(prefix="ssd-bench-pages-"))
    parts: dict[str, float] = {}
    try:
        start = time.perf_counter()
        processes = build_processes()
        with loaded_for_build(data, processes) as archive:
            loaded = time.perf_counter()

            def add_the_book(site: RenderedSite) -> None:  # as the hook does
                begun = time.perf_counter()
                add_book(site, archive, data, LOCAL_SITE_URL, make_pdf=False)
                parts["book_page"] = time.perf_counter() - begun

            site = render_site(archive, LOCAL_SITE_URL, folder, processes, also=add_the_book)
            parts["load_and_check"] = loaded - start
            parts["pages_downloads_and_book"] = time.perf_counter() - loaded
        print(f"{len(site.uris())} pages and downloads rendered.")
        print(json.dumps(parts))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
