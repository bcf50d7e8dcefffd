"""An engagement.toml given as text (an upload beside the exports)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.manifest import parse_manifest
from core.model import InputError

TODAY = dt.date(2026, 11, 1)


def test_an_uploaded_manifest_gives_settings_and_entries_without_needing_the_files() -> None:
    m = parse_manifest(
        '[engagement]\nclient = "Acme"\nrenewal_value = "4,200,000"\n[settings]\nstale_days = 60\n'
        '[[file]]\npath = "cssm/campus.csv"\nsmart_account = "Acme"\nvirtual_account = "Campus"\n',
        "engagement.toml",
        TODAY,
    )
    assert (m.settings.client, m.settings.renewal_value, m.settings.stale_days, m.settings.as_of) == (
        "Acme",
        4_200_000.0,
        60,
        TODAY,
    )
    assert m.files[0].path.name == "campus.csv" and m.files[0].virtual_account == "Campus"


def test_every_problem_of_an_uploaded_manifest_is_reported_at_once() -> None:
    with pytest.raises(InputError) as err:
        parse_manifest(
            '[engagement]\nas_of = "soon"\n[[file]]\nkind = "nope"\npath = "x.csv"\n[[file]]\n',
            "engagement.toml",
            TODAY,
        )
    lines = [p.line() for p in err.value.problems]
    assert len(lines) == 3 and all(line.startswith("engagement.toml") for line in lines)
