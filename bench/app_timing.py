"""The app at scale: once an estate is reconciled, how long switching pages and changing a Findings filter take.

    python -m bench.app_timing --estate bench/estates/e100000 [--runs 3]

Streamlit's AppTest runs app.py in this process, logged in through the real form as an advisor, with the
estate's files and settings injected into session state the way an upload leaves them. The first reconcile
is timed on its own (ui.state.analyse, what the app runs on upload); then each interaction is one script
re-run, timed around AppTest.run(). No browser and no websocket: the server-side cost of a re-run only.
Prints one JSON object; bench.run calls it in a child process and writes the figures to RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "bench", "bench-advisor-pass"
TARGET = 0.5  # seconds, per re-run


def _auth_file(folder: Path) -> Path:
    import bcrypt
    import yaml

    from ui import authfile

    config = authfile.new_config(bcrypt.hashpw(b"unused", bcrypt.gensalt(4)).decode())
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    config["credentials"]["usernames"] = {USER: authfile.user_entry(USER, hashed, "advisor")}
    path = folder / "auth.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _session(manifest: Path) -> tuple[dict[str, object], float]:
    """The session state an upload of the estate leaves, and the seconds its first analysis took."""
    from core.manifest import load_manifest
    from ui import state

    loaded = load_manifest(manifest, dt.date.today())
    base = manifest.parent.resolve()
    files = {}
    for f in loaded.files:
        name = str(f.path.relative_to(base))
        files[name] = state.Upload.of(name, f.path.read_bytes(), **state._entry_fields(f))
    started = time.perf_counter()
    analysis = state.analyse(files, loaded.settings)
    seconds = time.perf_counter() - started
    if analysis.result is None:
        raise RuntimeError(f"the estate did not reconcile: {analysis.failure or analysis.problems[:3]}")
    return {
        "sah_settings": loaded.settings,
        "sah_files": files,
        "sah_source": "uploads",
        "sah_analysis": analysis,
    }, seconds


def measure(manifest: Path, runs: int) -> dict[str, object]:
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    from ui.nav import BY_KEY, pages_for

    session, first = _session(manifest)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    next(t for t in at.text_input if t.label == "Username").input(USER)
    next(t for t in at.text_input if t.label == "Password").input(PASSWORD)
    next(b for b in at.button if b.label == "Login").click()
    at.run().run()

    def timed(label: str, action: object) -> None:
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            action()  # type: ignore[operator]
            seconds.append(time.perf_counter() - started)
            if at.exception:
                raise RuntimeError(f"{label}: {at.exception}")
        steps.append({"step": label, "seconds": statistics.median(seconds), "runs": seconds})

    def goto(key: str) -> None:
        at._page_hash = calc_hash(BY_KEY[key].url)
        at.run()

    steps: list[dict[str, object]] = []
    for spec in pages_for("advisor"):
        goto(spec.key)  # the page's first render (after the reconcile): not what the target is about
        timed(f"switch to {spec.title}", lambda key=spec.key: goto(key))
    goto("findings")
    confidence = at.multiselect(key="sah_filter_confidence")
    timed("Findings: filter confidence = certain", lambda: confidence.set_value(["certain"]).run())
    timed("Findings: clear the filter", lambda: confidence.set_value([]).run())
    search = at.text_input(key="sah_filter_text")
    timed("Findings: search text 'FOC'", lambda: search.input("FOC").run())
    findings = len(session["sah_analysis"].result.findings)  # type: ignore[attr-defined]
    return {"first_analysis": first, "findings": findings, "steps": steps}


def report(keep: Path, instances: int, runs: int = 3) -> list[str]:
    """Run the timing in a child process (its own memory) and return Markdown lines for RESULTS.md."""
    folder = keep / f"e{instances}"
    if not (folder / "engagement.toml").is_file():
        return [f"- No estate of {instances:,} instances in {keep}: app timing skipped."]
    cmd = [sys.executable, "-m", "bench.app_timing", "--estate", str(folder), "--runs", str(runs)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        return [f"- App timing at {instances:,} instances failed: " + " / ".join(tail)]
    data = json.loads(done.stdout.strip().splitlines()[-1])
    lines = [
        f"Estate of {instances:,} instances ({data['findings']:,} findings), advisor session, Streamlit AppTest "
        f"(server side, no browser). First analysis (parse + reconcile, `ui.state.analyse`): "
        f"{data['first_analysis']:.2f} s. Then each interaction is one script re-run, median of {runs}:",
        "",
        f"| re-run | seconds | target < {TARGET} s |",
        "|---|---:|---|",
    ]
    for step in data["steps"]:
        ok = "met" if step["seconds"] < TARGET else "missed"
        lines.append(f"| {step['step']} | {step['seconds']:.3f} | {ok} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.app_timing")
    parser.add_argument("--estate", type=Path, required=True, help="folder holding engagement.toml")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sah-bench-app-") as tmp:
        os.environ["SAH_DATA_DIR"] = tmp
        os.environ["SAH_AUTH_FILE"] = str(_auth_file(Path(tmp)))
        sys.path.insert(0, str(ROOT))
        result = measure(args.estate.resolve() / "engagement.toml", args.runs)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
