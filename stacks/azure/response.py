"""`prewire:azure:ResponderFunction`: the Function App that answers Defender alerts.

Defender's continuous export writes High and Medium alerts to the stack's Event Hub; this app's
Event Hub trigger reads them as the responder managed identity (identity-based connections, no
keys) and runs `responders.azure.function.handle`. Its code runs from a package blob (built by
`prewire package azure-responder`) in a small host storage account that only the identity may
use; its host storage is identity-based too, so no account key exists in any setting.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.storage as storage
import pulumi_azure_native.web as web

from prewire.core import tokens
from prewire.package.azure import is_vendored
from responders.azure.discovery import Role
from responders.azure.function import (
    ALERT_HUB_CONNECTION,
    ALERT_HUB_NAME_SETTING,
    AUTO_CONTAIN_SETTING,
    SUBSCRIPTION_SETTING,
)
from stacks.azure.base import HARDENED_STORAGE, built_in_role, child, storage_name, tags
from stacks.azure.diagnostics import FUNCTION_CATEGORIES, diagnostic_setting

RUNTIME = "Python|3.11"
PACKAGES_CONTAINER = "packages"
# Built-in roles the Functions host needs on its storage (identity-based AzureWebJobsStorage)
# and the trigger on the hub.
STORAGE_BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
STORAGE_QUEUE_DATA_CONTRIBUTOR = "974c5e8b-45b9-4653-ba55-5f855dd0fb88"
STORAGE_TABLE_DATA_CONTRIBUTOR = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
EVENT_HUBS_DATA_RECEIVER = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde"
CODE_FILES = ("function_app.py", "host.json", "requirements.txt")


def package_digest(package: Path) -> str:
    """A digest of the package's code (not its vendored dependencies): the blob's name changes
    with the code, so the app loads the new package."""
    digest = hashlib.sha256()
    files = [package / f for f in CODE_FILES] + sorted(
        p
        for folder in ("responders", "prewire")
        for p in (package / folder).rglob("*.py")
        if p.is_file()
    )
    for path in files:
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class ResponderFunctionArgs:
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    package: str
    identity_id: pulumi.Input[str]
    identity_client_id: pulumi.Input[str]
    identity_principal_id: pulumi.Input[str]
    hub_id: pulumi.Input[str]
    hub_name: pulumi.Input[str]
    hub_namespace: pulumi.Input[str]
    workspace_id: pulumi.Input[str]
    audit_account_id: pulumi.Input[str]
    auto_contain: bool = False


class ResponderFunction(pulumi.ComponentResource):
    app: web.WebApp

    def __init__(
        self, name: str, args: ResponderFunctionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AZURE_RESPONSE, name, None, opts)
        package = Path(args.package)
        if not is_vendored(package):
            pulumi.log.warn(
                f"{package} has no vendored dependencies: the Function will fail to import the "
                "Azure SDKs. Build it with `prewire package azure-responder`.",
                self,
            )
        host = storage.StorageAccount(
            f"{name}-host",
            account_name=storage_name("prewirefn", args.subscription_id, args.location),
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku={"name": "Standard_ZRS"},
            **HARDENED_STORAGE,
            tags=tags(tokens.AZURE_RESPONSE),
            opts=child(self),
        )
        container = storage.BlobContainer(
            f"{name}-packages",
            account_name=host.name,
            resource_group_name=args.resource_group_name,
            container_name=PACKAGES_CONTAINER,
            public_access=storage.PublicAccess.NONE,
            opts=child(self),
        )
        blob = storage.Blob(
            f"{name}-package",
            account_name=host.name,
            container_name=container.name,
            resource_group_name=args.resource_group_name,
            blob_name=f"responder-{package_digest(package)}.zip",
            type=storage.BlobType.BLOCK,
            source=pulumi.FileArchive(str(package)),
            opts=child(self),
        )
        grants = [
            self._grant(f"{name}-host-{label}", host.id, role, args)
            for label, role in (
                ("blob", STORAGE_BLOB_DATA_OWNER),
                ("queue", STORAGE_QUEUE_DATA_CONTRIBUTOR),
                ("table", STORAGE_TABLE_DATA_CONTRIBUTOR),
            )
        ]
        grants.append(self._grant(f"{name}-hub", args.hub_id, EVENT_HUBS_DATA_RECEIVER, args))
        plan = web.AppServicePlan(
            f"{name}-plan",
            name="prewire-responder-plan",
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind="functionapp",
            reserved=True,  # Linux
            sku={"name": "Y1", "tier": "Dynamic"},
            tags=tags(tokens.AZURE_RESPONSE),
            opts=child(self),
        )
        settings: dict[str, pulumi.Input[str]] = {
            "FUNCTIONS_EXTENSION_VERSION": "~4",
            "FUNCTIONS_WORKER_RUNTIME": "python",
            "AzureWebJobsStorage__accountName": host.name,
            "AzureWebJobsStorage__credential": "managedidentity",
            "AzureWebJobsStorage__clientId": args.identity_client_id,
            f"{ALERT_HUB_CONNECTION}__fullyQualifiedNamespace": pulumi.Output.concat(
                args.hub_namespace, ".servicebus.windows.net"
            ),
            f"{ALERT_HUB_CONNECTION}__credential": "managedidentity",
            f"{ALERT_HUB_CONNECTION}__clientId": args.identity_client_id,
            ALERT_HUB_NAME_SETTING: args.hub_name,
            # DefaultAzureCredential picks the user-assigned identity by this.
            "AZURE_CLIENT_ID": args.identity_client_id,
            SUBSCRIPTION_SETTING: args.subscription_id,
            AUTO_CONTAIN_SETTING: "true" if args.auto_contain else "false",
            "WEBSITE_RUN_FROM_PACKAGE": blob.url,
            "WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID": args.identity_id,
        }
        self.app = web.WebApp(
            f"{name}-app",
            name=f"prewire-responder-{args.subscription_id[:8]}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind="functionapp,linux",
            server_farm_id=plan.id,
            https_only=True,
            # No HTTP trigger: nothing needs to reach the app; the Event Hub trigger pulls.
            public_network_access="Disabled",
            client_cert_enabled=True,
            client_cert_mode=web.ClientCertMode.REQUIRED,
            identity=web.ManagedServiceIdentityArgs(
                type=web.ManagedServiceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[args.identity_id],
            ),
            key_vault_reference_identity=args.identity_id,
            site_config=web.SiteConfigArgs(
                linux_fx_version=RUNTIME,
                ftps_state=web.FtpsState.DISABLED,
                min_tls_version=web.SupportedTlsVersions.SUPPORTED_TLS_VERSIONS_1_2,
                app_settings=[web.NameValuePairArgs(name=k, value=v) for k, v in settings.items()],
            ),
            tags=tags(tokens.AZURE_RESPONSE, Role.RESPONDER_FUNCTION.value),
            opts=child(self, depends_on=grants),
        )
        # What the responder did is evidence too: its own logs go where the workloads' go.
        diagnostic_setting(
            f"{name}-app-logs",
            self.app.id,
            FUNCTION_CATEGORIES,
            args.workspace_id,
            args.audit_account_id,
            self,
        )
        self.register_outputs({"responderFunctionId": self.app.id})

    def _grant(
        self,
        name: str,
        scope: pulumi.Input[str],
        role: str,
        args: ResponderFunctionArgs,
    ) -> authorization.RoleAssignment:
        return authorization.RoleAssignment(
            name,
            scope=scope,
            role_definition_id=built_in_role(args.subscription_id, role),
            principal_id=args.identity_principal_id,
            principal_type="ServicePrincipal",
            opts=child(self),
        )
