"""validate_policy: Access Analyzer-style findings with the span of what they are about."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamdesk.core.policy.document import PolicyKind
from iamdesk.core.policy.findings import Finding, Severity
from iamdesk.core.policy.validation import validate_policy

IDENTITY = PolicyKind.IDENTITY


def stmt(**elements: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    base.update(elements)
    return {k: v for k, v in base.items() if v is not None}


def doc(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    d: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        d = {"Version": version, **d}
    return d


def findings(source: Any, kind: PolicyKind = IDENTITY) -> list[Finding]:
    return validate_policy(source, kind)


def codes(source: Any, kind: PolicyKind = IDENTITY) -> list[str]:
    return [f.code for f in findings(source, kind)]


def one(source: Any, code: str, kind: PolicyKind = IDENTITY) -> Finding:
    found = [f for f in findings(source, kind) if f.code == code]
    assert len(found) == 1, [f.code for f in findings(source, kind)]
    return found[0]


def text_at(text: str, f: Finding) -> str:
    """The source text a finding's span covers (single-line spans)."""
    line = text.split("\n")[f.span.start.line - 1]
    assert f.span.start.line == f.span.end.line
    return line[f.span.start.column - 1 : f.span.end.column - 1]


def test_a_clean_policy_has_no_findings() -> None:
    policy = doc(
        stmt(
            Sid="Read",
            Action=["s3:GetObject", "s3:ListBucket"],
            Resource=["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        )
    )
    assert findings(policy) == []


def test_invalid_json_points_at_the_error() -> None:
    text = '{\n    "Version": "2012-10-17",\n    "Statement": [\n}'
    (f,) = findings(text)
    assert f.code == "JSON_SYNTAX_ERROR" and f.severity is Severity.ERROR
    assert (f.span.start.line, f.span.start.column) == (4, 1)


@pytest.mark.parametrize("text", ["", "[]", "42", '"policy"', "null"])
def test_non_object_documents(text: str) -> None:
    result = findings(text)
    assert result and result[0].severity is Severity.ERROR
    assert result[0].code in {"JSON_SYNTAX_ERROR", "DATA_TYPE_MISMATCH"}


def test_missing_elements_name_what_is_missing() -> None:
    policy = doc({"Effect": "Allow"})
    got = codes(policy)
    assert "MISSING_ACTION" in got and "MISSING_RESOURCE" in got
    assert "MISSING_EFFECT" in codes(doc({"Action": "s3:GetObject", "Resource": "*"}))
    assert "MISSING_STATEMENT" in codes({"Version": "2012-10-17"})
    assert "MISSING_STATEMENT" in codes({"Version": "2012-10-17", "Statement": []})


def test_missing_effect_spans_the_statement() -> None:
    text = json.dumps(doc({"Action": "s3:GetObject", "Resource": "*"}), indent=4)
    f = one(text, "MISSING_EFFECT")
    assert (f.span.start.line, f.span.start.column) == (4, 9)  # the statement's "{"


def test_missing_version_is_a_warning() -> None:
    f = one(doc(stmt(), version=None), "MISSING_VERSION")
    assert f.severity is Severity.WARNING
    assert "INVALID_VERSION" in codes(doc(stmt(), version="2020-01-01"))


def test_principal_rules_depend_on_the_policy_kind() -> None:
    with_principal = doc(stmt(Principal={"AWS": "111122223333"}))
    assert "UNSUPPORTED_PRINCIPAL" in codes(with_principal, IDENTITY)
    assert "UNSUPPORTED_PRINCIPAL" not in codes(with_principal, PolicyKind.RESOURCE)
    assert "SCP_SYNTAX_ERROR_PRINCIPAL" in codes(with_principal, PolicyKind.SCP)
    assert "MISSING_PRINCIPAL" in codes(doc(stmt()), PolicyKind.RESOURCE)
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    assert findings(trust, PolicyKind.TRUST) == []
    assert "MISSING_PRINCIPAL" in codes(
        doc({"Effect": "Allow", "Action": "sts:AssumeRole"}), PolicyKind.TRUST
    )
    assert "MISSING_RESOURCE" not in codes(trust, PolicyKind.TRUST)


def test_allow_with_not_principal_is_a_security_warning() -> None:
    policy = doc(stmt(NotPrincipal={"AWS": "arn:aws:iam::111122223333:root"}))
    f = one(policy, "ALLOW_WITH_NOT_PRINCIPAL", PolicyKind.RESOURCE)
    assert f.severity is Severity.SECURITY_WARNING
    deny = doc(stmt(Effect="Deny", NotPrincipal={"AWS": "arn:aws:iam::111122223333:root"}))
    assert "ALLOW_WITH_NOT_PRINCIPAL" not in codes(deny, PolicyKind.RESOURCE)


def test_principal_values() -> None:
    bad = doc(stmt(Principal={"AWS": "arn:aws:iam::111122223333:user/*", "Users": "x"}))
    got = codes(bad, PolicyKind.RESOURCE)
    assert "UNSUPPORTED_WILDCARD_IN_PRINCIPAL" in got and "INVALID_PRINCIPAL_KEY" in got
    assert "INVALID_USER_REFERENCE" in codes(
        doc(stmt(Principal={"AWS": "AIDAJQABLZS4A3QDU576Q"})), PolicyKind.RESOURCE
    )


def test_unknown_service_and_action_with_suggestions() -> None:
    policy = doc(stmt(Action=["s4:GetObject", "s3:GetObjet", "s3:Nothing*"]))
    result = {f.code: f for f in findings(policy)}
    assert "Did you mean s3?" in result["INVALID_SERVICE_IN_ACTION"].message
    assert "Did you mean s3:GetObject?" in findings_with(policy, "INVALID_ACTION")[0].message
    assert any("matches no action" in f.message for f in findings_with(policy, "INVALID_ACTION"))


def findings_with(source: Any, code: str, kind: PolicyKind = IDENTITY) -> list[Finding]:
    return [f for f in findings(source, kind) if f.code == code]


def test_action_findings_point_at_the_action_text() -> None:
    text = json.dumps(doc(stmt(Action=["s3:GetObject", "s3:GetObjet"])), indent=4)
    f = one(text, "INVALID_ACTION")
    assert text_at(text, f) == '"s3:GetObjet"'


def test_action_format_and_service_wildcards() -> None:
    assert "INVALID_ACTION" in codes(doc(stmt(Action="GetObject")))
    got = codes(doc(stmt(Action="s*:GetObject")))
    assert "WILDCARD_IN_SERVICE_NAME" in got and "INVALID_ACTION" not in got
    assert "INVALID_ACTION" in codes(doc(stmt(Action="zz*:NothingAtAll")))


def test_invalid_arns() -> None:
    cases = {
        "bucket/key": "INVALID_ARN_PREFIX",
        "arn:aws:s3": "MISSING_ARN_FIELD",
        "arn:aws:S3:::b": "INVALID_ARN_SERVICE_CASE",
        "arn:awz:s3:::b": "INVALID_PARTITION",
        "arn:aws:iam:us-east-1:111122223333:role/x": "ARN_REGION_NOT_ALLOWED",
        "arn:aws:iam::1234:role/x": "INVALID_ARN_ACCOUNT",
        "arn:aws:ec2:moon-1:111122223333:instance/i-1": "INVALID_ARN_REGION",
        "arn:aws:nosuchservice:us-east-1:111122223333:thing/x": "INVALID_SERVICE",
        "arn:aws:s3:::": "INVALID_ARN_RESOURCE",
    }
    for arn, code in cases.items():
        assert code in codes(doc(stmt(Resource=arn))), arn
    fine = [
        "arn:aws:s3:::b/*",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:ec2:*:*:instance/*",
        "arn:aws:s3:::${aws:username}/*",
        "arn:aws:dynamodb:us-east-1:111122223333:table/t",
    ]
    assert findings(doc(stmt(Action="*", Resource=fine))) == []


@pytest.mark.parametrize(
    ("operator", "key", "value", "code"),
    [
        ("Bool", "aws:MultiFactorAuthPresent", "yes", "TYPE_MISMATCH_BOOLEAN"),
        ("NumericLessThan", "aws:MultiFactorAuthAge", "abc", "TYPE_MISMATCH_NUMBER"),
        ("DateGreaterThan", "aws:CurrentTime", "garbage", "TYPE_MISMATCH_DATE"),
        ("IpAddress", "aws:SourceIp", "203.0.113.0/33", "TYPE_MISMATCH_IP_RANGE"),
        ("IpAddress", "aws:SourceIp", "not-an-ip", "TYPE_MISMATCH_IP_RANGE"),
        ("BinaryEquals", "s3:prefix", "!!!", "TYPE_MISMATCH_STRING"),
        ("StringEquals", "aws:MultiFactorAuthPresent", "true", "TYPE_MISMATCH"),
        ("StringEquals", "aws:username", "bob*", "WILDCARD_WITHOUT_LIKE_OPERATOR"),
        ("StringEqualz", "aws:username", "bob", "INVALID_CONDITION_OPERATOR"),
        ("StringEquals", "aws:NoSuchKey", "x", "INVALID_GLOBAL_CONDITION_KEY"),
        ("StringEquals", "s3:NoSuchKey", "x", "INVALID_SERVICE_CONDITION_KEY"),
        ("StringEquals", "username", "x", "INVALID_CONDITION_KEY_FORMAT"),
        ("StringEquals", "aws:ARN", "x", "UNSUPPORTED_GLOBAL_CONDITION_KEY"),
        ("NullIfExists", "aws:username", "true", "NULL_WITH_IF_EXISTS"),
        ("StringEquals", "aws:TagKeys", "x", "MISSING_QUALIFIER"),
        ("ForAllValues:StringEquals", "aws:username", "x", "FORALLVALUES_WITH_SINGLE_VALUED_KEY"),
        ("ForAnyValue:StringEquals", "aws:username", "x", "FORANYVALUE_WITH_SINGLE_VALUED_KEY"),
        ("IpAddress", "aws:SourceIp", "10.0.0.0/8", "PRIVATE_IP_ADDRESS"),
        ("IpAddress", "aws:SourceIp", "203.0.113.7/24", "IMPROVE_IP_RANGE"),
        (
            "NumericLessThan",
            "aws:MultiFactorAuthAge",
            "${aws:username}",
            "INVALID_VARIABLE_FOR_OPERATOR",
        ),
    ],
)
def test_condition_findings(operator: str, key: str, value: str, code: str) -> None:
    policy = doc(stmt(Condition={operator: {key: value}}))
    assert code in codes(policy)


def test_the_sns_console_default_topic_policy_has_no_finding() -> None:
    # The SNS console writes this statement into every new topic's policy; AWS:SourceOwner is
    # documented by the SNS Developer Guide ("aws:SourceAccount versus aws:SourceOwner").
    topic = "arn:aws:sns:us-east-1:111122223333:alerts"
    policy = {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [
            {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes"],
                "Resource": topic,
                "Condition": {"StringEquals": {"AWS:SourceOwner": "111122223333"}},
            }
        ],
    }
    assert "INVALID_GLOBAL_CONDITION_KEY" not in codes(policy, PolicyKind.RESOURCE)
    assert "INVALID_GLOBAL_CONDITION_KEY" in codes(
        doc(stmt(Condition={"StringEquals": {"aws:SourceOwnr": "111122223333"}}))
    )


def test_condition_values_of_the_right_type_pass() -> None:
    condition = {
        "Bool": {"aws:MultiFactorAuthPresent": "true", "aws:SecureTransport": True},
        "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
        "DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
        "DateLessThan": {"aws:EpochTime": "1700000000"},
        "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8::/32"]},
        "StringLike": {"aws:PrincipalTag/team": "dev-*"},
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin*"},
        "ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]},
        "Null": {"aws:ResourceTag/owner": "false"},
        "StringEquals": {"s3:prefix": "home/${aws:username}/"},
    }
    assert findings(doc(stmt(Condition=condition))) == []


def test_type_finding_points_at_the_bad_value() -> None:
    text = json.dumps(
        doc(stmt(Condition={"Bool": {"aws:MultiFactorAuthPresent": "yes"}})), indent=4
    )
    f = one(text, "TYPE_MISMATCH_BOOLEAN")
    assert text_at(text, f) == '"yes"'


def test_pass_role_with_star_resource() -> None:
    f = one(doc(stmt(Action="iam:PassRole", Resource="*")), "PASS_ROLE_WITH_STAR_IN_RESOURCE")
    assert f.severity is Severity.SECURITY_WARNING
    assert "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE" in codes(
        doc(stmt(Action="iam:*", Resource="arn:aws:iam::*:role/*"))
    )
    scoped = doc(stmt(Action="iam:PassRole", Resource="arn:aws:iam::111122223333:role/app"))
    assert "PASS_ROLE_WITH_STAR_IN_RESOURCE" not in codes(scoped)
    with_condition = doc(
        stmt(
            Action="iam:PassRole",
            Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        )
    )
    assert not [c for c in codes(with_condition) if c.startswith("PASS_ROLE")]
    denied = doc(stmt(Effect="Deny", Action="iam:PassRole"))
    assert not [c for c in codes(denied) if c.startswith("PASS_ROLE")]


def test_duplicate_sids() -> None:
    policy = doc(stmt(Sid="A"), stmt(Sid="A", Action="s3:PutObject"))
    assert one(policy, "UNIQUE_SIDS_REQUIRED").severity is Severity.ERROR
    assert one(policy, "UNIQUE_SIDS_RECOMMENDED", PolicyKind.SESSION).severity is Severity.WARNING
    assert "UNSUPPORTED_SID" in codes(doc(stmt(Sid="has space")))
    assert "UNSUPPORTED_SID" not in codes(
        doc(stmt(Sid="has space", Principal="*")), PolicyKind.RESOURCE
    )


def test_policy_variables_need_version_2012() -> None:
    policy = doc(stmt(Resource="arn:aws:s3:::b/${aws:username}/*"), version="2008-10-17")
    assert "VARIABLE_UNSUPPORTED_IN_VERSION" in codes(policy)
    no_version = doc(stmt(Resource="arn:aws:s3:::b/${aws:username}/*"), version=None)
    assert "VARIABLE_UNSUPPORTED_IN_VERSION" in codes(no_version)
    assert "VARIABLE_UNSUPPORTED_IN_VERSION" not in codes(
        doc(stmt(Resource="arn:aws:s3:::b/${aws:username}/*"))
    )


@pytest.mark.parametrize(
    ("resource", "code"),
    [
        ("arn:aws:s3:::b/${aws:username", "MISSING_BRACE_IN_VARIABLE"),
        ("arn:aws:s3:::b/${}", "EMPTY_VARIABLE"),
        ("arn:aws:s3:::b/${aws:user name}", "UNSUPPORTED_SPACE_IN_VARIABLE"),
        ("arn:aws:s3:::b/${aws:username, none}", "MISSING_QUOTE_IN_VARIABLE"),
    ],
)
def test_malformed_variables(resource: str, code: str) -> None:
    assert code in codes(doc(stmt(Resource=resource)))


def test_redundant_actions_resources_and_statements() -> None:
    policy = doc(stmt(Action=["s3:*", "s3:GetObject"]))
    f = one(policy, "REDUNDANT_ACTION")
    assert "s3:GetObject" in f.message
    assert "REDUNDANT_ACTION" in codes(doc(stmt(Action=["iam:Get*", "iam:GetRole"])))
    assert "REDUNDANT_ACTION" not in codes(doc(stmt(Action=["iam:Get*", "iam:*CredentialReport"])))
    resources = [
        "arn:aws:iam::111122223333:role/jane-admin",
        "arn:aws:iam::111122223333:role/jane*",
    ]
    assert "REDUNDANT_RESOURCE" in codes(doc(stmt(Action="iam:GetRole", Resource=resources)))
    twins = doc(stmt(Sid="A"), stmt(Sid="B"))
    assert one(twins, "REDUNDANT_STATEMENT").span.start.line > 5  # the second one
    narrower = doc(stmt(Action="s3:*"), stmt(Action="s3:GetObject"))
    assert "REDUNDANT_STATEMENT" in codes(narrower)
    different = doc(stmt(Action="s3:*"), stmt(Action="s3:GetObject", Effect="Deny"))
    assert "REDUNDANT_STATEMENT" not in codes(different)


def test_unknown_elements_and_wrong_types() -> None:
    got = codes({"Version": "2012-10-17", "Statment": [], "Statement": [stmt(Actions="x")]})
    assert got.count("INVALID_POLICY_ELEMENT") == 2
    assert "DATA_TYPE_MISMATCH" in codes(doc(stmt(Effect=["Allow"])))
    assert "DATA_TYPE_MISMATCH" in codes(doc(stmt(Action=[1, "s3:GetObject"])))
    assert "DATA_TYPE_MISMATCH" in codes({"Version": "2012-10-17", "Statement": "x"})
    assert "UNSUPPORTED_ELEMENT_COMBINATION" in codes(doc(stmt(NotAction="s3:PutObject")))


def test_empty_arrays_are_suggestions() -> None:
    got = findings(doc(stmt(Action=[], Resource=[], Condition={})))
    by_code = {f.code: f.severity for f in got}
    assert by_code["EMPTY_ARRAY_ACTION"] is Severity.SUGGESTION
    assert by_code["EMPTY_ARRAY_RESOURCE"] is Severity.SUGGESTION
    assert by_code["EMPTY_OBJECT_CONDITION"] is Severity.SUGGESTION


def test_findings_are_sorted_and_deterministic() -> None:
    policy = doc(
        stmt(Action=["s4:X", "s3:*", "s3:GetObject"], Resource="bucket"),
        stmt(Effect="Alow", Condition={"Bool": {"aws:SecureTransport": "maybe"}}),
    )
    first = findings(policy)
    assert first == findings(policy)
    keys = [(f.span.start.line, f.span.start.column) for f in first]
    assert keys == sorted(keys)


def test_object_source_is_validated_as_its_indented_rendering() -> None:
    policy = doc(stmt(Action="s3:GetObjet"))
    from_object = one(policy, "INVALID_ACTION")
    from_text = one(json.dumps(policy, indent=4), "INVALID_ACTION")
    assert from_object.span == from_text.span


def test_non_policy_source_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="source must be"):
        validate_policy(42, IDENTITY)  # type: ignore[arg-type]


def test_rcp_rules() -> None:
    deny = doc(stmt(Effect="Deny", Principal="*", Action="s3:*"))
    assert findings(deny, PolicyKind.RCP) == []
    allow = doc(stmt(Principal="*", Action="s3:*"))
    assert "RCP_SYNTAX_ERROR_ALLOW" in codes(allow, PolicyKind.RCP)
    full_access = doc(stmt(Principal="*", Action="*"))
    assert "RCP_SYNTAX_ERROR_ALLOW" not in codes(full_access, PolicyKind.RCP)
    narrow = doc(stmt(Effect="Deny", Principal={"AWS": "111122223333"}, NotAction="s3:Get*"))
    got = codes(narrow, PolicyKind.RCP)
    assert "RCP_SYNTAX_ERROR_PRINCIPAL" in got and "RCP_SYNTAX_ERROR_NOTACTION" in got
    assert "MISSING_PRINCIPAL" in codes(doc(stmt(Effect="Deny")), PolicyKind.RCP)


def test_spans_agree_with_the_parser() -> None:
    from iamdesk.core.policy.parser import parse_policy

    text = json.dumps(
        doc(stmt(Sid="A", Action=["s3:GetObject", "s3:GetObjet"]), stmt(Effect="Allox")), indent=2
    ).replace("\n", "\r\n")
    parsed_action = parse_policy(text.replace("Allox", "Allow")).statements[0].action
    assert parsed_action is not None
    assert one(text, "INVALID_ACTION").span == parsed_action[1].span
    second = parse_policy(text.replace("Allox", "Allow")).statements[1]
    assert one(text, "INVALID_EFFECT").span == second.element_spans["Effect"]


def test_star_action_makes_others_redundant() -> None:
    f = one(doc(stmt(Action=["*", "s3:GetObject"])), "REDUNDANT_ACTION")
    assert "s3:GetObject" in f.message
    assert "REDUNDANT_STATEMENT" in codes(doc(stmt(Action="*"), stmt(Action="s3:GetObject")))
    # The narrower statement is the redundant one, wherever it stands.
    narrow_first = one(doc(stmt(Action="s3:*"), stmt(Action="*")), "REDUNDANT_STATEMENT")
    assert narrow_first.span.start.line == 4
    admin = doc(stmt(Action="*", Resource="*"))
    got = codes(admin)
    assert "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE" in got
    assert "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE" in got


def test_arn_operators_accept_string_keys_holding_arns() -> None:
    condition = {"ArnLike": {"kms:EncryptionContext:aws:sso:instance-arn": "arn:aws:sso:::*"}}
    assert "TYPE_MISMATCH" not in codes(doc(stmt(Action="kms:Decrypt", Condition=condition)))
    bool_key = {"StringEquals": {"aws:ViaAWSService": "true"}}
    assert "TYPE_MISMATCH" in codes(doc(stmt(Condition=bool_key)))


def test_retired_services_are_warnings_not_errors() -> None:
    f = one(doc(stmt(Action="iotevents:DescribeInput")), "RETIRED_SERVICE_IN_ACTION")
    assert f.severity is Severity.WARNING


def test_aws_managed_policies_are_almost_all_error_free() -> None:
    """AWS's own policies are a large sample of real, working documents: the validator must not
    call them broken, apart from the few that name actions the catalog no longer lists."""
    from iamdesk.services import managed_policies

    by_name = {p.name: p.document for p in managed_policies.all_policies()}
    for name in ("AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "IAMFullAccess"):
        errors = [f for f in findings(by_name[name]) if f.severity is Severity.ERROR]
        assert errors == [], name
    sample = sorted(by_name)[::4]  # a quarter of them keeps the test quick
    with_errors = [
        n for n in sample if any(f.severity is Severity.ERROR for f in findings(by_name[n]))
    ]
    assert len(with_errors) <= len(sample) // 50, with_errors


def test_redundant_numeric_bounds_and_epoch_dates() -> None:
    bounds = {"NumericLessThan": {"aws:MultiFactorAuthAge": ["2700", "3600"]}}
    f = one(doc(stmt(Condition=bounds)), "REDUNDANT_CONDITION_VALUE_NUM")
    assert "greatest" in f.message and f.severity is Severity.SUGGESTION
    equal = {"NumericEquals": {"aws:MultiFactorAuthAge": ["2700", "3600"]}}
    assert "REDUNDANT_CONDITION_VALUE_NUM" not in codes(doc(stmt(Condition=equal)))
    epoch = {"DateGreaterThan": {"aws:CurrentTime": "1700000000"}}
    assert one(doc(stmt(Condition=epoch)), "INVALID_DATE_VALUE").severity is Severity.WARNING
    epoch_key = {"DateGreaterThan": {"aws:EpochTime": "1700000000"}}
    assert "INVALID_DATE_VALUE" not in codes(doc(stmt(Condition=epoch_key)))


def test_repeated_keys_are_reported() -> None:
    text = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",'
        ' "Resource": "*", "Condition": {"StringEquals": {"aws:username": "a"},'
        ' "StringEquals": {"aws:PrincipalTag/team": "b"}}}]}'
    )
    f = one(text, "DUPLICATE_KEY")
    assert f.severity is Severity.WARNING and "StringEquals" in f.message
    assert text_at(text, f) == '"StringEquals"'
    assert "DUPLICATE_KEY" not in codes(doc(stmt()))


def test_warm_caches_builds_the_catalog_tables() -> None:
    from iamdesk.core import catalog
    from iamdesk.core.policy.validation import warm_caches

    catalog.arn_namespaces.cache_clear()
    warm_caches()
    assert catalog.arn_namespaces.cache_info().currsize == 1


def test_requested_region_values() -> None:
    bad = {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "europe-1"]}}
    f = one(doc(stmt(Condition=bad)), "INVALID_REGION")
    assert "europe-1" in f.message
    fine = {"StringEquals": {"aws:RequestedRegion": ["us-gov-west-1", "cn-north-1"]}}
    assert "INVALID_REGION" not in codes(doc(stmt(Condition=fine)))
    pattern = {"StringLike": {"aws:RequestedRegion": "eu-*"}}
    assert "INVALID_REGION" not in codes(doc(stmt(Condition=pattern)))


def test_missing_arn_region() -> None:
    f = one(doc(stmt(Action="dynamodb:GetItem", Resource="arn:aws:dynamodb::111122223333:table/t")),
            "MISSING_ARN_REGION")  # fmt: skip
    assert f.severity is Severity.ERROR
    for fine in ("arn:aws:s3:::b/*", "arn:aws:iam::111122223333:role/r", "arn:aws:dynamodb:*:*:*"):
        assert "MISSING_ARN_REGION" not in codes(doc(stmt(Action="*", Resource=fine))), fine
    # DynamoDB global tables carry no Region: that ARN is fine without one.
    global_table = "arn:aws:dynamodb::111122223333:global-table/g"
    assert codes(doc(stmt(Action="*", Resource=global_table))) == []


def test_arn_that_no_resource_type_has() -> None:
    typo = "arn:aws:dynamodb:us-east-1:111122223333:tabel/orders"
    f = one(doc(stmt(Action="*", Resource=typo)), "INVALID_ARN_RESOURCE")
    assert "table/${TableName}" in f.message or "dynamodb ARNs look like" in f.message
    assert "INVALID_ARN_RESOURCE" in codes(
        doc(stmt(Action="*", Resource="arn:aws:iam::111122223333:rol/x"))
    )


def test_kind_by_name() -> None:
    trust_without_principal = doc({"Effect": "Allow", "Action": "sts:AssumeRole"})
    assert "MISSING_PRINCIPAL" in [
        f.code for f in validate_policy(trust_without_principal, "trust")
    ]
    with pytest.raises(ValueError, match="nosuch"):
        validate_policy(doc(stmt()), "nosuch")


def test_grant_checks_only_for_policies_that_grant() -> None:
    # AWS's FullAWSAccess SCP: SCPs, RCPs, boundaries and session policies only cap what other
    # policies grant, so Allow * on * there hands out no iam:PassRole.
    full_access = doc(stmt(Action="*", Resource="*"))
    grant_codes = {
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
        "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
    }
    for kind in (PolicyKind.SCP, PolicyKind.PERMISSIONS_BOUNDARY, PolicyKind.SESSION):
        assert not grant_codes & set(codes(full_access, kind)), kind
    rcp_full = doc(stmt(Principal="*", Action="*", Resource="*"))
    assert not grant_codes & set(codes(rcp_full, PolicyKind.RCP))
    passrole = doc(stmt(Action="iam:PassRole", Resource="*"))
    assert "PASS_ROLE_WITH_STAR_IN_RESOURCE" in codes(passrole, IDENTITY)
    assert "PASS_ROLE_WITH_STAR_IN_RESOURCE" not in codes(passrole, PolicyKind.SCP)
    bucket = doc(stmt(Principal={"AWS": "arn:aws:iam::111122223333:root"}, Action="iam:PassRole"))
    assert "PASS_ROLE_WITH_STAR_IN_RESOURCE" in codes(bucket, PolicyKind.RESOURCE)
