"""Several server processes on one port: a parent that forks them, watches them and stops them.

The parent binds the sockets, migrates and prepares before it forks (see `server.cli.main`);
each child inherits the shared listening socket (the kernel hands each new connection to one
of the processes waiting on it, so a process that dies loses no queued connection) and serves
until it is told to stop. The parent then only watches:

- a process that ends after it started serving is replaced at once (same number, same
  private socket); one that ends before it ever served stops them all, since the next would
  most likely fail the same way;
- SIGTERM or SIGINT stops every process with SIGTERM (each finishes its requests and seals),
  and SIGKILL after `stop_seconds`; the parent returns only when none is left;
- on Linux each child asks to receive SIGTERM when the parent dies, even by SIGKILL, so no
  process outlives it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import NoReturn

from server.serving.exceptions import ServingFailed

log = logging.getLogger(__name__)
# Serve(number, ready): run process `number` until it is told to stop, calling `ready()` once
# it serves.
Serve = Callable[[int, Callable[[], None]], None]
STOP_SECONDS = 75.0  # aiohttp gives requests 60 s to finish, then cleanup seals the trail
_PR_SET_PDEATHSIG = 1


@dataclass
class _Process:
    number: int
    pid: int
    ready_fd: int  # the read end of the pipe its child writes to once it serves
    ready: bool = False


def _how_it_ended(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    return f"signal {-code}" if code < 0 else f"exit code {code}"


def _die_with_parent(parent: int) -> None:
    """Be sent SIGTERM when the parent dies (Linux), and go now if it already has."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(0)


class _Supervisor:
    def __init__(self, count: int, serve: Serve, stop_seconds: float) -> None:
        self._count = count
        self._serve = serve
        self._stop_seconds = stop_seconds
        self._processes: dict[int, _Process] = {}  # by pid
        self._stopping = False
        self._failure: str | None = None
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)

    def run(self) -> None:
        handlers = {
            number: signal.signal(number, self._on_signal)
            for number in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD)
        }
        previous_wakeup = signal.set_wakeup_fd(self._wake_write)
        try:
            for number in range(self._count):
                self._start(number)
            while not self._stopping:
                self._wait()
        finally:
            self._stop_all()
            signal.set_wakeup_fd(previous_wakeup)
            for number, handler in handlers.items():
                signal.signal(number, handler)
            os.close(self._wake_read)
            os.close(self._wake_write)
        if self._failure is not None:
            raise ServingFailed(self._failure)

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        if number != signal.SIGCHLD:
            self._stopping = True

    def _start(self, number: int) -> None:
        ready_read, ready_write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            os.close(ready_read)
            self._child(number, ready_write, parent)
        os.close(ready_write)
        self._processes[pid] = _Process(number, pid, ready_read)

    def _child(self, number: int, ready_write: int, parent: int) -> NoReturn:
        code = 1
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.close(self._wake_read)
            os.close(self._wake_write)
            for process in self._processes.values():
                if process.ready_fd >= 0:
                    os.close(process.ready_fd)
            _die_with_parent(parent)

            def ready() -> None:
                os.write(ready_write, b".")
                os.close(ready_write)

            self._serve(number, ready)
            code = 0
        except KeyboardInterrupt:  # Ctrl-C reached it before its server handled signals
            code = 0
        except BaseException:  # the child must never return into the parent's code
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def _wait(self) -> None:
        """Sleep until a signal or a child's first word, then deal with both."""
        starting = [p.ready_fd for p in self._processes.values() if p.ready_fd >= 0]
        readable, _, _ = select.select([self._wake_read, *starting], [], [])
        self._drain()
        for process in self._processes.values():
            if process.ready_fd in readable:
                # One byte once it serves; nothing (the pipe closed) if it ended before.
                process.ready = os.read(process.ready_fd, 1) == b"."
                os.close(process.ready_fd)
                process.ready_fd = -1
        self._reap()

    def _drain(self) -> None:
        """Empty the wake-up pipe (its bytes only say that signals came)."""
        try:
            while os.read(self._wake_read, 512):
                pass
        except BlockingIOError:
            pass

    def _reap(self) -> None:
        while self._processes:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return
            process = self._processes.pop(pid, None)
            if process is None:
                continue
            if process.ready_fd >= 0:
                os.close(process.ready_fd)
            if self._stopping:
                continue
            how = _how_it_ended(status)
            if process.ready:
                log.warning(
                    "process %d (pid %d) ended (%s); starting another", process.number, pid, how
                )
                self._start(process.number)
            else:
                self._failure = f"process {process.number} ended while starting ({how})"
                self._stopping = True

    def _stop_all(self) -> None:
        self._stopping = True
        for pid in self._processes:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + self._stop_seconds
        while self._processes and time.monotonic() < deadline:
            select.select([self._wake_read], [], [], min(0.5, deadline - time.monotonic()))
            self._drain()
            self._reap()
        for pid in self._processes:
            _signal(pid, signal.SIGKILL)
        for pid in list(self._processes):
            os.waitpid(pid, 0)
            process = self._processes.pop(pid)
            if process.ready_fd >= 0:
                os.close(process.ready_fd)


def _signal(pid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended by itself; reaped next
        os.kill(pid, number)


def supervise(count: int, serve: Serve, *, stop_seconds: float = STOP_SECONDS) -> None:
    """Run `serve` in `count` child processes until SIGTERM or SIGINT, replacing any that ends
    after it served; ServingFailed when one ends before it served (the others are stopped)."""
    _Supervisor(count, serve, stop_seconds).run()
