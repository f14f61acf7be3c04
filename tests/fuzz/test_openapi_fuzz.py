"""Schemathesis over the published OpenAPI document (``/api/v1/openapi.json``) against the local
stack as ``make dev`` runs it (a subprocess with its own moto: the fuzzing rewrites policies and
calendars, which no other test must see), anonymous and with each demo role's token.

Checks: ``not_a_server_error`` (no 5xx), ``problem_document`` (every error is
``application/problem+json`` with type, title and status) and ``valid_data_accepted`` (a request
valid by the document is refused only with 401/403, 404 or a code naming an unknown reference,
or 409), the last two in ``tests/fuzz/hooks.py``. Phases: the document's examples and the
fuzzing phase, ``MAX_EXAMPLES`` cases per operation and identity; the number of generated cases
is printed and written to ``test-artifacts/fuzz-summary.json``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.fuzz import hooks
from tests.stack_process import PRISTINE_ENV, ROOT, local_stack

MAX_EXAMPLES = 2
IDENTITIES = {
    "anonymous": None,
    "agent-l1": ("ana.l1", "Demo-Ventanilla-1"),
    "agent-l2": ("bruno.l2", "Demo-Ventanilla-2"),
    "supervisor": ("carla.supervisora", "Demo-Ventanilla-3"),
    "editor": ("diana.editora", "Demo-Ventanilla-4"),
    "admin": ("elena.admin", "Demo-Ventanilla-5"),
    "inventory": ("ines.inventario", "Demo-Ventanilla-6"),
}
CHECKS = "not_a_server_error,problem_document,valid_data_accepted,open311_errors"
ARTIFACTS = ROOT / "test-artifacts"


def _token(url: str, username: str, password: str) -> str:
    """A staff access token through the local server's Cognito proxy, as the console signs in."""
    client_id = requests.get(f"{url}/api/v1/config", timeout=30).json()["user_pool_client_id"]
    answer = requests.post(
        f"{url}/dev/cognito",
        headers={
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
            "Content-Type": "application/x-amz-json-1.1",
        },
        data=json.dumps(
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": client_id,
                "AuthParameters": {"USERNAME": username, "PASSWORD": password},
            }
        ),
        timeout=30,
    )
    return str(answer.json()["AuthenticationResult"]["AccessToken"])


TOOL_ERROR = "AST constructor recursion depth mismatch"


def _run(url: str, name: str, token: str | None, document: Path) -> tuple[str, int, int, str]:
    """One schemathesis run; (identity, exit code, cases generated, report path)."""
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        CHECKS,
        "--phases",
        "examples,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "2",
        "--continue-on-failure",
        "--no-color",
        "--seed",
        "20261202",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "120",  # a loaded machine is slow, not wrong
    ]
    if token:
        # Signing out would end the identity's token for the rest of its run (anonymous runs call it).
        command += [
            "--header",
            f"Authorization: Bearer {token}",
            "--exclude-path",
            "/api/v1/agent/me/sign-out",
        ]
    env = {
        **PRISTINE_ENV,
        "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
        "PYTHONPATH": str(ROOT),
        hooks.DOCUMENT_ENV: str(document),
    }
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    for _ in range(2):
        if not (result.returncode and TOOL_ERROR in result.stdout):
            break
        # CPython's ast can fail this way while Hypothesis describes a strategy in one of the two
        # worker threads: a fault of the tool, not an answer of the API. The identity runs again
        # (same seed, at most twice more); a real failure fails again.
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    report = ARTIFACTS / f"fuzz-{name}.txt"
    report.write_text(result.stdout + result.stderr, encoding="utf-8")
    generated = re.search(r"(\d+) generated", result.stdout)
    return name, result.returncode, int(generated.group(1)) if generated else 0, str(report)


def _failures(report: Path, limit: int = 6000) -> str:
    """The report's FAILURES section (or its tail), so that a CI log alone says what failed."""
    text = report.read_text(encoding="utf-8")
    start = text.find("FAILURES")
    end = text.find("WARNINGS", start) if start >= 0 else -1
    section = text[start:end] if start >= 0 and end > start else text[-limit:]
    return section[:limit]


@pytest.mark.e2e
@pytest.mark.slow
def test_fuzz_every_route_as_every_role() -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with local_stack("fuzz-stack.log") as url:
        tokens = {name: _token(url, *login) if login else None for name, login in IDENTITIES.items()}
        document = ARTIFACTS / "openapi.json"
        document.write_text(requests.get(f"{url}/api/v1/openapi.json", timeout=60).text, encoding="utf-8")
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = list(pool.map(lambda item: _run(url, item[0], item[1], document), tokens.items()))
    summary = {name: {"exit": code, "generated": count, "report": path} for name, code, count, path in runs}
    total = sum(count for _, _, count, _ in runs)
    (ARTIFACTS / "fuzz-summary.json").write_text(json.dumps({"total": total, **summary}, indent=1))
    print(f"\nfuzz: {total} generated cases", json.dumps(summary, indent=1))
    failed = {name: s for name, s in summary.items() if s["exit"] != 0}
    excerpts = "\n".join(f"--- {name}\n{_failures(Path(s['report']))}" for name, s in failed.items())
    assert not failed, f"schemathesis found failures: {failed}\n{excerpts}"
    assert all(s["generated"] > 0 for s in summary.values()), summary
