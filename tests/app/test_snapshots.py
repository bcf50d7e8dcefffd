"""Engagements, locked baselines and the verification loop in the app: two advisors (ada, bo), a viewer (vic)
and two engagements; locking, listing, comparing, verifying a fingerprint and progress after a remediation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.snapshot_cli import db_path
from core.snapshots import payload, settings_dict
from core.store import Store, StoreError
from tests.app.conftest import goto, open_as
from tests.ui_support import expected
from ui import engagements, state

NOW = "2026-05-01T09:00:00+00:00"
SAMPLE_NAME = "Northwind Holdings (sample)"


@pytest.fixture(autouse=True)
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test on its own store file, so the shared session store of the other app tests stays empty."""
    path = tmp_path / "hygiene.sqlite"
    monkeypatch.setenv("SAH_DB", str(path))
    return path


@pytest.fixture(scope="module")
def remediated(sample: dict[str, object]) -> tuple[str, dict[str, object]]:
    """The sample after its first decommissioned instance was deregistered: that instance's row is gone."""
    f = sample["sah_analysis"].result.findings  # type: ignore[attr-defined]
    gone = f[(f["finding"] == "DECOMMISSIONED") & f["source_file"].str.endswith(".csv")].iloc[0]
    files = dict(sample["sah_files"])  # type: ignore[call-overload]
    u = files[gone["source_file"]]
    row = f"{gone['instance_name']};".encode()  # the file is Windows-1252: work on its bytes
    kept = b"".join(line for line in u.content.splitlines(keepends=True) if not line.startswith(row))
    assert len(kept) < len(u.content)
    files[u.name] = state.Upload.of(
        u.name, kept, **{k: getattr(u, k) for k in ("kind", "smart_account", "virtual_account", "sheet", "mapping")}
    )
    settings = sample["sah_settings"]
    return str(gone["instance_name"]), {"sah_files": files, "sah_analysis": state.analyse(files, settings)}  # type: ignore[arg-type]


def _store() -> Store:
    return Store(db_path(None))


def _engagement_names(at: AppTest) -> list[str]:
    return list(at.sidebar.selectbox(key="sah_engagement_pick").options)


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _labels(at: AppTest) -> set[str]:
    return {b.label for b in at.button}


