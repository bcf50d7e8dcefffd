"""The page list, declared once: what each page is called, where it lives and which roles may open it."""

from __future__ import annotations

from dataclasses import dataclass

ADVISOR, VIEWER = "advisor", "viewer"


@dataclass(frozen=True)
class PageSpec:
    key: str  # the module name in pages/
    url: str  # the URL path: never a pages/ file's name (see below)
    title: str
    icon: str
    roles: frozenset[str]


BOTH = frozenset({ADVISOR, VIEWER})
ONLY_ADVISOR = frozenset({ADVISOR})

# URL paths differ from the pages/ file names on purpose. Until some run has called st.navigation, a fresh server
# (and every AppTest run) is in legacy multipage mode, where /overview would run pages/overview.py as a script:
# a blank page with a file list in the sidebar instead of the login form. With distinct paths the request falls
# through to app.py and its login gate.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("engagement", "setup", "Engagement", ":material/upload_file:", ONLY_ADVISOR),
    PageSpec("overview", "dashboard", "Overview", ":material/dashboard:", BOTH),
    PageSpec("virtual_accounts", "virtual-accounts", "Virtual Accounts", ":material/account_tree:", ONLY_ADVISOR),
    PageSpec("findings", "hygiene-findings", "Findings", ":material/search:", ONLY_ADVISOR),
    PageSpec("plan", "remediation-plan", "Remediation plan", ":material/checklist:", ONLY_ADVISOR),
    PageSpec("baseline", "clean-baseline", "Baseline", ":material/table_chart:", BOTH),
    PageSpec("renewal", "renewal-leverage", "Renewal & leverage", ":material/event:", BOTH),
)
DEFAULT = "overview"
BY_KEY = {p.key: p for p in PAGES}


def pages_for(role: str | None) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]
