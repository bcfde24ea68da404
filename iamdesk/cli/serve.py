"""``iamdesk serve``: the model behind an AWS API endpoint (see ``iamdesk.cli.endpoint``)."""

from __future__ import annotations

import argparse
import sys

from iamdesk.cli.options import GlobalOptions


def run(argv: list[str], options: GlobalOptions) -> int:
    parser = argparse.ArgumentParser(
        prog="iamdesk serve",
        description="Serve the model to the AWS CLI, SDKs and Terraform "
        "(aws --endpoint-url http://HOST:PORT ...).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=4566, help="port (4566; 0 picks a free one)")
    args = parser.parse_args(argv)
    from iamdesk.cli.endpoint.server import make_server

    try:
        server = make_server(options, args.host, args.port)
    except OSError as exc:
        print(f"\niamdesk serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 255
    host, port = server.server_address[:2]
    print(f"iamdesk endpoint on http://{host}:{port} (Ctrl+C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
