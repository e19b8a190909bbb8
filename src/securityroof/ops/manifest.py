"""Signed envelope manifests: the envelope's numbers, how to rerun them, and who signed.

A manifest (JSON) holds the scenario file's text, the options of the run,
every catalog value the scenario reads (`scenario_values`: the resolved
sites, interceptor and sensor types, missiles, signatures, launch and target
areas, flattened to dotted keys), the software version, the envelope record
(`securityroof.records.envelope.envelope_record`), and an Ed25519
signature over the canonical JSON of all of it (sorted keys, no spaces)
with the signer's public key.

`verify_manifest` checks the signature (a manifest changed after signing is
refused without a rerun), reruns the scenario text with the same options
under the installed catalog and software, and names every catalog value and
every result that differs (numbers beyond a relative and absolute tolerance
of 1e-6; kept-out cells of the site maps counted).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from securityroof._version import __version__
from securityroof.errors import RoofError
from securityroof.model.catalog import Catalog
from securityroof.model.scenario import Scenario, load_scenario
from securityroof.ops.checkpoints import LogSigner, verify_bytes
from securityroof.records.compare import differences
from securityroof.records.envelope import envelope_record, unpack_mask
from securityroof.records.inputs import scenario_values

FORMAT = "securityroof-envelope-manifest/1"
MAX_LISTED = 50  # differences listed one by one; the rest are counted


@dataclass(frozen=True)
class EnvelopeOptions:
    """The options of an envelope run, as a manifest records them."""

    party: str | None = None
    probability: float = 0.95
    draws: int = 0
    seed: int = 0
    region: tuple[float, float, float, float] = (25.0, 75.0, -30.0, 70.0)
    resolution_deg: float = 1.0
    maps: bool = True
    compare: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> EnvelopeOptions:
        try:
            return cls(
                party=record["party"],
                probability=float(record["probability"]),
                draws=int(record["draws"]),
                seed=int(record["seed"]),
                region=tuple(float(v) for v in record["region"]),  # type: ignore[arg-type]
                resolution_deg=float(record["resolution_deg"]),
                maps=bool(record["maps"]),
                compare=tuple(str(v) for v in record["compare"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RoofError(f"the manifest's options are malformed ({exc}).") from None


def run_envelope(scenario: Scenario, options: EnvelopeOptions, *, cluster: str | None = None):
    """`securityroof.analysis.envelope.analyse_envelope` with these options."""
    from securityroof.analysis.envelope import analyse_envelope

    return analyse_envelope(
        scenario,
        party=options.party,
        probability=options.probability,
        draws=options.draws,
        seed=options.seed,
        region=options.region,
        resolution_deg=options.resolution_deg,
        maps=options.maps,
        compare=options.compare,
        cluster=cluster,
    )


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def build_manifest(
    scenario: Scenario, options: EnvelopeOptions, result, signer: LogSigner
) -> dict[str, Any]:
    """The signed manifest of one envelope run."""
    body = {
        "format": FORMAT,
        "software": {"securityroof": __version__},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": {
            "file": scenario.path.name,
            "text": scenario.path.read_bytes().decode("utf-8"),
            "sha256": scenario.digest,
        },
        "options": {**asdict(options), "region": list(options.region)},
        "catalog_values": scenario_values(scenario),
        "results": envelope_record(result),
    }
    return {
        **body,
        "signature": {
            "algorithm": "Ed25519",
            "key_id": signer.key_id,
            "public_key": signer.public_key_pem(),
            "value": signer.sign_bytes(_canonical(body)),
        },
    }


def load_manifest(path: Path) -> dict[str, Any]:
    """A manifest file, or an error saying what is wrong with it."""
    try:
        document = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise RoofError("the manifest does not exist.", where=str(path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RoofError(f"the manifest is not JSON ({exc}).", where=str(path)) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise RoofError(
            f"not an envelope manifest (expected format {FORMAT!r}).",
            where=str(path),
            fix="Give a file written by `roof envelope --manifest`.",
        )
    for key in ("scenario", "options", "catalog_values", "results", "signature"):
        if not isinstance(document.get(key), dict):
            raise RoofError(f"the manifest has no {key!r} section.", where=str(path))
    return document


@dataclass(frozen=True)
class Verification:
    """What a rerun of a manifest found."""

    signature_valid: bool  # False: the manifest is not rerun
    key_id: str
    scenario_sha256_matches: bool
    catalog_differences: list[str]
    result_differences: list[str]
    software_then: str
    software_now: str

    @property
    def agrees(self) -> bool:
        return self.signature_valid and not self.catalog_differences and not self.result_differences


def _map_differences(then: dict[str, Any], now: dict[str, Any], out: list[str]) -> None:
    """Kept-out cells that differ, map by map, in words rather than as bit strings."""
    for a, b in zip(then.get("site_maps", []), now.get("site_maps", []), strict=False):
        bits_then, bits_now = a.pop("keep_out_bits", ""), b.pop("keep_out_bits", "")
        shape = tuple(a.get("shape", (0, 0)))
        if bits_then == bits_now or shape != tuple(b.get("shape", ())):
            continue
        mask_then = unpack_mask(bits_then, shape)
        mask_now = unpack_mask(bits_now, shape)
        changed = np.argwhere(mask_then != mask_now)
        out.append(
            f"site map of {a.get('interceptor')}: {len(changed)} cells differ "
            f"({int((mask_now & ~mask_then).sum())} newly kept out, "
            f"{int((mask_then & ~mask_now).sum())} newly allowed)"
        )


def verify_manifest(
    manifest: dict[str, Any], *, catalog: Catalog | None = None, cluster: str | None = None
) -> Verification:
    """Check the signature, rerun, and name what differs (see the module notes).

    `catalog`: the catalog to rerun under (default: the installed one).
    """
    signature = manifest["signature"]
    body = {key: value for key, value in manifest.items() if key != "signature"}
    try:
        valid = verify_bytes(
            _canonical(body), str(signature.get("value", "")), str(signature.get("public_key", ""))
        )
    except ValueError:
        valid = False
    text = manifest["scenario"].get("text")
    if not valid:  # changed after signing, or not signed by the key it names: nothing to rerun
        return Verification(
            signature_valid=False,
            key_id=str(signature.get("key_id", "")),
            scenario_sha256_matches=isinstance(text, str)
            and hashlib.sha256(text.encode()).hexdigest() == manifest["scenario"].get("sha256"),
            catalog_differences=[],
            result_differences=[],
            software_then=str(manifest.get("software", {}).get("securityroof", "?")),
            software_now=__version__,
        )
    options = EnvelopeOptions.from_record(manifest["options"])
    if not isinstance(text, str):
        raise RoofError("the manifest holds no scenario text.")
    name = Path(str(manifest["scenario"].get("file", "scenario.toml"))).name or "scenario.toml"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(text.encode("utf-8"))
        scenario = load_scenario(path, catalog)
        values = scenario_values(scenario)
        now = envelope_record(run_envelope(scenario, options, cluster=cluster))
    changed: list[str] = []
    differences(manifest["catalog_values"], values, "", changed)
    then = json.loads(json.dumps(manifest["results"]))
    results: list[str] = []
    _map_differences(then, now, results)
    differences(then, now, "", results)
    return Verification(
        signature_valid=valid,
        key_id=str(signature.get("key_id", "")),
        scenario_sha256_matches=hashlib.sha256(text.encode()).hexdigest()
        == manifest["scenario"].get("sha256"),
        catalog_differences=changed,
        result_differences=results,
        software_then=str(manifest.get("software", {}).get("securityroof", "?")),
        software_now=__version__,
    )
