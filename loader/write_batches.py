"""Group commit: concurrent tracking updates share one transaction, each in a savepoint.

Eight people (or dashboards) changing statuses at once each used to pay a transaction of their
own: its commit's fsync, a trip to Datasette's write thread, and a new database state that every
polling reader's next answer recomputes. Here the updates that arrive while a batch is being
written wait for it and then go together as the next batch: one ``BEGIN IMMEDIATE``, a
``SAVEPOINT`` per update (an update that fails -- a stale version, a transition not allowed --
rolls back alone and gets its own error), one ``COMMIT``. Each caller gets its answer only after
the commit, so an answer always describes durable rows. Nothing waits on purpose: a lone update
is a batch of one, written at once, and the batches grow only with contention. The outcome is the
same as writing the updates one after the other in the order they arrived.

:func:`run_batch` is the synchronous part (a real connection, testable alone);
:class:`WriteBatcher` is the asyncio part the Datasette plugin uses.
"""
from __future__ import annotations

import asyncio
import sqlite3
from typing import Any, Awaitable, Callable

# An update's step: ``step(conn)`` writes inside the open transaction and returns its answer.
Step = Callable[[sqlite3.Connection], Any]

# At most this many updates in one transaction: a commit's answers wait for all of its updates.
MAX_BATCH = 64


class Failed:
    """One step's exception, returned in place of its answer."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException):
        self.error = error


def run_batch(conn: sqlite3.Connection, steps: list[Step]) -> list[Any]:
    """Run ``steps`` in one transaction, each in its own savepoint, and commit once.

    Returns one item per step: its answer, or :class:`Failed` with the exception it raised (its
    writes rolled back, the others kept). An error of the transaction itself (taking the write lock,
    the commit) is raised: then nothing of the batch is written."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        results = []
        for step in steps:
            conn.execute("SAVEPOINT rectrack_update")
            try:
                result = step(conn)
            except Exception as error:  # the step's own failure: undo it alone
                conn.execute("ROLLBACK TO rectrack_update")
                conn.execute("RELEASE rectrack_update")
                results.append(Failed(error))
            else:
                conn.execute("RELEASE rectrack_update")
                results.append(result)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return results


class WriteBatcher:
    """Queue steps and write them in batches, one batch at a time.

    ``write(steps)`` runs a batch (e.g. ``run_batch`` on a database's write thread) and returns the
    list :func:`run_batch` returns. :meth:`submit` returns the step's answer or raises its error."""

    def __init__(self, write: Callable[[list[Step]], Awaitable[list[Any]]], max_batch: int = MAX_BATCH):
        self._write = write
        self._max_batch = max_batch
        self._pending: list[tuple[Step, asyncio.Future]] = []
        self._writing = False
        self.batches = 0  # written so far (for benchmarks and tests)
        self.steps = 0

    async def submit(self, step: Step) -> Any:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((step, future))
        if not self._writing:
            self._writing = True
            asyncio.ensure_future(self._drain())
        result = await future
        if isinstance(result, Failed):
            raise result.error
        return result

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch = self._pending[:self._max_batch]
                del self._pending[:self._max_batch]
                try:
                    results = await self._write([step for step, _ in batch])
                except Exception as error:  # the whole batch failed: every caller gets the error
                    results = [Failed(error)] * len(batch)
                except BaseException:  # cancelled (the loop is closing): nobody gets an answer
                    for _, future in batch + self._pending:
                        future.cancel()
                    self._pending.clear()
                    raise
                self.batches += 1
                self.steps += len(batch)
                for (_, future), result in zip(batch, results):
                    if not future.done():  # its caller may have gone (a closed connection)
                        future.set_result(result)
        finally:
            self._writing = False
