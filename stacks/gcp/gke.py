"""`prewire:gcp:GkeLogging`: GKE clusters declared in the same Pulumi program keep the logs an
investigation needs: system components, the API server, controller manager, scheduler and
workloads (GKE's default is system and workloads only).

A stack transformation adds the missing components to every `gcp.container.Cluster` registered
after this component, so a platform team's own cluster definitions in the program are covered
without editing them. Clusters outside the program are judged by `prewire audit gcp`.
"""

from __future__ import annotations

from typing import Any

import pulumi

from prewire.core import tokens

LOGGED_COMPONENTS = (
    "SYSTEM_COMPONENTS",
    "APISERVER",
    "CONTROLLER_MANAGER",
    "SCHEDULER",
    "WORKLOADS",
)


def _merged(config: Any) -> dict[str, Any]:
    # A dict, a ClusterLoggingConfigArgs or nothing.
    merged = dict(config) if isinstance(config, dict) else {}
    present = list(
        merged.get("enable_components") or getattr(config, "enable_components", None) or []
    )
    merged["enable_components"] = present + [c for c in LOGGED_COMPONENTS if c not in present]
    return merged


def with_forensic_logging(props: dict[str, Any]) -> dict[str, Any]:
    """The cluster's inputs with every component of LOGGED_COMPONENTS logged (others kept)."""
    config = props.get("logging_config")
    if isinstance(config, pulumi.Output):
        return {**props, "logging_config": config.apply(_merged)}
    return {**props, "logging_config": _merged(config)}


def _transform(
    args: pulumi.ResourceTransformationArgs,
) -> pulumi.ResourceTransformationResult | None:
    if args.type_ != tokens.GCP_GKE_CLUSTER:
        return None
    return pulumi.ResourceTransformationResult(with_forensic_logging(dict(args.props)), args.opts)


class GkeLogging(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.GCP_GKE_LOGGING, name, None, opts)
        pulumi.runtime.register_stack_transformation(_transform)
        self.register_outputs({"components": list(LOGGED_COMPONENTS)})
