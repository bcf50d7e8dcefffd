"""Repeated text stored as categoricals: same values, less memory, and kept categorical across files."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import keys
from core.estate import combine, compact, load_estate, repeated_columns
from core.settings import Settings
from tests.builders import AS_OF, csv_file

SETTINGS = Settings(as_of=AS_OF)


def test_compact_keeps_every_value_and_missing_cell_and_sorts_the_categories() -> None:
    frame = pd.DataFrame(
        {"status": pd.Series(["Reserved", None, "Active", "Active"], dtype="str"), "serial": ["B", "A", "C", "D"]}
    )
    out = compact(frame, "instances")
    assert isinstance(out["status"].dtype, pd.CategoricalDtype)
    assert list(out["status"].cat.categories) == ["Active", "Reserved"]
    assert out["status"].astype(object).tolist()[0] == "Reserved"
    assert out["status"].isna().tolist() == [False, True, False, False]
    assert out["serial"].dtype == frame["serial"].dtype  # a column that is not declared repeated is untouched
    assert frame["status"].dtype == "str"  # the caller's frame is not changed
    assert out.sort_values("status")["serial"].tolist() == ["C", "D", "B", "A"]  # sorts as the text does


def test_two_files_with_different_accounts_stay_categorical_with_both_accounts() -> None:
    a = csv_file("a.csv", [{"Name": "sw1", "Serial Number": "S1", "Status": "Active"}], "instances", sa="Beta", va="V2")
    b = csv_file("b.csv", [{"Name": "sw2", "Serial Number": "S2", "Status": "Reserved"}], "instances", sa="Alpha")
    frame = load_estate([a, b], SETTINGS).frames["instances"]
    for col in ("smart_account", "virtual_account", "status", "source_file"):
        assert isinstance(frame[col].dtype, pd.CategoricalDtype), col
    assert frame["smart_account"].astype(object).tolist() == ["Beta", "Alpha"]
    assert list(frame["smart_account"].cat.categories) == ["Alpha", "Beta"]
    assert frame["source_file"].astype(object).tolist() == ["a.csv", "b.csv"]


def test_an_estate_without_a_kind_has_the_same_column_types_as_one_with_it() -> None:
    empty = combine([]).frames["inventory"]
    assert empty.empty
    for col in repeated_columns("inventory"):
        assert isinstance(empty[col].dtype, pd.CategoricalDtype), col


def test_a_million_repeated_names_take_a_byte_each_not_a_string_each() -> None:
    names = pd.Series(["Northwind Holdings", "Contoso Networks"] * 500_000, dtype="str")
    before = names.memory_usage(deep=True)
    after = compact(pd.DataFrame({"smart_account": names}), "usage")["smart_account"].memory_usage(deep=True)
    assert after < 1_100_000 < 10 * 1_100_000 < before  # int8 codes: one byte per row, plus two categories


def test_a_categorical_column_gives_the_same_arrow_text_as_its_plain_text() -> None:
    plain = pd.Series(["b", None, "a", "b", ""], dtype="str")
    cat = compact(pd.DataFrame({"status": plain}), "instances")["status"]
    assert keys.arrow_text(cat).equals(keys.arrow_text(plain))
    assert keys.arrow_text(cat[cat.isna()]).to_pylist() == [None]


def test_scope_codes_say_equal_exactly_where_the_texts_are_equal_and_missing_equals_missing() -> None:
    left = pd.Series(["SA1", "SA2", None, "SA3", None], dtype="str")
    right = pd.Series(["SA2", None, "SA1", "SA9"], dtype="str")
    a, b = (compact(pd.DataFrame({"smart_account": s}), "usage")["smart_account"] for s in (left, right))
    coded = keys.scope_codes(a, b)
    assert coded is not None
    i, j = np.repeat(np.arange(5), 4), np.tile(np.arange(4), 5)  # every pair
    expected = [
        (x == y) if pd.notna(x) and pd.notna(y) else (pd.isna(x) and pd.isna(y))
        for x, y in zip(left[i], right[j], strict=True)
    ]
    assert (coded[0][i] == coded[1][j]).tolist() == expected
    assert keys.scope_codes(left, b) is None  # plain text: the caller compares the values
