"""classify(): codes of TAXONOMY.md, with confidences; bad input gets a low-confidence answer."""

from __future__ import annotations

import pytest

from nlp import Classification, classify


@pytest.mark.parametrize(
    ("text", "category"),
    [
        pytest.param("新买的洗衣机用了三天就漏水", "G01", id="category-appliance"),
        pytest.param("宝宝用了这批纸尿裤屁股红了", "G02", id="category-baby-goods"),
        pytest.param("羽绒服洗了一次就跑绒", "G03", id="category-clothes"),
        pytest.param("超市买的牛奶没过期就变质了", "G04", id="category-food"),
        pytest.param("买的白酒是假酒，喝完头疼", "G05", id="category-liquor"),
        pytest.param("新车提了一个月发动机异响，4S店不给修", "G06", id="category-car"),
        pytest.param("定制的衣柜柜门开裂，板材有甲醛味", "G07", id="category-furniture"),
        pytest.param("金店买的项链检测出来不是足金", "G08", id="category-jewellery"),
        pytest.param("药店卖给我的感冒药过期了", "G09", id="category-medicine"),
        pytest.param("买的玉米种子出苗率不到一半", "G10", id="category-seeds"),
        pytest.param("理发店办了卡，现在店关门跑路了", "S01", id="category-hair-salon-prepaid"),
        pytest.param("视频会员没有提醒就自动续费扣了钱", "S02", id="category-app-auto-renewal"),
        pytest.param("培训机构收了学费后停课不退钱", "S03", id="category-training"),
        pytest.param("宽带三天两头断网，营业厅不处理", "S04", id="category-broadband"),
        pytest.param("健身房办了年卡没多久就倒闭了", "S05", id="category-gym"),
        pytest.param("小区冬天暖气不热，交了取暖费", "S06", id="category-heating"),
        pytest.param("装修公司拖延工期，墙面开裂", "S07", id="category-renovation"),
        pytest.param("旅行社说纯玩团结果天天进购物店", "S08", id="category-travel"),
        pytest.param("做完双眼皮手术两边不对称", "S09", id="category-medical-beauty"),
        pytest.param("网贷平台暴力催收，还打电话给我家人", "S10", id="category-loan"),
        pytest.param("车险出险后保险公司拒赔", "S11", id="category-insurance"),
        pytest.param("快递丢件了，快递公司只肯赔运费", "S12", id="category-courier"),
    ],
)
def test_category(text: str, category: str) -> None:
    result = classify(text)
    assert result.category == category
    assert result.kind == {"G": "goods", "S": "service"}[category[0]]


@pytest.mark.parametrize(
    ("text", "nature"),
    [
        pytest.param("电视开机就黑屏", "quality", id="nature-quality"),
        pytest.param("孩子吃了以后上吐下泻住院了", "safety", id="nature-safety"),
        pytest.param("结账时比标价多收了50元", "price", id="nature-price"),
        pytest.param("买的猪肉缺斤少两，一称少了二两", "measurement", id="nature-measurement"),
        pytest.param("买到的耐克鞋是假货", "counterfeit", id="nature-counterfeit"),
        pytest.param("付款一个月了商家一直不发货", "contract", id="nature-contract"),
        pytest.param("宣传说续航两天，实际半天就没电，虚假宣传", "false_advertising",
                     id="nature-false-advertising"),
        pytest.param("退货时店员辱骂我", "personal_rights", id="nature-personal-rights"),
        pytest.param("冰箱坏了，售后一直推诿不给修", "after_sales", id="nature-after-sales"),
        pytest.param("长安福特探险者油箱有异响希望厂家处理", "quality",
                     id="nature-defect-with-a-vague-ask-is-quality"),
        pytest.param("售前咨询说拍一发二，结果下了单只发了一包", "contract",
                     id="nature-presales-question-is-not-other"),
        pytest.param("送餐速度我真是服了，几分钟的路程，给我送了一个半小时", "contract",
                     id="nature-late-delivery-is-contract"),
        pytest.param("外卖漏送了一份饭，投诉也没人回复", "contract",
                     id="nature-missing-item-unanswered-is-contract"),
        pytest.param("变速箱漏油一直无法解决", "after_sales", id="nature-unsolved-repair-is-after-sales"),
        pytest.param("车机升级后多功能按键失灵", "quality", id="nature-failed-button-is-not-safety"),
        pytest.param("我为朋友预订了该酒店，房间空调漏水墙面发霉", "quality",
                     id="nature-booking-narration-is-not-contract"),
        pytest.param("吃过两次，两次都拉！肚！子！", "safety", id="nature-emphasis-inside-a-cue"),
        pytest.param("手机充电时把充电器爆了，还好没烧起来", "safety", id="nature-exploding-charger-is-safety"),
        pytest.param("吉利星越升级车机后依然卡顿影响使用", "after_sales",
                     id="nature-upgrade-did-not-fix-is-after-sales"),
        pytest.param("发动机抖动，购车送的旅游基金不到账", "contract", id="nature-benefit-not-paid-is-contract"),
        pytest.param("吉利嘉际前部摄像头有拆装痕迹4S店不处理", "contract",
                     id="nature-serviced-car-sold-as-new-is-contract"),
        pytest.param("订的东楼，到了却说东楼没房，换主楼", "contract", id="nature-booking-not-kept-is-contract"),
        pytest.param("申请提前还款还要收违约金", "price", id="nature-loan-fee-is-price"),
        pytest.param("退房时说床单弄脏了要我赔300元", "price", id="nature-charge-to-the-consumer-is-price"),
        pytest.param("中午12点下的单，快两点了才到", "contract", id="nature-late-takeaway-is-contract"),
        pytest.param("一直提不到车，经销商说再等等", "contract", id="nature-car-not-handed-over-is-contract"),
        pytest.param("键盘是旧款，与页面所标的不符", "false_advertising", id="nature-not-as-listed"),
        pytest.param("说明书上说能存五个号码，实际只能存一个", "false_advertising",
                     id="nature-manual-claim-untrue"),
        pytest.param("4S店用副厂件充当原装配件", "counterfeit", id="nature-parts-passed-off-as-original"),
        pytest.param("刚买就降价了，找客服还不理人", "price", id="nature-price-drop-unanswered-is-price"),
        pytest.param("包装破了，申请了退换货也杳无音信", "after_sales", id="nature-request-unanswered"),
        pytest.param("用了十天就坏，想退，销售商不同意退，只同意换", "after_sales",
                     id="nature-return-refused-is-after-sales"),
    ],
)
def test_nature(text: str, nature: str) -> None:
    assert classify(text).nature == nature


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        pytest.param("在京东买的耳机坏了", "online", id="text-channel-online"),
        pytest.param("在商场专柜买的化妆品过敏", "offline", id="text-channel-offline"),
        pytest.param("在直播间买的面膜是假货", "livestream", id="text-channel-livestream"),
        pytest.param("看电视购物买的按摩椅不能用", "tv_phone_mail", id="text-channel-tv"),
        pytest.param("热水器不加热", "unknown", id="text-channel-unknown"),
    ],
)
def test_channel_in_narrative(text: str, channel: str) -> None:
    assert classify(text).channel == channel


