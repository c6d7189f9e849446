"""Step (a) of the benchmark: the archive's own work in one process, load, check and render, writing nothing."""

from __future__ import annotations

import sys
from pathlib import Path

from archive.load import load_archive
from archive.pages import render_site

if __name__ == "__main__":
    site = render_site(load_archive(Path(sys.argv[1])))
    print(f"{len(site.pages)} pages and {len(site.downloads)} downloads rendered.")
