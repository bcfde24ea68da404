"""The demo's named test-access scenarios: each a request with the decision AWS gives it, chosen
so that together they walk every path of the evaluation logic."""

from __future__ import annotations

from typing import Any

from iamdesk.services.demo.accounts import PARTNER, PRODUCTION, US_EAST
from iamdesk.store.ids import assumed_role_arn


def scenarios(key_arn: str) -> list[dict[str, Any]]:
    user = f"arn:aws:iam::{PRODUCTION}:user/"
    session = assumed_role_arn(PRODUCTION, "DeployRole", "alice-deploy")
    erin = f"arn:aws:iam::{PARTNER}:user/erin"
    public = "arn:aws:s3:::example-corp-public-website/index.html"
    shared = "arn:aws:s3:::example-corp-shared-data/reports/2025-q4.csv"

    def case(name, principal, action, resource, expected, context=None, description=""):  # type: ignore[no-untyped-def]
        return {
            "name": name,
            "principal_arn": principal,
            "action": action,
            "resource_arn": resource,
            "context": context or {},
            "expected": expected,
            "description": description,
        }

    github = assumed_role_arn(PRODUCTION, "GitHubDeploy", "website")
    return [
        case(
            "GitHub Actions publishes the website",
            github,
            "s3:PutObject",
            "arn:aws:s3:::example-corp-website/index.html",
            "allowed",
            US_EAST,
            "Web identity: a workflow on main assumed GitHubDeploy through the OIDC "
            "provider; the role's inline policy allows the upload.",
        ),
        case(
            "Developer launches an instance",
            user + "bob",
            "ec2:RunInstances",
            "*",
            "allowed",
            US_EAST,
            "Identity allow: PowerUserAccess through the Developers group.",
        ),
        case(
            "Developer creates an IAM user",
            user + "bob",
            "iam:CreateUser",
            "*",
            "implicitDeny",
            {},
            "Nothing allows it: PowerUserAccess excludes IAM.",
        ),
        case(
            "Admin without MFA",
            user + "alice",
            "iam:CreateUser",
            "*",
            "explicitDeny",
            {"aws:MultiFactorAuthPresent": "false"},
            "MFA condition: RequireMFA denies everything but MFA setup without MFA.",
        ),
        case(
            "Admin with MFA",
            user + "alice",
            "iam:CreateUser",
            "*",
            "allowed",
            {"aws:MultiFactorAuthPresent": "true"},
            "MFA condition satisfied.",
        ),
        case(
            "Launch outside approved regions",
            user + "bob",
            "ec2:RunInstances",
            "*",
            "explicitDeny",
            {"aws:RequestedRegion": "ap-southeast-2"},
            "SCP deny: the Guardrails SCP denies regions outside the list.",
        ),
        case(
            "Leave the organization",
            user + "alice",
            "organizations:LeaveOrganization",
            "*",
            "explicitDeny",
            {"aws:MultiFactorAuthPresent": "true"},
            "SCP deny: even administrators cannot leave the organization.",
        ),
        case(
            "Boundary caps a developer",
            user + "carol",
            "ec2:RunInstances",
            "*",
            "implicitDeny",
            US_EAST,
            "Permissions boundary: DeveloperBoundary does not allow EC2.",
        ),
        case(
            "Boundary lets S3 through",
            user + "carol",
            "s3:GetObject",
            public,
            "allowed",
            US_EAST,
            "Group grant inside the boundary.",
        ),
        case(
            "Deploy session outside its session policy",
            session,
            "ec2:RunInstances",
            "*",
            "implicitDeny",
            US_EAST,
            "Session policy: the deploy session only allows S3, Lambda "
            "and CloudFormation although the role allows more.",
        ),
        case(
            "Deploy session inside its session policy",
            session,
            "lambda:UpdateFunctionCode",
            f"arn:aws:lambda:us-east-1:{PRODUCTION}:function:thumbnailer",
            "allowed",
            US_EAST,
            "Role grant and session policy both allow.",
        ),
        case(
            "Partner reads shared data",
            erin,
            "s3:GetObject",
            shared,
            "allowed",
            US_EAST,
            "Cross-account: erin's policy and the bucket policy both allow.",
        ),
        case(
            "Partner reads the private uploads",
            erin,
            "s3:GetObject",
            "arn:aws:s3:::example-corp-uploads/thumbnails/a.png",
            "implicitDeny",
            US_EAST,
            "Cross-account: the bucket has no policy granting erin's account.",
        ),
        case(
            "Anyone reads the public website",
            user + "frank",
            "s3:GetObject",
            public,
            "allowed",
            US_EAST,
            "Public bucket: the bucket policy allows Principal *, frank has no policy.",
        ),
        case(
            "Web server decrypts with the app key",
            f"arn:aws:iam::{PRODUCTION}:role/WebServerRole",
            "kms:Decrypt",
            key_arn,
            "allowed",
            US_EAST,
            "KMS key policy grants the role directly.",
        ),
        case(
            "Developer decrypts with the app key",
            user + "bob",
            "kms:Decrypt",
            key_arn,
            "implicitDeny",
            US_EAST,
            "KMS key policies must allow: the key policy does not name bob or delegate to IAM.",
        ),
    ]
