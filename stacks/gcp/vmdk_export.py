"""`prewire:gcp:VmdkExportAccess`: what Google's image export needs for `snapshot-disks
--export-vmdk` (only with `prewire:gcp.vmdkExport: true`).

The export runs as a Cloud Build step that boots a temporary worker instance, so Google requires
the Cloud Build service account to administer Compute Engine and act as the Compute Engine
default service account (granted on that account only, not project-wide as Google's guide
does), and that account to manage disk images. These are broad grants to
Google-managed accounts, which is why the export is opt-in, in the stack and in the responder.
Both accounts may write (create only: the bucket's lock forbids replacing) into the evidence
bucket, where the file lands.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from prewire.core import tokens
from stacks.gcp.base import child

CLOUD_BUILD_ROLES = ("roles/compute.admin",)
ACT_AS_ROLES = ("roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator")
"""Held on the Compute Engine default account only (Google's guide grants them project-wide)."""
COMPUTE_ROLES = ("roles/compute.storageAdmin",)


@dataclass
class VmdkExportAccessArgs:
    project: str
    evidence_bucket: pulumi.Input[str]


def export_accounts(number: str) -> tuple[str, str]:
    """(Cloud Build's legacy service account, the Compute Engine default service account)."""
    return (
        f"{number}@cloudbuild.gserviceaccount.com",
        f"{number}-compute@developer.gserviceaccount.com",
    )


class VmdkExportAccess(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: VmdkExportAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.GCP_VMDK_EXPORT, name, None, opts)
        number = gcp.organizations.get_project_output(project_id=args.project).number
        cloud_build = number.apply(lambda n: f"serviceAccount:{export_accounts(n)[0]}")
        compute_email = number.apply(lambda n: export_accounts(n)[1])
        compute = compute_email.apply(lambda email: f"serviceAccount:{email}")
        grants = [(cloud_build, r) for r in CLOUD_BUILD_ROLES] + [
            (compute, r) for r in COMPUTE_ROLES
        ]
        for index, (member, role) in enumerate(grants):
            gcp.projects.IAMMember(
                f"{name}-{index}", project=args.project, role=role, member=member, opts=child(self)
            )
        for index, role in enumerate(ACT_AS_ROLES):
            gcp.serviceaccount.IAMMember(
                f"{name}-act-as-{index}",
                service_account_id=compute_email.apply(
                    lambda email: f"projects/{args.project}/serviceAccounts/{email}"
                ),
                role=role,
                member=cloud_build,
                opts=child(self),
            )
        for index, member in enumerate((cloud_build, compute)):
            gcp.storage.BucketIAMMember(
                f"{name}-writer-{index}",
                bucket=args.evidence_bucket,
                role="roles/storage.objectCreator",
                member=member,
                opts=child(self),
            )
        self.register_outputs({})
