"""Client-side pacing: a run keeps itself under AWS's per-API token buckets.

A fleet response makes hundreds of calls of one API in a burst. Sent as fast as the workers go,
most of them come back `RequestLimitExceeded` and are retried with backoff, which wastes the
bucket's refill on waiting and stretches the last target's containment. The pacer holds a copy
of each API's bucket (`limits.py`, the figures the cloud model imposes too) and makes every call
wait for a token before it is sent, so calls go out at the refill rate and none is refused; the
botocore adaptive retry mode stays on for what the pacer cannot know (other callers in the
account). Waits are counted per API so progress can show them.

The pacer's bucket holds one token fewer than the service's: a call sent on time can reach the
service later than the next (network jitter), and that spare token absorbs up to one refill
interval of it instead of a throttle. It costs one call of the initial burst.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from responders.aws.limits import limit_of


class _Bucket:
    def __init__(self, capacity: float, refill: float, now: float) -> None:
        self.capacity, self.refill = capacity, refill
        self.tokens, self.at = capacity, now


class Pacer:
    def __init__(
        self,
        *,
        scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.scale = scale
        self._clock, self._sleep = clock, sleep
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self._lock = threading.Lock()
        self.waited: dict[str, float] = {}
        """Seconds spent waiting for a token, per `service:Action`."""

    def _bucket(self, key: tuple[str, str, str], now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            limit = limit_of(key[1], key[2])
            bucket = self._buckets[key] = _Bucket(
                max(1.0, limit.capacity * self.scale - 1), limit.refill * self.scale, now
            )
        return bucket

    def acquire(self, region: str, service: str, operation: str) -> float:
        """Wait for one token of the API's bucket; the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                bucket = self._bucket((region, service, operation), now)
                bucket.tokens = min(
                    bucket.capacity, bucket.tokens + (now - bucket.at) * bucket.refill
                )
                bucket.at = now
                if bucket.tokens >= 1 or bucket.refill <= 0:
                    bucket.tokens -= 1
                    if waited:
                        api = f"{service}:{operation}"
                        self.waited[api] = self.waited.get(api, 0.0) + waited
                    return waited
                pause = (1 - bucket.tokens) / bucket.refill
            self._sleep(pause)
            waited += pause

    def summary(self) -> str:
        """The waits so far, longest first: "waited for the rate limits: 12.3 s ec2:...", or ""."""
        with self._lock:
            waits = sorted(self.waited.items(), key=lambda item: -item[1])
        if not waits:
            return ""
        shown = ", ".join(f"{seconds:.1f} s {api}" for api, seconds in waits[:3])
        return f"waited for the rate limits: {shown}"

    def before_call(self, region: str) -> Callable[..., None]:
        """A botocore `before-call` handler pacing a client of `region`."""

        def pace(model: Any, **_: Any) -> None:
            self.acquire(region, str(model.service_model.endpoint_prefix), str(model.name))

        return pace
