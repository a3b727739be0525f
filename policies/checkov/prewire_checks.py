"""prewire's readiness controls as checkov custom checks, for Terraform users.

    checkov -d infra/ --external-checks-dir /path/to/prewire/policies/checkov

Each check calls the same rule function `prewire check` runs on Pulumi programs
(`policies/terraform_rules.py`). Check ids are CKV_PREWIRE_<control id>.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from checkov.common.models.enums import CheckCategories, CheckResult  # noqa: E402
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck  # noqa: E402

from policies.terraform_rules import CHECKS, TerraformCheck  # noqa: E402


class PrewireCheck(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self, check: TerraformCheck) -> None:
        self.prewire = check
        super().__init__(
            name=check.title,
            id=check.checkov_id,
            categories=[CheckCategories.LOGGING],
            supported_resources=list(check.tf_types),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        tf_type = self.entity_type or self.prewire.tf_types[0]
        problem = self.prewire.evaluate(tf_type, "resource", conf)
        if problem:
            self.details.append(problem)
            return CheckResult.FAILED
        return CheckResult.PASSED


for _check in CHECKS:
    PrewireCheck(_check)
