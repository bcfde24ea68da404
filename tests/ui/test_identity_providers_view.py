"""Identity providers in the Roles view: the providers dialog (add OIDC and SAML providers,
delete, all undoable), the trust tab naming a Federated provider that exists or not, and the
test-access panel offering a web-identity session."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from iamdesk.services import roles
from iamdesk.services.federation import oidc, saml, sessions
from tests.cli.federation.fixtures import GITHUB, github_token, metadata, saml_response
from tests.ui.helpers import button, click_box_button, visible_window


def _trust(provider: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringLike": {f"{GITHUB}:sub": "repo:octo/*"}},
                }
            ],
        }
    )


def test_providers_are_added_and_deleted_with_undo(window, context, qtbot):
    db, account = context.database, context.account_id
    arn = f"arn:aws:iam::{account}:oidc-provider/{GITHUB}"
    roles.create_role(db, account, "gh", _trust(arn))
    window.show()
    view = window.show_view("roles")
    button(view, "rolesProvidersButton").click()
    panel = visible_window("identityProvidersDialog")
    assert panel.rows() == [] and panel.empty.isVisible()

    button(panel, "identityProvidersAddOidcButton").click()
    dialog = visible_window("createOidcProviderDialog")
    url = dialog.findChild(QLineEdit, "createOidcProviderUrlField")
    qtbot.keyClicks(url, "http://nope")
    assert not dialog.ok_button.isEnabled() and "https://" in dialog.error.text()
    url.clear()
    qtbot.keyClicks(url, f"https://{GITHUB}")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "createOidcProviderAudiencesField"),
                    "sts.amazonaws.com, other-app")  # fmt: skip
    button(dialog, "createOidcProviderOkButton").click()
    qtbot.waitUntil(lambda: len(panel.rows()) == 1)
    row = panel.rows()[0]
    assert (row["Type"], row["Name"], row["Roles"]) == ("OIDC", GITHUB, ["gh"])
    assert row["Audiences"] == "sts.amazonaws.com, other-app"
    assert not panel.empty.isVisible()

    button(panel, "identityProvidersAddSamlButton").click()
    dialog = visible_window("createSamlProviderDialog")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "createSamlProviderNameField"), "Okta")
    box = dialog.findChild(QPlainTextEdit, "createSamlProviderMetadataField")
    box.setPlainText("<not metadata/>")
    assert not dialog.ok_button.isEnabled()
    box.setPlainText(metadata())
    button(dialog, "createSamlProviderOkButton").click()
    qtbot.waitUntil(lambda: len(panel.rows()) == 2)
    assert [p["Arn"] for p in saml.list_saml_providers(db, account)["SAMLProviderList"]] == [
        f"arn:aws:iam::{account}:saml-provider/Okta"
    ]

    assert panel.select_arn(arn)
    button(panel, "identityProvidersDeleteButton").click()
    box = visible_window("confirmDeleteBox")
    assert "gh still trust it" in box.informativeText()
    click_box_button("confirmDeleteBox", "confirmYesButton")
    qtbot.waitUntil(lambda: len(panel.rows()) == 1)
    assert oidc.list_open_id_connect_providers(db, account)["OpenIDConnectProviderList"] == []
    context.undo_stack.undo()  # the delete: the provider is back with its client IDs
    qtbot.waitUntil(lambda: len(panel.rows()) == 2)
    assert oidc.get_open_id_connect_provider(db, account, arn)["ClientIDList"] == [
        "sts.amazonaws.com",
        "other-app",
    ]
    context.undo_stack.undo()  # the SAML create
    context.undo_stack.undo()  # the OIDC create
    qtbot.waitUntil(lambda: panel.rows() == [])
    context.undo_stack.redo()
    qtbot.waitUntil(lambda: len(panel.rows()) == 1)


def test_trust_tab_says_whether_the_provider_exists(window, context, qtbot):
    db, account = context.database, context.account_id
    arn = f"arn:aws:iam::{account}:oidc-provider/{GITHUB}"
    roles.create_role(db, account, "gh", _trust(arn))
    window.show()
    view = window.show_view("roles")
    qtbot.waitUntil(lambda: view.model.total_count() == 1)
    view.select_name("gh")
    tab = view.open_tab("Trust")
    assert tab is not None
    lines = tab.provider_lines()
    assert lines[0] == "Identity providers"
    assert f"⚠ OIDC {GITHUB}" in lines and any("no such OIDC provider" in x for x in lines)
    oidc.create_open_id_connect_provider(db, account, f"https://{GITHUB}",
                                         client_id_list=["sts.amazonaws.com"])  # fmt: skip
    view.refresh_detail()
    lines = tab.provider_lines()
    assert f"✓ OIDC {GITHUB}" in lines and "client IDs: sts.amazonaws.com" in lines
    roles.create_role(db, account, "plain", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole"}]}))  # fmt: skip
    context.notify("roles")
    qtbot.waitUntil(lambda: view.model.total_count() == 2)
    view.select_name("plain")
    view.refresh_detail()
    assert not tab.providers.isVisible() and tab.provider_lines() == []


def test_test_access_offers_the_web_identity_session(window, context, qtbot):
    db, account = context.database, context.account_id
    arn = f"arn:aws:iam::{account}:oidc-provider/{GITHUB}"
    oidc.create_open_id_connect_provider(db, account, f"https://{GITHUB}",
                                         client_id_list=["sts.amazonaws.com"])  # fmt: skip
    roles.create_role(db, account, "gh", _trust(arn))
    sessions.assume_role_with_web_identity(
        db,
        role_arn=f"arn:aws:iam::{account}:role/gh",
        role_session_name="run-1",
        web_identity_token=github_token("repo:octo/app:ref:refs/heads/main"),
    )
    saml_arn = saml.create_saml_provider(db, account, metadata(), "Okta")["SAMLProviderArn"]
    okta_role = f"arn:aws:iam::{account}:role/okta"
    roles.create_role(db, account, "okta", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": saml_arn},
         "Action": "sts:AssumeRoleWithSAML"}]}))  # fmt: skip
    sessions.assume_role_with_saml(
        db,
        role_arn=okta_role,
        principal_arn=saml_arn,
        saml_assertion=saml_response(role=okta_role, provider=saml_arn, session_name="jane"),
    )
    window.show()
    panel = window.show_view("test-access")
    labels = {c.arn: c.label for c in panel.form.principals}
    assert labels[f"arn:aws:sts::{account}:assumed-role/gh/run-1"].startswith(
        "web identity · gh/run-1"
    )
    assert labels[f"arn:aws:sts::{account}:assumed-role/okta/jane"].startswith("SAML · okta/jane")
