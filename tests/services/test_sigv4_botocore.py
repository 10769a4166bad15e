"""awsproto's SigV4 signer against botocore's, on generated requests.

Each request is built the way botocore's serializers build it (path parameters with
botocore.utils.percent_encode, query strings with percent_encode_sequence), signed at a fixed
time by botocore.auth.SigV4Auth, by botocore's CRT signer (botocore.crt.auth.CrtSigV4Auth, AWS's
C implementation, which botocore uses instead whenever awscrt is installed), and by
awsproto_sign (services/awsproto/sign_tool.cc), and the Authorization, X-Amz-Date and
X-Amz-Security-Token headers must be the same.

The binary is $AWSPROTO_SIGN_BIN, else <repo>/build/bin/awsproto_sign; the suite fails when it
is missing. Run: /usr/bin/python3 -m pytest tests/services -q
"""

import datetime
import json
import os
import pathlib
import random
import string
import subprocess
from dataclasses import dataclass, field
from unittest import mock

import pytest

import botocore.auth
import botocore.crt.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode, percent_encode_sequence

REPO = pathlib.Path(__file__).resolve().parents[2]
SEED = 20150830
PER_KIND = 80

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1", "sa-east-1"]
TEXT = (
    string.ascii_letters + string.digits + " -_.~!$&'()*+,;=:@/?#[]%\"\\"
    + "\u00e9\u00df\u4e2d\u1234\U0001f600"
)
ID_CHARS = string.ascii_letters + string.digits + "+/="


@dataclass
class Case:
    endpoint: str  # scheme://host[:port][/base]
    method: str
    path: str  # as on the wire (percent-encoded), base path included
    query: str = ""  # as on the wire, without '?'
    headers: list = field(default_factory=list)  # [(name, value)], Host not included
    body: str = ""
    service: str = "service"
    region: str = "us-east-1"
    access_key: str = "AKIDEXAMPLE"
    secret_key: str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    token: str = ""
    when: datetime.datetime = datetime.datetime(2015, 8, 30, 12, 36, 0)

    @property
    def url(self):
        base = self.endpoint.split("://", 1)
        host = base[1].split("/", 1)[0]
        return f"{base[0]}://{host}{self.path}" + (f"?{self.query}" if self.query else "")

    def for_tool(self):
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": [["Host", botocore.auth._host_from_url(self.url)]]
            + [list(h) for h in self.headers],
            "body": self.body,
            "access_key_id": self.access_key,
            "secret_access_key": self.secret_key,
            "session_token": self.token,
            "region": self.region,
            "service": self.service,
            "amz_date": self.when.strftime("%Y%m%dT%H%M%SZ"),
        }


# --- generators: requests shaped like the ones the services send ------------------------------


def text(rng, lo=1, hi=12):
    return "".join(rng.choice(TEXT) for _ in range(rng.randint(lo, hi)))


def word(rng, lo=1, hi=10):
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randint(lo, hi)))


def odd_headers(rng):
    """Headers with the spacing and repetition the canonical form has to normalise."""
    values = [
        "  leading",
        "trailing   ",
        "in    between",
        "\ttabs\tand  spaces \t",
        "a , b ,c",
        "",
        "   ",
        '"quoted   value"',
        "MiXeD CaSe",
    ]
    out = []
    for i in range(rng.randint(1, 4)):
        name = rng.choice(["X-Custom-", "x-custom-", "X-CUSTOM-", "My-Header"]) + str(i)
        out.append((name, rng.choice(values) + text(rng, 0, 4).replace("\n", "")))
    if rng.random() < 0.5:  # the same header twice, in different case
        out.append(("X-Dup", rng.choice(values)))
        out.append(("x-dup", rng.choice(values)))
    if rng.random() < 0.3:  # not signed by botocore, nor by us
        out.append(("User-Agent", "test/1.0  (odd  spacing)"))
    if rng.random() < 0.3:
        out.append(("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"))
    return out


