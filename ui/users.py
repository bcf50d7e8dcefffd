"""`python -m ui.users add|reset|role|remove|list|init`: manage the app's users without starting Streamlit.

python -m ui.users add alice --role viewer            # prints a random password
echo 'a long passphrase' | python -m ui.users add bob --role advisor --password-stdin
python -m ui.users reset alice                       # new random password
python -m ui.users role alice advisor
python -m ui.users list
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from ui import authfile


def _users(config: dict[str, Any]) -> dict[str, Any]:
    return config["credentials"]["usernames"]


def _last_advisor(users: dict[str, Any], name: str) -> bool:
    return not any("advisor" in (e.get("roles") or []) for u, e in users.items() if u != name)


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """The password to set and whether it was generated (then it is printed once)."""
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n"), False
    return authfile.new_password(), True


def _announce(name: str, password: str, generated: bool) -> None:
    if generated:
        print(f"{name}: password {password}  (shown once)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.users", description="Users of the Smart Account Hygiene app")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a user with a role")
    add.add_argument("name")
    add.add_argument("--role", choices=authfile.ROLES, required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin (else random)")
    reset = sub.add_parser("reset", help="set a new password")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true")
    role = sub.add_parser("role", help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", choices=authfile.ROLES)
    remove = sub.add_parser("remove", help="remove a user")
    remove.add_argument("name")
    sub.add_parser("list", help="list users and roles")
    sub.add_parser("init", help="create the auth file if missing (prints the first advisor password)")
    args = parser.parse_args(argv)

    path = authfile.auth_path()
    try:
        if args.command == "init":
            first = authfile.ensure_auth_file(path)
            print(f"First advisor login: {first.username} / {first.password}" if first else f"{path} already exists")
            return 0
        if not path.exists():
            print(f"{path} does not exist yet: run `python -m ui.users init` (or start the app) first", file=sys.stderr)
            return 2
        config = authfile.read_config(path)
        users = _users(config)
        name = str(getattr(args, "name", "")).strip().lower()
        if args.command == "list":
            for user, entry in sorted(users.items()):
                print(f"{user}\t{', '.join(entry.get('roles') or [])}")
            return 0
        if args.command == "add":
            if name in users:
                print(f"user '{name}' exists; use `reset` or `role`", file=sys.stderr)
                return 2
            password, generated = _password(args)
            users[name] = authfile.user_entry(name, authfile.hash_password(password), args.role)
        elif name not in users:
            print(f"no user '{name}' in {path}", file=sys.stderr)
            return 2
        elif args.command == "reset":
            password, generated = _password(args)
            users[name]["password"] = authfile.hash_password(password)
        elif (
            args.command in ("role", "remove") and _last_advisor(users, name) and args.__dict__.get("role") != "advisor"
        ):
            print(f"refused: {name} is the last advisor; make another user advisor first", file=sys.stderr)
            return 2
        elif args.command == "role":
            users[name]["roles"] = [args.role]
        elif args.command == "remove":
            del users[name]
        authfile.check_config(path, config)
        authfile.write_config(path, config)
    except (authfile.AuthFileError, ValueError) as err:
        print(str(err), file=sys.stderr)
        return 2
    if args.command in ("add", "reset"):
        _announce(name, password, generated)
    print(f"{args.command} {name}: saved to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
