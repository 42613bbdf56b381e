"""detect_intent(): what a chat message asks the bot to do (DESIGN §5 chat words)."""

from __future__ import annotations

import pytest

from nlp import Intent, detect_intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        pytest.param("我要投诉", Intent.COMPLAIN, id="intent-complain-word"),
        pytest.param("/complain", Intent.COMPLAIN, id="intent-complain-slash"),
        pytest.param("我在鑫汇广场买的洗衣机坏了，商家不给退", Intent.COMPLAIN, id="intent-narrative"),
        pytest.param("你好，我买的手机屏幕碎了，要求换货", Intent.COMPLAIN, id="intent-greeting-then-story"),
        pytest.param("My phone broke after two days and the shop refuses a refund", Intent.COMPLAIN,
                     id="intent-english-narrative"),
        pytest.param("查询", Intent.STATUS, id="intent-status-word"),
        pytest.param("查询 TS20261122000123", Intent.STATUS, id="intent-status-with-reference"),
        pytest.param("我的投诉处理到哪一步了", Intent.STATUS, id="intent-status-question"),
        pytest.param("TS20261122000123", Intent.STATUS, id="intent-bare-reference"),
        pytest.param("status", Intent.STATUS, id="intent-status-english"),
        pytest.param("取消", Intent.CANCEL, id="intent-cancel-word"),
        pytest.param("撤回 TS20261122000123", Intent.CANCEL, id="intent-withdraw-reference"),
        pytest.param("算了，不投诉了", Intent.CANCEL, id="intent-cancel-phrase"),
        pytest.param("/cancel", Intent.CANCEL, id="intent-cancel-slash"),
        pytest.param("帮助", Intent.HELP, id="intent-help-word"),
        pytest.param("怎么投诉？", Intent.HELP, id="intent-how-to"),
        pytest.param("help", Intent.HELP, id="intent-help-english"),
        pytest.param("？", Intent.HELP, id="intent-question-mark"),
        pytest.param("你好", Intent.GREETING, id="intent-greeting"),
        pytest.param("在吗？", Intent.GREETING, id="intent-greeting-are-you-there"),
        pytest.param("Hi!", Intent.GREETING, id="intent-greeting-english"),
        pytest.param("/start", Intent.GREETING, id="intent-start"),
        pytest.param("绑定 123456", Intent.STAFF, id="intent-staff-bind"),
        pytest.param("受理 TS20261122000123", Intent.STAFF, id="intent-staff-accept"),
        pytest.param("回复 TS20261122000123 您好，我们已安排上门", Intent.STAFF, id="intent-staff-reply"),
        pytest.param("方案 TS20261122000123 退货退款", Intent.STAFF, id="intent-staff-proposal"),
        pytest.param("拒绝 TS20261122000123 已超过保修期", Intent.STAFF, id="intent-staff-refuse"),
        pytest.param("列表", Intent.STAFF, id="intent-staff-list"),
        pytest.param("处理 TS20261122000123", Intent.STAFF, id="intent-staff-handle"),
        pytest.param("办结 TS20261122000123", Intent.STAFF, id="intent-staff-close"),
        pytest.param("/reply TS20261122000123 ok", Intent.STAFF, id="intent-staff-english"),
        pytest.param("接受", Intent.OTHER, id="intent-accept-proposal-is-negotiation"),
        pytest.param("评价 5", Intent.OTHER, id="intent-rating-is-negotiation"),
        pytest.param("转投诉 TS20261122000123", Intent.OTHER, id="intent-escalate-is-negotiation"),
        pytest.param("好的，那我周三在家等师傅", Intent.OTHER, id="intent-free-negotiation"),
        pytest.param("", Intent.OTHER, id="intent-empty"),
        pytest.param("😀", Intent.OTHER, id="intent-emoji"),
    ],
)
def test_detect_intent(text: str, intent: Intent) -> None:
    assert detect_intent(text) == intent
