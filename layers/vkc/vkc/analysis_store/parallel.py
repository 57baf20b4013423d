"""Analysis in a second process, so the engine and the database writes stop sharing one GIL.

Why: in one process the GIL serializes the engine (≈ 75 µs per comment) and the writer's own Python
(≈ 50 µs), so the analyze task stays near 5,000 comments/s whatever the cores. Lambda gives CPU time in
proportion to memory: 1,769 MB buys one vCPU-second per second and 3,538 MB two (a function shows 2
cores at any size up to 3,008 MB, but below ~2,600 MB two busy processes share about one core's time, see
``vcpus``). With two vCPUs of time a child process analyzes chunk k+1 while the parent writes chunk k
(the parent counts the batch's duplicates while the child analyzes the first, see ``chunk_sizes``),
and the child sends back write-ready plain rows (``apply.Prepared``: ints, strings, tuples; the
rows' JSON already encoded), never ``CommentAnalysis`` objects (pickling those costs 40–130 µs per
comment, as much as analyzing).

How, and why so (measured, see docs/analysis-throughput.md):
- ``os.fork`` + a socket pair, not ``multiprocessing.Pool``/``Queue``: Lambda has no /dev/shm, so
  nothing built on POSIX semaphores works there. Framing is ``multiprocessing.connection``'s.
- fork after the analyzer is compiled: the child gets the compiled rules and every warm cache
  copy-on-write, without recompiling: a fork took 3–8 ms, a spawned interpreter 0.67 s to import
  the engine and compile 200 rules, with cold caches after.
- one persistent child per container, reused across tasks and invocations while the analyzers it was
  forked with are the parent's current ones (``(workspace, rules version)``): the child's engine
  caches fill over its life, like the parent's did before (forking per task was 13% slower). A task whose
  rules the child lacks (a new workspace, changed keywords) replaces it with a fresh fork.
- the fork happens only in a process whose only thread is the caller's (``child_for``: the in-process
  path's writer thread has ended before; Lambda's runtime runs the handler on one thread). The child
  closes every inherited descriptor but its socket (the database, Redis and runtime API connections
  stay the parent's alone), keeps the parent's objects frozen from the garbage collector (nothing
  inherited is ever finalized there), takes no lock the parent holds, and leaves with ``os._exit``.
- a sender thread in the child writes the results while its main thread analyzes the next chunk, so
  a full socket buffer (a chunk's rows exceed it) never stalls the analysis while the parent writes.
- neither process waits while the other has work: the child analyzes the batch from the front, and the
  parent, whenever no chunk is waiting to be written, takes rows back from the end (``Batch.claim``)
  and analyzes them itself. Which side is faster depends on the machine and the database's load, so
  the split is decided as it happens (interleaved bench pairs: +1,704/s, 10 of 10, against the child
  analyzing every row). Messages to the child: batches, and claims on them; a batch that arrives while
  another runs waits in the child's ``_Inbox`` (the parent sends a large batch's first rows on their
  own, see ``apply._split``).

Failure: a child that dies (killed, out of memory) ends the parent's read with EOF, an error in the
engine comes back as its traceback; either way the parent reaps the child and raises
``AnalysisProcessFailed``, the caller's transaction rolls back with nothing written, and the task
fails so SQS delivers it again; the retry forks a new child. A request the parent abandons half-way
(an error while writing) kills the child too, so no stale result is ever read by a later task. The
parent always reaps its children: no zombies."""

from __future__ import annotations

import atexit
import collections
import contextlib
import gc
import logging
import os
import pickle
import queue
import signal
import sys
import threading
import traceback
import uuid
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, Pipe
from typing import Any

from vkc.analysis.analyzer import CommentAnalysis
from vkc.analysis_store.ruleset import AnalyzerCache, RuleSet
from vkc.settings import get_settings

log = logging.getLogger(__name__)

#: Chunks of the parallel path (``chunk_sizes``): the first is short; then up to ``CHUNK``.
FIRST = 100
CHUNK = 500
#: A smaller batch is analyzed in-process: it would be one or two chunks here, so there would be
#: little to overlap (measured: at 300 the parallel path won both paired runs, see
#: docs/analysis-throughput.md).
MIN_BATCH = 3 * FIRST
#: The child's GIL switch interval (see ``_serve``).
SWITCH_INTERVAL_S = 0.0002

