"""The embedded AWS in its own process, so a benchmark's client threads and the emulator do not
share one interpreter lock (on a real cloud they do not share a machine either)."""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from prewire.emulator.aws import CREDENTIALS, EmbeddedAws
from prewire.emulator.aws.cloud_model import named
from responders.aws.session import AwsClients


def _serve(connection: Connection, region: str) -> None:
    with EmbeddedAws(region=region) as aws:
        connection.send(aws.url)
        while True:
            command, argument = connection.recv()
            if command == "stop":
                connection.send(None)
                return
            if command == "latency":
                aws.set_latency(float(argument))
                connection.send(None)
            elif command == "model":
                aws.set_cloud_model(named(argument))
                connection.send(None)
            elif command == "model-counts":
                model = aws.cloud_model
                counts = (
                    (dict(model.calls), dict(model.throttled), dict(model.last_admitted))
                    if model
                    else ({}, {}, {})
                )
                connection.send(counts)
            elif command == "count":
                connection.send(aws.request_count)


class RemoteAws:
    """The parts of EmbeddedAws a benchmark uses, with the server in a child process."""

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region
        self._parent, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(child, region), daemon=True
        )
        self.url = ""
        self._local = EmbeddedAws(region=region)  # for client construction only, never started

    def __enter__(self) -> RemoteAws:
        self._process.start()
        self.url = str(self._parent.recv())
        self._local.url = self.url
        return self

    def __exit__(self, *exc: object) -> None:
        self._parent.send(("stop", None))
        self._parent.recv()
        self._process.join(timeout=10)

    def set_latency(self, milliseconds: float) -> None:
        self._parent.send(("latency", milliseconds))
        self._parent.recv()

    def set_cloud_model(self, name: str | None) -> None:
        """The cloud model (`realistic`, or None) in front of the emulator from now on."""
        self._parent.send(("model", name))
        self._parent.recv()

    def model_counts(self) -> tuple[dict[str, int], dict[str, int], dict[str, float]]:
        """(calls, throttled calls, wall time of the last admitted call) per `service:Action`
        since the model was set."""
        self._parent.send(("model-counts", None))
        calls, throttled, last = self._parent.recv()
        return dict(calls), dict(throttled), dict(last)

    @property
    def request_count(self) -> int:
        self._parent.send(("count", None))
        return int(self._parent.recv())

    def clients(self, *, max_pool: int = 32) -> AwsClients:
        return self._local.clients(max_pool=max_pool)

    def client(self, service: str) -> Any:
        return self._local.client(service)

    def environment(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.url,
            **{k.upper(): v for k, v in CREDENTIALS.items()},
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }
