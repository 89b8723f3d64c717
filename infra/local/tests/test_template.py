"""The template and the functions package agree: every function builds a binary
functions/Cargo.toml declares, from that one package, and every binary it
declares is deployed by exactly one function. And the template deploys where a
real account differs from the emulator: alarms that can reach their topic, an
existing SES identity, two stacks side by side, DLQs that can be redriven, and
the dashboard behind the distribution."""

import json
import re
import shutil
import subprocess
import unittest
from pathlib import Path

from tillbox_local import cfn, iam_check

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
        denials = {s["Sid"]: s for s in boundary["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"}
        self.assertEqual(set(denials), {"AuditRecordsAreAppendOnly", "ArchivedAuditRecordsStayAsWritten"})
        archive = denials["ArchivedAuditRecordsStayAsWritten"]
        for action in ("s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectRetention",
                       "s3:PutBucketObjectLockConfiguration", "s3:PutLifecycleConfiguration"):
            self.assertIn(action, archive["Action"])
        self.assertIn("${AuditArchiveBucket}/*", json.dumps(archive["Resource"]))
        deny = denials["AuditRecordsAreAppendOnly"]
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


class FunctionsTouchOnlyTheirKeysTest(unittest.TestCase):
    """The routes anyone may call (the Stripe webhook, sign-up, sign-in and
    recovery), every read-only route and every job may read and write only the
    key prefixes they use; the check `make test` runs after the suite refuses
    what a grant does not cover."""

    def test_the_anonymous_and_read_only_routes_and_every_job_are_scoped_by_leading_keys(self):
        template = cfn.load()
        functions = cfn.resources_of(template, "AWS::Serverless::Function")
        jobs = [n for n, f in functions.items()
                if all(e["Type"] != "HttpApi" for e in f["Properties"].get("Events", {}).values())]
        anonymous = ["WebhooksStripeFunction", *(n for n in functions if n.startswith("Auth"))]
        self.assertEqual(len(anonymous), 8)
        reads = [n for n, f in functions.items()
                 if {e["Properties"].get("Method") for e in f["Properties"].get("Events", {}).values()} == {"GET"}]
        self.assertIn("AdminWebhooksGetFunction", reads)
        for name in [*anonymous, *reads, *jobs]:
            with self.subTest(function=name):
                grants = iam_check.table_grants(functions[name])
                self.assertNotIn(None, [patterns for _, patterns in grants], "a grant on any key")
        self.assertEqual(iam_check.table_grants(functions["WebhooksStripeFunction"]),
                         [({"dynamodb:GetItem", "dynamodb:PutItem"}, ["WEBHOOK#*"])])
        self.assertNotIn("WebhooksStripeFunction", iam_check.unscoped(template))

    def test_a_key_a_function_touches_without_a_grant_is_refused(self):
        template = cfn.load()
        observed = {"WebhooksStripeFunction": {"GetItem": ["WEBHOOK#"], "PutItem": ["WEBHOOK#", "USER#"]},
                    "SettlePaymentsFunction": {"UpdateItem": ["CUSTOMER#"], "DeleteItem": ["ORDER#"]}}
        self.assertEqual(iam_check.refusals(template, observed), [
            "SettlePaymentsFunction: dynamodb:DeleteItem on ORDER#… is not granted",
            "WebhooksStripeFunction: dynamodb:PutItem on USER#… is not granted",
        ])


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


class _Anything(dict):
    """GetAtt values for a template resolved without an emulator: `Logical.Attr`."""

    def __contains__(self, key):
        return True

    def __missing__(self, key):
        return ".".join(key)


def _resolved(template, stack_name, params=None):
    refs = {name: f"{stack_name}:{name}" for name in template["Resources"]}
    return cfn.Resolver(template, {"JwtJwks": "{}", "MailFrom": "shop@example.com", **(params or {})},
                        refs, _Anything(), stack_name=stack_name)


def _ssm_names(template, resolver):
    """Every SSM parameter a function is told about or may read."""
    names = set()
    for function in cfn.resources_of(template, "AWS::Serverless::Function").values():
        for value in function["Properties"].get("Environment", {}).get("Variables", {}).values():
            value = resolver.resolve(value)
            if isinstance(value, str) and value.startswith("/"):
                names.add(value)
        for policy in function["Properties"].get("Policies", []):
            for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
                resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                for resource in map(resolver.resolve, resources):
                    if isinstance(resource, str) and ":ssm:" in resource:
                        names.add(resource.split(":parameter", 1)[1])
    return names


class DeployTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.template = cfn.load()
        cls.resources = cls.template["Resources"]

    def test_alarms_can_publish_to_their_encrypted_topic(self):
        topic = self.resources["AlarmTopic"]["Properties"]
        key = topic["KmsMasterKeyId"]
        self.assertNotEqual(key, "alias/aws/sns", "the AWS-managed key's policy cannot admit CloudWatch")
        statements = self.resources[key["Ref"]]["Properties"]["KeyPolicy"]["Statement"]
        cloudwatch = [s for s in statements if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
        self.assertEqual(len(cloudwatch), 1)
        self.assertEqual(set(cloudwatch[0]["Action"]), {"kms:Decrypt", "kms:GenerateDataKey*"})
        alarms = cfn.resources_of(self.template, "AWS::CloudWatch::Alarm").values()
        for alarm in alarms:
            self.assertEqual(alarm["Properties"]["AlarmActions"], [{"Ref": "AlarmTopic"}])

    def test_an_existing_mail_identity_is_used_not_created_again(self):
        identity = self.resources["MailIdentity"]
        self.assertEqual(identity["Condition"], "CreatesMailIdentity")
        for value, created in (("true", True), ("false", False)):
            resolver = _resolved(self.template, "tillbox", {"CreateMailIdentity": value})
            self.assertIs(resolver.condition("CreatesMailIdentity"), created)
        # Sending as the address is allowed whether SES verified the address or its domain.
        resolver = _resolved(self.template, "tillbox")
        policy = self.resources["SendEmailsFunction"]["Properties"]["Policies"][0]["Statement"]
        granted = {r for s in policy if s["Action"] == "ses:SendEmail" for r in resolver.resolve(s["Resource"])}
        self.assertEqual({r.rsplit("/", 1)[1] for r in granted}, {"shop@example.com", "example.com"})

    def test_two_stacks_in_one_account_share_no_name_key_or_token(self):
        production, staging = (_resolved(self.template, name) for name in ("tillbox", "tillbox-staging"))
        prod_names, staging_names = _ssm_names(self.template, production), _ssm_names(self.template, staging)
        self.assertEqual(prod_names, {"/tillbox/jwt-signing-key", "/tillbox/stripe-secret-key",
                                      "/tillbox/stripe-webhook-secrets"})
        self.assertFalse(prod_names & staging_names)
        variables = self.template["Globals"]["Function"]["Environment"]["Variables"]
        for claim in ("JWT_ISSUER", "JWT_AUDIENCE"):
            with self.subTest(claim=claim):
                self.assertNotEqual(production.resolve(variables[claim]), staging.resolve(variables[claim]))
        # An operator's explicit value still wins.
        chosen = _resolved(self.template, "tillbox", {"JwtIssuer": "https://shop.example.com"})
        self.assertEqual(chosen.resolve(variables["JWT_ISSUER"]), "https://shop.example.com")
        named = ("Name", "TableName", "QueueName", "BucketName", "TopicName", "DashboardName", "LogGroupName")
        for logical, resource in self.resources.items():
            for prop in named:
                if prop in resource.get("Properties", {}) and isinstance(resource["Properties"][prop], (str, dict)):
                    with self.subTest(resource=logical, property=prop):
                        self.assertNotEqual(production.resolve(resource["Properties"][prop]),
                                            staging.resolve(resource["Properties"][prop]))

    def test_every_dead_letter_queue_is_output_with_the_arn_a_redrive_takes(self):
        outputs = self.template["Outputs"]
        for queue in cfn.resources_of(self.template, "AWS::SQS::Queue"):
            if queue.endswith("DeadLetterQueue"):
                with self.subTest(queue=queue):
                    self.assertEqual(outputs[f"{queue}Url"]["Value"], {"Ref": queue})
                    self.assertEqual(outputs[f"{queue}Arn"]["Value"], {"Fn::GetAtt": [queue, "Arn"]})

    def test_later_deploys_keep_parameters_in_the_stack_not_in_samconfig(self):
        """SAM passes UsePreviousValue for every parameter a deploy does not name,
        so parameters live in the stack. `--save-params` would copy them into
        samconfig.toml, where a rotated JWKS is later deployed back to its old value."""
        samconfig = (ROOT / "samconfig.toml").read_text()
        self.assertNotIn("parameter_overrides", samconfig)
        for doc in ("README.md", "docs/operations.md"):
            with self.subTest(doc=doc):
                self.assertNotRegex((ROOT / doc).read_text(), r"sam deploy[^\n]*--save-params")


class ApiCdnTest(unittest.TestCase):
    """The distribution in front of the API keeps only the public catalog, keyed so
    that a signed-in read or another origin never gets a kept answer."""

    def test_only_the_catalog_is_cached_and_tokens_and_origins_are_in_the_key(self):
        template = cfn.load()
        config = template["Resources"]["ApiDistribution"]["Properties"]["DistributionConfig"]
        caching_disabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
        self.assertEqual(config["DefaultCacheBehavior"]["CachePolicyId"], caching_disabled)
        cached = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
        self.assertEqual(set(cached), {"/products", "/products/*", "/search/*"})
        for behavior in cached.values():
            # Writes to the catalog go through the same behaviour: every method allowed.
            self.assertIn("POST", behavior["AllowedMethods"])
            policy = template["Resources"][behavior["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
            key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
            self.assertEqual(set(key["HeadersConfig"]["Headers"]), {"authorization", "origin"})
            self.assertEqual(key["QueryStringsConfig"]["QueryStringBehavior"], "all")
            self.assertEqual((policy["DefaultTTL"], policy["MaxTTL"]), (0, 60), "kept only when the API says, a minute at most")


class DashboardHostingTest(unittest.TestCase):
    """The admin app and the account pages are served from the bucket behind the
    distribution, and nothing more of the bucket is; strict headers; SPA routes."""

    @classmethod
    def setUpClass(cls):
        cls.template = cfn.load()
        cls.resources = cls.template["Resources"]

    def test_cloudfront_reads_the_images_and_the_dashboard_and_nothing_else(self):
        resolver = _resolved(self.template, "tillbox")
        policy = self.resources["BucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        cloudfront = [s for s in policy if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
        granted = set()
        for statement in cloudfront:
            self.assertEqual((statement["Effect"], statement["Action"]), ("Allow", "s3:GetObject"))
            self.assertEqual(resolver.resolve(statement["Condition"]), {"StringEquals": {
                "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/tillbox:AssetsDistribution"}})
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            granted |= set(resolver.resolve(resources))
        self.assertEqual(granted, {"Bucket.Arn/images/*", "Bucket.Arn/admin/*", "Bucket.Arn/account/*"})
        # The local gateway serves the first statement's prefixes as the CDN: images only.
        self.assertEqual(resolver.resolve(cloudfront[0]["Resource"]), "Bucket.Arn/images/*")

    def test_the_dashboard_behaviors_route_and_protect_both_apps(self):
        config = self.resources["AssetsDistribution"]["Properties"]["DistributionConfig"]
        behaviors = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
        self.assertEqual(set(behaviors), {"/admin*", "/account*"})
        for pattern, behavior in behaviors.items():
            with self.subTest(pattern=pattern):
                self.assertEqual(behavior["TargetOriginId"], config["Origins"][0]["Id"])
                self.assertEqual(behavior["ViewerProtocolPolicy"], "redirect-to-https")
                self.assertEqual(behavior["ResponseHeadersPolicyId"], {"Ref": "DashboardHeadersPolicy"})
                self.assertEqual(behavior["CachePolicyId"], {"Ref": "DashboardCachePolicy"})
                self.assertEqual(behavior["FunctionAssociations"], [{
                    "EventType": "viewer-request",
                    "FunctionARN": {"Fn::GetAtt": ["DashboardPathsFunction", "FunctionARN"]}}])
        # index.html and config.json are uploaded no-cache: a minimum TTL above 0 would cache them anyway.
        cache = self.resources["DashboardCachePolicy"]["Properties"]["CachePolicyConfig"]
        self.assertEqual((cache["MinTTL"], cache["DefaultTTL"], cache["MaxTTL"]), (0, 0, 31536000))

    def test_the_dashboard_headers_allow_only_its_own_scripts(self):
        resolver = _resolved(self.template, "tillbox")
        config = self.resources["DashboardHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
        headers = resolver.resolve(config["SecurityHeadersConfig"])
        csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
        directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
        self.assertEqual(directives["default-src"], ["'none'"])
        self.assertEqual(directives["script-src"], ["'self'"])
        self.assertEqual(directives["style-src"], ["'self'"])
        self.assertEqual(directives["frame-ancestors"], ["'none'"])
        self.assertEqual(directives["base-uri"], ["'none'"])
        # The HTTP API, this stack's WebSocket API (the live feed) and the bucket (uploads).
        self.assertEqual(directives["connect-src"], [
            "'self'", "https://*.execute-api.us-east-1.amazonaws.com", "wss://tillbox:LiveApi.execute-api.us-east-1.amazonaws.com",
            "https://Bucket.RegionalDomainName"])
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertTrue(all(h["Override"] for h in headers.values()))
        self.assertEqual(headers["ReferrerPolicy"]["ReferrerPolicy"], "no-referrer")
        self.assertIn("ContentTypeOptions", headers)
        self.assertGreaterEqual(headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"], 31536000)
        # Images from elsewhere are allowed only when AssetBaseUrl says so.
        elsewhere = _resolved(self.template, "tillbox", {"AssetBaseUrl": "https://cdn.example.com"})
        csp = elsewhere.resolve(config["SecurityHeadersConfig"])["ContentSecurityPolicy"]["ContentSecurityPolicy"]
        self.assertIn("img-src 'self' data: blob: https://cdn.example.com/;", csp)

    @unittest.skipIf(shutil.which("node") is None, "node runs the CloudFront Function's JavaScript")
    def test_app_routes_get_the_apps_index_and_files_stay_files(self):
        function = self.resources["DashboardPathsFunction"]["Properties"]
        self.assertEqual(function["FunctionConfig"]["Runtime"], "cloudfront-js-2.0")
        uris = ["/admin/orders/123", "/admin/", "/admin/assets/index-abc.js", "/admin/config.json",
                "/account/verify-email", "/account/orders/01J9ZQ/receipt", "/account/assets/app-1f2e.css",
                "/admin", "/account", "/administrator", "/images/p/1.webp"]
        script = function["FunctionCode"] + (
            "\nconst out = {};"
            "\nfor (const uri of JSON.parse(process.argv[1])) out[uri] = handler({request: {uri, headers: {}, querystring: {}}});"
            "\nconsole.log(JSON.stringify(out));")
        out = json.loads(subprocess.run(["node", "-e", script, json.dumps(uris)], capture_output=True, text=True,
                                        check=True).stdout)
        routed = {uri: answer.get("uri") for uri, answer in out.items()}
        self.assertEqual(routed, {
            "/admin/orders/123": "/admin/index.html", "/admin/": "/admin/index.html",
            "/admin/assets/index-abc.js": "/admin/assets/index-abc.js", "/admin/config.json": "/admin/config.json",
            "/account/verify-email": "/account/index.html", "/account/orders/01J9ZQ/receipt": "/account/index.html",
            "/account/assets/app-1f2e.css": "/account/assets/app-1f2e.css",
            "/admin": None, "/account": None, "/administrator": "/administrator", "/images/p/1.webp": "/images/p/1.webp",
        })
        # The bare folder is redirected, so the page's relative URLs resolve inside it.
        for app in ("admin", "account"):
            self.assertEqual(out[f"/{app}"]["statusCode"], 301)
            self.assertEqual(out[f"/{app}"]["headers"]["location"]["value"], f"/{app}/")

    def test_the_api_allows_the_dashboard_origin_and_links_default_to_the_account_pages(self):
        cors = self.resources["HttpApi"]["Properties"]["CorsConfiguration"]["AllowOrigins"]
        storefront = self.resources["SendEmailsFunction"]["Properties"]["Environment"]["Variables"]["STOREFRONT_URL"]
        dashboard = "https://AssetsDistribution.DomainName"
        cases = [
            ({}, [dashboard], f"{dashboard}/account"),
            ({"StorefrontUrl": "https://shop.example.com"}, [dashboard, "https://shop.example.com"],
             "https://shop.example.com"),
            ({"StorefrontUrl": "https://shop.example.com", "AllowedOrigins": "https://a.example,https://b.example"},
             [dashboard, "https://a.example", "https://b.example"], "https://shop.example.com"),
        ]
        for params, origins, links in cases:
            with self.subTest(params=params):
                resolver = _resolved(self.template, "tillbox", params)
                self.assertEqual(resolver.resolve(cors), origins)
                self.assertTrue(all(re.fullmatch(r"https?://[^/]+", o) for o in origins), "origins only, no path")
                self.assertEqual(resolver.resolve(storefront), links)
        parameter = self.template["Parameters"]["StorefrontUrl"]
        self.assertEqual(parameter["Default"], "")
        self.assertRegex("", parameter["AllowedPattern"])
        self.assertNotRegex("https://shop.example.com/account", parameter["AllowedPattern"])
        outputs = self.template["Outputs"]
        self.assertEqual(outputs["DashboardUrl"]["Value"], {"Fn::Sub": "https://${AssetsDistribution.DomainName}/admin/"})
        self.assertEqual(outputs["AssetsDistributionId"]["Value"], {"Ref": "AssetsDistribution"})
        self.assertIn("AccountPagesUrl", outputs)


class LiveApiTest(unittest.TestCase):
    """The WebSocket API is wired as API Gateway needs it, which the local
    emulator cannot prove: every route's function may be invoked for exactly its
    routes, the routes that answer have route responses, and the push job may
    post to and close connections of this API's stage, and of no other."""

    @classmethod
    def setUpClass(cls):
        cls.template = cfn.load()
        cls.resources = cls.template["Resources"]
        cls.resolver = _resolved(cls.template, "tillbox")

    def of_type(self, kind):
        return cfn.resources_of(self.template, kind)

    def test_each_route_reaches_its_function_which_may_be_invoked_for_it_alone(self):
        integrations = {name: re.search(r"\$\{(\w+)\.Arn\}", res["Properties"]["IntegrationUri"]["Fn::Sub"]).group(1)
                        for name, res in self.of_type("AWS::ApiGatewayV2::Integration").items()}
        routes = {}
        for res in self.of_type("AWS::ApiGatewayV2::Route").values():
            integration = re.fullmatch(r"integrations/\$\{(\w+)\}", res["Properties"]["Target"]["Fn::Sub"]).group(1)
            routes.setdefault(integrations[integration], set()).add(res["Properties"]["RouteKey"])
        self.assertEqual(routes, {"LiveConnectFunction": {"$connect"}, "LiveDisconnectFunction": {"$disconnect"},
                                  "LiveSubscribeFunction": {"subscribe", "$default"}})
        allowed = {}
        for res in self.of_type("AWS::Lambda::Permission").values():
            props = res["Properties"]
            arn = self.resolver.resolve(props["SourceArn"])
            if ":tillbox:LiveApi/" in arn:
                self.assertEqual(props["Principal"], "apigateway.amazonaws.com")
                allowed.setdefault(props["FunctionName"]["Ref"], set()).add(arn.rsplit("/", 1)[1])
        self.assertEqual(allowed, routes, "each function may be invoked for its own routes, no others")
        for res in self.of_type("AWS::ApiGatewayV2::Integration").values():
            self.assertEqual(res["Properties"]["IntegrationType"], "AWS_PROXY")

    def test_the_routes_that_answer_have_route_responses(self):
        responding = {res["Properties"]["RouteId"]["Ref"] for res in self.of_type("AWS::ApiGatewayV2::RouteResponse").values()}
        for name, res in self.of_type("AWS::ApiGatewayV2::Route").items():
            with self.subTest(route=res["Properties"]["RouteKey"]):
                answers = "RouteResponseSelectionExpression" in res["Properties"]
                self.assertEqual(answers, res["Properties"]["RouteKey"] in ("subscribe", "$default"))
                self.assertEqual(name in responding, answers)

    def test_the_push_job_manages_connections_of_this_stage_only(self):
        job = self.resources["PushLiveUpdatesFunction"]["Properties"]
        url = self.resolver.resolve(job["Environment"]["Variables"]["LIVE_CONNECTIONS_URL"])
        self.assertEqual(url, "https://tillbox:LiveApi.execute-api.us-east-1.amazonaws.com/tillbox:LiveStage")
        granted = [self.resolver.resolve(statement["Resource"]) for policy in job["Policies"]
                   for statement in policy["Statement"] if statement["Action"] == "execute-api:ManageConnections"]
        self.assertEqual(granted, [[
            "arn:aws:execute-api:us-east-1:123456789012:tillbox:LiveApi/tillbox:LiveStage/POST/@connections/*",
            "arn:aws:execute-api:us-east-1:123456789012:tillbox:LiveApi/tillbox:LiveStage/DELETE/@connections/*",
        ]])
        others = [name for name, function in self.of_type("AWS::Serverless::Function").items()
                  if "ManageConnections" in json.dumps(function["Properties"].get("Policies", []))]
        self.assertEqual(others, ["PushLiveUpdatesFunction"])

    def test_live_updates_travel_in_order_on_fifo_queues(self):
        queue, dead = self.resources["LiveQueue"]["Properties"], self.resources["LiveDeadLetterQueue"]["Properties"]
        self.assertTrue(queue["FifoQueue"] and dead["FifoQueue"], "a FIFO queue's dead letters need a FIFO queue")
        self.assertEqual(queue["RedrivePolicy"]["deadLetterTargetArn"], {"Fn::GetAtt": ["LiveDeadLetterQueue", "Arn"]})
        fan_out = self.resources["FanOutEventsFunction"]["Properties"]
        self.assertEqual(fan_out["Environment"]["Variables"]["LIVE_QUEUE_URL"], {"Ref": "LiveQueue"})
        self.assertIn({"Fn::GetAtt": ["LiveQueue", "Arn"]}, fan_out["Policies"][0]["Statement"][0]["Resource"])


if __name__ == "__main__":
    unittest.main()