Key = tuple[uuid.UUID, str]  # (workspace, rules version)
Row = tuple[int, str]  # (comment id, text)
#: builds one comment's write rows: (ruleset, comment id, text, analysis) -> plain rows
Prepare = Callable[[RuleSet, int, str, CommentAnalysis], Any]


class AnalysisProcessFailed(RuntimeError):
    """The analysis process died or raised: the task fails (and is retried), nothing is committed."""


#: Lambda's CPU time per MB of memory: 1,769 MB is one vCPU-second per second (AWS Lambda docs,
#: "Configuring function memory"); CPU scales linearly with memory up to 10,240 MB.
MB_PER_VCPU = 1769
#: A second process pays off from about one and a half vCPUs of time: below that the child and the
#: writer mostly take turns on one vCPU's worth, and the fork and the rows' pickling are pure cost.
MIN_VCPUS = 1.5


def vcpus(cpus: int | None = None, lambda_memory_mb: int | None = None) -> float:
    """The CPU time this process can use per second: its cores, and in Lambda no more than its memory buys.

    Lambda shows a function 2 cores at any size up to 3,008 MB (3 from 3,009 MB), but throttles it to
    ``memory / 1,769`` vCPUs of time: at 1,769 MB two busy processes get half a core each.
    """
    if cpus is None:
        cpus = (os.process_cpu_count() if hasattr(os, "process_cpu_count") else os.cpu_count()) or 1
    if lambda_memory_mb is None:
        lambda_memory_mb = get_settings().lambda_memory_mb
    if lambda_memory_mb:
        return min(float(cpus), lambda_memory_mb / MB_PER_VCPU)
    return float(cpus)


def processes() -> int:
    """How many processes analyze: the ``ANALYSIS_PROCESSES`` setting, or 2 where there are about two
    vCPUs of CPU time (``vcpus``: on Lambda from 2,654 MB; here, 2 cores)."""
    setting = get_settings().analysis_processes
    if setting != "auto":
        return int(setting)
    if not hasattr(os, "fork"):
        return 1
    return 2 if vcpus() >= MIN_VCPUS else 1


def wanted(batch: int) -> bool:
    """Whether a batch of this many stale comments should go to the analysis process."""
    return batch >= MIN_BATCH and processes() >= 2


