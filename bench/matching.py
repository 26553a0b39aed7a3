"""The matching engine at SPEC scale: 100,000 organisations and 20,000 open tenders.

Data (fixed seed): CPV codes drawn from the Contracts Finder sample bundled with procurement's demo, sites
at the bundled postcode-sector centroids, legal forms / employees / turnover skewed the way UK organisations
are (most micro, a few large), flags from the registry's own rules, some certifications, impact scores for
a quarter. Organisations become `suppliers` rows through the read model's own `supplier_columns`, tenders
become `tenders` rows through the service's own `normalise` (thresholds, reservation, geocoding), bulk
inserted into a migrated procurement database; the engine then loads them the way the service does.

Measured, in one run on the same SQLite file:
- in-process: top-50 suppliers for many different tenders, top-50 open tenders for many organisations, one
  `registry.organisation` event applied by the read model's handler and the index catching up, memory;
- a straightforward SQL implementation of the same tender → suppliers ranking, and the ratio engine/SQL;
- through real processes: `GET /api/v1/tenders/{id}/matches?limit=50` via the gateway and direct to the
  service, 16 concurrent clients (an httpx asyncio load generator on the same cores; wrk is not needed).

Usage: bench/matching.py [--quick] [--orgs N] [--tenders N] [--no-http]
Targets (SPEC §9): top-50 either way p50 ≤ 5 ms, p99 ≤ 20 ms in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import json
import os
import random
import resource
import sqlite3
import string
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

os.environ.setdefault("LOCALWEALTH_ENV", "development")

from common import record, summary_ms
from localwealth_shared.auth import Principal, issue_internal_token
from localwealth_shared.broker import free_port
from localwealth_shared.clock import today, utcnow
from localwealth_shared.db import Database
from localwealth_shared.events.envelope import CloudEvent
from localwealth_shared.migrations import upgrade
from localwealth_shared.reference.classification import ClassificationError, normalise_cpv
from localwealth_shared.reference.geography import is_valid_postcode, local_authority
from localwealth_shared.reference.geography.bundled_data import read_bundled_csv
from localwealth_shared.settings import DEV_INTERNAL_TOKEN_SECRET
from procurement.config import SERVICE_ROOT
from procurement.db import Supplier, SupplierIdentifier, SupplierScore, Tender
from procurement.matching import engine
from procurement.matching.index import OPEN_STATUSES, OpportunityIndex, SupplierIndex
from procurement.matching.scoring import Match
from procurement.matching.weights import DEFAULT_WEIGHTS
from procurement.rules.thresholds import default_thresholds
from procurement.suppliers.read_model import ORGANISATIONS, REGISTERED, UPDATED, supplier_columns
from procurement.tenders.normalise import BuyerInfo, normalise
from procurement.tenders.schemas import TenderCreate
from registry.rules.flags import derive_flags
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "localwealth_shared.cli"]
SAMPLE = ROOT / "services/procurement/src/procurement/demo/contracts_finder_england_releases.jsonl.gz"
SEED = 20260301
LIMIT = 50
TARGETS = {"p50_ms": 5.0, "p99_ms": 20.0}

# Legal forms of the organisations a community-wealth registry holds: mostly ordinary small companies, with
# the social economy over-represented against the national business population (weights in %).
LEGAL_FORMS = {
    "company_limited_by_shares": 48,
    "sole_trader": 6,
    "partnership": 3,
    "llp": 2,
    "plc": 0.5,
    "company_limited_by_guarantee": 8,
    "community_interest_company": 8,
    "charitable_incorporated_organisation": 6,
    "charity_trust": 3,
    "registered_society_cooperative": 6,
    "registered_society_community_benefit": 3,
    "credit_union": 0.5,
    "unincorporated_association": 3,
    "other": 3,
}
COOP_OWNERSHIP = ["worker_cooperative", "consumer_cooperative", "multi_stakeholder"]
CERTIFICATIONS = {"real_living_wage": 0.06, "b_corp": 0.01, "fair_tax_mark": 0.005}
IDENTIFIER_SCHEMES = {
    "company_limited_by_shares": "GB-COH",
    "company_limited_by_guarantee": "GB-COH",
    "community_interest_company": "GB-COH",
    "plc": "GB-COH",
    "llp": "GB-COH",
    "charitable_incorporated_organisation": "GB-CHC",
    "charity_trust": "GB-CHC",
    "registered_society_cooperative": "GB-MPR",
    "registered_society_community_benefit": "GB-MPR",
    "credit_union": "GB-MPR",
}
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward part of a postcode


# --- data --------------------------------------------------------------------------------------------------


def sample_cpv_and_values() -> tuple[list[str], list[float]]:
    """Every CPV code in the Contracts Finder sample (repeated as often as it occurs) and its tender values."""
    codes, values = [], []
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
        for line in f:
            tender = json.loads(line).get("tender") or {}
            found = [(tender.get("classification") or {}).get("id")]
            found += [
                c.get("id") for item in tender.get("items") or [] for c in item.get("additionalClassifications") or []
            ]
            codes += [c for c in found if c]
            amount = (tender.get("value") or {}).get("amount")
            if amount and amount >= 1000:  # the sample has a few placeholder values such as £0.01
                values.append(float(amount))
    return codes, values


def coarser(code: str, digits: int) -> str:
    """The code's ancestor at `digits` hierarchical digits, if that is a CPV code (else the code itself)."""
    try:
        return normalise_cpv(code[:digits].ljust(8, "0"))
    except ClassificationError:
        return code


