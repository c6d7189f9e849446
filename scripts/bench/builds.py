"""Time and memory of (a) the archive's own work, (b) the whole site build and (c) a plain MkDocs build.

Each step runs as a child process of a small launcher; its wall time is measured around it. Its peak
memory is the larger of two measures: the kernel's high-water mark of the largest single process, as
wait4() reports it, and the highest memory of all the step's processes together, sampled, for a build
that renders in two processes at once (proportional set sizes: a page the two share counts once).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    runs: list[float]
    cpu_seconds: float  # the median run's processor time, all its processes together


class StepFailed(Exception):
    pass


# A small Python that starts the measured command and reports its wall time, processor time and peak memory.
# The kernel's high-water mark survives fork and exec, so the command must be started from a process this
# small, never from the benchmark itself, which holds whole archives. The sampler adds up the memory of the
# command and every process it starts, which the high-water mark of one process would miss.
LAUNCHER = """
import os, sys, threading, time
start = time.perf_counter()
child = os.fork()
if child == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
peak_sum = 0
finished = threading.Event()

def tree(pid):
    found = [pid]
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as children:
            for kid in children.read().split():
                found += tree(int(kid))
    return found

def memory_kb(pid, field, path):
    with open(f"/proc/{pid}/{path}") as found:
        for line in found:
            if line.startswith(field):
                return int(line.split()[1])
    return 0

def sample():
    # One process: its resident size, read cheaply every 20 ms. Several: the sum of their proportional sizes,
    # in which a page the processes share counts once in all, read every 100 ms as it costs milliseconds.
    global peak_sum
    interval = 0.02
    while not finished.wait(interval):
        try:
            pids = tree(child)
            if len(pids) == 1:
                total, interval = memory_kb(pids[0], "VmRSS:", "status"), 0.02
            else:
                total, interval = sum(memory_kb(pid, "Pss:", "smaps_rollup") for pid in pids), 0.1
        except (OSError, ValueError):
            continue  # a process ended while it was read
        peak_sum = max(peak_sum, total)

sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
_, status, usage = os.wait4(child, 0)
elapsed = time.perf_counter() - start
finished.set()
sampler.join()
with open(sys.argv[1], "w") as report:
    report.write(
        f"{elapsed} {max(usage.ru_maxrss, peak_sum)} {os.waitstatus_to_exitcode(status)} "
        f"{usage.ru_utime + usage.ru_stime}"
    )
