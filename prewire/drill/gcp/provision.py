"""The kit's GCP stack, rendered and loaded into the local GCP fake as `pulumi up` would leave
a project.

The stack is rendered offline (Pulumi mocks) with a drill configuration for the fake's project.
Every resource of a kind the APIs list becomes the item those APIs return once it exists
(`prewire/core/gcp/rest.py`): buckets into the fake's Cloud Storage, firewall rules into its
Compute, service accounts into its IAM, the audit configs and bindings into one project IAM
policy, everything else into the fake's listings. The fake serves the operations prewire calls
(reads, and the responders' writes), not the create operations of every kind, so this is a load
of the result, not a replay of the deployment; the one deploy-time step with behaviour of its
own, attaching the snapshot schedule to the labelled disks, runs the stack's code against the
fake's Compute API. Kinds the audit does not read (topics, notification channels, bucket and
key grants) are listed as not loaded, never dropped silently.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache

from prewire.core import tokens as t
from prewire.core.gcp.rest import iam_policy, rendered_kinds, rest_item
from prewire.core.graph import Graph
from prewire.drill.provisioning import Provisioned
from prewire.emulator.gcp import FakeGcp
from prewire.render import render
from responders.gcp.session import GcpClients
from stacks.gcp.disk_policy import attach_schedule

REGION = "europe-west1"
NETWORK = "app-vpc"
BREAK_GLASS_GROUP = "incident-commanders@example.com"
SNAPSHOT_LABEL = ("prewire-snapshot", "true")


def drill_config(project: str, retention_days: int = 30) -> dict[str, str]:
    return {
        "prewire:clouds": json.dumps(["gcp"]),
        "prewire:retentionDays": str(retention_days),
        "prewire:alertEmail": "drill@example.com",
        "prewire:gcp.project": project,
        "prewire:gcp.region": REGION,
        "prewire:gcp.bucketLocation": "EU",
        "prewire:gcp.networks": json.dumps([f"projects/{project}/global/networks/{NETWORK}"]),
        "prewire:gcp.breakGlassGroup": BREAK_GLASS_GROUP,
        "prewire:gcp.snapshotLabel": "=".join(SNAPSHOT_LABEL),
        "prewire:gcp.vmdkExport": "true",
    }


@lru_cache(maxsize=4)
def stack_graph(project: str, retention_days: int = 30) -> Graph:
    return render(None, drill_config(project, retention_days), stack="drill-gcp")


def provision_gcp(graph: Graph, fake: FakeGcp, clients: GcpClients) -> Provisioned:
    done = Provisioned()
    for kind, resource in rendered_kinds(graph):
        home, rendered = rest_item(kind, resource)
        item = copy.deepcopy(rendered)  # the fake's state changes; the cached render must not
        if kind.token == t.GCP_BUCKET:
            fake.storage.put_bucket(item)
        elif kind.token == t.GCP_FIREWALL:
            fake.compute.add_firewall(str(item["name"]), item)
        else:
            fake.listings.add(home, item)
        done.created.append(str(resource.id or resource.name))
    policy = iam_policy(graph.of_type(t.GCP_AUDIT_CONFIG, t.GCP_PROJECT_IAM_MEMBER))
    fake.listings.iam_policy = copy.deepcopy(policy)
    done.created += [f"projects/{fake.project} IAM policy"]
    for account in graph.of_type(t.GCP_SERVICE_ACCOUNT):
        fake.iam.add_account(str(account.outputs["name"]), user_keys=0)
        done.created.append(str(account.id))
    for attachment in graph.of_type(t.DYNAMIC_RESOURCE):
        if attachment.get("label_key"):
            label = (str(attachment.get("label_key")), str(attachment.get("label_value")))
            attach_schedule(clients, label, str(attachment.get("policy")))
            done.created.append(attachment.name)
    loaded = {t.GCP_AUDIT_CONFIG, t.GCP_PROJECT_IAM_MEMBER, t.GCP_SERVICE_ACCOUNT}
    for resource in graph:
        listed = resource.type in loaded or resource.type.startswith(("prewire:", "pulumi"))
        if resource.type.startswith("gcp:") and not listed and str(resource.id) not in done.created:
            done.not_created[resource.name] = f"{resource.type}: not read by prewire, not loaded"
    return done