def common(rng, case, odd=0.3):
    case.region = rng.choice(REGIONS) if case.region == "us-east-1" else case.region
    case.when = datetime.datetime(2015, 1, 1) + datetime.timedelta(
        seconds=rng.randint(0, 15 * 365 * 86400)
    )
    if rng.random() < 0.5:
        case.token = "".join(rng.choice(ID_CHARS) for _ in range(rng.randint(20, 300)))
    if rng.random() < 0.4:
        case.access_key = "AKIA" + "".join(rng.choice(string.ascii_uppercase) for _ in range(16))
        case.secret_key = "".join(rng.choice(ID_CHARS) for _ in range(40))
    if rng.random() < odd:
        case.headers += odd_headers(rng)
    return case


def attribute(rng, depth=0):
    kind = rng.choice(["S", "N", "BOOL", "M", "L", "SS"] if depth < 2 else ["S", "N", "BOOL"])
    if kind == "S":
        return {"S": text(rng)}
    if kind == "N":
        return {"N": str(rng.randint(-(10**12), 10**12))}
    if kind == "BOOL":
        return {"BOOL": rng.random() < 0.5}
    if kind == "SS":
        return {"SS": sorted({text(rng) for _ in range(rng.randint(1, 3))})}
    if kind == "M":
        return {"M": {text(rng, 1, 5): attribute(rng, depth + 1) for _ in range(rng.randint(0, 3))}}
    return {"L": [attribute(rng, depth + 1) for _ in range(rng.randint(0, 3))]}


def dynamodb(rng):
    op = rng.choice(["GetItem", "PutItem", "Query", "UpdateItem", "DeleteItem", "BatchWriteItem"])
    item = {"pk": {"S": text(rng)}, "sk": {"N": str(rng.randint(0, 10**9))}}
    for _ in range(rng.randint(0, 4)):
        item[text(rng, 1, 6)] = attribute(rng)
    body = {"TableName": word(rng, 3), "Item" if op == "PutItem" else "Key": item}
    separators = rng.choice([None, (",", ":")])
    region = rng.choice(REGIONS)
    case = Case(
        endpoint=rng.choice(
            [f"https://dynamodb.{region}.amazonaws.com", "http://127.0.0.1:8000", "http://localhost"]
        ),
        method="POST",
        path="/",
        headers=[
            ("X-Amz-Target", f"DynamoDB_20120810.{op}"),
            ("Content-Type", "application/x-amz-json-1.0"),
        ],
        body=json.dumps(body, ensure_ascii=rng.random() < 0.5, separators=separators),
        service="dynamodb",
        region=region,
    )
    return common(rng, case)


def lambda_invoke(rng):
    fn = word(rng, 3, 20)
    name = rng.choice(
        [
            fn,
            f"{fn}:{word(rng, 1, 5)}",
            f"arn:aws:lambda:us-east-1:123456789012:function:{fn}",
            f"123456789012:function:{fn}",
        ]
    )
    query = ""
    if rng.random() < 0.8:
        query = percent_encode_sequence(
            [("Qualifier", rng.choice(["$LATEST", "1", "prod", "v 2", text(rng, 1, 6)]))]
        )
    headers = [
        ("X-Amz-Invocation-Type", rng.choice(["RequestResponse", "Event", "DryRun"])),
        ("Content-Type", "application/json"),
    ]
    if rng.random() < 0.5:
        headers.append(("X-Amz-Log-Type", "Tail"))
    if rng.random() < 0.3:
        headers.append(("X-Amz-Client-Context", "eyJjdXN0b20iOnsiYSI6MX19"))
    case = Case(
        endpoint=rng.choice(["https://lambda.us-east-1.amazonaws.com", "http://127.0.0.1:3001"]),
        method="POST",
        path=f"/2015-03-31/functions/{percent_encode(name)}/invocations",
        query=query,
        headers=headers,
        body=json.dumps({"requestContext": {"connectionId": text(rng)}, "body": text(rng, 0, 40)}),
        service="lambda",
    )
    return common(rng, case)


def connection_id(rng):
    # API Gateway's ids look like "L0SM9cOFvHcCIhw=": base64 with a trailing '='. Some carry
    # characters an id never has, to exercise the encoding.
    cid = "".join(rng.choice(ID_CHARS) for _ in range(rng.randint(8, 16))) + "="
    if rng.random() < 0.3:
        cid += text(rng, 1, 4)
    return cid


