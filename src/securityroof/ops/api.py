"""The HTTP interface of the operations service (FastAPI).

Every endpoint but the login, the page and its static files needs a bearer
token (`Authorization: Bearer ...`, from `POST /api/login`). Errors are JSON
`{"detail": "..."}` with a message a person can act on: 401 no or bad token,
403 the role or party may not do this, 404 not there (or not shown to this
party, which must not learn it exists), 409 the state forbids it (already
decided, finished), 422 malformed input. Live updates are server-sent events
read with `fetch`, so the token travels in the header, not the URL.

Limits (see `auth.Limits` for the rates): request bodies of at most 64 KiB,
sent within 10 s; 429 with Retry-After for too many logins, failed logins,
refused requests or live streams; error replies never repeat the body they
refuse. Every reply carries the security headers in `SECURITY_HEADERS`.
"""

import asyncio
import json
import time
import weakref
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from securityroof._version import __version__
from securityroof.data.basemap import borders, coastlines
from securityroof.errors import RoofError
from securityroof.ops import auth
from securityroof.ops.picture_export import picture_geojson
from securityroof.ops.service import RefusedError, RoofService

STATIC = Path(__file__).parent / "static"
KEEPALIVE_S = 15.0
STREAM_POLL_S = 0.25
REAUTH_S = 5.0
STREAM_RETRY_AFTER = "10"  # s: a closed stream's slot is free within a poll or two
MAX_ID = 2**31 - 1
MAX_BODY_BYTES = 64 * 1024  # the largest valid body (a new account) is under 1.5 KiB
BODY_TIMEOUT_S = 10.0  # for each piece of a request body to arrive
# The page loads its scripts, styles and images from /static only, talks to
# /api only, and draws data: images (Leaflet's blank tile); nothing may frame it.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]

# Strict: no "12" for 12, no true for 1.0; unknown fields refused.
_Strict = ConfigDict(extra="forbid", strict=True)
Id = Annotated[int, PathParam(ge=1, le=MAX_ID)]
Name = Annotated[str, Field(min_length=2, max_length=64)]


class LoginRequest(BaseModel):
    model_config = _Strict
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class PartyRequest(BaseModel):
    model_config = _Strict
    id: Name
    name: Annotated[str, Field(min_length=1, max_length=200)]


class UserRequest(BaseModel):
    model_config = _Strict
    username: Name
    password: Annotated[str, Field(min_length=10, max_length=1024)]
    role: Literal["admin", "commander", "operator", "observer"]
    party: Name | None = None


class ExerciseRequest(BaseModel):
    model_config = _Strict
    name: Annotated[str, Field(min_length=1, max_length=200)]
    speed: Annotated[float, Field(ge=0.0, le=1000.0, allow_inf_nan=False)] = 1.0
    seed: Annotated[int, Field(ge=0, le=MAX_ID)] | None = None


class AdvanceRequest(BaseModel):
    model_config = _Strict
    seconds: Annotated[float, Field(gt=0.0, le=3600.0, allow_inf_nan=False)]


class DecisionRequest(BaseModel):
    model_config = _Strict
    decision: Literal["approve", "refuse"]


