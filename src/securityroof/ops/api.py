"""The HTTP interface of the operations service (FastAPI).

Every endpoint but the login, the page and its static files needs a bearer
token (`Authorization: Bearer ...`, from `POST /api/login`). Errors are JSON
`{"detail": "..."}` with a message a person can act on: 401 no or bad token,
403 the role or party may not do this, 404 not there (or not shown to this
party, which must not learn it exists), 409 the state forbids it (already
decided, finished), 422 malformed input. Live updates are server-sent events
read with `fetch`, so the token travels in the header, not the URL.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from securityroof import __version__
from securityroof.errors import RoofError
from securityroof.ops import auth
from securityroof.ops.picture_export import picture_geojson
from securityroof.ops.service import RefusedError, RoofService
from securityroof.report.basemap import borders, coastlines

STATIC = Path(__file__).parent / "static"
KEEPALIVE_S = 15.0
STREAM_POLL_S = 0.25
REAUTH_S = 5.0
MAX_ID = 2**31 - 1

_Strict = ConfigDict(extra="forbid")
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


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def create_app(service: RoofService) -> FastAPI:
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

    @app.exception_handler(RefusedError)
    async def _refused(_request: Request, exc: RefusedError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(RoofError)
    async def _roof_error(_request: Request, exc: RoofError) -> JSONResponse:
        return JSONResponse({"detail": exc.message()}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {"detail": _validation_message(exc), "errors": jsonable_encoder(exc.errors())},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    def who(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> auth.Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise RefusedError(
                401, "log in first: send 'Authorization: Bearer TOKEN' (POST /api/login)"
            )
        with service.sessions() as session:
            found = auth.authenticate(session, credentials.credentials)
        if isinstance(found, str):
            action = f"{request.method} {request.url.path}"
            raise service.refuse(None, action, 401, f"{found}: log in again")
        request.state.token = credentials.credentials
        return found

    Who = Annotated[auth.Principal, Depends(who)]

    # -------------------------------------------------------------- session

    @app.post("/api/login", tags=["session"])
    def login(body: LoginRequest) -> dict[str, Any]:
        with service.writing() as session:
            found = auth.login(session, body.username, body.password)
            if found is not None:
                token, expires, user = found
                payload = {"user": user.username, "party": user.party_id}
                service.ledger.append(session, "login", payload, [user.party_id or "*"])
        if found is None:
            raise service.refuse(
                None, f"log in as {body.username!r}", 401, "wrong user name or password"
            )
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
        return service.decisions.proposals(principal, exercise_id)

    @app.post("/api/proposals/{proposal_id}/decision", tags=["decisions"])
    def decide(proposal_id: Id, body: DecisionRequest, principal: Who) -> dict[str, Any]:
        return service.decisions.decide(principal, proposal_id, body.decision)

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

    @app.get("/api/audit/key", tags=["audit"])
    def key(_principal: Who) -> dict[str, str]:
        signer = service.ledger.signer
        return {"key_id": signer.key_id, "public_key_pem": signer.public_key_pem()}

    # ----------------------------------------------------------------- live

    @app.get("/api/exercises/{exercise_id}/events", tags=["picture"])
    async def events(exercise_id: Id, request: Request, principal: Who) -> StreamingResponse:
        await run_in_threadpool(service.picture, principal, exercise_id)  # access check first
        token = request.state.token

        async def stream() -> AsyncIterator[str]:
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
                    proposals = await run_in_threadpool(
                        service.decisions.proposals, principal, exercise_id
                    )
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

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
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


def _still_valid(service: RoofService, token: str) -> bool:
    with service.sessions() as session:
        return not isinstance(auth.authenticate(session, token), str)


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
