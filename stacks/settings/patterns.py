"""What a valid value of each setting looks like: the accepted forms of ids, ARNs, names and
retention periods."""

from __future__ import annotations

import re

# CloudWatch Logs accepts only these retention periods (days).
CLOUDWATCH_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


VPC_ID = re.compile(r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?$")


VPC_GROUP_PAIR = re.compile(r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?=sg-[0-9a-f]{8}([0-9a-f]{9})?$")


IAM_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:(root|user/.+|role/.+)$")


POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/.+$")


ACCOUNT_ID = re.compile(r"^\d{12}$")


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$")


SHA256 = re.compile(r"^[0-9a-f]{64}$")


# A Pulumi resource name or an EKS cluster name (letters, digits, hyphens, underscores).
EKS_CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")


READ_ONLY_ACCESS = "arn:aws:iam::aws:policy/ReadOnlyAccess"


TAG = re.compile(r"^[^=]{1,128}=[^=]{0,256}$")


GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


AZURE_LOCATION = re.compile(r"^[a-z][a-z0-9]{2,30}$")


RESOURCE_GROUP = re.compile(r"^[-\w._()]{1,89}[-\w_()]$")


_SUBSCRIPTION_PREFIX = r"/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w._()]+/providers/"


VNET_AT = re.compile(
    rf"^[a-z][a-z0-9]{{2,30}}={_SUBSCRIPTION_PREFIX}Microsoft\.Network/virtualNetworks/[-\w._]+$"
)


AKS_ID = re.compile(
    rf"^{_SUBSCRIPTION_PREFIX}Microsoft\.ContainerService/managedClusters/[-\w._]+$"
)


FUNCTION_APP_ID = re.compile(rf"^{_SUBSCRIPTION_PREFIX}Microsoft\.Web/sites/[-\w._]+$")


KEY_VAULT_KEY = re.compile(
    r"^https://[-a-z0-9]{3,24}\.vault\.azure\.net/keys/[-\w]+(/[0-9a-f]{32})?$"
)


ANY_PATH = re.compile(r"^\S.*$")


GCP_PROJECT = re.compile(r"^[a-z][-a-z0-9]{4,28}[a-z0-9]$")


GCP_ORGANIZATION = re.compile(r"^[0-9]{6,20}$")


GCP_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]$")


GCP_LOCATION = re.compile(r"^([a-z]+-[a-z]+[0-9]|EU|US|ASIA|[A-Z]+[0-9]?)$")


GCP_NETWORK = re.compile(
    r"^projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/global/networks/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
)


GCP_KMS_KEY = re.compile(r"^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$")


GCP_LABEL = re.compile(r"^[a-z][-_a-z0-9]{0,62}=[-_a-z0-9]{0,63}$")


GCP_GROUP = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


GCP_MEMBER = re.compile(r"^(user|group|serviceAccount|principal|principalSet):.+$")


RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


CALLER = re.compile(r"^([^@\s]+@[^@\s]+|[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})$")