def chunk_sizes(n: int, first: int = FIRST, largest: int = CHUNK) -> list[int]:
    """Chunks of the parallel path, all analyzed by the child: a short first one, the last one short.

    Why: the parent writes nothing until the first chunk arrives, so it is short (``first``: ready
    while the parent counts the batch's duplicates); the second is twice as long, then even chunks of
    ``largest`` at most, as the child keeps ahead of the writes; the last is short again, because its
    write is the one nothing overlaps.
    """
    if n <= 2 * first:
        return [n] if n <= first else [first, n - first]
    middle = n - 2 * first
    second = min(2 * first, middle)
    rest = middle - second
    parts = -(-rest // largest)
    sizes = [first, second]
    if parts:
        base, extra = divmod(rest, parts)
        sizes += [base + (1 if i < extra else 0) for i in range(parts)]
    return [*sizes, first]


class AnalysisProcess:
    """The child process: analyzes the batches it is sent with the rule sets it was forked with."""

    def __init__(self, analyzers: AnalyzerCache, prepare: Prepare) -> None:
        self.analyzers = analyzers
        self.rulesets = analyzers.compiled()
        parent_end, child_end = Pipe(duplex=True)
        gc.freeze()  # inherited objects stay out of the child's collections (no copy, no finalizer)
        try:
            pid = os.fork()
        except BaseException:
            gc.unfreeze()
            parent_end.close()
            child_end.close()
            raise
        if pid == 0:  # the child: never returns
            code = 1
            try:
                parent_end.close()
                _close_inherited(child_end.fileno())
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _serve(child_end, self.rulesets, prepare)
                code = 0
            finally:
                os._exit(code)
        gc.unfreeze()
        child_end.close()
        self.pid = pid
        self.conn: Connection = parent_end
        self._seq = 0  # batches sent: a claim names its batch, so a late one is never applied to the next

    def serves(self, analyzers: AnalyzerCache, key: Key, ruleset: RuleSet) -> bool:
        """Whether this child has exactly this compiled rule set and is still alive."""
        if analyzers is not self.analyzers or self.rulesets.get(key) is not ruleset:
            return False
        try:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return done == 0

    def analyze(self, key: Key, rows: Sequence[Row], sizes: Sequence[int]) -> Batch:
        """Send the batch now; the returned ``Batch`` yields the child's chunks and takes claims."""
        self._seq += 1
        try:
            self.conn.send_bytes(
                pickle.dumps(("batch", self._seq, key, list(sizes), list(rows)), pickle.HIGHEST_PROTOCOL)
            )
        except OSError as e:
            pid, status = self.pid, self.stop()
            raise AnalysisProcessFailed(f"analysis process {pid} is gone ({status}): {e}") from e
        return Batch(self, self._seq)

    def stop(self) -> str:
        """Kill and reap the child (it holds nothing to clean up); returns how it ended."""
        pid, self.pid = self.pid, 0
        self.conn.close()
        if not pid:
            return "stopped"
        try:
            done, status = os.waitpid(pid, os.WNOHANG)  # ended by itself: say how
            if done == 0:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return "already reaped"
        if os.WIFSIGNALED(status):
            return f"killed by signal {os.WTERMSIG(status)}"
        return f"exit code {os.waitstatus_to_exitcode(status)}"


class Batch:
    """One batch in the analysis process: its chunks as they come, and the rows the parent takes back.

    The child analyzes from the front; the parent, whenever it has no chunk to write, may take rows from
    the end (``claim``) and analyze them itself. The child reads claims between comments and stops where
    the parent's share begins, then says where it stopped (``end``). It may overrun a claim by a few
    comments before it reads it: those rows come back twice, and the parent writes its own copy
    (``apply._drain``). Every row is analyzed: the child stops at a claim it has read, and
    the parent's last claim is the lowest, so ``end`` is never below it.
    """

    def __init__(self, process: AnalysisProcess, seq: int) -> None:
        self.process = process
        self.seq = seq
        self.end: int | None = None  # where the child stopped, once it said so

    def ready(self) -> bool:
        """Whether a message from the child is waiting (a chunk, the end, an error)."""
        try:
            return self.process.conn.poll(0)
        except OSError:
            return True  # the read that follows reports it

    def receive(self) -> tuple[int, list[Any]] | None:
        """The child's next chunk as (first row's index, prepared rows); None once it has stopped."""
        conn = self.process.conn
        try:
            message = pickle.loads(conn.recv_bytes())  # noqa: S301 - our own child's bytes
        except (EOFError, OSError) as e:
            status = self.process.stop()
            raise AnalysisProcessFailed(f"analysis process ended mid-batch ({status})") from e
        kind = message[0]
        if kind == "chunk":
            return message[1], message[2]
        if kind == "end":
            self.end = message[1]
            return None
        self.process.stop()
        raise AnalysisProcessFailed(f"analysis failed in the analysis process:\n{message[1]}")

    def claim(self, start: int) -> None:
        """Tell the child that the parent analyzes the rows from ``start`` on (as far as earlier claims)."""
        try:
            self.process.conn.send_bytes(pickle.dumps(("claim", self.seq, start), pickle.HIGHEST_PROTOCOL))
        except OSError as e:
            status = self.process.stop()
            raise AnalysisProcessFailed(f"analysis process ended mid-batch ({status})") from e

    def close(self) -> None:
        """Abandoned before the child said where it stopped: kill it, so no stale result reaches a later batch."""
        if self.end is None and self.process.pid:
            self.process.stop()


#: Rows the parent takes back per claim (about 9 ms of analysis): a claim costs a message and a write.
CLAIM = 100
#: Comments the child analyzes between two looks for claims.
CHECK_EVERY = 8


def claim_start(child_done: int, parent_from: int) -> int | None:
    """Where the parent's next claim starts, or None: the child has returned ``rows[:child_done]`` and
    the parent holds ``rows[parent_from:]``; one claim's worth is always left between them for the child
    (it is working there), so the two do not fight over the last rows. ``CLAIM = 0``: no claims."""
    if CLAIM <= 0:
        return None
    start = parent_from - CLAIM
    return start if start >= child_done + CLAIM else None


_child: AnalysisProcess | None = None  # a worker runs its tasks one after another: one child at a time
_told_threads = False


def child_for(analyzers: AnalyzerCache, key: Key, ruleset: RuleSet, prepare: Prepare) -> AnalysisProcess | None:
    """This container's analysis process for the rule set, forked (again) when it lacks it.

    None (analyze in-process) when a fork is needed but would be unsafe or fails: only a process whose
    one thread is the caller's forks (a Lambda worker; not a local stack serving HTTP on other
    threads), since a lock another thread held at that moment would stay locked in the child forever.
    """
    global _child
    if _child is not None and _child.serves(analyzers, key, ruleset):
        return _child
    stop()
    if threading.active_count() != 1:
        global _told_threads
        if not _told_threads:  # once per process: the worker then runs at the one-process rate
            _told_threads = True
            names = [t.name for t in threading.enumerate()]
            log.warning("analysis process not forked: this process runs other threads %s", names)
        return None
    try:
        _child = AnalysisProcess(analyzers, prepare)
    except OSError:
        log.warning("cannot fork the analysis process; analyzing in-process", exc_info=True)
        return None
    return _child


def child_pid() -> int | None:
    """The running child's pid (tests, diagnostics)."""
    return _child.pid if _child is not None and _child.pid else None


def stop() -> None:
    """Stop and reap the analysis process, if any (at exit, and before a new fork)."""
    global _child
    if _child is not None:
        _child.stop()
        _child = None


atexit.register(stop)


def _close_inherited(keep: int) -> None:
    """Close every descriptor but stdio and the child's socket: the parent's connections stay its own."""
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))


