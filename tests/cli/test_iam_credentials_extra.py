"""SSH public keys, signing certificates, service-specific credentials and server certificates,
run as ``iamdesk iam`` commands the way a user types them; outputs checked against botocore's
shapes, errors with IAM's codes, quotas enforced, nothing changed by a failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from iamdesk.cli.main import main
from iamdesk.core import keys
from iamdesk.services import service_credentials
from iamdesk.store.db import open_database
from iamdesk.store.tables import ServiceSpecificCredential
from tests.cli.shapes import fails, ok

KEYS = Path(__file__).resolve().parents[1] / "data" / "keys"


def key(name: str) -> str:
    return f"file://{KEYS / name}"


def test_ssh_public_keys_round_trip(iam) -> None:
    ok(iam, "CreateUser", "create-user", "--user-name", "alice")
    uploaded = ok(
        iam,
        "UploadSSHPublicKey",
        "upload-ssh-public-key",
        "--user-name",
        "alice",
        "--ssh-public-key-body",
        key("ssh2048.pub"),
    )["SSHPublicKey"]
    # ssh-keygen -l -E md5 prints this fingerprint for the fixture key
    assert uploaded["Fingerprint"] == "5e:25:7d:6e:91:7b:8b:26:b0:d7:d2:d9:9c:be:8c:aa"
    key_id = uploaded["SSHPublicKeyId"]
    assert key_id.startswith("APKA") and len(key_id) == 20
    pem = ok(
        iam,
        "GetSSHPublicKey",
        "get-ssh-public-key",
        "--user-name",
        "alice",
        "--ssh-public-key-id",
        key_id,
        "--encoding",
        "PEM",
    )["SSHPublicKey"]
    assert pem["SSHPublicKeyBody"] == (KEYS / "ssh2048.pem").read_text()
    ssh = ok(
        iam,
        "GetSSHPublicKey",
        "get-ssh-public-key",
        "--user-name",
        "alice",
        "--ssh-public-key-id",
        key_id,
        "--encoding",
        "SSH",
    )["SSHPublicKey"]
    assert ssh["SSHPublicKeyBody"] == " ".join((KEYS / "ssh2048.pub").read_text().split()[:2])
    # the same key in PEM is the same key
    fails(
        iam,
        "DuplicateSSHPublicKey",
        "upload-ssh-public-key",
        "--user-name",
        "alice",
        "--ssh-public-key-body",
        key("ssh2048.pem"),
    )
    fails(
        iam,
        "InvalidPublicKey",
        "upload-ssh-public-key",
        "--user-name",
        "alice",
        "--ssh-public-key-body",
        key("ssh1024.pub"),
    )
    fails(
        iam,
        "UnrecognizedPublicKeyEncoding",
        "upload-ssh-public-key",
        "--user-name",
        "alice",
        "--ssh-public-key-body",
        key("sshed.pub"),
    )
    ok(
        iam,
        "UpdateSSHPublicKey",
        "update-ssh-public-key",
        "--user-name",
        "alice",
        "--ssh-public-key-id",
        key_id,
        "--status",
        "Inactive",
    )
    listed = ok(iam, "ListSSHPublicKeys", "list-ssh-public-keys", "--user-name", "alice")
    assert [(k["SSHPublicKeyId"], k["Status"]) for k in listed["SSHPublicKeys"]] == [
        (key_id, "Inactive")
    ]
    err = fails(iam, "DeleteConflict", "delete-user", "--user-name", "alice")
    assert "must delete SSH keys first" in err
    ok(
        iam,
        "DeleteSSHPublicKey",
        "delete-ssh-public-key",
        "--user-name",
        "alice",
        "--ssh-public-key-id",
        key_id,
    )
    fails(
        iam,
        "NoSuchEntity",
        "delete-ssh-public-key",
        "--user-name",
        "alice",
        "--ssh-public-key-id",
        key_id,
    )
    ok(iam, "DeleteUser", "delete-user", "--user-name", "alice")


def test_ssh_key_operations_find_their_user_as_other_credentials_do(iam, capsys) -> None:
    """The owner of an SSH key is found as for every credential (``callers.owner``): an unknown
    user or account is NoSuchEntity with IAM's text, and one user's key id means nothing
    under another user's name."""
    ok(iam, "CreateUser", "create-user", "--user-name", "alice")
    ok(iam, "CreateUser", "create-user", "--user-name", "bob")
    uploaded = ok(iam, "UploadSSHPublicKey", "upload-ssh-public-key", "--user-name", "alice",
                  "--ssh-public-key-body", key("ssh2048.pub"))  # fmt: skip
    key_id = uploaded["SSHPublicKey"]["SSHPublicKeyId"]
    operations = [
        ("upload-ssh-public-key", "--ssh-public-key-body", key("ssh2048.pub")),
        ("get-ssh-public-key", "--ssh-public-key-id", key_id, "--encoding", "SSH"),
        ("list-ssh-public-keys",),
        ("update-ssh-public-key", "--ssh-public-key-id", key_id, "--status", "Inactive"),
        ("delete-ssh-public-key", "--ssh-public-key-id", key_id),
    ]
    for command, *rest in operations:
        err = fails(iam, "NoSuchEntity", command, "--user-name", "nobody", *rest)
        assert "The user with name nobody cannot be found." in err, command
        code = main(["--db", iam.db, "--account-id", "999999999999", "iam", command,
                     "--user-name", "alice", *rest])  # fmt: skip
        err = capsys.readouterr().err
        assert code == 254 and "The account with id 999999999999 cannot be found." in err
    for command, *rest in [op for op in operations if key_id in op]:
        err = fails(iam, "NoSuchEntity", command, "--user-name", "bob", *rest)
        assert f"The Public Key with id {key_id} cannot be found." in err, command
    listed = ok(iam, "ListSSHPublicKeys", "list-ssh-public-keys", "--user-name", "alice")
    assert [(k["SSHPublicKeyId"], k["Status"]) for k in listed["SSHPublicKeys"]] == [
        (key_id, "Active")
    ]
    bobs = ok(iam, "ListSSHPublicKeys", "list-ssh-public-keys", "--user-name", "bob")
    assert bobs["SSHPublicKeys"] == []


