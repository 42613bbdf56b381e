"""Names of codes and fields as users read them (TAXONOMY.md), Chinese and English."""

from __future__ import annotations

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "merchant": ("商家", "Business"),
    "merchant_address": ("商家地址", "Business address"),
    "product": ("商品/服务", "Goods/service"),
    "purchase_date": ("购买日期", "Purchase date"),
    "amount": ("金额", "Amount paid"),
    "channel": ("购买方式", "How bought"),
    "facts": ("问题描述", "What happened"),
    "demands": ("诉求", "Demand"),
    "consumer_name": ("姓名", "Name"),
    "consumer_phone": ("手机号", "Mobile"),
    "consumer_address": ("您的地址", "Your address"),
    "order_no": ("订单号", "Order number"),
    "category": ("投诉类别", "Category"),
    "nature": ("问题性质", "Problem"),
}

DEMAND_LABELS: dict[str, tuple[str, str]] = {
    "return": ("退货", "return the goods"),
    "refund": ("退款", "refund"),
    "exchange": ("换货", "exchange"),
    "repair": ("维修", "repair"),
    "redo": ("重新提供服务", "redo the service"),
    "make_up": ("补足/补发", "make up the shortfall"),
    "compensation": ("赔偿损失", "compensation"),
    "punitive": ("惩罚性赔偿", "punitive damages"),
    "apology": ("赔礼道歉", "apology"),
    "perform": ("履行约定", "keep the promise"),
    "other": ("其他", "other"),
}
# The closed set offered as numbered choices (the rarer codes are still understood).
DEMAND_CHOICES: tuple[str, ...] = (
    "return", "refund", "exchange", "repair", "compensation", "apology", "perform", "other",
)

CHANNEL_LABELS: dict[str, tuple[str, str]] = {
    "offline": ("线下门店", "in a shop"),
    "online": ("网购（平台、网店、小程序）", "online (platform, web shop, mini-program)"),
    "livestream": ("直播带货", "live-stream sale"),
    "tv_phone_mail": ("电视、电话或邮购", "TV, phone or mail order"),
    "unknown": ("未说明", "not stated"),
}
CHANNEL_CHOICES: tuple[str, ...] = ("offline", "online", "livestream", "tv_phone_mail")

CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "G01": ("家用电子电器", "household electronics"),
    "G02": ("日用商品", "daily goods"),
    "G03": ("服装鞋帽", "clothing and shoes"),
    "G04": ("食品", "food"),
    "G05": ("烟酒饮料", "tobacco, alcohol, drinks"),
    "G06": ("交通工具", "vehicles"),
    "G07": ("房屋及建材", "housing and building materials"),
    "G08": ("首饰及文体用品", "jewellery, stationery, sports goods"),
    "G09": ("医药及医疗用品", "medicine and medical supplies"),
    "G10": ("农用生产资料", "farming supplies"),
    "S01": ("生活社会服务", "everyday services"),
    "S02": ("互联网服务", "internet services"),
    "S03": ("教育培训服务", "education and training"),
    "S04": ("电信服务", "telecoms"),
    "S05": ("文化娱乐体育服务", "culture, entertainment, sports"),
    "S06": ("公共设施服务", "public utilities"),
    "S07": ("房屋装修及物业服务", "renovation and property management"),
    "S08": ("旅游服务", "travel"),
    "S09": ("卫生保健服务", "health care services"),
    "S10": ("金融服务", "financial services"),
    "S11": ("保险服务", "insurance"),
    "S12": ("邮政快递服务", "post and courier"),
    "X00": ("其他", "other"),
}

NATURE_LABELS: dict[str, tuple[str, str]] = {
    "quality": ("质量", "quality"),
    "safety": ("安全", "safety"),
    "price": ("价格", "price"),
    "measurement": ("计量", "short weight or measure"),
    "counterfeit": ("假冒", "counterfeit"),
    "contract": ("合同", "contract"),
    "false_advertising": ("虚假宣传", "false advertising"),
    "personal_rights": ("人格权益", "personal rights"),
    "after_sales": ("售后服务", "after-sales service"),
    "other": ("其他", "other"),
}


def label(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    zh, en = table.get(code, (code, code))
    return en if lang == "en" else zh
