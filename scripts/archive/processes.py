"""Work split between this process and a second one, forked from it, when the machine has two processors.

Loading and rendering a large archive are seconds of pure Python. Forked, the second process starts
with all this one has already loaded, at no cost, and works at the same time. Loading, it is a helper
(see helping): it folds the stored texts and reads some of the source records, hands the records over,
and keeps the folded texts to answer where each quote is, since handing them over would cost as much as
folding them. Rendering, it renders pages beside this one (see in_two_processes), and what it gives back
is pickled to this one through a temporary file.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import BinaryIO, TypeVar

Theirs = TypeVar("Theirs")
Mine = TypeVar("Mine")
Kept = TypeVar("Kept")


def build_processes() -> int:
    """How many processes a build works with: two if this process may run on two processors or more.

    SSD_PROCESSES=1 keeps to one, and so does a system without shared locks. A process that runs threads
    never forks: a thread's locks would be copied as they are, held by a thread the copy does not have.
    """
    if os.environ.get("SSD_PROCESSES") == "1" or threading.active_count() > 1:
        return 1
    return 2 if len(os.sched_getaffinity(0)) > 1 and can_share_a_counter() else 1


@functools.cache
def can_share_a_counter() -> bool:
    """Whether this system gives processes a lock to share (some containers have no /dev/shm)."""
    try:
        multiprocessing.get_context("fork").Lock()
    except OSError:
        return False
    return True


def in_two_processes(theirs: Callable[[], Theirs], mine: Callable[[], Mine]) -> tuple[Theirs, Mine]:
    """theirs() in a second process, forked from this one, while this one does mine(); both results.

    The second process writes its result, pickled, to a nameless temporary file and ends: it does not
    wait, holding its memory, for this one to finish (which may take minutes, printing the book's PDF).
    If either fails, so does the whole: an error of mine() stops the second process, and an error in
    the second process (its traceback printed to standard error) raises RuntimeError here.
    """
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryFile() as result:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # or the second process would write out again what is waiting to be written
        second = context.Process(target=_write_result, args=(theirs, result), name="ssd-second-process")
        second.start()
        try:
            my_result = mine()
            second.join()
        finally:
            if second.exitcode is None:  # interrupted: the second process is not left running
                second.kill()
                second.join()
        result.seek(0)
        pickled = result.read()
    if second.exitcode != 0 or not pickled:
        raise RuntimeError(f"The second process failed (exit code {second.exitcode}); its error is above.")
    return pickle.loads(pickled), my_result


def _write_result(work: Callable[[], object], result: BinaryIO) -> None:
    result.write(pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
    result.flush()


class SharedCounter:
    """A number that this process and the second one, forked after it is made, draw from in turn: 0, 1, 2..."""

    def __init__(self) -> None:
        self._next = multiprocessing.get_context("fork").Value("q", 0)

    def take(self) -> int:
        with self._next.get_lock():
            taken = self._next.value
            self._next.value = taken + 1
        return taken


class Helper:
    """A second process, forked from this one, that makes something, hands part of it over, and keeps the rest
    to answer questions about it: see helping()."""

    def __init__(self, connection: Connection, process: multiprocessing.process.BaseProcess) -> None:
        self._connection, self._process = connection, process

    def receive(self):
        """The next thing the helper sends: first what it hands over, then each answer, in the order asked."""
        try:
            return self._connection.recv()
        except EOFError:  # it ended without sending: its error, if any, is printed above
            raise self._failed() from None

    def ask(self, *arguments: object) -> None:
        """Have the helper work out its answer(what it kept, *arguments) while this process goes on; receive()
        gives it."""
        try:
            self._connection.send(arguments)
        except OSError:  # it has ended, and closed its end of the pipe
            raise self._failed() from None

    def _failed(self) -> RuntimeError:
        self._process.join()
        return RuntimeError(f"The second process failed (exit code {self._process.exitcode}); its error is above.")


@contextlib.contextmanager
def helping(make: Callable[[], tuple[Kept, object]], answer: Callable[..., object]) -> Iterator[Helper]:
    """A Helper, forked from this process, that runs make() and sends the second part of what it gives; then,
    to each question asked, answer(the first part, *the question's arguments).

    When the block ends the helper is told to stop, and ends; if the block fails or is interrupted, it is
    stopped at once. An error in the helper (its traceback printed to standard error) makes receive() raise
    RuntimeError.
    """
    context = multiprocessing.get_context("fork")
    mine, theirs = context.Pipe()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or the helper would write out again what is waiting to be written
    # A daemon: should this process end without stopping it, the helper is ended too.
    process = context.Process(target=_help, args=(make, answer, theirs, mine), name="ssd-second-process", daemon=True)
    try:
        process.start()
        theirs.close()
        yield Helper(mine, process)
        with contextlib.suppress(OSError):  # it may have ended already
            mine.send(None)
        process.join()
    finally:
        if process.pid is not None and process.exitcode is None:  # failed or interrupted: not left running
            process.kill()
            process.join()
        theirs.close()
        mine.close()


def _help(
    make: Callable[[], tuple[object, object]],
    answer: Callable[..., object],
    connection: Connection,
    parents_end: Connection,
) -> None:
    parents_end.close()
    kept, handed_over = make()
    connection.send(handed_over)
    while (arguments := connection.recv()) is not None:
        connection.send(answer(kept, *arguments))
