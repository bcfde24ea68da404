"""The HTTP side: one request in, one response out, every failure as the protocol's error."""

from __future__ import annotations

import json
import logging
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from iamdesk.cli.endpoint import dispatch, query, rest
from iamdesk.cli.endpoint.dispatch import EndpointError, Signed
from iamdesk.cli.endpoint.shapes import for_json, from_json
from iamdesk.cli.options import GlobalOptions
from iamdesk.core import jsontext

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024 * 1024  # far above any IAM request; a bigger body is refused unread


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle's algorithm on, a keep-alive client's
    # delayed ACK would hold the second for ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        if self.path == "/" and "Authorization" not in self.headers and self.command == "GET":
            self._send(200, "text/plain", b"iamdesk endpoint: POST AWS API requests here\n")
            return
        self._rest()

    do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    def _rest(self) -> None:
        """S3 (rest-xml) and Lambda (rest-json): the operation is found by method and path."""
        request_id = str(uuid.uuid4())
        signed = dispatch.signature(self.headers)
        length = _length(self.headers.get("Content-Length"))
        if length < 0 or length > MAX_BODY:
            self._send(413, "text/plain", b"request body too large\n")
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        path, _, raw_query = self.path.partition("?")
        service = signed.service or ("lambda" if path.startswith("/20") else "s3")
        protocol = "rest-json" if service != "s3" else "rest-xml"
        try:
            service = dispatch.service_of(Signed(signed.access_key_id, service), None, None)
            if service not in dispatch.REST_SERVICES:
                raise EndpointError("InvalidAction", f"{service} does not take REST requests")
            args = rest.query_args(raw_query)
            operation = rest.operation_for(service, self.command, path, args)
            params = rest.decode(operation, path, args, self.headers, body)
            result = dispatch.run(
                service, operation, params, self.server.options, signed, self.server.db
            )
            status, headers, payload, kind = rest.response(operation, result)
        except Exception as exc:
            code, message, status = _error(exc, service)
            headers, payload, kind = rest.error(protocol, code, message, request_id)
        self._send(status, kind, payload, request_id, headers)

    def do_POST(self) -> None:
        request_id = str(uuid.uuid4())
        length = _length(self.headers.get("Content-Length"))
        if length < 0 or length > MAX_BODY:
            self._send(413, "text/plain", b"request body too large\n")
            self.close_connection = True
            return
        target = self.headers.get("X-Amz-Target")
        if self.path.split("?", 1)[0] != "/":
            self._rest()
            return
        body = self.rfile.read(length)
        if target:
            self._json(body, target, request_id)
        else:
            self._query(body, request_id)

    # -------------------------------------------------------------------------- protocols

    def _query(self, body: bytes, request_id: str) -> None:
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        action = form.pop("Action", None)
        form.pop("Version", None)
        signed = dispatch.signature(self.headers)
        service = "iam"
        try:
            service = dispatch.service_of(signed, None, action)
            if not action:
                raise EndpointError("MissingAction", "the request names no Action")
            operation = dispatch.operation_model(service, action)
            params = query.decode(operation.input_shape, form)
            result = dispatch.run(
                service, operation, params, self.server.options, signed, self.server.db
            )
        except Exception as exc:  # every failure is an AWS error, never a dropped connection
            code, message, status = _error(exc, service)
            body_out = query.error(dispatch.service_model(service), code, message, request_id)
            self._send(status, "text/xml", body_out, request_id)
            return
        self._send(200, "text/xml", query.response(operation, result, request_id), request_id)

    def _json(self, body: bytes, target: str, request_id: str) -> None:
        signed = dispatch.signature(self.headers)
        service = ""
        try:
            service = dispatch.service_of(signed, target, None)
            operation = dispatch.operation_model(service, target.split(".", 1)[-1])
            try:
                raw = jsontext.loads(body.decode("utf-8")) if body.strip() else {}
            except (ValueError, RecursionError) as exc:
                raise EndpointError("SerializationException", str(exc)) from None
            if not isinstance(raw, dict):
                raise EndpointError("SerializationException", "the body is not a JSON object")
            params = from_json(operation.input_shape, raw)
            result = dispatch.run(
                service, operation, params, self.server.options, signed, self.server.db
            )
            out = for_json(operation.output_shape, result) if result else {}
            payload = json.dumps(out, ensure_ascii=False).encode("utf-8")
        except Exception as exc:
            code, message, status = _error(exc, service)
            payload = json.dumps({"__type": code, "message": message}).encode("utf-8")
            self._send(status, "application/x-amz-json-1.1", payload, request_id)
            return
        self._send(200, "application/x-amz-json-1.1", payload, request_id)

    def _send(
        self,
        status: int,
        kind: str,
        body: bytes,
        request_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if request_id:
            self.send_header("x-amzn-RequestId", request_id)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _length(header: str | None) -> int:
    try:
        return int(header or 0)
    except ValueError:
        return -1


def _error(exc: Exception, service: str) -> tuple[str, str, int]:
    """(code, message, HTTP status) of whatever a request raised to ``service``."""
    code, message, status = _error_of(exc)
    if service in dispatch.SERVICES:
        status = dispatch.error_statuses(service).get(code, status)
    return code, message, status


def _error_of(exc: Exception) -> tuple[str, str, int]:
    from iamdesk.cli.awsargs import CredentialsError, ServiceError, UsageError
    from iamdesk.services.errors import IamError
    from iamdesk.store.db import StoreError

    if isinstance(exc, EndpointError):
        return exc.code, exc.message, exc.status
    if isinstance(exc, IamError):
        return exc.code, exc.message, exc.http_status
    if isinstance(exc, ServiceError):
        return exc.code, exc.message, 400
    if isinstance(exc, CredentialsError):
        return "InvalidClientTokenId", str(exc), 403
    if isinstance(exc, UsageError):
        return "ValidationError", str(exc), 400
    if isinstance(exc, StoreError):
        return "ServiceUnavailable", str(exc), 503
    log.exception("the endpoint failed on a request")
    return "InternalFailure", f"iamdesk could not answer: {type(exc).__name__}", 500


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], options: GlobalOptions) -> None:
        from iamdesk.store.db import open_database

        self.db = open_database(options.db_path(), create=False)
        try:
            super().__init__(address, Handler)
        except OSError:
            self.db.close()
            raise
        self.options = options

    def run(self, service: str, operation: Any, params: dict[str, Any], signed: Signed) -> Any:
        return dispatch.run(service, operation, params, self.options, signed, self.db)

    def server_close(self) -> None:
        super().server_close()
        self.db.close()


def make_server(options: GlobalOptions, host: str = "127.0.0.1", port: int = 4566) -> Server:
    return Server((host, port), options)
