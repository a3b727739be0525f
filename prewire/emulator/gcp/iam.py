"""The IAM half of the GCP fake: service accounts and their keys (IAM REST API v1).

`GET projects/-/serviceAccounts/<email>`, `:disable` / `:enable`, keys `list` (with `keyTypes`),
`keys/<id>:disable` / `:enable`, with the response shapes of the IAM discovery document.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from prewire.emulator.gcp.compute import GcpError

Json = dict[str, Any]


@dataclass
class IamState:
    project: str
    accounts: dict[str, Json] = field(default_factory=dict)
    keys: dict[str, list[Json]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add_account(self, email: str, user_keys: int = 1) -> Json:
        account = {
            "name": f"projects/{self.project}/serviceAccounts/{email}",
            "projectId": self.project,
            "uniqueId": str(100_000_000 + next(self._ids)),
            "email": email,
            "disabled": False,
        }
        self.accounts[email] = account
        self.keys[email] = [
            {
                "name": f"{account['name']}/keys/key{next(self._ids)}",
                "keyType": key_type,
                "keyAlgorithm": "KEY_ALG_RSA_2048",
                "disabled": False,
            }
            for key_type in ["SYSTEM_MANAGED"] + ["USER_MANAGED"] * user_keys
        ]
        return account

    def account(self, email: str) -> Json:
        found = self.accounts.get(email)
        if found is None:
            raise GcpError(404, "NOT_FOUND", f"Unknown service account {email}")
        return found

    def set_disabled(self, email: str, disabled: bool) -> Json:
        self.account(email)["disabled"] = disabled
        return {}

    def list_keys(self, email: str, key_types: list[str]) -> Json:
        self.account(email)
        return {"keys": [k for k in self.keys[email] if not key_types or k["keyType"] in key_types]}

    def set_key_disabled(self, email: str, key: str, disabled: bool) -> Json:
        for found in self.keys.get(email, []):
            if found["name"].rsplit("/", 1)[-1] == key:
                if found["keyType"] != "USER_MANAGED":
                    raise GcpError(
                        400, "FAILED_PRECONDITION", "system-managed keys cannot be disabled"
                    )
                found["disabled"] = disabled
                return {}
        raise GcpError(404, "NOT_FOUND", f"key {key} of {email} not found")
