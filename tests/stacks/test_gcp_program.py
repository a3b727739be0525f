"""The kit's GCP program rendered whole (runpy under Pulumi mocks), Pulumi.example-gcp.yaml."""

from __future__ import annotations

from pathlib import Path

import pulumi_gcp as gcp
import pytest

from prewire.core import tokens as t
from prewire.render import Graph, Resource, load_stack_config, render
from prewire.render.program import render_function
from responders.gcp.permissions import EVIDENCE, break_glass_permissions, responder_permissions
from stacks import settings
from stacks.gcp.base import QUARANTINE_TAG
from stacks.gcp.gke import LOGGED_COMPONENTS, GkeLogging
from stacks.gcp.vmdk_export import ACT_AS_ROLES, CLOUD_BUILD_ROLES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gcp_config() -> dict[str, str]:
    return load_stack_config(ROOT / "Pulumi.example-gcp.yaml", "prewire")


@pytest.fixture(scope="module")
def graph(gcp_config: dict[str, str]) -> Graph:
    return render(None, gcp_config, stack="example-gcp")


def _labelled(graph: Graph, token: str, role: str) -> Resource:
    [found] = [
        r for r in graph.of_type(token) if (r.get("labels") or {}).get("prewire-role") == role
    ]
    return found


@pytest.mark.parametrize("role", ["audit-store", "evidence-store"])
def test_buckets_are_private_versioned_locked_and_protected(graph: Graph, role: str) -> None:
    bucket = _labelled(graph, t.GCP_BUCKET, role)
    assert bucket.protect and bucket.get("forceDestroy") is False
    assert bucket.get("uniformBucketLevelAccess") is True
    assert bucket.get("publicAccessPrevention") == "enforced"
    assert bucket.get("versioning") == {"enabled": True}
    assert bucket.get("retentionPolicy") == {"retentionPeriod": str(365 * 86400), "isLocked": True}
    assert bucket.get("location") == "EU"
    key = "projects/acme-security/locations/europe/keyRings/forensics/cryptoKeys/evidence"
    assert bucket.get("encryption") == {"defaultKmsKeyName": key}
    [grant] = graph.of_type(t.GCP_KMS_KEY_IAM_MEMBER)
    assert grant.get("cryptoKeyId") == key
    assert str(grant.get("member")).endswith("@gs-project-accounts.iam.gserviceaccount.com")


def test_every_audit_log_is_on_and_sunk_into_the_locked_bucket(graph: Graph) -> None:
    [config] = graph.of_type(t.GCP_AUDIT_CONFIG)
    assert config.get("service") == "allServices"
    assert {c["logType"] for c in config.get("auditLogConfigs")} == {
        "ADMIN_READ",
        "DATA_READ",
        "DATA_WRITE",
    }
    audit = _labelled(graph, t.GCP_BUCKET, "audit-store")
    sinks = {s.get("name"): s for s in graph.of_type(t.GCP_LOG_SINK)}
    sink = sinks["prewire-audit-logs"]
    assert sink.get("destination") == f"storage.googleapis.com/{audit.get('name')}"
    assert sink.get("uniqueWriterIdentity") is True
    [writer] = [
        w for w in graph.of_type(t.GCP_BUCKET_IAM_MEMBER) if w.get("bucket") == audit.get("name")
    ]
    assert (writer.get("bucket"), writer.get("role"), writer.get("member")) == (
        audit.get("name"),
        "roles/storage.objectCreator",  # create only: the sink cannot delete what it wrote
        sink.outputs["writerIdentity"],
    )
    [logs] = graph.of_type(t.GCP_LOG_BUCKET)
    assert logs.get("locked") is True and logs.get("retentionDays") == 365 and logs.protect
    workloads = sinks["prewire-workload-logs"]
    assert str(workloads.get("destination")).endswith("/buckets/prewire-workloads")
    assert 'resource.type="cloud_run_revision"' in str(workloads.get("filter"))


def test_each_network_gets_flow_logs_and_a_deny_all_quarantine(graph: Graph) -> None:
    networks = {
        "projects/acme-payments-prod/global/networks/payments-vpc",
        "projects/acme-payments-prod/global/networks/batch-vpc",
    }
    flows = graph.of_type(t.GCP_FLOW_LOGS_CONFIG)
    assert {f.get("network") for f in flows} == networks
    assert all(
        f.get("metadata") == "INCLUDE_ALL_METADATA" and f.get("flowSampling") == 1 for f in flows
    )
    rules = graph.of_type(t.GCP_FIREWALL)
    assert len(rules) == 4
    for rule in rules:
        assert rule.get("priority") == 0 and rule.get("denies") == [{"protocol": "all"}]
        assert rule.get("targetTags") == [QUARANTINE_TAG]
        ranges = "sourceRanges" if rule.get("direction") == "INGRESS" else "destinationRanges"
        assert rule.get(ranges) == ["0.0.0.0/0"]
    assert {(r.get("network"), r.get("direction")) for r in rules} == {
        (n, d) for n in networks for d in ("INGRESS", "EGRESS")
    }


