"""Who may nominate an asset, and who may ask to be treated as a potential bidder — each refusal with its reason.

Nominators (Localism Act s.89(2), Regulations 2012 regs 4–5): a parish council, a neighbourhood forum, or
a voluntary or community body with a local connection — a charity, a CIC, a company limited by guarantee
or a co-operative / community benefit society that does not distribute surplus to its members (not a
credit union), or an unincorporated body with at least 21 members that does not distribute surplus.
Bidders (community interest groups, reg 12): a parish council, a charity, a CIC, or a non-distributing
guarantee company or registered society, with a local connection.

The organisation comes from the land service's copy of the registry (legal form, members, sites). The
registry does not record whether a body distributes surplus — that is in its governing document — so
the request states it (`non_distributing`) and the council checks the document.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

MIN_UNINCORPORATED_MEMBERS = 21

CHARITY_FORMS = frozenset({"charity_trust", "charitable_incorporated_organisation", "scottish_cio"})
NON_DISTRIBUTING_FORMS = frozenset(
    {"company_limited_by_guarantee", "registered_society_cooperative", "registered_society_community_benefit"}
)


@dataclass(frozen=True)
class Judgement:
    eligible: bool
    category: str | None
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def local_connection(organisation: Mapping[str, Any], area_lad_codes: Collection[str]) -> str | None:
    """The reason the body is local (a site in the council's area), or None."""
    for site in organisation.get("sites") or []:
        if site.get("lad_code") and site["lad_code"] in area_lad_codes:
            where = site.get("postcode") or site.get("name") or "a site"
            return f"has a site in the council's area ({where}, {site['lad_code']})"
    return None


def _category(
    organisation: Mapping[str, Any], non_distributing: bool | None, *, bidder: bool
) -> tuple[str | None, str]:
    form = organisation.get("legal_form")
    if form == "parish_council":
        return "parish_council", "a parish council"
    if form in CHARITY_FORMS:
        return "charity", "a charity"
    if form == "community_interest_company":
        return "community_interest_company", "a community interest company"
    if form == "credit_union":
        return None, "a credit union is excluded from the community right to bid"
    if form in NON_DISTRIBUTING_FORMS:
        if non_distributing:
            return f"non_distributing_{form}", f"a {form.replace('_', ' ')} that does not distribute surplus"
        return None, (
            f"a {form.replace('_', ' ')} qualifies only if it does not distribute surplus to its members "
            "(state non_distributing: true; the council checks its governing document)"
        )
    if form == "unincorporated_association" and not bidder:
        members = organisation.get("members")
        if members is None:
            return None, "an unincorporated body needs at least 21 members; the registry records no membership"
        if members < MIN_UNINCORPORATED_MEMBERS:
            return None, f"an unincorporated body needs at least 21 members; the registry records {members}"
        if not non_distributing:
            return None, "an unincorporated body qualifies only if it does not distribute surplus to its members"
        return "unincorporated_body", f"an unincorporated body with {members} members that does not distribute surplus"
    shown = form.replace("_", " ") if form else "an unknown legal form"
    role = "be treated as a potential bidder" if bidder else "nominate"
    return None, f"{shown} is not a body that may {role}"


def _judge(
    organisation: Mapping[str, Any], area_lad_codes: Collection[str], non_distributing: bool | None, *, bidder: bool
) -> Judgement:
    category, why = _category(organisation, non_distributing, bidder=bidder)
    local = local_connection(organisation, area_lad_codes)
    reasons = [why]
    if category is not None and local is None:
        reasons.append("no local connection: none of its sites is in the council's area")
    elif local is not None:
        reasons.append(local)
    return Judgement(eligible=category is not None and local is not None, category=category, reasons=tuple(reasons))


def judge_nominator(
    organisation: Mapping[str, Any], area_lad_codes: Collection[str], *, non_distributing: bool | None = None
) -> Judgement:
    return _judge(organisation, area_lad_codes, non_distributing, bidder=False)


def judge_bidder(
    organisation: Mapping[str, Any], area_lad_codes: Collection[str], *, non_distributing: bool | None = None
) -> Judgement:
    return _judge(organisation, area_lad_codes, non_distributing, bidder=True)
