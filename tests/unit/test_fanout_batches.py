"""A fan-out page becomes as many ``deliver`` messages as SQS's size limit needs: subscribers with
three Web Push browsers (endpoints up to 1 KB) must not make a message SQS refuses."""

from __future__ import annotations

import json

from ventanilla.services.fanout import MESSAGE_BUDGET, _batches, _slim


def test_a_page_of_big_recipients_splits_under_the_budget_in_order() -> None:
    browser = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/" + "x" * 980,
        "p256dh": "k" * 87,
        "auth": "a" * 22,
    }
    items = [
        {
            "sub_id": f"s{n}",
            "lang": "es",
            "email": f"p{n}@example.cl",
            "webpush": [browser] * 3,
            "PK": "AUD#a#b",
        }
        for n in range(100)
    ]
    slim = [_slim(i) for i in items]
    assert "PK" not in slim[0] and len(slim[0]["webpush"]) == 3
    batches = _batches(slim)
    assert len(batches) >= 2
    assert all(len(json.dumps(b)) < MESSAGE_BUDGET + 5_000 for b in batches)
    assert [r["sub_id"] for b in batches for r in b] == [f"s{n}" for n in range(100)]


def test_small_recipients_stay_in_one_message_and_none_make_no_message() -> None:
    assert len(_batches([{"sub_id": f"s{n}", "email": "a@b.cl"} for n in range(100)])) == 1
    assert _batches([]) == []
