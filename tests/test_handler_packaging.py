"""The deployed function imports only the standard library and boto3 on its handler path."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("pulumi", "typer", "rich", "yaml", "moto", "requests", "stacks", "policies")


def test_handler_import_path_needs_only_boto3() -> None:
    code = (
        "import json, sys; import responders.aws.handler as h; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(result.stdout))
    assert not loaded & set(FORBIDDEN), loaded & set(FORBIDDEN)
    assert "boto3" in loaded
