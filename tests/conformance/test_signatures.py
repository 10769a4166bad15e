"""--verify-signatures: SigV4 checked against configured key pairs, each refusal with
DynamoDB's status, __type and message; and the Authorization header's shape, checked in every
mode. The messages are DynamoDB's as dynalite's index.js records them from the live service."""

import json
import re
import subprocess
import urllib.request

import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import pytest

import support

TARGET = "DynamoDB_20120810."
AK, SK = support.ACCESS_KEY, support.SECRET_KEY
MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.")


@pytest.fixture
def strict(emulator_factory):
    return emulator_factory(in_memory=True,
                            extra_args=["--verify-signatures", "--credential", f"{AK}:{SK}"])


def signed(endpoint, target="ListTables", body=b"{}", access_key=AK, secret=SK, region="us-east-1",
           service="dynamodb", headers=None, token=None, send_body=None):
    """Sign with botocore's SigV4Auth, then send; returns (status, headers, body)."""
    host = endpoint.split("://", 1)[1]
    hdrs = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": TARGET + target,
            "Host": host}
    hdrs.update(headers or {})
    req = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + "/", data=body,
                                         headers=hdrs)
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(access_key, secret, token),
                            service, region).add_auth(req)
    return support.raw_request(endpoint, TARGET + target,
                               body if send_body is None else send_body, sign=False,
                               headers=dict(req.headers.items()))


def check_error(result, kind, message=None, pattern=None):
    status, headers, body = result
    assert status == 400, (status, body)
    name, doc = support.error_type(body)
    assert name == kind, body
    assert doc["__type"] == "com.amazon.coral.service#" + kind
    if message is not None:
        assert doc.get("message") == message, body
    if pattern is not None:
        assert re.fullmatch(pattern, doc.get("message", "")), body
    assert headers.get("x-amzn-RequestId") and headers.get("x-amz-crc32")
    return doc


def advance(endpoint, seconds):
    req = urllib.request.Request(endpoint + "/emulator/clock", method="POST",
                                 data=json.dumps({"advanceSeconds": seconds}).encode())
    with urllib.request.urlopen(req, timeout=5) as resp:  # unsigned: the admin path
        return json.loads(resp.read())


def test_boto3_with_the_configured_key_works(strict):
    client = strict.client()
    support.create_table(client, "signed")
    assert client.list_tables()["TableNames"] == ["signed"]
    client.put_item(TableName="signed", Item={"id": {"S": "a"}})
    assert client.get_item(TableName="signed", Key={"id": {"S": "a"}})["Item"] == {"id": {"S": "a"}}


def test_session_token_accepted_as_any_value(strict):
    assert signed(strict.endpoint, token="FwoGZXIvYXdzEXAMPLE")[0] == 200


def test_wrong_secret_is_invalid_signature(strict):
    check_error(signed(strict.endpoint, secret="not-the-secret"), "InvalidSignatureException",
                MISMATCH)
    # boto3 shows the same error.
    import boto3
    bad = boto3.session.Session().client(
        "dynamodb", endpoint_url=strict.endpoint, region_name="us-east-1",
        aws_access_key_id=AK, aws_secret_access_key="wrong",
        config=botocore.config.Config(retries={"total_max_attempts": 1}))
    with pytest.raises(bad.exceptions.ClientError) as e:
        bad.list_tables()
    assert e.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert e.value.response["Error"]["Message"] == MISMATCH
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_unknown_access_key_is_unrecognized_client(strict):
    check_error(signed(strict.endpoint, access_key="AKIDUNKNOWN"), "UnrecognizedClientException",
                "The security token included in the request is invalid.")


def test_no_authorization_is_missing_authentication_token(strict):
    check_error(support.raw_request(strict.endpoint, TARGET + "ListTables", sign=False),
                "MissingAuthenticationTokenException", "Request is missing Authentication Token")


