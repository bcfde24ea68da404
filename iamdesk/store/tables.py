"""Every table of the account model, importable from one place.

Importing this module registers all tables on ``SQLModel.metadata``; ``db.open_database`` relies
on that to create a new file's schema.
"""

from __future__ import annotations

from iamdesk.store.analysis import ActivityRecord, ArchivedFinding
from iamdesk.store.changelog import ChangeLogEntry, SchemaVersion, Tag
from iamdesk.store.credentials import (
    AccessKey,
    CredentialReport,
    LoginProfile,
    MfaDevice,
    PasswordHistory,
    PasswordPolicy,
    StsSession,
)
from iamdesk.store.federation import FederatedSession, OidcProvider, SamlProvider
from iamdesk.store.identity import (
    Group,
    GroupMembership,
    InstanceProfile,
    InstanceProfileRole,
    Role,
    User,
)
from iamdesk.store.keys import (
    AccessReportJob,
    RoleDeletionTask,
    ServerCertificate,
    ServiceSpecificCredential,
    SigningCertificate,
    SshPublicKey,
    StsPreference,
)
from iamdesk.store.organization import (
    DEFAULT_ACCOUNT_ID,
    Account,
    Organization,
    OrgNode,
    OrgPolicy,
    OrgPolicyAttachment,
)
from iamdesk.store.policies import InlinePolicy, ManagedPolicy, PolicyAttachment, PolicyVersion
from iamdesk.store.resources import Resource, Scenario

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "AccessKey",
    "AccessReportJob",
    "Account",
    "ActivityRecord",
    "ArchivedFinding",
    "ChangeLogEntry",
    "CredentialReport",
    "FederatedSession",
    "Group",
    "GroupMembership",
    "InlinePolicy",
    "InstanceProfile",
    "InstanceProfileRole",
    "LoginProfile",
    "ManagedPolicy",
    "MfaDevice",
    "OidcProvider",
    "OrgNode",
    "OrgPolicy",
    "OrgPolicyAttachment",
    "Organization",
    "PasswordHistory",
    "PasswordPolicy",
    "PolicyAttachment",
    "PolicyVersion",
    "Resource",
    "Role",
    "RoleDeletionTask",
    "SamlProvider",
    "Scenario",
    "SchemaVersion",
    "ServerCertificate",
    "ServiceSpecificCredential",
    "SigningCertificate",
    "SshPublicKey",
    "StsPreference",
    "StsSession",
    "Tag",
    "User",
]