def apigw_management(rng):
    base = rng.choice(
        [
            ("https://abcdef1234.execute-api.us-east-1.amazonaws.com/prod", "/prod"),
            ("http://127.0.0.1:3001/dev", "/dev"),
            ("http://127.0.0.1:3001", ""),
        ]
    )
    method = rng.choice(["POST", "POST", "GET", "DELETE"])
    case = Case(
        endpoint=base[0],
        method=method,
        path=f"{base[1]}/@connections/{percent_encode(connection_id(rng))}",
        body=json.dumps({"message": text(rng, 0, 30)}) if method == "POST" else "",
        service="execute-api",
    )
    return common(rng, case)


QUERY_NAMES = ["a", "a-b", "a.b", "a_b", "A", "b", "Param1", "param1", "\u1234", "\u043a\u043b", "x y", "k=v"]


def get_with_query(rng):
    segments = []
    for _ in range(rng.randint(0, 4)):
        r = rng.random()
        if r < 0.08:
            segments.append(".")
        elif r < 0.14:
            segments.append("..")
        elif r < 0.2:
            segments.append("")  # a double slash
        else:
            segments.append(percent_encode(text(rng, 1, 8)))
    path = "/" + "/".join(segments) + ("/" if rng.random() < 0.2 else "")
    pairs = []
    for _ in range(rng.randint(0, 6)):
        name = rng.choice(QUERY_NAMES + [text(rng, 1, 4)])
        values = [rng.choice(["", "v", text(rng, 0, 8)]) for _ in range(rng.randint(1, 3))]
        pairs.append((name, values if len(values) > 1 else values[0]))
    case = Case(
        endpoint=rng.choice(["https://example.amazonaws.com", "http://127.0.0.1:9000"]),
        method="GET",
        path=path,
        query=percent_encode_sequence(pairs),
        service=rng.choice(["service", "iam", "sts", "execute-api"]),
    )
    return common(rng, case, odd=0.5)


def odd_spacing(rng):
    case = Case(
        endpoint="https://example.amazonaws.com",
        method=rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH"]),
        path="/" + percent_encode(text(rng, 0, 6)),
        body=text(rng, 0, 20),
    )
    case = common(rng, case, odd=0)
    case.headers += odd_headers(rng)
    return case


KINDS = {
    "dynamodb": dynamodb,
    "lambda-invoke": lambda_invoke,
    "apigw-management": apigw_management,
    "get-with-query": get_with_query,
    "odd-spacing": odd_spacing,
}


def cases(kind):
    rng = random.Random(f"{SEED}-{kind}")
    return [KINDS[kind](rng) for _ in range(PER_KIND)]


# --- the three signers --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sign_bin():
    path = pathlib.Path(os.environ.get("AWSPROTO_SIGN_BIN") or REPO / "build" / "bin" / "awsproto_sign")
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(
            f"awsproto_sign not found at {path}: build the awsproto_sign target, or set "
            "AWSPROTO_SIGN_BIN"
        )
    return path


