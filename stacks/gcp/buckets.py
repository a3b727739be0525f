"""`prewire:gcp:LockedBuckets`: the audit-log bucket and the evidence bucket.

Both: uniform bucket-level access, public access prevention enforced, versioning, soft delete,
CMEK where configured, and a retention policy that the stack locks (Bucket Lock): nobody, the
project owner included, can delete or overwrite an object before it has been kept for the
retention period, or shorten the period. Locking cannot be undone; the buckets are `protect`ed
so `pulumi destroy` refuses them too.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from prewire.core import tokens
from stacks.gcp.base import SECONDS_PER_DAY, bucket_name, child, labels

MAX_SOFT_DELETE_DAYS = 90


@dataclass
class LockedBucketsArgs:
    project: str
    location: str
    retention_days: int
    kms_key_name: str | None = None


class LockedBuckets(pulumi.ComponentResource):
    audit: gcp.storage.Bucket
    evidence: gcp.storage.Bucket

    def __init__(
        self, name: str, args: LockedBucketsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.GCP_BUCKETS, name, None, opts)
        grant = self._key_grant(name, args) if args.kms_key_name else None
        self.audit = self._bucket(f"{name}-audit", "audit-store", args, grant)
        self.evidence = self._bucket(f"{name}-evidence", "evidence-store", args, grant)
        self.register_outputs({"audit": self.audit.name, "evidence": self.evidence.name})

    def _key_grant(self, name: str, args: LockedBucketsArgs) -> gcp.kms.CryptoKeyIAMMember:
        """Cloud Storage's service agent may use the key (else writes fail)."""
        agent = gcp.storage.get_project_service_account_output(project=args.project)
        return gcp.kms.CryptoKeyIAMMember(
            f"{name}-key-use",
            crypto_key_id=str(args.kms_key_name),
            role="roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member=agent.email_address.apply(lambda email: f"serviceAccount:{email}"),
            opts=child(self),
        )

    def _bucket(
        self,
        name: str,
        role: str,
        args: LockedBucketsArgs,
        key_grant: gcp.kms.CryptoKeyIAMMember | None,
    ) -> gcp.storage.Bucket:
        return gcp.storage.Bucket(
            name,
            name=bucket_name(args.project, role.split("-")[0]),
            project=args.project,
            location=args.location,
            storage_class="STANDARD",
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning=gcp.storage.BucketVersioningArgs(enabled=True),
            soft_delete_policy=gcp.storage.BucketSoftDeletePolicyArgs(
                retention_duration_seconds=MAX_SOFT_DELETE_DAYS * SECONDS_PER_DAY
            ),
            retention_policy=gcp.storage.BucketRetentionPolicyArgs(
                retention_period=str(args.retention_days * SECONDS_PER_DAY), is_locked=True
            ),
            encryption=gcp.storage.BucketEncryptionArgs(default_kms_key_name=args.kms_key_name)
            if args.kms_key_name
            else None,
            force_destroy=False,
            labels=labels(tokens.GCP_BUCKETS, role),
            opts=child(self, protect=True, depends_on=[key_grant] if key_grant else []),
        )
