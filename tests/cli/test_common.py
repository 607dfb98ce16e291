"""Shared CLI helpers: the progress bar's figures."""

from __future__ import annotations

import re
import time

from interp.cli.common import progress_bar


def test_the_first_batch_counts_in_the_speed(capsys) -> None:
    """The bar appears with the first callback, but its clock starts with the work: 3 frames that took at least
    0.3 s cannot be reported faster than 10 frames/s (it used to say about 60)."""
    with progress_bar("working") as progress:
        time.sleep(0.3)
        progress(3, 3)
    err = capsys.readouterr().err
    rates = [float(r) for r in re.findall(r"([0-9.]+)frame/s", err)]
    assert rates, err
    assert max(rates) <= 10.0


def test_disabled_bar_prints_nothing(capsys) -> None:
    with progress_bar("quiet", enabled=False) as progress:
        progress(1, 2)
    assert capsys.readouterr().err == ""
