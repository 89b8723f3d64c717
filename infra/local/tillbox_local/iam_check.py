"""What the functions did to the table, against what IAM lets them do: each
function's observed (action, partition-key prefix) pairs, from the emulator's
`GET /_local/keys` (moto_server.py), must be allowed by a statement of its own
policy on the table whose `dynamodb:LeadingKeys` condition matches the prefix.
`make test` runs it after the local-stack suite (commands/test.py): a function
that starts touching a key its role does not grant fails the build here, not
with AccessDenied in AWS. It sees only what the suite exercised."""

import fnmatch

from . import cfn

TABLE = {"Fn::GetAtt": ["Table", "Arn"]}
LEADING_KEYS = "ForAllValues:StringLike"


def _listed(value):
    return value if isinstance(value, list) else [value]


def table_grants(function):
    """(actions, leading-key patterns or None for any key) of each statement of
    `function`'s policies on the table itself (not its indexes)."""
    grants = []
    for policy in function["Properties"].get("Policies", []):
        for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
            if statement.get("Effect") != "Allow" or TABLE not in _listed(statement["Resource"]):
                continue
            patterns = statement.get("Condition", {}).get(LEADING_KEYS, {}).get("dynamodb:LeadingKeys")
            grants.append((set(_listed(statement["Action"])), patterns))
    return grants


def refusals(template, observed):
    """What IAM would refuse: one line per (function, action, prefix) observed
    that no grant of the function allows."""
    functions = cfn.resources_of(template, "AWS::Serverless::Function")
    found = []
    for name, function in sorted(functions.items()):
        grants = table_grants(function)
        for action, prefixes in sorted(observed.get(name, {}).items()):
            for prefix in prefixes:
                allowed = any(f"dynamodb:{action}" in actions
                              and any(fnmatch.fnmatchcase(prefix + "x", p) for p in patterns or ["*"])
                              for actions, patterns in grants)
                if not allowed:
                    found.append(f"{name}: dynamodb:{action} on {prefix}… is not granted")
    return found


def unscoped(template):
    """The functions granted table items without a leading-key condition
    (docs/security.md says why, function by function)."""
    functions = cfn.resources_of(template, "AWS::Serverless::Function")
    return sorted(name for name, function in functions.items()
                  if any(patterns is None for _, patterns in table_grants(function)))
