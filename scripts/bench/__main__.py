"""`make bench`: build times, memory, page weight, Lighthouse scores and live-reload delay, against the targets.

Prints a table, writes every number to bench-results.json and the summary into docs/performance.md
between its markers. Targets are reported, never asserted: a slow machine does not fail a build.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from archive.pages import PARALLEL_FROM

from . import builds, lighthouse, quote_check, serve, synthetic, wire

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "bench-results.json"
PAGE = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:results -->", "<!-- bench:results-end -->"
PAGES = {"home": "", "meeting": "meetings/first-plenary/", "source": "sources/sputnik-professional-and-substantive/"}
TARGETS = {
    "archive_share": 0.10,
    "build_over_baseline": 1.2,
    "growth": 11,
    "peak_mb": 500,
    "meeting_page_kb": 80,
    "serve_seconds": 2,
    "performance": 98,
    "other_scores": 100,
}


def machine() -> dict:
    memory = ""
    with open("/proc/meminfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GB"
    cpu = platform.processor()
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="real,100,1000", help="comma-separated: real and/or meeting counts")
    parser.add_argument("--runs", type=int, default=5, help="runs per build measurement, at every size")
    parser.add_argument("--lighthouse-runs", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: builds,quotes,wire,lighthouse,serve")
    parser.add_argument("--merge", action="store_true", help="keep what bench-results.json has and this run skips")
    arguments = parser.parse_args(argv)
    skip = set(filter(None, arguments.skip.split(",")))
    started = time.monotonic()
    results: dict = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), "machine": machine()}
    scratch = Path(tempfile.mkdtemp(prefix="ssd-bench-"))
    try:
        projects = {}
        for size in arguments.sizes.split(","):
            folder = scratch / size
            if size == "real":
                projects[size] = builds.real_project(folder)
            else:
                projects[size] = synthetic.generate(folder, int(size))
        if "builds" not in skip:
            results["builds"] = {}
            for size, project in projects.items():
                # As many at 1,000 meetings as at the smaller sizes: there, one run of (a) may take a fifth
                # longer than the next on a shared machine, and the median of three moved the share by a point.
                runs = arguments.runs
                print(f"Building {size} ({runs} runs of each step)...", flush=True)
                results["builds"][size] = builds.measure_project(
                    project, runs, scratch / f"{size}-out", pdf=size == "real"
                )
        if "quotes" not in skip:
            print("Timing quote checking alone...", flush=True)
            results["quotes"] = {size: builds.quote_check(project) for size, project in projects.items()}
        real = projects.get("real") or builds.real_project(scratch / "real")
        site = scratch / "real-site"
        if not {"wire", "lighthouse"} <= skip:
            builds.run_measured(builds.site_step(real, "mkdocs.yml", site), real, pdf=True)
        if not {"wire", "lighthouse", "serve"} <= skip:
            results.update(_in_browser(site, real, skip, arguments.lighthouse_runs))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results["seconds"] = round(time.monotonic() - started)
    results["machine"]["load_average_at_end"] = os.getloadavg()[0]
    if arguments.merge and RESULTS.exists():
        earlier = json.loads(RESULTS.read_text(encoding="utf-8"))
        for part, found in earlier.items():
            if part not in results:
                results[part] = found
            elif isinstance(found, dict) and part in ("builds", "quotes"):
                results[part] = {**found, **results[part]}
        results["seconds"] = earlier.get("seconds", 0) + results["seconds"]
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    summary = report(results)
    print(summary)
    _write_page(summary)
    print(f"\nWrote {RESULTS.relative_to(ROOT)} and {PAGE.relative_to(ROOT)} in {results['seconds']} s.")
    return 0


def _in_browser(site: Path, project: Path, skip: set[str], lighthouse_runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import CHROMIUM, CHROMIUM_ARGS

    found: dict = {}
    with sync_playwright() as playwright, wire.serve_gzip(site) as (url, sent):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if "wire" not in skip:
                print("Measuring first loads through Chromium...", flush=True)
                found["wire"] = {name: wire.first_load(browser, url + path, sent) for name, path in PAGES.items()}
            if "serve" not in skip:
                print("Measuring mkdocs serve: edit to screen...", flush=True)
                found["serve"] = {"seconds": serve.edit_to_screen(project, browser, 3)}
        finally:
            browser.close()
        if "lighthouse" not in skip and lighthouse_runs:
            why_not = lighthouse.available()
            if why_not:
                found["lighthouse"] = {"skipped": why_not}
            else:
                print("Running Lighthouse...", flush=True)
                found["lighthouse"] = {
                    f"{name} ({form})": lighthouse.scores(url + path, form, lighthouse_runs)
                    for name, path in PAGES.items()
                    for form in ("mobile", "desktop")
                }
    return found


def _mark(value: float, target: float, at_most: bool = True) -> str:
    return "met" if (value <= target if at_most else value >= target) else "NOT met"


def report(results: dict) -> str:
    """The results as Markdown: the table people read, with each target and whether it was met."""
    lines: list[str] = []
    m = results["machine"]
    lines.append(
        f"Measured on {results['date'][:10]}: {m['cpu']}, {m['cores']} cores, {m['memory']} memory, "
        f"{m['system']}, Python {m['python']} (load average {m['load_average_at_start']:.1f} at the start"
        + (f", {m['load_average_at_end']:.1f} at the end" if "load_average_at_end" in m else "")
        + "). "
        f"The whole benchmark took {results['seconds'] // 60} min {results['seconds'] % 60} s."
    )
    builds_found = results.get("builds", {})
    if builds_found:
        lines += [
            "",
            "| archive | pages | (a) archive: load, check, render | (b) whole `mkdocs build --strict` "
            "| (c) plain MkDocs, same Markdown | (a)/(b) | (b)/(c) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for size, found in builds_found.items():
            name = "real archive" if size == "real" else f"{int(size):,} synthetic meetings"
            cells = [
                f"{found[step]['seconds']:.2f} s, {found[step]['peak_mb']:.0f} MB"
                for step in ("archive", "build", "baseline")
            ]
            lines.append(
                f"| {name} | {found['pages']:,} | {' | '.join(cells)} "
                f"| {100 * found['archive_share']:.1f} % | {found['build_over_baseline']:.2f}× |"
            )
        lines += [
            "",
            "Each time is the median of several runs. Memory is the peak resident size: of the largest process, "
            "or of all the step's processes together while a build renders in two (their proportional set sizes, "
            "in which a page they share counts once). "
            "(a), (b) and (c) run in turn, round after round, and each ratio is the median of the rounds' ratios. "
            "(b) leaves out the briefing book's PDF, which prints every meeting and every source "
            "(`SSD_BOOK_PDF=0`; `mkdocs serve` leaves it out too).",
        ]
        for size, found in builds_found.items():
            if found.get("build_with_pdf"):
                pdf = found["build_with_pdf"]
                lines.append(
                    f"With the PDF, the {'real archive' if size == 'real' else size} builds in "
                    f"{pdf['seconds']:.2f} s, peak {pdf['peak_mb']:.0f} MB."
                )
        largest = max((size for size in builds_found if size.isdigit()), key=int, default=None)
        parts = builds_found[largest].get("archive_parts") if largest else None
        if parts:
            lines.append(
                f"Where (a) goes at {int(largest):,} meetings (its last run): loading and checking the records "
                f"and every quote {parts['load_and_check']:.2f} s; rendering the pages, the downloads and the "
                f"briefing book's web page {parts['pages_downloads_and_book']:.2f} s, of which the book's page "
                f"{parts['book_page']:.2f} s, made while the second process renders pages."
            )
        one = builds_found[largest].get("archive_one_process") if largest else None
        if one:
            archive = builds_found[largest]["archive"]
            lines.append(
                f"From {PARALLEL_FROM} pages on, a build renders pages in two processes at once when the "
                f"machine gives it two processors. At {int(largest):,} meetings (a) takes {archive['seconds']:.2f} s "
                f"of wall time and {archive['cpu_seconds']:.2f} s of processor time; kept to one process "
                f"(`SSD_PROCESSES=1`) it takes {one['seconds']:.2f} s, peak {one['peak_mb']:.0f} MB, which would be "
                f"{100 * builds_found[largest]['archive_one_process_share']:.1f} % of (b)."
            )
        lines += _targets(builds_found)
    if "quotes" in results:
        lines += _quote_lines(results["quotes"])
    if "wire" in results:
        lines += ["", "| page, first visit | requests | gzip-compressed bytes | search index fetched on load |"]
        lines += ["| --- | ---: | ---: | --- |"]
        for name, found in results["wire"].items():
            lines.append(
                f"| {name} | {found['requests']} | {found['kilobytes']:.1f} KB "
                f"| {'yes' if found['search_index_on_load'] else 'no: only when the reader searches'} |"
            )
        meeting = results["wire"]["meeting"]["kilobytes"]
        lines.append(
            f"\nA meeting page's first load: {meeting:.1f} KB, target at most {TARGETS['meeting_page_kb']} KB: "
            f"{_mark(meeting, TARGETS['meeting_page_kb'])}."
        )
    if "lighthouse" in results:
        lighthouse_found = results["lighthouse"]
        if "skipped" in lighthouse_found:
            lines.append(f"\nLighthouse was not run: {lighthouse_found['skipped']}")
        else:
            lines += ["", "| Lighthouse, median of runs | performance | accessibility | best practices | SEO |"]
            lines += ["| --- | ---: | ---: | ---: | ---: |"]
            for name, found in lighthouse_found.items():
                s = found["scores"]
                lines.append(
                    f"| {name} | {s['performance']:.0f} | {s['accessibility']:.0f} "
                    f"| {s['best-practices']:.0f} | {s['seo']:.0f} |"
                )
            short = sorted({audit for found in lighthouse_found.values() for audit in found["short"]})
            if short:
                lines.append("\nAudits that fell short in some run: " + "; ".join(short) + ".")
    if "serve" in results:
        timings = results["serve"]["seconds"]
        worst = max(timings)
        lines.append(
            f"\n`mkdocs serve`, real archive: an edit to one meeting record shows in the open page after "
            f"{', '.join(f'{t:.1f}' for t in timings)} s; target at most {TARGETS['serve_seconds']} s: "
            f"{_mark(worst, TARGETS['serve_seconds'])}."
        )
    return "\n".join(lines)


def _quote_lines(found: dict) -> list[str]:
    lines = [
        "",
        "| quote checking alone | characters of stored text | quotes | seconds | µs per 1,000 characters |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for size, quotes in found.items():
        name = "real archive" if size == "real" else f"{int(size):,} synthetic meetings"
        lines.append(
            f"| {name} | {quotes['characters']:,} | {quotes['quotes']:,} | {quotes['seconds']:.3f} "
            f"| {quotes['microseconds_per_1000_characters']:.0f} |"
        )
    if "100" in found and "1000" in found:
        text = found["1000"]["characters"] / found["100"]["characters"]
        time_ratio = found["1000"]["seconds"] / found["100"]["seconds"]
        small, large = (found[size]["microseconds_per_1000_characters"] for size in ("100", "1000"))
        # Linear: the time per character does not grow with the text (a quarter more is within this machine's noise).
        verdict = (
            "linear in the size of the text"
            if large <= 1.25 * small
            else "more than linear in this run; run `python -m bench.quote_check DATA` again to tell noise from growth"
        )
        lines.append(
            f"\nFrom 100 to 1,000 meetings the stored text grows {text:.1f}× and quote checking {time_ratio:.1f}×, "
            f"{small:.0f} and {large:.0f} µs per 1,000 characters: {verdict} "
            f"(each is the best of {quote_check.REPEATS} runs)."
        )
    return lines


def _targets(found: dict) -> list[str]:
    lines = ["", "Targets:", ""]
    largest = max((size for size in found if size.isdigit()), key=int, default=None)
    if largest:
        share = found[largest]["archive_share"]
        ratio = found[largest]["build_over_baseline"]
        peak = max(found[largest][step]["peak_mb"] for step in ("archive", "build"))
        lines.append(
            f"- the archive's share of the whole build at {int(largest):,} meetings: {100 * share:.1f} %, "
            f"at most 10 %: {_mark(share, TARGETS['archive_share'])};"
        )
        lines.append(
            f"- the whole build against the plain baseline at {int(largest):,} meetings: {ratio:.2f}×, "
            f"at most 1.2×: {_mark(ratio, TARGETS['build_over_baseline'])};"
        )
        lines.append(
            f"- peak memory at {int(largest):,} meetings: {peak:.0f} MB, under 500 MB: "
            f"{_mark(peak, TARGETS['peak_mb'])} (plain MkDocs on the same Markdown: "
            f"{found[largest]['baseline']['peak_mb']:.0f} MB);"
        )
    if "100" in found and "1000" in found:
        growth = found["1000"]["build"]["seconds"] / found["100"]["build"]["seconds"]
        baseline = found["1000"]["baseline"]["seconds"] / found["100"]["baseline"]["seconds"]
        archive = found["1000"]["archive"]["seconds"] / found["100"]["archive"]["seconds"]
        lines.append(
            f"- growth from 100 to 1,000 meetings: whole build {growth:.1f}×, at most 11×: "
            f"{_mark(growth, TARGETS['growth'])} (plain baseline {baseline:.1f}×, "
            f"the archive's own work {archive:.1f}×)."
        )
    return lines


def _write_page(summary: str) -> None:
    text = PAGE.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{PAGE.relative_to(ROOT)} has lost its markers {BEGIN} and {END}: put them back.")
    PAGE.write_text(pattern.sub(lambda _: f"{BEGIN}\n{summary}\n{END}", text), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