@cache
def basemap_geojson() -> dict[str, Any]:
    """Coastlines and borders (GSHHS, low resolution) as GeoJSON lines."""
    features = []
    for kind, outlines in (("coastline", coastlines("l")), ("border", borders("l"))):
        for outline in outlines:
            coordinates = [
                [round(float(lon), 3), round(float(lat), 3)]
                for lon, lat in zip(outline.lon_deg, outline.lat_deg, strict=True)
            ]
            if len(coordinates) >= 2:
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"kind": kind},
                        "geometry": {"type": "LineString", "coordinates": coordinates},
                    }
                )
    return {"type": "FeatureCollection", "features": features}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where and what is wrong, without the value that was sent (a name sent as
    a field is cut to 64 characters)."""
    found = []
    for error in exc.errors()[:20]:
        loc = [p if isinstance(p, int) else str(p)[:64] for p in error.get("loc", ())]
        found.append({"loc": loc, "msg": str(error.get("msg", "invalid")), "type": error["type"]})
    return found


def _validation_message(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors:
        where = ".".join(str(p) for p in error["loc"] if p != "body") or "request"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


class _Guard:
    """ASGI middleware: the security headers on every reply, and the request
    body's size and pace (413 past MAX_BODY_BYTES, 408 if a piece takes longer
    than BODY_TIMEOUT_S), answered before the body is read or parsed."""

    def __init__(
        self,
        app: ASGIApp,
        max_body: int = MAX_BODY_BYTES,
        body_timeout_s: float = BODY_TIMEOUT_S,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                headers = [h for h in message.get("headers", []) if h[0].lower() not in names]
                message["headers"] = headers + SECURITY_HEADERS
            await send(message)

        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            reply = JSONResponse({"detail": self._too_large()}, status_code=413)
            reply.headers["Connection"] = "close"
            await reply(scope, receive, send_with_headers)
            return

        received = 0
        complete = False

        async def limited_receive() -> Message:
            nonlocal received, complete
            if complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout_s)
            except TimeoutError:
                raise HTTPException(408, "the request body came too slowly") from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise HTTPException(413, self._too_large())
                complete = not message.get("more_body", False)
            return message

        await self.app(scope, limited_receive, send_with_headers)

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_body} bytes"


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def create_app(service: RoofService, limits: auth.Limits | None = None) -> FastAPI:
    """The FastAPI application; `limits` replaces the service's (tests use a fake clock)."""
    if limits is not None:
        service.limits = limits
    app = FastAPI(
        title="Security Roof joint operations",
        version=__version__,
        description="One shared picture, engagement decisions under agreed rules, "
        "and a tamper-evident record every party can audit.",
        # FastAPI's interactive docs load their scripts from a CDN; the service
        # works offline, so only the OpenAPI document itself is served.
        docs_url=None,
        redoc_url=None,
    )
    bearer = HTTPBearer(auto_error=False)

    app.add_middleware(_Guard)

    @app.exception_handler(RefusedError)
    async def _refused(_request: Request, exc: RefusedError) -> JSONResponse:
        headers = dict(exc.headers)
        if exc.status == 401:
            headers.setdefault("WWW-Authenticate", "Bearer")
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=headers)

    @app.exception_handler(RoofError)
    async def _roof_error(_request: Request, exc: RoofError) -> JSONResponse:
        return JSONResponse({"detail": exc.message()}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        return JSONResponse(
            {"detail": _validation_message(errors), "errors": jsonable_encoder(errors)},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    def who(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> auth.Principal:
        address = _address(request)
        if credentials is None or credentials.scheme.lower() != "bearer":
            wait = service.limits.refused_per_address.take(address)
            if wait > 0:
                raise _too_many_refused(wait)
            raise RefusedError(
                401, "log in first: send 'Authorization: Bearer TOKEN' (POST /api/login)"
            )
        with service.sessions() as session:
            found = auth.authenticate(session, credentials.credentials)
        if isinstance(found, str):
            wait = service.limits.refused_per_address.take(address)
            if wait > 0:
                error = _too_many_refused(wait)
                raise service.refuse_unknown(address, 429, error.detail, error.headers)
            raise service.refuse_unknown(
                address,
                401,
                f"{found}: log in again",
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        request.state.token = credentials.credentials
        return found

    Who = Annotated[auth.Principal, Depends(who)]

    # -------------------------------------------------------------- session

    @app.post("/api/login", tags=["session"])
    def login(body: LoginRequest, request: Request) -> dict[str, Any]:
        limits = service.limits
        address = _address(request)
        account = body.username.lower()
        wait = max(
            limits.login_failures_per_account.wait(account),
            limits.login_failures_per_address.wait(address),
        )
        if wait == 0:
            wait = limits.login_per_address.take(address)
        if wait > 0:
            raise service.refuse_unknown(
                address,
                429,
                "too many login attempts: try again later",
                {"Retry-After": auth.retry_after(wait)},
            )
        with limits.hashing() as free:
            if not free:
                raise RefusedError(503, "too many logins at once: try again", {"Retry-After": "1"})
            with service.sessions() as session:  # Argon2id outside the write lock
                user = auth.find_login(session, body.username, body.password)
        if user is None:
            limits.login_failures_per_account.failed(account)
            limits.login_failures_per_address.failed(address)
            raise service.refuse_unknown(address, 401, "wrong user name or password")
        limits.login_failures_per_account.succeeded(account)
        with service.writing() as session:
            token, expires = auth.issue_token(session, user)
            payload = {"user": user.username, "party": user.party_id}
            service.ledger.append(session, "login", payload, [user.party_id or "*"])
        return {
            "token": token,
            "expires_at": expires,
            "user": {"username": user.username, "party": user.party_id, "role": user.role},
        }

    @app.post("/api/logout", tags=["session"])
    def logout(request: Request, principal: Who) -> dict[str, str]:
        with service.writing() as session:
            auth.revoke(session, request.state.token)
        return {"detail": f"{principal.username} logged out"}

    @app.get("/api/me", tags=["session"])
    def me(principal: Who) -> dict[str, Any]:
        return {"username": principal.username, "party": principal.party, "role": principal.role}

    # ------------------------------------------------------------- accounts

    @app.get("/api/parties", tags=["accounts"])
    def parties(_principal: Who) -> list[dict[str, str]]:
        return service.parties()

    @app.post("/api/parties", status_code=201, tags=["accounts"])
    def create_party(body: PartyRequest, principal: Who) -> dict[str, str]:
        return service.create_party(principal, body.id, body.name)

    @app.get("/api/users", tags=["accounts"])
    def users(principal: Who) -> list[dict[str, Any]]:
        return service.users(principal)

    @app.post("/api/users", status_code=201, tags=["accounts"])
    def create_user(body: UserRequest, principal: Who) -> dict[str, Any]:
        return service.create_user(principal, body.username, body.password, body.role, body.party)

    # ------------------------------------------------------------ exercises

    @app.get("/api/exercises", tags=["exercises"])
    def exercises(_principal: Who) -> list[dict[str, Any]]:
        return service.exercises()

    @app.post("/api/exercises", status_code=201, tags=["exercises"])
    def create_exercise(body: ExerciseRequest, principal: Who) -> dict[str, Any]:
        return service.create_exercise(principal, body.name, body.speed, body.seed)

    @app.post("/api/exercises/{exercise_id}/advance", tags=["exercises"])
    def advance(exercise_id: Id, body: AdvanceRequest, principal: Who) -> dict[str, Any]:
        return service.advance(principal, exercise_id, body.seconds)

    @app.post("/api/exercises/{exercise_id}/pause", tags=["exercises"])
    def pause(exercise_id: Id, principal: Who) -> dict[str, Any]:
        return service.set_running(principal, exercise_id, False)

    @app.post("/api/exercises/{exercise_id}/resume", tags=["exercises"])
    def resume(exercise_id: Id, principal: Who) -> dict[str, Any]:
        return service.set_running(principal, exercise_id, True)

    @app.post("/api/exercises/{exercise_id}/end", tags=["exercises"])
    def end(exercise_id: Id, principal: Who) -> dict[str, Any]:
        return service.end_exercise(principal, exercise_id)

    @app.post("/api/exercises/{exercise_id}/archive", tags=["exercises"])
    def archive(exercise_id: Id, principal: Who) -> dict[str, Any]:
        return service.archive_exercise(principal, exercise_id)

    @app.get("/api/exercises/{exercise_id}/picture", tags=["picture"])
    def picture(exercise_id: Id, principal: Who) -> dict[str, Any]:
        return service.picture(principal, exercise_id)

    @app.get("/api/exercises/{exercise_id}/picture.geojson", tags=["picture"])
    def picture_export(exercise_id: Id, principal: Who) -> JSONResponse:
        picture = service.picture(principal, exercise_id)
        name = (
            f"roof-exercise-{exercise_id}-{picture['party']}-T{picture['sim_time_s']:.0f}.geojson"
        )
        return JSONResponse(
            picture_geojson(picture),
            media_type="application/geo+json",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.get("/api/exercises/{exercise_id}/proposals", tags=["decisions"])
    def proposals(exercise_id: Id, principal: Who) -> list[dict[str, Any]]:
        return service.proposals(principal, exercise_id)

    @app.post("/api/proposals/{proposal_id}/decision", tags=["decisions"])
    def decide(proposal_id: Id, body: DecisionRequest, principal: Who) -> dict[str, Any]:
        return service.decide(principal, proposal_id, body.decision)

    # ---------------------------------------------------------------- audit

    @app.get("/api/audit", tags=["audit"])
    def audit(
        principal: Who,
        after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
        exercise_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    ) -> dict[str, Any]:
        return service.audit(principal, after, limit, exercise_id)

    @app.get("/api/audit/checkpoint", tags=["audit"])
    def checkpoint(_principal: Who) -> dict[str, Any]:
        return service.checkpoint().to_json()

    @app.get("/api/audit/checkpoints", tags=["audit"])
    def checkpoints(
        _principal: Who, after_size: Annotated[int, Query(ge=0, le=MAX_ID)] = 0
    ) -> list[dict[str, Any]]:
        return service.stored_checkpoints(after_size)

    @app.get("/api/audit/key", tags=["audit"])
    def key(_principal: Who) -> dict[str, str]:
        signer = service.ledger.signer
        return {"key_id": signer.key_id, "public_key_pem": signer.public_key_pem()}

    # ----------------------------------------------------------------- live

    @app.get("/api/exercises/{exercise_id}/events", tags=["picture"])
    async def events(exercise_id: Id, request: Request, principal: Who) -> StreamingResponse:
        await run_in_threadpool(service.picture, principal, exercise_id)  # access check first
        token = request.state.token
        release = service.limits.streams.acquire(principal.username)
        if release is None:
            slots = service.limits.streams
            error = await run_in_threadpool(
                service.refuse,
                principal,
                f"open a live stream of exercise {exercise_id}",
                429,
                f"too many live streams: at most {slots.per_account} per account "
                f"and {slots.total} in all; close one first",
                exercise_id,
            )
            error.headers.setdefault("Retry-After", STREAM_RETRY_AFTER)
            raise error

        async def stream() -> AsyncIterator[str]:
            try:
                async for chunk in updates():
                    yield chunk
            finally:
                release()

        async def updates() -> AsyncIterator[str]:
            version = -1
            after = service.ledger.size  # seqs start at 1: entries after the current head
            last_sent = last_auth = time.monotonic()
            while not await request.is_disconnected():
                now = time.monotonic()
                if now - last_auth > REAUTH_S:
                    last_auth = now
                    if not await run_in_threadpool(_still_valid, service, token):
                        yield "event: logout\ndata: {}\n\n"
                        return
                if service.version != version:
                    version = service.version
                    picture = await run_in_threadpool(service.picture, principal, exercise_id)
                    yield _sse("picture", picture)
                    proposals = await run_in_threadpool(service.proposals, principal, exercise_id)
                    yield _sse("proposals", proposals)
                    audit = await run_in_threadpool(
                        service.audit, principal, after, 1000, exercise_id
                    )
                    if audit["entries"]:
                        after = audit["entries"][-1]["seq"]
                        yield _sse("audit", audit)
                    last_sent = now
                elif now - last_sent > KEEPALIVE_S:
                    last_sent = now
                    yield ": keep-alive\n\n"
                await asyncio.sleep(STREAM_POLL_S)

        body = stream()
        # A stream that is never started (the client left first) gives its slot back too.
        weakref.finalize(body, release)
        return StreamingResponse(
            body,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            background=BackgroundTask(release),
        )

    # ----------------------------------------------------------------- page

    @app.get("/api/basemap", tags=["page"])
    def basemap() -> JSONResponse:
        return JSONResponse(basemap_geojson(), headers={"Cache-Control": "max-age=86400"})

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    return app


def _too_many_refused(wait: float) -> RefusedError:
    return RefusedError(
        429,
        "too many refused requests from this address: try again later",
        {"Retry-After": auth.retry_after(wait)},
    )


def _still_valid(service: RoofService, token: str) -> bool:
    with service.sessions() as session:
        return not isinstance(auth.authenticate(session, token), str)


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
