"""Step (a) of the benchmark: the archive's own work in one process, as the MkDocs hook does it.

Load and check the data, render every page and download into a scratch folder, and the briefing
book's web page (its PDF is measured apart); then remove the folder.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from archive.book import add_book
from archive.load import loaded_for_build
from archive.pages import LOCAL_SITE_URL, render_site

if __name__ == "__main__":
    data = Path(sys.argv[1])
    folder = Path(tempfile.mkdtemp(prefix="ssd-bench-pages-"))
    try:
        with loaded_for_build(data) as archive:
            site = render_site(archive, LOCAL_SITE_URL, folder)
            add_book(site, archive, data, LOCAL_SITE_URL, make_pdf=False)
        print(f"{len(site.uris())} pages and downloads rendered.")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
