"""Attach a file to a request of a running local stack, as the portal does:
``python -m infra.local.attach 2026-000001 <access code> foto.jpg``.

Declares the file, posts it with the presigned form through the dev server's upload forward, waits
for the check and prints the request's attachments.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any


def _call(url: str, code: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    headers = {"X-Access-Code": code, "Content-Type": "application/json"}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - the local stack only
        return dict(json.loads(answer.read()))


def _multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n\r\n'.encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.local.attach")
    parser.add_argument("number")
    parser.add_argument("code")
    parser.add_argument("file", type=Path)
    parser.add_argument("--url", default="http://localhost:8000")
    args = parser.parse_args(argv)
    content = args.file.read_bytes()
    kind = mimetypes.guess_type(args.file.name)[0] or "application/octet-stream"
    base = f"{args.url}/api/v1/tickets/{args.number}/attachments"
    slot = _call(base, args.code, {"filename": args.file.name, "content_type": kind, "size": len(content)})
    body, content_type = _multipart(slot["upload"]["fields"], args.file.name, content)
    upload = urllib.request.Request(  # noqa: S310
        f"{args.url}/dev/s3", data=body, headers={"Content-Type": content_type}, method="POST"
    )
    with urllib.request.urlopen(upload, timeout=60):  # noqa: S310
        pass
    mine = slot["attachment"]["attachment_id"]
    for _ in range(40):
        items = _call(base, args.code)["items"]
        if any(a["attachment_id"] == mine and a["status"] != "pending" for a in items):
            break
        time.sleep(0.5)
    print(json.dumps(items, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
