"""Creates every resource template.yaml declares on the local emulator (moto) and
describes the functions: their environment, HTTP routes and event sources
(`provision`). Tests call it with a random prefix per test so each test gets its
own table, queues and bucket; `python -m tillbox_local.commands.stack` prints the
description as JSON.
"""

import json
import os
import re
import threading
import urllib.parse

import boto3

from . import cfn, stripe_emulator
from .paths import LOCAL

PARAMETERS = LOCAL / "parameters.json"
# Function variables that name an SSM SecureString (`/<stack name>/…` in the
# template), and the file whose content the local stack stores there.
SECURE_PARAMETER_FILES = {
    "SIGNING_KEY_PARAMETER": "dev-signing-key.json",
    "STRIPE_SECRET_KEY_PARAMETER": "dev-stripe-secret-key.txt",
    "STRIPE_WEBHOOK_SECRETS_PARAMETER": "dev-stripe-webhook-secrets.txt",
}


_clients = {}
_clients_lock = threading.Lock()


def client(service, endpoint):
    """One client per service and endpoint for the whole process. Clients are
    thread-safe and keep their connections open; creating them is not (it goes
    through boto3's default session), and each throw-away client would leave its
    pooled sockets for the garbage collector to close."""
    with _clients_lock:
        if (service, endpoint) not in _clients:
            _clients[(service, endpoint)] = boto3.client(
                service,
                endpoint_url=endpoint,
                region_name=cfn.REGION,
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
        return _clients[(service, endpoint)]


def _create_tables(template, endpoint, prefix, refs, attrs, streams):
    ddb = client("dynamodb", endpoint)
    for logical, res in cfn.resources_of(template, "AWS::DynamoDB::Table").items():
        p = res["Properties"]
        name = f"{prefix}{logical}"
        args = dict(
            TableName=name,
            AttributeDefinitions=p["AttributeDefinitions"],
            KeySchema=p["KeySchema"],
            BillingMode=p.get("BillingMode", "PAY_PER_REQUEST"),
        )
        if p.get("GlobalSecondaryIndexes"):
            args["GlobalSecondaryIndexes"] = [
                {k: v for k, v in gsi.items() if k in ("IndexName", "KeySchema", "Projection")}
                for gsi in p["GlobalSecondaryIndexes"]
            ]
        if p.get("StreamSpecification") and streams:
            args["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": p["StreamSpecification"]["StreamViewType"],
            }
        table = ddb.create_table(**args)["TableDescription"]
        ttl = p.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
        refs[logical] = name
        attrs[(logical, "Arn")] = table["TableArn"]
        if "LatestStreamArn" in table:
            attrs[(logical, "StreamArn")] = table["LatestStreamArn"]
        elif p.get("StreamSpecification"):
            attrs[(logical, "StreamArn")] = f"{table['TableArn']}/stream/disabled"


def _create_queues(template, endpoint, prefix, refs, attrs, resolver):
    sqs = client("sqs", endpoint)
    queues = cfn.resources_of(template, "AWS::SQS::Queue")
    # Dead-letter queues first: the others refer to their ARNs.
    ordered = sorted(queues.items(), key=lambda kv: "RedrivePolicy" in kv[1].get("Properties", {}))
    for logical, res in ordered:
        p = resolver.resolve(res.get("Properties", {}))
        name = f"{prefix}{logical}" + (".fifo" if p.get("FifoQueue") else "")
        attributes = {}
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"):
            if key in p:
                attributes[key] = str(p[key])
        if p.get("FifoQueue"):
            attributes["FifoQueue"] = "true"
        if "RedrivePolicy" in p:
            attributes["RedrivePolicy"] = json.dumps(p["RedrivePolicy"])
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = f"arn:aws:sqs:{cfn.REGION}:{cfn.ACCOUNT}:{name}"
        refs[logical] = url
        attrs[(logical, "Arn")] = arn
        attrs[(logical, "QueueName")] = name
        attrs[(logical, "QueueUrl")] = url


def _create_buckets(template, endpoint, prefix, refs, attrs):
    s3 = client("s3", endpoint)
    for logical, res in cfn.resources_of(template, "AWS::S3::Bucket").items():
        name = f"{prefix}{logical}".lower()
        # Object Lock can only be turned on when a bucket is created (it turns on versioning).
        s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=bool(res["Properties"].get("ObjectLockEnabled")))
        refs[logical] = name
        attrs[(logical, "Arn")] = f"arn:aws:s3:::{name}"
        attrs[(logical, "RegionalDomainName")] = f"{name}.s3.{cfn.REGION}.amazonaws.com"


