"""`aws.iam.get_policy_document` rendered offline, as the provider renders it.

Programs build most of their IAM policies with this invoke, so the rules that read policies
(responder scope, who may delete function versions, bucket policies) see the real document only
if the mock renders it: statements with Sid, Effect, (Not)Action, (Not)Resource, (Not)Principal and
Condition; source documents merged first, override documents replacing statements of the same Sid
(the semantics of Terraform's aws_iam_policy_document, which the provider bridges).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

VERSION = "2012-10-17"


def _one_or_many(values: Sequence[Any]) -> Any:
    items = list(values)
    return items[0] if len(items) == 1 else items


def _principals(entries: Sequence[Mapping[str, Any]]) -> Any:
    found: dict[str, list[str]] = {}
    for entry in entries:
        kind = str(entry.get("type"))
        found.setdefault(kind, []).extend(str(i) for i in entry.get("identifiers") or [])
    if set(found) == {"*"} and found["*"] == ["*"]:
        return "*"
    return {kind: _one_or_many(ids) for kind, ids in found.items()}


def _conditions(entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    found: dict[str, dict[str, Any]] = {}
    for entry in entries:
        values = [str(v) for v in entry.get("values") or []]
        found.setdefault(str(entry.get("test")), {})[str(entry.get("variable"))] = _one_or_many(
            values
        )
    return found


def statement(spec: Mapping[str, Any]) -> dict[str, Any]:
    """One statement from the invoke's wire-format arguments."""
    rendered: dict[str, Any] = {}
    if spec.get("sid"):
        rendered["Sid"] = spec["sid"]
    rendered["Effect"] = spec.get("effect") or "Allow"
    for key, name in (
        ("actions", "Action"),
        ("notActions", "NotAction"),
        ("resources", "Resource"),
        ("notResources", "NotResource"),
    ):
        if spec.get(key):
            rendered[name] = _one_or_many([str(v) for v in spec[key]])
    if spec.get("principals"):
        rendered["Principal"] = _principals(spec["principals"])
    if spec.get("notPrincipals"):
        rendered["NotPrincipal"] = _principals(spec["notPrincipals"])
    if spec.get("conditions"):
        rendered["Condition"] = _conditions(spec["conditions"])
    return rendered


def _statements_of(document: Any) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(document) if isinstance(document, str) else document
    except json.JSONDecodeError:
        return []
    found = parsed.get("Statement", []) if isinstance(parsed, dict) else []
    return [found] if isinstance(found, dict) else [s for s in found if isinstance(s, dict)]


def _merge(base: list[dict[str, Any]], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Statements of `extra` replace those of `base` with the same Sid, others are appended."""
    merged = list(base)
    for item in extra:
        sid = item.get("Sid")
        at = next((n for n, s in enumerate(merged) if sid and s.get("Sid") == sid), None)
        if at is None:
            merged.append(item)
        else:
            merged[at] = item
    return merged


def render_policy_document(args: Mapping[str, Any]) -> dict[str, Any]:
    """The invoke's result: `json`, `minifiedJson` and `id`."""
    statements: list[dict[str, Any]] = []
    for source in args.get("sourcePolicyDocuments") or []:
        statements = _merge(statements, _statements_of(source))
    statements = _merge(statements, [statement(s) for s in args.get("statements") or []])
    for override in args.get("overridePolicyDocuments") or []:
        statements = _merge(statements, _statements_of(override))
    document: dict[str, Any] = {"Version": args.get("version") or VERSION}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    document["Statement"] = statements
    minified = json.dumps(document, separators=(",", ":"))
    return {
        "json": json.dumps(document, indent=2),
        "minifiedJson": minified,
        "id": str(int(hashlib.sha256(minified.encode()).hexdigest()[:8], 16)),
    }
