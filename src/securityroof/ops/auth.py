"""Accounts, passwords and session tokens.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second
recommended option). A login returns a random 256-bit bearer token; only its
SHA-256 is stored, with an expiry, so a stolen database copy opens no
session and a forged token matches nothing.

Roles, per party:
- observer: the party's fused picture, the decisions it is party to, the
  audit trail (payloads it may read);
- operator: as observer, plus the raw sensor reports the party may read;
- commander: as operator, plus approving or refusing engagements for the
  party.
The administrator belongs to no party: it manages parties, accounts and
exercises and sees no sensor data.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from securityroof.errors import RoofError
from securityroof.ops.db import Party, Token, User

ROLES = ("admin", "commander", "operator", "observer")
PARTY_ROLES = ("commander", "operator", "observer")
TOKEN_LIFETIME_S = 12 * 3600.0
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user behind a valid token."""

    user_id: int
    username: str
    party: str | None
    role: str

    @property
    def sees_raw_reports(self) -> bool:
        return self.role in ("operator", "commander")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """One hash to check against when the user does not exist, so a wrong name
    and a wrong password take the same time (made at first use, not at import)."""
    return hash_password(secrets.token_hex(16))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def validate_name(value: str, what: str) -> str:
    if not _NAME.match(value):
        raise RoofError(
            f"{what} {value!r} is not allowed.",
            fix="Use 2-64 lower-case letters, digits, '.', '_' or '-', starting with a "
            "letter or digit.",
        )
    return value


def validate_password(password: str) -> str:
    if len(password) < 10 or len(password) > 1024:
        raise RoofError(
            "the password must have between 10 and 1024 characters.", fix="Choose a longer one."
        )
    return password


def create_party(session: Session, party_id: str, name: str) -> Party:
    validate_name(party_id, "party id")
    if session.get(Party, party_id) is not None:
        raise RoofError(f"party {party_id!r} exists already.")
    party = Party(id=party_id, name=name.strip() or party_id)
    session.add(party)
    return party


def create_user(
    session: Session, username: str, password: str, role: str, party: str | None
) -> User:
    validate_name(username, "user name")
    validate_password(password)
    if role not in ROLES:
        raise RoofError(f"unknown role {role!r}.", fix=f"Use one of {', '.join(ROLES)}.")
    if role == "admin" and party is not None:
        raise RoofError("an administrator belongs to no party.", fix="Leave the party out.")
    if role != "admin":
        if party is None:
            raise RoofError(f"a {role} belongs to a party.", fix="Name the party.")
        if session.get(Party, party) is None:
            known = sorted(session.scalars(select(Party.id)))
            raise RoofError(
                f"unknown party {party!r}.",
                fix=f"Create it first; known: {', '.join(known) or 'none'}.",
            )
    if session.scalars(select(User).where(User.username == username)).first() is not None:
        raise RoofError(f"user {username!r} exists already.")
    user = User(
        username=username,
        password_hash=hash_password(password),
        party_id=party,
        role=role,
        created_at=time.time(),
    )
    session.add(user)
    return user


def login(session: Session, username: str, password: str) -> tuple[str, float, User] | None:
    """A new token for right credentials, None otherwise."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        check_password(_dummy_hash(), password)
        return None
    if not check_password(user.password_hash, password):
        return None
    token = secrets.token_urlsafe(32)
    expires = time.time() + TOKEN_LIFETIME_S
    session.add(Token(token_hash=token_digest(token), user_id=user.id, expires_at=expires))
    return token, expires, user


def authenticate(session: Session, token: str) -> Principal | str:
    """The principal for a valid token, or why the token is refused."""
    row = session.get(Token, token_digest(token))
    if row is None:
        return "the token is not valid (unknown or forged)"
    if row.revoked:
        return "the token was revoked by logging out"
    if row.expires_at <= time.time():
        return "the token has expired"
    user = session.get(User, row.user_id)
    if user is None:
        return "the token's user no longer exists"
    return Principal(user.id, user.username, user.party_id, user.role)


def revoke(session: Session, token: str) -> None:
    row = session.get(Token, token_digest(token))
    if row is not None:
        row.revoked = True