def _configure_object_lock(template, endpoint, resolver):
    """A bucket's default retention, as CloudFormation sets it from `ObjectLockConfiguration`."""
    s3 = client("s3", endpoint)
    for logical, res in cfn.resources_of(template, "AWS::S3::Bucket").items():
        config = res["Properties"].get("ObjectLockConfiguration")
        if config:
            retention = resolver.resolve(config["Rule"]["DefaultRetention"])
            s3.put_object_lock_configuration(Bucket=resolver.ref(logical), ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": retention["Mode"], "Days": int(retention["Days"])}},
            })


def _configure_notifications(template, endpoint, resolver):
    s3 = client("s3", endpoint)
    for logical, res in cfn.resources_of(template, "AWS::S3::Bucket").items():
        config = res["Properties"].get("NotificationConfiguration")
        if not config:
            continue
        config = resolver.resolve(config)
        queues = []
        for q in config.get("QueueConfigurations", []):
            entry = {"QueueArn": q["Queue"], "Events": [q["Event"]]}
            rules = q.get("Filter", {}).get("S3Key", {}).get("Rules")
            if rules:
                entry["Filter"] = {"Key": {"FilterRules": rules}}
            queues.append(entry)
        s3.put_bucket_notification_configuration(
            Bucket=resolver.ref(logical),
            NotificationConfiguration={"QueueConfigurations": queues},
        )


def _queue_url_of(attrs, resolver, arn):
    logical = next(k for (k, a), v in attrs.items() if a == "Arn" and v == arn)
    return resolver.ref(logical)


def _store_secure_parameters(endpoint, functions):
    """SecureString parameters are made by the operator, not by CloudFormation
    (docs/operations.md); locally they hold the development values."""
    ssm = client("ssm", endpoint)
    names = {(spec["env"][var], file) for spec in functions.values()
             for var, file in SECURE_PARAMETER_FILES.items() if var in spec["env"]}
    for name, file in sorted(names):
        value = (LOCAL / file).read_text().strip()
        ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)


def _verify_mail_identities(template, endpoint, resolver):
    """In AWS the identity is verified by DNS or a link; the emulator is told."""
    ses = client("ses", endpoint)
    for res in cfn.resources_of(template, "AWS::SES::EmailIdentity").values():
        identity = resolver.resolve(res["Properties"]["EmailIdentity"])
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)


