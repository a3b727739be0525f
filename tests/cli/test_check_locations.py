"""`prewire check` findings point at the line that declared the resource: the render keeps the
source position Pulumi records for each registration (under the mocks too)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from xml.etree import ElementTree as ET

from tests.cli.test_check import GAPPY, run


def _declarations(program: Path) -> dict[str, int]:
    """`Class::name` -> the first line of the call that declares it, read with ast."""
    spans = {}
    for node in ast.walk(ast.parse(program.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            spans[f"{node.func.attr}::{node.args[0].value}"] = node.lineno
    return spans


def _declared(label: str) -> str:
    """`aws:iam/role:Role::cleanup` -> `Role::cleanup`."""
    kind, _, name = label.partition("::")
    return f"{kind.rsplit(':', 1)[-1]}::{name}"


def test_findings_point_at_the_line_that_declares_the_resource(tmp_path: Path) -> None:
    """SARIF regions (code scanning annotates the pull request's line), JUnit's file and line
    attributes and the JSON fields all carry the declaring call's first line."""
    spans = _declarations(Path(GAPPY) / "__main__.py")
    run(GAPPY, "--format", "sarif", "--output", str(tmp_path / "out.sarif"))
    results = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"]
    located = 0
    for result in results:
        [location] = result["locations"]
        name = _declared(location["logicalLocations"][0]["name"])
        region = location["physicalLocation"].get("region")
        if name in spans:
            assert region == {"startLine": spans[name]}, result
            assert location["physicalLocation"]["artifactLocation"]["uri"].endswith(
                "gappy_aws/__main__.py"
            )
            located += 1
        else:
            assert region is None  # a whole-program finding points at the program
    assert located >= 8
    run(GAPPY, "--format", "junit", "--output", str(tmp_path / "junit.xml"))
    cases = ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    db = [c for c in cases if c.get("name", "").endswith("::db")]
    assert db and all(c.get("line") == str(spans["Instance::db"]) for c in db)
    _, out = run(GAPPY, "--format", "json")
    vpc = [f for f in json.loads(out)["findings"] if str(f["resource"]).endswith("Vpc::app")]
    assert vpc and {f["line"] for f in vpc} == {str(spans["Vpc::app"])}
