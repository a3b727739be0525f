"""Plausible values for what a provider computes, so rendered programs behave as under `pulumi up`.

A program that does `cluster.certificate_authority.data`, `Output.concat("https://",
cdn.domain_name)` or `api.execution_arn.apply(lambda a: f"{a}/*/*")` needs a value where the real
engine would have one. The values are derived from the type token, the logical and physical
names and the property's wire name, deterministically, and are recognisably fake (TEST-NET
addresses, `prewire-mock-...` strings, base64 of a `prewire-mock` text for keys and certificates).

Only properties a program cannot set are filled. A settable property the program left out keeps
the provider's default (absent), because that is what rules reason about: a trail without
`kmsKeyId` must still be judged as unencrypted.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prewire.render import sdk

MAX_DEPTH = 5
MOCK_TIME = "2026-01-01T00:00:00Z"
SECRET_WORDS = ("key", "secret", "password", "token", "certificate", "kubeconfig", "credential")
# Bridged providers list some computed attributes of nested blocks as inputs too (a GKE cluster's
# masterAuth.clusterCaCertificate). Inside nested objects, strings with these names are filled
# even so: a program never sets them, and no rule reads them.
COMPUTED_BY_NATURE = ("certificate", "endpoint", "fingerprint", "issuer")


@dataclass(frozen=True)
class Naming:
    """What a resource's computed values are derived from."""

    token: str
    logical: str
    physical: str
    resource_id: str
    region: str
    account: str

    @property
    def package(self) -> str:
        return self.token.split(":", 1)[0]

    @property
    def service(self) -> str:
        middle = [*self.token.split(":"), ""][1]
        return middle.split("/", 1)[0].replace("lambda_", "lambda")

    def digest(self, salt: str, length: int = 12) -> str:
        return hashlib.sha256(f"{self.token}|{self.logical}|{salt}".encode()).hexdigest()[:length]


def complete(cls: type | None, given: Mapping[str, Any], naming: Naming) -> dict[str, Any]:
    """`given` plus a plausible value for every property of `cls` a program cannot set."""
    if cls is None:
        return dict(given)
    return _complete(cls, dict(given), naming, depth=0, path=(cls,))


def _computed_by_nature(wire: str, hint: Any, nested: bool) -> bool:
    if not nested or hint is not str:
        return False
    lower = wire.lower()
    network_id = lower.endswith("id") and lower.removesuffix("id").endswith(
        ("vpc", "securitygroup")
    )
    return network_id or lower == "clientkey" or any(w in lower for w in COMPUTED_BY_NATURE)


class Fill(enum.Enum):
    EVERYTHING = "everything"
    """An output-only object: all of it is computed, even where the SDK has an input type of
    the same shape (used for `.get()` state)."""
    COMPUTED = "computed"
    """What the program cannot set, and strings computed by nature inside nested objects."""
    BY_NATURE = "by nature"
    """An object the program could set but left out: only what only the provider can hold
    (a GKE cluster's masterAuth.clusterCaCertificate). Its other output-only fields stay out:
    an identity the program did not ask for is no identity, not one with a principalId."""


def _complete(
    cls: type,
    given: dict[str, Any],
    naming: Naming,
    *,
    depth: int,
    path: tuple[type, ...],
    fill: Fill = Fill.COMPUTED,
) -> dict[str, Any]:
    settable = None if fill is Fill.EVERYTHING else sdk.settable(cls)
    nested = len(path) > 1
    for wire, hint in sdk.fields(cls).items():
        if wire in given:
            given[wire] = _complete_nested(hint, given[wire], naming, depth, path)
            continue
        by_nature = _computed_by_nature(wire, hint, nested)
        computed = settable is None or wire not in settable
        if by_nature or (computed and fill is not Fill.BY_NATURE):
            value = _value(hint, wire, naming, depth + 1, path)
            if value is not None:
                given[wire] = value
        elif sdk.is_output_type(hint) and hint not in path and depth < MAX_DEPTH:
            inner = _complete(
                hint, {}, naming, depth=depth + 1, path=(*path, hint), fill=Fill.BY_NATURE
            )
            if inner:
                given[wire] = inner
    return given


def _complete_nested(
    hint: Any, value: Any, naming: Naming, depth: int, path: tuple[type, ...]
) -> Any:
    """Fill the computed parts of an object the program gave (e.g. a cluster's `vpcConfig`)."""
    if depth >= MAX_DEPTH:
        return value
    if sdk.is_output_type(hint) and isinstance(value, dict) and hint not in path:
        return _complete(hint, dict(value), naming, depth=depth + 1, path=(*path, hint))
    if sdk.is_sequence(hint) and isinstance(value, list):
        item = sdk.item_type(hint)
        return [_complete_nested(item, v, naming, depth + 1, path) for v in value]
    return value


def _value(hint: Any, wire: str, naming: Naming, depth: int, path: tuple[type, ...]) -> Any:
    if depth > MAX_DEPTH:
        return None
    if hint is str:
        return text(wire, naming)
    if hint is bool:
        return False
    if hint is int:
        return 1
    if hint is float:
        return 1.0
    if sdk.is_sequence(hint):
        item = _value(sdk.item_type(hint), wire, naming, depth + 1, path)
        return [] if item is None else [item]
    if sdk.is_mapping(hint):
        return {}
    if sdk.is_output_type(hint):
        if hint in path:
            return None
        return _complete(hint, {}, naming, depth=depth, path=(*path, hint), fill=Fill.EVERYTHING)
    return text(wire, naming)  # Any, enums, unions: a string is the least surprising value


