"""Complaint vocabulary: words that signal a problem nature, prepaid use, and narratives."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NATURE_CUES: dict[str, tuple[str, ...]] = {
    "quality": _words(
        "坏了 坏掉 故障 质量差 质量问题 质量不好 质量太差 破损 破了 裂了 开裂 不能用 用不了 没法用 "
        "死机 黑屏 花屏 卡顿 异响 漏水 漏油 漏气 掉色 褪色 起球 开线 脱胶 变质 发霉 馊了 坏的 "
        "不制冷 不制热 不加热 不出水 打不开 无法开机 开不了机 自动关机 充不进电 耗电快 断轴 生锈 "
        "有异味 异味 噪音大 抖动 熄火 不工作 瑕疵 划痕 色差 不新鲜 烂了 有虫 异物 "
        "头发丝 质量低劣 做工差 残次品 次品 不合格 脏 不干净 设施陈旧 效果差 没效果 难吃 "
        "broken defective faulty"
    ),
    "safety": _words(
        "过敏 红屁股 起疹子 红疹 湿疹 受伤 烫伤 划伤 摔伤 骨折 起火 着火 自燃 爆炸 炸了 中毒 食物中毒 "
        "拉肚子 腹泻 呕吐 住院 进医院 去医院 看医生 就医 安全隐患 触电 漏电 刹车失灵 制动失灵 转向失灵 方向盘失灵 窒息 致癌 有毒 "
        "危险 伤害 还敢吃 吃坏 头晕 发烧 感染 溃烂 injury injured allergy poisoning"
        " 红屁屁 起疹 疹子 皮疹 红肿 吐了 不敢吃 不敢用 烂屁股 影响安全 危及安全 安全问题 连拉带吐 上吐下泻 爆了 烧起来"
        " 冒烟 气囊未弹出 气囊没弹出 气囊未弹开 气囊没有弹出 气囊没弹开"
    ),
    "price": _words(
        "多收 多收费 乱收费 收费 价格欺诈 价格虚高 差价 降价 涨价 加价 标价 明码标价 安装费 手续费 利息 "
        "服务费 材料费 隐形消费 乱扣费 扣费 多扣 乱扣 重复扣款 宰客 天价 价格不符 价保 保价 "
        "另收 加收 多付 利率 年化 砍头息 担保费 会员费 overcharged overcharge fee"
        " 刚买就降价 买完就降价 多扣了 多收了 乱收 加价 掉价 让我赔 要我赔 违约金 罚息 滞纳金 逾期费"
    ),
    "measurement": _words(
        "缺斤少两 短斤少两 缺斤 短斤 分量不足 分量少 份量少 分量太少 份量太少 量太少 量少 不够秤 少秤 "
        "鬼秤 计量 克数 净含量 不足量 容量不足 半瓶 没装满 装不满 斤两 少了一半 underweight"
    ),
    "counterfeit": _words(
        "假货 假冒 仿冒 山寨 高仿 不是正品 非正品 冒牌 仿品 鉴定为假 A货 翻新机 以假充真 盗版 假酒 假药 "
        "假鞋 假包 是假的 fake counterfeit"
        " 充当原装 冒充原装 冒充正品"
    ),
    "contract": _words(
        "不发货 未发货 没发货 迟迟不发货 发货慢 发货太慢 不给发货 延迟发货 迟迟 跑路 关门 倒闭 不履行 "
        "违约 霸王条款 预付卡 无法使用 赠品 赠送 承诺 未兑现 不兑现 没兑现 说好的 答应 延迟交付 逾期 "
        "漏发 少发 缺件 少件 没收到 未收到 没送到 未送达 一直没到 还没到 取消订单 砍单 被取消 退订 "
        "定金 订金 不退款 拒绝退款 不给退款 退款难 不退钱 合同 约定 满房 停课 不开课 发错 "
        "寄错 错发 库存车 展车 补贴 不交车 交付 才送到 才到货 才发货 送得太慢 送餐太慢 配送太慢 配送慢 "
        "发货太慢 物流太慢 超时 延误 晚到 迟到 还没送到 漏送 少送 没送 少给 没给 breach"
        " 不到账 未到账 没到账 送错 才送来 私自换 擅自换 私自把 擅自把 没房 没有房间了 兑换不了 无法兑换 不能兑换"
        " 拆装痕迹 喷漆痕迹 维修痕迹 二次喷漆 补过漆 翻新车 库存时间 问题车 发货延迟 延迟发货 缺货 没货 迟迟未发 试驾车 事故车 维修过的车 二手车当新车 少给了 没有送 不送了 赠送的 取消了"
        " 才到 才送过来 才给送来 才送到家 送餐速度 提不到车 提不了车 交不了车 迟迟不交车"
    ),
    "false_advertising": _words(
        "虚假宣传 与宣传不符 宣传不符 货不对板 货不对版 夸大 图片不符 与图片不符 和图片 跟图片 "
        "与描述不符 描述不符 和描述 实物不符 误导 虚标 名不副实 misleading advertised"
        " 和介绍 与介绍 介绍不符 和宣传 跟宣传 宣传的 广告上 页面上写 详情页 实物与 跟描述"
        " 所标的不符 标的不符 标注不符 说明书上说 说明书上写 照片中 照片上 图片上 介绍里面 介绍里"
    ),
    "personal_rights": _words(
        "辱骂 骂人 骂我 侮辱 搜身 泄露 个人信息 骚扰电话 骚扰 暴力催收 爆通讯录 打人 殴打 威胁 隐私 "
        "恐吓 歧视 偷拍 人身攻击 harassment insult"
    ),
    "after_sales": _words(
        "不给修 不保修 拒绝保修 拒保 拒绝维修 维修多次 多次维修 反复维修 客服不理 联系不上 推诿 踢皮球 "
        "拖延 不予更换 不予 不给换 没有配件 无配件 等配件 不给退换 拒绝退货 不给退 不退不换 不让退 "
        "退不了 换不了 没人管 不处理 不予处理 不回复 没人回复 敷衍 找不到人 没人理 不理人 不作为 "
        "一直在修 未解决 没解决 不解决 推脱 不负责 customer service"
        " 打不通 不接电话 无人接听 不回消息 客服不回 修不好 没修好 修了好几次 多次往返 反复往返 拆封了不能退 拆封不能退 超过售后 过了售后 售后时间 升级未解决 不给处理 不予解决 拒绝更换 不予退货 升级后还是 后依然 后仍然 更加严重 问题依旧 依然存在"
        " 维修后 大修后 修完后"
        " 无法解决 未能解决 厂家未回复 未回复 告知正常 说是正常现象 人为损坏 说是人为 不可以换 不能换"
        " 杳无音信 石沉大海 没有下文 没下文 不同意退 不同意换 只同意换 修了两次 修了三次 修了几次 修过两次"
        " 问题只是减轻 没有根本解决"
    ),
    "other": _words("发票 开票 收据 合格证 保修卡 过户"),
}
# Words that point to a nature only weakly: they also appear in plain defect stories
# ("售后说是质量问题", "宣传页上写着").
NATURE_WEAK_CUES: dict[str, tuple[str, ...]] = {
    "after_sales": _words("售后 拒绝 不管 三包 返厂 寄修 客服"),
    "false_advertising": _words("宣传 广告 说是 不符 号称 声称 标称 其实是 实际是 实际上"),
    "price": _words("收费 费用 收取 原价 会员价"),
    "contract": _words("太慢 等了 订单 个小时 小时才 分钟才 好几天 预订 预定"),
}
# How much one cue of each nature counts: quality is what any complaint sounds like, so its
# cues weigh less; rare natures with unmistakable words weigh more (TAXONOMY §2 precedence).
NATURE_CUE_WEIGHT: dict[str, float] = {
    "quality": 0.5, "safety": 1.6, "price": 1.0, "measurement": 1.6, "counterfeit": 2.0,
    "contract": 1.0, "false_advertising": 1.2, "personal_rights": 1.6, "after_sales": 1.0,
    "other": 0.8,
}
WEAK_CUE_FACTOR = 0.4

# Unmistakable prepaid consumption (a card, stored value, lessons paid ahead, goods stored).
PREPAID_CUES: tuple[str, ...] = _words(
    "预付卡 储值卡 充值卡 会员卡 办卡 办了卡 办了张卡 办了一张 年卡 次卡 月卡 季卡 预存 课时包 课程包 "
    "剩余课时 剩余次数 卡里还有 寄存 prepaid"
)
# Weaker: money put in ahead, which the model must confirm (充值 is also a phone top-up).
PREPAID_WEAK_CUES: tuple[str, ...] = _words("充值 充了 预付 余额 课时费 囤货")

# Complaint vocabulary for the tokenizer, beyond products and names.
COMPLAINT_WORDS: tuple[str, ...] = _words(
    "退货退款 退一赔三 假一赔十 三包 七天无理由 无理由退货 十倍赔偿 三倍赔偿 消费者 维权 投诉 "
    "12315 市场监管局 消协 售后服务 客服电话 订单号 快递单号 货不对板 以次充好 霸王条款 预付卡 "
    "跑路 暴力催收 缺斤少两 价格欺诈 虚假宣传 质量问题 安全隐患 退款 退货 换货 维修 赔偿 道歉"
)
