"""What the AWS scenarios share: the run they judge."""

from __future__ import annotations

from prewire.drill.aws.environment import PreparedAccount
from prewire.drill.scenarios import ScenarioRun

AwsRun = ScenarioRun[PreparedAccount]
