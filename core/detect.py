"""Which kind a header row is, and which column feeds which field: alias matching on normalised headers.

Detection never guesses silently: a header that is not clearly one kind comes back undetected, with the
scored candidates, and the user chooses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from core import schema

STRONG = 0.5  # a detected kind scores at least this
MARGIN = 0.1  # ... and leads the runner-up by at least this
HEADER_MIN = 0.4  # a row scoring below this for every kind is not a header row

_PRECISION_WEIGHT = 0.6  # share of the header cells the kind recognises ...
_RECALL_CAP = 5  # ... and how many of its fields they cover, out of at most this many
_RANK_STEP = 0.04  # a cell matching a field's 1st alias weighs 1.0, its 2nd 0.96, ... down to 0.8
_RANK_FLOOR = 0.8
_UNMET_REQUIRED = 0.2  # a kind missing a required field keeps this share of its score (always < HEADER_MIN)
# A header naming licences is a licence export, never a plain device inventory (Catalyst Center licence
# exports carry hostname, serial and platform too).
_LICENCE_FIELDS = ("license", "network_license", "dna_level")
_LICENCE_FREE_KINDS = ("inventory",)
_LICENCE_PENALTY = 0.5
# Kinds that share their core columns with another kind are claimed fully only when one of their own
# columns is present: a serial + hostname list is an inventory, not CSSM product instances; licence +
# serial + quantity is usage unless something says reservation.
_OWN_FIELDS = {
    "instances": ("product_type", "last_contact", "licenses"),
    "reservations": ("udi", "reservation_type", "reserved_on"),
}
_NO_OWN_FIELD = 0.6
# A licence-consumption export may carry any device attribute (platform, site, reachability): columns an
# inventory would recognise do not count against it.
_TOLERATED = {"usage": ("inventory",)}


@dataclass(frozen=True)
class Detection:
    """The detected kind (None = undetected: the user must choose), its score and every kind's score."""

    kind: str | None
    confidence: float
    candidates: tuple[tuple[str, float], ...]


@cache
def _alias_ranks(kind_name: str) -> dict[str, list[tuple[int, int]]]:
    """Normalised alias -> [(field index, alias rank)] for one kind (schema.KINDS is immutable)."""
    ranks: dict[str, list[tuple[int, int]]] = {}
    for fi, f in enumerate(schema.KINDS[kind_name].fields):
        for rank, alias in enumerate(f.aliases):
            key = schema.normalise_header(alias)
            if key and (fi, rank) not in ranks.get(key, []):
                ranks.setdefault(key, []).append((fi, rank))
    return ranks


@cache
def _licence_keys() -> frozenset[str]:
    usage = schema.KINDS["usage"]
    return frozenset(schema.normalise_header(a) for name in _LICENCE_FIELDS for a in usage.field(name).aliases)


def map_columns(kind: schema.Kind, headers: list[str]) -> tuple[dict[str, int], list[int]]:
    """Canonical field -> column index, and the unmapped column indices.

    Every (column, field) alias match is ranked by the alias's position in the field's list; the earliest
    alias wins, then the field declared first, then the leftmost column. A column feeds at most one field,
    so a repeated header maps once and later copies stay unmapped.
    """
    ranks = _alias_ranks(kind.name)
    matches = sorted(
        (rank, fi, col) for col, text in enumerate(headers) for fi, rank in ranks.get(schema.normalise_header(text), [])
    )
    mapped: dict[str, int] = {}
    used: set[int] = set()
    for _, fi, col in matches:
        name = kind.fields[fi].name
        if name not in mapped and col not in used:
            mapped[name] = col
            used.add(col)
    mapped = dict(sorted(mapped.items(), key=lambda item: kind.field_names.index(item[0])))
    return mapped, [c for c in range(len(headers)) if c not in used]


def required_met(kind: schema.Kind, mapped: dict[str, int] | set[str]) -> bool:
    """True when every required group of the kind has at least one mapped field."""
    return all(any(name in mapped for name in group) for group in kind.required)


def _score(kind: schema.Kind, keys: list[str]) -> float:
    ranks = _alias_ranks(kind.name)
    tolerated = [_alias_ranks(other) for other in _TOLERATED.get(kind.name, ())]
    cells = [k for k in keys if k and (k in ranks or not any(k in t for t in tolerated))]
    if not cells:
        return 0.0
    weight = 0.0
    fields: set[int] = set()
    for key in cells:
        hits = ranks.get(key)
        if hits:
            best = min(rank for _, rank in hits)
            weight += max(_RANK_FLOOR, 1.0 - _RANK_STEP * best)
            fields.update(fi for fi, _ in hits)
    precision = weight / len(cells)
    recall = len(fields) / min(_RECALL_CAP, len(kind.fields))
    score = _PRECISION_WEIGHT * precision + (1 - _PRECISION_WEIGHT) * min(1.0, recall)
    names = {kind.fields[fi].name for fi in fields}
    if not required_met(kind, names):
        score *= _UNMET_REQUIRED
    if kind.name in _OWN_FIELDS and names.isdisjoint(_OWN_FIELDS[kind.name]):
        score *= _NO_OWN_FIELD
    if kind.name in _LICENCE_FREE_KINDS and _licence_keys().intersection(cells):
        score *= _LICENCE_PENALTY
    return round(score, 3)


def score_header(headers: list[str]) -> list[tuple[str, float]]:
    """Each kind's score in [0, 1] for this header row, best first (ties in schema order)."""
    keys = [schema.normalise_header(h) for h in headers]
    scores = [(name, _score(kind, keys)) for name, kind in schema.KINDS.items()]
    return sorted(scores, key=lambda item: -item[1])


def detect_kind(headers: list[str]) -> Detection:
    """The kind this header row clearly is, or kind=None when no kind is strong and clearly ahead."""
    candidates = tuple(score_header(headers))
    (best, top), runner_up = candidates[0], (candidates[1][1] if len(candidates) > 1 else 0.0)
    strong = top >= STRONG and top - runner_up >= MARGIN
    return Detection(best if strong else None, top, candidates)


def find_header(rows: list[list[str]], hint: tuple[str, ...] = ()) -> int | None:
    """Index of the header among these rows: the best-scoring row (earliest on ties), if it reaches HEADER_MIN.

    `hint` names header cells the caller knows (a manual column mapping): the first row holding all of them wins.
    """
    if hint:
        wanted = {schema.normalise_header(h) for h in hint}
        for i, row in enumerate(rows):
            if wanted <= {schema.normalise_header(cell) for cell in row}:
                return i
    best, best_score = None, HEADER_MIN
    for i, row in enumerate(rows):
        if not any(cell.strip() for cell in row):
            continue
        top = score_header([cell.strip() for cell in row])[0][1]
        if top > best_score or (best is None and top >= best_score):
            best, best_score = i, top
    return best


def expected() -> str:
    """What a header row should name, per kind: for a 'no header found' message."""
    parts = []
    for name, kind in schema.KINDS.items():
        groups = [" or ".join(kind.field(n).aliases[0] for n in group) for group in kind.required]
        parts.append(f"{name} ({', '.join(groups)})")
    return "expected a header row naming, for example: " + "; ".join(parts)
