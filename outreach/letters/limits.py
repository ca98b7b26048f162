"""Work on a supervisor's template runs in a forked process with limits, so that it cannot tie
up a web worker: an address-space limit (RLIMIT_AS) above what the web worker holds, a CPU
limit, and a wall-clock wait after which the web worker ends the process.

The web worker forks: nothing to import or start first, the arguments go by copy-on-write; the
child only runs the call, sends back what it returned and ends without running the parent's
exit handlers (its database connections are left untouched).
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from typing import Any

_CONTEXT = multiprocessing.get_context("fork")


class Stopped(Exception):
    """The call was stopped: `kind` is "time" (it ran past its wait) or "memory" (the process
    ended without an answer: its memory or CPU limit)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _address_space() -> int:
    """Bytes of address space this process holds now (its VmSize)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _child(sender: Any, call: Callable[..., Any], args: tuple, cpu_seconds: int,
           memory: int) -> None:
    limit = _address_space() + memory
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    sender.send(call(*args))
    sender.close()


def run_limited(call: Callable[..., Any], args: tuple, *, seconds: float, memory: int) -> Any:
    """`call(*args)` in a forked process that may add `memory` bytes and run `seconds` (CPU
    and wall clock); what it returns (it must be picklable), or `Stopped`. An exception in the
    call ends the process without an answer: `call` returns its failures as values."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    worker = _CONTEXT.Process(target=_child, args=(sender, call, args, int(seconds) + 1, memory),
                              daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise Stopped("time")
        return receiver.recv()
    except EOFError as error:
        raise Stopped("memory") from error
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join()
