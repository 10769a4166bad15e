"""Table settings and the account-level calls: DeletionProtectionEnabled,
point-in-time recovery (DescribeContinuousBackups / UpdateContinuousBackups),
DescribeEndpoints, DescribeLimits, the "nothing configured" answers that
infrastructure tools read on refresh, and ReturnValuesOnConditionCheckFailure's
validation.

Members newer than the installed botocore (DeletionProtectionEnabled,
RecoveryPeriodInDays, ReturnValuesOnConditionCheckFailure on single writes)
are sent as raw signed JSON.
"""

import json
import time

import pytest

import support
from support import create_table, expect_error

INVALID = "One or more parameter values were invalid: "


def arn_of(name, region=support.REGION):
    return f"arn:aws:dynamodb:{region}:{support.ACCOUNT}:table/{name}"


def raw(emulator, op, body, **kwargs):
    status, _, data = support.raw_request(emulator.endpoint, "DynamoDB_20120810." + op,
                                          json.dumps(body), **kwargs)
    return status, (json.loads(data) if data else {})


def ok(emulator, op, body, **kwargs):
    status, doc = raw(emulator, op, body, **kwargs)
    assert status == 200, doc
    return doc


def refused(emulator, op, body, code, message, **kwargs):
    status, doc = raw(emulator, op, body, **kwargs)
    assert status == 400, doc
    assert doc["__type"].split("#")[-1] == code, doc
    assert doc.get("message", doc.get("Message")) == message, doc
    return doc


def table_body(name, **extra):
    return dict(TableName=name, BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], **extra)


@pytest.fixture
def table(ddb, table_name):
    name = table_name("set")
    create_table(ddb, name)
    return name


# --------------------------------------------------------------------------
# DeletionProtectionEnabled
# --------------------------------------------------------------------------

PROTECTED = ("Resource cannot be deleted as it is currently protected against deletion. "
             "Disable deletion protection first.")


def test_deletion_protection_is_off_by_default(emulator, table):
    desc = ok(emulator, "DescribeTable", {"TableName": table})["Table"]
    assert desc["DeletionProtectionEnabled"] is False


def test_a_protected_table_cannot_be_deleted(emulator, ddb, table_name):
    name = table_name("prot")
    created = ok(emulator, "CreateTable", table_body(name, DeletionProtectionEnabled=True))
    assert created["TableDescription"]["DeletionProtectionEnabled"] is True
    assert ok(emulator, "DescribeTable", {"TableName": name})["Table"][
        "DeletionProtectionEnabled"] is True
    refused(emulator, "DeleteTable", {"TableName": name}, "ValidationException", PROTECTED)
    expect_error(ddb.delete_table, "ValidationException", PROTECTED, TableName=name)
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    # ListTables does not show the setting.
    assert name in ddb.list_tables(Limit=100, ExclusiveStartTableName=name[:-1])["TableNames"]

    updated = ok(emulator, "UpdateTable", {"TableName": name, "DeletionProtectionEnabled": False})
    assert updated["TableDescription"]["DeletionProtectionEnabled"] is False
    ddb.delete_table(TableName=name)
    expect_error(ddb.describe_table, "ResourceNotFoundException", TableName=name)


def test_update_table_turns_protection_on(emulator, ddb, table):
    ok(emulator, "UpdateTable", {"TableName": table, "DeletionProtectionEnabled": True})
    refused(emulator, "DeleteTable", {"TableName": table}, "ValidationException", PROTECTED)
    # Other updates keep it.
    ddb.update_table(TableName=table, BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2})
    assert ok(emulator, "DescribeTable", {"TableName": table})["Table"][
        "DeletionProtectionEnabled"] is True
    ok(emulator, "UpdateTable", {"TableName": table, "DeletionProtectionEnabled": False})
    ddb.delete_table(TableName=table)


def test_update_table_with_nothing_to_do_names_every_member(emulator, table):
    refused(emulator, "UpdateTable", {"TableName": table}, "ValidationException",
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
            "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, "
            "MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, "
            "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is "
            "required")


def test_deletion_protection_must_be_a_boolean(emulator, table_name):
    status, doc = raw(emulator, "CreateTable",
                      table_body(table_name("prot"), DeletionProtectionEnabled="yes"))
    assert status == 400
    assert doc["__type"] == "com.amazon.coral.service#SerializationException", doc


