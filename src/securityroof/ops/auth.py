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
import math
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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


def find_login(session: Session, username: str, password: str) -> User | None:
    """The user these credentials belong to, or None (the same work either way).

    It only reads, so the caller can run it outside the service's write lock:
    Argon2id takes tens of milliseconds and should hold up no one else."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        check_password(_dummy_hash(), password)
        return None
    if not check_password(user.password_hash, password):
        return None
    return user


def issue_token(session: Session, user: User) -> tuple[str, float]:
    """A new bearer token for `user` and its expiry (Unix time); only its digest is stored."""
    token = secrets.token_urlsafe(32)
    expires = time.time() + TOKEN_LIFETIME_S
    session.add(Token(token_hash=token_digest(token), user_id=user.id, expires_at=expires))
    return token, expires


def login(session: Session, username: str, password: str) -> tuple[str, float, User] | None:
    """A new token for right credentials, None otherwise."""
    user = find_login(session, username, password)
    if user is None:
        return None
    token, expires = issue_token(session, user)
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


# ------------------------------------------------------------------- limits

Clock = Callable[[], float]


def retry_after(wait_s: float) -> str:
    """The Retry-After header value for a wait: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait_s)))


class RateLimiter:
    """A token bucket per key (an address, an account): `burst` requests at once,
    then `per_s` a second. At most `max_keys` keys are remembered; the least
    recently used are forgotten first (a forgotten key starts with a full bucket)."""

    def __init__(self, burst: float, per_s: float, clock: Clock, max_keys: int = 10_000) -> None:
        self.burst = burst
        self.per_s = per_s
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - at) * self.per_s)

    def take(self, key: str) -> float:
        """0 and one request counted if the key may go on; else the seconds to wait."""
        with self._lock:
            now = self.clock()
            tokens = self._level(key, now)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                self._buckets.move_to_end(key)
                return (1.0 - tokens) / self.per_s
            self._buckets[key] = (tokens - 1.0, now)
            self._buckets.move_to_end(key)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return 0.0


class FailureBackoff:
    """Exponential back-off after repeated failures (failed logins) per key.

    The first `free` failures cost nothing; each one after that closes the key
    for `first_s`, then twice as long, up to `max_s`. A success clears the
    key, and so do `forget_s` seconds without a failure."""

    def __init__(
        self,
        free: int,
        first_s: float,
        max_s: float,
        forget_s: float,
        clock: Clock,
        max_keys: int = 10_000,
    ) -> None:
        self.free = free
        self.first_s = first_s
        self.max_s = max_s
        self.forget_s = forget_s
        self.clock = clock
        self.max_keys = max_keys
        self._state: OrderedDict[str, tuple[int, float, float]] = OrderedDict()
        self._lock = threading.Lock()  # (failures, last failure, closed until)

    def wait(self, key: str) -> float:
        """Seconds until the key may try again (0: now)."""
        with self._lock:
            state = self._state.get(key)
            if state is None:
                return 0.0
            return max(0.0, state[2] - self.clock())

    def failed(self, key: str) -> float:
        """Count a failure; returns how long the key is now closed."""
        with self._lock:
            now = self.clock()
            failures, last, _until = self._state.get(key, (0, now, now))
            if now - last > self.forget_s:
                failures = 0
            failures += 1
            closed = 0.0
            if failures > self.free:
                closed = min(self.max_s, self.first_s * 2.0 ** (failures - self.free - 1))
            self._state[key] = (failures, now, now + closed)
            self._state.move_to_end(key)
            while len(self._state) > self.max_keys:
                self._state.popitem(last=False)
            return closed

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._state.pop(key, None)


class StreamSlots:
    """Live streams open at once: at most `per_account` for one account and
    `total` for the whole service."""

    def __init__(self, per_account: int, total: int) -> None:
        self.per_account = per_account
        self.total = total
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    def open_count(self, account: str | None = None) -> int:
        with self._lock:
            return sum(self._open.values()) if account is None else self._open.get(account, 0)

    def acquire(self, account: str) -> Callable[[], None] | None:
        """A function that gives the slot back (safe to call twice), or None if full."""
        with self._lock:
            if (
                self._open.get(account, 0) >= self.per_account
                or sum(self._open.values()) >= self.total
            ):
                return None
            self._open[account] = self._open.get(account, 0) + 1
        given_back = threading.Event()

        def release() -> None:
            with self._lock:
                if given_back.is_set():
                    return
                given_back.set()
                left = self._open.get(account, 0) - 1
                if left > 0:
                    self._open[account] = left
                else:
                    self._open.pop(account, None)

        return release


@dataclass
class Limits:
    """The service's limits against floods: logins, refused requests, live streams.

    Failed logins back off per account (5 free, then 1 s doubling to 60 s) and
    per address (20 free, then 1 s doubling to 5 min); any address may try 60
    logins at once and then two a second (a party's consoles may share one
    address; guessing is held back by the failure backoff); at most 4 passwords are hashed at
    once (Argon2id uses 64 MiB each). Refused requests (401, 403, 404, 409)
    are allowed 30 at once and then one every 2 s, per address for unknown
    tokens and per account for valid ones; beyond that the answer is 429.
    Live streams: 8 per account, 256 in all."""

    clock: Clock = time.monotonic
    login_per_address: RateLimiter = field(init=False)
    login_failures_per_account: FailureBackoff = field(init=False)
    login_failures_per_address: FailureBackoff = field(init=False)
    refused_per_address: RateLimiter = field(init=False)
    refused_per_account: RateLimiter = field(init=False)
    streams: StreamSlots = field(init=False)
    hashing_at_once: int = 4
    hashing_wait_s: float = 10.0

    def __post_init__(self) -> None:
        self.login_per_address = RateLimiter(60, 2.0, self.clock)
        self.login_failures_per_account = FailureBackoff(5, 1.0, 60.0, 900.0, self.clock)
        self.login_failures_per_address = FailureBackoff(20, 1.0, 300.0, 900.0, self.clock)
        self.refused_per_address = RateLimiter(30, 0.5, self.clock)
        self.refused_per_account = RateLimiter(30, 0.5, self.clock)
        self.streams = StreamSlots(8, 256)
        self._hashing = threading.BoundedSemaphore(self.hashing_at_once)

    @contextmanager
    def hashing(self) -> Iterator[bool]:
        """Yields whether a hashing slot was free within `hashing_wait_s`."""
        got = self._hashing.acquire(timeout=self.hashing_wait_s)
        try:
            yield got
        finally:
            if got:
                self._hashing.release()
