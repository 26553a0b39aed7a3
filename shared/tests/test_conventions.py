"""Unit tests for the shared conventions: envelope, cursors, settings, auth tokens, CSV safety."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from localwealth_shared.auth import Authenticator, Principal, issue_internal_token
from localwealth_shared.events.envelope import CloudEvent, EnvelopeError, topic_for_type
from localwealth_shared.http.pagination import decode_cursor, encode_cursor
from localwealth_shared.http.problems import Problem, Unauthorized
from localwealth_shared.jobs import safe_csv_cell
from localwealth_shared.settings import ServiceSettings, service_config


class ExampleSettings(ServiceSettings):
    model_config = service_config("EXAMPLE_")


def test_cloudevent_round_trips_through_kafka_binary_mode() -> None:
    event = CloudEvent(
        type="org.localwealth.registry.organisation.updated.v1",
        source="/localwealth/registry",
        data={"id": "o1", "n": 1},
        subject="o1",
        traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01",
    )
    headers = event.kafka_headers()
    names = [k for k, _ in headers]
    assert names[:6] == ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"]
    back = CloudEvent.from_kafka(headers, event.encoded_data())
    assert (back.id, back.type, back.subject, back.data, back.time) == (
        event.id,
        event.type,
        "o1",
        {"id": "o1", "n": 1},
        event.time,
    )
    assert back.topic == "registry.organisation"


@pytest.mark.parametrize(
    ("headers", "value"),
    [
        ([], b"{}"),
        ([("ce_specversion", b"0.3")], b"{}"),
        (
            [
                ("ce_specversion", b"1.0"),
                ("ce_id", b"x"),
                ("ce_source", b"s"),
                ("ce_type", b"t"),
                ("ce_time", b"2026-01-01T00:00:00Z"),
            ],
            b"[1]",
        ),
        (
            [("ce_specversion", b"1.0"), ("ce_id", b"x"), ("ce_source", b"s"), ("ce_type", b"t"), ("ce_time", b"nope")],
            b"{}",
        ),
    ],
)
def test_malformed_messages_are_envelope_errors(headers: list, value: bytes) -> None:
    with pytest.raises(EnvelopeError):
        CloudEvent.from_kafka(headers, value)


def test_event_types_map_to_topics_and_bad_types_are_refused() -> None:
    assert topic_for_type("org.localwealth.land.acv.moratorium-ended.v1") == "land.acv"
    with pytest.raises(ValueError):
        topic_for_type("com.example.thing.happened")


def test_cursors_round_trip_and_reject_tampering() -> None:
    when = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    cursor = encode_cursor([when, "abc"])
    assert decode_cursor(cursor, [datetime, str]) == [when, "abc"]
    for bad in ("!!!", encode_cursor(["x"]), encode_cursor([1, "abc"]), cursor[:-3]):
        with pytest.raises(Problem) as info:
            decode_cursor(bad, [datetime, str])
        assert info.value.status == 422 and info.value.errors[0]["loc"] == ["query", "cursor"]


def test_production_refuses_default_or_weak_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCALWEALTH_ENV", "production")
    with pytest.raises(ValueError, match="internal_token_secret"):
        ExampleSettings()
    monkeypatch.setenv("LOCALWEALTH_INTERNAL_TOKEN_SECRET", "s" * 32)
    monkeypatch.setenv("LOCALWEALTH_ADMIN_KEY", "short")
    with pytest.raises(ValueError, match="admin_key"):
        ExampleSettings()
    monkeypatch.setenv("LOCALWEALTH_ADMIN_KEY", "k" * 40)
    monkeypatch.setenv("EXAMPLE_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    settings = ExampleSettings()
    assert settings.kafka_bootstrap_servers == "kafka:9092" and not settings.is_development


async def test_internal_tokens_verify_and_expire() -> None:
    auth = Authenticator(secret="s" * 32, admin_key="k" * 32)
    principal = Principal(
        tenant_id="E07000178", scopes=frozenset({"registry:read"}), key_id="k1", area_lad_codes=("E07000178",)
    )
    assert await auth.authenticate(issue_internal_token(principal, "s" * 32)) == principal
    for bad in (
        issue_internal_token(principal, "another-secret-of-thirty-two-bytes!"),
        issue_internal_token(principal, "s" * 32, ttl_s=-5),
        "not-a-key",
        None,
    ):
        with pytest.raises(Unauthorized):
            await auth.authenticate(bad)
    admin = await auth.authenticate("k" * 32)
    assert admin.has_scope("land:write")


def test_csv_cells_cannot_inject_formulas() -> None:
    assert [safe_csv_cell(v) for v in ("=1+1", "+44", "-3", "@SUM", "plain", None)] == [
        "'=1+1",
        "'+44",
        "'-3",
        "'@SUM",
        "plain",
        "",
    ]
