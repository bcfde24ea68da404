"""``iamdesk serve``: the model behind an HTTP endpoint that the real AWS CLI, the SDKs and
Terraform can drive (``aws --endpoint-url http://127.0.0.1:4566 iam list-users``).

Requests are decoded from the wire protocol botocore's service model names (``query`` for IAM,
STS and SNS; ``json`` for KMS, Organizations, Secrets Manager and SQS; ``rest-xml`` for S3 and
``rest-json`` for Lambda), run through the same
command table, validation and services as ``iamdesk <service> <command>``, and answered in that
protocol's shape, errors included. Signatures are not checked (the model holds no secrets to
check them with); the access key in the request's ``Authorization`` names the caller.
"""
