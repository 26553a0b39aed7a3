"""ACV cases: nomination → decision → listing, reviews and appeals, disposal notices, bid requests.

Rules live in `regimes`, `clocks` and `eligibility`; this module applies them to stored cases, refuses
what the law does not allow (422 naming the field and the reason, 409 for a step out of order) and writes
a `land.acv` event through the outbox with every change.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from typing import Any

from localwealth_shared.clock import utcnow
from localwealth_shared.events.outbox import Outbox
from localwealth_shared.http.problems import Conflict, field_error
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from land.acv import clocks
from land.acv.eligibility import judge_bidder, judge_nominator
from land.acv.regimes import RegimeBook
from land.assets import repository as assets
from land.assets.service import AssetService
from land.db import AcvCase, BidRequest, DisposalNotice
from land.organisations import read_model

EVENT = "org.localwealth.land.acv.{}.v1"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _moratorium(notice: DisposalNotice) -> clocks.Moratorium:
    assert notice.interim_ends is not None and notice.protected_ends is not None
    return clocks.Moratorium(notice.received_date, notice.interim_ends, notice.protected_ends, notice.full_ends)


class CaseView:
    """A case with its notices and bid requests, as the API and the events show it."""

    def __init__(self, case: AcvCase, notices: list[DisposalNotice], bids: list[BidRequest]) -> None:
        self.case, self.notices, self.bids = case, notices, bids

    @property
    def current(self) -> DisposalNotice | None:
        """The latest notice that started a moratorium."""
        started = [n for n in self.notices if n.starts_moratorium]
        return max(started, key=lambda n: n.received_date) if started else None

    def event_data(self) -> dict[str, Any]:
        c, current = self.case, self.current
        return {
            "id": c.id,
            "asset_id": c.asset_id,
            "council": c.council,
            "regime": c.regime,
            "status": c.status,
            "nominating_organisation_id": c.nominating_organisation_id,
            "received_date": _iso(c.received_date),
            "decision_due": _iso(c.decision_due),
            "decision": c.decision,
            "decision_date": _iso(c.decision_date),
            "listed_on": _iso(c.listed_on),
            "listing_ends": _iso(c.listing_ends),
            "disposal_notice_received": _iso(current.received_date if current else None),
            "interim_moratorium_ends": _iso(current.interim_ends if current else None),
            "full_moratorium_ends": _iso(current.full_ends if current else None),
            "protected_period_ends": _iso(current.protected_ends if current else None),
            "version": c.version,
        }

    def api(self) -> dict[str, Any]:
        c = self.case
        return {
            **self.event_data(),
            "nominator_category": c.nominator_category,
            "review_request_deadline": _iso(c.review_request_deadline),
            "review_requested_on": _iso(c.review_requested_on),
            "review_outcome": c.review_outcome,
            "review_decided_on": _iso(c.review_decided_on),
            "appeal_deadline": _iso(c.appeal_deadline),
            "appeal_lodged_on": _iso(c.appeal_lodged_on),
            "disposal_notices": [
                {
                    "id": n.id,
                    "received_date": _iso(n.received_date),
                    "starts_moratorium": n.starts_moratorium,
                    "reason": n.reason,
                    "interim_moratorium_ends": _iso(n.interim_ends),
                    "full_moratorium_ends": _iso(n.full_ends),
                    "protected_period_ends": _iso(n.protected_ends),
                }
                for n in sorted(self.notices, key=lambda n: (n.received_date, n.created_at))
            ],
            "bid_requests": [
                {
                    "id": b.id,
                    "notice_id": b.notice_id,
                    "organisation_id": b.organisation_id,
                    "received_date": _iso(b.received_date),
                    "category": b.category,
                }
                for b in sorted(self.bids, key=lambda b: (b.received_date, b.created_at))
            ],
        }


async def load_view(session: AsyncSession, case: AcvCase) -> CaseView:
    notices = list((await session.scalars(select(DisposalNotice).where(DisposalNotice.case_id == case.id))).all())
    bids: list[BidRequest] = []
    if notices:
        ids = [n.id for n in notices]
        bids = list((await session.scalars(select(BidRequest).where(BidRequest.notice_id.in_(ids)))).all())
    return CaseView(case, notices, bids)


async def get_case(session: AsyncSession, council: str, case_id: str) -> AcvCase | None:
    return await session.scalar(select(AcvCase).where(AcvCase.id == case_id, AcvCase.council == council))


def _not_before(field: str, day: date, earliest: date, what: str) -> None:
    if day < earliest:
        raise field_error(("body", field), f"{day.isoformat()} is before {what} ({earliest.isoformat()})", "date.order")


class AcvService:
    def __init__(self, outbox: Outbox, regimes: RegimeBook, assets_service: AssetService) -> None:
        self.outbox, self.regimes, self.assets = outbox, regimes, assets_service

    async def _publish(self, session: AsyncSession, kind: str, view: CaseView, **extra: Any) -> None:
        await self.outbox.add(session, EVENT.format(kind), view.case.id, {**view.event_data(), **extra})

    async def _touch(self, session: AsyncSession, case: AcvCase) -> CaseView:
        case.updated_at, case.version = utcnow(), case.version + 1
        await session.flush()
        return await load_view(session, case)

    async def nominate(
        self, session: AsyncSession, council: str, area: Collection[str], body: dict[str, Any]
    ) -> CaseView:
        organisation = await read_model.find(session, body["nominating_organisation_id"])
        if organisation is None:
            raise field_error(
                ("body", "nominating_organisation_id"),
                "not an organisation in the registry (or not yet received from it)",
                "organisation.unknown",
            )
        judgement = judge_nominator(organisation.data, area, non_distributing=body.get("non_distributing"))
        if not judgement.eligible:
            raise field_error(("body", "nominating_organisation_id"), judgement.reason, "acv.nominator_ineligible")
        if body.get("asset_id"):
            asset = await assets.get_owned(session, council, body["asset_id"])
            if asset is None:
                raise field_error(("body", "asset_id"), "no such asset in this council's register", "asset.unknown")
        else:
            fields = {"name": body.get("name") or body["address"], "address": body["address"], "status": "in_use"}
            asset = await self.assets.create(session, council, {**fields, "postcode": body["postcode"]})
        regime = self.regimes.in_force_on(body["received_date"])
        now = utcnow()
        case = AcvCase(
            id=str(uuid.uuid4()),
            council=council,
            asset_id=asset.id,
            regime=regime.code,
            nominating_organisation_id=organisation.id,
            nominator_category=judgement.category or "",
            non_distributing=body.get("non_distributing"),
            reasons=body["reasons"],
            received_date=body["received_date"],
            decision_due=clocks.decision_due(regime, body["received_date"]),
            status="nominated",
            created_at=now,
            updated_at=now,
            version=1,
        )
        session.add(case)
        await session.flush()
        view = CaseView(case, [], [])
        await self._publish(session, "nominated", view)
        return view

    async def decide(self, session: AsyncSession, case: AcvCase, decision: str, decision_date: date) -> CaseView:
        if case.status != "nominated":
            raise Conflict(f"the nomination was already decided ({case.status})", code="acv.already_decided")
        _not_before("decision_date", decision_date, case.received_date, "the nomination was received")
        regime = self.regimes.by_code(case.regime)
        case.decision, case.decision_date = decision, decision_date
        if decision == "listed":
            case.status, case.listed_on = "listed", decision_date
            case.listing_ends = clocks.listing_ends(regime, decision_date)
            case.review_request_deadline = clocks.review_request_deadline(regime, decision_date)
        else:
            case.status = "not_listed"
        view = await self._touch(session, case)
        await self._publish(session, "listed" if decision == "listed" else "not-listed", view)
        return view

    def _require_listed(self, case: AcvCase) -> None:
        if case.status != "listed":
            raise Conflict(f"the asset is not listed ({case.status})", code="acv.not_listed")

    async def request_review(self, session: AsyncSession, case: AcvCase, requested_on: date) -> CaseView:
        self._require_listed(case)
        if case.review_requested_on is not None:
            raise Conflict("a review was already requested", code="acv.review_exists")
        assert case.listed_on is not None and case.review_request_deadline is not None
        _not_before("requested_on", requested_on, case.listed_on, "the listing")
        if requested_on > case.review_request_deadline:
            raise field_error(
                ("body", "requested_on"),
                f"the owner could ask for a review until {case.review_request_deadline.isoformat()} (8 weeks)",
                "acv.review_too_late",
            )
        case.review_requested_on = requested_on
        return await self._touch(session, case)

    async def decide_review(self, session: AsyncSession, case: AcvCase, outcome: str, decided_on: date) -> CaseView:
        if case.review_requested_on is None:
            raise Conflict("no review was requested", code="acv.no_review")
        if case.review_outcome is not None:
            raise Conflict("the review was already decided", code="acv.review_decided")
        _not_before("decided_on", decided_on, case.review_requested_on, "the review request")
        case.review_outcome, case.review_decided_on = outcome, decided_on
        case.appeal_deadline = clocks.appeal_deadline(self.regimes.by_code(case.regime), decided_on)
        if outcome == "removed":
            case.status = "removed"
        return await self._touch(session, case)

    async def lodge_appeal(self, session: AsyncSession, case: AcvCase, lodged_on: date) -> CaseView:
        if case.appeal_deadline is None or case.review_decided_on is None:
            raise Conflict("an appeal follows a review decision", code="acv.no_review_decision")
        if case.appeal_lodged_on is not None:
            raise Conflict("an appeal was already lodged", code="acv.appeal_exists")
        _not_before("lodged_on", lodged_on, case.review_decided_on, "the review decision")
        if lodged_on > case.appeal_deadline:
            raise field_error(
                ("body", "lodged_on"),
                f"appeals to the First-tier Tribunal closed on {case.appeal_deadline.isoformat()} (28 days)",
                "acv.appeal_too_late",
            )
        case.appeal_lodged_on = lodged_on
        return await self._touch(session, case)

    async def disposal_notice(self, session: AsyncSession, case: AcvCase, received: date) -> CaseView:
        self._require_listed(case)
        assert case.listed_on is not None and case.listing_ends is not None
        _not_before("received_date", received, case.listed_on, "the listing")
        if received > case.listing_ends:
            raise field_error(("body", "received_date"), "the listing had ended", "acv.listing_ended")
        view = await load_view(session, case)
        earlier = [_moratorium(n) for n in view.notices if n.starts_moratorium]
        outcome = clocks.judge_disposal_notice(earlier, received)
        notice = DisposalNotice(
            id=str(uuid.uuid4()),
            case_id=case.id,
            received_date=received,
            starts_moratorium=outcome.starts_moratorium,
            reason=outcome.reason,
            created_at=utcnow(),
        )
        if outcome.starts_moratorium:
            m = clocks.start_moratorium(self.regimes.by_code(case.regime), received)
            notice.interim_ends, notice.protected_ends = m.interim_ends, m.protected_ends
        session.add(notice)
        view = await self._touch(session, case)
        if outcome.starts_moratorium:
            await self._publish(session, "disposal-notified", view)
        return view

    async def bid_request(
        self, session: AsyncSession, case: AcvCase, area: Collection[str], body: dict[str, Any]
    ) -> CaseView:
        self._require_listed(case)
        received: date = body["received_date"]
        view = await load_view(session, case)
        started = [n for n in view.notices if n.starts_moratorium and n.received_date <= received]
        if not started:
            raise field_error(
                ("body", "received_date"), "no disposal notice had been received by then", "acv.no_disposal_notice"
            )
        notice = max(started, key=lambda n: n.received_date)
        organisation = await read_model.find(session, body["organisation_id"])
        if organisation is None:
            raise field_error(
                ("body", "organisation_id"), "not an organisation in the registry", "organisation.unknown"
            )
        judgement = judge_bidder(organisation.data, area, non_distributing=body.get("non_distributing"))
        if not judgement.eligible:
            raise field_error(("body", "organisation_id"), judgement.reason, "acv.bidder_ineligible")
        regime = self.regimes.by_code(case.regime)
        try:
            full_ends = clocks.full_moratorium_for(regime, _moratorium(notice), received)
        except clocks.BidRequestTooLate as exc:
            raise field_error(("body", "received_date"), str(exc), "acv.bid_request_too_late") from exc
        if any(b.notice_id == notice.id and b.organisation_id == organisation.id for b in view.bids):
            raise Conflict("this group already asked to be treated as a bidder", code="acv.bid_request_exists")
        session.add(
            BidRequest(
                id=str(uuid.uuid4()),
                notice_id=notice.id,
                organisation_id=organisation.id,
                received_date=received,
                category=judgement.category or "",
                created_at=utcnow(),
            )
        )
        notice.full_ends = notice.full_ends or full_ends
        return await self._touch(session, case)
