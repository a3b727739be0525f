"""The fault proxy does to requests what it says, against a recording upstream: a dropped-after
request was applied upstream yet the client heard nothing, a cut upload delivered half its
body, a body too short to cut passes whole and uncounted; and the Azure fake, reached through
the proxy, names the proxy in its URLs so the client's next calls (blob uploads) pass it too."""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Iterator
from typing import Any

import pytest

from prewire.emulator.azure import FakeAzure
from prewire.emulator.faults import TRUNCATE_AT_LEAST, FaultPlan, FaultProxy, aws_throttle
from prewire.emulator.serving import LocalServer


@pytest.fixture
def upstream() -> Iterator[tuple[str, list[bytes]]]:
    received: list[bytes] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        received.append(environ["wsgi.input"].read(length))
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    server = LocalServer(app).start()
    try:
        yield server.url, received
    finally:
        server.stop()


def _put(url: str, body: bytes) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("PUT", "/bucket/key", body=body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_drop_after_applies_upstream_and_tells_the_client_nothing(
    upstream: tuple[str, list[bytes]],
) -> None:
    url, received = upstream
    plan = FaultPlan(seed=1, share=1.0, faults=("drop-after",))
    with FaultProxy(url, plan) as proxy, pytest.raises(http.client.RemoteDisconnected):
        _put(proxy.url, b"applied")
    assert received == [b"applied"]
    assert proxy.injected == {"drop-after": 1}


def test_a_cut_upload_delivers_half_and_a_short_body_passes_whole(
    upstream: tuple[str, list[bytes]],
) -> None:
    url, received = upstream
    long, short = bytes(range(256)) * (TRUNCATE_AT_LEAST // 128), b"tiny"
    with FaultProxy(url, FaultPlan(seed=1, share=1.0, faults=("truncate",))) as proxy:
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            _put(proxy.url, long)
        assert _put(proxy.url, short) == (200, b"ok")
    assert received == [long[: len(long) // 2], short]
    assert proxy.injected == {"truncate": 1}
    assert proxy.log == [("truncate", "PUT", "/bucket/key")]


def test_throttling_in_ec2s_words(upstream: tuple[str, list[bytes]]) -> None:
    url, received = upstream
    answer = aws_throttle("/", {}, b"Action=CreateSnapshots&Version=2016-11-15")
    assert answer.status == 503 and b"<Code>RequestLimitExceeded</Code>" in answer.body
    plan = FaultPlan(seed=1, share=1.0, faults=("throttle",), throttle=aws_throttle)
    with FaultProxy(url, plan) as proxy:
        status, body = _put(proxy.url, b"Action=DescribeInstances&Version=2016-11-15")
    assert (status, b"RequestLimitExceeded" in body) == (503, True)
    assert received == []  # a throttled request never reached the server
    assert proxy.injected == {"throttle": 1}


def test_the_azure_fake_names_the_host_the_client_addressed() -> None:
    group = "/subscriptions/{}/resourceGroups/evidence"
    account = group + "/providers/Microsoft.Storage/storageAccounts/prewireevidence"
    with FakeAzure() as fake, FaultProxy(fake.url, FaultPlan(seed=1, share=0.0)) as proxy:
        group, account = group.format(fake.subscription), account.format(fake.subscription)
        _arm(fake.url, "PUT", group, {"location": "westeurope"})
        created = _arm(fake.url, "PUT", account, {"location": "westeurope", "properties": {}})
        through_proxy = _arm(proxy.url, "GET", account)
        direct = _arm(fake.url, "GET", account)
    assert created["properties"]["primaryEndpoints"]["blob"] == f"{fake.url}/prewireevidence/"
    assert direct == created
    assert through_proxy["properties"]["primaryEndpoints"]["blob"] == (
        f"{proxy.url}/prewireevidence/"
    )


def _arm(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    host, port = base.removeprefix("https://").split(":")
    context = ssl._create_unverified_context()  # noqa: S323 (local fake and proxy, self-signed)
    connection = http.client.HTTPSConnection(host, int(port), context=context, timeout=10)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": "Bearer local", "Content-Type": "application/json"}
        connection.request(method, f"{path}?api-version=2023-05-01", body=payload, headers=headers)
        response = connection.getresponse()
        reply = response.read()
        assert response.status < 300, reply
        return json.loads(reply)
    finally:
        connection.close()
