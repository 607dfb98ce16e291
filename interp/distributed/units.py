"""Small independent units of work (septuplets, sequences) spread over Ray actors, a bounded number in flight.

``run_units`` keeps at most ``IN_FLIGHT_PER_WORKER`` units per actor submitted, hands each result to the caller as it
arrives (in any order) and kills the actors at the end. Actors are started with ``actor_options`` (restarted by Ray
when their process dies, the lost unit retried), so every unit's function must be safe to run twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from interp.distributed.cluster import WorkerShape, actor_options
from interp.distributed.workers import unwrap_error
from interp.errors import InputError

#: Units submitted per worker at most (one running, one queued so the worker never waits for the driver).
IN_FLIGHT_PER_WORKER = 2
#: Seconds for the workers to start before the job is called infeasible.
READY_TIMEOUT_S = 300.0


def start_actors(ray: ModuleType, cls: type, shape: WorkerShape, args: tuple = (), ready_args: tuple = ()) -> list:
    """Start ``shape.workers`` actors ``cls(*args, threads)`` and wait until each has answered ``ready(*ready_args)``
    (a worker loads its model and checks its input there). Raises ``InputError`` when they do not start in time (the
    cluster lacks the resources) and a worker's own error as one line."""
    actor = ray.remote(cls).options(**actor_options(shape))
    actors = [actor.remote(*args, shape.threads) for _ in range(shape.workers)]
    try:
        ray.get([a.ready.remote(*ready_args) for a in actors], timeout=READY_TIMEOUT_S)
    except ray.exceptions.GetTimeoutError:
        for a in actors:
            ray.kill(a)
        raise InputError(
            f"{shape.workers} Ray worker(s) of {shape.cpus:g} CPU / {shape.gpus:g} GPU did not start within "
            f"{READY_TIMEOUT_S:g} s: the cluster lacks the resources (see 'ray status')"
        ) from None
    except ray.exceptions.RayError as exc:
        for a in actors:
            ray.kill(a)
        raise unwrap_error(exc) from None
    return actors


def run_units(
    ray: ModuleType, actors: list, units: Iterable[Any], method: str, on_result: Callable[[Any], None]
) -> None:
    """Call ``actor.<method>(unit)`` for every unit on the least loaded actor, at most ``IN_FLIGHT_PER_WORKER`` per
    actor at a time, and ``on_result(result)`` for each as it arrives; the actors are killed at the end. Raises the
    first failed unit's error (as ``workers.unwrap_error`` words it)."""
    pending: dict = {}
    load = [0] * len(actors)

    def collect() -> None:
        (ref,), _ = ray.wait(list(pending), num_returns=1)
        load[pending.pop(ref)] -= 1
        try:
            result = ray.get(ref)
        except ray.exceptions.RayError as exc:
            raise unwrap_error(exc) from None
        on_result(result)

    try:
        for unit in units:
            while len(pending) >= IN_FLIGHT_PER_WORKER * len(actors):
                collect()
            worker = min(range(len(actors)), key=load.__getitem__)
            pending[getattr(actors[worker], method).remote(unit)] = worker
            load[worker] += 1
        while pending:
            collect()
    finally:
        for a in actors:
            ray.kill(a)


def describe_nodes(units: str, by_node: dict[str, int], workers: int) -> str:
    """One line saying where the units went: ``ray: 4 septuplets on 2 node(s) by 2 worker(s) (1a2b3c4d: 2, …)``."""
    nodes = ", ".join(f"{node[:8]}: {count}" for node, count in sorted(by_node.items()))
    return f"ray: {sum(by_node.values())} {units} on {len(by_node)} node(s) by {workers} worker(s) ({nodes})"
