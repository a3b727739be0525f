"""What provisioning a rendered stack into a target left behind, on any cloud.

Each cloud's drill provisions the kit's stack its own way (the AWS APIs, the Azure Resource
Manager, the GCP REST fake); they all report the same record, so the drill and its report
read one shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Provisioned:
    created: list[str] = field(default_factory=list)
    not_created: dict[str, str] = field(default_factory=dict)
    replacements: dict[str, str] = field(default_factory=dict)

    def real(self, rendered: str) -> str:
        return self.replacements.get(rendered, rendered)


def summary(result: Provisioned) -> dict[str, Any]:
    return {"created": len(result.created), "not_created": result.not_created}


def dumps(result: Provisioned) -> str:
    return json.dumps(summary(result), indent=2)