"""


def run_measured(
    command: list[str], cwd: Path, pdf: bool = False, settings: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Wall seconds, peak memory in MB and processor seconds of one step; raises StepFailed with its output.

    The briefing book's PDF is left out unless asked for: it prints every meeting and every source,
    takes minutes and gigabytes from a hundred meetings on, and is measured on its own.
    """
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT / "scripts")}
    environment["SSD_BOOK_PDF"] = "1" if pdf else "0"
    environment["SSD_BOOK_CACHE"] = "0"  # every run prints the PDF, as a build with new data does
    environment.update(settings or {})
    log, measured = cwd / ".bench-step.log", cwd / ".bench-step.measured"
    with log.open("wb") as output:
        subprocess.run(
            [PYTHON, "-I", "-S", "-c", LAUNCHER, str(measured), *command],
            cwd=cwd,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds, peak_kb, returncode, cpu = measured.read_text().split()
    if int(returncode) != 0:
        raise StepFailed(f"{' '.join(command)} failed:\n{log.read_text(errors='replace')[-3000:]}")
    return float(seconds), int(peak_kb) / 1024, float(cpu)  # kilobytes on Linux


def summary(results: list[tuple[float, float, float]]) -> Measured:
    """The median time, the highest peak memory and the median run's processor time of several runs of one step."""
    times = [seconds for seconds, _, _ in results]
    median = sorted(results)[(len(results) - 1) // 2]
    return Measured(
        statistics.median(times), max(peak for _, peak, _ in results), [round(t, 3) for t in times], median[2]
    )


def median_of(command: list[str], cwd: Path, runs: int, pdf: bool = False) -> Measured:
    return summary([run_measured(command, cwd, pdf) for _ in range(runs)])


def archive_step(project: Path) -> list[str]:
    """(a) load, check and render, as the hook does before MkDocs starts its own work."""
    return [PYTHON, "-m", "bench.archive_work", str(project / "data")]


def site_step(project: Path, config: str, output: Path) -> list[str]:
    """(b) or (c): a strict MkDocs build of the given configuration."""
    return [PYTHON, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(project / config), "-d", str(output)]


def prepare_baseline(project: Path) -> str:
    """Write the same pages as plain Markdown beside the project, with a configuration without the hook.

    The baseline keeps the site's theme, features, navigation and Markdown extensions: only the
    archive's hook is gone, so (b)/(c) is the price of the archive's own work inside MkDocs.
    """
    sys.path.insert(0, str(ROOT / "scripts"))
    from archive.book import add_book
    from archive.load import load_archive
    from archive.pages import LOCAL_SITE_URL, MARKER, render_site

    docs = project / "baseline-docs"
    if docs.exists():
        shutil.rmtree(docs)
    shutil.copytree(project / "docs", docs)
    archive = load_archive(project / "data")
    site = render_site(archive, LOCAL_SITE_URL)
    add_book(site, archive, project / "data", LOCAL_SITE_URL, make_pdf=False)  # the book's web page, without its PDF
    site.save_to(docs)  # every page and download, as files of their own, and the stored sources copied from data/
    generated = set(site.uris())
    for path in docs.rglob("*.md"):
        if path.relative_to(docs).as_posix() in generated:
            continue
        text = MARKER.sub(lambda match: site.fragments.get(match.group(1), match.group(0)), path.read_text("utf-8"))
        path.write_text(text, encoding="utf-8")
    lines: list[str] = []
    skipping = False
    for line in (project / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith("hooks:"):
            skipping = True
            continue
        if skipping and line.startswith((" ", "-")):
            continue
        skipping = False
        lines.append("docs_dir: baseline-docs" if line.startswith("docs_dir:") else line)
    # What the hook would give the templates, given as plain configuration instead.
    extra = getattr(site, "extra", None)
    if extra and not any(line.startswith("extra:") for line in lines):
        lines.append("extra:")
        lines.append(f"  ssd_archive: {json.dumps(extra)}")
    (project / "mkdocs-baseline.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "mkdocs-baseline.yml"


def real_project(target: Path) -> Path:
    """A scratch copy of the real archive, so the benchmark never writes into the work tree."""
    from bench.synthetic import copy_project

    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    copy_project(target)
    shutil.copytree(ROOT / "data", target / "data")
    return target


def quote_check(project: Path) -> dict:
    """Quote checking alone, in a child process: see bench.quote_check."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    command = [PYTHON, "-m", "bench.quote_check", str(project / "data")]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise StepFailed(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def measure_project(project: Path, runs: int, scratch: Path, pdf: bool = False) -> dict:
    """(a), (b) and (c) for one project folder, each the median of `runs` runs; with pdf, (b) with the PDF too."""
    baseline = prepare_baseline(project)
    steps = {
        "archive": (archive_step(project), {}),
        "build": (site_step(project, "mkdocs.yml", scratch / "site"), {}),
        "baseline": (site_step(project, baseline, scratch / "baseline-site"), {}),
        # (a) kept to one process, as on a machine with one processor: what rendering in two saves.
        "archive_one_process": (archive_step(project), {"SSD_PROCESSES": "1"}),
    }
    # Round after round, each step in turn: a slow spell of a shared machine then slows all of them alike,
    # and each round's ratios compare runs made minutes apart, not a quarter of an hour.
    found: dict[str, list[tuple[float, float, float]]] = {step: [] for step in steps}
    for _ in range(runs):
        for step, (command, settings) in steps.items():
            found[step].append(run_measured(command, project, settings=settings))
            if step == "archive":
                archive_parts = json.loads((project / ".bench-step.log").read_text().splitlines()[-1])
    archive, whole, plain, one_process = (summary(found[step]) for step in steps)
    rounds = list(zip(found["archive"], found["build"], found["baseline"], found["archive_one_process"], strict=True))
    with_pdf = (
        median_of(site_step(project, "mkdocs.yml", scratch / "pdf-site"), project, runs, pdf=True) if pdf else None
    )
    return {
        "archive": asdict(archive),
        "archive_parts": archive_parts,  # the last round's
        "build": asdict(whole),
        "baseline": asdict(plain),
        "build_with_pdf": asdict(with_pdf) if with_pdf else None,
        "archive_one_process": asdict(one_process),
        "archive_share": statistics.median(a[0] / b[0] for a, b, _, _ in rounds),
        "archive_one_process_share": statistics.median(a1[0] / b[0] for _, b, _, a1 in rounds),
        "build_over_baseline": statistics.median(b[0] / c[0] for _, b, c, _ in rounds),
        "pages": sum(1 for _ in (scratch / "site").rglob("*.html")),
        "site_mb": sum(path.stat().st_size for path in (scratch / "site").rglob("*") if path.is_file()) / 2**20,
    }