def test_tampered_body_or_header_is_invalid_signature(strict):
    check_error(signed(strict.endpoint, body=b"{}", send_body=b'{"Limit": 1}'),
                "InvalidSignatureException", MISMATCH)
    # A payload hash that is not the body's.
    check_error(signed(strict.endpoint, headers={"x-amz-content-sha256": "0" * 64}),
                "InvalidSignatureException", MISMATCH)
    # The right one is fine.
    import hashlib
    assert signed(strict.endpoint,
                  headers={"x-amz-content-sha256": hashlib.sha256(b"{}").hexdigest()})[0] == 200


def test_signature_expired_and_not_yet_current(strict):
    client = strict.client()
    assert client.list_tables()["TableNames"] == []
    advance(strict.endpoint, 16 * 60)
    doc = check_error(signed(strict.endpoint), "InvalidSignatureException")
    m = re.fullmatch(r"Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) "
                     r"\((\d{8}T\d{6}Z) - 15 min\.\)", doc["message"])
    assert m, doc
    assert m.group(1) < m.group(2) < m.group(3)
    advance(strict.endpoint, -32 * 60)
    doc = check_error(signed(strict.endpoint), "InvalidSignatureException")
    m = re.fullmatch(r"Signature not yet current: (\d{8}T\d{6}Z) is still later than "
                     r"(\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) \+ 15 min\.\)", doc["message"])
    assert m, doc
    assert m.group(1) > m.group(2) > m.group(3)
    advance(strict.endpoint, 16 * 60)
    assert client.list_tables()["TableNames"] == []


def test_credential_scope_region_service(strict):
    check_error(signed(strict.endpoint, region="nowhere"), "InvalidSignatureException",
                "Credential should be scoped to a valid region, not 'nowhere'.")
    check_error(signed(strict.endpoint, service="s3"), "InvalidSignatureException",
                "Credential should be scoped to correct service: 'dynamodb'.")
    # Any region of AWS's shape is served, each its own namespace.
    assert signed(strict.endpoint, region="eu-west-3")[0] == 200


