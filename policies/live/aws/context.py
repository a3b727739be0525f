"""The AWS live context: one account and region, and which AWS errors mean a check cannot decide."""

from __future__ import annotations

from dataclasses import dataclass

import botocore.exceptions

from policies.live.engine import CheckContext
from responders.aws.discovery import Prewired
from responders.aws.session import AwsClients, error_code, is_api_gap

DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
}


@dataclass(kw_only=True)
class AwsLiveContext(CheckContext):
    """One account and region: its clients and what the stack prewired there."""

    clients: AwsClients
    account: str
    region: str
    prewired: Prewired

    def location(self, account_wide: bool) -> dict[str, str]:
        return {"account": self.account, "region": "global" if account_wide else self.region}

    def explain(self, error: Exception) -> str | None:
        if isinstance(error, botocore.exceptions.ClientError):
            code = error_code(error)
            operation = error.operation_name
            if is_api_gap(error):
                return f"{operation} is not available on this target"
            if code in DENIED:
                return f"not permitted to call {operation} ({code})"
            return f"{operation} failed: {code}"
        if isinstance(error, botocore.exceptions.BotoCoreError):
            return f"{type(error).__name__}: {error}"
        return None
