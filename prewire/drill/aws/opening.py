"""How the AWS drill target opens: a sandbox account when one is given, else the embedded
emulator (started when the target opens, so it is imported only then)."""

from __future__ import annotations

from prewire.core.vocabulary import Cloud
from prewire.drill.aws.sandbox import SandboxOptions, SandboxTarget
from prewire.drill.options import DrillOptions
from prewire.drill.target import Target, target_opener


@target_opener(Cloud.AWS)
def open_aws(options: DrillOptions) -> Target:
    if options.sandbox is not None:
        if not isinstance(options.sandbox, SandboxOptions):
            raise TypeError(
                "DrillOptions.sandbox must be a prewire.drill.aws.sandbox.SandboxOptions"
            )
        return SandboxTarget(options.sandbox)
    from prewire.drill.aws.emulated import EmulatorTarget
    from prewire.emulator.aws.cloud_model import named

    return EmulatorTarget(
        options.region,
        "pulumi" if options.provision_with == "pulumi" else "api",
        cloud_model=named(options.cloud_model),
    )
