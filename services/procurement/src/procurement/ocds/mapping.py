"""A compiled OCDS release as tender fields and awards, with what the release lacks.

Dialects differ: Contracts Finder adds `tender.suitability` and 1.0-style parties (an `identifier` with
only a legalName, `details.scale` / `details.vcse`); other publishers leave out CPV codes, values or a
buyer. Whatever is missing is reported as a warning for that release and the rest is still imported;
only a release with no ocid or no tender title cannot become a tender.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from localwealth_shared.reference.classification import ClassificationError, normalise_cpv
from localwealth_shared.reference.geography import PostcodeError, normalise_postcode

STATUS = {"planning": "planned", "planned": "planned", "active": "active", "complete": "complete",
          "cancelled": "cancelled", "unsuccessful": "unsuccessful", "withdrawn": "withdrawn"}  # fmt: skip
CATEGORY = {"goods": "supplies", "works": "works", "services": "services"}


@dataclass
class Mapped:
    fields: dict[str, Any] | None  # TenderFields input shape, or None when the release cannot be a tender
    buyer_name: str | None
    awards: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (field, message)


def _money(value: Any) -> Decimal | None:
    if not isinstance(value, dict) or value.get("amount") is None:
        return None
    try:
        amount = Decimal(str(value["amount"]))
    except InvalidOperation:
        return None
    return amount if amount >= 0 else None


def _date(text: Any) -> date | None:
    if not isinstance(text, str) or len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _cpv_codes(tender: dict[str, Any], warnings: list[tuple[str, str]]) -> list[str]:
    raw: list[str] = []
    for c in [tender.get("classification"), *[i.get("classification") for i in tender.get("items") or []]]:
        if isinstance(c, dict) and str(c.get("scheme", "")).upper() == "CPV" and c.get("id"):
            raw.append(str(c["id"]))
    for item in tender.get("items") or []:
        for c in item.get("additionalClassifications") or []:
            if str(c.get("scheme", "")).upper() == "CPV" and c.get("id"):
                raw.append(str(c["id"]))
    codes: list[str] = []
    for code in raw:
        try:
            digits = normalise_cpv(code)
        except ClassificationError as exc:
            warnings.append(("tender.classification", f"{exc} (dropped)"))
            continue
        if digits not in codes:
            codes.append(digits)
    if not codes:
        warnings.append(("tender.classification", "no CPV classification: the tender cannot be matched by CPV"))
    return codes


def _postcode(release: dict[str, Any], tender: dict[str, Any], buyer_id: str | None) -> str | None:
    candidates = [a.get("postalCode") for i in tender.get("items") or [] for a in i.get("deliveryAddresses") or []]
    # The buyer's own address stands in when the notice gives no delivery address.
    candidates += [
        (p.get("address") or {}).get("postalCode") for p in release.get("parties") or [] if p.get("id") == buyer_id
    ]
    for text in candidates:
        if isinstance(text, str):
            try:
                return normalise_postcode(text)
            except PostcodeError:
                continue
    return None


def _supplier_identifier(party: dict[str, Any] | None) -> dict[str, str] | None:
    ident = (party or {}).get("identifier") or {}
    if ident.get("scheme") and ident.get("id"):
        return {"scheme": str(ident["scheme"]), "id": str(ident["id"])}
    for extra in (party or {}).get("additionalIdentifiers") or []:
        if extra.get("scheme") and extra.get("id"):
            return {"scheme": str(extra["scheme"]), "id": str(extra["id"])}
    return None


def map_release(release: dict[str, Any]) -> Mapped:
    warnings: list[tuple[str, str]] = []
    tender: dict[str, Any] = release["tender"] if isinstance(release.get("tender"), dict) else {}
    buyer: dict[str, Any] = release["buyer"] if isinstance(release.get("buyer"), dict) else {}
    parties = {p.get("id"): p for p in release.get("parties") or [] if isinstance(p, dict)}
    buyer_name = buyer.get("name") or (parties.get(buyer.get("id")) or {}).get("name")
    if not buyer_name:
        warnings.append(("buyer", "no buyer name"))
    if not release.get("ocid"):
        return Mapped(None, buyer_name, [], [("ocid", "the release has no ocid")])
    title = tender.get("title") or release.get("title")
    if not title:
        return Mapped(None, buyer_name, [], [*warnings, ("tender.title", "no tender title: not imported as a tender")])
    status = STATUS.get(str(tender.get("status") or ""))
    if status is None:
        tags = set(release.get("tag") or [])
        status = (
            "complete" if release.get("awards") else "planned" if tags <= {"planning", "planningUpdate"} else "active"
        )
        warnings.append(("tender.status", f"no OCDS tender status; taken as {status}"))
    value = _money(tender.get("value"))
    if value is None:
        warnings.append(("tender.value", "no tender value: capacity and threshold cannot be judged"))
    category = CATEGORY.get(str(tender.get("mainProcurementCategory") or ""))
    if category is None:
        warnings.append(("tender.mainProcurementCategory", "no procurement category: contract type unknown"))
    period = tender.get("tenderPeriod") or {}
    start, end = _date(period.get("startDate")), _date(period.get("endDate"))
    if start and end and end < start:
        start = None
    postcode = _postcode(release, tender, buyer.get("id"))
    suitability = tender.get("suitability") if isinstance(tender.get("suitability"), dict) else None
    lots: list[dict[str, Any]] = []
    for lot in tender.get("lots") or []:
        if isinstance(lot, dict) and lot.get("id") is not None:
            lot_value = _money(lot.get("value"))
            lots.append({
                "id": str(lot["id"])[:60],
                "title": (lot.get("title") or None) and str(lot["title"])[:500],
                "value": {"amount": lot_value, "currency": "GBP"} if lot_value is not None else None,
                "cpv_codes": [],
            })  # fmt: skip
    fields = {
        "title": str(title)[:500],
        "description": (str(tender["description"])[:20000] if tender.get("description") else None),
        "status": status,
        "contract_type": category,
        "value": {"amount": value, "currency": "GBP", "amount_gross": None} if value is not None else None,
        "cpv_codes": _cpv_codes(tender, warnings),
        "delivery": {"lad_codes": [], "postcode": postcode} if postcode else None,
        "tender_period": {"start_date": start, "end_date": end},
        "publication_date": _date(tender.get("datePublished")) or _date(release.get("date")),
        "lots": lots,
        "suitability": (
            {"sme": bool(suitability.get("sme")), "vcse": bool(suitability.get("vcse"))} if suitability else None
        ),
        "award_criteria": [],
    }
    awards = []
    for award in release.get("awards") or []:
        if not isinstance(award, dict) or award.get("id") is None:
            warnings.append(("awards", "an award without an id was skipped"))
            continue
        for supplier in award.get("suppliers") or [{}]:
            party = parties.get(supplier.get("id")) if isinstance(supplier, dict) else None
            name = (supplier or {}).get("name") or (party or {}).get("name")
            awards.append({
                "ocds_award_id": f"{award['id']}/{(supplier or {}).get('id') or name or ''}"[:200],
                "supplier": {"identifier": _supplier_identifier(party), "name": name},
                "value": _money(award.get("value")),
                "date": _date(award.get("date")),
                "lot_id": str((award.get("relatedLots") or [None])[0]) if award.get("relatedLots") else None,
            })  # fmt: skip
    return Mapped(fields, buyer_name, awards, warnings)
