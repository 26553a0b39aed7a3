"""The bounded search (`SupplierIndex.top_suppliers`, `OpportunityIndex.top_tenders`) against scoring every
candidate (`engine.suppliers_for` / `engine.tenders_for`) on seeded random data: organisations through the
read model's event handlers, tenders through the API (so reservations follow the tender rules), indexes
loaded as the service loads them. Lists must be identical — ids, scores, order (ties by id, as `engine.top`
breaks them), eligibility, components, reasons and suggested lots — for every weighting and limit."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from localwealth_shared.events.envelope import CloudEvent
from procurement.matching import engine
from procurement.matching.index import OpportunityIndex, SupplierIndex
from procurement.matching.scoring import Match
from procurement.matching.weights import COMPONENTS, DEFAULT_WEIGHTS, normalised
from procurement.suppliers.read_model import SCORE_CHANGED, apply_organisation_event, apply_score_event

from .events_support import organisation, registered, site

SEED = 20261201
# Real postcode sectors (the tender rules geocode them offline) spread over Great Britain, so the search's
# distance bands from 0 to beyond 320 km all have members.
PLACES = [
    ("OX4 1AA", 51.74318, -1.23281, "E07000178"),
    ("OX16 0AA", 52.06237, -1.3547, "E07000177"),
    ("B1 1AA", 52.47605, -1.90358, "E08000025"),
    ("M1 1AA", 53.48235, -2.23563, "E08000003"),
    ("LS1 1AA", 53.79739, -1.55566, "E08000035"),
    ("BS1 1AA", 51.45318, -2.59331, "E06000023"),
    ("G1 1AA", 55.86042, -4.24557, "S12000049"),
    ("IV1 1AA", 57.48389, -4.22633, "S12000017"),
]
# Codes sharing divisions, groups, classes and categories, so every CPV depth occurs.
CPV = [
    "55520000", "55500000", "55521000", "55524000", "55300000",
    "85311000", "85312000", "85300000", "85000000",
    "79810000", "79800000", "90910000", "90911000", "90911200", "45000000", "45210000",
]  # fmt: skip
LEGAL_FORMS = ["registered_society_cooperative", "community_interest_company", "company_limited_by_shares", "charity"]
OWNERSHIP = [[], [], ["worker_cooperative"], ["employee_owned_trust"], ["community_owned", "worker_cooperative"]]
SCHEMES = ["real_living_wage", "social_enterprise_mark", "b_corp", "fair_tax_mark"]
WEIGHTS: list[dict[str, float]] = [
    dict(DEFAULT_WEIGHTS),
    normalised({**DEFAULT_WEIGHTS, "social_economy": 0.5}),  # a CWB-minded buyer
    normalised({c: 1.0 if c in ("geography", "capacity") else 0.0 for c in COMPONENTS}),
    normalised({c: 1.0 if c != "cpv" else 0.0 for c in COMPONENTS}),
]


def random_site(rng: random.Random) -> dict[str, Any]:
    postcode, lat, lon, lad = rng.choice(PLACES)
    lat, lon = lat + rng.uniform(-0.4, 0.4), lon + rng.uniform(-0.6, 0.6)
    roll = rng.random()
    if roll < 0.08:  # not geocoded, district unknown
        return {**site(postcode, lat, lon, lad), "lat": None, "lon": None, "lad_code": None}
    if roll < 0.15:  # not geocoded, district known
        return {**site(postcode, lat, lon, lad), "lat": None, "lon": None}
    # Most sites near a place are in its district; some elsewhere in it, some in no known district.
    district = lad if roll < 0.75 else rng.choice([p[3] for p in PLACES]) if roll < 0.9 else None
    return site(postcode, lat, lon, district, office=rng.random() < 0.3, operating=rng.random() > 0.15)  # type: ignore[arg-type]


def random_organisation(rng: random.Random, n: int) -> dict[str, Any]:
    social = rng.random() < 0.5
    today = date.today()
    certifications = [
        {
            "scheme": scheme,
            "status": rng.choice(["active", "active", "active", "suspended", None]),
            "expires_on": rng.choice([None, (today + timedelta(days=rng.randint(-200, 400))).isoformat()]),
        }
        for scheme in rng.sample(SCHEMES, rng.choice([0, 0, 0, 1, 2, 3]))
    ]
    employees = rng.choice([None, 0, 1, 3, 10, 40, 250, 2000])
    turnover = rng.choice([None, None, "0", "20000", "90000", "300000", "1500000", "9000000", "120000000"])
    return organisation(
        f"Organisation {n}",
        cpv=sorted(set(rng.sample(CPV, rng.choice([0, 1, 1, 2, 3])))),
        sites=[random_site(rng) for _ in range(rng.choice([0, 1, 1, 1, 2, 3]))],
        legal_form=rng.choice(LEGAL_FORMS),
        ownership=rng.choice(OWNERSHIP),
        employees=employees,
        turnover={"amount": turnover, "currency": "GBP"} if turnover is not None else None,
        certifications=certifications,
        flags={"is_vcse": social and rng.random() < 0.8, "is_sme": rng.random() < 0.8, "is_social_economy": social},
    )


def random_tender(rng: random.Random, n: int) -> dict[str, Any]:
    codes = sorted(set(rng.sample(CPV, rng.choice([0, 1, 1, 1, 2, 3]))))
    postcode, *_ = rng.choice(PLACES)
    roll = rng.random()
    delivery = {"postcode": postcode} if roll < 0.75 else {"lad_codes": [rng.choice(PLACES)[3]]} if roll < 0.9 else None
    net = rng.choice([None, 8_000, 30_000, 60_000, 120_000, 160_000, 600_000, 5_000_000])
    tender: dict[str, Any] = {
        "title": f"Tender {n}",
        "status": "active",
        "contract_type": "services",
        "cpv_codes": codes,
        "delivery": delivery,
    }
    if net is not None:
        tender["value"] = {"amount": str(net), "currency": "GBP", "amount_gross": str(net * 6 // 5)}
        if net >= 60_000 and rng.random() < 0.4:
            parts = rng.randint(2, 3)
            tender["lots"] = [
                {
                    "id": str(i + 1),
                    "title": f"Lot {i + 1}",
                    "value": {"amount": str(net // parts), "currency": "GBP"} if rng.random() < 0.8 else None,
                    "cpv_codes": rng.sample(CPV, rng.choice([0, 1])),
                }
                for i in range(parts)
            ]
        if net * 6 // 5 < 200_000 and rng.random() < 0.6:  # below threshold: the buyer may reserve it
            scope = rng.choice(["local_area", "local_area", "uk", "none"])
            reservation: dict[str, Any] = {
                "scope": scope,
                "sme_only": rng.random() < 0.3 or scope == "none",
                "vcse_only": rng.random() < 0.3,
            }
            if scope == "local_area" and rng.random() < 0.5:
                reservation["area_lad_codes"] = [p[3] for p in rng.sample(PLACES, 2)]
            tender["reservation"] = reservation
    return tender


async def load_world(app: FastAPI, client: httpx.AsyncClient, seed: int) -> tuple[SupplierIndex, OpportunityIndex]:
    rng = random.Random(seed)
    orgs = [random_organisation(rng, n) for n in range(300)]
    async with app.state.db.transaction() as session:
        for org in orgs:
            await apply_organisation_event(session, registered(org))
        for org in rng.sample(orgs, 120):
            score = {"organisation_id": org["id"], "score": round(rng.uniform(0, 100), 1), "version": 1}
            await apply_score_event(session, CloudEvent(type=SCORE_CHANGED, source="/localwealth/impact", data=score))
    for n in range(50):
        resp = await client.post("/api/v1/tenders", json=random_tender(rng, n))
        assert resp.status_code == 201, resp.text
    suppliers, opportunities = SupplierIndex(), OpportunityIndex()
    async with app.state.db.reader() as session:
        await suppliers.refresh(session)
        await opportunities.refresh(session)
    return suppliers, opportunities


def explained(matches: list[Match]) -> list[tuple[Any, ...]]:
    return [
        (m.supplier_id, m.tender_id, m.lot_id, m.score, m.eligible, m.components, m.reasons, m.suggested_lot_id)
        for m in matches
    ]


async def test_bounded_search_equals_scoring_every_candidate(
    procurement_app: FastAPI, client: httpx.AsyncClient
) -> None:
    suppliers, opportunities = await load_world(procurement_app, client, SEED)
    rng = random.Random(SEED + 1)
    everything = [o.opp for o in opportunities.opportunities.values()]
    # The data covers what the search treats specially, or the comparison would prove little.
    assert sum(bool(o.reservation) for o in everything) >= 5
    assert any(o.lat is None for o in everything) and any(o.lots for o in everything)
    assert any(s.impact_score is not None for s in suppliers.suppliers.values())
    compared = nonempty = 0
    for opp in everything:
        for weights in WEIGHTS:
            limit = rng.choice([1, 3, 10, 50, 400])
            expected = engine.suppliers_for(opp, suppliers.candidates(opp.cpv_codes), weights, limit)
            assert explained(suppliers.top_suppliers(opp, weights, limit)) == explained(expected), (opp, weights)
            compared += 1
            nonempty += bool(expected)
    for supplier in rng.sample(sorted(suppliers.suppliers.values(), key=lambda s: s.id), 150):
        for weights in WEIGHTS:
            limit = rng.choice([1, 3, 10, 50, 400])
            expected = engine.tenders_for(supplier, everything, weights, limit)
            assert explained(opportunities.top_tenders(supplier, weights, limit)) == explained(expected), supplier
            compared += 1
            nonempty += bool(expected)
    assert nonempty > compared * 0.7
