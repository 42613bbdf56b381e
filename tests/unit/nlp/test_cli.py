"""JSONL contracts of `odrbot classify` and `odrbot match` (DESIGN §5)."""

from __future__ import annotations

import io
import json

from nlp import EnterpriseIndex, EnterpriseRecord
from nlp.cli import run_classify, run_match


def _lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_classify_writes_labels_and_entities() -> None:
    request = {"id": "c1", "text": "昨天在京东买的手机坏了，订单号2026112112345678，要求退货",
               "message_date": "2026-11-22"}
    out = io.StringIO()
    assert run_classify([json.dumps(request, ensure_ascii=False)], out) == 0
    [row] = _lines(out)
    assert row["id"] == "c1"
    assert row["category"] == "G01" and row["kind"] == "goods"
    assert row["demands"] == ["return"] and row["channel"] == "online"
    assert row["entities"] == {
        "merchant": "京东", "amount": None, "purchase_date": "2026-11-21", "phone": None,
        "order_no": "2026112112345678", "product": "手机",
    }
    assert set(row) == {"id", "category", "kind", "nature", "demands", "channel", "prepaid",
                        "entities"}


def test_classify_reports_bad_lines_and_goes_on() -> None:
    lines = ["not json", json.dumps({"id": 2}), json.dumps({"id": 3, "text": "x",
             "message_date": "yesterday"}), json.dumps([1]), "", json.dumps({"id": 5, "text": "手机坏了"})]
    out = io.StringIO()
    assert run_classify(lines, out) == 4
    rows = _lines(out)
    assert [r["id"] for r in rows] == [None, 2, 3, None, 5]
    assert all("error" in r for r in rows[:4]) and "error" not in rows[4]


def test_classify_without_message_date_resolves_only_dated_text() -> None:
    out = io.StringIO()
    run_classify([json.dumps({"id": 1, "text": "11月3号买的洗衣机坏了"}, ensure_ascii=False)], out)
    assert _lines(out)[0]["entities"]["purchase_date"] is None


def test_match_writes_id_and_score() -> None:
    index = EnterpriseIndex([EnterpriseRecord("AS001", "鞍山鑫汇国际时代广场有限公司")])
    lines = [json.dumps({"id": 1, "text": "鑫惠国际时代广场", "city_hint": "鞍山"}, ensure_ascii=False),
             json.dumps({"id": 2, "text": "沃尔玛"}, ensure_ascii=False),
             json.dumps({"id": 3, "text": "鑫汇", "city_hint": 7}), "{"]
    out = io.StringIO()
    assert run_match(lines, out, index) == 2
    rows = _lines(out)
    assert rows[0]["id"] == 1 and rows[0]["enterprise_id"] == "AS001" and rows[0]["score"] > 0.8
    assert rows[1] == {"id": 2, "enterprise_id": None, "score": rows[1]["score"]}
    assert "error" in rows[2] and "error" in rows[3]
