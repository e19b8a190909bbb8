"""The joint exercise as the parties live it: tracks, proposals, approvals,
outcomes, sharing rules, tokens and a restart, through the HTTP API."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sqlalchemy import select, update

from securityroof.ops.db import Token, User
from securityroof.ops.decisions import decision_deadline_s
from tests.ops.conftest import ADMIN, Ops, user


def _proposal(ops: Ops, exercise: int, site: str, as_user: str) -> dict:
    for _ in range(40):
        found = [
            p
            for p in ops.client.get(
                f"/api/exercises/{exercise}/proposals", headers=ops.headers(as_user)
            ).json()
            if p["site"] == site
        ]
        if found:
            return found[0]
        ops.advance(exercise, 4)
    raise AssertionError(f"no proposal from {site}")


def test_fused_tracks_follow_the_true_threats(ops: Ops) -> None:
    """Every confirmed track of the shared picture lies within 15 km of a true
    threat position (radar noise 50 m range, 1 mrad angle, i.e. up to 2 km
    across at 2,000 km; infrared 1 km; boost accelerations of up to ~10 g), and
    there is no more than one confirmed track per threat in flight."""
    exercise = ops.new_exercise()
    ops.advance(exercise, 150)
    engine = ops.service.engines[exercise]
    picture = ops.client.get(
        f"/api/exercises/{exercise}/picture", headers=ops.headers(user("usa", "observer"))
    ).json()
    confirmed = [t for t in picture["tracks"] if t["status"] == "confirmed"]
    assert confirmed
    view = engine.view_of["usa"]
    states = [t for t in engine.tracks[view] if t.status == "confirmed"]
    for state in states:
        distances = []
        for i, launch in enumerate(engine.launch_s):
            k = round((150.0 - launch) / 2.0)
            if 0 <= k < engine.samples.shape[1] and np.isfinite(engine.samples[i, k, 0]):
                distances.append(float(np.linalg.norm(state.state[:3] - engine.samples[i, k, :3])))
        assert min(distances) < 15_000.0, f"track {state.track_id} is {min(distances):.0f} m off"
    in_flight = sum(1 for launch in engine.launch_s if launch <= 150)
    assert len(confirmed) <= in_flight
    for track in confirmed:
        assert track["impact"] is not None and track["impact"]["semi_major_m"] > 0


def test_engagement_needs_owner_and_host(ops: Ops) -> None:
    """Deveselu (US interceptors in Romania) fires only when both say yes; a
    replayed approval and a party with no say are refused and recorded."""
    exercise = ops.new_exercise()
    proposal = _proposal(ops, exercise, "deveselu", user("usa", "commander"))
    assert proposal["status"] == "pending"
    assert [r["party"] for r in proposal["required"]] == ["usa", "romania"]
    url = f"/api/proposals/{proposal['id']}/decision"

    def decide(as_user: str, decision: str = "approve"):
        return ops.client.post(url, json={"decision": decision}, headers=ops.headers(as_user))

    assert decide(user("poland", "commander")).status_code == 404  # not party to it: unseen
    observer = decide(user("romania", "observer"))
    assert observer.status_code == 403 and "commander" in observer.json()["detail"]
    assert decide(user("romania", "commander")).json()["status"] == "pending"
    replay = decide(user("romania", "commander"))
    assert replay.status_code == 409 and "already decided" in replay.json()["detail"]
    approved = decide(user("usa", "commander")).json()
    assert approved["status"] == "approved"
    assert decide(user("usa", "commander"), "refuse").status_code == 409

    for _ in range(200):
        current = next(
            p
            for p in ops.client.get(
                f"/api/exercises/{exercise}/proposals",
                headers=ops.headers(user("romania", "observer")),
            ).json()
            if p["id"] == proposal["id"]
        )
        if current["outcome"] is not None:
            break
        ops.advance(exercise, 10)
    assert current["outcome"]["result"] in ("intercepted", "missed", "moot")
    fired = current["outcome"]["shots_fired"]
    site = next(
        s
        for s in ops.client.get(
            f"/api/exercises/{exercise}/picture", headers=ops.headers(user("romania", "observer"))
        ).json()["sites"]
        if s["id"] == "deveselu"
    )
    battery = next(b for b in site["interceptors"] if b["type"] == proposal["interceptor"])
    assert battery["remaining"] == battery["count"] - fired

    audit = ops.client.get(
        f"/api/audit?exercise_id={exercise}&limit=1000",
        headers=ops.headers(user("romania", "observer")),
    ).json()["entries"]
    kinds = {e["kind"] for e in audit if e["payload"] is not None}
    assert {"proposal", "decision", "proposal-closed", "outcome"} <= kinds
    refused = [e for e in audit if e["kind"] == "refused-request" and e["payload"]]
    assert any("already decided" in e["payload"]["reason"] for e in refused)
    # Russia is party to none of it: it sees the entries, never their payloads.
    russian = ops.client.get(
        f"/api/audit?exercise_id={exercise}&limit=1000",
        headers=ops.headers(user("russia", "commander")),
    ).json()["entries"]
    about_deveselu = [e for e in russian if e["kind"] in ("decision", "outcome")]
    assert about_deveselu and all(e["payload"] is None for e in about_deveselu)


def test_silence_takes_the_rules_default(ops: Ops) -> None:
    """Redzikowo's rule: owner and host within 30 s, default refuse."""
    exercise = ops.new_exercise()
    proposal = _proposal(ops, exercise, "redzikowo", user("poland", "commander"))
    assert proposal["deadline_s"] - proposal["created_at_s"] <= 30.0
    ops.advance(exercise, 32)
    after = next(
        p
        for p in ops.client.get(
            f"/api/exercises/{exercise}/proposals", headers=ops.headers(user("poland", "commander"))
        ).json()
        if p["id"] == proposal["id"]
    )
    assert after["status"] == "refused"
    assert all(r["by_default"] and r["decision"] == "refuse" for r in after["required"])


