"""The five CLES pillars of community wealth building, each measured by indicators with a value, unit,
period, method and data coverage — so a report says not only the figure but how far to trust it.

Spend indicators come from the council's reconciled spend; procurement and land indicators from the
activity facts other services announced; financial power from figures the council supplies itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import ActivityFact, IndicatorInput, KnownOrganisation
from impact.indicators.local_spend import SpendClasses, classes_of, organisations, spend_classes
from impact.spend.repository import PeriodFilter, to_pounds

COOPERATIVE_FORMS = ("registered_society_cooperative", "registered_society_community_benefit", "credit_union")
COOPERATIVE_OWNERSHIP = ("worker_cooperative", "consumer_cooperative", "multi_stakeholder")
LOCAL_INVESTMENT = "local_investment"
RECONCILED = (
    "Spend with suppliers not reconciled to the registry counts in the total but in no class, so the share is a "
    "lower bound."
)


@dataclass
class Indicator:
    id: str
    title: str
    value: Decimal | int | None
    unit: str  # share | GBP | count | ratio
    period: str
    method: str
    coverage: dict[str, Any] = field(default_factory=dict)

    def api(self) -> dict[str, Any]:
        out = asdict(self)
        out["value"] = (
            None if self.value is None else str(self.value) if isinstance(self.value, Decimal) else self.value
        )
        return out


@dataclass
class Pillar:
    id: str
    title: str
    indicators: list[Indicator]


@dataclass(frozen=True)
class Scope:
    tenant_id: str
    area: tuple[str, ...]
    period: PeriodFilter
    label: str
    start: date
    end: date


def _share(scope: Scope, spend: SpendClasses, cls: str, title: str, who: str) -> Indicator:
    method = f"Spend with {who} ÷ all spend in the period. {RECONCILED}"
    coverage = {
        **spend.coverage(),
        "spend": str(to_pounds(spend.total)),
        "class_spend": str(to_pounds(spend.classes[cls])),
    }
    return Indicator(f"{cls}_spend_share", title, spend.share(cls), "share", scope.label, method, coverage)


async def _facts(session: AsyncSession, scope: Scope, kind: str) -> list[ActivityFact]:
    stmt = select(ActivityFact).where(
        ActivityFact.tenant_id == scope.tenant_id,
        ActivityFact.kind == kind,
        ActivityFact.occurred_on >= scope.start,
        ActivityFact.occurred_on <= scope.end,
    )
    return list((await session.scalars(stmt)).all())


async def _organisations_in_area(session: AsyncSession, area: tuple[str, ...]) -> tuple[int, int]:
    """Co-operatives and employee-owned businesses with a site in the area, as the registry knows them today."""
    rows = await session.execute(
        select(KnownOrganisation.legal_form, KnownOrganisation.ownership, KnownOrganisation.operating_lad_codes).where(
            KnownOrganisation.deregistered.is_(False)
        )
    )
    coops = eots = 0
    wanted = set(area)
    for legal_form, ownership, lads in rows.all():
        if not wanted & set(lads or ()):
            continue
        owned_as = set(ownership or ())
        coops += legal_form in COOPERATIVE_FORMS or bool(owned_as & set(COOPERATIVE_OWNERSHIP))
        eots += "employee_owned_trust" in owned_as
    return coops, eots


async def pillars(session: AsyncSession, scope: Scope, lm3: Indicator | None = None) -> list[Pillar]:
    spend = (await spend_classes(session, scope.tenant_id, scope.period, scope.area)).get("all", SpendClasses())
    return [
        await _plural_ownership(session, scope, spend),
        await _financial_power(session, scope),
        Pillar("fair_employment", "Fair employment and just labour markets", [
            _share(scope, spend, "real_living_wage", "Spend with Real Living Wage accredited employers",
                   "suppliers with a current Real Living Wage accreditation"),
        ]),
        await _progressive_procurement(session, scope, spend, lm3),
        await _land_and_property(session, scope),
    ]  # fmt: skip


async def _plural_ownership(session: AsyncSession, scope: Scope, spend: SpendClasses) -> Pillar:
    coops, eots = await _organisations_in_area(session, scope.area)
    registry = {"source": "registry.organisation events"}
    return Pillar("plural_ownership", "Plural ownership of the economy", [
        _share(scope, spend, "social_economy", "Spend with the social economy",
               "co-operatives, mutuals, social enterprises and VCSEs"),
        Indicator("cooperatives_in_area", "Co-operatives and mutuals based or with a branch in the area", coops,
                  "count", "as at today", "Registry organisations with a co-operative or community benefit society "
                  "legal form or co-operative ownership, with a site in the council's area.", registry),
        Indicator("employee_owned_in_area", "Employee-owned businesses in the area", eots, "count", "as at today",
                  "Registry organisations owned by an employee ownership trust with a site in the area.", registry),
    ])  # fmt: skip


async def _financial_power(session: AsyncSession, scope: Scope) -> Pillar:
    supplied = await session.get(IndicatorInput, (scope.tenant_id, LOCAL_INVESTMENT, scope.period.financial_year or ""))
    value = to_pounds(supplied.amount_pence) if supplied else None
    coverage = {"supplied": supplied is not None, "note": supplied.note if supplied else None}
    return Pillar("financial_power", "Making financial power work for local places", [
        Indicator(LOCAL_INVESTMENT, "Local investment (supplied by the council)", value, "GBP", scope.label,
                  "As supplied by the council for the financial year, e.g. pension fund or treasury investment in "
                  "the area (PUT /api/v1/indicators/inputs/local_investment/{financial_year}).", coverage),
    ])  # fmt: skip


async def _progressive_procurement(
    session: AsyncSession, scope: Scope, spend: SpendClasses, lm3: Indicator | None
) -> Pillar:
    tenders = await _facts(session, scope, "tender")
    awards = await _award_shares(session, scope)
    reserved = sum(1 for t in tenders if t.attributes.get("reserved"))
    lotted = sum(1 for t in tenders if (t.attributes.get("lots") or 0) >= 2)
    coverage = {"tenders": len(tenders), "source": "procurement.tender events"}
    no_lm3 = Indicator(
        "lm3",
        "Local Multiplier 3",
        None,
        "ratio",
        scope.label,
        "NEF LM3 = (R1 + R2 + R3) / R1, from the council's latest LM3 analysis.",
        {"analyses": 0},
    )
    return Pillar("progressive_procurement", "Progressive procurement of goods and services", [
        _share(scope, spend, "local", "Local spend",
               "suppliers based or with a branch (an operating site) in the council's area (CLES)"),
        _share(scope, spend, "sme", "Spend with SMEs", "SMEs"),
        _share(scope, spend, "vcse", "Spend with VCSEs", "voluntary, community and social enterprise organisations"),
        lm3 or no_lm3,
        Indicator("tenders_reserved_share", "Tenders reserved for local, SME or VCSE suppliers",
                  _ratio(reserved, len(tenders)), "share", scope.label,
                  "Published tenders with a reservation ÷ published tenders whose tender period starts in the period.",
                  coverage),
        Indicator("tenders_lotted_share", "Tenders divided into lots", _ratio(lotted, len(tenders)), "share",
                  scope.label, "Published tenders with two or more lots ÷ published tenders.", coverage),
        *awards,
    ])  # fmt: skip


async def _award_shares(session: AsyncSession, scope: Scope) -> list[Indicator]:
    """Contract award value going to local and to social-economy suppliers (from `procurement.award`)."""
    awards = await _facts(session, scope, "award")
    orgs = await organisations(session, {a.organisation_id for a in awards if a.organisation_id})
    total = sum(a.amount_pence or 0 for a in awards)
    by_class = dict.fromkeys(("local", "social_economy"), 0)
    for award in awards:
        org = orgs.get(award.organisation_id or "")
        for name in classes_of(org, set(scope.area)) if org else ():
            if name in by_class:
                by_class[name] += award.amount_pence or 0
    linked = sum(a.amount_pence or 0 for a in awards if a.organisation_id in orgs)
    coverage = {
        "awards": len(awards),
        "value": str(to_pounds(total)),
        "linked_share": str(_ratio(linked, total)) if total > 0 else None,
        "source": "procurement.award events",
    }
    method = "Value of contracts awarded in the period to {} ÷ value of all contracts awarded. Awards whose " \
             "supplier is not linked to the registry count in the total only."  # fmt: skip
    return [
        Indicator("awards_local_share", "Contract value awarded to local suppliers",
                  _ratio(by_class["local"], total) if total > 0 else None, "share", scope.label,
                  method.format("suppliers based or with a branch in the area"), coverage),
        Indicator("awards_social_economy_share", "Contract value awarded to the social economy",
                  _ratio(by_class["social_economy"], total) if total > 0 else None, "share", scope.label,
                  method.format("co-operatives, mutuals, social enterprises and VCSEs"), coverage),
    ]  # fmt: skip


async def _land_and_property(session: AsyncSession, scope: Scope) -> Pillar:
    transfers = [t for t in await _facts(session, scope, "transfer") if t.attributes.get("completed")]
    listed = sum(1 for a in await _facts(session, scope, "acv_listing") if a.attributes.get("listed_on"))
    assets = select(ActivityFact.attributes).where(
        ActivityFact.tenant_id == scope.tenant_id, ActivityFact.kind == "asset"
    )
    owned = sum(
        1 for (attributes,) in (await session.execute(assets)).all() if attributes.get("status") == "transferred"
    )
    value = str(to_pounds(sum(t.amount_pence or 0 for t in transfers)))
    return Pillar("land_and_property", "Socially productive use of land and property", [
        Indicator("assets_transferred", "Assets transferred to community ownership", len(transfers), "count",
                  scope.label, "Community Asset Transfers completed in the period.",
                  {"market_value": value, "source": "land.transfer events"}),
        Indicator("acv_listed", "Assets of Community Value listed", listed, "count", scope.label,
                  "ACV nominations listed in the period.", {"source": "land.acv events"}),
        Indicator("community_owned_assets", "Council assets now in community ownership", owned, "count",
                  "as at today", "Assets in the council's land register whose status is `transferred`.",
                  {"source": "land.asset events"}),
    ])  # fmt: skip


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None