# -- strings ---------------------------------------------------------------------------------------


def _kebab(wire: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", wire).lower()


def _fake_secret(wire: str, naming: Naming) -> str:
    return base64.b64encode(
        f"prewire-mock-{_kebab(wire)}-{naming.digest(wire, 8)}".encode()
    ).decode()


def _address(wire: str, naming: Naming) -> str:
    host = int(naming.digest(wire, 4), 16) % 254 + 1
    return f"2001:db8::{host:x}" if "ipv6" in wire.lower() else f"192.0.2.{host}"


def _domain(wire: str, naming: Naming) -> str:
    label = re.sub(r"[^a-z0-9-]", "-", naming.physical.lower())[:40].strip("-") or "mock"
    package = naming.package
    if package == "aws":
        if naming.service == "cloudfront":
            return f"d{naming.digest(wire, 13)}.cloudfront.net"
        if naming.service == "s3":
            regional = "regional" in wire.lower()
            return (
                f"{label}.s3.{naming.region}.amazonaws.com"
                if regional
                else f"{label}.s3.amazonaws.com"
            )
        return f"{label}-{naming.digest(wire, 8)}.{naming.service}.{naming.region}.amazonaws.com"
    if package.startswith("azure"):
        return f"{label}.{naming.service}.azure.invalid"
    if package == "gcp":
        return f"{label}-{naming.digest(wire, 8)}.{naming.region or 'global'}.gcp.invalid"
    return f"{label}.{package}.invalid"


def _aws_arn(wire: str, naming: Naming) -> str:
    base = wire[: -len("Arn")] if wire.endswith("Arn") else ""
    if wire == "executionArn":
        return f"arn:aws:execute-api:{naming.region}:{naming.account}:{naming.resource_id}"
    if wire == "invokeArn":
        function = f"arn:aws:lambda:{naming.region}:{naming.account}:function:{naming.physical}"
        path = f"path/2015-03-31/functions/{function}/invocations"
        return f"arn:aws:apigateway:{naming.region}:lambda:{path}"
    if wire == "qualifiedArn":
        return f"arn:aws:lambda:{naming.region}:{naming.account}:function:{naming.physical}:1"
    kind = _kebab(base) if base else naming.token.rsplit(":", 1)[-1].lower()
    return f"arn:aws:{naming.service}:{naming.region}:{naming.account}:{kind}/{naming.physical}"


AWS_ID_PREFIXES = {
    "vpc": "vpc-",
    "subnet": "subnet-",
    "securitygroup": "sg-",
    "clustersecuritygroup": "sg-",
    "instance": "i-",
    "networkinterface": "eni-",
    "volume": "vol-",
    "snapshot": "snap-",
    "image": "ami-",
    "routetable": "rtb-",
    "internetgateway": "igw-",
    "natgateway": "nat-",
    "allocation": "eipalloc-",
    "transitgateway": "tgw-",
}


def _identifier(wire: str, naming: Naming) -> str:
    base = wire[: -len("Id")].lower() if wire.endswith("Id") else wire.lower()
    package = naming.package
    prefix = AWS_ID_PREFIXES.get(base)
    if package in ("aws", "pulumi") and prefix:  # "pulumi": a stack reference's outputs
        return prefix + naming.digest(wire, 17)
    if package == "aws":
        if base in ("owner", "account"):
            return naming.account
        if base in ("hostedzone", "zone"):
            return "Z" + naming.digest(wire, 13).upper()
        if base in ("key", "kmskey"):
            return str(uuid.UUID(naming.digest(wire, 32)))
        return naming.digest(wire, 20)
    if package.startswith("azure"):
        if base == "tenant":
            return "00000000-0000-4000-8000-0000000000aa"
        return str(uuid.UUID(naming.digest(wire, 32)))
    if package == "gcp":
        return str(int(naming.digest(wire, 16), 16))[:19]
    return f"mock-{naming.digest(wire, 16)}"


def text(wire: str, naming: Naming) -> str:
    """A plausible, recognisably fake string for a computed property named `wire`."""
    lower = wire.lower()
    if wire == "id":
        return naming.resource_id
    if lower == "arn" or (naming.package == "aws" and wire.endswith("Arn")):
        return _aws_arn(wire, naming)
    if wire.endswith("Id") or lower in ("uid", "uniqueid"):
        return _identifier(wire, naming)
    if lower == "name":
        return naming.physical
    if lower.endswith(("domainname", "dnsname", "hostname", "fqdn")):
        return _domain(wire, naming)
    if wire.endswith("Name"):
        return f"{naming.physical}-{_kebab(wire[:-4])}"
    if lower.endswith(("url", "uri", "endpoint", "issuer")):
        return f"https://{_domain(wire, naming)}/"
    if wire in ("ip", "ipAddress") or wire.endswith(("Ip", "IpAddress", "Ipv6Address")):
        return _address(wire, naming)
    if any(word in lower for word in SECRET_WORDS) or lower in ("data", "value"):
        return _fake_secret(wire, naming)
    if lower.endswith(("time", "date", "timestamp")) or lower in ("createdat", "updatedat"):
        return MOCK_TIME
    if lower in ("region", "location"):
        return naming.region
    if lower in ("zone", "availabilityzone"):
        return f"{naming.region}a"
    if lower.endswith("version"):
        return "1"
    if lower in ("status", "state"):
        return "ACTIVE"
    if lower == "selflink":
        return f"https://www.googleapis.com/mock/v1/{naming.resource_id}"
    return f"prewire-mock-{_kebab(wire)}-{naming.digest(wire, 8)}"
