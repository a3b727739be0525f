"""Live checks for the AWS controls, over the account's APIs, a module per service group as the
catalogue groups them. Importing the package registers every check.

Where the API returns the same shape a Pulumi program declares (an Object Lock rule, a lifecycle
rule, a flow log, a log group, a container definition), the response is turned into the camelCase
shape the static rules read and the same rule function decides.
"""

from __future__ import annotations

from prewire.core.clouds import load_modules

load_modules(__name__, __path__)