def test_credential_scope_date(strict):
    host = strict.endpoint.split("://", 1)[1]
    req = botocore.awsrequest.AWSRequest(
        method="POST", url=strict.endpoint + "/", data=b"{}",
        headers={"Content-Type": "application/x-amz-json-1.0", "Host": host,
                 "X-Amz-Target": TARGET + "ListTables"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(AK, SK), "dynamodb",
                            "us-east-1").add_auth(req)
    hdrs = dict(req.headers.items())
    date = hdrs["X-Amz-Date"]
    hdrs["Authorization"] = re.sub(r"/\d{8}/", "/19991231/", hdrs["Authorization"])
    check_error(support.raw_request(strict.endpoint, TARGET + "ListTables", sign=False,
                                    headers=hdrs),
                "InvalidSignatureException",
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                f"from HTTP: '19991231' != '{date[:8]}', from '{date}'.")


def test_bad_date_and_missing_date(strict):
    host = strict.endpoint.split("://", 1)[1]
    auth = (f"AWS4-HMAC-SHA256 Credential={AK}/20250101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
    check_error(support.raw_request(strict.endpoint, TARGET + "ListTables", sign=False,
                                    headers={"Authorization": auth, "X-Amz-Date": "2025-01-01"}),
                "IncompleteSignatureException",
                "Date must be in ISO-8601 'basic format'. Got '2025-01-01'. See "
                "http://en.wikipedia.org/wiki/ISO_8601")
    check_error(support.raw_request(strict.endpoint, TARGET + "ListTables", sign=False,
                                    headers={"Authorization": auth}),
                "IncompleteSignatureException",
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                "header. Authorization=" + auth)
    assert host


def test_gzip_bodies_are_verified_as_sent(strict):
    # The signature covers the compressed bytes (botocore compresses before it signs).
    from test_http_wire import gzip_requests
    client = gzip_requests(strict.client())
    support.create_table(client, "zipped")
    client.put_item(TableName="zipped", Item={"id": {"S": "z"}})
    assert client.get_item(TableName="zipped", Key={"id": {"S": "z"}})["Item"] == {"id": {"S": "z"}}


def test_admin_paths_and_health_stay_unsigned(strict):
    assert "nowMs" in advance(strict.endpoint, 0)
    with urllib.request.urlopen(strict.endpoint + "/", timeout=5) as resp:
        assert resp.read().decode().startswith("healthy: dynamodb.")


def test_credentials_file_with_several_keys(emulator_factory, tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("# two users\n\nAKIDFIRST:first-secret\nAKIDSECOND:second/secret:x\n")
    emu = emulator_factory(in_memory=True,
                           extra_args=["--verify-signatures", "--credentials", str(keys)])
    assert signed(emu.endpoint, access_key="AKIDFIRST", secret="first-secret")[0] == 200
    assert signed(emu.endpoint, access_key="AKIDSECOND", secret="second/secret:x")[0] == 200
    check_error(signed(emu.endpoint, access_key="AKIDFIRST", secret="second/secret:x"),
                "InvalidSignatureException", MISMATCH)
    # Still one namespace per access key.
    body = json.dumps({"TableName": "mine", "BillingMode": "PAY_PER_REQUEST",
                       "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                       "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}).encode()
    assert signed(emu.endpoint, "CreateTable", body, "AKIDFIRST", "first-secret")[0] == 200
    _, _, listed = signed(emu.endpoint, access_key="AKIDSECOND", secret="second/secret:x")
    assert json.loads(listed) == {"TableNames": []}


@pytest.mark.parametrize("args, message", [
    (["--verify-signatures"], "--verify-signatures needs key pairs"),
    (["--credential", "A:B"], "need --verify-signatures"),
    (["--verify-signatures", "--credential", "nocolon"], "needs ACCESS_KEY_ID:SECRET"),
])
def test_flag_errors(args, message):
    r = subprocess.run([support.emulator_bin(), "--in-memory", "--port", "0"] + args,
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 2, r
    assert message in r.stderr, r.stderr


def test_bad_credentials_file_stops_start(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("AKIDFIRST:first\njust-a-key\n")
    r = subprocess.run([support.emulator_bin(), "--in-memory", "--port", "0",
                        "--verify-signatures", "--credentials", str(keys)],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 1, r
    assert f"{keys}:2: expected ACCESS_KEY_ID:SECRET" in r.stderr, r.stderr


# --------------------------------------------------------------------------
# The default mode: any key, but the header's shape is still DynamoDB's
# --------------------------------------------------------------------------

def test_default_mode_accepts_any_key_and_secret(emulator):
    assert signed(emulator.endpoint, access_key=support.unique_key(), secret="whatever")[0] == 200


@pytest.mark.parametrize("auth, message", [
    ("AWS4-HMAC-SHA256 Signature=abc",
     "Authorization header requires 'Credential' parameter. Authorization header requires "
     "'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Signature=abc"),
    ("AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1, SignedHeaders=host, Signature=0",
     "Credential must have exactly 5 slash-delimited elements, e.g. "
     "keyid/date/region/service/term, got 'AKID/20250101/us-east-1'"),
])
def test_malformed_authorization_is_incomplete_signature(emulator, auth, message):
    check_error(support.raw_request(emulator.endpoint, TARGET + "ListTables", sign=False,
                                    headers={"Authorization": auth}),
                "IncompleteSignatureException", message)


@pytest.mark.parametrize("auth", ["Bearer token", "AWS AKID:signature"])
def test_other_schemes_are_missing_authentication_token(emulator, auth):
    check_error(support.raw_request(emulator.endpoint, TARGET + "ListTables", sign=False,
                                    headers={"Authorization": auth}),
                "MissingAuthenticationTokenException", "Request is missing Authentication Token")
