"""Command line: check the data, or write the rendered pages to a folder for inspection."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .curate import add_commands as add_curator_commands
from .curate import run as run_curator_command
from .load import load_archive
from .problems import ArchiveProblems
from .schema import write_schemas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m archive", description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("data"), help="the data folder (default: data)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="check every record and quote; list all problems")
    render = commands.add_parser("render", help="write the rendered Markdown pages to a folder")
    render.add_argument("output", type=Path)
    commands.add_parser("schema", help="write the JSON Schema of each kind of record to schema/")
    add_curator_commands(commands)
    arguments = parser.parse_args(argv)
    if arguments.command == "schema":
        for path in write_schemas():
            print(f"Wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}.")
        return 0
    if arguments.command in ("new-meeting", "new-source"):
        return run_curator_command(arguments)
    try:
        archive = load_archive(arguments.data)
    except ArchiveProblems as problems:
        outcome = "fix {them} before building" if arguments.command == "check" else "nothing was written"
        print(problems.report(outcome), file=sys.stderr)
        return 1
    if arguments.command == "check":
        print(
            f"The archive data is sound: {len(archive.meetings)} meetings, {len(archive.people)} people, "
            f"{len(archive.sources)} sources, {len(archive.quotes)} quotes, all found in their sources."
        )
    else:
        from .pages import render_site  # rendering is not part of the checks, which must stay quick

        site = render_site(archive)
        site.save_to(arguments.output)
        print(f"Wrote {len(site.pages)} pages and {len(site.downloads)} downloads to {arguments.output}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
