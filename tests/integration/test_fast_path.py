"""Every fast path gives exactly what the plain path gives (tests/plain.py holds the plain implementations).

The fast paths: Arrow's CSV reader and writer, a lighter XLSX cell reader, Arrow string kernels in place of
row-wise pandas string methods, fixed-width date layouts, repeated rows found by byte fingerprints, licence
lists expanded by offsets instead of a merge, and matching on integer codes instead of merges on text. Each is
compared with its plain counterpart on inputs built to hit the edge cases.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import arrowtext, csvfast, dates, instances, match, normalise, pools, readers, repeats
from tests import plain

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PIECES = [
    "", " ", "  ", "\t", "\n", "NA", "n/a", "None", "-", "never", "NULL", "SN:", "S/N : ", "sn:", "UDI_PID:C9300-48P; ",
    "UDI_SN:FOC21X;", "PID: X ", "foc123", "FOC123", "0042", ",", ";", "/", "|", ".", "sw-01", ".corp.example.com",
    "10.1.2.3", "fe80::1:2", "Reserved", "SLR", "not reserved", "Non-Reserved", "reservation", "Installed", "7", "7.0",
    "Retired", " in stock", "pending  install", "weird", "é", "İ", "\u00a0", "Σ",
]  # fmt: skip
cells = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)
columns = st.lists(st.one_of(cells, st.none()), max_size=25)


def text_series(values: list[str | None], as_object: bool) -> pd.Series:
    return pd.Series(values, dtype=object if as_object else "str")


# --- normalisation ----------------------------------------------------------------------------------------


@FAST
@given(columns, st.booleans())
def test_the_arrow_cell_cleaners_equal_the_row_wise_pandas_ones(values: list[str | None], as_object: bool) -> None:
    s = text_series(values, as_object)
    pd.testing.assert_series_equal(normalise.missing_mask(s), plain.missing_mask(s))
    pd.testing.assert_series_equal(normalise.clean_text(s), plain.clean_text(s))
    pd.testing.assert_series_equal(normalise.normalise_serial(s), plain.normalise_serial(s))
    pd.testing.assert_frame_equal(normalise.parse_udi(s), plain.parse_udi(s))
    pd.testing.assert_series_equal(normalise.is_udi(s), plain.is_udi(s))
    pd.testing.assert_series_equal(normalise.normalise_host(s), plain.normalise_host(s))
    pd.testing.assert_series_equal(normalise.reserved_status(s), plain.reserved_status(s))
    for fast, slow in zip(normalise.lifecycle(s), plain.lifecycle(s), strict=True):
        pd.testing.assert_series_equal(fast, slow)


# --- dates ------------------------------------------------------------------------------------------------

DATE_PIECES = [
    "2026-10-30T14:03:22Z", "2026-10-30 14:03:22", "2026-10-30", "2026-Oct-30 14:03:22", "2026-oct-05 01:02:03",
    "30/10/2026 14:03", "10/30/2026 14:03", "03/04/2026", "31/12/99", "2026-13-45T25:61:61Z", "2026-02-30",
    "29/02/2025 10:00", "2024-02-29", "2026-Foo-10 10:10:10", "1767225600", "1767225600000", "Oct 30, 2026",
    "30-Oct-2026", "2026-10-30T14:03:22+02:00", "2026-10-30 2:03 PM", "Never", "", " 2026-10-30 ", "garbage",
    "00/00/0000 00:00", "2026-10-30T24:00:00Z", "2026-10-30T14:03:22z", "2026-1O-30", "2026-10-30 14:03:2",
    "2026/10/30 14:03:22", "2026-Oct-30 14:03", "2026-0ct-30 14:03:22", "2026-Oct-3O 14:03:22", "30/10/2026 14:03:22",
    "3O/10/2026", "2026-10-30\t14:03:22", "2026-10-30 14:03:22Z", "٢٠٢٦-10-30", "2026-@ct-30 14:03:22", "31/12/1999",
    "2O26-10-30", "20 6-10-30", "2O26-Oct-30 14:03:22", "2O26-10-30T14:03:22Z", "30/10/2O26", "30/10/2O26 14:03",
]  # fmt: skip


@FAST
@given(st.lists(st.sampled_from(DATE_PIECES), max_size=30), st.sampled_from([None, "DMY", "MDY"]))
def test_dates_read_by_fixed_layout_equal_dates_read_by_regex_families(values: list[str], order: str | None) -> None:
    s = pd.Series(values, dtype="str")
    fast, slow = dates.parse_dates(s, order), plain.parse_dates(s, order)
    pd.testing.assert_series_equal(fast[0], slow[0])
    pd.testing.assert_series_equal(fast[1], slow[1])
    assert dates.detect_day_month_order(s) == plain.detect_day_month_order(s)


def test_a_long_column_of_distinct_timestamps_parses_as_the_plain_path_does() -> None:
    rng = np.random.default_rng(7)
    stamps = pd.to_datetime(rng.integers(1_600_000_000, 1_800_000_000, 120_000), unit="s")
    text = stamps.strftime("%d/%m/%Y %H:%M").to_numpy(dtype=object)
    text[::997] = "NA"
    text[::1009] = "31/02/2026 10:00"  # invalid: bad in both
    s = pd.Series(text, dtype="str")
    for order in ("DMY", "MDY"):
        fast, slow = dates.parse_dates(s, order), plain.parse_dates(s, order)
        pd.testing.assert_series_equal(fast[0], slow[0])
        pd.testing.assert_series_equal(fast[1], slow[1])
    assert dates.detect_day_month_order(s) == plain.detect_day_month_order(s) == "DMY"


# --- reading: bytes, repeated rows, Total rows, licence lists ----------------------------------------------


@FAST
@given(st.binary(max_size=40), st.integers(0, 3))
def test_utf8_checked_in_place_is_what_decoding_accepts(content: bytes, start: int) -> None:
    try:
        content[start:].decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    assert csvfast.valid_utf8(content, start) is expected


CELLS = [
    "",
    " ",
    "a",
    "A",
    "é",
    "abcdefgh",
    "abcdefgi",
    "abcdefghabcdefgh",
    "abcdefghabcdefgi",
    "\n",
    "x,y",
    "12345678",
]


def arrow_column(values: list[str | None], cut: int | None) -> pd.Series:
    """A text column as Arrow strings in two chunks (cut at `cut`), each a slice of a larger array."""
    whole = pa.array(["pad", *values, "pad"], type=pa.large_string())
    parts = (
        [whole.slice(1, len(values))] if cut is None else [whole.slice(1, cut), whole.slice(1 + cut, len(values) - cut)]
    )
    return pd.Series(pd.array(pa.chunked_array(parts, type=pa.large_string()), dtype="str"))


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    rows, width = draw(st.integers(0, 12)), draw(st.integers(1, 3))
    values = st.one_of(st.sampled_from(CELLS), st.none(), st.text(max_size=20))
    cols = {}
    for c in range(width):
        cells = draw(st.lists(st.sampled_from(CELLS[:4]) if c == 0 else values, min_size=rows, max_size=rows))
        kind = draw(st.sampled_from(["arrow", "object", "str"]))
        if kind == "arrow":
            cols[c] = arrow_column(cells, draw(st.one_of(st.none(), st.integers(0, rows))))
        else:
            cols[c] = pd.Series(cells, dtype=object if kind == "object" else "str")
    frame = pd.DataFrame(cols, index=range(rows))
    if rows and draw(st.booleans()):  # copies of earlier rows
        frame = pd.concat([frame, frame.iloc[draw(st.lists(st.integers(0, rows - 1), max_size=5))]], ignore_index=True)
    return frame


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_repeated_rows_found_by_fingerprints_are_those_pandas_finds(frame: pd.DataFrame) -> None:
    assert repeats.repeats(frame).tolist() == plain.repeats(frame).tolist()


TOTALS = ["total", "TOTAL", "Total", "tOtAl", "to", "tal", " ", "ſ", "K", "İ", "ı", "Ｔotal", "Grand ", "sub-", "é"]


@FAST
@given(st.lists(st.lists(st.sampled_from(TOTALS), max_size=3).map("".join), max_size=12), st.booleans())
def test_a_cell_saying_total_in_any_case_is_found_as_the_regex_engine_finds_it(cells: list[str], arrow: bool) -> None:
    first = arrow_column(cells, None) if arrow else pd.Series(cells, dtype="str")
    assert readers._mentions_total(first).tolist() == plain.mentions_total(first).tolist()


@FAST
@given(columns)
def test_a_trim_or_case_change_skipped_as_needless_would_have_changed_nothing(values: list[str | None]) -> None:
    arr = pa.array(values, type=pa.large_string())
    if not arrowtext.needs_trim(arr):
        assert pc.utf8_trim_whitespace(arr).equals(arr)
    if not arrowtext.has_bytes(arr, "a", "z"):
        assert pc.utf8_upper(arr).equals(arr)
    if not arrowtext.has_bytes(arr, "A", "Z"):
        assert pc.utf8_lower(arr).equals(arr)


@FAST
@given(columns, st.one_of(st.none(), st.integers(0, 25)))
def test_text_encoded_in_one_piece_factorizes_as_pandas_does(values: list[str | None], cut: int | None) -> None:
    s = arrow_column(values, None if cut is None else min(cut, len(values)))
    codes, uniques = arrowtext.factorize(s)
    want_codes, want_uniques = pd.factorize(s, use_na_sentinel=True)
    assert codes.tolist() == want_codes.tolist()
    assert uniques.tolist() == list(want_uniques)


ITEMS = [
    "DNA Advantage",
    " (1)",
    "(2)",
    " x 3",
    " - 4",
    "(abc)",
    "(1.5)",
    "(-1)",
    "; ",
    "|",
    "\n",
    "), ",
    ",",
    "NA",
    " ",
]


@FAST
@given(st.lists(st.one_of(st.none(), st.lists(st.sampled_from(ITEMS), max_size=5).map("".join)), max_size=12))
def test_licence_lists_expanded_by_offsets_equal_the_merge(cells: list[str | None]) -> None:
    s = pd.Series(cells, dtype="str", index=np.arange(len(cells)) * 2)
    fast, slow = normalise.split_license_list(s), plain.split_license_list(s)
    pd.testing.assert_frame_equal(fast[0], slow[0])
    pd.testing.assert_series_equal(fast[1], slow[1])
    limit = len(fast[0]) - 1
    if limit >= 0:
        for split in (normalise.split_license_list, plain.split_license_list):
            try:
                split(s, max_rows=limit)
                raise AssertionError("over the budget, yet no TooManyItems")
            except normalise.TooManyItems as exc:
                assert exc.count == len(fast[0])


# --- matching ---------------------------------------------------------------------------------------------

SERIALS = ["FOC1", "FOC2", "FOC3", "FOC1,FOC2", "FOC3,FOC4", "FOC4", ",", None, None]
HOSTS = ["sw-1", "sw-2", "sw-3", None]
LIFE = ["retired", "in_service", "not_in_service", "unknown"]


inst_rows = st.tuples(
    st.sampled_from(["a", "b", "c"]),
    st.sampled_from(SERIALS),
    st.sampled_from(HOSTS),
    st.integers(0, 3),
    st.sampled_from(["SA1", "SA2"]),
    st.sampled_from(["V1", "V2"]),
    st.sampled_from(["a.csv", "b#2.csv"]),
)
inv_rows = st.tuples(
    st.sampled_from(SERIALS),
    st.sampled_from(HOSTS),
    st.sampled_from(LIFE),
    st.sampled_from(["ops", None]),
    st.booleans(),
    st.sampled_from(["cmdb.csv", "nms.csv"]),
    st.sampled_from(["Retired", "Installed", "Reachable", None]),
    st.sampled_from(["cmdb.csv", "nms.csv"]),
)
usage_rows = st.tuples(
    st.sampled_from(SERIALS), st.sampled_from(HOSTS), st.sampled_from(["SA1", "SA2"]), st.sampled_from(["V1", "V2"])
)


@st.composite
def estates(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    i = draw(st.lists(inst_rows, min_size=1, max_size=14))
    v = draw(st.lists(inv_rows, max_size=12))
    u = draw(st.lists(usage_rows, max_size=10))
    n = len(i)
    inst = pd.DataFrame(
        {
            "instance_name": pd.Series([r[0] for r in i], dtype="str"),
            "serial": pd.Series([r[1] for r in i], dtype="str"),
            "host": pd.Series([r[2] for r in i], dtype="str"),
            "last_contact": pd.Series(
                [pd.Timestamp("2026-10-01") - pd.Timedelta(days=r[3]) for r in i], dtype="datetime64[us]"
            ),
            "smart_account": pd.Series([r[4] for r in i], dtype=object),
            "virtual_account": pd.Series([r[5] for r in i], dtype=object),
            "source_file": pd.Series([r[6] for r in i], dtype="str"),
            "source_row": np.arange(2, 2 + n, dtype=np.int64),
        }
    )
    inst["instance_id"] = inst["source_file"] + "#" + inst["source_row"].astype(str)
    if draw(st.booleans()):  # ids not made of file and row (a hand-built frame): matched as text
        inst.loc[0, "instance_id"] = draw(st.sampled_from(["usage.csv#2", "custom", "a.csv#02"]))
    columns = ["serial", "host", "lifecycle", "owner", "owner_column", "source", "status", "source_file"]
    inventory = pd.DataFrame({c: [r[k] for r in v] for k, c in enumerate(columns)})
    for c in ("serial", "host", "lifecycle", "status", "source_file"):
        inventory[c] = inventory[c].astype("str")
    for c in ("owner", "source"):
        inventory[c] = inventory[c].astype(object)
    inventory["owner_column"] = inventory["owner_column"].astype(bool)
    own = inst.iloc[: draw(st.integers(0, n))]  # licence-list rows: they belong to their own instance
    usage = pd.DataFrame(
        {
            "serial": pd.Series([r[0] for r in u] + list(own["serial"]), dtype="str"),
            "host": pd.Series([r[1] for r in u] + list(own["host"]), dtype="str"),
            "smart_account": pd.Series([r[2] for r in u] + list(own["smart_account"]), dtype=object),
            "virtual_account": pd.Series([r[3] for r in u] + list(own["virtual_account"]), dtype=object),
            "source_file": pd.Series(["usage.csv"] * len(u) + list(own["source_file"]), dtype="str"),
            "source_row": np.array(list(range(2, 2 + len(u))) + list(own["source_row"]), dtype=np.int64),
        }
    )
    return inst, inventory, usage


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates())
def test_matching_on_codes_equals_matching_by_merges_on_text(e: tuple[pd.DataFrame, ...]) -> None:
    inst, inventory, usage = e
    pd.testing.assert_frame_equal(
        match.explode_serials(inst, "instance_id"), plain.explode_serials(inst, "instance_id")
    )
    pd.testing.assert_frame_equal(match.match_instances(inst, inventory), plain.match_instances(inst, inventory))
    res = inst[["serial", "host"]].assign(rid=np.arange(len(inst)))
    by = ["rid", "rec"]
    fast = match.match_pairs(res, "rid", inventory).sort_values(by, ignore_index=True)
    slow = plain.match_pairs(res, "rid", inventory).sort_values(by, ignore_index=True)
    assert fast[[*by, "how"]].values.tolist() == slow[[*by, "how"]].values.tolist()

    def ids(link: pd.Series) -> list[object]:
        return [None if pd.isna(v) else v for v in link]

    assert ids(instances.link_usage(usage, inst)) == ids(plain.link_usage(usage, inst))
    code = pd.factorize(inst["instance_id"])[0]
    dups = instances._duplicates(inst, code, match.KeySpace.of(inst))[["instance_id", "member", "keeper"]]
    pd.testing.assert_frame_equal(
        dups.reset_index(drop=True), plain._duplicates(inst).reset_index(drop=True), check_dtype=False
    )


def test_an_instances_file_read_twice_matches_as_the_plain_path_does() -> None:
    inst = pd.DataFrame(
        {
            "instance_name": pd.Series(["a", "b"], dtype="str"),
            "serial": pd.Series(["FOC1", "FOC1,FOC2"], dtype="str"),
            "host": pd.Series(["sw-1", None], dtype="str"),
            "instance_id": pd.Series(["x.csv#2", "x.csv#3"], dtype="str"),
        }
    )
    twice = pd.concat([inst, inst], ignore_index=True)
    inventory = pd.DataFrame(
        {
            "serial": pd.Series(["FOC2", None], dtype="str"),
            "host": pd.Series([None, "sw-1"], dtype="str"),
            "lifecycle": pd.Series(["retired", "in_service"], dtype="str"),
            "owner": pd.Series([None, "ops"], dtype=object),
            "owner_column": np.array([True, True]),
            "source": pd.Series(["cmdb.csv", "cmdb.csv"], dtype=object),
            "status": pd.Series(["Retired", "Installed"], dtype="str"),
        }
    )
    pd.testing.assert_frame_equal(match.match_instances(twice, inventory), plain.match_instances(twice, inventory))


# --- pools ------------------------------------------------------------------------------------------------


def test_collapsing_usage_per_pool_changes_no_pool_figure() -> None:
    rng = np.random.default_rng(3)
    n = 2_000
    usage = pd.DataFrame(
        {
            "smart_account": pd.Series(rng.choice(["SA1", "SA2"], n), dtype=object),
            "virtual_account": pd.Series(rng.choice(["V1", "V2", "V3"], n), dtype=object),
            "license": pd.Series(rng.choice(["DNA Advantage", "dna-advantage", "Network Ess."], n), dtype="str"),
            "quantity": pd.array(np.where(rng.random(n) < 0.05, -1, rng.integers(0, 4, n)), dtype="Int64"),
        }
    )
    usage["quantity"] = usage["quantity"].mask(usage["quantity"] < 0)
    licences = pd.DataFrame(
        {
            "smart_account": ["SA1", "SA1", "SA2"],
            "virtual_account": ["V1", "V2", "V1"],
            "license": pd.Series(["dna advantage", "Network Ess.", "DNA Advantage"], dtype="str"),
            "purchased": pd.array([500, 10, 300], dtype="Int64"),
            "in_use": pd.array([400, 20, 250], dtype="Int64"),
            "reserved": pd.array([0, 0, 0], dtype="Int64"),
            "license_class": ["term", "perpetual", "term"],
        }
    )
    empty = usage.iloc[:0]
    removable = usage.sample(frac=0.2, random_state=1)
    fast = pools.build_pools(licences, usage, empty, removable, empty)
    with mock.patch.object(pools, "_collapse", lambda frame, groups=None: frame):
        slow = pools.build_pools(licences, usage, empty, removable, empty)
    for name in ("baseline", "transfers", "split", "usage_mismatch"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name), obj=name)