class World:
    """The generated organisations (registry event payloads) and tenders (API input plus buyer)."""

    def __init__(self, n_orgs: int, n_tenders: int, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.cpv_pool, self.values = sample_cpv_and_values()
        self.by_division: dict[str, list[str]] = defaultdict(list)
        for code in self.cpv_pool:
            self.by_division[code[:2]].append(code)
        # A few bundled sectors are historic codes ("NPT 3") that today's postcode rules reject.
        self.sectors = [
            r for r in read_bundled_csv("postcode_sector_centroids.csv") if is_valid_postcode(r["sector"] + "AA")
        ]
        self.sectors_by_lad: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.sectors_by_area: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in self.sectors:
            if row["main_lad_code"] and local_authority(row["main_lad_code"]):
                self.sectors_by_lad[row["main_lad_code"]].append(row)
            self.sectors_by_area[row["sector"].rstrip(string.digits + " ")].append(row)
        self.lads = sorted(self.sectors_by_lad)
        self.orgs = [self.organisation(i) for i in range(n_orgs)]
        self.scores = {o["id"]: self.impact_score() for o in self.orgs if self.rng.random() < 0.25}
        self.tenders = [self.tender(i) for i in range(n_tenders)]

    def postcode_site(self, sector: dict[str, str], *, office: bool, operating: bool) -> dict[str, Any]:
        inward = self.rng.choice(INWARD_LETTERS) + self.rng.choice(INWARD_LETTERS)
        return {
            "id": str(uuid.UUID(int=self.rng.getrandbits(128))),
            "name": None,
            "address": None,
            "postcode": f"{sector['sector']}{inward}",
            "postcode_status": "sector",
            "lat": float(sector["lat"]),
            "lon": float(sector["lon"]),
            "lad_code": sector["main_lad_code"] or None,
            "is_registered_office": office,
            "is_operating_site": operating,
        }

    def sites(self) -> list[dict[str, Any]]:
        rng = self.rng
        if rng.random() < 0.02:  # an address that could not be geocoded
            return [{"postcode": None, "lat": None, "lon": None, "lad_code": None, "is_registered_office": True}]
        home = rng.choice(self.sectors)
        count = rng.choices([1, 2, 3, rng.randint(4, 8)], weights=[78, 15, 5, 2])[0]
        # One in ten single-site organisations gives only a registered office where nothing is done (an
        # accountant's address): no operating site, so no geography and no local reservation for it.
        office_operates = rng.random() >= 0.1 or count > 1
        sites = [self.postcode_site(home, office=True, operating=office_operates)]
        area = self.sectors_by_area[home["sector"].rstrip(string.digits + " ")]
        for _ in range(count - 1):  # most further sites are in the same postcode area
            sector = rng.choice(area) if rng.random() < 0.6 else rng.choice(self.sectors)
            sites.append(self.postcode_site(sector, office=False, operating=True))
        return sites

    def supplier_cpv(self) -> list[str]:
        rng = self.rng
        codes: set[str] = set()
        for _ in range(rng.choices([1, 2, 3, rng.randint(4, 6)], weights=[45, 30, 15, 10])[0]):
            code = rng.choice(self.cpv_pool)
            roll = rng.random()
            if roll < 0.25:  # many suppliers register a broad class or group rather than the exact service
                code = coarser(code, rng.choice([3, 4, 5]))
            elif roll < 0.35:  # and some offer a neighbouring code from the same division
                code = rng.choice(self.by_division[code[:2]])
            codes.add(code)
        return sorted(codes)

    def size(self, legal_form: str) -> tuple[int | None, Decimal | None]:
        """Employees and turnover: a Pareto tail so that ~95 % are micro and a handful have thousands."""
        rng = self.rng
        employees = 0 if legal_form == "sole_trader" else min(int(rng.paretovariate(1.1)) - 1, 60_000)
        if legal_form == "plc":
            employees = max(employees, rng.randint(250, 20_000))
        per_head = rng.lognormvariate(11.0, 0.6)  # median ~£60k turnover per employee
        turnover = Decimal(round(max(employees, 0.5) * per_head, -2))
        return (None if rng.random() < 0.15 else employees), (None if rng.random() < 0.3 else turnover)

    def organisation(self, i: int) -> dict[str, Any]:
        rng = self.rng
        legal_form = rng.choices(list(LEGAL_FORMS), weights=list(LEGAL_FORMS.values()))[0]
        ownership: list[str] = []
        if legal_form == "registered_society_cooperative":
            ownership = [rng.choice(COOP_OWNERSHIP)]
        elif legal_form == "registered_society_community_benefit" and rng.random() < 0.3:
            ownership = ["community_owned"]
        elif legal_form == "company_limited_by_shares" and rng.random() < 0.015:
            ownership = ["employee_owned_trust"]
        employees, turnover = self.size(legal_form)
        certifications = []
        for scheme, share in CERTIFICATIONS.items():
            if rng.random() < share:
                certifications.append(self.certification(scheme))
        if legal_form in ("community_interest_company", "registered_society_community_benefit") and rng.random() < 0.15:
            certifications.append(self.certification("social_enterprise_mark"))
        flags = derive_flags(
            legal_form=legal_form,
            ownership=ownership,
            employees=employees,
            turnover_amount=turnover,
            certifications=certifications,
            today=today(),
        )
        scheme = IDENTIFIER_SCHEMES.get(legal_form)
        identifiers = [{"scheme": scheme, "id": f"{i:08d}"}] if scheme else []
        return {
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
            "name": f"Bench Organisation {i}",
            "legal_form": legal_form,
            "identifiers": identifiers,
            "canonical_identifier": f"{scheme}-{i:08d}" if scheme else None,
            "ownership": ownership,
            "sites": self.sites(),
            "cpv_codes": self.supplier_cpv(),
            "employees": employees,
            "turnover": {"amount": f"{turnover:.2f}", "currency": "GBP"} if turnover is not None else None,
            "certifications": certifications,
            "flags": flags.as_dict(),
            "version": 1,
        }

    def certification(self, scheme: str) -> dict[str, Any]:
        roll = self.rng.random()
        expires = today() + timedelta(days=self.rng.randint(-400, 700))
        status = "suspended" if roll < 0.03 else "active"
        return {"scheme": scheme, "status": status, "expires_on": expires.isoformat() if roll < 0.5 else None}

    def impact_score(self) -> float:
        return round(min(max(self.rng.gauss(55, 15), 0), 100), 1)

    def tender(self, i: int) -> tuple[dict[str, Any], BuyerInfo]:
        rng = self.rng
        buyer_lad = rng.choice(self.lads)
        first = rng.choice(self.cpv_pool)
        codes = [first]
        for _ in range(rng.choices([0, 1, 2], weights=[75, 18, 7])[0]):
            codes.append(rng.choice(self.by_division[first[:2]] if rng.random() < 0.7 else self.cpv_pool))
        codes = list(dict.fromkeys(codes))
        division = int(first[:2])
        contract_type = "works" if division == 45 else "supplies" if division <= 44 or division == 48 else "services"
        net = None if rng.random() < 0.2 else round(rng.choice(self.values) * rng.lognormvariate(0, 0.3), -2)
        sector = rng.choice(self.sectors_by_lad[buyer_lad])
        fields: dict[str, Any] = {
            "title": f"Bench tender {i}",
            "status": "active",
            "contract_type": contract_type,
            "cpv_codes": codes,
            "delivery": {"postcode": f"{sector['sector']}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"},
            "tender_period": {
                "start_date": today().isoformat(),
                "end_date": (today() + timedelta(days=30)).isoformat(),
            },
        }
        if net is not None:
            fields["value"] = {"amount": f"{net:.2f}", "currency": "GBP", "amount_gross": f"{net * 1.2:.2f}"}
            if net >= 100_000 and rng.random() < 0.1:
                parts = rng.randint(2, 4)
                fields["lots"] = [
                    {
                        "id": str(n + 1),
                        "title": f"Lot {n + 1}",
                        "value": {"amount": f"{net / parts:.2f}", "currency": "GBP"},
                        "cpv_codes": [rng.choice(codes)],
                    }
                    for n in range(parts)
                ]
            if net * 1.2 < 200_000 and rng.random() < 0.35:  # a below-threshold tender the buyer reserves
                scope = rng.choices(["local_area", "uk", "none"], weights=[60, 20, 20])[0]
                fields["reservation"] = {
                    "scope": scope,
                    "sme_only": scope == "none" or rng.random() < 0.2,
                    "vcse_only": rng.random() < 0.1,
                }
        return fields, BuyerInfo(f"t-{buyer_lad}", f"Council {buyer_lad}", "council", (buyer_lad,))


# --- loading ------------------------------------------------------------------------------------------------


async def load(db: Database, world: World) -> dict[str, float]:
    """Bulk insert the read model and the tenders; rows look as if applied over the last 30 days."""
    rng = random.Random(SEED + 1)
    now = utcnow()
    started = time.perf_counter()

    def earlier() -> Any:
        # A settled read model: its rows were written before the index's 5 s overlap window.
        return now - timedelta(seconds=rng.uniform(60, 30 * 86400))

    suppliers = [{"id": o["id"], "updated_at": earlier(), **supplier_columns(o)} for o in world.orgs]
    identifiers = [
        {"scheme": i["scheme"], "value": i["id"], "organisation_id": o["id"]}
        for o in world.orgs
        for i in o["identifiers"]
    ]
    scores = [
        {"organisation_id": k, "score": v, "version": 1, "updated_at": earlier()} for k, v in world.scores.items()
    ]
    thresholds, day = default_thresholds(), today()
    tenders = []
    for fields, buyer in world.tenders:
        columns = normalise(TenderCreate.model_validate(fields).model_dump(mode="python"), buyer, thresholds, day)
        tender_id = str(uuid.UUID(int=rng.getrandbits(128)))
        at = earlier()
        tenders.append(
            {
                "id": tender_id,
                "ocid": f"ocds-bench-{tender_id}",
                "source": "api",
                "buyer_tenant_id": buyer.tenant_id,
                "buyer_name": buyer.name,
                "buyer_kind": buyer.kind,
                "buyer_area_lad_codes": list(buyer.area_lad_codes),
                "created_by": buyer.tenant_id,
                "updated_by": buyer.tenant_id,
                "created_at": at,
                "updated_at": at,
                "version": 1,
                **columns,
            }
        )
    prepared = time.perf_counter()
    async with db.transaction() as session:
        for table, rows in (
            (Supplier, suppliers),
            (SupplierIdentifier, identifiers),
            (SupplierScore, scores),
            (Tender, tenders),
        ):
            for start in range(0, len(rows), 5000):
                await session.execute(insert(table), rows[start : start + 5000])
    return {"prepare_s": round(prepared - started, 1), "insert_s": round(time.perf_counter() - prepared, 1)}


# --- in-process --------------------------------------------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


async def build_indexes(db: Database) -> tuple[SupplierIndex, OpportunityIndex]:
    """Both indexes loaded the way the service loads them on its first matching request."""
    suppliers, opportunities = SupplierIndex(), OpportunityIndex()
    async with db.reader() as session:
        await suppliers.refresh(session)
        await opportunities.refresh(session)
    return suppliers, opportunities


async def traced_memory(db: Database) -> float:
    """MB the indexes keep alive after a full load (tracemalloc, on a second, throw-away pair)."""
    gc.collect()
    tracemalloc.start()
    indexes = await build_indexes(db)
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del indexes
    return round(kept / 2**20, 1)


def same(a: list[Match], b: list[Match]) -> bool:
    return [(m.supplier_id, m.tender_id, m.lot_id, m.score, m.eligible, m.reasons) for m in a] == [
        (m.supplier_id, m.tender_id, m.lot_id, m.score, m.eligible, m.reasons) for m in b
    ]


def time_suppliers(index: SupplierIndex, tenders: list[Tender], check: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """What `GET /tenders/{id}/matches` computes once it has the tender: the opportunity and its top 50.
    The first `check` tenders are also ranked the exhaustive way (every candidate scored), to compare; only
    their results are kept (keeping all would grow the heap the garbage collector walks, unlike the service)."""
    timings, exhaustive, agree, results = [], [], 0, {}
    for tender in tenders[:20]:  # warm-up
        index.top_suppliers(engine.opportunity(tender), DEFAULT_WEIGHTS, LIMIT)
    for n, tender in enumerate(tenders):
        started = time.perf_counter()
        opp = engine.opportunity(tender)
        matches = index.top_suppliers(opp, DEFAULT_WEIGHTS, LIMIT)
        timings.append(time.perf_counter() - started)
        if n < check:
            results[tender.id] = (tender, matches)
    # Apart from the timed loop: the reference allocates a Match per candidate, and the collections that
    # garbage sets off would land in the timings.
    for tender, matches in list(results.values())[:check]:
        opp = engine.opportunity(tender)
        started = time.perf_counter()
        reference = engine.suppliers_for(opp, index.candidates(opp.cpv_codes), DEFAULT_WEIGHTS, LIMIT)
        exhaustive.append(time.perf_counter() - started)
        agree += same(matches, reference)
    stats = summary_ms(timings)
    return {
        **stats,
        "met": stats["p50_ms"] <= TARGETS["p50_ms"] and stats["p99_ms"] <= TARGETS["p99_ms"],
        "reserved_share_pct": round(100 * sum(bool(t.reservation) for t in tenders) / len(tenders), 1),
        "identical_to_scoring_every_candidate": f"{agree}/{len(exhaustive)}",
        "scoring_every_candidate": summary_ms(exhaustive),
    }, results


def time_tenders(
    index: SupplierIndex, opportunities: OpportunityIndex, org_ids: list[str], check: int
) -> dict[str, Any]:
    """What `GET /organisations/{id}/tender-matches` computes once its indexes are fresh."""
    everything = [o.opp for o in opportunities.opportunities.values()]
    timings, exhaustive, agree, results = [], [], 0, []
    for org_id in org_ids:
        supplier = index.suppliers[org_id]
        started = time.perf_counter()
        matches = opportunities.top_tenders(supplier, DEFAULT_WEIGHTS, LIMIT)
        timings.append(time.perf_counter() - started)
        if len(results) < check:
            results.append((supplier, matches))
    for supplier, matches in results[:check]:  # apart from the timed loop, as above
        started = time.perf_counter()
        reference = engine.tenders_for(supplier, everything, DEFAULT_WEIGHTS, LIMIT)
        exhaustive.append(time.perf_counter() - started)
        agree += same(matches, reference)
    stats = summary_ms(timings)
    return {
        **stats,
        "met": stats["p50_ms"] <= TARGETS["p50_ms"] and stats["p99_ms"] <= TARGETS["p99_ms"],
        "opportunities": len(everything),
        "identical_to_scoring_every_candidate": f"{agree}/{len(exhaustive)}",
        "scoring_every_candidate": summary_ms(exhaustive),
    }


def changed(world: World, org: dict[str, Any], version: int) -> dict[str, Any]:
    """The same organisation as the registry would publish it after an edit: renamed, new codes."""
    return {**org, "name": f"{org['name']} (v{version})", "cpv_codes": world.supplier_cpv(), "version": version}


async def time_updates(db: Database, index: SupplierIndex, world: World, n: int) -> dict[str, Any]:
    """`registry.organisation` events applied one by one by the read model's handler (one transaction each,
    as the consumer does, without the broker and the inbox), each followed by the index catching up."""
    rng = random.Random(SEED + 2)
    events = [
        CloudEvent(type=UPDATED, source="/localwealth/registry", data=changed(world, org, 2))
        for org in rng.sample(world.orgs, n * 2 // 3)
    ]
    fresh = World(n - len(events), 0, seed=SEED + 3).orgs
    events += [CloudEvent(type=REGISTERED, source="/localwealth/registry", data=o) for o in fresh]
    rng.shuffle(events)
    handler, refresh, visible = [], [], 0
    for event in events:
        started = time.perf_counter()
        async with db.transaction() as session:
            await ORGANISATIONS.apply(session, [event])
        applied = time.perf_counter()
        async with db.reader() as session:
            await index.refresh(session)
        refresh.append(time.perf_counter() - applied)
        handler.append(applied - started)
        visible += index.suppliers[event.data["id"]].name == event.data["name"]
    # Each refresh re-reads every row changed within the index's overlap window (5 s), so during a stream of
    # writes it costs more than once the writes stop: measure it both ways.
    async with db.reader() as session:
        started = time.perf_counter()
        await index.refresh(session)
        right_after = time.perf_counter() - started
    await asyncio.sleep(6)
    idle = []
    for _ in range(5):
        async with db.reader() as session:
            started = time.perf_counter()
            await index.refresh(session)
            idle.append(time.perf_counter() - started)
    sample = list(index.suppliers.values())[:2000]
    started = time.perf_counter()
    for facts in sample:
        index.put(facts)
    put_us = (time.perf_counter() - started) / len(sample) * 1e6
    return {
        "events": len(events),
        "matchable_at_once": visible == len(events),
        "handler_and_commit": summary_ms(handler),
        "index_refresh_after_each": summary_ms(refresh),
        "index_refresh_right_after_the_stream_ms": round(right_after * 1000, 2),
        "index_refresh_nothing_changed_ms": round(sorted(idle)[2] * 1000, 2),
        "index_put_one_supplier_us": round(put_us, 1),
    }


async def in_process(
    db: Database, queries: int, check: int
) -> tuple[dict[str, Any], SupplierIndex, list[str], dict[str, Any]]:
    """Figures, the supplier index, the tenders asked about, and the checked tenders' rankings."""
    gc.collect()
    rss_before = rss_mb()
    started = time.perf_counter()
    index, opportunities = await build_indexes(db)
    load_s = time.perf_counter() - started
    gc.collect()
    rss_growth = rss_mb() - rss_before  # before the traced load below, whose bookkeeping is large
    used = {"tracemalloc_mb": await traced_memory(db), "rss_growth_mb": round(rss_growth, 1)}
    async with db.reader() as session:
        tenders = list((await session.execute(select(Tender).where(Tender.status.in_(OPEN_STATUSES)))).scalars())
    gc.collect()
    gc.freeze()  # these 20,000 rows are the benchmark's, not the service's (see run())
    rng = random.Random(SEED + 4)
    asked = rng.sample(tenders, min(queries, len(tenders)))
    forward, ranked = time_suppliers(index, asked, check)
    org_ids = rng.sample(sorted(index.suppliers), min(queries // 2, len(index.suppliers)))
    backward = time_tenders(index, opportunities, org_ids, check // 2)
    result = {
        "indexes_full_load_s": round(load_s, 2),
        "memory": used,
        "suppliers_for_tender": forward,
        "tenders_for_organisation": backward,
    }
    return result, index, [t.id for t in asked], ranked


# --- the same ranking in SQL --------------------------------------------------------------------------------

# One query per tender over the same tables, the way one would write it without an engine: JSON arrays
# unnested with json_each, every component a SQL expression with the engine's constants, ORDER BY … LIMIT.
SQL_RANKING = """
WITH tc(code) AS (SELECT value FROM json_each(:codes)),
tcode AS (
  SELECT code, CASE WHEN length(rtrim(code, '0')) >= 2 THEN rtrim(code, '0') ELSE substr(code, 1, 2) END AS h
  FROM tc
),
scode AS (
  SELECT s.id, j.value AS code,
         CASE WHEN length(rtrim(j.value, '0')) >= 2 THEN rtrim(j.value, '0') ELSE substr(j.value, 1, 2) END AS h
  FROM suppliers s, json_each(s.cpv_codes) j
  WHERE NOT s.deregistered AND substr(j.value, 1, 2) IN (SELECT substr(code, 1, 2) FROM tc)
),
cpv AS (  -- deepest common level of any supplier code with any tender code (cpv_match_depth)
  SELECT scode.id, MAX(CASE
    WHEN scode.h = tcode.h THEN CASE WHEN length(scode.h) <= 5 THEN length(scode.h) ELSE 8 END
    WHEN length(scode.h) >= 5 AND length(tcode.h) >= 5 AND substr(scode.h, 1, 5) = substr(tcode.h, 1, 5) THEN 5
    WHEN length(scode.h) >= 4 AND length(tcode.h) >= 4 AND substr(scode.h, 1, 4) = substr(tcode.h, 1, 4) THEN 4
    WHEN length(scode.h) >= 3 AND length(tcode.h) >= 3 AND substr(scode.h, 1, 3) = substr(tcode.h, 1, 3) THEN 3
    ELSE 2 END) AS depth
  FROM scode JOIN tcode ON substr(scode.h, 1, 2) = substr(tcode.h, 1, 2)
  GROUP BY scode.id
),
site AS (
  SELECT s.id,
         json_extract(j.value, '$.lat') AS lat, json_extract(j.value, '$.lon') AS lon,
         json_extract(j.value, '$.lad_code') AS lad
  FROM suppliers s JOIN cpv ON cpv.id = s.id, json_each(s.sites) j
  WHERE coalesce(json_extract(j.value, '$.is_operating_site'), 1)
),
geo AS (
  SELECT id,
         MIN(CASE WHEN lat IS NOT NULL AND lon IS NOT NULL AND :lat IS NOT NULL THEN
           2 * 6371.0088 * asin(min(1.0, sqrt(
             power(sin(radians(:lat - lat) / 2), 2)
             + cos(radians(lat)) * cos(radians(:lat)) * power(sin(radians(:lon - lon) / 2), 2)))) END) AS km,
         MAX(lad IN (SELECT value FROM json_each(:delivery_lads))) AS local,
         MAX(lad IN (SELECT value FROM json_each(:area))) AS in_area,
         MAX(lad IS NOT NULL) AS in_uk
  FROM site GROUP BY id
),
base AS (
  SELECT s.*, cpv.depth,
         CASE WHEN s.turnover_amount > 0 THEN s.turnover_amount WHEN s.employees THEN 60000.0 * s.employees END
           AS capacity
  FROM suppliers s JOIN cpv ON cpv.id = s.id
),
parts AS (
  SELECT s.id,
    round(CASE s.depth WHEN 8 THEN 1.0 WHEN 5 THEN 0.85 WHEN 4 THEN 0.7 WHEN 3 THEN 0.5 ELSE 0.3 END, 4) AS c_cpv,
    round(CASE
      WHEN :lat IS NULL THEN CASE WHEN coalesce(geo.local, 0) THEN 1.0 ELSE 0.5 END
      WHEN geo.km IS NULL THEN CASE WHEN coalesce(geo.local, 0) THEN 1.0 ELSE 0.0 END
      WHEN geo.local THEN max(20.0 / (20.0 + geo.km), 0.9)
      ELSE 20.0 / (20.0 + geo.km) END, 4) AS c_geo,
    round(CASE
      WHEN :value IS NULL OR s.capacity IS NULL THEN 0.5
      WHEN :value / s.capacity <= 0.25 THEN 1.0
      WHEN :value / s.capacity <= 1 THEN 1 - (:value / s.capacity - 0.25) * 0.6
      ELSE 0.55 / (:value / s.capacity) END, 4) AS c_cap,
    round(min(1.0, 0.6 * s.is_social_economy + 0.2 * s.is_vcse + 0.2 * (json_array_length(s.ownership) > 0)), 4)
      AS c_social,
    round(min(1.0, 0.5 * (SELECT count(*) FROM json_each(s.certifications) c
      WHERE lower(coalesce(json_extract(c.value, '$.status'), 'active')) = 'active'
        AND NOT coalesce(json_extract(c.value, '$.expires_on') < :today, 0))), 4) AS c_certs,
    round(coalesce(sc.score / 100.0, 0), 4) AS c_impact,
    (CASE WHEN :scope = 'local_area' THEN coalesce(geo.in_area, 0)
          WHEN :scope = 'uk' THEN coalesce(geo.in_uk, 0) ELSE 1 END)
      AND (NOT :sme_only OR s.is_sme) AND (NOT :vcse_only OR s.is_vcse) AS eligible
  FROM base s
  LEFT JOIN geo ON geo.id = s.id
  LEFT JOIN supplier_scores sc ON sc.organisation_id = s.id
)
SELECT id, eligible,
  round(:w_cpv * c_cpv + :w_geo * c_geo + :w_cap * c_cap + :w_social * c_social + :w_certs * c_certs
        + :w_impact * c_impact, 4) AS score
FROM parts
ORDER BY eligible DESC, score DESC, id DESC
LIMIT :limit
"""


def sql_parameters(tender: Tender) -> dict[str, Any]:
    reservation = tender.reservation or {}
    w = DEFAULT_WEIGHTS
    return {
        "codes": json.dumps(tender.cpv_codes),
        "lat": tender.delivery_lat,
        "lon": tender.delivery_lon,
        "delivery_lads": json.dumps(tender.delivery_lad_codes),
        "area": json.dumps(reservation.get("area_lad_codes") or []),
        "scope": reservation.get("scope") or "none",
        "sme_only": bool(reservation.get("sme_only")),
        "vcse_only": bool(reservation.get("vcse_only")),
        "value": float(tender.value_amount) if tender.value_amount is not None else None,
        "today": today().isoformat(),
        "limit": LIMIT,
        **{f"w_{k}": w[name] for k, name in (("cpv", "cpv"), ("geo", "geography"), ("cap", "capacity"))},
        **{f"w_{k}": w[name] for k, name in (("social", "social_economy"), ("certs", "certifications"))},
        "w_impact": w["impact"],
    }


def compare_with_sql(path: str, engine_results: dict[str, Any], n: int, engine_p50_ms: float) -> dict[str, Any]:
    """The SQL ranking for n of the tenders the engine ranked, timed, with how far the two top-50s agree.

    SQLite's round() and Python's differ on halves (0.44865 → 0.4487 vs 0.4486), so scores may differ by
    1e-4 and neighbours swap places; the comparison reports that rather than demanding identical lists."""
    conn = sqlite3.connect(path)
    timings, common, total, worst, same_order = [], 0, 0, 0.0, 0
    chosen = list(engine_results.values())[:n]
    for tender, matches in chosen:
        started = time.perf_counter()
        rows = conn.execute(SQL_RANKING, sql_parameters(tender)).fetchall()
        timings.append(time.perf_counter() - started)
        ours = {m.supplier_id: m.score for m in matches}
        theirs = {r[0]: r[2] for r in rows}
        total += len(ours)
        common += len(ours.keys() & theirs.keys())
        worst = max([worst, *(abs(ours[k] - theirs[k]) for k in ours.keys() & theirs.keys())])
        same_order += [m.supplier_id for m in matches] == [r[0] for r in rows]
    conn.close()
    stats = summary_ms(timings)
    return {
        **stats,
        "tenders": len(chosen),
        "top50_ids_in_common_pct": round(100 * common / max(1, total), 2),
        "largest_score_difference": round(worst, 6),
        "identical_order": f"{same_order}/{len(chosen)}",
        "engine_over_sql_p50": round(engine_p50_ms / stats["p50_ms"], 4),
    }


# --- through the gateway --------------------------------------------------------------------------------


def wait_healthy(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process on port {port} exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing healthy on port {port}")


async def drive(base_url: str, key: str, tender_ids: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """`clients` closed-loop clients, each asking for the matches of a different random tender in turn."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=60) as client:

        async def one_client(n: int) -> None:
            rng = random.Random(SEED + 100 + n)
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                resp = await client.get(f"/api/v1/tenders/{rng.choice(tender_ids)}/matches", params={"limit": LIMIT})
                latencies.append(time.perf_counter() - started)
                statuses[resp.status_code] += 1

        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(one_client(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        **summary_ms(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


async def through_gateway(tmp: str, db_path: str, tender_ids: list[str], seconds: float) -> dict[str, Any]:
    procurement_port, gateway_port = free_port(), free_port()
    env = {
        **os.environ,
        "LOCALWEALTH_ENV": "development",
        "LOCALWEALTH_LOG_LEVEL": "WARNING",
        "LOCALWEALTH_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",  # the API processes do not need the broker
        "PROCUREMENT_DATABASE_URL": f"sqlite+aiosqlite:///{db_path}",
        "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/gateway.db",
        "GATEWAY_PROCUREMENT_URL": f"http://127.0.0.1:{procurement_port}",
    }
    subprocess.run([*CLI, "gateway", "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    procs = {
        port: subprocess.Popen(
            [*CLI, service, "api", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for service, port in (("procurement", procurement_port), ("gateway", gateway_port))
    }
    try:
        for port, proc in procs.items():
            wait_healthy(port, proc)
        gateway, service = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{procurement_port}"
        key = httpx.post(
            f"{gateway}/api/v1/admin/api-keys",
            headers={"Authorization": "Bearer dev-admin-key"},
            json={"tenant_id": "E07000178", "name": "bench", "scopes": ["procurement:read"]},
        ).json()["key"]
        # The token the gateway would forward, to call the service directly.
        token = issue_internal_token(
            Principal(tenant_id="E07000178", scopes=frozenset({"procurement:read"}), key_id="bench"),
            DEV_INTERNAL_TOKEN_SECRET,
            ttl_s=3600,
        )
        # The service loads its indexes at start-up, in the background (healthy before they are loaded): the
        # first request waits for that load if it is still running. Straight to the service, as it may take
        # longer than the gateway waits for an upstream.
        started = time.perf_counter()
        httpx.get(
            f"{service}/api/v1/tenders/{tender_ids[0]}/matches",
            params={"limit": LIMIT},
            headers={"Authorization": f"Bearer {token}"},
            timeout=600,
        ).raise_for_status()
        first_s = time.perf_counter() - started
        await drive(gateway, key, tender_ids, 16, min(5.0, seconds))  # warm-up
        result = await drive(gateway, key, tender_ids, 16, seconds)
        direct = await drive(service, token, tender_ids, 16, seconds)  # the same without the gateway
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=20)
    return {
        "clients": 16,
        "seconds": seconds,
        "first_request_after_healthy_s": round(first_s, 1),
        **result,
        "direct_to_procurement": direct,
        "setup": "gateway + procurement, one uvicorn worker each, SQLite; load generator on the same 2 cores",
    }


# --- main -------------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict[str, Any]:
    load_at_start = round(os.getloadavg()[0], 2)
    started = time.perf_counter()
    world = World(args.orgs, args.tenders)
    generated_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        db_path = f"{tmp}/procurement.db"
        url = f"sqlite+aiosqlite:///{db_path}"
        upgrade(SERVICE_ROOT, url)
        db = Database(url)
        loading = await load(db, world)
        # The service process holds only its indexes; this one also holds the generated data, millions of
        # objects the garbage collector would walk during the timings. Take them out of its sight.
        gc.collect()
        gc.freeze()
        engine_figures, index, tender_ids, ranked = await in_process(db, args.queries, args.check)
        sql = compare_with_sql(db_path, ranked, args.sql_queries, engine_figures["suppliers_for_tender"]["p50_ms"])
        updates = await time_updates(db, index, world, args.updates)
        await db.dispose()
        del index
        gc.collect()
        http = None if args.no_http else await through_gateway(tmp, db_path, tender_ids, args.seconds)
    return {
        "organisations": len(world.orgs),
        "open_tenders": len(world.tenders),
        "impact_scores": len(world.scores),
        "seed": SEED,
        "generate_s": round(generated_s, 1),
        "load": loading,
        "targets": TARGETS,
        **engine_figures,
        "read_model_update": updates,
        "sql": sql,
        "gateway_16_clients": http,
        # Everything here shares the machine's cores; other work on it shows in the load averages.
        "load_average_1min": {"start": load_at_start, "end": round(os.getloadavg()[0], 2)},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 organisations, 2,000 tenders, shorter runs")
    parser.add_argument("--orgs", type=int)
    parser.add_argument("--tenders", type=int)
    parser.add_argument("--no-http", action="store_true", help="skip the gateway run")
    args = parser.parse_args()
    quick = args.quick
    args.orgs = args.orgs or (10_000 if quick else 100_000)
    args.tenders = args.tenders or (2_000 if quick else 20_000)
    args.queries = 200 if quick else 1000
    args.check = 40 if quick else 100
    args.sql_queries = 10 if quick else 30
    args.updates = 60 if quick else 300
    args.seconds = 5.0 if quick else 20.0
    result = asyncio.run(run(args))
    record("matching_quick" if quick else "matching", result)


if __name__ == "__main__":
    main()
