"""Connecting to Ray: start a local one or join a cluster, check its resources, one-line errors for everything else."""

from __future__ import annotations

import importlib
import ipaddress
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType

from interp.errors import InputError

#: Environment every Ray worker of ours runs with: waiting OpenMP threads sleep instead of spinning (on a busy machine
#: spinning torch threads made runs 2-6x slower).
WORKER_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}
#: Seconds to wait for a cluster's address to accept a connection before calling it unreachable.
CONNECT_TIMEOUT_S = 5.0
#: The value of ``--ray`` given without an address: start Ray on this machine.
LOCAL = "local"
#: Ray turns loopback addresses into the machine's network address unless this is 0 (must be set before import).
_LOOPBACK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


def import_ray(loopback: bool = False) -> ModuleType:
    """Import Ray, or raise ``InputError`` saying how to install it.

    Args:
        loopback: the cluster is on 127.0.0.1: keep Ray on the loopback interface (only effective before the first
            import of Ray in this process).
    """
    if loopback and "ray" not in sys.modules:
        os.environ.setdefault(_LOOPBACK_ENV, "0")
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise InputError(
            "--ray needs Ray: install it with pip install ray==2.60.0 (pinned in requirements.txt)"
        ) from None


def _split_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"--ray takes nothing, 'auto' or HOST:PORT, got {address!r}")
    return host.strip("[]"), int(port)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine's loopback interface (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Raise ``InputError`` when nothing accepts connections at ``HOST:PORT`` (Ray itself would retry for minutes)."""
    host, port = _split_address(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise InputError(
            f"cannot reach a Ray cluster at {address} ({exc.strerror or exc}); start one with 'ray start --head' "
            "or check the address"
        ) from None


@contextmanager
def ray_session(address: str) -> Iterator[ModuleType]:
    """Yield the ``ray`` module connected to a cluster; disconnect (and stop a local Ray) at the end.

    Args:
        address: ``LOCAL`` starts Ray on this machine (all its CPUs, bound to 127.0.0.1); ``"auto"`` joins the Ray
            started on this machine with ``ray start``; ``HOST:PORT`` joins that cluster's head. A process that is
            already connected (``ray.init`` called before) keeps its connection.
    """
    loopback = address == LOCAL or (address != "auto" and is_loopback(_split_address(address)[0]))
    ray = import_ray(loopback)
    if ray.is_initialized():
        yield ray
        return
    if address not in (LOCAL, "auto"):
        check_reachable(address)
    try:
        if address == LOCAL:
            ray.init(
                address="local",  # a new Ray of our own, even where RAY_ADDRESS names another
                num_cpus=os.cpu_count() or 1,
                _node_ip_address="127.0.0.1",
                include_dashboard=False,
                logging_level="ERROR",
                log_to_driver=False,
            )
        else:
            ray.init(address=address, logging_level="ERROR", log_to_driver=False)
    except ConnectionError as exc:
        raise InputError(f"cannot join the Ray cluster at {address!r}: {str(exc).splitlines()[0]}") from None
    try:
        yield ray
    finally:
        ray.shutdown()


@dataclass(frozen=True)
class WorkerShape:
    """What each Ray worker asks for and how many of them a job runs.

    Attributes:
        workers: number of actors.
        cpus: CPUs per actor (its torch threads).
        gpus: GPUs per actor (0 or 1).
    """

    workers: int
    cpus: float
    gpus: float

    @property
    def threads(self) -> int:
        return max(1, int(self.cpus))


def worker_shape(ray: ModuleType, device: str | None, workers: int | None, cpus: float) -> WorkerShape:
    """Size the workers for the cluster: one GPU each for ``--device cuda`` (or by default when the cluster has GPUs),
    else ``cpus`` CPUs each; as many as fit unless ``workers`` is given. Raises ``InputError`` when the cluster cannot
    host even one (e.g. ``--device cuda`` and no GPU node)."""
    nodes = [node["Resources"] for node in ray.nodes() if node.get("Alive")]
    total_gpus = sum(node.get("GPU", 0.0) for node in nodes)
    wants_gpu = device is not None and device.startswith("cuda")
    if wants_gpu and total_gpus < 1:
        raise InputError(f"--device {device}: the Ray cluster has no GPU (nodes: {_describe(nodes)})")
    use_gpu = wants_gpu or (device is None and total_gpus >= 1)
    if not any(node.get("CPU", 0.0) >= cpus for node in nodes):
        raise InputError(f"no node of the Ray cluster has {cpus:g} CPUs for one worker (nodes: {_describe(nodes)})")
    if use_gpu:
        fit = int(sum(int(node.get("GPU", 0.0)) for node in nodes if node.get("CPU", 0.0) >= cpus))
    else:
        fit = int(sum(int(node.get("CPU", 0.0) // cpus) for node in nodes))
    return WorkerShape(workers or max(1, fit), cpus, 1.0 if use_gpu else 0.0)


def _describe(nodes: list[dict]) -> str:
    return "; ".join(f"{node.get('CPU', 0):g} CPU, {node.get('GPU', 0):g} GPU" for node in nodes) or "none alive"


def actor_options(shape: WorkerShape, max_restarts: int = 3) -> dict:
    """Ray actor options for one worker: its resources, its environment, restarts and retries after a lost process."""
    env = {**WORKER_ENV, "OMP_NUM_THREADS": str(shape.threads)}
    return {
        "num_cpus": shape.cpus,
        "num_gpus": shape.gpus,
        "max_restarts": max_restarts,
        "max_task_retries": max_restarts,
        "runtime_env": {"env_vars": env},
    }
