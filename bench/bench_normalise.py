"""Prints how long the cell normalisers take on 1M values. A benchmark, not a test: nothing is asserted.

Run: .venv/bin/python bench/bench_normalise.py [rows]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.dates import detect_day_month_order, parse_dates  # noqa: E402
from core.normalise import (  # noqa: E402
    lifecycle,
    normalise_host,
    normalise_serial,
    parse_int,
    split_license_list,
)


def timed(label: str, func: Callable[[], object]) -> None:
    start = time.perf_counter()
    func()
    print(f"{label:<48} {time.perf_counter() - start:6.2f} s")


def main(rows: int) -> None:
    rng = np.random.default_rng(7)
    seconds = rng.integers(1_600_000_000, 1_800_000_000, rows)
    stamps = pd.to_datetime(seconds, unit="s")
    iso = pd.Series(stamps.strftime("%Y-%m-%dT%H:%M:%SZ"), dtype="str")
    dmy = pd.Series(stamps.strftime("%d/%m/%Y %H:%M"), dtype="str")
    days = pd.Series(stamps.strftime("%Y-%m-%d"), dtype="str")
    serial = pd.Series([f"FOC{n:08X}" for n in rng.integers(0, 2**32, rows)], dtype="str")
    stacks = serial.where(rng.random(rows) > 0.05, serial + ", " + serial.str[::-1])
    hosts = pd.Series([f"SW-{n:07d}.corp.example.com" for n in range(rows)], dtype="str")
    counts = pd.Series(rng.integers(0, 5000, rows).astype(str), dtype="str").str.replace(
        r"(\d)(\d{3})$", r"\1,\2", regex=True
    )
    status = pd.Series(rng.choice(["Installed", "Retired", "In Stock", "7", "weird", ""], rows), dtype="str")
    licences = pd.Series(rng.choice(["DNA Advantage (1); Network Advantage", "DNA Essentials", ""], rows), dtype="str")

    print(f"{rows:,} values each")
    timed("parse_dates ISO timestamps (~all distinct)", lambda: parse_dates(iso, None))
    timed("parse_dates DD/MM/YYYY HH:MM (~all distinct)", lambda: parse_dates(dmy, "DMY"))
    timed("parse_dates YYYY-MM-DD (repeating)", lambda: parse_dates(days, None))
    timed("detect_day_month_order DD/MM/YYYY HH:MM", lambda: detect_day_month_order(dmy))
    timed("normalise_serial (distinct)", lambda: normalise_serial(serial))
    timed("normalise_serial (5% stacks)", lambda: normalise_serial(stacks))
    timed("normalise_host FQDN", lambda: normalise_host(hosts))
    timed("parse_int with thousands", lambda: parse_int(counts))
    timed("lifecycle", lambda: lifecycle(status))
    timed("split_license_list", lambda: split_license_list(licences))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
