"""Rules for template.yaml that neither `sam validate` nor cfn-lint check (see aws-serverless.md §2).

The template is read with a CloudFormation-tag-aware loader and Globals merged the way SAM does.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from devtools.local_stack.template import REPO_ROOT, SamTemplate, ref_target

WORKERS = {
    "ParseWorkerFunction": ("ParseHighQueue", "ParseNormalQueue", "ParseLowQueue"),
    "AnalyzeWorkerFunction": ("AnalyzeHighQueue", "AnalyzeNormalQueue", "AnalyzeLowQueue"),
}
WORK_QUEUES = [q for qs in WORKERS.values() for q in qs]
FUNCTIONS = {
    "ApiFunction": "functions/api",
    "ParseWorkerFunction": "functions/parse_worker",
    "AnalyzeWorkerFunction": "functions/analyze_worker",
    "SchedulerFunction": "functions/scheduler",
    "MigrateFunction": "functions/migrate",
}
CONTRACT_ENV = [
    "STAGE",
    "DB_HOST",
    "DB_PORT",
    "DB_NAME",
    "DB_USER",
    "DB_IAM_AUTH",
    "DB_SSL",
    "REDIS_URL",
    "QUEUE_URL_PARSE_HIGH",
    "QUEUE_URL_PARSE_NORMAL",
    "QUEUE_URL_PARSE_LOW",
    "QUEUE_URL_ANALYZE_HIGH",
    "QUEUE_URL_ANALYZE_NORMAL",
    "QUEUE_URL_ANALYZE_LOW",
    "EXPORTS_BUCKET",
    "VK_API_URL",
    "VK_TOKENS_SECRET_PREFIX",
    "CORS_ORIGINS",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
]


@pytest.fixture(scope="module")
def tpl() -> SamTemplate:
    return SamTemplate.load()


def props(tpl: SamTemplate, logical_id: str) -> dict[str, Any]:
    return tpl.resources[logical_id].get("Properties", {})


def of_type(tpl: SamTemplate, resource_type: str) -> dict[str, dict[str, Any]]:
    return tpl.of_type(resource_type)


# ---------------------------------------------------------------- queues


def test_six_work_queues_and_their_dlqs_exist(tpl: SamTemplate) -> None:
    queues = tpl.queues()
    for name in WORK_QUEUES:
        assert name in queues
        assert name.removesuffix("Queue") + "DLQ" in queues


@pytest.mark.parametrize("queue_id", WORK_QUEUES)
def test_queue_redrives_to_its_own_dlq(tpl: SamTemplate, queue_id: str) -> None:
    q = tpl.queues()[queue_id]
    assert q.dlq_logical_id == queue_id.removesuffix("Queue") + "DLQ"
    assert q.max_receive_count is not None
    assert q.max_receive_count >= 5
    assert q.sse


def test_every_queue_is_encrypted_and_dlqs_keep_14_days(tpl: SamTemplate) -> None:
    for q in tpl.queues().values():
        assert q.sse, q.logical_id
        if q.logical_id.endswith("DLQ"):
            assert q.message_retention == 14 * 24 * 3600, q.logical_id
            assert q.dlq_logical_id is None


def test_dlqs_are_not_shared(tpl: SamTemplate) -> None:
    dlqs = [q.dlq_logical_id for q in tpl.queues().values() if q.dlq_logical_id]
    assert len(dlqs) == len(set(dlqs))


def test_max_receive_count_matches_the_setting(tpl: SamTemplate) -> None:
    env = tpl.globals_function["Environment"]["Variables"]
    counts = {tpl.queues()[q].max_receive_count for q in WORK_QUEUES}
    assert counts == {int(env["QUEUE_MAX_RECEIVE_COUNT"])}


def test_visibility_timeout_is_six_times_consumer_timeout(tpl: SamTemplate) -> None:
    queues = tpl.queues()
    for ev in tpl.sqs_events():
        timeout = tpl.function(ev.function_id).timeout
        assert queues[ev.queue_id].visibility_timeout >= 6 * timeout, (ev.queue_id, timeout)


# ---------------------------------------------------------------- workers


@pytest.mark.parametrize("function_id", list(WORKERS))
def test_worker_consumes_exactly_its_three_queues(tpl: SamTemplate, function_id: str) -> None:
    events = tpl.sqs_events(function_id)
    assert sorted(e.queue_id for e in events) == sorted(WORKERS[function_id])
    for e in events:
        assert e.response_types == ("ReportBatchItemFailures",)
        assert 1 <= e.batch_size <= 10  # > 10 needs a batching window; the local poller maps it 1:1
        assert e.maximum_concurrency is not None
        assert e.maximum_concurrency >= 2


@pytest.mark.parametrize("function_id", list(WORKERS))
def test_high_priority_gets_strictly_the_largest_share(tpl: SamTemplate, function_id: str) -> None:
    caps = {e.queue_id: e.maximum_concurrency or 0 for e in tpl.sqs_events(function_id)}
    high, normal, low = WORKERS[function_id]
    assert caps[high] > caps[normal] >= caps[low] >= 2


@pytest.mark.parametrize("function_id", list(WORKERS))
def test_reserved_concurrency_covers_the_caps(tpl: SamTemplate, function_id: str) -> None:
    caps = sum(e.maximum_concurrency or 0 for e in tpl.sqs_events(function_id))
    reserved = tpl.function(function_id).reserved_concurrency
    assert reserved is not None
    assert reserved >= caps


def test_no_other_function_consumes_a_work_queue(tpl: SamTemplate) -> None:
    for e in tpl.sqs_events():
        assert e.function_id in WORKERS


# ---------------------------------------------------------------- functions


def test_functions_match_the_contract(tpl: SamTemplate) -> None:
    assert set(tpl.function_ids) == set(FUNCTIONS)
    for fid, code_uri in FUNCTIONS.items():
        fn = tpl.function(fid)
        assert fn.code_uri == (REPO_ROOT / code_uri).resolve()
        assert fn.handler == "app.lambda_handler"


@pytest.mark.parametrize("function_id", list(FUNCTIONS))
def test_runtime_arch_tracing_layer_vpc(tpl: SamTemplate, function_id: str) -> None:
    p = tpl.function_properties(function_id)
    assert p["Runtime"] == "python3.13"
    assert p["Architectures"] == ["arm64"]
    assert p["Tracing"] == "Active"
    assert {"Ref": "VkcLayer"} in p["Layers"]
    assert p["VpcConfig"]["SubnetIds"]
    assert p["VpcConfig"]["SecurityGroupIds"]


@pytest.mark.parametrize("function_id", list(FUNCTIONS))
def test_log_group_with_retention_per_function(tpl: SamTemplate, function_id: str) -> None:
    log_group_id = ref_target(tpl.function_properties(function_id)["LoggingConfig"]["LogGroup"])
    assert log_group_id is not None
    group = tpl.resources[log_group_id]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert "RetentionInDays" in group["Properties"]


def test_every_log_group_has_retention(tpl: SamTemplate) -> None:
    for logical_id, res in of_type(tpl, "AWS::Logs::LogGroup").items():
        assert "RetentionInDays" in res["Properties"], logical_id


def test_layer_builds_for_python313_arm64(tpl: SamTemplate) -> None:
    layer = tpl.resources["VkcLayer"]
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Metadata"]["BuildArchitecture"] == "arm64"  # built by packaging/Makefile: test_packaging
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["ContentUri"].rstrip("/") == "layers/vkc"


def test_globals_declare_the_environment_contract(tpl: SamTemplate) -> None:
    env = tpl.globals_function["Environment"]["Variables"]
    for name in CONTRACT_ENV:
        assert name in env, name
    assert env["DB_IAM_AUTH"] == "1"
    assert env["DB_SSL"] == "1"
    for kind in ("PARSE", "ANALYZE"):
        for prio in ("HIGH", "NORMAL", "LOW"):
            assert env[f"QUEUE_URL_{kind}_{prio}"] == {"Ref": f"{kind.title()}{prio.title()}Queue"}
    assert env["EXPORTS_BUCKET"] == {"Ref": "ExportsBucket"}


def test_api_may_send_to_all_six_queues(tpl: SamTemplate) -> None:
    policies = tpl.function_properties("ApiFunction")["Policies"]
    sendable = {ref_target(p["SQSSendMessagePolicy"]["QueueName"]) for p in policies if "SQSSendMessagePolicy" in p}
    assert sendable == set(WORK_QUEUES)


def test_every_function_may_connect_to_the_db(tpl: SamTemplate) -> None:
    policy = props(tpl, "DbConnectPolicy")["PolicyDocument"]["Statement"][0]
    assert policy["Action"] == "rds-db:connect"
    for fid in FUNCTIONS:
        assert {"Ref": "DbConnectPolicy"} in tpl.function_properties(fid)["Policies"], fid


# ---------------------------------------------------------------- HTTP API


def test_http_api_routes_and_throttling(tpl: SamTemplate) -> None:
    api = tpl.resources["HttpApi"]
    assert api["Type"] == "AWS::Serverless::HttpApi"
    route = api["Properties"]["DefaultRouteSettings"]
    assert route["ThrottlingBurstLimit"]
    assert route["ThrottlingRateLimit"]
    assert ref_target(api["Properties"]["AccessLogSettings"]["DestinationArn"]) == "HttpApiAccessLogs"
    assert "CorsConfiguration" in api["Properties"]
    routes = {
        (e["Properties"]["Method"].upper(), e["Properties"]["Path"])
        for e in tpl.function_properties("ApiFunction")["Events"].values()
        if e["Type"] == "HttpApi" and ref_target(e["Properties"]["ApiId"]) == "HttpApi"
    }
    assert {("ANY", "/v1/{proxy+}"), ("ANY", "/health/{proxy+}"), ("GET", "/swagger")} <= routes


# ---------------------------------------------------------------- scheduler


def test_scheduler_ticks_every_minute_with_retries_and_dlq(tpl: SamTemplate) -> None:
    (event,) = tpl.function_properties("SchedulerFunction")["Events"].values()
    assert event["Type"] == "ScheduleV2"
    p = event["Properties"]
    assert p["ScheduleExpression"] == "rate(1 minute)"
    assert p["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert p["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert ref_target(p["DeadLetterConfig"]["Arn"]) in tpl.queues()


# ---------------------------------------------------------------- data stores


def test_database_only_through_the_proxy(tpl: SamTemplate) -> None:
    env = tpl.globals_function["Environment"]["Variables"]
    assert env["DB_HOST"] == {"Fn::GetAtt": ["DbProxy", "Endpoint"]}
    proxy = props(tpl, "DbProxy")
    assert proxy["EngineFamily"] == "POSTGRESQL"
    assert proxy["RequireTLS"] is True
    (auth,) = proxy["Auth"]
    assert auth["IAMAuth"] == "REQUIRED"
    assert auth["AuthScheme"] == "SECRETS"
    assert tpl.resources[ref_target(auth["SecretArn"]) or ""]["Type"] == "AWS::SecretsManager::Secret"
    target = props(tpl, "DbProxyTargetGroup")
    assert target["ConnectionPoolConfigurationInfo"]["MaxConnectionsPercent"] <= 100
    assert [ref_target(i) for i in target["DBInstanceIdentifiers"]] == ["Database"]
    # nothing but the proxy's security group may reach the instance
    db = props(tpl, "Database")
    assert db["StorageEncrypted"] is True
    assert db["PubliclyAccessible"] is False
    (db_sg,) = db["VPCSecurityGroups"]
    ingress = props(tpl, ref_target(db_sg) or "")["SecurityGroupIngress"]
    assert [ref_target(rule["SourceSecurityGroupId"]) for rule in ingress] == ["ProxySecurityGroup"]
    assert tpl.resources["Database"]["DeletionPolicy"] == "Snapshot"


def test_no_env_var_points_at_the_db_instance(tpl: SamTemplate) -> None:
    for fid in FUNCTIONS:
        for value in tpl.function(fid).environment.values():
            assert "Database" not in str(value).replace("DbProxy", ""), (fid, value)


def test_redis_encrypted_in_transit_and_at_rest(tpl: SamTemplate) -> None:
    (cache_id,) = of_type(tpl, "AWS::ElastiCache::ReplicationGroup")
    cache = props(tpl, cache_id)
    assert cache["TransitEncryptionEnabled"] is True
    assert cache["AtRestEncryptionEnabled"] is True
    redis_url = tpl.globals_function["Environment"]["Variables"]["REDIS_URL"]
    assert redis_url["Fn::Sub"].startswith("rediss://")


def test_exports_bucket_private_encrypted_expiring_tls_only(tpl: SamTemplate) -> None:
    bucket = props(tpl, "ExportsBucket")
    block = bucket["PublicAccessBlockConfiguration"]
    for key in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"):
        assert block[key] is True, key
    sse = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert sse["SSEAlgorithm"] in ("AES256", "aws:kms", "aws:kms:dsse")
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and 0 < r.get("ExpirationInDays", 0) <= 30 for r in rules)
    policies = of_type(tpl, "AWS::S3::BucketPolicy")
    (policy_id,) = [k for k, v in policies.items() if ref_target(v["Properties"]["Bucket"]) == "ExportsBucket"]
    statements = props(tpl, policy_id)["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        for s in statements
    )


def test_secrets_live_in_secrets_manager(tpl: SamTemplate) -> None:
    db = props(tpl, "Database")
    assert "resolve:secretsmanager" in str(db["MasterUserPassword"])
    assert "resolve:secretsmanager" in str(db["MasterUsername"])
    assert not [p for p in tpl.data["Parameters"] if "password" in p.lower() or "secret" in p.lower()]


# ---------------------------------------------------------------- alarms


def _alarms_on(tpl: SamTemplate, metric: str) -> set[str]:
    found = set()
    for res in of_type(tpl, "AWS::CloudWatch::Alarm").values():
        p = res["Properties"]
        if p.get("Namespace") != "AWS/SQS" or p.get("MetricName") != metric:
            continue
        for dim in p["Dimensions"]:
            if dim["Name"] == "QueueName":
                found.add(ref_target(dim["Value"]) or "")
    return found


def test_alarm_on_every_dlq(tpl: SamTemplate) -> None:
    dlqs = {q for q in tpl.queues() if q.endswith("DLQ")}
    assert dlqs <= _alarms_on(tpl, "ApproximateNumberOfMessagesVisible")
    for res in of_type(tpl, "AWS::CloudWatch::Alarm").values():
        p = res["Properties"]
        if p["MetricName"] == "ApproximateNumberOfMessagesVisible":
            assert p["Threshold"] == 0
            assert p["ComparisonOperator"] == "GreaterThanThreshold"


def test_alarm_on_every_queues_oldest_message(tpl: SamTemplate) -> None:
    assert set(WORK_QUEUES) <= _alarms_on(tpl, "ApproximateAgeOfOldestMessage")


# ---------------------------------------------------------------- the SAM tools themselves


def _sam() -> Path:
    return REPO_ROOT / ".tools-venv" / "bin" / "sam"


@pytest.mark.slow
@pytest.mark.parametrize("lint", [False, True], ids=["validate", "validate-lint"])
def test_sam_validate(lint: bool) -> None:
    """Both: the translator (plain) and cfn-lint (--lint) catch different mistakes (~2-4 s each)."""
    sam = _sam()
    if not sam.exists():
        subprocess.run(["make", ".tools-venv/.installed"], cwd=REPO_ROOT, check=True)
    py313 = subprocess.run(["scripts/find-python313.sh"], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()
    path = os.pathsep.join(p for p in (str(Path(py313).parent) if py313 else "", os.environ.get("PATH", "")) if p)
    env = {**os.environ, "PATH": path, "AWS_DEFAULT_REGION": "eu-central-1", "SAM_CLI_TELEMETRY": "0"}
    cmd = [str(sam), "validate", "--template", "template.yaml"] + (["--lint"] if lint else [])
    result = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
