"""The Engagement page: uploads through the real uploader, per-file problems in words, settings."""

from __future__ import annotations

import datetime as dt

from core.settings import Settings
from tests.app.conftest import goto, open_as
from tests.ui_support import expected, sample_files

EMPTY = {"sah_settings": Settings(as_of=dt.date(2026, 11, 1)), "sah_files": {}, "sah_source": "empty"}


def _errors(at) -> list[str]:
    """The error messages as shown: markdown escapes of file-derived text removed."""
    return [e.value.replace("\\", "") for e in at.error]


def _upload(at, files: list[tuple[str, bytes]]):
    at.file_uploader[0].set_value([(name, data, "application/octet-stream") for name, data in files])
    return at.run()


def test_uploading_the_sample_exports_gives_the_findings_of_the_cli() -> None:
    at = goto(open_as("ada", EMPTY), "engagement")
    at = _upload(at, [(p.name, p.read_bytes()) for p in sample_files()])
    assert not at.exception and not at.error
    result = at.session_state["sah_analysis"].result
    assert len(result.findings) == len(expected().findings)
    assert result.finding_counts() == expected().finding_counts()
    assert at.session_state["sah_settings"] == expected().settings
    assert not at.file_uploader[0].value  # the files moved into the table; the uploader is empty again


def test_exports_without_their_smart_account_are_named_in_a_clear_message() -> None:
    at = goto(open_as("ada", EMPTY), "engagement")
    instances = next(p for p in sample_files() if p.name == "northwind_campus_instances.csv")
    at = _upload(at, [(instances.name, instances.read_bytes())])
    messages = _errors(at)
    assert any(m.startswith("northwind_campus_instances.csv") and "smart account" in m for m in messages), messages
    assert not at.exception


def test_a_file_that_is_not_an_export_is_refused_with_its_name_and_reason() -> None:
    at = goto(open_as("ada", EMPTY), "engagement")
    at = _upload(at, [("notes.csv", b"hello,world\nthis is,not an export\n")])
    assert any(m.startswith("notes.csv") for m in _errors(at)), _errors(at)
    assert not at.exception


def test_a_broken_engagement_toml_is_reported_not_raised() -> None:
    at = goto(open_as("ada", EMPTY), "engagement")
    at = _upload(at, [("engagement.toml", b"[engagement\nclient = ")])
    assert any("engagement.toml" in m and "TOML" in m for m in _errors(at))
    assert not at.exception


def test_a_file_without_its_scope_is_used_once_its_smart_account_and_va_are_set_in_the_table() -> None:
    at = goto(open_as("ada", EMPTY), "engagement")
    instances = next(p for p in sample_files() if p.name == "northwind_campus_instances.csv")
    at = _upload(at, [(instances.name, instances.read_bytes())])
    at.session_state["sah_files_editor"] = {
        "edited_rows": {0: {"smart_account": "Northwind Holdings", "virtual_account": "Campus"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    next(b for b in at.button if b.label == "Apply changes to the files").click().run()
    assert not at.error and not at.exception
    report = at.session_state["sah_analysis"].parsed[0].report
    cli = next(r for r in expected().reports if r.file == instances.name)
    assert (report.rows_read, report.used, report.rejected, report.skipped) == (
        cli.rows_read,
        cli.used,
        cli.rejected,
        cli.skipped,
    )


def test_columns_the_app_does_not_recognise_can_be_mapped_by_hand() -> None:
    at = goto(open_as("ada", EMPTY), "engagement")
    at = _upload(at, [("cmdb.csv", b"Hostname,Serial Number,Phase\nsw-1,FOC1234X0AB,Retired\nsw-2,FOC1234X0AC,Live\n")])
    assert at.session_state["sah_analysis"].by_file["cmdb.csv"].report.unmapped == ("Phase",)
    at.selectbox(key="sah_map_kind_cmdb.csv").set_value("inventory").run()
    at.session_state["sah_map_editor_cmdb.csv_inventory"] = {
        "edited_rows": {2: {"column": "Phase"}},  # the status field
        "added_rows": [],
        "deleted_rows": [],
    }
    next(b for b in at.button if b.label == "Use this mapping").click().run()
    assert not at.exception
    parsed = at.session_state["sah_analysis"].by_file["cmdb.csv"]
    assert parsed.report.kind == "inventory"
    assert parsed.report.mapped == {"hostname": "Hostname", "serial": "Serial Number", "status": "Phase"}
    assert list(parsed.frame["lifecycle"]) == ["retired", "unknown"]