def _describe_functions(template, resolver, attrs):
    globals_ = template.get("Globals", {}).get("Function", {})
    functions = {}
    for logical, res in cfn.resources_of(template, "AWS::Serverless::Function").items():
        if "Condition" in res and not resolver.condition(res["Condition"]):
            continue
        p = res["Properties"]
        env = {
            **globals_.get("Environment", {}).get("Variables", {}),
            **p.get("Environment", {}).get("Variables", {}),
        }
        spec = {
            "binary": cfn.binary_of(res),
            "env": {k: str(v) for k, v in resolver.resolve(env).items()},
            "timeout": int(p.get("Timeout", globals_.get("Timeout", 3))),
            "memory": int(p.get("MemorySize", globals_.get("MemorySize", 128))),
            "routes": [],
            "queues": [],
            "streams": [],
            "schedules": [],
        }
        for event in p.get("Events", {}).values():
            kind, props = event["Type"], event.get("Properties", {})
            if kind == "HttpApi":
                spec["routes"].append({"method": props["Method"].upper(), "path": props["Path"]})
            elif kind == "SQS":
                arn = resolver.resolve(props["Queue"])
                spec["queues"].append({
                    "url": _queue_url_of(attrs, resolver, arn),
                    "arn": arn,
                    "batch_size": int(props.get("BatchSize", 10)),
                    "report_failures": "ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                })
            elif kind == "DynamoDB":
                on_failure = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
                on_failure_arn = resolver.resolve(on_failure) if on_failure else None
                spec["streams"].append({
                    "arn": resolver.resolve(props["Stream"]),
                    "batch_size": int(props.get("BatchSize", 100)),
                    "report_failures": "ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                    # -1, Lambda's default, retries until the records expire from the stream.
                    "max_retries": int(props.get("MaximumRetryAttempts", -1)),
                    "filters": [json.loads(f["Pattern"]) for f in props.get("FilterCriteria", {}).get("Filters", [])],
                    "on_failure": _queue_url_of(attrs, resolver, on_failure_arn) if on_failure_arn else None,
                })
            elif kind in ("Schedule", "ScheduleV2"):
                spec["schedules"].append({"expression": props["Schedule" if kind == "Schedule" else "ScheduleExpression"]})
        functions[logical] = spec
    return functions


def _describe_cdn(template, resolver):
    """What the CDN may read: the bucket and key prefixes the bucket policy grants
    CloudFront. The local gateway serves exactly those under /assets/."""
    for res in cfn.resources_of(template, "AWS::S3::BucketPolicy").values():
        props = res["Properties"]
        for statement in props["PolicyDocument"]["Statement"]:
            if statement.get("Principal", {}).get("Service") == "cloudfront.amazonaws.com":
                bucket = resolver.resolve(props["Bucket"])
                arn_prefix = f"arn:aws:s3:::{bucket}/"
                resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                prefixes = [resolver.resolve(r)[len(arn_prefix):].rstrip("*") for r in resources]
                return {"bucket": bucket, "prefixes": prefixes}
    return None


def _describe_site(template, endpoint):
    """The Content-Security-Policy the distribution sends with the dashboard's
    pages, as the gateway sends it here: the API is the page's own origin
    ('self'), and the emulator plays S3 (image uploads), so each source naming
    an AWS host becomes the emulator's endpoint."""
    for res in cfn.resources_of(template, "AWS::CloudFront::ResponseHeadersPolicy").values():
        headers = res["Properties"]["ResponseHeadersPolicyConfig"].get("SecurityHeadersConfig", {})
        policy = headers.get("ContentSecurityPolicy", {}).get("ContentSecurityPolicy")
        if policy is None:
            continue
        text = policy["Fn::Sub"][0] if isinstance(policy, dict) else policy
        text = re.sub(r"\s*(?:https|wss)://\S*\$\{[^}]+\}[^\s;]*", "", text)
        text = re.sub(r"\$\{[^}]+\}", "", text).replace("connect-src 'self'", f"connect-src 'self' {endpoint}")
        return {"csp": " ".join(text.split())}
    return None


def _describe_api_cdn(template):
    """The behaviours of the distribution in front of the API that cache (those
    with a cache policy of the template's own): path pattern, the headers in
    the key and the longest time kept. The local gateway's CDN plays them."""
    policies = cfn.resources_of(template, "AWS::CloudFront::CachePolicy")
    for res in cfn.resources_of(template, "AWS::CloudFront::Distribution").values():
        config = res["Properties"]["DistributionConfig"]
        if not any("CustomOriginConfig" in origin for origin in config["Origins"]):
            continue
        behaviors = []
        for behavior in config.get("CacheBehaviors", []):
            policy = behavior.get("CachePolicyId")
            name = policy.get("Ref") if isinstance(policy, dict) else None
            if name not in policies:
                continue
            settings = policies[name]["Properties"]["CachePolicyConfig"]
            headers = settings["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"].get("Headers", [])
            behaviors.append({"pattern": behavior["PathPattern"], "headers": headers, "max_ttl": settings["MaxTTL"]})
        return {"behaviors": behaviors}
    return None


# The id and stage the local WebSocket API plays (`LiveApi`, `LiveStage`).
LIVE_API_ID = "local-live"


def _describe_live(template, refs):
    """The WebSocket API (`ProtocolType: WEBSOCKET`): each route key's function,
    found through its integration's URI, and whether the route answers the
    client (a route response). The local gateway serves it (websocket_api.py)."""
    for logical, api in cfn.resources_of(template, "AWS::ApiGatewayV2::Api").items():
        if api["Properties"].get("ProtocolType") != "WEBSOCKET":
            continue
        refs[logical] = LIVE_API_ID
        stage = None
        for name, res in cfn.resources_of(template, "AWS::ApiGatewayV2::Stage").items():
            if res["Properties"]["ApiId"] == {"Ref": logical}:
                refs[name] = stage = res["Properties"]["StageName"]
        integrations = {}
        for name, res in cfn.resources_of(template, "AWS::ApiGatewayV2::Integration").items():
            uri = res["Properties"]["IntegrationUri"]["Fn::Sub"]
            integrations[name] = re.search(r"functions/\$\{(\w+)\.Arn\}/invocations", uri).group(1)
        routes = {}
        for res in cfn.resources_of(template, "AWS::ApiGatewayV2::Route").values():
            props = res["Properties"]
            if props["ApiId"] != {"Ref": logical}:
                continue
            integration = re.fullmatch(r"integrations/\$\{(\w+)\}", props["Target"]["Fn::Sub"]).group(1)
            routes[props["RouteKey"]] = {"function": integrations[integration],
                                         "responds": "RouteResponseSelectionExpression" in props}
        selection = api["Properties"]["RouteSelectionExpression"]
        return {"api": logical, "stage": stage, "routes": routes,
                "selection": selection.removeprefix("$request.body.")}
    return None


def _describe_cors(template, resolver):
    """The HTTP API's CORS configuration, as the gateway applies it."""
    for res in cfn.resources_of(template, "AWS::Serverless::HttpApi").values():
        config = res.get("Properties", {}).get("CorsConfiguration")
        if config:
            return resolver.resolve(config)
    return None


def provision(endpoint, prefix, gateway_url="http://127.0.0.1:3000", overrides=None, streams=True, stripe_url=None):
    """Creates the template's storage on `endpoint` and returns the stack description.
    `gateway_url` is where the local gateway will listen (it also plays the CDN).
    `stripe_url` is the Stripe emulator (stripe_emulator.py; `TILLBOX_STRIPE_URL`
    by default): the stack's webhook endpoint is registered with it.
    `streams=False` leaves table streams off: the benchmark reads no stream, and
    moto keeps every stream record in memory."""
    template = cfn.load()
    refs, attrs = {}, {}
    _create_tables(template, endpoint, prefix, refs, attrs, streams)
    params = {k: v for k, v in json.loads(PARAMETERS.read_text()).items() if not k.startswith("//")}
    params.update(overrides or {})
    resolver = cfn.Resolver(template, {}, refs, attrs)
    _create_queues(template, endpoint, prefix, refs, attrs, resolver)
    _create_buckets(template, endpoint, prefix, refs, attrs)
    # The gateway plays the distribution (it serves the images), so the API's
    # CORS, which always names the distribution, names the gateway's host.
    attrs[("AssetsDistribution", "DomainName")] = urllib.parse.urlsplit(gateway_url).netloc
    # Local parameter values may name `{endpoint}`, `{gateway}` or a resource.
    stripe_url = stripe_url or os.environ.get("TILLBOX_STRIPE_URL", "http://127.0.0.1:8420")
    placeholders = {"endpoint": endpoint, "gateway": gateway_url, "stripe": stripe_url, **refs}
    for key, value in params.items():
        for name, replacement in placeholders.items():
            value = value.replace(f"{{{name}}}", replacement)
        params[key] = value
    live = _describe_live(template, refs)
    resolver = cfn.Resolver(template, params, refs, attrs)
    _configure_notifications(template, endpoint, resolver)
    _configure_object_lock(template, endpoint, resolver)
    functions = _describe_functions(template, resolver, attrs)
    cors = _describe_cors(template, resolver)
    # The template names the distribution with https://; the gateway plays it
    # over plain http (e-mail links to the account pages, the CORS origin).
    distribution = f"https://{attrs[('AssetsDistribution', 'DomainName')]}"
    # The functions reach the WebSocket API's management API (`@connections`)
    # on the gateway, which plays it under /_local/live.
    live_stage_url = f"https://{LIVE_API_ID}.execute-api.{cfn.REGION}.amazonaws.com/{live['stage']}" if live else None
    for spec in functions.values():
        spec["env"] = {k: v.replace(distribution, gateway_url) for k, v in spec["env"].items()}
        if live_stage_url:
            spec["env"] = {k: v.replace(live_stage_url, f"{gateway_url}/_local/live") for k, v in spec["env"].items()}
    if cors:
        cors["AllowOrigins"] = [gateway_url if o == distribution else o for o in cors.get("AllowOrigins", [])]
    _store_secure_parameters(endpoint, functions)
    _verify_mail_identities(template, endpoint, resolver)
    if resolver.condition("UsesStripe"):
        stripe_emulator.register_webhook(stripe_url, prefix.strip("-") or "local", f"{gateway_url}/webhooks/stripe")
    return {
        "endpoint": endpoint,
        "resources": {k: {"ref": v} for k, v in refs.items()},
        "arns": {f"{k}.{a}": v for (k, a), v in attrs.items()},
        "functions": functions,
        "cdn": _describe_cdn(template, resolver),
        "cors": cors,
        "site": _describe_site(template, endpoint),
        "api_cdn": _describe_api_cdn(template),
        "live": live,
    }
