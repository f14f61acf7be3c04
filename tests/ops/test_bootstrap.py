"""The first run against a fresh stack provisioned from template.yaml on the moto server: users
invited with a forced password change, data loaded; a second run changes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local import template as tpl
from infra.local.provision import provision
from tests.stack_process import PRISTINE_ENV, ROOT

STACK = "boot"


@pytest.fixture(scope="module")
def fresh(aws: Any) -> str:
    """A second, empty stack on the session's moto server; returns the server's URL."""
    template = tpl.load()
    resolver = tpl.Resolver(template, STACK, "us-east-1")
    resolver.refs["HelpSearchEngine"] = "tantivy"  # as the local stack: no search domain
    provision(template, resolver)
    return str(aws.stack.moto.url)


def _run(moto_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in PRISTINE_ENV.items() if not k.startswith(("AWS_", "TABLE_", "USER_POOL"))}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "infra.ops.bootstrap",
            "--local",
            moto_url,
            "--local-stack",
            STACK,
            "--admin-email",
            "ti@valleverde.example",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _items() -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(f"{STACK}-table")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = table.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["PK"], i["SK"]))
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _users() -> dict[str, tuple[str, frozenset[str]]]:
    cognito = boto3.client("cognito-idp")
    pool = next(
        p["Id"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == f"{STACK}-staff"
    )
    return {
        u["Username"]: (
            u["UserStatus"],
            frozenset(
                g["GroupName"]
                for g in cognito.admin_list_groups_for_user(UserPoolId=pool, Username=u["Username"])["Groups"]
            ),
        )
        for u in cognito.list_users(UserPoolId=pool)["Users"]
    }


def test_first_run_invites_staff_and_loads_the_data_then_a_second_run_changes_nothing(fresh: str) -> None:
    first = _run(fresh, "--portal", "https://portal.example")
    assert first.returncode == 0, first.stderr
    staff = json.loads((ROOT / "infra" / "seed" / "staff.json").read_text(encoding="utf-8"))
    users = _users()
    assert set(users) == {"admin"} | {p["username"] for p in staff}
    assert users["admin"] == ("FORCE_CHANGE_PASSWORD", frozenset({"admin"}))
    assert all(status == "FORCE_CHANGE_PASSWORD" for status, _ in users.values())  # no demo password
    assert users["carla.supervisora"][1] == frozenset({"supervisor"})
    items = _items()
    kinds = [i.get("entity") for i in items]
    catalog = json.loads((ROOT / "infra" / "seed" / "catalog.json").read_text(encoding="utf-8"))
    assert kinds.count("request_type") == len(catalog)
    assert kinds.count("staff") == len(staff) + 1
    articles = (ROOT / "infra" / "seed" / "help_articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert sum(1 for i in items if str(i["PK"]).startswith("ARTICLE#") and i["SK"] == "ARTICLE") == len(
        [line for line in articles if line.strip()]
    )
    assert f"usuarios: {len(staff) + 1} creados, 0 ya existían" in first.stdout  # the staff and the admin
    assert "Portal:  https://portal.example" in first.stdout
    assert "Consola: https://portal.example/#/agente" in first.stdout

    second = _run(fresh, "--portal", "https://portal.example")
    assert second.returncode == 0, second.stderr
    assert _items() == items
    assert _users() == users
    assert f"usuarios: 0 creados, {len(staff) + 1} ya existían" in second.stdout
    assert "artículos de ayuda escritos: 0" in second.stdout


def test_an_institution_folder_changes_only_what_differs(fresh: str, tmp_path: Path) -> None:
    assert _run(fresh).returncode == 0
    data = tmp_path / "institution"
    shutil.copytree(ROOT / "infra" / "seed", data)
    calendar = json.loads((data / "calendar.json").read_text(encoding="utf-8"))
    calendar["closures"] = ["2027-02-01", "2027-02-02"]  # the institution closes two days
    (data / "calendar.json").write_text(json.dumps(calendar), encoding="utf-8")
    lines = (data / "help_articles.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["summary"] = "Resumen revisado por la institución."
    (data / "help_articles.jsonl").write_text("\n".join([json.dumps(first), *lines[1:]]), encoding="utf-8")
    before = _items()

    changed = _run(fresh, "--data", str(data))
    assert changed.returncode == 0, changed.stderr
    assert "calendario: guardado" in changed.stdout
    assert "artículos de ayuda escritos: 1" in changed.stdout
    after = _items()
    added = [i for i in after if i not in before]
    assert {i["PK"] for i in added} >= {f"ARTICLE#{first.get('lang', 'es')}#{first['slug']}"}

    again = _run(fresh, "--data", str(data))
    assert "calendario: sin cambios" in again.stdout and "artículos de ayuda escritos: 0" in again.stdout
    assert _items() == after


def test_an_unknown_stack_is_a_clear_error(aws: Any) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "infra.ops.bootstrap",
            "--local",
            str(aws.stack.moto.url),
            "--local-stack",
            "nadie",
            "--admin-email",
            "ti@valleverde.example",
        ],
        cwd=ROOT,
        env={k: v for k, v in PRISTINE_ENV.items() if not k.startswith("AWS_")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "no user pool nadie-staff" in result.stderr
