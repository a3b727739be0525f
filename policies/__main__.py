"""CrossGuard entry point: `pulumi preview --policy-pack policies` runs this file."""

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.crossguard import build_policies

PolicyPack(
    name="prewire-forensic-readiness",
    description="prewire: forensic readiness controls (same rules as `prewire check`)",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=build_policies(),
)
