"""Creates in the moto server every resource template.yaml declares that moto can hold.

Functions, the API and layers are not created: the local runner serves and invokes them in-process.
Resources are created in dependency order: one whose references are not resolvable yet waits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import QueueConfigurationTypeDef
    from mypy_boto3_sqs.literals import QueueAttributeNameType

from infra.local.template import Resolver

RUN_LOCALLY = {
    "AWS::Serverless::Function",
    "AWS::Serverless::Api",
    "AWS::Serverless::LayerVersion",
}


def _table(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    name = p.get("TableName") or r.physical_name(logical)
    ddb = boto3.client("dynamodb")
    params: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": p["AttributeDefinitions"],
        "KeySchema": p["KeySchema"],
        "BillingMode": p.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if p.get("GlobalSecondaryIndexes"):
        params["GlobalSecondaryIndexes"] = p["GlobalSecondaryIndexes"]
    if p.get("StreamSpecification"):
        params["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
    description = ddb.create_table(**params)["TableDescription"]
    if p.get("TimeToLiveSpecification"):
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=p["TimeToLiveSpecification"])
    r.refs[logical] = name
    r.attrs[(logical, "Arn")] = description["TableArn"]
    if description.get("LatestStreamArn"):
        r.attrs[(logical, "StreamArn")] = description["LatestStreamArn"]


def _bucket(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    name = p.get("BucketName") or r.physical_name(logical)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=name)
    queues = (p.get("NotificationConfiguration") or {}).get("QueueConfigurations") or []
    if queues:  # moto's S3 sends ObjectCreated to the queue, as S3 does; the runner polls it
        configurations: list[QueueConfigurationTypeDef] = []
        for q in queues:
            configuration: QueueConfigurationTypeDef = {"QueueArn": q["Queue"], "Events": [q["Event"]]}
            if "Filter" in q:
                configuration["Filter"] = {"Key": {"FilterRules": q["Filter"]["S3Key"]["Rules"]}}
            configurations.append(configuration)
        s3.put_bucket_notification_configuration(
            Bucket=name, NotificationConfiguration={"QueueConfigurations": configurations}
        )
    r.refs[logical] = name
    r.attrs[(logical, "Arn")] = f"arn:aws:s3:::{name}"


def _queue(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    name = p.get("QueueName") or r.physical_name(logical)
    timing: tuple[QueueAttributeNameType, ...] = ("VisibilityTimeout", "MessageRetentionPeriod")
    attributes: dict[QueueAttributeNameType, str] = {k: str(p[k]) for k in timing if k in p}
    if "RedrivePolicy" in p:
        import json

        attributes["RedrivePolicy"] = json.dumps(p["RedrivePolicy"])
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    r.refs[logical] = url
    r.attrs[(logical, "Arn")] = arn
    r.attrs[(logical, "QueueName")] = name
    r.attrs[(logical, "QueueUrl")] = url


def _topic(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    name = p.get("TopicName") or r.physical_name(logical)
    arn = boto3.client("sns").create_topic(Name=name)["TopicArn"]
    r.refs[logical] = arn
    r.attrs[(logical, "TopicArn")] = arn
    r.attrs[(logical, "TopicName")] = name


def _bus(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    arn = boto3.client("events").create_event_bus(Name=p["Name"])["EventBusArn"]
    r.refs[logical] = p["Name"]
    r.attrs[(logical, "Arn")] = arn
    r.attrs[(logical, "Name")] = p["Name"]


def _rule(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    import json

    events = boto3.client("events")
    name = p.get("Name") or r.physical_name(logical)
    params: dict[str, Any] = {"Name": name, "State": p.get("State", "ENABLED")}
    if p.get("EventBusName"):
        params["EventBusName"] = p["EventBusName"]
    if p.get("EventPattern"):
        params["EventPattern"] = json.dumps(p["EventPattern"])
    if p.get("ScheduleExpression"):
        params["ScheduleExpression"] = p["ScheduleExpression"]
    arn = events.put_rule(**params)["RuleArn"]
    targets = [
        {"Id": t["Id"], "Arn": t["Arn"]}
        for t in p.get("Targets", [])
        if ":sqs:" in t["Arn"] or ":sns:" in t["Arn"]  # moto delivers to these; the runner does Lambda
    ]
    if targets:
        events.put_targets(Rule=name, EventBusName=params.get("EventBusName", "default"), Targets=targets)
    r.refs[logical] = name
    r.attrs[(logical, "Arn")] = arn


def _user_pool(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    params: dict[str, Any] = {"PoolName": p.get("UserPoolName") or r.physical_name(logical)}
    for key in (
        "Policies",
        "AdminCreateUserConfig",
        "UsernameConfiguration",
        "UsernameAttributes",
        "AutoVerifiedAttributes",
        "MfaConfiguration",
        "AccountRecoverySetting",
    ):
        if key in p:
            params[key] = p[key]
    pool = boto3.client("cognito-idp").create_user_pool(**params)["UserPool"]
    r.refs[logical] = pool["Id"]
    r.attrs[(logical, "Arn")] = pool["Arn"]
    r.attrs[(logical, "ProviderURL")] = f"cognito-idp.{r.region}.amazonaws.com/{pool['Id']}"


def _user_pool_client(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    names = (
        "UserPoolId",
        "ClientName",
        "GenerateSecret",
        "ExplicitAuthFlows",
        "ReadAttributes",
        "WriteAttributes",
    )
    params = {k: p[k] for k in names if k in p}
    client = boto3.client("cognito-idp").create_user_pool_client(**params)["UserPoolClient"]
    r.refs[logical] = client["ClientId"]


def _user_pool_group(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    params = {k: p[k] for k in ("UserPoolId", "GroupName", "Description", "Precedence") if k in p}
    boto3.client("cognito-idp").create_group(**params)
    r.refs[logical] = p["GroupName"]


def _schedule_group(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    name = p.get("Name") or r.physical_name(logical)
    arn = boto3.client("scheduler").create_schedule_group(Name=name)["ScheduleGroupArn"]
    r.refs[logical] = name
    r.attrs[(logical, "Arn")] = arn


def _role(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    import json

    name = p.get("RoleName") or r.physical_name(logical)
    role = boto3.client("iam").create_role(
        RoleName=name, AssumeRolePolicyDocument=json.dumps(p["AssumeRolePolicyDocument"])
    )["Role"]
    r.refs[logical] = name
    r.attrs[(logical, "Arn")] = role["Arn"]


def _secret(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    import secrets

    name = p.get("Name") or r.physical_name(logical)
    generate = p.get("GenerateSecretString") or {}
    value = p.get("SecretString") or secrets.token_urlsafe(int(generate.get("PasswordLength", 32)))
    arn = boto3.client("secretsmanager").create_secret(Name=name, SecretString=value)["ARN"]
    r.refs[logical] = arn
    r.attrs[(logical, "Id")] = arn


def _ses_configuration_set(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    name = p.get("Name") or r.physical_name(logical)
    boto3.client("sesv2").create_configuration_set(ConfigurationSetName=name)
    r.refs[logical] = name


def _ses_identity(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    identity = p["EmailIdentity"]
    boto3.client("sesv2").create_email_identity(EmailIdentity=identity)
    r.refs[logical] = identity


def _ses_event_destination(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    """moto has no configuration set destinations; identity feedback topics give the same local
    effect (mail to its bounce/complaint simulator addresses publishes feedback on the topic)."""
    destination = p["EventDestination"]
    topic = (destination.get("SnsDestination") or {}).get("TopicARN")
    ses = boto3.client("ses")
    if not ses.list_identities()["Identities"]:
        raise KeyError("EmailIdentity")  # waits for the identity, like a reference would
    kinds = {"bounce": "Bounce", "complaint": "Complaint", "delivery": "Delivery"}
    for identity in ses.list_identities()["Identities"]:
        domain = identity.split("@")[-1]
        for event_type in destination.get("MatchingEventTypes", []):
            if event_type in kinds and topic:
                ses.set_identity_notification_topic(
                    Identity=domain, NotificationType=kinds[event_type], SnsTopic=topic
                )
    r.refs[logical] = destination.get("Name", logical)


def _subscription(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    arn = boto3.client("sns").subscribe(
        TopicArn=p["TopicArn"], Protocol=p["Protocol"], Endpoint=p["Endpoint"]
    )["SubscriptionArn"]
    r.refs[logical] = arn


def _platform_application(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    """The template's custom resource for SNS platform applications, created directly (moto does
    not check credentials, so empty local ones still give a working application)."""
    attributes = {"PlatformCredential": p.get("Credential") or "local"}
    if p.get("Principal"):
        attributes["PlatformPrincipal"] = p["Principal"]
    arn = boto3.client("sns").create_platform_application(
        Name=p["Name"], Platform=p["Platform"], Attributes=attributes
    )["PlatformApplicationArn"]
    r.refs[logical] = arn
    r.attrs[(logical, "Arn")] = arn


def _search_domain(r: Resolver, logical: str, p: dict[str, Any]) -> None:
    """The domain's control plane only (moto holds no data); locally search runs on tantivy."""
    name = (p.get("DomainName") or r.physical_name(logical))[:28].rstrip("-")
    params: dict[str, Any] = {"DomainName": name}
    for key in ("EngineVersion", "ClusterConfig", "EBSOptions", "EncryptionAtRestOptions"):
        if key in p:
            params[key] = p[key]
    status = boto3.client("opensearch").create_domain(**params)["DomainStatus"]
    r.refs[logical] = name
    r.attrs[(logical, "Arn")] = status["ARN"]
    r.attrs[(logical, "DomainArn")] = status["ARN"]
    r.attrs[(logical, "DomainEndpoint")] = status.get("Endpoint") or f"{name}.{r.region}.es.amazonaws.com"


