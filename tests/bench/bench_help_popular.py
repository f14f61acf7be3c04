"""Help centre, the home's "most consulted" and an article's related ones: DynamoDB calls and items
read per answer with 100 and with 1,000 published articles stored (they must not grow with them),
and the time per answer against the local moto server.

Articles are written as an import writes them; views are ADDs on each article's STATS item, as
opening an article counts them; a tenth of the most viewed are then archived (the ranking skips
them and takes them out of GSI5 on the first read).
"""

from __future__ import annotations

import random
import statistics
import time
import warnings
from collections import Counter
from typing import Any

from botocore.client import BaseClient

from tests.bench.sizes import size

warnings.filterwarnings("ignore")
CALLS: Counter[str] = Counter()
ITEMS: Counter[str] = Counter()
_original = BaseClient._make_api_call


def _counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    CALLS[operation] += 1
    answer = _original(self, operation, params)
    if operation == "Query":
        ITEMS["read"] += int(answer.get("Count", 0))
    elif operation == "BatchGetItem":
        ITEMS["read"] += sum(len(v) for v in answer.get("Responses", {}).values())
    return answer


def _articles(n: int, offset: int) -> list[Any]:
    from ventanilla.help.articles import Article

    out = []
    for i in range(offset, offset + n):
        out.append(
            Article(
                slug=f"bench-articulo-{i:05d}",
                title=f"Artículo de prueba {i}",
                summary="Un artículo para medir el costo de la lista de los más consultados.",
                body_md="Texto del artículo.",
                section_path=[f"seccion-{i % 12}", f"sub-{i % 40}"],
                section_titles=[f"Sección {i % 12}", f"Sub {i % 40}"],
                stage="informacion",
                related=[f"bench-articulo-{j:05d}" for j in range(max(0, i - 3), i)][:3],
                status="published",
            )
        )
    return out


def _measure(label: str, runs: int = size(15, 2)) -> None:
    from ventanilla.services import help_public

    help_public.popular("es", 6)  # the first read takes archived articles out of the ranking
    article = _article("bench-articulo-00050")  # read by the article answer anyway
    for name, call in (
        ("popular, limit 6", lambda: help_public.popular("es", 6)),
        ("related of one article", lambda: help_public._related(article)),
    ):
        times = []
        CALLS.clear()
        ITEMS.clear()
        BaseClient._make_api_call = _counting  # type: ignore[method-assign]
        for _ in range(runs):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        BaseClient._make_api_call = _original  # type: ignore[method-assign]
        per = {k: v / runs for k, v in sorted(CALLS.items())}
        print(
            f"{label:>24} | {name:<24} | p50 {statistics.median(times) * 1000:6.1f} ms | "
            f"calls per answer {per} | items read per answer {ITEMS['read'] / runs:.0f}"
        )


def _article(slug: str) -> Any:
    from ventanilla.storage import help_articles

    found = help_articles.get(slug, "es")
    assert found is not None
    return found.article


def main() -> None:
    import os

    from infra.local.stack import LocalStack

    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    stack = LocalStack(port=0)
    stack.start_aws()
    from infra.local import demo

    demo.seed_catalog()
    from ventanilla.services.help_content import write_import
    from ventanilla.storage import help_usage

    rng = random.Random(7)
    stored = 0
    for target in size((100, 1_000), (60,)):  # the smallest still holds bench-articulo-00050
        batch = _articles(target - stored, stored)
        write_import(batch, "bench")
        for a in batch:
            for _ in range(rng.randint(1, 3)):
                help_usage.count_view(a.slug, "es")
        stored = target
        ranked = help_usage.most_viewed("es", 20)
        archive = [s for s, _ in ranked[: len(ranked) // 10 or 1]]
        from ventanilla.storage import help_articles

        found = help_articles.get_many([(s, "es") for s in archive])
        write_import(
            [found[(s, "es")].article.model_copy(update={"status": "archived"}) for s in archive], "bench"
        )
        _measure(f"{target:,} articles stored")
    assert stack.moto is not None
    stack.moto.stop()


if __name__ == "__main__":
    main()
