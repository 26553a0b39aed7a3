"""The community wealth building loop with real processes and the real broker: a council's spend names a
co-op the registry does not know yet; once the co-op registers, impact reconciles the spend to it and
counts it as local, scores it, and procurement's matching engine ranks it with that score; the council's
published tender reaches impact's pillars."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Platform, cli

pytestmark = [pytest.mark.broker, pytest.mark.slow]
SCOPES = ["registry:read", "registry:write", "procurement:read", "procurement:write", "impact:read", "impact:write"]


def council_key(platform: Platform, lad: str) -> str:
    with platform.client() as admin:
        tenant = admin.post(
            "/api/v1/admin/tenants",
            json={"id": lad, "name": f"Council {lad}", "kind": "council", "area": {"lad_codes": [lad]}},
        )
        assert tenant.status_code in (201, 409), tenant.text
        created = admin.post("/api/v1/admin/api-keys", json={"tenant_id": lad, "name": "e2e", "scopes": SCOPES})
        created.raise_for_status()
        return str(created.json()["key"])


def eventually(check: Callable[[], Any], timeout_s: float = 45) -> Any:
    """Poll until `check` returns something truthy: the events travel through the broker between services."""
    deadline = time.monotonic() + timeout_s
    while True:
        if result := check():
            return result
        assert time.monotonic() < deadline, "the events did not arrive in time"
        time.sleep(0.3)


def test_spend_reconciles_to_a_new_coop_which_is_scored_and_matched(cwb_platform: Platform) -> None:
    with cwb_platform.client(council_key(cwb_platform, "E07000178")) as oxford:
        pushed = oxford.post(
            "/api/v1/spend/lines",
            content=b'{"transaction_ref": "E2E-1", "paid_date": "2026-05-01", "amount": {"amount": "1200.00"},'
            b' "supplier_name": "COWLEY ROAD BAKERY CO-OP", "category": "Catering"}\n'
            b'{"transaction_ref": "E2E-2", "paid_date": "2026-05-02", "amount": {"amount": "800.00"},'
            b' "supplier_name": "A NATIONAL CATERER PLC", "category": "Catering"}\n',
            headers={"content-type": "application/x-ndjson"},
        )
        assert pushed.status_code == 200 and pushed.json()["counts"]["created"] == 2, pushed.text
        org = oxford.post(
            "/api/v1/organisations",
            json={
                "name": "Cowley Road Bakery Co-operative Limited",
                "legal_form": "registered_society_cooperative",
                "ownership": ["worker_cooperative"],
                "identifiers": [{"scheme": "GB-MPR", "id": "31234R"}],
                "sites": [{"name": "Bakery", "postcode": "OX4 1AA", "is_operating_site": True}],
                "cpv_codes": ["15810000"],
                "employees": 12,
                "certifications": [{"scheme": "real_living_wage", "status": "active"}],
            },
        )
        assert org.status_code == 201, org.text
        org_id = org.json()["id"]

        def matched() -> dict[str, Any] | None:
            page = oxford.get("/api/v1/spend/suppliers", params={"status": "matched"}).json()["data"]
            return next((s for s in page if s["organisation_id"] == org_id), None)

        supplier = eventually(matched)
        assert supplier["name"] == "COWLEY ROAD BAKERY CO-OP" and supplier["method"] == "name"
        local = oxford.get("/api/v1/indicators/local-spend", params={"period": "2026-27"}).json()["groups"][0]
        assert local["shares"]["local"] == "0.6000" and local["shares"]["real_living_wage"] == "0.6000"

        score = oxford.get(f"/api/v1/organisations/{org_id}/impact")
        assert score.status_code == 200 and score.json()["score"] > 50, score.text

        tender = oxford.post(
            "/api/v1/tenders",
            json={
                "title": "Bread for day centres",
                "status": "active",
                "contract_type": "supplies",
                "value": {"amount": "40000.00", "currency": "GBP", "amount_gross": "48000.00"},
                "cpv_codes": ["15811000"],
                "delivery": {"postcode": "OX1 1BX"},
                "tender_period": {"start_date": "2026-06-01", "end_date": "2026-07-01"},
                "reservation": {"scope": "local_area"},
            },
        )
        assert tender.status_code == 201, tender.text

        def ranked_with_impact() -> dict[str, Any] | None:
            resp = oxford.get(f"/api/v1/tenders/{tender.json()['id']}/matches", params={"limit": 10})
            found = next((m for m in resp.json().get("data", []) if m["organisation_id"] == org_id), None)
            return found if found and found["components"]["impact"] > 0 else None

        match = eventually(ranked_with_impact)  # the score travelled impact → broker → procurement
        assert match["eligible"] is True
        assert match["components"]["impact"] == pytest.approx(score.json()["score"] / 100, abs=0.01)

        def tender_counted() -> bool:
            pillars = oxford.get("/api/v1/indicators", params={"period": "2026-27"}).json()["pillars"]
            procurement = {i["id"]: i for i in pillars[3]["indicators"]}
            return procurement["tenders_reserved_share"]["coverage"]["tenders"] == 1

        eventually(tender_counted)  # procurement.tender → impact's activity facts


def test_the_cli_imports_with_progress_and_spend_stays_private(cwb_platform: Platform, tmp_path: Path) -> None:
    key = council_key(cwb_platform, "E07000178")
    ledger = tmp_path / "payments-march-2017.csv"
    ledger.write_bytes(b"Paid Date,Supplier Name,Amount,Trans No\n00:00:00,ACME LTD,12.50,T1\n02/03/2017,,7.50,T2\n")
    done = subprocess.run(
        cli("impact", "import", str(ledger), "--url", cwb_platform.gateway_url, "--key", key),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    printed = " ".join(done.stdout.split())  # rich wraps long lines at the terminal's width
    assert "status: succeeded" in printed and "'created': 2" in printed
    assert "file period 2017-03-01 to 2017-03-31" in printed
    cherwell_key = council_key(cwb_platform, "E07000177")
    with cwb_platform.client(key) as oxford, cwb_platform.client(cherwell_key) as cherwell:
        oxford.post(
            "/api/v1/spend/lines",
            json=[{"paid_date": "2026-05-01", "amount": {"amount": "10.00"}, "supplier_name": "Somebody Ltd"}],
        ).raise_for_status()
        assert cherwell.get("/api/v1/spend/summary").json()["lines"] == 0
        summary = oxford.get("/api/v1/spend/summary").json()
        assert summary["lines"] == 3 and summary["total"]["amount"] == "30.00"