@pytest.mark.slow
def test_settings_survive_a_restart(emulator_factory, table_name):
    emu = emulator_factory()
    name = table_name("prot")
    ok(emu, "CreateTable", table_body(name, DeletionProtectionEnabled=True))
    ok(emu, "UpdateContinuousBackups", {"TableName": name, "PointInTimeRecoverySpecification": {
        "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7}})
    emu.restart()
    assert ok(emu, "DescribeTable", {"TableName": name})["Table"][
        "DeletionProtectionEnabled"] is True
    pitr = ok(emu, "DescribeContinuousBackups", {"TableName": name})[
        "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    assert pitr["RecoveryPeriodInDays"] == 7


# --------------------------------------------------------------------------
# point-in-time recovery
# --------------------------------------------------------------------------

def test_pitr_is_disabled_by_default(ddb, table):
    desc = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert desc == {"ContinuousBackupsStatus": "ENABLED",
                    "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}


def test_enable_and_disable_pitr(ddb, table):
    before = time.time()
    resp = ddb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    pitr = resp["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    earliest = pitr["EarliestRestorableDateTime"].timestamp()
    assert before - 1 <= earliest <= time.time() + 1
    assert pitr["LatestRestorableDateTime"].timestamp() >= earliest

    desc = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert desc["ContinuousBackupsStatus"] == "ENABLED"
    again = desc["PointInTimeRecoveryDescription"]
    assert again["PointInTimeRecoveryStatus"] == "ENABLED"
    assert again["EarliestRestorableDateTime"] == pitr["EarliestRestorableDateTime"]

    resp = ddb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    assert resp["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"] == \
        {"PointInTimeRecoveryStatus": "DISABLED"}


def test_recovery_period(emulator, table):
    doc = ok(emulator, "UpdateContinuousBackups", {
        "TableName": table, "PointInTimeRecoverySpecification": {
            "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 10}})
    assert doc["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "RecoveryPeriodInDays"] == 10
    # Enabled again without a period: the period stays.
    doc = ok(emulator, "UpdateContinuousBackups", {
        "TableName": table, "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})
    assert doc["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "RecoveryPeriodInDays"] == 10
    refused(emulator, "UpdateContinuousBackups", {
        "TableName": table, "PointInTimeRecoverySpecification": {
            "PointInTimeRecoveryEnabled": False, "RecoveryPeriodInDays": 10}},
        "ValidationException",
        "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time "
        "recovery.")
    for days in (0, 36):
        bound = "greater than or equal to 1" if days == 0 else "less than or equal to 35"
        refused(emulator, "UpdateContinuousBackups", {
            "TableName": table, "PointInTimeRecoverySpecification": {
                "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": days}},
            "ValidationException",
            f"1 validation error detected: Value '{days}' at "
            "'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy "
            f"constraint: Member must have value {bound}")


def test_pitr_by_table_arn(ddb, table):
    ddb.update_continuous_backups(
        TableName=arn_of(table),
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    desc = ddb.describe_continuous_backups(TableName=arn_of(table))
    assert desc["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "PointInTimeRecoveryStatus"] == "ENABLED"


def test_pitr_errors(emulator, ddb, table):
    missing = table + "-missing"
    expect_error(ddb.describe_continuous_backups, "TableNotFoundException",
                 f"Table not found: {missing}", TableName=missing)
    expect_error(ddb.update_continuous_backups, "TableNotFoundException",
                 f"Table not found: {missing}", TableName=missing,
                 PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    refused(emulator, "UpdateContinuousBackups", {"TableName": table}, "ValidationException",
            "1 validation error detected: Value null at 'pointInTimeRecoverySpecification' "
            "failed to satisfy constraint: Member must not be null")
    refused(emulator, "UpdateContinuousBackups",
            {"TableName": table, "PointInTimeRecoverySpecification": {}}, "ValidationException",
            "1 validation error detected: Value null at "
            "'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy "
            "constraint: Member must not be null")
    refused(emulator, "DescribeContinuousBackups", {}, "ValidationException",
            "1 validation error detected: Value null at 'tableName' failed to satisfy "
            "constraint: Member must not be null")


def test_pitr_goes_with_the_table(ddb, table):
    ddb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    ddb.delete_table(TableName=table)
    create_table(ddb, table)
    desc = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert desc["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}


# --------------------------------------------------------------------------
# DescribeEndpoints, DescribeLimits
# --------------------------------------------------------------------------

def test_describe_endpoints(ddb, emulator):
    assert ddb.describe_endpoints()["Endpoints"] == [
        {"Address": "dynamodb.us-east-1.amazonaws.com", "CachePeriodInMinutes": 1440}]
    other = emulator.client(region="eu-west-1")
    assert other.describe_endpoints()["Endpoints"][0]["Address"] == \
        "dynamodb.eu-west-1.amazonaws.com"


def test_describe_limits(ddb):
    resp = ddb.describe_limits()
    del resp["ResponseMetadata"]
    assert resp == {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
                    "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}


# --------------------------------------------------------------------------
# what a Terraform / CloudFormation / Pulumi refresh reads
# --------------------------------------------------------------------------

def test_nothing_configured_answers(emulator, ddb, table):
    resp = ddb.describe_kinesis_streaming_destination(TableName=table)
    assert resp["TableName"] == table
    assert resp["KinesisDataStreamDestinations"] == []
    resp = ddb.describe_contributor_insights(TableName=table)
    assert resp["TableName"] == table
    assert resp["ContributorInsightsStatus"] == "DISABLED"
    assert "IndexName" not in resp
    resp = ddb.describe_table_replica_auto_scaling(TableName=table)
    assert resp["TableAutoScalingDescription"] == {"TableName": table, "TableStatus": "ACTIVE",
                                                   "Replicas": []}
    assert ddb.list_backups()["BackupSummaries"] == []
    assert ddb.list_backups(TableName=table, Limit=10)["BackupSummaries"] == []
    refused(emulator, "GetResourcePolicy", {"ResourceArn": arn_of(table)},
            "PolicyNotFoundException",
            f"Resource-based policy not found for the provided ResourceArn: {arn_of(table)}")


def test_nothing_configured_needs_the_table(emulator, ddb, table):
    missing = table + "-missing"
    message = f"Requested resource not found: Table: {missing} not found"
    for fn in (ddb.describe_kinesis_streaming_destination, ddb.describe_contributor_insights,
               ddb.describe_table_replica_auto_scaling):
        expect_error(fn, "ResourceNotFoundException", message, TableName=missing)
    refused(emulator, "GetResourcePolicy", {"ResourceArn": arn_of(missing)},
            "ResourceNotFoundException", message)


def test_contributor_insights_of_an_index(ddb, table_name):
    name = table_name("ci")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    resp = ddb.describe_contributor_insights(TableName=name, IndexName="by_g")
    assert resp["IndexName"] == "by_g"
    assert resp["ContributorInsightsStatus"] == "DISABLED"


def test_list_backups_validation(ddb_raw):
    expect_error(ddb_raw.list_backups, "ValidationException",
                 "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                 "constraint: Member must have value greater than or equal to 1", Limit=0)
    expect_error(ddb_raw.list_backups, "ValidationException",
                 "1 validation error detected: Value 'NONE' at 'backupType' failed to satisfy "
                 "constraint: Member must satisfy enum value set: [USER, SYSTEM, AWS_BACKUP, ALL]",
                 BackupType="NONE")


# --------------------------------------------------------------------------
# ReturnValuesOnConditionCheckFailure's validation
# --------------------------------------------------------------------------

ENUM = "Member must satisfy enum value set: [ALL_OLD, NONE]"


@pytest.mark.parametrize("op", ["PutItem", "UpdateItem", "DeleteItem"])
def test_return_values_on_condition_check_failure_value(emulator, table, op):
    body = {"TableName": table, "ReturnValuesOnConditionCheckFailure": "ALL_NEW"}
    body["Item" if op == "PutItem" else "Key"] = {"id": {"S": "x"}}
    refused(emulator, op, body, "ValidationException",
            "1 validation error detected: Value 'ALL_NEW' at "
            f"'returnValuesOnConditionCheckFailure' failed to satisfy constraint: {ENUM}")
    # In the one list with the other constraint errors.
    body["ReturnValues"] = "SOMETIMES"
    status, doc = raw(emulator, op, body)
    assert status == 400
    assert doc["message"].startswith("2 validation errors detected: "), doc
    assert f"at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: {ENUM}" in \
        doc["message"]


def test_return_values_on_condition_check_failure_in_a_transaction(emulator, table):
    refused(emulator, "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": table, "Item": {"id": {"S": "a"}}}},
        {"Delete": {"TableName": table, "Key": {"id": {"S": "b"}},
                    "ReturnValuesOnConditionCheckFailure": "UPDATED_OLD"}}]},
        "ValidationException",
        "1 validation error detected: Value 'UPDATED_OLD' at "
        "'transactItems.2.member.delete.returnValuesOnConditionCheckFailure' failed to satisfy "
        f"constraint: {ENUM}")


def test_all_old_on_a_failed_update(emulator, ddb, table):
    ddb.put_item(TableName=table, Item={"id": {"S": "u"}, "n": {"N": "1"}})
    doc = refused(emulator, "UpdateItem", {
        "TableName": table, "Key": {"id": {"S": "u"}}, "UpdateExpression": "SET n = :two",
        "ConditionExpression": "n = :two", "ExpressionAttributeValues": {":two": {"N": "2"}},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
        "ConditionalCheckFailedException", "The conditional request failed")
    assert doc["Item"] == {"id": {"S": "u"}, "n": {"N": "1"}}