def test_labelled_disks_are_snapshotted_daily_and_kept_after_deletion(graph: Graph) -> None:
    [policy] = graph.of_type(t.GCP_RESOURCE_POLICY)
    schedule = policy.get("snapshotSchedulePolicy")
    assert schedule["retentionPolicy"] == {
        "maxRetentionDays": 35,
        "onSourceDiskDelete": "KEEP_AUTO_SNAPSHOTS",
    }
    [attacher] = [d for d in graph.of_type(t.DYNAMIC_RESOURCE) if d.get("label_key")]
    assert (attacher.get("label_key"), attacher.get("label_value")) == ("prewire-snapshot", "true")
    assert attacher.get("policy") == policy.outputs["selfLink"]


def test_findings_stream_org_wide_to_a_subscribed_topic(graph: Graph) -> None:
    [notification] = graph.of_type(t.GCP_SCC_ORG_NOTIFICATION)
    [topic] = graph.of_type(t.GCP_TOPIC)
    [subscription] = graph.of_type(t.GCP_SUBSCRIPTION)
    assert notification.get("organization") == "123456789012"
    assert notification.get("pubsubTopic") == topic.outputs["id"] == subscription.get("topic")
    assert "HIGH" in notification.get("streamingConfig")["filter"]


def test_without_an_organization_findings_are_those_of_the_project(
    gcp_config: dict[str, str],
) -> None:
    config = {k: v for k, v in gcp_config.items() if k != "prewire:gcp.organizationId"}
    graph = render(None, config, stack="example-gcp")
    [notification] = graph.of_type(t.GCP_SCC_PROJECT_NOTIFICATION)
    assert notification.get("project") == "acme-payments-prod"
    assert not graph.of_type(t.GCP_SCC_ORG_NOTIFICATION)


def test_the_responder_role_is_generated_and_break_glass_is_dormant_and_watched(
    graph: Graph,
) -> None:
    roles = {r.get("roleId"): r for r in graph.of_type(t.GCP_CUSTOM_ROLE)}
    # The example opts in to VMDK export; release is break glass's only.
    assert roles["prewireResponder"].get("permissions") == responder_permissions(vmdk_export=True)
    assert "iam.serviceAccounts.enable" not in roles["prewireResponder"].get("permissions")
    assert roles["prewireBreakGlass"].get("permissions") == break_glass_permissions(
        vmdk_export=True
    )
    [account] = graph.of_type(t.GCP_SERVICE_ACCOUNT)
    bindings = graph.of_type(t.GCP_PROJECT_IAM_MEMBER)
    responder = roles["prewireResponder"].outputs["name"]
    assert {b.get("member") for b in bindings if b.get("role") == responder} == {
        f"serviceAccount:{account.outputs['email']}",
        "group:security-responders@example.com",
    }
    glass = [b for b in bindings if b.get("member") == "group:incident-commanders@example.com"]
    assert glass and all(
        b.get("condition")["expression"] == 'request.time < timestamp("1970-01-01T00:00:00Z")'
        for b in glass
    )
    [alert] = graph.of_type(t.GCP_ALERT_POLICY)
    text = alert.get("conditions")[0]["conditionMatchedLog"]["filter"]
    assert "roles/prewireBreakGlass" in text and "breakglass-1@example.com" in text
    assert alert.get("notificationChannels") == [graph.of_type(t.GCP_NOTIFICATION_CHANNEL)[0].id]


def _clusters(build: object) -> list[Resource]:
    graph = render_function(build)  # type: ignore[arg-type]
    return graph.of_type(t.GCP_GKE_CLUSTER)


