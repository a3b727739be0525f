"""Finding output formats shared by `prewire check` and `prewire audit`: table, JSON, SARIF 2.1.0
(for code-scanning UIs) and JUnit XML (for pipelines)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from policies.findings import Finding, Status, summary
from prewire import __version__
from prewire.core.vocabulary import Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
SKIPPED = (Status.UNKNOWN, Status.BASELINE)
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}


def to_json(findings: Sequence[Finding], extra: dict[str, Any] | None = None) -> str:
    document = {
        "findings": [f.as_dict() for f in findings],
        "summary": summary(findings),
        **(extra or {}),
    }
    return json.dumps(document, indent=2, default=str)


def _physical_location(finding: Finding, artifact_uri: str) -> dict[str, Any]:
    """The line that declared the resource where the render recorded it, else the program."""
    file, line = finding.location.get("file"), finding.location.get("line")
    if not file or not line:
        return {"artifactLocation": {"uri": artifact_uri}}
    return {"artifactLocation": {"uri": file}, "region": {"startLine": int(line)}}


def to_sarif(
    findings: Sequence[Finding], artifact_uri: str, scope: dict[str, str] | None = None
) -> str:
    failed = [f for f in findings if f.status is Status.FAILED]
    controls = {f.control.id: f.control for f in findings}
    rules = [
        {
            "id": control.id,
            "name": control.id.replace("-", ""),
            "shortDescription": {"text": control.title},
            "fullDescription": {"text": control.rationale},
            "help": {"text": control.remediation},
            "defaultConfiguration": {"level": SARIF_LEVEL[control.severity]},
            "properties": {
                "security-severity": SECURITY_SEVERITY[control.severity],
                "tags": [
                    "security",
                    "forensic-readiness",
                    control.cloud.value,
                    *[s.value for s in control.sources],
                ],
            },
        }
        for control in sorted(controls.values(), key=lambda c: c.id)
    ]
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    results = [
        {
            "ruleId": f.control.id,
            "ruleIndex": index[f.control.id],
            "level": SARIF_LEVEL[f.control.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": _physical_location(f, artifact_uri),
                    "logicalLocations": [
                        {"name": f.resource or "(whole program)", "kind": "resource"}
                    ],
                }
            ],
            "properties": {
                "source": f.source,
                "scope": f.control.scope.value,
                **({"checkovId": f.checkov_id} if f.checkov_id else {}),
            },
        }
        for f in failed
    ]
    run = {
        "tool": {
            "driver": {
                "name": "prewire",
                "version": __version__,
                "informationUri": "https://github.com/prewire/prewire",
                "rules": rules,
            }
        },
        "results": results,
    }
    if scope:
        run["properties"] = {"scope": scope}
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def to_junit(
    findings: Sequence[Finding], suite: str = "prewire", scope: dict[str, str] | None = None
) -> str:
    counts = summary(findings)
    root = ET.Element(
        "testsuites",
        name=suite,
        tests=str(counts["total"]),
        failures=str(counts["failed"]),
        skipped=str(counts["unknown"] + counts["baseline"]),
    )
    if scope:  # which controls judged the program, and why
        properties = ET.SubElement(root, "properties")
        for key, value in scope.items():
            ET.SubElement(properties, "property", name=f"scope.{key}", value=value)
    by_control: dict[str, list[Finding]] = {}
    for finding in findings:
        by_control.setdefault(finding.control.id, []).append(finding)
    for control_id, group in sorted(by_control.items()):
        failures = sum(f.status is Status.FAILED for f in group)
        element = ET.SubElement(
            root,
            "testsuite",
            name=f"{control_id} {group[0].control.title}",
            tests=str(len(group)),
            failures=str(failures),
            skipped=str(sum(f.status in SKIPPED for f in group)),
        )
        for finding in group:
            case = ET.SubElement(
                element,
                "testcase",
                classname=control_id,
                name=finding.resource or "(whole program)",
            )
            # The attributes JUnit readers (GitLab, Jenkins, ...) show as the test's source.
            for key in ("file", "line"):
                if key in finding.location:
                    case.set(key, finding.location[key])
            ET.SubElement(
                ET.SubElement(case, "properties"),
                "property",
                name="scope",
                value=finding.control.scope.value,
            )
            if finding.status is Status.FAILED:
                failure = ET.SubElement(
                    case, "failure", type=finding.control.severity.value, message=finding.message
                )
                failure.text = finding.control.remediation
            elif finding.status in SKIPPED:
                ET.SubElement(case, "skipped", message=finding.message)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
