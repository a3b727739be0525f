"""`prewire:gcp:ResponderIdentities`: who may respond, with exactly what the responders need, and
who may break glass, time-bounded, with an alert whenever it is used.

- The responder: a service account (and any configured members) holding a custom role whose
  permissions are generated from what the GCP responders declare for containment and collection,
  bound at the project (Cloud Build only where VMDK export is enabled), and a second one for
  reading and writing evidence, bound on the evidence bucket only.
- Break glass: a custom role with the responder's permissions and release's (re-enabling
  service accounts and keys, restoring external access) plus read-only predefined roles
  (IAM conditions do not apply to basic roles such as Viewer), bound to a
  configured group under an IAM condition that expires at `prewire:gcp.breakGlassUntil` (dormant
  by default: opening it is a reviewed config change and `pulumi up`). A log-based alert fires on
  every change of that binding and on every action of the listed break-glass callers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from prewire.core import tokens
from responders.gcp.permissions import EVIDENCE, break_glass_permissions, responder_permissions
from stacks.gcp.base import child

RESPONDER_ROLE_ID = "prewireResponder"
RESPONDER_ACCOUNT_ID = "prewire-responder"
BREAK_GLASS_ROLE_ID = "prewireBreakGlass"
EVIDENCE_ROLE_ID = "prewireResponderEvidence"
BREAK_GLASS_READERS = (
    "roles/compute.viewer",
    "roles/logging.privateLogViewer",
    "roles/iam.securityReviewer",
)


def break_glass_condition(until: str) -> gcp.projects.IAMMemberConditionArgs:
    return gcp.projects.IAMMemberConditionArgs(
        title="prewire break glass window",
        description="break-glass access holds until this time (UTC)",
        expression=f'request.time < timestamp("{until}")',
    )


def break_glass_filter(project: str, callers: Sequence[str]) -> str:
    role = f"projects/{project}/roles/{BREAK_GLASS_ROLE_ID}"
    changed = (
        'protoPayload.methodName="SetIamPolicy" AND '
        f'protoPayload.serviceData.policyDelta.bindingDeltas.role="{role}"'
    )
    if not callers:
        return changed
    used = " OR ".join(f'protoPayload.authenticationInfo.principalEmail="{c}"' for c in callers)
    return f"({changed}) OR ({used})"


@dataclass
class ResponderIdentitiesArgs:
    project: str
    evidence_bucket: pulumi.Input[str]
    """Where the responder's evidence role is bound."""
    break_glass_group: str
    break_glass_until: str
    break_glass_callers: Sequence[str] = ()
    responder_members: Sequence[str] = ()
    alert_email: str | None = None
    vmdk_export: bool = False
    """The responder may create Cloud Build builds (for `snapshot-disks --export-vmdk`)."""


class ResponderIdentities(pulumi.ComponentResource):
    responder: gcp.serviceaccount.Account

    def __init__(
        self, name: str, args: ResponderIdentitiesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.GCP_IDENTITIES, name, None, opts)
        permissions = responder_permissions(vmdk_export=args.vmdk_export)
        self.responder = gcp.serviceaccount.Account(
            f"{name}-responder",
            account_id=RESPONDER_ACCOUNT_ID,
            project=args.project,
            display_name="prewire responder",
            description="prewire: runs the GCP responders; role generated from their permissions",
            opts=child(self),
        )
        responder_role = self._role(
            f"{name}-responder-role",
            args.project,
            RESPONDER_ROLE_ID,
            "prewire responder",
            "prewire: what the GCP responders declare, nothing more",
            permissions,
        )
        members: list[pulumi.Input[str]] = [
            self.responder.email.apply(lambda email: f"serviceAccount:{email}"),
            *args.responder_members,
        ]
        evidence_role = self._role(
            f"{name}-evidence-role",
            args.project,
            EVIDENCE_ROLE_ID,
            "prewire responder (evidence)",
            "prewire: reading and writing evidence, bound on the evidence bucket only",
            sorted(EVIDENCE),
        )
        for index, member in enumerate(members):
            gcp.projects.IAMMember(
                f"{name}-responder-{index}",
                project=args.project,
                role=responder_role.name,
                member=member,
                opts=child(self),
            )
            gcp.storage.BucketIAMMember(
                f"{name}-responder-evidence-{index}",
                bucket=args.evidence_bucket,
                role=evidence_role.name,
                member=member,
                opts=child(self),
            )
        break_glass = self._role(
            f"{name}-break-glass-role",
            args.project,
            BREAK_GLASS_ROLE_ID,
            "prewire break glass",
            "prewire: the responder's permissions and release, for incident commanders",
            break_glass_permissions(vmdk_export=args.vmdk_export),
        )
        group = f"group:{args.break_glass_group}"
        roles: list[pulumi.Input[str]] = [break_glass.name, *BREAK_GLASS_READERS]
        for index, role in enumerate(roles):
            gcp.projects.IAMMember(
                f"{name}-break-glass-{index}",
                project=args.project,
                role=role,
                member=group,
                condition=break_glass_condition(args.break_glass_until),
                opts=child(self),
            )
        self._alert(name, args)
        self.register_outputs(
            {"responder": self.responder.email, "responderRole": responder_role.name}
        )

    def _role(
        self,
        name: str,
        project: str,
        role_id: str,
        title: str,
        description: str,
        permissions: list[str],
    ) -> gcp.projects.IAMCustomRole:
        return gcp.projects.IAMCustomRole(
            name,
            project=project,
            role_id=role_id,
            title=title,
            description=description,
            permissions=permissions,
            stage="GA",
            opts=child(self),
        )

    def _alert(self, name: str, args: ResponderIdentitiesArgs) -> None:
        channels = []
        if args.alert_email:
            channels.append(
                gcp.monitoring.NotificationChannel(
                    f"{name}-security-email",
                    project=args.project,
                    type="email",
                    display_name="prewire security",
                    labels={"email_address": args.alert_email},
                    opts=child(self),
                ).id
            )
        gcp.monitoring.AlertPolicy(
            f"{name}-break-glass-used",
            project=args.project,
            display_name="prewire: break glass opened or used",
            combiner="OR",
            conditions=[
                {
                    "display_name": "break-glass binding changed or a break-glass caller acted",
                    "condition_matched_log": {
                        "filter": break_glass_filter(args.project, args.break_glass_callers)
                    },
                }
            ],
            # Log-match alerts need a rate limit; one notification per five minutes at most.
            alert_strategy={"notification_rate_limit": {"period": "300s"}},
            notification_channels=channels,
            severity="CRITICAL",
            opts=child(self),
        )