@pytest.mark.parametrize(
    ("text", "prepaid"),
    [
        pytest.param("在美容院办了会员卡充了5000元，现在店关了", True, id="prepaid-card"),
        pytest.param("健身房年卡还没到期就不让用了", True, id="prepaid-annual-card"),
        pytest.param("手机屏幕碎了", False, id="prepaid-not-mentioned"),
    ],
)
def test_prepaid(text: str, prepaid: bool) -> None:
    assert classify(text).prepaid is prepaid


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="bad-input-empty"),
        pytest.param("😀😡👍🙏", id="bad-input-only-emoji"),
        pytest.param("1234567890", id="bad-input-only-digits"),
        pytest.param("<html><body><p>&nbsp;</p></body></html>", id="bad-input-html-shell"),
        pytest.param("asdf qwer zxcv", id="bad-input-latin-noise"),
    ],
)
def test_meaningless_input_gets_a_valid_low_confidence_answer(text: str) -> None:
    result = classify(text)
    assert isinstance(result, Classification)
    assert result.category_confidence < 0.5
    assert result.demands == ()
    assert result.channel == "unknown"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        pytest.param("我在商场買的洗衣機壞了，要求退貨", "G01", id="bad-input-traditional"),
        pytest.param("<p>买的<b>手机</b>屏幕坏了</p>", "G01", id="bad-input-html-around-text"),
        pytest.param("my iPhone 手机 broke after 2 days, 要求 refund", "G01", id="bad-input-mixed-en"),
    ],
)
def test_noisy_input_is_still_understood(text: str, category: str) -> None:
    assert classify(text).category == category


def test_huge_input_is_truncated_not_fatal() -> None:
    result = classify("洗衣机漏水。" * 20_000)
    assert result.category == "G01"
    assert 0.0 <= result.category_confidence <= 1.0


def test_confidences_are_probabilities() -> None:
    result = classify("在京东买的手机用了两天就黑屏，要求退货")
    for value in (result.category_confidence, result.nature_confidence, result.channel_confidence):
        assert 0.0 <= value <= 1.0


@pytest.mark.parametrize(
    ("text", "nature", "demands"),
    [
        pytest.param("房间很脏，地毯有污渍。宾馆反馈2008年6月3日：非常抱歉，我们会要求员工整改并为您换房",
                     "quality", (), id="business-reply-is-not-the-complaint"),
        pytest.param("送餐晚了一个小时，要求退款。商家回复：已经为您处理", "contract", ("refund",),
                     id="business-reply-after-a-demand"),
    ],
)
def test_business_reply_is_left_out(text: str, nature: str, demands: tuple[str, ...]) -> None:
    result = classify(text)
    assert (result.nature, result.demands) == (nature, demands)