def test_deadlines_count_in_wall_seconds(ops: Ops) -> None:
    """On a clocked exercise the rule's deadline is the commanders' own seconds: at x10
    a 20 s rule gives 200 simulated s, unless the engagement window ends first; a
    hand-stepped exercise keeps the rule's simulated seconds (the test above)."""
    speed = 10.0
    reply = ops.client.post(
        "/api/exercises",
        json={"name": "clocked", "speed": speed, "seed": 7},
        headers=ops.headers(ADMIN),
    )
    exercise = reply.json()["id"]
    ops.service.tick()
    # 12 wall seconds pass (the clock is set back rather than waited for): 120 s simulated,
    # past the first proposal (T+110 s).
    ops.service.clocks[exercise].wall_s -= 12.0
    ops.service.tick()
    proposals = [
        p
        for party in ("usa", "russia")
        for p in ops.client.get(
            f"/api/exercises/{exercise}/proposals",
            headers=ops.headers(user(party, "commander")),
        ).json()
    ]
    assert proposals, "no proposal by T+120 s"
    for proposal in proposals:
        rule = ops.service.rules.approval_rule(proposal["site"])
        wall_deadline = proposal["created_at_s"] + rule.deadline_s * speed
        expected = min(wall_deadline, proposal["window_end_s"])
        assert proposal["deadline_s"] == pytest.approx(expected, abs=1e-6), proposal
        assert proposal["deadline_s"] - proposal["created_at_s"] > rule.deadline_s
    assert decision_deadline_s(100.0, 30.0, 0.0, 1000.0) == 130.0  # stepped by hand
    assert decision_deadline_s(100.0, 30.0, 0.5, 1000.0) == 130.0  # slowed: never less
    assert decision_deadline_s(100.0, 30.0, 50.0, 1000.0) == 1000.0  # the window's end


def test_raw_reports_only_where_granted(ops: Ops) -> None:
    """The exercise grants Poland the US raw reports; Romania gets US tracks
    only; observers get no raw reports at all."""
    exercise = ops.new_exercise()
    ops.advance(exercise, 120)

    def reports(as_user: str) -> list[dict]:
        return ops.client.get(
            f"/api/exercises/{exercise}/picture", headers=ops.headers(as_user)
        ).json()["reports"]

    polish = reports(user("poland", "operator"))
    assert polish and {r["party"] for r in polish} == {"usa"}
    assert reports(user("romania", "operator")) == []
    assert reports(user("poland", "observer")) == []
    russian = reports(user("russia", "operator"))
    assert russian and {r["party"] for r in russian} == {"russia"}
    for name, entries in (
        ("romania", user("romania", "commander")),
        ("russia", user("russia", "commander")),
    ):
        audit = ops.client.get(
            f"/api/audit?exercise_id={exercise}&limit=1000", headers=ops.headers(entries)
        ).json()["entries"]
        usa_reports = [e for e in audit if e["kind"] == "reports" and e["payload"] is not None]
        assert all(e["payload"]["party"] == name for e in usa_reports)


