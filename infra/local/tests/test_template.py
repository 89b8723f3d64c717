"""The template and the functions package agree: every function builds a binary
functions/Cargo.toml declares, from that one package, and every binary it
declares is deployed by exactly one function."""

import re
import unittest
from pathlib import Path

from tillbox_local import cfn

ROOT = Path(__file__).resolve().parents[3]
FUNCTIONS = ROOT / "functions"


def _bins(manifest):
    """The [[bin]] tables of a Cargo manifest (tomllib needs Python 3.11)."""
    bins = {}
    for table in re.findall(r"^\[\[bin\]\]\n((?:[a-z]+ = .+\n)+)", manifest, re.M):
        fields = dict(re.findall(r"^([a-z]+) = (.+)$", table, re.M))
        entry = {k: v.strip('"') for k, v in fields.items()}
        if "test" in entry:
            entry["test"] = entry["test"] == "true"
        bins[entry["name"]] = entry
    return bins


class TemplateMatchesPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.template = cfn.load()
        cls.functions = cfn.resources_of(cls.template, "AWS::Serverless::Function")
        cls.bins = _bins((FUNCTIONS / "Cargo.toml").read_text())

    def test_every_function_builds_a_declared_binary_of_the_functions_package(self):
        self.assertEqual(self.template["Globals"]["Function"]["CodeUri"], "functions")
        for name, function in self.functions.items():
            with self.subTest(function=name):
                self.assertNotIn("CodeUri", function["Properties"], "every function builds from the functions package")
                self.assertEqual(function["Metadata"]["BuildMethod"], "rust-cargolambda")
                binary = cfn.binary_of(function)
                self.assertIn(binary, self.bins, "a [[bin]] in functions/Cargo.toml")
                self.assertTrue((FUNCTIONS / self.bins[binary]["path"]).is_file())
                self.assertIs(self.bins[binary].get("test"), False, "no empty test harness per function")

    def test_every_function_binary_is_deployed_once(self):
        deployed = [cfn.binary_of(f) for f in self.functions.values()]
        self.assertEqual(len(deployed), len(set(deployed)), "two functions share a binary")
        declared = set(self.bins)
        self.assertEqual(declared, set(deployed))
        on_disk = {p.stem for folder in ("api", "jobs") for p in (FUNCTIONS / folder).glob("*.rs")}
        self.assertEqual(on_disk, declared, "a function's main file that functions/Cargo.toml does not declare")


class AuditIsAppendOnlyTest(unittest.TestCase):
    """No function can change or delete an audit record: every function's role
    has the boundary that denies it, and none replaces the boundary."""

    def test_every_function_is_bounded_by_the_append_only_audit_policy(self):
        template = cfn.load()
        boundary_ref = template["Globals"]["Function"]["PermissionsBoundary"]
        self.assertEqual(boundary_ref, {"Ref": "AppendOnlyAuditBoundary"})
        boundary = template["Resources"]["AppendOnlyAuditBoundary"]
        self.assertEqual(boundary["Type"], "AWS::IAM::ManagedPolicy")
        denials = [s for s in boundary["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
        self.assertEqual(len(denials), 1)
        deny = denials[0]
        for action in ("dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                       "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete"):
            self.assertIn(action, deny["Action"])
        self.assertEqual(deny["Resource"], {"Fn::GetAtt": ["Table", "Arn"]})
        self.assertEqual(deny["Condition"], {"ForAnyValue:StringLike": {"dynamodb:LeadingKeys": ["AUDIT#*"]}})
        for name, function in cfn.resources_of(template, "AWS::Serverless::Function").items():
            with self.subTest(function=name):
                self.assertNotIn("PermissionsBoundary", function["Properties"], "no function escapes the boundary")
                self.assertNotIn("Role", function["Properties"], "no function brings a role without the boundary")
        self.assertFalse(cfn.resources_of(template, "AWS::IAM::Role"), "no role outside the functions' boundary")


class OperatorsCanSeeEveryFunctionTest(unittest.TestCase):
    """Every function is traced and logs where retention applies; every job has
    an alarm on its errors and every dead-letter queue one on its depth."""

    def test_every_function_is_traced_logged_with_retention_and_every_job_alarmed(self):
        template = cfn.load()
        resources = template["Resources"]
        globals_ = template["Globals"]["Function"]
        self.assertEqual(globals_["Tracing"], "Active")
        self.assertEqual(globals_["LoggingConfig"], {"LogFormat": "JSON", "LogGroup": {"Ref": "FunctionLogs"}})
        for group in ("FunctionLogs", "ApiAccessLogs"):
            self.assertEqual(resources[group]["Properties"]["RetentionInDays"], {"Ref": "LogRetentionDays"})
        alarms = cfn.resources_of(template, "AWS::CloudWatch::Alarm").values()
        watched = {d["Value"]["Ref"] for a in alarms for d in a["Properties"].get("Dimensions", [])
                   if d["Name"] == "FunctionName"}
        for name, function in cfn.resources_of(template, "AWS::Serverless::Function").items():
            with self.subTest(function=name):
                self.assertNotIn("LoggingConfig", function["Properties"], "no function logs elsewhere")
                self.assertNotIn("Tracing", function["Properties"])
                is_job = any(e["Type"] != "HttpApi" for e in function["Properties"].get("Events", {}).values())
                self.assertEqual(name in watched, is_job, "jobs, and only jobs, have an errors alarm")
        queues = {d["Value"]["Fn::GetAtt"][0] for a in alarms for d in a["Properties"].get("Dimensions", [])
                  if d["Name"] == "QueueName"}
        dead_letter = {n for n in cfn.resources_of(template, "AWS::SQS::Queue") if n.endswith("DeadLetterQueue")}
        self.assertEqual(queues, dead_letter)


if __name__ == "__main__":
    unittest.main()
