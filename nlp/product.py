"""The goods or service named in a complaint (a span of the normalised text)."""

from __future__ import annotations

from functools import lru_cache

from nlp.lexicon.categories import PRODUCTS
from nlp.sellers import Span, car_span, model_after
from nlp.tokenizer import cut

# Lexicon words that are people, places, fees or actions rather than the thing bought.
_EXCLUDE = frozenset(
    "平台 网购平台 电商平台 平台客服 商城 网店 店铺 积分 红包 运费险 配送 骑手 外卖员 送餐员 快递员 "
    "快递小哥 前台 医院 银行 营业厅 中介 房东 业主 学员 导游 开发商 楼盘 小区 施工队 信号 利息 逾期 "
    "催收 征信 额度 还款 违约金 手续费 扣费 停水 停电 理赔 拒赔 保险公司 快递公司 物流 派送 驿站 "
    "菜鸟驿站 快递柜 签收 封号 续费 自动续费 上课 学费 课时 打车 入住 用餐 就餐 吃饭 聚餐 看病 "
    "装修公司 物业公司 燃气公司 旅行社 运营商 房间 账号 会员 保养 回收 屏幕 电池 刹车 制动 车 "
    "包 菜 书 药 酒 烟 床 鞋 电子产品 日用品 家电 食品 服装 药品 文具 平板"
    .split()
)


@lru_cache(maxsize=1)
def _product_words() -> frozenset[str]:
    words = {w for items in PRODUCTS.values() for w in items}
    return frozenset(words - _EXCLUDE)


def find_product(norm: str, merchant: Span | None) -> Span | None:
    """A car maker + model, else the first product word outside the merchant's name."""
    car = car_span(norm)
    if car:
        end = model_after(norm, car[1])
        if end:
            return car[0], end
    words = _product_words()
    pos = 0
    for token in cut(norm):
        start, pos = pos, pos + len(token)
        if merchant is not None and merchant[0] <= start < merchant[1]:
            continue
        if token in words:
            return start, pos
        head = _leading_product(token, words)  # 手机屏幕 → 手机
        if head:
            return start, start + head
    return None


def _leading_product(token: str, words: frozenset[str]) -> int:
    for size in range(len(token) - 1, 1, -1):
        if token[:size] in words:
            return size
    return 0
