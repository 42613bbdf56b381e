"""Demands and purchase channel, as answers and inside narratives."""

from __future__ import annotations

import pytest

from nlp import classify, parse_channel, parse_demands


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("退款", ("refund",), id="demand-refund"),
        pytest.param("我要退货退款", ("return", "refund"), id="demand-return-and-refund"),
        pytest.param("换货或者维修", ("exchange", "repair"), id="demand-exchange-or-repair"),
        pytest.param("赔偿", ("compensation",), id="demand-compensation"),
        pytest.param("退一赔三", ("refund", "punitive"), id="demand-refund-one-pay-three"),
        pytest.param("假一赔十", ("punitive",), id="demand-fake-pay-ten"),
        pytest.param("要求商家道歉", ("apology",), id="demand-apology"),
        pytest.param("赶紧发货", ("perform",), id="demand-perform"),
        pytest.param("补发少的那件", ("make_up",), id="demand-make-up"),
        pytest.param("重新做一次", ("redo",), id="demand-redo"),
        pytest.param("refund please", ("refund",), id="demand-english-refund"),
        pytest.param("exchange or repair", ("exchange", "repair"), id="demand-english-two"),
        pytest.param("I want compensation and an apology", ("compensation", "apology"),
                     id="demand-english-compensation-apology"),
        pytest.param("希望尽快解决", ("other",), id="demand-unspecific-other"),
        pytest.param("不知道", (), id="demand-none"),
    ],
)
def test_parse_demands(text: str, expected: tuple[str, ...]) -> None:
    assert parse_demands(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("洗衣机漏水，要求退货退款", ("return", "refund"), id="narrative-demand-asked"),
        pytest.param("4S店不予更换", (), id="narrative-refusal-is-not-a-demand"),
        pytest.param("支持七天无理由退货，但衣服起球了", (), id="narrative-policy-is-not-a-demand"),
        pytest.param("商家不给退款，我想退货", ("return",), id="narrative-negated-word-skipped"),
        pytest.param("快递员直接给我当作退货处理了", (), id="narrative-process-told-is-not-a-demand"),
        pytest.param("质量太差，还不能申请售后退款", (), id="narrative-denied-request-word"),
        pytest.param("最要命的是发货速度太慢", (), id="narrative-bare-yao-is-not-a-request"),
        pytest.param("修了一次又一次，不是修好了吗", (), id="narrative-rhetorical-question"),
        pytest.param("请问这种情况怎么处理", (), id="narrative-qingwen-is-a-question"),
        pytest.param("鞋子开胶了，实在不行就退了", ("return",), id="narrative-stated-fallback"),
        pytest.param("一直没收到货，要求退货", ("refund",), id="narrative-return-of-undelivered-order"),
        pytest.param("可以退款吗", ("refund",), id="narrative-asked-as-a-question"),
        pytest.param("变速箱异响要求召回", ("other",), id="narrative-recall-is-unspecific"),
        pytest.param("大失所望，看谁来处理", (), id="narrative-disappointment-is-not-a-request"),
        pytest.param("屏幕碎了，找客服退货", ("return",), id="narrative-weak-ask-right-before"),
        pytest.param("算了，不要退款了", (), id="narrative-weak-ask-denied"),
        pytest.param("商家要求我先寄回去再退款", (), id="narrative-their-ask-is-not-the-consumers"),
        pytest.param("找客服要求退款，说超过售后时间了", ("refund",), id="narrative-asked-the-other-side"),
        pytest.param("画面太丑了，想退！！！", ("return",), id="narrative-bare-tui-after-ask"),
        pytest.param("本来想退，嫌麻烦", (), id="narrative-given-up-wish"),
        pytest.param("要不是着急，真想退了", (), id="narrative-wish-is-not-an-ask"),
        pytest.param("房间没窗户，提出调换，前台不同意", ("exchange",), id="narrative-raised-ask"),
        pytest.param("我要求退货，说好的支持7天无理由退货呢", ("return",),
                     id="narrative-policy-word-only-next-to-the-demand"),
        pytest.param("房间有烟味，打电话要求换房", ("exchange",), id="narrative-room-change-is-exchange"),
        pytest.param("鞋子不合脚，申请了七天无理由退货，商家不同意", ("return",),
                     id="narrative-asked-under-a-policy"),
        pytest.param("退货太麻烦了，处理得很慢", (), id="narrative-troublesome-is-not-please"),
        pytest.param("彻底绝望了，没人处理", (), id="narrative-despair-is-not-a-hope"),
        pytest.param("客服要求我自己处理", (), id="narrative-their-vague-ask-is-not-the-consumers"),
        pytest.param("麻烦尽快处理一下", ("other",), id="narrative-please-handle-is-other"),
        pytest.param("收到的版本不对，我想换行吗?", ("exchange",), id="narrative-bare-huan-after-ask"),
        pytest.param("缺了好几页，只能先退，以后再买", ("return",), id="narrative-only-option-return"),
        pytest.param("内存不能加只能换", (), id="narrative-only-option-is-not-exchange"),
        pytest.param("如果需要退换物品，过程很漫长", (), id="narrative-hypothetical-need-is-not-an-ask"),
        pytest.param("客服不回，我只是想要一个解释", ("other",), id="narrative-explanation-is-other"),
        pytest.param("退货要求把赠品金额扣除", (), id="narrative-return-rule-is-not-an-ask"),
        # Round 3 (second annotator's development rows): more ways of asking, and of not asking.
        pytest.param("东西是坏的，退钱！", ("refund",), id="narrative-shouted-demand"),
        pytest.param("鞋码不对，能不能换一双", ("exchange",), id="narrative-neng-bu-neng-is-not-a-negation"),
        pytest.param("尺码小了，能不能换?", ("exchange",), id="narrative-bare-huan-as-a-question"),
        pytest.param("屏幕有坏点，能退吗", ("return",), id="narrative-bare-tui-as-a-question"),
        pytest.param("麻烦给退一下", ("return",), id="narrative-please-return-it"),
        pytest.param("退款审核中，一直没到账", ("refund",), id="narrative-request-under-review"),
        pytest.param("现申请换货中", ("exchange",), id="narrative-applied-request-pending"),
        pytest.param("本来申请退款了，还是给送过来了", ("refund",), id="narrative-past-application-counts"),
        pytest.param("想退吧商家不同意", ("return",), id="narrative-bare-tui-with-topic-ba"),
        pytest.param("老板赔我的好心情", ("compensation",), id="narrative-addressed-to-the-seller"),
        pytest.param("出了问题必须给个说法", ("other",), id="narrative-give-an-account-is-other"),
        pytest.param("我就想要个说法", ("other",), id="narrative-want-an-account-is-other"),
        pytest.param("请京东和这家水果店给本人一个说法", ("other",), id="narrative-long-addressee-before-account"),
        pytest.param("希望相关部门严查", ("other",), id="narrative-investigation-is-other"),
        pytest.param("发票开错了，想让补一张纸质发票", ("other",), id="narrative-invoice-request-is-other"),
        pytest.param("没有人给一个说法", (), id="narrative-nobody-gave-an-account"),
        pytest.param("客服说请申请换货", (), id="narrative-quoted-please-is-theirs"),
        pytest.param("通知我要交300元维修费", (), id="narrative-announced-fee-is-not-an-ask"),
        pytest.param("要不是太忙，真想退货", (), id="narrative-only-wished-return"),
        pytest.param("本来想退货，怕麻烦", (), id="narrative-given-up-return"),
        pytest.param("想要退货就得自己出运费", (), id="narrative-condition-is-not-an-ask"),
        pytest.param("去维修点看了一下", (), id="narrative-repair-shop-is-a-place"),
        pytest.param("之前申请了退货，退款后又重新拍了", ("return",), id="narrative-after-the-refund-is-a-time"),
        pytest.param("我要求给我换回来", ("exchange",), id="narrative-change-it-back"),
        pytest.param("等了一周还没发货，申请退货", ("refund",), id="narrative-return-of-unshipped-order"),
        pytest.param("宝宝长大了，跟客服申请换码，客服不同意", ("exchange",), id="narrative-size-exchange"),
        pytest.param("希望商家给我换一箱新的", ("exchange",), id="narrative-exchange-a-box"),
        pytest.param("超过十五天不能换码", (), id="narrative-size-exchange-refused-is-not-an-ask"),
        pytest.param("活动赠品没给，要求商家履约", ("perform",), id="narrative-perform-the-contract"),
    ],
)
def test_narrative_demands_need_a_request(text: str, expected: tuple[str, ...]) -> None:
    assert classify(text).demands == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("网上买的", "online", id="channel-online"),
        pytest.param("淘宝", "online", id="channel-platform"),
        pytest.param("店里", "offline", id="channel-in-store"),
        pytest.param("商场", "offline", id="channel-mall"),
        pytest.param("在商场买的电视", "offline", id="channel-mall-beats-tv-product"),
        pytest.param("直播间", "livestream", id="channel-livestream"),
        pytest.param("抖音直播间买的", "livestream", id="channel-livestream-beats-platform"),
        pytest.param("电视购物", "tv_phone_mail", id="channel-tv-shopping"),
        pytest.param("电话", "tv_phone_mail", id="channel-phone-answer"),
        pytest.param("online", "online", id="channel-english"),
        pytest.param("不记得", None, id="channel-unknown-answer"),
    ],
)
def test_parse_channel(text: str, expected: str | None) -> None:
    assert parse_channel(text) == expected
