"""Live checks for the GCP controls: the project read back as a graph, judged by the static
rules.

Every kind the rules read is listed through its REST API (all pages; Compute's aggregated lists
for regional and zonal kinds) and turned into the pulumi-gcp resource it corresponds to
(`prewire/core/gcp/rest.py`); the project IAM policy gives the audit configs and the bindings. A
kind that cannot be listed (no permission, API not enabled) makes the controls reading it
`unknown`, with the reason.

Two controls look further than the graph: GCP-SNAP-001 lists the disks carrying the schedule's
label and checks that each has the schedule (what the stack's deploy-time attachment does), and
the responder pre-flight (GCP-RESP-001) checks that the responder service account exists and is
enabled and that the responders have an evidence bucket to write to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from policies.live.engine import CheckContext, LiveVerdict, failed, live_check, passed, unknown
from policies.live.graph_judge import LiveGraph, judge, rule_ids
from policies.static.gcp.identity import roles_named, service_accounts_holding
from prewire.core import tokens as t
from prewire.core.gcp.kinds import IAM_POLICY_TOKENS, KINDS, ORG_NOTIFICATIONS, RestKind
from prewire.core.gcp.rest import as_resource, policy_resources
from prewire.core.graph import Graph, Resource
from responders.gcp.discovery import Prewired
from responders.gcp.session import GcpClients, RestError
from responders.runtime import InputError

Json = dict[str, Any]
CUSTOM_CHECKS = ("GCP-SNAP-001", "GCP-RESP-001")


@dataclass(kw_only=True)
class GcpLiveContext(CheckContext):
    clients: GcpClients
    prewired: Prewired
    organization: str | None = None

    @property
    def project(self) -> str:
        return self.clients.project

    def location(self, account_wide: bool) -> dict[str, str]:
        return {"project": self.project, "region": "global"}

    def explain(self, error: Exception) -> str | None:
        if isinstance(error, RestError):
            if error.status in (404, 501):
                return f"{error.operation} is not available on this target"
            if error.status == 403:
                return f"not permitted to call {error.operation} ({error.reason})"
            return f"{error.operation} failed: {error.reason}"
        if isinstance(error, requests.RequestException):
            return f"GCP did not answer: {error}"
        return None

    # -- reads ---------------------------------------------------------------------------------
    def items(self, kind: RestKind) -> list[Json]:
        """Every item of a kind, following the pages (and the scopes of an aggregated list)."""
        path = kind.read.format(project=self.project, organization=self.organization)
        found: list[Json] = []
        token: str | None = None
        while True:
            page = self.clients.call(
                kind.service, "GET", path, params={"pageToken": token} if token else None
            )
            listed = page.get(kind.items, page.get("items"))
            if "/aggregated/" in path:
                for scope in (page.get("items") or {}).values():
                    found += scope.get(kind.items) or []
            else:
                found += listed or []
            token = page.get("nextPageToken")
            if not token:
                return [item for item in found if not kind.skip(item)]

    def iam_policy(self) -> Json:
        return self.clients.call(
            "cloudresourcemanager",
            "POST",
            f"/v1/projects/{self.project}:getIamPolicy",
            body={"options": {"requestedPolicyVersion": 3}},
        )


def check_project(ctx: GcpLiveContext) -> None:
    """Refuse an unknown project, or one the caller cannot see, before auditing anything."""
    try:
        ctx.clients.call("cloudresourcemanager", "GET", f"/v1/projects/{ctx.project}")
    except RestError as error:
        if error.status in (403, 404):
            raise InputError(
                f"project {ctx.project} does not exist or the caller may not read it "
                f"({error.reason})"
            ) from error
        raise
    except requests.RequestException as error:
        raise InputError(f"GCP did not answer: {error}") from error


def live_graph(ctx: GcpLiveContext) -> LiveGraph:
    """The project as a graph: every kind the GCP rules read, and the IAM policy."""

    def build() -> LiveGraph:
        resources: list[Resource] = []
        gaps: dict[str, str] = {}
        kinds = [*KINDS, ORG_NOTIFICATIONS] if ctx.organization else list(KINDS)
        for kind in kinds:
            try:
                resources += [as_resource(kind, item) for item in ctx.items(kind)]
            except (RestError, requests.RequestException) as error:
                gaps[kind.token] = ctx.explain(error) or str(error)
        try:
            resources += policy_resources(ctx.project, ctx.iam_policy())
        except (RestError, requests.RequestException) as error:
            gaps.update(dict.fromkeys(IAM_POLICY_TOKENS, ctx.explain(error) or str(error)))
        return LiveGraph(Graph(resources=resources), gaps)

    return ctx.once("live-graph", build)


def _register(control_id: str) -> None:
    live_check(control_id, account_wide=True)(
        lambda ctx: judge(control_id, live_graph(ctx), ctx.retention_days)
    )


for _control in rule_ids("GCP-"):
    if _control not in CUSTOM_CHECKS:
        _register(_control)


# -- snapshots: the schedule must be on the disks carrying its label ----------------------------


def selector_label(policy: Resource) -> tuple[str, str] | None:
    """The label the schedule selects disks by: its snapshot labels other than prewire's own."""
    from stacks.gcp.base import labels

    own = set(labels("any", "any"))
    properties = (policy.get("snapshotSchedulePolicy") or {}).get("snapshotProperties") or {}
    chosen = [(k, v) for k, v in (properties.get("labels") or {}).items() if k not in own]
    return (str(chosen[0][0]), str(chosen[0][1])) if chosen else None


