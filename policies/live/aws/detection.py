"""GuardDuty and AWS Config, as deployed."""

from __future__ import annotations

from typing import Any

from policies.live.aws.context import AwsLiveContext
from policies.live.engine import LiveVerdict, failed, live_check, unknown, verdict


def detectors(ctx: AwsLiveContext) -> list[dict[str, Any]]:
    guardduty = ctx.clients.client("guardduty")
    return ctx.once(
        "detectors",
        lambda: [
            {"DetectorId": d, **guardduty.get_detector(DetectorId=d)}
            for d in guardduty.list_detectors()["DetectorIds"]
        ],
    )


@live_check("AWS-GUARDDUTY-001")
def guardduty(ctx: AwsLiveContext) -> list[LiveVerdict]:
    found = detectors(ctx)
    if not found:
        return [failed(None, "GuardDuty is not enabled in this region")]
    return [
        verdict(d["DetectorId"], None if d.get("Status") == "ENABLED" else "detector disabled")
        for d in found
    ]


@live_check("AWS-GUARDDUTY-002")
def guardduty_containers(ctx: AwsLiveContext) -> list[LiveVerdict]:
    result = []
    for detector in detectors(ctx):
        features = detector.get("Features")
        if features is None:
            result.append(unknown(detector["DetectorId"], "detector features are not reported"))
            continue
        enabled = {f["Name"] for f in features if f.get("Status") == "ENABLED"}
        missing = [
            f
            for f in ("EKS_AUDIT_LOGS", "RUNTIME_MONITORING")
            if f not in enabled
            and not (f == "RUNTIME_MONITORING" and "EKS_RUNTIME_MONITORING" in enabled)
        ]
        result.append(
            verdict(
                detector["DetectorId"], f"features off: {', '.join(missing)}" if missing else None
            )
        )
    return result


@live_check("AWS-CONFIG-001")
def config_recording(ctx: AwsLiveContext) -> list[LiveVerdict]:
    config = ctx.clients.client("config")
    recorders = config.describe_configuration_recorders()["ConfigurationRecorders"]
    if not recorders:
        return [failed(None, "no AWS Config recorder")]
    statuses = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    channels = config.describe_delivery_channels()["DeliveryChannels"]
    problems = []
    if not recorders[0].get("recordingGroup", {}).get("allSupported"):
        problems.append("does not record all supported resources")
    if not any(s.get("recording") for s in statuses):
        problems.append("not recording")
    if not channels:
        problems.append("no delivery channel")
    return [verdict(recorders[0]["name"], "; ".join(problems) or None)]
