"""Work split between this process and a second one, forked from it, when the machine has two processors.

Loading and rendering a large archive are seconds of pure Python. Forked, the second process starts
with all this one has already loaded, at no cost, and works at the same time; what it gives back is
pickled to this one through a pipe. It prepares the stored texts while this one reads the records,
and renders pages with it. (Splitting the reading of the records was tried too: handing back what
the second process had read cost as much as it saved.)
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TypeVar

Theirs = TypeVar("Theirs")
Mine = TypeVar("Mine")


def build_processes() -> int:
    """How many processes a build works with: two if this process may run on two processors or more.

    SSD_PROCESSES=1 keeps to one. A process that runs threads never forks: a thread's locks would be
    copied as they are, held by a thread the copy does not have.
    """
    if os.environ.get("SSD_PROCESSES") == "1" or threading.active_count() > 1:
        return 1
    return 2 if len(os.sched_getaffinity(0)) > 1 else 1


def in_two_processes(theirs: Callable[[], Theirs], mine: Callable[[], Mine]) -> tuple[Theirs, Mine]:
    """theirs() in a second process, forked from this one, while this one does mine(); both results.

    If either fails, so does the whole: an error of mine() stops the second process, and an error in
    the second process (its traceback printed to standard error) raises RuntimeError here.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or the second process would write out again what is waiting to be written
    second = context.Process(target=_send, args=(theirs, sender), name="ssd-second-process")
    second.start()
    sender.close()
    pickled = None
    try:
        my_result = mine()
        with contextlib.suppress(EOFError):  # EOFError: the second process ended without a result
            pickled = receiver.recv_bytes()  # before join: a large result fills the pipe until it is read
        second.join()
    finally:
        receiver.close()
        if second.exitcode is None:  # interrupted: the second process is not left running
            second.kill()
            second.join()
    if second.exitcode != 0 or pickled is None:
        raise RuntimeError(f"The second process failed (exit code {second.exitcode}); its error is above.")
    return pickle.loads(pickled), my_result


def _send(work: Callable[[], object], sender: Connection) -> None:
    sender.send_bytes(pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
    sender.close()


class SharedCounter:
    """A number that this process and the second one, forked after it is made, draw from in turn: 0, 1, 2..."""

    def __init__(self) -> None:
        self._next = multiprocessing.get_context("fork").Value("q", 0)

    def take(self) -> int:
        with self._next.get_lock():
            taken = self._next.value
            self._next.value = taken + 1
        return taken