@live_check("GCP-SNAP-001", account_wide=True)
def snapshot_schedule(ctx: GcpLiveContext) -> list[LiveVerdict]:
    from stacks.gcp.disk_policy import attached_to, labelled_disks

    live = live_graph(ctx)
    if t.GCP_RESOURCE_POLICY in live.gaps:
        return [unknown(None, live.gaps[t.GCP_RESOURCE_POLICY])]
    for policy in live.graph.of_type(t.GCP_RESOURCE_POLICY):
        label = selector_label(policy)
        if not policy.get("snapshotSchedulePolicy") or label is None:
            continue
        disks = labelled_disks(ctx.clients, label)
        without = sorted(d for d, held in disks.items() if not attached_to(held, str(policy.id)))
        attachment = Resource(
            urn=f"live::attachment::{policy.id}",
            type=t.DYNAMIC_RESOURCE,
            name=f"{policy.name}-labelled-disks",
            inputs={"label_key": label[0], "label_value": label[1]},
        )
        with_attachment = Graph(resources=[*live.graph.resources, attachment])
        verdicts = judge("GCP-SNAP-001", LiveGraph(with_attachment, {}), ctx.retention_days)
        if without:
            shown = ", ".join(d.rsplit("/", 1)[-1] for d in without[:5])
            problem = f"{len(without)} disk(s) labelled {label[0]}={label[1]} without it: {shown}"
            return [*verdicts, failed(policy.id, f"{policy.name}: {problem}")]
        return [
            *verdicts,
            passed(policy.id, f"{policy.name}: on all {len(disks)} labelled disk(s)"),
        ]
    return judge("GCP-SNAP-001", live, ctx.retention_days)


# -- the responder pre-flight ------------------------------------------------------------------


@live_check("GCP-RESP-001", account_wide=True)
def responder_ready(ctx: GcpLiveContext) -> list[LiveVerdict]:
    """The responder role covers the responders, its service account is usable, and the
    responders have a discoverable evidence bucket to write to."""
    live = live_graph(ctx)
    verdicts = judge("GCP-RESP-001", live, ctx.retention_days)
    if ctx.prewired.evidence_bucket:
        verdicts.append(passed(ctx.prewired.evidence_bucket, "the responders' evidence bucket"))
    else:
        reason = ctx.prewired.discovery_error or "no bucket labelled prewire-role=evidence-store"
        verdicts.append(failed(None, f"the responders have nowhere to write: {reason}"))
    accounts = sorted(
        str(binding.get("member")).removeprefix("serviceAccount:")
        for role in roles_named(live.graph, "responder")
        for binding in service_accounts_holding(live.graph, role)
    )
    for email in accounts:
        try:
            account = ctx.clients.call("iam", "GET", f"/v1/projects/-/serviceAccounts/{email}")
        except RestError as error:
            if error.status != 404:
                raise
            verdicts.append(failed(email, "the responder service account does not exist"))
            continue
        if account.get("disabled"):
            verdicts.append(failed(email, "the responder service account is disabled"))
        else:
            verdicts.append(passed(email, "the responder service account is enabled"))
    return verdicts
