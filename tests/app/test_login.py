"""Logging in: one message for every refusal, and the per-username throttle shared by all sessions."""

from __future__ import annotations

import datetime as dt
import threading

import bcrypt
import pytest
from streamlit.testing.v1 import AppTest

from core.settings import Settings
from tests.app.conftest import new_app
from tests.ui_support import USERS
from ui import auth, throttle
from ui.throttle import LOGINS, Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(LOGINS, "clock", c)
    return c


@pytest.fixture
def bcrypt_checks(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every bcrypt check made, by the library or by us (the hash it was checked against)."""
    calls: list[bytes] = []
    real = bcrypt.checkpw

    def spy(password: bytes, hashed: bytes) -> bool:
        calls.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", spy)
    return calls


def new_session() -> AppTest:
    """A browser tab on the login form, with an empty estate so that logging in does not reconcile the sample."""
    at = new_app()
    at.session_state["sah_settings"] = Settings(as_of=dt.date(2026, 11, 1))
    at.session_state["sah_files"] = {}
    at.session_state["sah_source"] = "empty"
    return at


def attempt(at: AppTest, username: str, password: str) -> AppTest:
    if not at.text_input:
        at.run()
    next(t for t in at.text_input if t.label == "Username").input(username)
    next(t for t in at.text_input if t.label == "Password").input(password)
    next(b for b in at.button if b.label == "Login").click()
    return at.run()


def logged_in(at: AppTest) -> bool:
    return bool(at.session_state["authentication_status"]) and any(b.key == "sah_logout" for b in at.button)


def refused(at: AppTest) -> bool:
    return [e.value for e in at.error] == [auth.REFUSED] and not logged_in(at) and not at.metric


def test_an_unknown_user_and_a_wrong_password_get_the_same_message(bcrypt_checks: list[bytes]) -> None:
    wrong = attempt(new_session(), "ada", "not-the-password")
    unknown = attempt(new_session(), "nobody", "not-the-password")
    assert refused(wrong) and refused(unknown)
    assert [e.value for e in wrong.error] == [e.value for e in unknown.error]
    assert len(bcrypt_checks) == 2  # the unknown name cost a bcrypt check too: the timing does not tell


def test_five_wrong_passwords_pause_the_username_even_for_the_right_password(
    clock: Clock, bcrypt_checks: list[bytes]
) -> None:
    at = new_session()
    for _ in range(throttle.FREE_FAILURES):
        assert refused(attempt(at, "ada", "not-the-password"))
    checks = len(bcrypt_checks)
    assert refused(attempt(at, "ada", USERS["ada"][1]))  # the same words as a wrong password
    assert len(bcrypt_checks) == checks  # refused before the password was looked at
    assert refused(attempt(new_session(), "ADA ", USERS["ada"][1]))  # another session, the name as typed differently


def test_a_paused_username_does_not_stop_another_user(clock: Clock) -> None:
    at = new_session()
    for _ in range(throttle.FREE_FAILURES):
        attempt(at, "ada", "not-the-password")
    assert logged_in(attempt(new_session(), "bo", USERS["bo"][1]))
    assert logged_in(attempt(at, "vic", USERS["vic"][1]))  # even in the session that was refused


def test_after_the_pause_the_right_password_logs_in_and_the_count_starts_afresh(clock: Clock) -> None:
    at = new_session()
    for _ in range(throttle.FREE_FAILURES):
        attempt(at, "ada", "not-the-password")
    clock.now += throttle.FIRST_PAUSE - 1
    assert refused(attempt(at, "ada", USERS["ada"][1]))
    clock.now += 1
    assert logged_in(attempt(at, "ada", USERS["ada"][1]))
    assert LOGINS.paused_for("ada") == 0 and len(LOGINS) == 0
    assert refused(attempt(new_session(), "ada", "wrong-again"))
    assert LOGINS.paused_for("ada") == 0  # one failure after a success is not a pause


def test_an_unknown_username_is_paused_exactly_like_a_known_one(clock: Clock) -> None:
    at = new_session()
    for _ in range(throttle.FREE_FAILURES):
        attempt(at, "ada", "not-the-password")
        attempt(at, "nobody", "not-the-password")
    assert LOGINS.paused_for("nobody") == LOGINS.paused_for("ada") == throttle.FIRST_PAUSE


def test_the_pause_doubles_with_each_failure_up_to_fifteen_minutes() -> None:
    pauses = [throttle.pause_after(n) for n in range(1, 12)]
    assert pauses == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    clock = Clock()
    t = Throttle(clock)
    for _ in range(5):
        assert t.begin("ada")
    assert not t.begin("ada") and t.paused_for("ada") == 30
    clock.now += 30
    assert t.begin("ada")  # the sixth failure …
    assert t.paused_for("ada") == 60  # … pauses for a minute
    clock.now += 60
    for _ in range(4):
        assert t.begin("ada")
        clock.now += t.paused_for("ada")
    assert t.paused_for("ada") == 0 and t.begin("ada") and t.paused_for("ada") == 900  # the eleventh
    clock.now += 900
    assert t.begin("ada") and t.paused_for("ada") == 900  # straight after a pause: no fresh start


def test_failures_are_forgotten_fifteen_minutes_after_the_last_pause_ended() -> None:
    clock = Clock()
    t = Throttle(clock)
    for _ in range(4):
        t.begin("ada")
    clock.now += throttle.WINDOW
    assert t.begin("ada") and t.paused_for("ada") == 0  # a first failure again, not the fifth
    for _ in range(4):
        t.begin("ada")
    clock.now += throttle.FIRST_PAUSE + throttle.WINDOW - 1
    assert t.begin("ada") and t.paused_for("ada") == 60  # still remembered: the sixth failure


def test_the_throttle_stays_bounded_and_a_flood_of_names_does_not_free_a_paused_one() -> None:
    clock = Clock()
    t = Throttle(clock, max_entries=50)
    for _ in range(5):
        t.begin("ada")
    for i in range(500):
        clock.now += 0.01
        t.begin(f"made-up-{i}")
    assert len(t) == 50
    assert t.paused_for("ada") > 0
    t.begin("x" * 1_000_000)  # a megabyte typed as a username is remembered by its first characters only
    assert t.paused_for("x" * throttle.KEY_CHARS + "y") == 0 and len(t) == 50


def test_parallel_attempts_cannot_get_past_the_limit() -> None:
    t = Throttle(lambda: 1_000.0)
    start = threading.Barrier(40)
    allowed: list[bool] = []

    def one() -> None:
        start.wait()
        allowed.append(t.begin("ada"))

    threads = [threading.Thread(target=one) for _ in range(40)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert allowed.count(True) == throttle.FREE_FAILURES
