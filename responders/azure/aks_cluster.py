"""Gather an AKS cluster's state with AKS command invoke (`runCommand`).

The commands run in a pod AKS starts for the purpose, with the cluster's own credentials, so
nothing has to be installed or exposed beforehand and the API server need not be reachable from
here. Each command's output is one artifact; a command that fails is reported and the others
still run. Only read commands (`get`) are used: nothing in the cluster changes. The commands run
side by side (each invoke starts a pod and takes seconds on AKS); outputs are kept in order.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.azure import ids
from responders.azure.case import AzureCase
from responders.registry import action, perms
from responders.runtime import ActionFailed, Status, Step

DIAGNOSTICS = (
    "kubectl get nodes -o wide",
    "kubectl get pods --all-namespaces -o wide",
    "kubectl get pods --all-namespaces -o yaml",
    "kubectl get events --all-namespaces --sort-by=.lastTimestamp",
    "kubectl get clusterrolebindings,rolebindings --all-namespaces -o yaml",
    "kubectl get daemonsets,deployments,cronjobs,jobs --all-namespaces -o yaml",
    "kubectl get serviceaccounts --all-namespaces -o yaml",
)


def artifact_name(command: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", command.removeprefix("kubectl ")).strip("-")[:100]


@action(
    Cloud.AZURE,
    "collect-cluster",
    summary="Nodes, pods, events, bindings and workloads through AKS command invoke",
    target_kind="cluster",
    permissions=perms(
        "Microsoft.ContainerService/managedClusters/read",
        "Microsoft.ContainerService/managedClusters/runcommand/action",
        "Microsoft.ContainerService/managedClusters/commandResults/read",
    ),
    destructive=False,
    produces=(EvidenceSource.AKS_CLUSTER,),
)
def collect_cluster(case: AzureCase, target: str, step: Step) -> Status:
    cluster = ids.parse(target, "Microsoft.ContainerService/managedClusters")
    clusters = case.clients.containers.managed_clusters
    failed: list[str] = []
    if case.dry_run:
        for command in DIAGNOSTICS:
            step.change(
                "Microsoft.ContainerService",
                clusters,
                "begin_run_command",
                resource_group_name=cluster.resource_group,
                resource_name=cluster.name,
                request_payload={"command": command},
            )
        return Status.PLANNED

    def run(command: str) -> Any:
        with case.clients.recording(step):  # each thread reports its calls to this step
            return clusters.begin_run_command(
                cluster.resource_group, cluster.name, {"command": command}
            ).result()

    # Each command invoke starts its own pod and takes seconds on AKS: run them side by side,
    # then keep their outputs in the order listed.
    with ThreadPoolExecutor(max_workers=len(DIAGNOSTICS)) as pool:
        results = list(pool.map(run, DIAGNOSTICS))
    for command, result in zip(DIAGNOSTICS, results, strict=True):
        properties = result.properties
        exit_code = properties.exit_code if properties else None
        logs = (properties.logs if properties else "") or ""
        case.save(
            step,
            f"{artifact_name(command)}.txt",
            f"$ {command}\n# exit code {exit_code}\n{logs}".encode(),
            command,
        )
        if exit_code != 0:
            failed.append(f"{command} (exit {exit_code})")
    if failed and len(failed) == len(DIAGNOSTICS):
        raise ActionFailed(f"every command failed, e.g. {failed[0]}")
    for problem in failed:
        step.warn(f"failed: {problem}")
    step.note(f"{len(DIAGNOSTICS) - len(failed)} of {len(DIAGNOSTICS)} commands collected")
    return Status.COLLECTED
