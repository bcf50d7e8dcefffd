"""One file's bytes to a canonical frame: mapping, normalisation, scope, rejects and the row accounting."""

from __future__ import annotations

import pytest

from core.ingest import FileInput, parse_file
from core.model import InputError, Reason
from core.settings import Settings
from tests.builders import AS_OF

SETTINGS = Settings(as_of=AS_OF)


def parse(text: str, name: str = "f.csv", **kw):
    return parse_file(FileInput(name=name, content=text.encode("utf-8"), **kw), SETTINGS)


INSTANCES = (
    "Smart Account: Example Corp\n"
    "Virtual Account: Campus\n"
    "Name,Product Type,Serial Number,PID,Last Contact,Status,Licenses\n"
    "SW-NYC-01.corp.example.com,C9300,sn:foc123,C9300-48P,2026-10-30 14:03:22,Active,DNA Advantage (2); Network Advantage\n"
    '"UDI_PID:C9300-24T; UDI_SN:FOC0099X;",C9300,,,2026-10-29,Active,\n'
    'stack-1,C9300,"FCW2146L0A3, FCW2146L02A",C9300-48P,never,Reserved Licenses,\n'
    "bad-date,C9300,X1,,2026-13-45,Active,\n"
    "Total,,,,,,\n"
)


def test_an_instances_export_is_mapped_normalised_and_accounted():
    p = parse(INSTANCES, smart_account="Example Corp", virtual_account="Campus")
    r = p.report
    assert r.kind == "instances"
    assert (r.rows_read, r.used, r.rejected, r.skipped) == (7, 3, 1, 3)  # 2 banners + 1 total skipped
    f = p.frame.set_index("instance_name")
    assert f.loc["SW-NYC-01.corp.example.com", "serial"] == "FOC123"
    assert f.loc["SW-NYC-01.corp.example.com", "host"] == "sw-nyc-01"
    assert str(f.loc["SW-NYC-01.corp.example.com", "last_contact"].date()) == "2026-10-30"
    udi = f.loc["UDI_PID:C9300-24T; UDI_SN:FOC0099X;"]
    assert (udi["serial"], udi["pid"]) == ("FOC0099X", "C9300-24T")
    assert f.loc["stack-1", "serial"] == "FCW2146L0A3,FCW2146L02A"
    assert bool(f.loc["stack-1", "reserved"]) and f["last_contact"].isna().sum() == 1
    assert set(f["virtual_account"]) == {"Campus"} and set(f["smart_account"]) == {"Example Corp"}
    assert list(zip(p.usage["license"], p.usage["quantity"], strict=True)) == [
        ("DNA Advantage", 2),
        ("Network Advantage", 1),
    ]
    rej = p.rejects.iloc[0]
    assert (rej["row"], rej["column"], rej["value"], rej["reason"]) == (7, "Last Contact", "2026-13-45", "bad_date")


def test_a_missing_virtual_account_names_the_file_and_how_to_fix_it():
    with pytest.raises(InputError) as err:
        parse("Name,Serial Number,Last Contact\nsw1,A1,2026-10-01\n", name="campus.csv", smart_account="X")
    problem = err.value.problems[0]
    assert problem.reason is Reason.MISSING_SCOPE and problem.file == "campus.csv"
    assert "virtual account" in problem.line()


def test_every_problem_of_a_file_is_listed_at_once():
    text = (
        "License,Purchased,In Use,Virtual Account\n"
        "DNA Advantage,10,abc,Campus\n"
        "DNA Advantage,1.5,2,Campus\n"
        "DNA Essentials,-3,2,\n"
        ",4,4,Campus\n"
    )
    p = parse(text, smart_account="SA")
    got = {(int(r.row), r.column, r.reason) for r in p.rejects.itertuples()}
    assert got == {
        (2, "In Use", "not_a_number"),
        (3, "Purchased", "not_an_integer"),
        (4, "Purchased", "negative"),
        (4, "Virtual Account", "missing_scope"),
        (5, "License", "missing_required"),
    }
    assert (p.report.used, p.report.rejected) == (0, 4)