def test_tokens_forged_expired_and_revoked(ops: Ops) -> None:
    me = "/api/me"
    assert ops.client.get(me).status_code == 401
    forged = ops.client.get(me, headers={"Authorization": "Bearer " + "A" * 43})
    assert forged.status_code == 401 and "forged" in forged.json()["detail"]
    name = user("usa", "operator")
    with ops.service.writing() as session:
        user_id = session.scalars(select(User.id).where(User.username == name)).one()
        session.execute(
            update(Token).where(Token.user_id == user_id).values(expires_at=time.time() - 1)
        )
    expired = ops.client.get(me, headers=ops.headers(name))
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    fresh = ops.client.post("/api/login", json={"username": name, "password": "exercise-password"})
    token = {"Authorization": f"Bearer {fresh.json()['token']}"}
    assert ops.client.get(me, headers=token).json()["party"] == "usa"
    assert ops.client.post("/api/logout", headers=token).status_code == 200
    assert "revoked" in ops.client.get(me, headers=token).json()["detail"]
    wrong = ops.client.post("/api/login", json={"username": name, "password": "not-the-one"})
    assert wrong.status_code == 401
    audit = ops.client.get("/api/audit?limit=1000", headers=ops.headers(ADMIN)).json()["entries"]
    reasons = [
        e["payload"]["reason"] for e in audit if e["kind"] == "refused-request" and e["payload"]
    ]
    assert any("forged" in r for r in reasons) and any("expired" in r for r in reasons)
    assert any("wrong user name or password" in r for r in reasons)


def test_restart_rebuilds_the_picture(ops: Ops) -> None:
    """After a restart the exercise resumes at its stored time with the same tracks."""
    exercise = ops.new_exercise(seed=11)
    ops.advance(exercise, 130)
    observer = user("russia", "observer")
    before = ops.client.get(f"/api/exercises/{exercise}/picture", headers=ops.headers(observer))
    again = make_ops_reopen(ops)
    after = again.client.get(f"/api/exercises/{exercise}/picture", headers=again.headers(observer))
    assert after.status_code == 200

    def strip(picture: dict) -> list:
        return [
            (t["id"], round(t["lat_deg"], 6), round(t["lon_deg"], 6)) for t in picture["tracks"]
        ]

    assert strip(after.json()) == strip(before.json())
    assert after.json()["sim_time_s"] == 130.0


def make_ops_reopen(ops: Ops) -> Ops:
    """The same data folder opened by a new service; tokens survive (they are in the database)."""
    from fastapi.testclient import TestClient

    from securityroof.cli.ops import builtin_exercise
    from securityroof.model.scenario import load_scenario
    from securityroof.ops.api import create_app
    from securityroof.ops.server import Store

    service = Store(ops.data_dir).open(load_scenario(builtin_exercise()))
    return Ops(service, TestClient(create_app(service)), ops.tokens, ops.parties, ops.data_dir)


def test_the_clock_runs_accelerated_time_and_pauses(ops: Ops) -> None:
    """Speed 50: 0.3 s of wall time is 15 s of exercise time (within the
    0.2 s the test's own calls may take); paused, the clock writes nothing."""
    reply = ops.client.post(
        "/api/exercises",
        json={"name": "clocked", "speed": 50, "seed": 1},
        headers=ops.headers(ADMIN),
    )
    exercise = reply.json()["id"]
    ops.service.tick()
    start = ops.service.exercises()[-1]["sim_time_s"]
    began = time.monotonic()
    time.sleep(0.3)
    ops.service.tick()
    elapsed = time.monotonic() - began
    advanced = ops.service.exercises()[-1]["sim_time_s"] - start
    assert abs(advanced - 50 * elapsed) < 50 * 0.2
    ops.client.post(f"/api/exercises/{exercise}/pause", headers=ops.headers(ADMIN))
    version, size = ops.service.version, ops.service.ledger.size
    time.sleep(0.1)
    ops.service.tick()
    assert (ops.service.version, ops.service.ledger.size) == (version, size)
    assert ops.service.exercises()[-1]["status"] == "paused"


def test_the_geojson_export_carries_only_the_readers_picture(ops: Ops) -> None:
    """RFC 7946 export of a party's picture: valid geometries (shapely), the
    same tracks and reports as the live picture, nothing more."""
    shapely_geometry = pytest.importorskip("shapely.geometry")
    exercise = ops.new_exercise()
    ops.advance(exercise, 140)
    for name, report_parties in (
        (user("poland", "operator"), {"usa"}),
        (user("romania", "operator"), set()),
        (user("poland", "observer"), set()),
    ):
        reply = ops.client.get(
            f"/api/exercises/{exercise}/picture.geojson", headers=ops.headers(name)
        )
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("application/geo+json")
        collection = reply.json()
        picture = ops.client.get(
            f"/api/exercises/{exercise}/picture", headers=ops.headers(name)
        ).json()
        kinds = [f["properties"]["kind"] for f in collection["features"]]
        assert kinds.count("track") == len(picture["tracks"]) > 0
        assert kinds.count("report") == len(picture["reports"])
        assert {
            f["properties"]["party"]
            for f in collection["features"]
            if f["properties"]["kind"] == "report"
        } == report_parties
        for feature in collection["features"]:
            shape = shapely_geometry.shape(feature["geometry"])
            assert shape.is_valid, feature["properties"]
            if feature["properties"]["kind"] == "impact-area":
                assert shape.geom_type == "Polygon" and shape.area > 0
    admin = ops.client.get(f"/api/exercises/{exercise}/picture.geojson", headers=ops.headers(ADMIN))
    assert admin.status_code == 403