def ours(sign_bin, batch):
    proc = subprocess.run(
        [str(sign_bin)],
        input=json.dumps([c.for_tool() for c in batch]),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    results = json.loads(proc.stdout)
    assert len(results) == len(batch)
    return results


def fixed_clock(when):
    class Fixed(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return cls(when.year, when.month, when.day, when.hour, when.minute, when.second)

    # botocore.auth.datetime is the datetime module, which both signers read the time from; this
    # is how botocore's own tests fix it.
    return mock.patch.object(botocore.auth.datetime, "datetime", Fixed)


def as_text(v):
    return v.decode("utf-8") if isinstance(v, bytes) else v


def botocore_headers(case, signer_class):
    request = AWSRequest(method=case.method, url=case.url, data=case.body.encode("utf-8"))
    for name, value in case.headers:
        request.headers[name] = value  # HTTPHeaders: assignment adds, so repeats stay repeated
    credentials = Credentials(case.access_key, case.secret_key, case.token or None)
    with fixed_clock(case.when):
        signer_class(credentials, case.service, case.region).add_auth(request)
    return {k.lower(): as_text(v) for k, v in request.headers.items()}


def compare(sign_bin, batch, signer_class):
    mismatches = []
    for case, result in zip(batch, ours(sign_bin, batch)):
        assert "error" not in result, (case, result)
        theirs = botocore_headers(case, signer_class)
        mine = {k.lower(): v for k, v in result["headers"]}
        for name in ("authorization", "x-amz-date", "x-amz-security-token"):
            if theirs.get(name) != mine.get(name):
                mismatches.append((name, case, theirs.get(name), mine.get(name), result))
                break
    detail = "\n\n".join(
        f"{name} differs for {case}\n botocore: {t}\n awsproto: {m}\n"
        f" our canonical request:\n{r['canonical_request']}"
        for name, case, t, m, r in mismatches[:3]
    )
    assert not mismatches, f"{len(mismatches)} of {len(batch)} differ:\n{detail}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_same_signature_as_botocore_sigv4auth(sign_bin, kind):
    compare(sign_bin, cases(kind), botocore.auth.SigV4Auth)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_same_signature_as_botocore_crt_signer(sign_bin, kind):
    compare(sign_bin, cases(kind), botocore.crt.auth.CrtSigV4Auth)


def test_generated_requests_cover_what_matters():
    every = [c for kind in KINDS for c in cases(kind)]
    assert len(every) >= 400
    assert any("%253D" in botocore.auth.SigV4Auth(None, "s", "r")._normalize_url_path(c.path)
               for c in every if "@connections" in c.path)
    assert any(c.token for c in every) and any(not c.token for c in every)
    assert any("%E1%88%B4" in c.query for c in every)  # unicode query names
    assert any("&a=" in "&" + c.query and "&a-b=" in "&" + c.query for c in every)
    assert any(c.query.count("=") > 2 and len({p.split("=")[0] for p in c.query.split("&")}) <
               len(c.query.split("&")) for c in every)  # repeated names
    assert any("\t" in v for c in every for _, v in c.headers)


def test_connection_id_is_encoded_twice_in_the_canonical_uri(sign_bin):
    case = Case(
        endpoint="http://127.0.0.1:3001",
        method="POST",
        path="/@connections/" + percent_encode("abc123="),
        body='{"message":"hi"}',
        service="execute-api",
    )
    assert case.path == "/@connections/abc123%3D"
    (result,) = ours(sign_bin, [case])
    assert result["canonical_request"].split("\n")[1] == "/%40connections/abc123%253D"
    request = AWSRequest(method="POST", url=case.url, data=case.body.encode())
    request.context["timestamp"] = "20150830T123600Z"
    auth = botocore.auth.SigV4Auth(Credentials(case.access_key, case.secret_key), "execute-api",
                                   "us-east-1")
    assert auth.canonical_request(request).split("\n")[1] == "/%40connections/abc123%253D"


def test_query_not_encoded_as_the_sdks_do_signs_like_the_crt_signer(sign_bin):
    # Lower-case hex, '+', an encoded unreserved character: the SDKs never send these, but a
    # hand-built query might. SigV4Auth signs the query text verbatim; the CRT signer (like the
    # AWS side, which decodes then encodes) re-encodes each name and value; so does awsproto.
    batch = [
        Case(endpoint="https://example.amazonaws.com", method="GET", path="/", query=q)
        for q in ["k=a%2fb", "k=a+b", "k=%7Ex", "z=1&k=%e1%88%b4", "flag", "a=1&&b=2"]
    ]
    for case, result in zip(batch, ours(sign_bin, batch)):
        crt = botocore_headers(case, botocore.crt.auth.CrtSigV4Auth)
        assert crt["authorization"] == dict((k.lower(), v) for k, v in result["headers"])[
            "authorization"], (case.query, result["canonical_request"])


def test_tool_reports_errors(sign_bin):
    bad = Case(endpoint="https://h", method="GET", path="/").for_tool()
    bad["headers"] = []  # no Host
    proc = subprocess.run(
        [str(sign_bin)], input=json.dumps(bad), capture_output=True, text=True, check=True
    )
    assert "Host" in json.loads(proc.stdout)["error"]
