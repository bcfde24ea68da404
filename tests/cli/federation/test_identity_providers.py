"""``iamdesk iam`` OIDC and SAML provider commands, run as a user types them: IAM's rules,
quotas, errors, and botocore's output shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamdesk.cli.main import main
from iamdesk.store.db import open_database
from tests.cli.federation.fixtures import (
    ACCOUNT,
    GITHUB,
    GITHUB_ARN,
    IDP_ENTITY,
    assert_output_shape,
    fails,
    metadata,
    ok,
)

THUMB = "6938fd4d98bab03faadb97b34396831e3780aea1"
SAML_ARN = f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"


def test_oidc_provider_lifecycle(cli) -> None:
    made = ok(cli, "iam", "create-open-id-connect-provider", "--url", f"https://{GITHUB}",
              "--client-id-list", "sts.amazonaws.com", "--thumbprint-list", THUMB,
              "--tags", "Key=team,Value=ci")  # fmt: skip
    assert made == {"OpenIDConnectProviderArn": GITHUB_ARN,
                    "Tags": [{"Key": "team", "Value": "ci"}]}  # fmt: skip
    assert_output_shape("iam", "CreateOpenIDConnectProvider", made)
    listed = ok(cli, "iam", "list-open-id-connect-providers")
    assert listed == {"OpenIDConnectProviderList": [{"Arn": GITHUB_ARN}]}
    assert_output_shape("iam", "ListOpenIDConnectProviders", listed)
    on = ("--open-id-connect-provider-arn", GITHUB_ARN)
    ok(cli, "iam", "add-client-id-to-open-id-connect-provider", *on, "--client-id", "app2")
    ok(cli, "iam", "add-client-id-to-open-id-connect-provider", *on, "--client-id", "app2")
    got = ok(cli, "iam", "get-open-id-connect-provider", *on)
    assert_output_shape("iam", "GetOpenIDConnectProvider", got)
    assert got["Url"] == GITHUB
    assert got["ClientIDList"] == ["sts.amazonaws.com", "app2"]  # added once, in order
    assert got["ThumbprintList"] == [THUMB]
    assert got["Tags"] == [{"Key": "team", "Value": "ci"}]
    ok(cli, "iam", "remove-client-id-from-open-id-connect-provider", *on, "--client-id", "app2")
    ok(cli, "iam", "remove-client-id-from-open-id-connect-provider", *on, "--client-id", "gone")
    other = "A" * 40
    ok(cli, "iam", "update-open-id-connect-provider-thumbprint", *on,
       "--thumbprint-list", other, THUMB)  # fmt: skip
    got = ok(cli, "iam", "get-open-id-connect-provider", *on)
    assert got["ClientIDList"] == ["sts.amazonaws.com"] and got["ThumbprintList"] == [other, THUMB]
    ok(cli, "iam", "tag-open-id-connect-provider", *on, "--tags", "Key=env,Value=prod")
    ok(cli, "iam", "untag-open-id-connect-provider", *on, "--tag-keys", "TEAM")
    tags = ok(cli, "iam", "list-open-id-connect-provider-tags", *on)
    assert tags["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert_output_shape("iam", "ListOpenIDConnectProviderTags", tags)
    ok(cli, "iam", "delete-open-id-connect-provider", *on)
    err = fails(cli, "NoSuchEntity", "iam", "get-open-id-connect-provider", *on)
    assert f"OpenIDConnect Provider not found for arn {GITHUB_ARN}" in err
    ok(cli, "iam", "delete-open-id-connect-provider", *on)  # idempotent, as IAM's
    assert ok(cli, "iam", "list-open-id-connect-providers") == {"OpenIDConnectProviderList": []}
    # its tags went with it: a new provider at the same URL starts bare
    ok(cli, "iam", "create-open-id-connect-provider", "--url", f"https://{GITHUB}")
    assert ok(cli, "iam", "list-open-id-connect-provider-tags", *on)["Tags"] == []


def test_oidc_rules_and_quotas(cli) -> None:
    create = ("iam", "create-open-id-connect-provider", "--url")
    ok(cli, *create, "https://idp.example.com/tenant/1")
    err = fails(cli, "EntityAlreadyExists", *create, "https://idp.example.com/tenant/1")
    assert "Provider with url https://idp.example.com/tenant/1 already exists." in err
    fails(cli, "InvalidInput", *create, "http://idp.example.com")
    fails(cli, "InvalidInput", *create, "https://idp.example.com/?q=1")
    fails(cli, "InvalidInput", *create, "https://x.example.com", "--thumbprint-list", "g" * 40)
    code, _, err = cli(*create, "https://x.example.com", "--thumbprint-list", "a" * 39)
    assert code == 252 and "Invalid length for parameter ThumbprintList[0]" in err
    err = fails(cli, "LimitExceeded", *create, "https://x.example.com",
                "--thumbprint-list", *[f"{i:040x}" for i in range(6)])  # fmt: skip
    assert "ThumbprintsPerOpenIdConnectProvider: 5" in err
    err = fails(cli, "LimitExceeded", *create, "https://x.example.com",
                "--client-id-list", *[f"app{i}" for i in range(101)])  # fmt: skip
    assert "ClientIdsPerOpenIdConnectProvider: 100" in err
    fails(cli, "InvalidInput", "iam", "get-open-id-connect-provider",
          "--open-id-connect-provider-arn", f"arn:aws:iam::{ACCOUNT}:saml-provider/x")  # fmt: skip
    for index in range(99):
        ok(cli, *create, f"https://idp{index}.example.com")
    err = fails(cli, "LimitExceeded", *create, "https://one-more.example.com")
    assert "OpenIdConnectProvidersPerAccount: 100" in err
    assert len(ok(cli, "iam", "list-open-id-connect-providers")["OpenIDConnectProviderList"]) == 100


def test_saml_provider_lifecycle(cli, tmp_path: Path) -> None:
    doc = tmp_path / "metadata.xml"
    doc.write_text(metadata(), encoding="utf-8")
    made = ok(cli, "iam", "create-saml-provider", "--name", "Okta",
              "--saml-metadata-document", f"file://{doc}")  # fmt: skip
    assert made == {"SAMLProviderArn": SAML_ARN}
    on = ("--saml-provider-arn", SAML_ARN)
    got = ok(cli, "iam", "get-saml-provider", *on)
    assert_output_shape("iam", "GetSAMLProvider", got)
    assert got["SAMLMetadataDocument"] == metadata()
    assert got["SAMLProviderUUID"].startswith("SAML") and len(got["SAMLProviderUUID"]) == 26
    assert int(got["ValidUntil"][:4]) == int(got["CreateDate"][:4]) + 100
    listed = ok(cli, "iam", "list-saml-providers")
    assert_output_shape("iam", "ListSAMLProviders", listed)
    assert listed["SAMLProviderList"] == [
        {"Arn": SAML_ARN, "ValidUntil": got["ValidUntil"], "CreateDate": got["CreateDate"]}
    ]
    doc.write_text(metadata("https://idp2.example.com", "2030-01-01T00:00:00Z"), "utf-8")
    updated = ok(cli, "iam", "update-saml-provider", *on, "--saml-metadata-document",
                 f"file://{doc}")  # fmt: skip
    assert updated == {"SAMLProviderArn": SAML_ARN}
    assert ok(cli, "iam", "get-saml-provider", *on)["ValidUntil"] == "2030-01-01T00:00:00+00:00"
    ok(cli, "iam", "tag-saml-provider", *on, "--tags", "Key=team,Value=it")
    assert ok(cli, "iam", "list-saml-provider-tags", *on)["Tags"] == [
        {"Key": "team", "Value": "it"}
    ]
    ok(cli, "iam", "untag-saml-provider", *on, "--tag-keys", "team")
    assert ok(cli, "iam", "list-saml-provider-tags", *on)["Tags"] == []
    ok(cli, "iam", "delete-saml-provider", *on)
    err = fails(cli, "NoSuchEntity", "iam", "delete-saml-provider", *on)
    assert f"Manifest not found for arn {SAML_ARN}" in err


def test_saml_rules(cli, tmp_path: Path) -> None:
    doc = tmp_path / "metadata.xml"
    doc.write_text(metadata(), encoding="utf-8")
    create = ("iam", "create-saml-provider", "--saml-metadata-document", f"file://{doc}")
    ok(cli, *create, "--name", "Okta")
    fails(cli, "EntityAlreadyExists", *create, "--name", "OKTA")  # names without case
    fails(cli, "InvalidInput", *create, "--name", "has space")
    code, _, err = cli("iam", "create-saml-provider", "--name", "p",
                       "--saml-metadata-document", "<short/>")  # fmt: skip
    assert code == 252 and "valid min length: 1000" in err
    bad = tmp_path / "bad.xml"
    bad.write_text("<a>" + "x" * 1000 + "</a>", encoding="utf-8")
    err = fails(cli, "InvalidInput", "iam", "create-saml-provider", "--name", "p",
                "--saml-metadata-document", f"file://{bad}")  # fmt: skip
    assert "Could not parse metadata" in err
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                    + metadata().split("\n", 1)[1].replace(IDP_ENTITY, "&e;"), "utf-8")  # fmt: skip
    err = fails(cli, "InvalidInput", "iam", "create-saml-provider", "--name", "p",
                "--saml-metadata-document", f"file://{bomb}")  # fmt: skip
    assert "not accepted" in err and "root:" not in err
    fails(cli, "InvalidInput", *create, "--name", "Enc", "--assertion-encryption-mode", "Required")
    fails(cli, "InvalidInput", "iam", "update-saml-provider", "--saml-provider-arn", SAML_ARN)
    with open_database(cli.db) as db:  # type: ignore[attr-defined]
        from iamdesk.services.federation import saml

        assert [p["Arn"] for p in saml.list_saml_providers(db, None)["SAMLProviderList"]] == [
            SAML_ARN
        ]


def test_providers_move_with_db_copy(
    cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "metadata.xml"
    doc.write_text(metadata(), encoding="utf-8")
    ok(cli, "iam", "create-saml-provider", "--name", "Okta",
       "--saml-metadata-document", f"file://{doc}", "--tags", "Key=a,Value=b")  # fmt: skip
    ok(cli, "iam", "create-open-id-connect-provider", "--url", f"https://{GITHUB}",
       "--client-id-list", "sts.amazonaws.com", "--tags", "Key=c,Value=d")  # fmt: skip
    copy = tmp_path / "copy.sqlite"
    assert main(["db", "copy", str(cli.db), str(copy)]) == 0  # type: ignore[attr-defined]
    assert "copied" in capsys.readouterr().out
    for command in (
        ("iam", "get-saml-provider", "--saml-provider-arn", SAML_ARN),
        ("iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", GITHUB_ARN),
        ("iam", "list-open-id-connect-providers"),
        ("iam", "list-saml-providers"),
    ):
        assert ok(cli, "--db", str(copy), *command) == ok(cli, *command)