def test_a_file_without_a_required_column_says_which_and_lists_what_it_found():
    with pytest.raises(InputError) as err:
        parse("License,Purchased,Notes\nL,1,x\n", kind="licenses", smart_account="S", virtual_account="V")
    line = err.value.problems[0].line()
    assert "'in_use'" in line and "License, Purchased, Notes" in line


def test_a_catalyst_center_licence_export_yields_one_usage_row_per_licence_column():
    text = (
        "Hostname,Serial Number,Platform,Network License,DNA Level\n"
        "sw1,A1,C9300,Advantage,DNA Advantage\n"
        "sw2,A2,C9300,Essentials,\n"
    )
    p = parse(text, smart_account="S", virtual_account="V")
    assert p.report.kind == "usage"
    rows = list(zip(p.frame["host"], p.frame["license"], p.frame["quantity"], strict=True))
    assert rows == [("sw1", "Network Advantage", 1), ("sw1", "DNA Advantage", 1), ("sw2", "Network Essentials", 1)]
    assert (p.report.rows_read, p.report.used) == (2, 2)


def test_an_inventory_gets_lifecycle_buckets_and_a_warning_for_unknown_status_words():
    text = (
        "name,serial_number,install_status,assigned_to\na,S1,Retired,x\nb,S2,In Stock,\nc,S3,Pending Audit,y\nd,S4,,y\n"
    )
    p = parse(text, name="snow.csv")
    assert list(p.frame["lifecycle"]) == ["retired", "not_in_service", "unknown", "in_service"]
    assert p.report.warnings == ("1 records with an unknown status: 'Pending Audit' ×1",)
    assert set(p.frame["source"]) == {"snow.csv"} and bool(p.frame["owner_column"].all())


def test_a_file_of_dates_that_cannot_tell_day_from_month_asks_for_the_date_order():
    text = "Name,Serial Number,Last Contact\nsw1,A1,03/04/2026\nsw2,A2,05/06/2026\n"
    with pytest.raises(InputError) as err:
        parse(text, smart_account="S", virtual_account="V")
    assert err.value.problems[0].reason is Reason.AMBIGUOUS_DATE
    p = parse_file(
        FileInput("f.csv", text.encode(), smart_account="S", virtual_account="V"),
        Settings(as_of=AS_OF, date_order="DMY"),
    )
    assert [str(d.date()) for d in p.frame["last_contact"]] == ["2026-04-03", "2026-06-05"]


def test_a_manual_mapping_maps_an_unrecognised_header():
    text = "Gerät,Seriennummer,Letzter Kontakt\nsw1,A1,2026-10-01\n"
    p = parse(
        text,
        kind="instances",
        smart_account="S",
        virtual_account="V",
        mapping={"instance_name": "Gerät", "serial": "Seriennummer", "last_contact": "Letzter Kontakt"},
    )
    assert p.frame.loc[0, "serial"] == "A1" and p.report.unmapped == ()


def test_an_undetectable_file_is_reported_with_its_candidates_not_guessed():
    with pytest.raises(InputError) as err:
        parse("Foo,Bar\n1,2\n")
    assert err.value.problems[0].reason in (Reason.UNDETECTED_KIND, Reason.NO_HEADER)


def test_a_file_given_by_a_loader_is_read_once_when_it_is_parsed() -> None:
    calls: list[int] = []

    def load() -> bytes:
        calls.append(1)
        return INSTANCES.encode("utf-8")

    item = FileInput(name="f.csv", load=load, smart_account="SA", virtual_account="VA")
    assert calls == []
    by_loader = parse_file(item, SETTINGS)
    assert calls == [1]
    by_bytes = parse(INSTANCES, smart_account="SA", virtual_account="VA")
    assert by_loader.report == by_bytes.report
    assert by_loader.frame.equals(by_bytes.frame)


def test_rows_repeating_an_earlier_row_are_warned_about_by_their_row_numbers() -> None:
    r = parse(
        "Name,Serial Number\nsw1,A\nsw2,B\nsw1,A\nsw1,a\nsw2,B\nsw1,A\n", smart_account="SA", virtual_account="VA"
    )
    assert r.report.used == 6
    assert r.report.warnings == (
        "3 row(s) repeat an earlier row exactly (row 4, 6, 7): each copy is read as a row of its own",
    )
