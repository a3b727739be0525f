"""A model of a real AWS region in front of the embedded emulator: API throttling and latency.

At scale a responder is bounded by the cloud's API rate limits, not by latency or its own CPU:
AWS throttles each API of an account in a region with a token bucket (a bucket of `capacity`
tokens, refilled at `refill` per second; each request takes one). This module applies those
buckets to every request the embedded AWS receives, answers an empty bucket the way the service
does (EC2: HTTP 503 `RequestLimitExceeded`; the other query-protocol services: HTTP 400
`Throttling`; S3: HTTP 503 `SlowDown`; JSON services: HTTP 400 `ThrottlingException`), adds a
latency drawn from a log-normal distribution (median 50 ms, long tail), deterministic for a seed,
counts calls and throttles per API, and computes the bound: the least time the calls a piece of
work needs can take through the buckets, however well they are scheduled.

The figures (`responders/aws/limits.py`, which the responders' own pacing reads too) say where
each comes from. Where AWS documents a figure it is marked
`documented`; where the figure is a category default recalled from the same page or not
published at all, it is marked so: the model is a peer for measuring, not a promise about a
given account (limits differ per account and can be raised).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from responders.aws.limits import Limit, bound_of, limit_of


class TokenBucket:
    def __init__(self, limit: Limit, clock: object = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._tokens = limit.capacity
        self._at = self._now()
        self._lock = threading.Lock()

    def _now(self) -> float:
        return float(self._clock())  # type: ignore[operator]

    def take(self) -> bool:
        """One token if there is one (a request admitted), else False (throttled)."""
        with self._lock:
            now = self._now()
            elapsed, self._at = now - self._at, now
            self._tokens = min(self.limit.capacity, self._tokens + elapsed * self.limit.refill)
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False


@dataclass
class Latency:
    median_ms: float = 50.0
    sigma: float = 0.5
    """Log-normal shape: 0.5 puts p99 at about 3.2 x the median."""

    def draw(self, rng: random.Random) -> float:
        if self.median_ms <= 0:
            return 0.0
        return self.median_ms / 1000.0 * math.exp(rng.gauss(0.0, self.sigma))


@dataclass
class CloudModel:
    """Buckets per (account, region, service, action); latency; counts."""

    latency: Latency = field(default_factory=Latency)
    seed: int = 7
    limits_scale: float = 1.0
    """Multiplies every bucket (tests shrink them to throttle on purpose)."""
    burst_scale: float | None = None
    """Multiplies the buckets' capacity only, when set (small bursts, fast refill: throttled
    often, yet quick to run)."""
    calls: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    last_admitted: dict[str, float] = field(default_factory=dict)
    """Wall-clock time (`time.time()`) of each API's last admitted call: when a tool that keeps
    no timings of its own (Cloud Custodian) made its last change of a kind."""
    _buckets: dict[tuple[str, ...], TokenBucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)  # noqa: S311 - a reproducible model, not a secret

    def delay(self) -> float:
        with self._lock:
            return self.latency.draw(self._rng)

    def admit(self, account: str, region: str, service: str, action: str) -> bool:
        key = (account, region, service, action)
        api = f"{service}:{action}"
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                limit = limit_of(service, action)
                burst = self.limits_scale if self.burst_scale is None else self.burst_scale
                scaled = Limit(
                    max(1.0, limit.capacity * burst), limit.refill * self.limits_scale, limit.source
                )
                bucket = self._buckets[key] = TokenBucket(scaled)
            self.calls[api] += 1
        admitted = bucket.take()
        with self._lock:
            if admitted:
                self.last_admitted[api] = time.time()
            else:
                self.throttled[api] += 1
        return admitted

    def bound(self, calls: Mapping[str, int]) -> float:
        """The least seconds these calls (per `service:action`) need from full buckets."""
        return max(
            (bound_of(api, count, self.limits_scale) for api, count in calls.items()), default=0.0
        )


# -- reading a request -------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    account: str
    region: str
    service: str
    action: str
    protocol: str  # ec2 | query | json | rest-xml


def identify(environ: Mapping[str, object], body: bytes) -> Call | None:
    """Service, action and caller of a SigV4-signed request, or None for anything else."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    if "Credential=" not in authorization:
        return None
    scope = authorization.split("Credential=", 1)[1].split(",", 1)[0].split("/")
    if len(scope) < 4:
        return None
    key, region, service = scope[0], scope[2], scope[3]
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        return Call(key, region, service, target.rsplit(".", 1)[-1], "json")
    if service == "s3":
        return Call(key, region, service, str(environ.get("REQUEST_METHOD", "GET")), "rest-xml")
    fields = parse_qs(str(environ.get("QUERY_STRING", "")))
    if not fields.get("Action") and body:
        fields = parse_qs(body.decode(errors="replace"))
    action = (fields.get("Action") or [""])[0]
    if not action:
        return Call(key, region, service, str(environ.get("REQUEST_METHOD", "")), "rest-xml")
    return Call(key, region, service, action, "ec2" if service == "ec2" else "query")


def throttled_response(call: Call) -> tuple[str, list[tuple[str, str]], bytes]:
    """The answer a service gives a request its bucket refuses."""
    if call.protocol == "ec2":
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><Response><Errors><Error>"
            "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>"
            "</Error></Errors><RequestID>cloud-model</RequestID></Response>"
        )
        return "503 Service Unavailable", [("Content-Type", "text/xml")], body.encode()
    if call.protocol == "json":
        body = '{"__type": "ThrottlingException", "message": "Rate exceeded"}'
        return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.1")], body.encode()
    if call.service == "s3":
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><Error><Code>SlowDown</Code>"
            "<Message>Please reduce your request rate.</Message></Error>"
        )
        return "503 Slow Down", [("Content-Type", "application/xml")], body.encode()
    body = (
        "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
        "<Message>Rate exceeded</Message></Error><RequestId>cloud-model</RequestId>"
        "</ErrorResponse>"
    )
    return "400 Bad Request", [("Content-Type", "text/xml")], body.encode()


REALISTIC = "realistic"


def named(model: str | None, seed: int = 7) -> CloudModel | None:
    """`--cloud-model realistic` (or none)."""
    if model in (None, "", "none"):
        return None
    if model == REALISTIC:
        return CloudModel(seed=seed)
    raise ValueError(f"unknown cloud model {model!r}; known: none, {REALISTIC}")
