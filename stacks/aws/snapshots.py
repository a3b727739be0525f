"""Snapshot automation: an AWS Backup vault under Vault Lock and a DLM policy for tagged volumes."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from prewire.core import tokens
from stacks.aws.base import child
from stacks.aws.documents import AwsEnv, service_trust, to_json
from stacks.tags import component_tags

# Days during which a new Vault Lock can still be removed; after that it is immutable
# (compliance mode). Three days is the minimum AWS allows.
VAULT_LOCK_GRACE_DAYS = 3
BACKUP_SCHEDULE = "cron(0 */12 * * ? *)"
DLM_INTERVAL_HOURS = 12


@dataclass
class SnapshotAutomationArgs:
    env: pulumi.Input[AwsEnv]
    kms_key_arn: pulumi.Input[str]
    tag_key: str
    tag_value: str
    retention_days: int


class SnapshotAutomation(pulumi.ComponentResource):
    vault: aws.backup.Vault
    plan: aws.backup.Plan
    lifecycle_policy: aws.dlm.LifecyclePolicy

    def __init__(
        self, name: str, args: SnapshotAutomationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_SNAPSHOT_AUTOMATION, name, None, opts)
        tags = component_tags(name)
        partition = pulumi.Output.from_input(args.env).apply(lambda env: env.partition)
        self.vault = aws.backup.Vault(
            f"{name}-vault",
            kms_key_arn=args.kms_key_arn,
            force_destroy=False,
            tags=tags,
            opts=child(self, protect=True),
        )
        aws.backup.VaultLockConfiguration(
            f"{name}-vault-lock",
            backup_vault_name=self.vault.name,
            min_retention_days=args.retention_days,
            changeable_for_days=VAULT_LOCK_GRACE_DAYS,
            opts=child(self),
        )
        self.plan = aws.backup.Plan(
            f"{name}-plan",
            rules=[
                {
                    "rule_name": "prewire-forensic-baseline",
                    "target_vault_name": self.vault.name,
                    "schedule": BACKUP_SCHEDULE,
                    "lifecycle": {"delete_after": args.retention_days},
                    "recovery_point_tags": tags,
                }
            ],
            tags=tags,
            opts=child(self),
        )
        backup_role = aws.iam.Role(
            f"{name}-backup",
            assume_role_policy=to_json(service_trust("backup.amazonaws.com")),
            tags=tags,
            opts=child(self),
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-backup-managed",
            role=backup_role.name,
            policy_arn=partition.apply(
                lambda p: (
                    f"arn:{p}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
                )
            ),
            opts=child(self),
        )
        aws.backup.Selection(
            f"{name}-selection",
            name=f"{name}-tagged",
            plan_id=self.plan.id,
            iam_role_arn=backup_role.arn,
            selection_tags=[{"type": "STRINGEQUALS", "key": args.tag_key, "value": args.tag_value}],
            opts=child(self),
        )
        dlm_role = aws.iam.Role(
            f"{name}-dlm",
            assume_role_policy=to_json(service_trust("dlm.amazonaws.com")),
            tags=tags,
            opts=child(self),
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-dlm-managed",
            role=dlm_role.name,
            policy_arn=partition.apply(
                lambda p: f"arn:{p}:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole"
            ),
            opts=child(self),
        )
        self.lifecycle_policy = aws.dlm.LifecyclePolicy(
            f"{name}-ebs",
            description="prewire: snapshots of tagged EBS volumes",
            execution_role_arn=dlm_role.arn,
            state="ENABLED",
            policy_details={
                "resource_types": ["VOLUME"],
                "target_tags": {args.tag_key: args.tag_value},
                "schedules": [
                    {
                        "name": "prewire-every-12-hours",
                        "create_rule": {"interval": DLM_INTERVAL_HOURS, "interval_unit": "HOURS"},
                        "retain_rule": {"interval": args.retention_days, "interval_unit": "DAYS"},
                        "copy_tags": True,
                        "tags_to_add": {"prewire:snapshot-by": "dlm"},
                    }
                ],
            },
            tags=tags,
            opts=child(self),
        )
        self.register_outputs(
            {
                "vaultName": self.vault.name,
                "planId": self.plan.id,
                "lifecyclePolicyId": self.lifecycle_policy.id,
            }
        )
