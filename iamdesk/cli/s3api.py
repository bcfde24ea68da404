"""``iamdesk s3api``: buckets and bucket policies, as ``aws s3api``."""

from __future__ import annotations

from iamdesk.cli.aws_service import ServiceCli, as_map
from iamdesk.services import removals, resources

_configuration = as_map("--create-bucket-configuration")

cli = ServiceCli("s3api")
cli.command(
    "create-bucket",
    "CreateBucket",
    resources.create_bucket,
    "bucket!",
    "region=create-bucket-configuration",
    convert={"region": lambda v: _configuration(v).get("LocationConstraint", "us-east-1")},
)
cli.command(
    "put-bucket-policy", "PutBucketPolicy", resources.put_bucket_policy, "bucket!", "policy:doc!"
)
cli.command("get-bucket-policy", "GetBucketPolicy", resources.get_bucket_policy, "bucket!")
cli.command("delete-bucket-policy", "DeleteBucketPolicy", resources.delete_bucket_policy, "bucket!")
cli.command("list-buckets", "ListBuckets", resources.list_buckets)
cli.command("delete-bucket", "DeleteBucket", removals.delete_bucket, "bucket!")
run = cli.run
