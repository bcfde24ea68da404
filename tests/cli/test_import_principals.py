"""``iamdesk import`` refuses trust policies naming users or roles that do not exist, as
create-role and update-assume-role-policy do, run as a user would: whole file refused with its
JSON path, line and column, nothing written; the file's own entities count wherever they stand,
and principals of accounts the model does not hold stay accepted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "authorization-details-example.json"
ACCOUNT = "200611803367"  # the sample's account
MODEL = "123456789012"  # a new model's default account
SRE_ROLE = 50  # privesc-sre-role: trusts the sample's privesc-sre-user


def _sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: dict[str, Any], name: str = "details.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=4), encoding="utf-8")
    return str(path)


def _users(cli, account: str = ACCOUNT) -> list[str]:
    code, out, err = cli("--account-id", account, "iam", "list-users",
                         "--query", "Users[].UserName")  # fmt: skip
    assert code == 0, err
    return json.loads(out)


def _nothing_imported(cli) -> bool:
    code, _, err = cli("--account-id", ACCOUNT, "iam", "list-users")
    return code == 254 and f"The account with id {ACCOUNT} cannot be found" in err


def _line_of(path: str, needle: str) -> int:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_a_trust_naming_a_user_neither_file_nor_model_has_refuses_the_whole_file(
    cli, tmp_path: Path
) -> None:
    data = _sample()
    ghost = f"arn:aws:iam::{ACCOUNT}:user/ghost"
    trust = data["RoleDetailList"][SRE_ROLE]["AssumeRolePolicyDocument"]
    trust["Statement"][0]["Principal"]["AWS"] = ["arn:aws:iam::999988887777:user/x", ghost]
    path = _write(tmp_path, data)
    code, out, err = cli("import", path)
    assert code == 254 and out == ""
    line = _line_of(path, '"arn:aws:iam::200611803367:user/ghost"')
    column = Path(path).read_text(encoding="utf-8").splitlines()[line - 1].index('"') + 1
    assert err.strip() == (
        f"iamdesk import: {path}: RoleDetailList[{SRE_ROLE}] (privesc-sre-role)"
        ".AssumeRolePolicyDocument.Statement[0].Principal.AWS[1]: MalformedPolicyDocument: "
        f'Invalid principal in policy: "AWS":"{ghost}" (line {line}, column {column}); '
        "nothing was imported"
    )
    assert _nothing_imported(cli)
    # A role too, and a document given as a string (as IAM's API returns it) is named whole.
    data = _sample()
    ghost_role = f"arn:aws:iam::{ACCOUNT}:role/ghost-role"
    trust = data["RoleDetailList"][SRE_ROLE]["AssumeRolePolicyDocument"]
    trust["Statement"][0]["Principal"]["AWS"] = ghost_role
    data["RoleDetailList"][SRE_ROLE]["AssumeRolePolicyDocument"] = json.dumps(trust)
    code, _, err = cli("import", _write(tmp_path, data))
    assert code == 254
    assert (
        f"RoleDetailList[{SRE_ROLE}] (privesc-sre-role).AssumeRolePolicyDocument: "
        f'MalformedPolicyDocument: Invalid principal in policy: "AWS":"{ghost_role}" (line '
    ) in err
    assert _nothing_imported(cli)


def test_the_files_own_entities_count_wherever_they_stand(cli, tmp_path: Path) -> None:
    data = _sample()
    # Roles first in the text, and a role trusting a role listed after it.
    roles = data["RoleDetailList"]
    last = roles[-1]["Arn"]
    roles[0]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {"AWS": [last]}
    rest = {k: v for k, v in data.items() if k != "RoleDetailList"}
    reordered = {"RoleDetailList": roles, **rest}
    code, out, err = cli("import", _write(tmp_path, reordered))
    assert code == 0, err
    assert json.loads(out)["roles"] == 78
    name = roles[0]["RoleName"]
    code, out, _ = cli("--account-id", ACCOUNT, "iam", "get-role", "--role-name", name)
    assert json.loads(out)["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "AWS": [last]
    }


def test_the_models_entities_count_and_accounts_it_does_not_hold_are_taken_on_trust(
    cli, tmp_path: Path
) -> None:
    assert cli("iam", "create-user", "--user-name", "bob")[0] == 0
    data = _sample()
    trust = data["RoleDetailList"][SRE_ROLE]["AssumeRolePolicyDocument"]
    trust["Statement"][0]["Principal"]["AWS"] = f"arn:aws:iam::{MODEL}:user/nobody"
    code, _, err = cli("import", _write(tmp_path, data))
    assert code == 254 and f'"AWS":"arn:aws:iam::{MODEL}:user/nobody"' in err
    trust["Statement"][0]["Principal"]["AWS"] = [
        f"arn:aws:iam::{MODEL}:user/bob",  # the model has bob
        "arn:aws:iam::444455556666:role/Elsewhere",  # an account the model does not hold
    ]
    code, _, err = cli("import", _write(tmp_path, data))
    assert code == 0, err
    assert len(_users(cli)) == 41  # (the sample's other three are in 012345678901)


def test_replace_refuses_a_trust_in_a_user_the_newer_dump_removes(cli, tmp_path: Path) -> None:
    assert cli("import", str(SAMPLE))[0] == 0
    data = _sample()
    sre = data["RoleDetailList"][SRE_ROLE]["AssumeRolePolicyDocument"]
    assert sre["Statement"][0]["Principal"]["AWS"].endswith(":user/privesc-sre-user")
    data["UserDetailList"] = [
        u for u in data["UserDetailList"] if u["UserName"] != "privesc-sre-user"
    ]
    code, _, err = cli("import", "--replace", _write(tmp_path, data))
    assert code == 254
    assert "Invalid principal in policy" in err and "user/privesc-sre-user" in err
    assert "privesc-sre-user" in _users(cli)  # the model is as it was
