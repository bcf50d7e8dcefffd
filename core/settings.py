"""Engagement settings: declared once with defaults and help, so the CLI, the app and the docs agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from typing import Any


@dataclass(frozen=True)
class Settings:
    """Everything the rules need besides the inputs. `as_of` is passed in: the core never reads the clock."""

    as_of: dt.date
    client: str = ""
    renewal_date: dt.date | None = None
    renewal_value: float | None = None
    currency: str = "USD"
    stale_days: int = 90
    perpetual_stale_days: int = 365
    date_order: str | None = None  # "DMY" or "MDY": used only for files whose dates cannot decide
    leverage_low_pct: float = 5.0
    leverage_high_pct: float = 12.0
    hygiene_lead_months: int = 9
    lock_lead_months: int = 6
    # Extra inventory status words per lifecycle bucket, e.g. {"retired": ("end of life",)}.
    lifecycle_extra: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with every non-None value replaced (CLI options over the manifest)."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


SETTING_HELP: dict[str, str] = {
    "as_of": "The engagement's date: staleness and the renewal countdown are measured from it (default today).",
    "client": "Client name shown on the pages and the workshop pack.",
    "renewal_date": "EA renewal close date.",
    "renewal_value": "Annual EA value, in `currency`, for the leverage estimate.",
    "currency": "Currency of renewal_value and prices.",
    "stale_days": "Days without contact after which an instance consuming term/subscription licences is stale.",
    "perpetual_stale_days": "Days without contact after which a perpetual-only instance is stale.",
    "date_order": "DMY or MDY, for files whose dates cannot decide the day/month order themselves.",
    "leverage_low_pct": "Low end of the leverage range, percent of renewal_value.",
    "leverage_high_pct": "High end of the leverage range, percent of renewal_value.",
    "hygiene_lead_months": "Months before renewal that hygiene should start.",
    "lock_lead_months": "Months before renewal that the clean baseline should be locked.",
    "lifecycle_extra": "Extra inventory status words per bucket (retired / not_in_service / in_service).",
}

SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Settings))
