"""What particular Azure resource types do beyond being stored: the checks ARM makes on a PUT,
the actions prewire calls (snapshot export, AKS command invoke, immutability lock) and the
deletes ARM refuses. Each mirrors the behaviour documented in Azure's REST API reference.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from prewire.emulator.azure.arm import Action, ArmState
from prewire.emulator.azure.paths import ArmPath
from prewire.emulator.azure.replies import ArmError, Json, now_iso

# Disk and snapshot bytes (the fake's "VHD" content), by lower-cased resource id.
Content = dict[str, bytes]


class Services:
    """Registers the type behaviour on an ArmState; holds disk contents and export grants."""

    def __init__(self, state: ArmState) -> None:
        self.state = state
        self.content: Content = {}
        self.exports: dict[str, str] = {}  # SAS token -> snapshot id
        self.cluster_commands: dict[str, dict[str, tuple[int, str]]] = {}
        state.put_hooks.update(
            {
                "microsoft.network/networkinterfaces": self._nic,
                "microsoft.network/virtualnetworks": self._virtual_network,
                "microsoft.storage/storageaccounts": self._storage_account,
                "microsoft.operationalinsights/workspaces": self._workspace,
                "microsoft.managedidentity/userassignedidentities": self._user_identity,
                "microsoft.dataprotection/backupvaults": lambda s, i, r: _with_principal(r),
                "microsoft.authorization/policyassignments": lambda s, i, r: _with_principal(r),
                "microsoft.compute/snapshots": self._snapshot,
                "microsoft.authorization/roleassignments": self._role_assignment,
                "microsoft.storage/storageaccounts/blobservices/containers/immutabilitypolicies": (
                    self._immutability
                ),
            }
        )
        state.actions.update(
            {
                ("microsoft.compute/snapshots", "begingetaccess"): Action(self._grant),
                ("microsoft.compute/snapshots", "endgetaccess"): Action(self._revoke),
                ("microsoft.containerservice/managedclusters", "runcommand"): Action(
                    self._run_command
                ),
                (
                    "microsoft.storage/storageaccounts/blobservices/containers/immutabilitypolicies",
                    "lock",
                ): Action(self._lock, long_running=False),
            }
        )
        state.delete_guards.update(
            {
                "microsoft.storage/storageaccounts/blobservices/containers/immutabilitypolicies": (
                    self._refuse_locked_delete
                ),
            }
        )

    # -- network ---------------------------------------------------------------------------
    def _nic(self, state: ArmState, resource_id: str, nic: Json) -> Json:
        group = (nic["properties"].get("networkSecurityGroup") or {}).get("id")
        if group and state.get(group) is None:
            raise ArmError(
                400,
                "InvalidResourceReference",
                f"Resource {group} referenced by {resource_id} was not found.",
            )
        return nic

    # -- what ARM computes on create ---------------------------------------------------------
    def _storage_account(self, state: ArmState, resource_id: str, account: Json) -> Json:
        endpoints = account["properties"].setdefault("primaryEndpoints", {})
        endpoints.setdefault("blob", f"{state.base_url}/{account['name']}/")
        return _with_principal(account)

    def _workspace(self, state: ArmState, resource_id: str, workspace: Json) -> Json:
        workspace["properties"].setdefault("customerId", str(uuid.uuid4()))
        workspace["properties"].setdefault("retentionInDays", 30)
        return _with_principal(workspace)

    def _user_identity(self, state: ArmState, resource_id: str, identity: Json) -> Json:
        identity["properties"].setdefault("principalId", str(uuid.uuid4()))
        identity["properties"].setdefault("clientId", str(uuid.uuid4()))
        return identity

    def _virtual_network(self, state: ArmState, resource_id: str, network: Json) -> Json:
        """Azure creates NetworkWatcher_<location> in NetworkWatcherRG with a region's first
        virtual network (unless opted out); flow logs hang off that watcher."""
        subscription = resource_id.split("/")[2]
        group = f"/subscriptions/{subscription}/resourceGroups/NetworkWatcherRG"
        location = network.get("location", "westeurope")
        watcher = f"{group}/providers/Microsoft.Network/networkWatchers/NetworkWatcher_{location}"
        if state.get(group) is None:
            state.put(
                {
                    "id": group,
                    "name": "NetworkWatcherRG",
                    "type": "Microsoft.Resources/resourceGroups",
                    "location": location,
                    "properties": {"provisioningState": "Succeeded"},
                }
            )
        if state.get(watcher) is None:
            state.put(
                {
                    "id": watcher,
                    "name": f"NetworkWatcher_{location}",
                    "type": "Microsoft.Network/networkWatchers",
                    "location": location,
                    "properties": {"provisioningState": "Succeeded"},
                }
            )
        return network

    # -- compute ---------------------------------------------------------------------------
    def _snapshot(self, state: ArmState, resource_id: str, snapshot: Json) -> Json:
        creation = snapshot["properties"].get("creationData") or {}
        source_id = creation.get("sourceResourceId")
        if creation.get("createOption") != "Copy" or not source_id:
            raise ArmError(400, "InvalidParameter", "only createOption Copy is implemented")
        source = state.require(source_id)
        self.content[resource_id.lower()] = self.content.get(source_id.lower(), b"")
        snapshot["properties"].update(
            {
                "diskSizeGB": source["properties"].get("diskSizeGB", 1),
                "diskSizeBytes": len(self.content[resource_id.lower()]),
                "timeCreated": now_iso(),
                "osType": source["properties"].get("osType"),
                "diskState": "Unattached",
                "uniqueId": secrets.token_hex(16),
            }
        )
        snapshot.setdefault("sku", {"name": "Standard_LRS", "tier": "Standard"})
        return snapshot

    def _grant(self, state: ArmState, arm: ArmPath, body: Json) -> Json:
        if body.get("access") not in ("Read", "Write"):
            raise ArmError(400, "InvalidParameter", "access must be Read")
        token = secrets.token_hex(16)
        self.exports[token] = arm.resource_id.lower()
        sas = f"{state.base_url}/md-export/{token}/abcd?sv=2018-03-28&sr=b&se=x&sp=r&sig=fake"
        return {"accessSAS": sas}

    def _revoke(self, state: ArmState, arm: ArmPath, body: Json) -> Json | None:
        for token in [t for t, s in self.exports.items() if s == arm.resource_id.lower()]:
            del self.exports[token]
        return None

    # -- containers ------------------------------------------------------------------------
    def _run_command(self, state: ArmState, arm: ArmPath, body: Json) -> Json:
        command = str(body.get("command", ""))
        known = self.cluster_commands.get(arm.resource_id.lower(), {})
        exit_code, logs = known.get(command, (1, f"error: the fake cluster cannot run {command!r}"))
        return {
            "id": secrets.token_hex(16),
            "properties": {
                "provisioningState": "Succeeded",
                "exitCode": exit_code,
                "startedAt": now_iso(),
                "finishedAt": now_iso(),
                "logs": logs,
            },
        }

    # -- authorization ---------------------------------------------------------------------
    def _role_assignment(self, state: ArmState, resource_id: str, assignment: Json) -> Json:
        properties = assignment["properties"]
        for required in ("roleDefinitionId", "principalId"):
            if not properties.get(required):
                raise ArmError(400, "InvalidRoleAssignmentRequest", f"{required} is required")
        scope = resource_id.lower().rsplit("/providers/microsoft.authorization/", 1)[0]
        properties["scope"] = resource_id[: len(scope)]
        for other in state.of_type("Microsoft.Authorization/roleAssignments"):
            same = other["properties"]
            if (
                other["id"].lower() != resource_id.lower()
                and same.get("principalId") == properties["principalId"]
                and same.get("roleDefinitionId", "").lower()
                == properties["roleDefinitionId"].lower()
                and same.get("scope", "").lower() == scope
            ):
                raise ArmError(409, "RoleAssignmentExists", "The role assignment already exists.")
        properties.setdefault("createdOn", now_iso())
        return assignment

    # -- storage ---------------------------------------------------------------------------
    def _immutability(self, state: ArmState, resource_id: str, policy: Json) -> Json:
        existing = state.get(resource_id)
        properties = policy["properties"]
        days = int(properties.get("immutabilityPeriodSinceCreationInDays", 0))
        if existing and existing["properties"].get("state") == "Locked":
            before = int(existing["properties"]["immutabilityPeriodSinceCreationInDays"])
            if days < before:
                raise ArmError(
                    409, "ImmutabilityPolicyLocked", "A locked policy can only be extended."
                )
            properties["state"] = "Locked"
        else:
            properties["state"] = "Unlocked"
        policy["etag"] = f'"{secrets.token_hex(8)}"'
        return policy

    def _lock(self, state: ArmState, arm: ArmPath, body: Json) -> Json:
        policy = state.require(arm.resource_id)
        policy["properties"]["state"] = "Locked"
        policy["etag"] = f'"{secrets.token_hex(8)}"'
        state.put(policy)
        return policy

    def _refuse_locked_delete(self, state: ArmState, resource_id: str) -> None:
        policy = state.get(resource_id)
        if policy and policy["properties"].get("state") == "Locked":
            raise ArmError(409, "ImmutabilityPolicyLocked", "A locked policy cannot be deleted.")

    def container_policy(self, account: str, container: str) -> dict[str, Any] | None:
        """The immutability policy of a container, found by account and container name."""
        for found in self.state.of_type(
            "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies"
        ):
            parts = found["id"].split("/")
            lowered = [p.lower() for p in parts]
            name = parts[lowered.index("storageaccounts") + 1]
            box = parts[lowered.index("containers") + 1]
            if name.lower() == account.lower() and box.lower() == container.lower():
                return found
        return None


def _with_principal(resource: Json) -> Json:
    """A system-assigned identity gets its service principal on create, as in Azure."""
    identity = resource.get("identity") or {}
    if "SystemAssigned" in str(identity.get("type", "")) and not identity.get("principalId"):
        identity["principalId"] = str(uuid.uuid4())
        identity["tenantId"] = str(uuid.uuid4())
    return resource
