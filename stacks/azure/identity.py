"""`prewire:azure:ResponderIdentities`: who may respond, with exactly what the responders need,
and who may break glass, with an alert whenever they do.

- The responder: a user-assigned managed identity (for automation in Azure) and any configured
  Entra principals, holding custom roles generated from the permissions the Azure responders
  declare for containment, split by where they are granted: the control-plane operations at the
  subscription, the evidence operations (blob reads and writes are data actions) on the evidence
  store only, and joining an NSG on the resource group of prewire's isolation NSGs only.
- Break glass: a custom role with read access everywhere plus every responder operation,
  release included (role assignment writes, joining any NSG),
  assigned to a configured Entra group, and an Activity Log alert on every administrative
  operation by the listed break-glass callers (or, without a list, on every role assignment
  change in the subscription) to the alert address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

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


class RoleActions(NamedTuple):
    """The declared operations, by where they are granted."""

    subscription: list[str]
    evidence: list[str]
    """Control-plane operations on the evidence storage account."""
    evidence_data: list[str]
    """Blob data actions on the evidence storage account."""
    isolation: list[str]
    """Operations on prewire's isolation NSGs, granted on their resource group only."""


def split(permissions: Sequence[Permission]) -> RoleActions:
    """The operations of `permissions` by where they are granted, sorted, no duplicates."""
    elsewhere = (*EVIDENCE_SCOPES, Scope.ISOLATION_GROUPS)
    evidence = [p.action for p in permissions if p.scope in EVIDENCE_SCOPES]
    return RoleActions(
        subscription=sorted({p.action for p in permissions if p.scope not in elsewhere}),
        evidence=sorted({a for a in evidence if not is_data_action(a)}),
        evidence_data=sorted({a for a in evidence if is_data_action(a)}),
        isolation=sorted({p.action for p in permissions if p.scope is Scope.ISOLATION_GROUPS}),
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
        # Containment only: what undoes one (role assignment writes, joining any NSG) is break
        # glass's, so a stolen responder credential can neither release nor grant itself a role.
        responder = split(required_permissions(Cloud.AZURE, releases=False))
        everything = split(required_permissions(Cloud.AZURE))
        self.responder = managedidentity.UserAssignedIdentity(
            f"{name}-responder",
            resource_name_="prewire-responder",
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=tags(tokens.AZURE_IDENTITIES, Role.RESPONDER_IDENTITY.value),
            opts=child(self),
        )
        responder_role = self._role(
            f"{name}-responder-role",
            "prewire responder",
            scope,
            responder.subscription,
            [],
            "responders",
        )
        evidence_role = self._role(
            f"{name}-evidence-role",
            "prewire responder (evidence)",
            scope,
            responder.evidence,
            responder.evidence_data,
            "the evidence store",
        )
        isolation_role = self._role(
            f"{name}-isolation-role",
            "prewire responder (isolation)",
            scope,
            responder.isolation,
            [],
            "isolation with prewire's NSGs",
        )
        isolation_scope = pulumi.Output.concat(scope, "/resourceGroups/", args.resource_group_name)
        principals: list[tuple[str, pulumi.Input[str], str | None]] = [
            ("identity", self.responder.principal_id, "ServicePrincipal"),
            *((f"principal-{i}", p, None) for i, p in enumerate(args.responder_principal_ids)),
        ]
        for label, principal, kind in principals:
            for role, at, suffix in (
                (responder_role, scope, "responder"),
                (evidence_role, args.evidence_account_id, "evidence"),
                (isolation_role, isolation_scope, "isolation"),
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
            ["*/read", *everything.subscription, *everything.isolation],
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