def _serve(conn: Connection, rulesets: dict[Key, RuleSet], prepare: Prepare) -> None:
    """The child's loop: one request per batch, one reply per chunk and one at its end (where the child
    stopped), until the parent closes.

    The sender thread needs the GIL back after each write (a reply is a header and a payload, two
    writes); with the default 5 ms switch interval it would wait that long behind the analyzing
    thread while the parent waits for the payload. It asks rarely (a few times per chunk), so a
    short interval costs the analysis nothing.
    """
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    out: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    sender = threading.Thread(target=_send_all, args=(conn, out), name="analysis-results", daemon=True)
    sender.start()
    inbox = _Inbox(conn)
    while (message := inbox.next_batch()) is not None:
        _, seq, key, sizes, rows = message
        try:
            ruleset = rulesets[key]
            analyze = ruleset.analyzer.analyze
            seen: dict[str, CommentAnalysis] = {}  # the same text in a batch is analyzed once
            limit = len(rows)  # the parent's claims lower it
            i = 0
            for size in sizes:
                first = i
                stop = min(first + size, limit)
                chunk = []
                while i < stop:
                    if not (i - first) % CHECK_EVERY:
                        limit = inbox.limit(seq, limit)
                        stop = min(stop, limit)
                        if i >= stop:
                            break
                    comment_id, comment_text = rows[i]
                    found = seen.get(comment_text)
                    if found is None:
                        found = seen[comment_text] = analyze(comment_text)
                    chunk.append(prepare(ruleset, comment_id, comment_text, found))
                    i += 1
                if chunk:
                    out.put(pickle.dumps(("chunk", first, chunk), pickle.HIGHEST_PROTOCOL))
                if i >= limit:
                    break
            out.put(pickle.dumps(("end", i), pickle.HIGHEST_PROTOCOL))
        except Exception:
            out.put(pickle.dumps(("error", traceback.format_exc()), pickle.HIGHEST_PROTOCOL))


class _Inbox:
    """What the parent sent, read between comments: batches in order (the next one may come while this
    one runs), and the lowest row the parent has claimed in each batch."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.batches: collections.deque[Any] = collections.deque()
        self.claims: dict[int, int] = {}

    def next_batch(self) -> Any:
        """The next batch, waiting for it; None once the parent has closed the socket."""
        while not self.batches:
            try:
                self._take(pickle.loads(self.conn.recv_bytes()))  # noqa: S301 - the parent's own bytes
            except (EOFError, OSError):
                return None
        batch = self.batches.popleft()
        self.claims = {seq: start for seq, start in self.claims.items() if seq >= batch[1]}  # late ones
        return batch

    def limit(self, seq: int, limit: int) -> int:
        """``limit`` lowered to the parent's lowest claim in batch ``seq`` so far."""
        while self.conn.poll(0):
            self._take(pickle.loads(self.conn.recv_bytes()))  # noqa: S301 - the parent's own bytes
        return min(limit, self.claims.get(seq, limit))

    def _take(self, message: Any) -> None:
        if message[0] == "batch":
            self.batches.append(message)
        else:
            _, seq, start = message
            self.claims[seq] = min(start, self.claims.get(seq, start))


def _send_all(conn: Connection, out: queue.SimpleQueue[bytes | None]) -> None:
    while (data := out.get()) is not None:
        try:
            conn.send_bytes(data)
        except OSError:
            os._exit(0)  # the parent is gone
