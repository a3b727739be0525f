"""`prewire check` on programs shaped like the application code users write (written for these
tests, not copied): each renders, or fails with the one line its expect.yaml names, and each
expected finding is there.

expect.yaml keys: exit (the exit code), args (extra CLI arguments; `{here}` is the program's
folder), scope (the scope applied), failed (exactly the controls that fail), passed and baseline
(controls with at least one finding of that status), error (part of the one-line error for exit 2),
notes (parts of notes that must be printed), messages (control -> part of a finding's message).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from prewire.cli.main import app

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "programs" / "corpus"
PROGRAMS = sorted(p for p in CORPUS.iterdir() if (p / "expect.yaml").exists())
runner = CliRunner()


def expectations(program: Path) -> dict[str, Any]:
    data = yaml.safe_load((program / "expect.yaml").read_text())
    assert isinstance(data, dict)
    return data


def run_check(program: Path, expected: dict[str, Any]) -> Any:
    args = [str(a).replace("{here}", str(program)) for a in expected.get("args", [])]
    return runner.invoke(app, ["check", str(program), "--format", "json", *args])


def test_the_corpus_spans_the_three_clouds_and_the_patterns() -> None:
    assert len(PROGRAMS) >= 20
    clouds = {p.name.split("-", 1)[0] for p in PROGRAMS}
    assert clouds == {"aws", "azure", "gcp"}
    assert any(expectations(p)["exit"] == 0 and not expectations(p).get("failed") for p in PROGRAMS)


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_corpus_program(program: Path) -> None:
    expected = expectations(program)
    result = run_check(program, expected)
    output = result.stdout + (result.stderr or "")
    assert result.exit_code == expected["exit"], output[-3000:]
    assert "Traceback" not in output
    if expected["exit"] == 2:
        [line] = [text for text in (result.stderr or "").splitlines() if text.strip()]
        assert " ".join(line.split()).startswith("error:")
        assert expected["error"] in " ".join(output.split())
        return
    document = json.loads(result.stdout)
    findings = document["findings"]
    assert document["scope"]["scope"] == expected["scope"]
    by_status: dict[str, set[str]] = {}
    for finding in findings:
        by_status.setdefault(finding["status"], set()).add(finding["control"])
        assert finding["scope"] in ("account", "resource")
    assert by_status.get("failed", set()) == set(expected.get("failed", [])), findings
    assert set(expected.get("passed", [])) <= by_status.get("passed", set())
    assert set(expected.get("baseline", [])) <= by_status.get("baseline", set())
    for part in expected.get("notes", []):
        assert any(part in note for note in document["notes"]), document["notes"]
    for control, part in (expected.get("messages") or {}).items():
        texts = [f["message"] for f in findings if f["control"] == control]
        assert any(part in text for text in texts), (control, texts)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_findings_do_not_depend_on_the_order_resources_registered_in(program: Path) -> None:
    """Under the mocks resources register in the order their inputs resolve, which varies from
    run to run; the same program must give the same findings in any order."""
    from dataclasses import replace

    from policies.scope import CheckScope
    from policies.static.engine import evaluate
    from prewire.render import ProgramError, render

    expected = expectations(program)
    if expected.get("exit") == 2 or expected.get("args"):
        pytest.skip("does not render without its arguments")
    try:
        graph = render(program)
    except ProgramError:
        pytest.skip("does not render without its configuration")

    def summary(resources: list[Any]) -> list[tuple[str, str | None, str]]:
        findings = evaluate(replace(graph, resources=resources), scope=CheckScope.ALL)
        return [(f.control.id, f.resource, f.message) for f in findings]

    assert summary(list(graph.resources)) == summary(list(reversed(graph.resources)))
