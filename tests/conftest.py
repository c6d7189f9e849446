"""Shared fixtures: the real archive, a scratch copy of its data, and the built site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from archive.load import Archive, load_archive

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def archive() -> Archive:
    return load_archive(DATA)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the real data/ that a test may break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def build_site(output: Path, config: Path = ROOT / "mkdocs.yml", **env: str) -> subprocess.CompletedProcess:
    """Run `mkdocs build --strict` as `make build` does, into the given folder."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config), "--site-dir", str(output)],
        cwd=config.parent,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as `make build` produces it."""
    output = tmp_path_factory.mktemp("site")
    result = build_site(output)
    assert result.returncode == 0, result.stderr
    return output
