"""`prewire:azure:ResponderIdentities`: who may respond, with exactly what the responders need,
and who may break glass, with an alert whenever they do.

- The responder: a user-assigned managed identity (for automation in Azure) and any configured
  Entra principals, holding a custom role generated from the permissions the Azure responders
  declare, split in two: the control-plane operations at the subscription, and the evidence
  operations (blob reads and writes are data actions) on the evidence store only.
- Break glass: a custom role with read access everywhere plus the responder's operations,
  assigned to a configured Entra group, and an Activity Log alert on every administrative
  operation by the listed break-glass callers (or, without a list, on every role assignment
  change in the subscription) to the alert address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_azure_native.monitor as monitor

from prewire.core import tokens
from prewire.core.vocabulary import Cloud
from responders.azure.discovery import Role
from responders.registry import Permission, Scope, required_permissions
from stacks.azure.base import child, subscription_scope, tags

EVIDENCE_SCOPES = (Scope.EVIDENCE_BUCKET, Scope.EVIDENCE_OBJECTS)


def is_data_action(operation: str) -> bool:
    """Blob reads and writes are data actions in Azure RBAC; the rest are actions."""
    return "/blobs/" in operation


def split(permissions: Sequence[Permission]) -> tuple[list[str], list[str], list[str]]:
    """(subscription actions, evidence actions, evidence data actions), sorted, no duplicates."""
    subscription = sorted({p.action for p in permissions if p.scope not in EVIDENCE_SCOPES})
    evidence = [p.action for p in permissions if p.scope in EVIDENCE_SCOPES]
    return (
        subscription,
        sorted({a for a in evidence if not is_data_action(a)}),
        sorted({a for a in evidence if is_data_action(a)}),
    )


@dataclass
class ResponderIdentitiesArgs:
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    evidence_account_id: pulumi.Input[str]
    break_glass_group_object_id: str
    break_glass_callers: Sequence[str] = ()
    responder_principal_ids: Sequence[str] = ()
    alert_email: str | None = None


class ResponderIdentities(pulumi.ComponentResource):
    responder: managedidentity.UserAssignedIdentity
    break_glass_role: authorization.RoleDefinition

    def __init__(
        self, name: str, args: ResponderIdentitiesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AZURE_IDENTITIES, name, None, opts)
        scope = subscription_scope(args.subscription_id)
        actions, evidence_actions, evidence_data = split(required_permissions(Cloud.AZURE))
        self.responder = managedidentity.UserAssignedIdentity(
            f"{name}-responder",
            resource_name_="prewire-responder",
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=tags(tokens.AZURE_IDENTITIES, Role.RESPONDER_IDENTITY.value),
            opts=child(self),
        )
        responder_role = self._role(
            f"{name}-responder-role", "prewire responder", scope, actions, [], "responders"
        )
        evidence_role = self._role(
            f"{name}-evidence-role",
            "prewire responder (evidence)",
            scope,
            evidence_actions,
            evidence_data,
            "the evidence store",
        )
        principals: list[tuple[str, pulumi.Input[str], str | None]] = [
            ("identity", self.responder.principal_id, "ServicePrincipal"),
            *((f"principal-{i}", p, None) for i, p in enumerate(args.responder_principal_ids)),
        ]
        for label, principal, kind in principals:
            for role, at, suffix in (
                (responder_role, scope, "responder"),
                (evidence_role, args.evidence_account_id, "evidence"),
            ):
                authorization.RoleAssignment(
                    f"{name}-{label}-{suffix}",
                    scope=at,
                    role_definition_id=role.id,
                    principal_id=principal,
                    principal_type=kind,
                    opts=child(self),
                )
        self.break_glass_role = break_glass = self._role(
            f"{name}-break-glass-role",
            "prewire break glass",
            scope,
            ["*/read", *actions],
            [],
            "incident commanders in an emergency",
        )
        authorization.RoleAssignment(
            f"{name}-break-glass",
            scope=scope,
            role_definition_id=break_glass.id,
            principal_id=args.break_glass_group_object_id,
            principal_type="Group",
            opts=child(self),
        )
        self._alert(name, args, scope)
        self.register_outputs(
            {
                "responderIdentityId": self.responder.id,
                "responderRoleId": responder_role.id,
                "breakGlassRoleId": break_glass.id,
            }
        )

    def _role(
        self,
        name: str,
        role_name: str,
        scope: str,
        actions: list[str],
        data_actions: list[str],
        purpose: str,
    ) -> authorization.RoleDefinition:
        return authorization.RoleDefinition(
            name,
            role_name=role_name,
            scope=scope,
            assignable_scopes=[scope],
            description=f"prewire: what {purpose} need, generated from what responders declare",
            permissions=[{"actions": actions, "data_actions": data_actions}],
            opts=child(self),
        )

    def _alert(self, name: str, args: ResponderIdentitiesArgs, scope: str) -> None:
        receivers: list[monitor.MicrosoftCommonEmailReceiverArgsDict] = (
            [
                {
                    "name": "security",
                    "email_address": args.alert_email,
                    "use_common_alert_schema": True,
                }
            ]
            if args.alert_email
            else []
        )
        group = monitor.ActionGroup(
            f"{name}-alerts",
            action_group_name="prewire-break-glass",
            group_short_name="prewire-bg",
            resource_group_name=args.resource_group_name,
            location="Global",
            enabled=True,
            email_receivers=receivers,
            tags=tags(tokens.AZURE_IDENTITIES),
            opts=child(self),
        )
        condition: list[monitor.AlertRuleAnyOfOrLeafConditionArgsDict]
        if args.break_glass_callers:
            condition = [
                {"field": "category", "equals": "Administrative"},
                {"any_of": [{"field": "caller", "equals": c} for c in args.break_glass_callers]},
            ]
        else:
            condition = [
                {"field": "category", "equals": "Administrative"},
                {"field": "resourceType", "equals": "Microsoft.Authorization/roleAssignments"},
            ]
        monitor.ActivityLogAlert(
            f"{name}-break-glass-used",
            activity_log_alert_name="prewire-break-glass-used",
            resource_group_name=args.resource_group_name,
            location="Global",
            scopes=[scope],
            enabled=True,
            description="prewire: a break-glass identity acted (or a role assignment changed)",
            condition={"all_of": condition},
            actions={"action_groups": [{"action_group_id": group.id}]},
            tags=tags(tokens.AZURE_IDENTITIES),
            opts=child(self),
        )