def test_clusters_declared_after_the_component_log_every_component() -> None:
    def program() -> None:
        GkeLogging("gke")
        gcp.container.Cluster("plain", location="europe-west1", initial_node_count=1)
        gcp.container.Cluster(
            "custom",
            location="europe-west1",
            initial_node_count=1,
            logging_config={"enable_components": ["WORKLOADS", "SYSTEM_COMPONENTS"]},
        )

    by_name = {c.name: c for c in _clusters(program)}
    assert by_name["plain"].get("loggingConfig")["enableComponents"] == list(LOGGED_COMPONENTS)
    assert by_name["custom"].get("loggingConfig")["enableComponents"] == [
        "WORKLOADS",
        "SYSTEM_COMPONENTS",
        "APISERVER",
        "CONTROLLER_MANAGER",
        "SCHEDULER",
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"gcp.project": None}, "prewire:gcp.project: required"),
        ({"gcp.breakGlassGroup": None}, "prewire:gcp.breakGlassGroup: required"),
        ({"gcp.project": "Acme"}, "a project id"),
        (
            {"gcp.networks": '["projects/other-project/global/networks/x"]'},
            "outside project acme-payments-prod",
        ),
        ({"gcp.breakGlassUntil": "tomorrow"}, "a UTC time"),
        ({"gcp.snapshotLabel": "Prewire=Yes"}, "lower case"),
    ],
)
def test_bad_gcp_config_is_refused_with_the_problem_named(
    gcp_config: dict[str, str], changes: dict[str, str | None], message: str
) -> None:
    raw: dict[str, str | None] = {
        k.split(":", 1)[1]: v for k, v in gcp_config.items() if k.startswith("prewire:")
    }
    raw.update(changes)
    with pytest.raises(settings.SettingsError, match=message):
        settings.parse(raw)


def test_vmdk_export_grants_exist_only_when_asked(graph: Graph, gcp_config: dict[str, str]) -> None:
    # The example opts in: Cloud Build administers Compute Engine and acts as its default account,
    # and both may create objects (never replace: the bucket is locked) in the evidence bucket.
    grants = [m for m in graph.of_type(t.GCP_PROJECT_IAM_MEMBER) if "cloudbuild" in m.get("member")]
    assert sorted(m.get("role") for m in grants) == sorted(CLOUD_BUILD_ROLES)
    acting = graph.of_type("gcp:serviceaccount/iAMMember:IAMMember")
    assert sorted(a.get("role") for a in acting) == sorted(ACT_AS_ROLES)
    assert all(
        str(a.get("serviceAccountId")).endswith("-compute@developer.gserviceaccount.com")
        for a in acting
    )
    [evidence] = [
        b
        for b in graph.of_type(t.GCP_BUCKET)
        if b.get("labels", {}).get("prewire-role") == "evidence-store"
    ]
    writers = [
        w
        for w in graph.of_type(t.GCP_BUCKET_IAM_MEMBER)
        if w.get("bucket") == evidence.get("name") and "vmdk-export" in w.name
    ]
    assert {w.get("role") for w in writers} == {"roles/storage.objectCreator"} and len(writers) == 2
    without = render(None, {**gcp_config, "prewire:gcp.vmdkExport": "false"}, stack="example-gcp")
    assert not [
        m for m in without.of_type(t.GCP_PROJECT_IAM_MEMBER) if "cloudbuild" in m.get("member")
    ]
    # ... and without it the responder may not create builds (running any step as Cloud Build).
    roles = {r.get("roleId"): r.get("permissions") for r in without.of_type(t.GCP_CUSTOM_ROLE)}
    assert not {p for p in roles["prewireResponder"] if p.startswith("cloudbuild.")}


def test_the_responder_reads_and_writes_evidence_only_in_the_evidence_bucket(
    graph: Graph,
) -> None:
    roles = {r.get("roleId"): r for r in graph.of_type(t.GCP_CUSTOM_ROLE)}
    assert not {
        p for p in roles["prewireResponder"].get("permissions") if p.startswith("storage.objects.")
    }
    evidence_role = roles["prewireResponderEvidence"]
    assert evidence_role.get("permissions") == sorted(EVIDENCE)
    [evidence] = [
        b
        for b in graph.of_type(t.GCP_BUCKET)
        if b.get("labels", {}).get("prewire-role") == "evidence-store"
    ]
    bound = [
        m
        for m in graph.of_type(t.GCP_BUCKET_IAM_MEMBER)
        if m.get("role") == evidence_role.outputs["name"]
    ]
    assert {m.get("bucket") for m in bound} == {evidence.get("name")}
    project_members = {
        m.get("member")
        for m in graph.of_type(t.GCP_PROJECT_IAM_MEMBER)
        if m.get("role") == roles["prewireResponder"].outputs["name"]
    }
    assert {m.get("member") for m in bound} == project_members
