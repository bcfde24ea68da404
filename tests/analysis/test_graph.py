"""The access graph's data: built from the services of every modelled account, trust parsed the
way IAM reads it, filtered by account and kind, capped with a note."""

from __future__ import annotations

import json

from iamdesk.analysis.graph import AccessGraph, Node, build_graph, trust_principals
from iamdesk.analysis.refs import EntityRef
from iamdesk.store.db import open_database


def _trust(*principals) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": p, "Action": "sts:AssumeRole"} for p in principals
            ],
        }
    )


def test_trust_principals_reads_every_form():
    document = _trust(
        "*",
        {"AWS": ["arn:aws:iam::111111111111:root", "222222222222"]},
        {"Service": "ec2.amazonaws.com"},
        {"Federated": "arn:aws:iam::111111111111:saml-provider/Okta"},
    )
    assert trust_principals(document) == [
        ("*", "*"),
        ("AWS", "arn:aws:iam::111111111111:root"),
        ("AWS", "222222222222"),
        ("Service", "ec2.amazonaws.com"),
        ("Federated", "arn:aws:iam::111111111111:saml-provider/Okta"),
    ]
    deny = json.dumps(
        {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}]}
    )
    assert trust_principals(deny) == []
    assert trust_principals("not json") == []
    deep = '{"Statement": ' + "[" * 40 + "]" * 40 + "}"
    assert trust_principals(deep) == []


def test_build_graph_links_accounts_and_marks_cross_account_trust(tmp_path):
    from iamdesk.services import roles, users
    from iamdesk.services.organizations import create_account, create_organization

    db = open_database(tmp_path / "model.sqlite")
    home = db.default_account_id()
    create_organization(db, account_id=home)
    other = create_account(db, account_name="other", email="o@example.com", account_id=home)
    other_id = other["CreateAccountStatus"]["AccountId"]
    users.create_user(db, other_id, "carol")
    roles.create_role(db, home, "FromOther", _trust({"AWS": f"arn:aws:iam::{other_id}:user/carol"}))
    roles.create_role(db, home, "FromRoot", _trust({"AWS": other_id}))
    graph = build_graph(db, escalation=False)
    carol = f"arn:aws:iam::{other_id}:user/carol"
    from_other = f"arn:aws:iam::{home}:role/FromOther"
    assert graph.nodes[carol].kind == "user"
    edges = {(e.source, e.target): e for e in graph.edges}
    assert edges[(carol, from_other)].label == "cross-account"
    assert graph.nodes[f"account:{other_id}"].kind == "account"  # modelled: not external
    # Filtering on the home account keeps the other account's principals that reach into it.
    mine = graph.filtered(accounts=[home])
    assert carol not in mine.nodes  # a user of the other account with no edge into home...
    assert f"account:{other_id}" in mine.nodes  # ...but its root, trusted by FromRoot, stays
    db.close()


def _synthetic(count: int) -> AccessGraph:
    graph = AccessGraph()
    kinds = ["user"] * 6 + ["group", "role", "policy", "service"]
    for number in range(count):
        kind = kinds[number % len(kinds)]
        arn = f"arn:aws:iam::123456789012:{kind}/n{number}"
        graph.add_node(
            Node(
                arn,
                kind,
                f"n{number}",
                "123456789012",
                EntityRef(kind, arn, f"n{number}", "123456789012"),
            )
        )
    ids = list(graph.nodes)
    for number, key in enumerate(ids):
        graph.add_edge(key, ids[(number * 7 + 3) % len(ids)], "attached")
    return graph


def test_limit_keeps_the_most_connected_and_says_so():
    graph = _synthetic(300)
    capped = graph.filtered(limit=100)
    assert len(capped.nodes) == 100
    assert any("100" in note and "300" in note for note in capped.notes)
    assert all(e.source in capped.nodes and e.target in capped.nodes for e in capped.edges)
