"""Reads template.yaml, the single declaration of every resource, for the local stack.

Resolves the intrinsic functions the template uses (Ref, GetAtt, Sub, If, Equals,
Not, Join, Select) against the names the local stack gave its resources, so the
functions see the same environment locally that CloudFormation gives them in AWS.
"""

import re

import yaml

from .paths import ROOT

TEMPLATE = ROOT / "template.yaml"
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
STACK_NAME = "tillbox-local"


class _Loader(yaml.SafeLoader):
    pass


def _tag(name):
    def construct(loader, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if name == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        key = "Ref" if name == "Ref" else f"Fn::{name}"
        return {key: value}

    return construct


for _name in ["Ref", "GetAtt", "Sub", "If", "Equals", "Not", "Join", "Select", "Split", "And", "Or", "FindInMap", "Base64"]:
    _Loader.add_constructor(f"!{_name}", _tag(_name))


def load(path=TEMPLATE):
    with open(path) as f:
        return yaml.load(f, Loader=_Loader)


class Resolver:
    """Evaluates intrinsics. `refs` maps logical ids to Ref values, `attrs` maps
    (logical id, attribute) to GetAtt values, `params` holds parameter values."""

    def __init__(self, template, params, refs, attrs, stack_name=STACK_NAME):
        self.template = template
        self.stack_name = stack_name
        self.params = {
            **{k: str(v.get("Default", "")) for k, v in template.get("Parameters", {}).items()},
            **params,
        }
        self.refs = refs
        self.attrs = attrs

    def ref(self, name):
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::StackName": self.stack_name,
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.params:
            declared = self.template.get("Parameters", {}).get(name, {})
            if declared.get("Type") == "CommaDelimitedList":
                return [item.strip() for item in self.params[name].split(",") if item.strip()]
            return self.params[name]
        if name in self.refs:
            return self.refs[name]
        raise KeyError(f"template refers to {name}, which the local stack does not provide")

    def condition(self, name):
        return bool(self.resolve(self.template["Conditions"][name]))

    def resolve(self, value):
        if isinstance(value, list):
            # `!Ref AWS::NoValue` leaves a list, as CloudFormation drops it.
            return [v for v in map(self.resolve, value) if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                logical, attr = arg
                if (logical, attr) not in self.attrs:
                    raise KeyError(f"GetAtt {logical}.{attr} is not available locally")
                return self.attrs[(logical, attr)]
            if key == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

                def sub(match):
                    name = match.group(1)
                    if name in extra:
                        return str(extra[name])
                    if "." in name and not name.startswith("AWS::"):
                        return str(self.resolve({"Fn::GetAtt": name.split(".", 1)}))
                    return str(self.ref(name))

                return re.sub(r"\$\{([^}!]+)\}", sub, text)
            if key == "Fn::If":
                cond, yes, no = arg
                return self.resolve(yes if self.condition(cond) else no)
            if key == "Fn::Equals":
                a, b = self.resolve(arg)
                return str(a) == str(b)
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Fn::And":
                return all(self.resolve(arg))
            if key == "Fn::Or":
                return any(self.resolve(arg))
            if key == "Fn::Join":
                sep, items = arg
                return sep.join(str(i) for i in self.resolve(items))
            if key == "Fn::Split":
                sep, text = arg
                return str(self.resolve(text)).split(sep)
            if key == "Fn::Select":
                index, items = self.resolve(arg)
                return items[int(index)]
            if key == "Condition":
                return self.condition(arg)
        return {k: self.resolve(v) for k, v in value.items()}


# What `!Ref AWS::NoValue` resolves to, until a list drops it.
NO_VALUE = object()


def resources_of(template, *types):
    return {k: v for k, v in template["Resources"].items() if v["Type"] in types}


def binary_of(function):
    """The Cargo binary a function runs: its `Metadata: BuildProperties: Binary`, the
    name `sam build` passes to `cargo lambda build --bin`."""
    return function["Metadata"]["BuildProperties"]["Binary"]