def _table(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _create_from_sample(sample: dict[str, object]) -> AppTest:
    """ada, a member of nothing, turns the sample estate she is shown into her first engagement."""
    at = goto(open_as("ada", sample), "engagement")
    assert "sah_engagement_pick" not in at.session_state
    assert any("not a member of any engagement" in i.value for i in at.sidebar.info)
    name = next(t for t in at.text_input if t.label == "New engagement")
    assert name.value == SAMPLE_NAME  # defaults to the client's name
    _button(at, "Create engagement").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _engagement_names(at) == [SAMPLE_NAME]
    return goto(at, "baseline")


def _lock(at: AppTest, note: str) -> AppTest:
    next(t for t in at.text_input if t.label == "Note").input(note)
    _button(at, "Lock this baseline").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_each_user_sees_and_opens_only_the_engagements_they_are_a_member_of(sample: dict[str, object]) -> None:
    s = _store()
    acme = s.create_engagement("Acme", "Acme Corp", {}, "ada", NOW)
    globex = s.create_engagement("Globex", "Globex Inc", {"renewal_value": 900000}, "bo", NOW)
    s.add_member(acme, "vic", "viewer", by="ada")
    for user, names, client in (
        ("ada", ["Acme"], "Acme Corp"),
        ("bo", ["Globex"], "Globex Inc"),
        ("vic", ["Acme"], "Acme Corp"),
    ):
        at = open_as(user, sample)
        assert not at.exception
        assert _engagement_names(at) == names, user
        assert at.session_state["sah_settings"].client == client  # opened: its own settings, not the sample
        assert not at.session_state["sah_files"]  # and none of the sample's files
    assert at.session_state["sah_settings"].renewal_value is None
    with pytest.raises(StoreError):  # and the store refuses what the picker never offers
        s.snapshots(globex, "ada")


def test_an_advisor_saves_settings_with_the_engagement_and_finds_them_again(sample: dict[str, object]) -> None:
    eid = _store().create_engagement("Acme", "Acme Corp", {}, "ada", NOW)
    at = goto(open_as("ada", sample), "engagement")
    next(n for n in at.number_input if n.label == "Stale after (days): term / subscription").set_value(120)
    _button(at, "Apply settings").click().run()
    assert not at.exception and not at.error
    assert _store().engagements("ada")[0].settings["stale_days"] == 120
    again = open_as("ada", sample)
    assert again.session_state["sah_settings"].stale_days == 120 and eid


def test_a_viewer_sees_the_snapshots_but_no_lock_button_and_no_settings(sample: dict[str, object]) -> None:
    s = _store()
    settings = settings_dict(expected().settings) | {engagements.SAMPLE_MARK: True}
    eid = s.create_engagement(SAMPLE_NAME, "Northwind Holdings", settings, "ada", NOW)
    s.add_member(eid, "vic", "viewer", by="ada")
    s.add_member(eid, "bo", "viewer", by="ada")  # an advisor elsewhere, a viewer here
    p = payload(expected())
    s.lock(eid, "ada", NOW, p["as_of"], "workshop", p["settings"], p["inputs"], p["fingerprint"], p["files"])
    for user in ("vic", "bo"):
        at = goto(open_as(user, sample), "baseline")
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert at.session_state["sah_source"] == "sample"  # a sample engagement opens on the sample's files
        assert "Lock this baseline" not in _labels(at) and not any(t.label == "Note" for t in at.text_input)
        assert list(_table(at, "Note")["Note"]) == ["workshop"]
        assert "Download snapshot baseline (CSV)" in {d.label for d in at.get("download_button")}
        for page in ("overview", "renewal"):
            goto(at, page)
            assert not {"Apply settings", "Use these assumptions for the engagement"} & _labels(at), (user, page)
    goto(at, "engagement")  # bo may open the Engagement page, but this engagement's settings are not his to change
    assert "Apply settings" not in _labels(at) and "Add or change member" not in _labels(at)
    assert any("read-only" in c.value for c in at.caption)


def test_locking_the_baseline_adds_a_snapshot_to_the_list(sample: dict[str, object]) -> None:
    at = _lock(_create_from_sample(sample), "Workshop baseline")
    assert any(m.value.startswith("Locked snapshot #1") for m in at.success)
    listed = _table(at, "Note")
    assert list(listed["Note"]) == ["Workshop baseline"] and list(listed["By"]) == ["ada"]
    assert listed["Fingerprint"][0] == payload(expected())["fingerprint"][:12] + "…"
    snap = _store().snapshot(1, "ada")
    assert snap.baseline_csv == payload(expected())["files"]["baseline.csv"]


def test_a_snapshots_own_csv_verifies_and_a_tampered_one_does_not(sample: dict[str, object]) -> None:
    at = _lock(_create_from_sample(sample), "to verify")
    data = _store().snapshot(1, "ada").baseline_csv
    at.file_uploader(key="sah_verify_file").set_value(("baseline.csv", data, "text/csv")).run()
    assert any("matches snapshot #1" in m.value for m in at.success), [m.value for m in at.success]
    tampered = data.replace(b",", b",1", 1)
    at.file_uploader(key="sah_verify_file").set_value(("baseline.csv", tampered, "text/csv")).run()
    assert any("differs from snapshot #1" in e.value and "matches no snapshot" in e.value for e in at.error)
    assert not at.exception


def test_two_locks_compare_and_progress_shows_the_deregistration_done(
    sample: dict[str, object], remediated: tuple[str, dict[str, object]]
) -> None:
    gone, estate = remediated
    at = _lock(_create_from_sample(sample), "before")
    for key, value in estate.items():  # fresh exports after the remediation, uploaded in the same session
        at.session_state[key] = value
    at = _lock(at.run(), "after")
    assert list(_table(at, "Note")["Note"]) == ["before", "after"]

    pools = _table(at, "clean_in_use_delta")  # earlier #1 → later #2 by default
    assert len(pools) >= 1 and (pools["clean_in_use_delta"] != 0).any()
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Findings resolved"]) >= 1
    added, resolved = [d.value for d in at.dataframe if "evidence" in d.value.columns][:2]
    assert gone in set(resolved["instance_name"]) and gone not in set(added["instance_name"])
    assert at.get("vega_lite_chart")

    next(b for b in at.selectbox if b.label == "Against snapshot").set_value(
        1
    ).run()  # progress of the estate now against the first lock
    assert not at.exception and not at.error
    done = _table(at, "reason")
    assert gone in set(done.loc[done["action"] == "DEREGISTER", "instance_name"])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Actions done"].startswith(f"{len(done):,} of ")


def test_a_corrupt_store_file_is_a_clear_message_and_the_app_still_runs(db: Path, sample: dict[str, object]) -> None:
    db.write_bytes(b"this is not a database, just some bytes " * 200)
    at = goto(open_as("ada", sample), "baseline")
    assert not at.exception
    messages = [e.value for e in at.sidebar.error]
    assert any("not a usable Smart Account Hygiene database" in m for m in messages), messages
    assert "Baseline" in [t.value for t in at.title]
    assert "Lock this baseline" not in _labels(at)