CREATORS: dict[str, Callable[[Resolver, str, dict[str, Any]], None]] = {
    "AWS::DynamoDB::Table": _table,
    "AWS::S3::Bucket": _bucket,
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::Events::EventBus": _bus,
    "AWS::Events::Rule": _rule,
    "AWS::Cognito::UserPool": _user_pool,
    "AWS::Cognito::UserPoolClient": _user_pool_client,
    "AWS::Cognito::UserPoolGroup": _user_pool_group,
    "AWS::Scheduler::ScheduleGroup": _schedule_group,
    "AWS::IAM::Role": _role,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::SES::ConfigurationSet": _ses_configuration_set,
    "AWS::SES::EmailIdentity": _ses_identity,
    "AWS::SES::ConfigurationSetEventDestination": _ses_event_destination,
    "AWS::SNS::Subscription": _subscription,
    "Custom::SnsPlatformApplication": _platform_application,
    "AWS::OpenSearchService::Domain": _search_domain,
}
NOT_RUN_LOCALLY = {"AWS::Lambda::Function"}
"""Functions of deployment only (custom resource handlers): an ARN so references resolve."""


def provision(template: dict[str, Any], resolver: Resolver) -> list[str]:
    """Create every resource moto can hold; returns the logical ids of those skipped (not local)."""
    active = {name: spec for name, spec in template["Resources"].items() if resolver.active(spec)}
    pending = {name: spec for name, spec in active.items() if spec["Type"] in CREATORS}
    skipped = [n for n, s in active.items() if s["Type"] not in CREATORS and s["Type"] not in RUN_LOCALLY]
    for name, spec in active.items():
        if spec["Type"] in RUN_LOCALLY or spec["Type"] in NOT_RUN_LOCALLY:
            resolver.refs[name] = f"local-{name}"  # served or invoked in-process by the runner
            resolver.attrs[(name, "Arn")] = (
                f"arn:aws:lambda:{resolver.region}:123456789012:function:local-{name}"
            )
    while pending:
        progressed = False
        for name, spec in list(pending.items()):
            try:
                props = resolver(spec.get("Properties") or {})
            except KeyError:
                continue  # waits for a resource it refers to
            try:
                CREATORS[spec["Type"]](resolver, name, props)
            except KeyError:
                continue  # the creator waits for something not provisioned yet
            del pending[name]
            progressed = True
        if not progressed:
            raise RuntimeError(f"unresolvable references in template.yaml: {sorted(pending)}")
    return skipped