def test_list_ssh_public_keys_without_a_user_lists_the_callers(
    iam, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IAM's ListSSHPublicKeys alone takes its UserName from the signing key when none is
    given; the other SSH-key operations need one."""
    ok(iam, "CreateUser", "create-user", "--user-name", "erin")
    ok(iam, "CreateUser", "create-user", "--user-name", "frank")
    uploaded = ok(iam, "UploadSSHPublicKey", "upload-ssh-public-key", "--user-name", "erin",
                  "--ssh-public-key-body", key("ssh2048.pub"))  # fmt: skip
    erin_key = uploaded["SSHPublicKey"]["SSHPublicKeyId"]
    access_key = ok(iam, "CreateAccessKey", "create-access-key", "--user-name", "erin")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    code, _, err = iam("list-ssh-public-keys")
    assert code == 253 and "Unable to locate credentials" in err
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", access_key["AccessKey"]["AccessKeyId"])
    mine = ok(iam, "ListSSHPublicKeys", "list-ssh-public-keys")["SSHPublicKeys"]
    assert [(k["UserName"], k["SSHPublicKeyId"]) for k in mine] == [("erin", erin_key)]
    # A named user wins over the caller; so does --caller-arn.
    assert ok(iam, "ListSSHPublicKeys", "list-ssh-public-keys", "--user-name", "frank") == {
        "SSHPublicKeys": []
    }
    frank = ok(iam, "GetUser", "get-user", "--user-name", "frank")["User"]["Arn"]
    assert ok(iam, "ListSSHPublicKeys", "list-ssh-public-keys", "--caller-arn", frank) == {
        "SSHPublicKeys": []
    }
    code, _, err = iam("get-ssh-public-key", "--ssh-public-key-id", erin_key, "--encoding", "SSH")
    assert code == 252 and "--user-name" in err


def _ssh_key(bits_seed: int) -> str:
    # distinct valid 2048-bit numbers (not a usable key: only the encoding is checked)
    modulus = (1 << 2047) | (bits_seed * 2 + 1)
    return keys.SshPublicKey(modulus, 65537).openssh()


def test_ssh_key_quota_is_five_per_user(iam, tmp_path: Path) -> None:
    ok(iam, "CreateUser", "create-user", "--user-name", "bob")
    for n in range(5):
        ok(
            iam,
            "UploadSSHPublicKey",
            "upload-ssh-public-key",
            "--user-name",
            "bob",
            "--ssh-public-key-body",
            _ssh_key(n),
        )
    err = fails(
        iam,
        "LimitExceeded",
        "upload-ssh-public-key",
        "--user-name",
        "bob",
        "--ssh-public-key-body",
        _ssh_key(9),
    )
    assert "PublicKeysPerUser: 5" in err
    listed = ok(iam, "ListSSHPublicKeys", "list-ssh-public-keys", "--user-name", "bob")
    assert len(listed["SSHPublicKeys"]) == 5
    # the CLI's paging works on it
    _code, out, _ = iam("list-ssh-public-keys", "--user-name", "bob", "--max-items", "2")
    assert len(json.loads(out)["SSHPublicKeys"]) == 2 and "NextToken" in json.loads(out)


def test_oversized_key_material_is_refused_before_parsing(iam) -> None:
    ok(iam, "CreateUser", "create-user", "--user-name", "carol")
    body = "ssh-rsa " + "A" * 20_000
    code, _, err = iam(
        "upload-ssh-public-key", "--user-name", "carol", "--ssh-public-key-body", body
    )
    assert code in (252, 254) and "16384" in err


def test_signing_certificates_with_caller_and_quota(
    iam, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ok(iam, "CreateUser", "create-user", "--user-name", "dave")
    access_key = ok(iam, "CreateAccessKey", "create-access-key", "--user-name", "dave")
    key_id = access_key["AccessKey"]["AccessKeyId"]
    # no --user-name: the caller's own certificates, from the environment's credentials
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    code, _, err = iam("list-signing-certificates")
    assert code == 253 and "Unable to locate credentials" in err
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    cert = ok(
        iam,
        "UploadSigningCertificate",
        "upload-signing-certificate",
        "--certificate-body",
        key("server.crt"),
    )["Certificate"]
    assert cert["UserName"] == "dave" and cert["Status"] == "Active"
    assert len(cert["CertificateId"]) >= 24
    fails(
        iam,
        "DuplicateCertificate",
        "upload-signing-certificate",
        "--certificate-body",
        key("server.crt"),
    )
    fails(
        iam,
        "MalformedCertificate",
        "upload-signing-certificate",
        "--certificate-body",
        key("server.key"),
    )
    ok(
        iam,
        "UploadSigningCertificate",
        "upload-signing-certificate",
        "--user-name",
        "dave",
        "--certificate-body",
        key("other.crt"),
    )
    err = fails(
        iam,
        "LimitExceeded",
        "upload-signing-certificate",
        "--certificate-body",
        key("chain.crt"),
    )
    assert ": 2" in err
    ok(
        iam,
        "UpdateSigningCertificate",
        "update-signing-certificate",
        "--certificate-id",
        cert["CertificateId"],
        "--status",
        "Inactive",
    )
    listed = ok(iam, "ListSigningCertificates", "list-signing-certificates")["Certificates"]
    assert {c["CertificateId"]: c["Status"] for c in listed}[cert["CertificateId"]] == "Inactive"
    ok(
        iam,
        "DeleteSigningCertificate",
        "delete-signing-certificate",
        "--user-name",
        "dave",
        "--certificate-id",
        cert["CertificateId"],
    )
    assert len(ok(iam, "ListSigningCertificates", "list-signing-certificates")["Certificates"]) == 1


def test_service_specific_credentials(iam) -> None:
    ok(iam, "CreateUser", "create-user", "--user-name", "erin")
    created = ok(
        iam,
        "CreateServiceSpecificCredential",
        "create-service-specific-credential",
        "--user-name",
        "erin",
        "--service-name",
        "codecommit.amazonaws.com",
    )["ServiceSpecificCredential"]
    password = created["ServicePassword"]
    cred_id = created["ServiceSpecificCredentialId"]
    assert created["ServiceUserName"].startswith("erin-at-")
    # never stored in clear, verifiable by its hash
    db = open_database(iam.db, create=False)
    try:
        with db.read() as session:
            stored = session.scalars(select(ServiceSpecificCredential)).one()
        assert password not in stored.secret_hash
        assert service_credentials.verify(db, cred_id, password)
    finally:
        db.close()
    listed = ok(
        iam,
        "ListServiceSpecificCredentials",
        "list-service-specific-credentials",
        "--user-name",
        "erin",
    )["ServiceSpecificCredentials"]
    assert "ServicePassword" not in json.dumps(listed) and listed[0]["Status"] == "Active"
    reset = ok(
        iam,
        "ResetServiceSpecificCredential",
        "reset-service-specific-credential",
        "--user-name",
        "erin",
        "--service-specific-credential-id",
        cred_id,
    )["ServiceSpecificCredential"]
    assert reset["ServicePassword"] != password
    db = open_database(iam.db, create=False)
    try:
        assert not service_credentials.verify(db, cred_id, password)
        assert service_credentials.verify(db, cred_id, reset["ServicePassword"])
    finally:
        db.close()
    ok(
        iam,
        "CreateServiceSpecificCredential",
        "create-service-specific-credential",
        "--user-name",
        "erin",
        "--service-name",
        "codecommit.amazonaws.com",
    )
    fails(
        iam,
        "LimitExceeded",
        "create-service-specific-credential",
        "--user-name",
        "erin",
        "--service-name",
        "codecommit.amazonaws.com",
    )
    fails(
        iam,
        "NotSupportedService",
        "create-service-specific-credential",
        "--user-name",
        "erin",
        "--service-name",
        "s3.amazonaws.com",
    )
    fails(
        iam,
        "InvalidInput",
        "create-service-specific-credential",
        "--user-name",
        "erin",
        "--service-name",
        "codecommit.amazonaws.com",
        "--credential-age-days",
        "5",
    )
    bedrock = ok(
        iam,
        "CreateServiceSpecificCredential",
        "create-service-specific-credential",
        "--user-name",
        "erin",
        "--service-name",
        "bedrock.amazonaws.com",
        "--credential-age-days",
        "30",
    )["ServiceSpecificCredential"]
    assert "ServiceCredentialSecret" in bedrock and "ExpirationDate" in bedrock
    ok(
        iam,
        "UpdateServiceSpecificCredential",
        "update-service-specific-credential",
        "--user-name",
        "erin",
        "--service-specific-credential-id",
        cred_id,
        "--status",
        "Inactive",
    )
    fails(iam, "DeleteConflict", "delete-user", "--user-name", "erin")
    _code, out, _ = iam(
        "list-service-specific-credentials",
        "--all-users",
        "--query",
        "ServiceSpecificCredentials[].Status",
        "--output",
        "text",
    )
    assert sorted(out.split()) == ["Active", "Active", "Inactive"]
    ok(
        iam,
        "DeleteServiceSpecificCredential",
        "delete-service-specific-credential",
        "--user-name",
        "erin",
        "--service-specific-credential-id",
        cred_id,
    )
    fails(
        iam,
        "NoSuchEntity",
        "reset-service-specific-credential",
        "--user-name",
        "erin",
        "--service-specific-credential-id",
        cred_id,
    )


def test_server_certificates(iam, tmp_path: Path) -> None:
    upload = (
        "upload-server-certificate",
        "--server-certificate-name",
        "web",
        "--certificate-body",
        key("server.crt"),
        "--private-key",
        key("server.key"),
    )
    fails(
        iam,
        "KeyPairMismatch",
        *upload[:5],
        "--private-key",
        key("other.key"),
    )
    fails(
        iam,
        "MalformedCertificate",
        *upload[:3],
        "--certificate-body",
        key("server.key"),
        *upload[5:],
    )
    fails(iam, "MalformedCertificate", *upload, "--certificate-chain", key("server.key"))
    made = ok(
        iam,
        "UploadServerCertificate",
        *upload,
        "--path",
        "/cloudfront/",
        "--certificate-chain",
        key("chain.crt"),
        "--tags",
        "Key=env,Value=prod",
    )
    meta = made["ServerCertificateMetadata"]
    assert meta["Arn"].endswith(":server-certificate/cloudfront/web")
    assert meta["Expiration"].startswith("2036-12-")  # the fixture's notAfter
    fails(iam, "EntityAlreadyExists", *upload)
    got = ok(
        iam, "GetServerCertificate", "get-server-certificate", "--server-certificate-name", "web"
    )
    assert got["ServerCertificate"]["CertificateChain"] == (KEYS / "chain.crt").read_text()
    assert "PRIVATE KEY" not in json.dumps(got)
    ok(
        iam,
        "UpdateServerCertificate",
        "update-server-certificate",
        "--server-certificate-name",
        "web",
        "--new-server-certificate-name",
        "web-2027",
        "--new-path",
        "/",
    )
    listed = ok(iam, "ListServerCertificates", "list-server-certificates")
    assert [
        (m["ServerCertificateName"], m["Arn"].split(":")[-1])
        for m in listed["ServerCertificateMetadataList"]
    ] == [("web-2027", "server-certificate/web-2027")]
    ok(
        iam,
        "TagServerCertificate",
        "tag-server-certificate",
        "--server-certificate-name",
        "web-2027",
        "--tags",
        "Key=team,Value=edge",
    )
    ok(
        iam,
        "UntagServerCertificate",
        "untag-server-certificate",
        "--server-certificate-name",
        "web-2027",
        "--tag-keys",
        "env",
    )
    tags = ok(
        iam,
        "ListServerCertificateTags",
        "list-server-certificate-tags",
        "--server-certificate-name",
        "web-2027",
    )
    assert tags["Tags"] == [{"Key": "team", "Value": "edge"}]
    ok(
        iam,
        "DeleteServerCertificate",
        "delete-server-certificate",
        "--server-certificate-name",
        "web-2027",
    )
    fails(iam, "NoSuchEntity", "get-server-certificate", "--server-certificate-name", "web-2027")


def test_server_certificate_quota_is_twenty(iam, tmp_path: Path) -> None:
    for n in range(20):
        ok(
            iam,
            "UploadServerCertificate",
            "upload-server-certificate",
            "--server-certificate-name",
            f"c{n:02d}",
            "--certificate-body",
            key("server.crt"),
            "--private-key",
            key("server.key"),
        )
    err = fails(
        iam,
        "LimitExceeded",
        "upload-server-certificate",
        "--server-certificate-name",
        "c20",
        "--certificate-body",
        key("server.crt"),
        "--private-key",
        key("server.key"),
    )
    assert "20" in err
    _code, out, _ = iam(
        "list-server-certificates",
        "--max-items",
        "15",
        "--query",
        "length(ServerCertificateMetadataList)",
    )
    assert out.strip() == "15"


def test_new_credentials_survive_db_copy(iam, tmp_path: Path, capsys) -> None:
    if iam.db.startswith("postgresql"):
        pytest.skip("the copy is checked from a file here")
    ok(iam, "CreateUser", "create-user", "--user-name", "frank")
    ok(
        iam,
        "UploadSSHPublicKey",
        "upload-ssh-public-key",
        "--user-name",
        "frank",
        "--ssh-public-key-body",
        key("ssh2048.pub"),
    )
    ok(
        iam,
        "UploadServerCertificate",
        "upload-server-certificate",
        "--server-certificate-name",
        "w",
        "--certificate-body",
        key("server.crt"),
        "--private-key",
        key("server.key"),
    )
    target = tmp_path / "copy.sqlite"
    assert main(["db", "copy", iam.db, str(target)]) == 0
    capsys.readouterr()
    assert main(["--db", str(target), "iam", "list-ssh-public-keys", "--user-name", "frank"]) == 0
    assert len(json.loads(capsys.readouterr().out)["SSHPublicKeys"]) == 1
    assert (
        main(
            ["--db", str(target), "iam", "get-server-certificate", "--server-certificate-name", "w"]
        )
        == 0
    )
