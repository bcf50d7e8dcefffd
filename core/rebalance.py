"""Moving licences between pools: transfers between Virtual Accounts inside a Smart Account, and what
consolidating Smart Accounts would net (DESIGN §4 "Pools").

Both work on a pools frame keyed by smart_account, virtual_account and license_key (core.pools builds it).
"""

from __future__ import annotations

import pandas as pd

TRANSFER_COLUMNS = ["smart_account", "license", "from_virtual_account", "to_virtual_account", "quantity"]
SPLIT_COLUMNS = ["license", "short_accounts", "surplus_accounts", "shortage", "surplus", "nettable"]
ACCOUNT_SEPARATOR = "; "  # Smart Account names may contain commas ("Example Corp, Inc.")

Side = dict[tuple[str, str], list[tuple[int, str, str]]]  # (smart_account, license_key) -> (amount, VA, licence)


def _sides(pools: pd.DataFrame) -> tuple[Side, Side]:
    """(amount, virtual_account, license) of every pool short / in surplus, per (smart_account, license_key),
    largest first, ties by VA name. Plain Python: a pool table has a row per VA and licence, not per device."""
    known = pools[pools["clean_balance"].notna()]
    short: Side = {}
    surplus: Side = {}
    columns = [known[c].tolist() for c in ("smart_account", "virtual_account", "license_key", "license")]
    for sa, va, key, lic, balance in zip(*columns, known["clean_balance"].astype("int64").tolist(), strict=True):
        if balance:
            side = short if balance < 0 else surplus
            side.setdefault((sa, key), []).append((abs(balance), va, lic))
    for side in (short, surplus):
        for rows in side.values():
            rows.sort(key=lambda r: (-r[0], r[1]))
    return short, surplus


def rebalance(pools: pd.DataFrame) -> pd.DataFrame:
    """Transfers inside each Smart Account, per licence, that cover VAs with clean_balance < 0 from VAs with
    clean_balance > 0: largest shortage first, from the largest surplus first, ties by VA name.

    The greedy two-pointer walk over each (Smart Account, licence key): the current shortage takes what it
    can from the current surplus, and whichever is used up moves on. Rows come sorted by smart_account and
    license, then in the order the walk makes the moves.
    Needs columns smart_account, virtual_account, license_key, license, clean_balance (NA = not analysed).
    """
    short, surplus = _sides(pools)
    moves: list[tuple[str, str, str, str, int]] = []
    for group in sorted(short.keys() & surplus.keys()):
        need, give = short[group], surplus[group]
        i = j = 0
        left_need, left_give = need[0][0], give[0][0]
        while i < len(need) and j < len(give):
            quantity = min(left_need, left_give)
            moves.append((group[0], need[0][2], give[j][1], need[i][1], quantity))
            left_need, left_give = left_need - quantity, left_give - quantity
            if not left_need and (i := i + 1) < len(need):
                left_need = need[i][0]
            if not left_give and (j := j + 1) < len(give):
                left_give = give[j][0]
    if not moves:
        return _empty_transfers()
    moves.sort(key=lambda m: (m[0], m[1]))  # stable: then in the order the walk makes them
    cells = list(zip(*moves, strict=True))
    data = {c: pd.Series(v, dtype="str") for c, v in zip(TRANSFER_COLUMNS[:4], cells[:4], strict=True)}
    data["quantity"] = pd.Series(pd.array(cells[4], dtype="Int64"))
    return pd.DataFrame(data)


def _empty_transfers() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "quantity" else "str") for c in TRANSFER_COLUMNS})


def split_pools(pools: pd.DataFrame) -> pd.DataFrame:
    """Licences short in one Smart Account while another has surplus, after the transfers inside each.

    shortage / surplus are Σ remaining shortage / surplus over the Smart Accounts; nettable = min of the two
    is what consolidating the accounts would net. Pools without a final_balance (no licences export) are
    left out. After rebalancing no Smart Account is both short and in surplus for one licence, so
    nettable > 0 already means two different accounts.
    """
    known = pools[pools["final_balance"].notna()]
    per_sa: dict[str, dict[str, list[int]]] = {}  # license_key -> smart_account -> [short, surplus]
    names: dict[str, str] = {}  # license_key -> the first licence name seen
    columns = [known[c].tolist() for c in ("license_key", "smart_account", "license")]
    for key, sa, lic, final in zip(*columns, known["final_balance"].astype("int64").tolist(), strict=True):
        names.setdefault(key, lic)
        amounts = per_sa.setdefault(key, {}).setdefault(sa, [0, 0])
        amounts[0] += max(-final, 0)
        amounts[1] += max(final, 0)
    rows = []
    for key in sorted(per_sa):
        accounts = sorted(per_sa[key].items())
        shortage, surplus = sum(a[0] for _, a in accounts), sum(a[1] for _, a in accounts)
        if min(shortage, surplus) > 0:
            short_accounts = ACCOUNT_SEPARATOR.join(sa for sa, a in accounts if a[0] > 0)
            surplus_accounts = ACCOUNT_SEPARATOR.join(sa for sa, a in accounts if a[1] > 0)
            rows.append((names[key], short_accounts, surplus_accounts, shortage, surplus, min(shortage, surplus)))
    rows.sort(key=lambda r: r[0])  # stable: licences with one name stay in key order
    cells = list(zip(*rows, strict=True)) or [()] * len(SPLIT_COLUMNS)
    data = {c: pd.Series(v, dtype="str") for c, v in zip(SPLIT_COLUMNS[:3], cells[:3], strict=True)}
    data.update({c: pd.Series(pd.array(v, dtype="Int64")) for c, v in zip(SPLIT_COLUMNS[3:], cells[3:], strict=True)})
    return pd.DataFrame(data)
