"""Hypothesis settings and text strategies shared by the fuzz tests.

``max_examples`` stays modest (the suite is bounded in time); in CI (``CI`` set) the
examples are derandomized, so a CI failure replays exactly on a developer's machine.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

settings.register_profile(
    "reliability", deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large])
settings.register_profile("reliability-ci", settings.get_profile("reliability"),
                          derandomize=True, database=None)
PROFILE = settings.get_profile("reliability-ci" if os.environ.get("CI") else "reliability")

RICH = "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，要求退货退款"
HAPPY = (RICH, "1", "王芳 13912345678", "鞍山市铁东区", "1", "1")
"""The intake that reaches a submitted complaint; fuzzed scripts start with a prefix."""
CHAT_WORDS = (
    "投诉", "我要投诉", "我想投诉", "/complain", "查询", "查询 TS20261123000001", "/status",
    "取消", "/cancel", "帮助", "?", "菜单", "/start", "/start bind_ABCD2345", "撤回",
    "撤回 TS20261123000001", "接受", "接受方案", "不接受 太少了", "拒绝方案", "评价", "评价 5",
    "评价 3星", "转投诉", "转投诉 TS20261123000001", "继续等待", "继续等待 5 个工作日", "结束",
    "绑定", "绑定 ABCD2345", "列表", "受理 TS20261123000001", "回复 TS20261123000001 您好",
    "方案 TS20261123000001 退款", "拒绝 TS20261123000001 过期", "办结 TS20261123000001 已退",
    "处理 TS20261123000001", "解绑", "跳过", "不记得", "确认", "确认无误", "修改", "同意",
    "同意并提交", "不同意", "是", "否", "好的", "鑫汇", "鑫汇购物广场", "万象城", "洗衣机",
    "用了两天就不脱水了", "3299元", "三千二百九十九元", "上周五", "2026年11月3日", "昨天",
    "13912345678", "王芳 13912345678", "王芳", "鞍山市铁东区", "金额改成300", "电话写错了",
    "change amount to 300", "商家改成万象城", "我叫李雷", "I want to complain", "help",
    "my washing machine broke", "refund please", "hello", "你好",
)
EMOJI = ("😀", "👍🏻", "🇨🇳", "❤️", "👨‍👩‍👧‍👦", "🙏🙏🙏")
CHOICES = ("1 2", "0", "１", "一", "1、3", "99", "1.5", "-1", "1,2,3", "１ ２", "١", "00001",
           "²", "①", "³。", "1" * 400)
"""Numbered answers, odd ones too: '²' and '①' are digits to str.isdigit() but not to
int(), and four hundred digits are past float range (both once crashed a turn)."""


def _with_noise(word: str, left: str, right: str) -> str:
    return f"{left}{word}{right}"


WORDS = st.sampled_from(CHAT_WORDS)
MESSAGES = st.one_of(
    WORDS,
    st.builds(_with_noise, WORDS, st.text(max_size=3), st.text(max_size=3)),
    st.integers(-3, 12).map(str),
    st.sampled_from(CHOICES),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(EMOJI),
    st.builds(lambda unit, n: unit * n, st.sampled_from(["投诉", "a ", "😀"]),
              st.integers(1900, 2100)),  # around the 4000-character limit
)
