"""Quote checking alone: folding every stored text and finding every quote in it, timed against the text's size.

Linear means the time per character stays the same as the archive grows. Run as a child process:
`python -m bench.quote_check DATA` prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from archive.load import load_archive
from archive.passages import StoredText

# The best of this many runs: at 100 meetings a run takes a twentieth of a second, which a busy machine can halve.
REPEATS = 7


def measure(data: Path, repeats: int = REPEATS) -> dict:
    archive = load_archive(data)
    quotes_by_source: dict[str, list[str]] = {}
    for meeting in archive.meetings.values():
        for quote in meeting.quotes:
            quotes_by_source.setdefault(quote.source, []).append(quote.text)
    texts = {source_id: stored.text for source_id, stored in archive.texts.items()}
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for source_id, text in texts.items():
            stored = StoredText(text)
            for quote in quotes_by_source.get(source_id, ()):
                stored.find(quote)
        best = min(best, time.perf_counter() - start)
    characters = sum(len(text) for text in texts.values())
    quotes = sum(len(found) for found in quotes_by_source.values())
    return {
        "seconds": best,
        "characters": characters,
        "quotes": quotes,
        "microseconds_per_1000_characters": 1e9 * best / characters,
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
