"""Lighthouse scores of a built site, served with gzip, through Debian's Chromium (npm `lighthouse`, pinned)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"


def available() -> str | None:
    """Why Lighthouse cannot run here, or None when it can."""
    if not LIGHTHOUSE.exists():
        return "npm lighthouse is not installed: run `npm ci` (make bench does)."
    if not Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium")).exists():
        return "Chromium is not installed: run `make browser`."
    return None


def run_once(url: str, form_factor: str) -> dict:
    """One Lighthouse run: the four category scores (0-100) and the audits that fell short."""
    with tempfile.TemporaryDirectory(prefix="ssd-lighthouse-") as folder:
        report = Path(folder) / "report.json"
        command = [
            str(LIGHTHOUSE),
            url,
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            f"--chrome-flags={CHROME_FLAGS}",
            f"--only-categories={','.join(CATEGORIES)}",
        ]
        if form_factor == "desktop":
            command.append("--preset=desktop")
        environment = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
        subprocess.run(command, env=environment, capture_output=True, text=True, check=True, timeout=300)
        data = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: round(100 * (data["categories"][name]["score"] or 0)) for name in CATEGORIES}
    short = sorted(
        {
            f"{name}: {data['audits'][ref['id']]['title']}"
            for name in CATEGORIES
            for ref in data["categories"][name]["auditRefs"]
            if ref.get("weight")
            and data["audits"][ref["id"]].get("score") is not None
            and data["audits"][ref["id"]]["score"] < 1
        }
    )
    return {"scores": scores, "short": short}


def scores(url: str, form_factor: str, runs: int) -> dict:
    """The median score of each category over several runs, and every audit that fell short in any run."""
    results = [run_once(url, form_factor) for _ in range(runs)]
    return {
        "scores": {name: statistics.median(r["scores"][name] for r in results) for name in CATEGORIES},
        "runs": [r["scores"] for r in results],
        "short": sorted({audit for r in results for audit in r["short"]}),
    }
