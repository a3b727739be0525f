"""GCP ids and computed outputs for the render mocks: resources get the names, ids and self
links GCP would give them, so rules can follow references (a sink's bucket, a firewall's
network, a binding's role) as in a real project."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from prewire.core import tokens as t
from prewire.core.vocabulary import Cloud
from prewire.render.providers import provider, setting

PROJECT = "prewire-render"
DEFAULT_REGION = "us-central1"
PROJECT_NUMBER = "123456789012"
COMPUTE = "https://www.googleapis.com/compute/v1"
STORAGE = "https://www.googleapis.com/storage/v1"
LOGGING_AGENT = "gcp-sa-logging.iam.gserviceaccount.com"


def _number(project: str) -> str:
    return str(int(hashlib.sha256(project.encode()).hexdigest(), 16))[:12]


def gcp_resource(token: str, name: str, out: dict[str, Any], default_project: str) -> str:
    """Fill `out` with the outputs GCP computes and return the resource id."""
    project = str(out.get("project") or default_project)
    out.setdefault("project", project)
    physical = str(out.get("name") or name)
    region = str(out.get("region") or "")
    role = f"projects/{project}/roles/{out.get('roleId')}"
    special: dict[str, Callable[[], str]] = {
        t.GCP_BUCKET: lambda: _set(
            out,
            physical,
            url=f"gs://{physical}",
            selfLink=f"https://www.googleapis.com/storage/v1/b/{physical}",
        ),
        t.GCP_SERVICE_ACCOUNT: lambda: _account(out, project),
        t.GCP_CUSTOM_ROLE: lambda: _set(out, role, name=role),
        t.GCP_LOG_SINK: lambda: _set(
            out,
            f"projects/{project}/sinks/{physical}",
            writerIdentity=f"serviceAccount:service-{_number(project)}@{LOGGING_AGENT}",
        ),
        t.GCP_LOG_BUCKET: lambda: _set(
            out, f"projects/{project}/locations/{out.get('location')}/buckets/{out.get('bucketId')}"
        ),
        t.GCP_TOPIC: lambda: _set(out, f"projects/{project}/topics/{physical}"),
        t.GCP_SUBSCRIPTION: lambda: _set(out, f"projects/{project}/subscriptions/{physical}"),
        t.GCP_FIREWALL: lambda: _compute(out, f"projects/{project}/global/firewalls/{physical}"),
        t.GCP_NETWORK: lambda: _compute(out, f"projects/{project}/global/networks/{physical}"),
        t.GCP_RESOURCE_POLICY: lambda: _compute(
            out, f"projects/{project}/regions/{region}/resourcePolicies/{physical}"
        ),
        t.GCP_FLOW_LOGS_CONFIG: lambda: _set(
            out,
            f"projects/{project}/locations/global/vpcFlowLogsConfigs/{out.get('vpcFlowLogsConfigId')}",
        ),
    }
    if token in special:
        return special[token]()
    out.setdefault("name", physical)
    return f"projects/{project}/{token.rsplit(':', 1)[-1].lower()}s/{physical}"


def _set(out: dict[str, Any], resource_id: str, **computed: str) -> str:
    for key, value in computed.items():
        out.setdefault(key, value)
    out.setdefault("name", resource_id.rsplit("/", 1)[-1])
    out.setdefault("id", resource_id)
    return resource_id


def _compute(out: dict[str, Any], resource_id: str) -> str:
    return _set(out, resource_id, selfLink=f"{COMPUTE}/{resource_id}")


def _account(out: dict[str, Any], project: str) -> str:
    email = f"{out.get('accountId')}@{project}.iam.gserviceaccount.com"
    out.update(email=email, member=f"serviceAccount:{email}")
    return _set(out, f"projects/{project}/serviceAccounts/{email}")


STORAGE_AGENT_INVOKE = "gcp:storage/getProjectServiceAccount:getProjectServiceAccount"
PROJECT_INVOKE = "gcp:organizations/getProject:getProject"


def gcp_invoke(
    call: str, args: dict[str, Any], default_project: str, region: str
) -> dict[str, Any] | None:
    """Results computed from the arguments for the invokes GCP programs use all the time."""
    project = str(args.get("project") or default_project)
    if call == STORAGE_AGENT_INVOKE:
        email = f"service-{_number(project)}@gs-project-accounts.iam.gserviceaccount.com"
        return {"emailAddress": email, "member": f"serviceAccount:{email}", "project": project}
    if call == PROJECT_INVOKE:
        project = str(args.get("projectId") or project)
        return {
            "projectId": project,
            "number": _number(project),
            "name": project,
            "id": f"projects/{project}",
        }
    if call == "gcp:organizations/getClientConfig:getClientConfig":
        return {
            "project": project,
            "region": region,
            "zone": f"{region}-a",
            "accessToken": "prewire-mock-access-token",
            "id": project,
        }
    if call == "gcp:compute/getZones:getZones":
        where = str(args.get("region") or region)
        return {"names": [f"{where}-{z}" for z in "abc"], "project": project, "region": where}
    if call == "gcp:compute/getDefaultServiceAccount:getDefaultServiceAccount":
        email = f"{_number(project)}-compute@developer.gserviceaccount.com"
        return {"email": email, "member": f"serviceAccount:{email}", "project": project}
    return None


@dataclass(frozen=True)
class GcpProvider:
    """The gcp provider of a render: one default project and region."""

    project: str = PROJECT
    region: str = DEFAULT_REGION
    packages: ClassVar[tuple[str, ...]] = ("gcp",)

    def resource(self, token: str, name: str, outputs: dict[str, Any]) -> str:
        return gcp_resource(token, name, outputs, self.project)

    def invoke(self, token: str, args: dict[str, Any]) -> dict[str, Any] | None:
        return gcp_invoke(token, args, self.project, self.region)

    def location_of(self, outputs: dict[str, Any]) -> str:
        return str(outputs.get("region") or self.region)


@provider(Cloud.GCP)
def gcp_provider(config: Mapping[str, str]) -> GcpProvider:
    return GcpProvider(
        setting(config, "prewire:gcp.project", "gcp:project") or PROJECT,
        setting(config, "gcp:region") or DEFAULT_REGION,
    )
