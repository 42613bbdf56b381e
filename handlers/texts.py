"""Every user-facing string of the conversation, Chinese first, English second.

Wording changes here never touch logic. Placeholders use ``str.format`` names.
"""

from __future__ import annotations

from typing import Any

_CATALOGUE: dict[str, tuple[str, str]] = {
    # --- general -------------------------------------------------------------------------
    "welcome": (
        "您好！这里是在线消费纠纷解决（ODR）助手。我可以帮您向已加入ODR的企业投诉，"
        "并跟进企业的处理。\n回复「投诉」开始，「查询」查看进度，「帮助」查看全部指令。",
        "Hello! I am the online consumer-dispute (ODR) assistant. I help you file a complaint "
        "with enterprises enrolled in ODR and follow it up.\nSend \"complain\" to start, "
        "\"status\" to check progress, \"help\" for all commands.",
    ),
    "help": (
        "可用指令：\n· 投诉 — 开始一条新投诉\n· 查询 [编号] — 查看投诉进度\n"
        "· 取消 — 放弃正在填写的投诉\n· 撤回 <编号> — 撤回已提交的投诉\n"
        "· 帮助 — 显示本说明\n填写过程中可以随时更正，例如「金额改成300」「电话写错了」。",
        "Commands:\n· complain — start a new complaint\n· status [ref] — check progress\n"
        "· cancel — discard the complaint you are filling in\n· withdraw <ref> — withdraw a "
        "submitted complaint\n· help — this text\nYou can correct any answer while filing, "
        "e.g. \"amount 300\" or \"phone is wrong\".",
    ),
    "unknown": (
        "抱歉，我没有理解您的意思。回复「投诉」开始投诉，「查询」查看进度，「帮助」查看全部指令。",
        "Sorry, I did not understand. Send \"complain\" to file a complaint, \"status\" to "
        "check progress, or \"help\" for all commands.",
    ),
    "empty": (
        "您发送的消息是空的，请输入文字。",
        "Your message was empty. Please type some text.",
    ),
    "too_long": (
        "消息太长了（{length} 字），请精简到 {limit} 字以内再发送。",
        "That message is too long ({length} characters). Please keep it under {limit}.",
    ),
    "unsupported_media": (
        "暂时只能处理文字和照片，请用文字描述，或发送照片作为证据。",
        "I can only handle text and photos for now. Please type, or send a photo as evidence.",
    ),
    "voice_needs_text": (
        "暂时听不清语音，请用文字再说一遍。",
        "I could not understand the voice message. Please type it instead.",
    ),
    "internal_error": (
        "抱歉，系统刚才出了点问题，您的消息没有处理成功，请稍后再发一次。",
        "Sorry, something went wrong on our side and your message was not processed. "
        "Please send it again in a moment.",
    ),
    "resume": ("（继续填写投诉）{prompt}", "(Back to your complaint) {prompt}"),
    # --- intake questions ----------------------------------------------------------------
    "intake_start": (
        "好的，我来帮您投诉。我会一次问一个问题，随时回复「取消」可以放弃。",
        "OK, let's file your complaint. I'll ask one question at a time; send \"cancel\" "
        "at any point to stop.",
    ),
    "intake_understood": ("我从您的描述中了解到：{fields}", "From your message I noted: {fields}"),
    "ask_merchant": (
        "请问您要投诉哪个商家？请写商家名称（如商场、门店或公司名）。",
        "Which business is the complaint about? Please give its name (shop, mall or company).",
    ),
    "ask_product": (
        "请问您购买的是什么商品或服务？",
        "What goods or service did you buy?",
    ),
    "ask_facts": (
        "请简单描述一下发生了什么问题。",
        "Please describe briefly what went wrong.",
    ),
    "ask_purchase_date": (
        "请问是哪天购买的？（如 2026年11月3日、上周五；不记得可回复「跳过」）",
        "When did you buy it? (e.g. 2026-11-03 or \"last Friday\"; send \"skip\" if you "
        "don't remember)",
    ),
    "ask_amount": (
        "请问您付了多少钱？（如 3299元；不记得可回复「跳过」）",
        "How much did you pay? (e.g. 3299 yuan; send \"skip\" if you don't remember)",
    ),
    "ask_channel": (
        "请问是通过什么方式购买的？",
        "How did you buy it?",
    ),
    "ask_demands": (
        "您希望商家怎么解决？可以多选，例如回复「1 2」。",
        "What would you like the business to do? You may pick several, e.g. \"1 2\".",
    ),
    "ask_contact": (
        "请留下您的姓名和手机号，方便企业联系您（例如：张三 13912345678）。",
        "Please give your name and mobile number so the business can reach you "
        "(e.g. Zhang San 13912345678).",
    ),
    "ask_consumer_name": ("请问您怎么称呼（姓名）？", "What is your name?"),
    "ask_consumer_phone": (
        "请留下您的手机号（11位）。",
        "Please give your mobile number (11 digits).",
    ),
    "ask_consumer_address": (
        "请问您所在的城市和区县？（如：鞍山市铁东区）",
        "Which city and district do you live in? (e.g. Tiedong District, Anshan)",
    ),
    "ask_merchant_address": (
        "请问该商家的地址（城市和区县即可）？",
        "Where is the business (city and district are enough)?",
    ),
    "ask_pick_enterprise": (
        "您说的是下面哪一家？回复编号；都不是请回复 0。",
        "Which of these do you mean? Reply with the number, or 0 if none.",
    ),
    "ask_which_field": ("请问要修改哪一项？", "Which item do you want to change?"),
    # --- validation hints ----------------------------------------------------------------
    "bad_merchant": ("商家名称不能为空，请写商家的名称。", "Please give the business's name."),
    "bad_amount": (
        "没有看懂金额，请写一个大于 0 的数字，例如「299元」。",
        "I could not read an amount. Please give a number above 0, e.g. \"299\".",
    ),
    "bad_date": (
        "没有看懂日期，请写成「2026年11月3日」或「上周五」这样的形式，且不能晚于今天。",
        "I could not read a date. Please write it like 2026-11-03 or \"last Friday\", "
        "not later than today.",
    ),
    "old_date": (
        "提示：购买日期已超过3年，企业可能以超过时效为由拒绝处理，投诉仍会照常提交。",
        "Note: the purchase was more than 3 years ago; the business may decline on that "
        "ground, but the complaint will still be filed.",
    ),
    "bad_phone": (
        "手机号格式不对，请输入 11 位中国大陆手机号，例如 13912345678。",
        "That is not a valid mobile number. Please give 11 digits, e.g. 13912345678.",
    ),
    "bad_choice": (
        "请回复选项前面的数字，或直接写出选项。",
        "Please reply with an option's number or its words.",
    ),
    "bad_text": (
        "请用文字回答这个问题。",
        "Please answer this question in words.",
    ),
    "skipped": ("好的，这一项先跳过。", "OK, skipping this one."),
    "give_up_field": (
        "这一项多次没有识别成功，先跳过，您可以在确认时修改。",
        "I could not read this after several tries; skipping it. You can change it before "
        "submitting.",
    ),
    "required_field": (
        "这一项是必填的，企业需要它才能处理您的投诉。",
        "This item is required for the business to handle your complaint.",
    ),
    # --- enterprise matching -------------------------------------------------------------
    "not_enrolled": (
        "在ODR企业名录中没有找到「{name}」。如果名称写错了，请直接回复正确的商家名称；"
        "如果该商家尚未加入ODR，请通过全国12315平台（https://www.12315.cn）或拨打 12315 向市场监管部门投诉。"
        "回复「取消」结束。",
        "\"{name}\" is not in the ODR enterprise registry. If the name is misspelt, reply with "
        "the correct name; otherwise the business has not joined ODR and you can complain to "
        "the market regulator on the national 12315 platform (https://www.12315.cn) or by calling "
        "12315. Send \"cancel\" to stop.",
    ),
    "not_enrolled_final": (
        "仍然没有找到这个商家，它可能尚未加入ODR。请通过全国12315平台（https://www.12315.cn）或拨打 12315 "
        "投诉，本次填写已结束。",
        "Still no match: the business may not have joined ODR. Please complain through the "
        "12315 platform (https://www.12315.cn) or call 12315. This complaint draft has been closed.",
    ),
    "matched_enterprise": ("已匹配到ODR企业：{name}（{district}）", "Matched ODR enterprise: {name} ({district})"),
    "none_of_these": ("都不是", "None of these"),
    # --- summary, consent, submit --------------------------------------------------------
    "summary": (
        "请核对您的投诉：\n{lines}",
        "Please check your complaint:\n{lines}",
    ),
    "confirm_yes": ("确认无误", "Confirm"),
    "confirm_edit": ("修改", "Change"),
    "confirm_cancel": ("取消", "Cancel"),
    "consent": (
        "为了处理您的投诉，需要把您的姓名、手机号、地址和投诉内容提供给「{enterprise}」"
        "（《个人信息保护法》第二十三条，向其他处理者提供个人信息须取得您的单独同意）。"
        "您是否同意？",
        "To handle your complaint, your name, mobile number, address and the complaint will "
        "be given to \"{enterprise}\" (PIPL art. 23: sharing personal data with another "
        "handler needs your separate consent). Do you agree?",
    ),
    "consent_yes": ("同意并提交", "Agree and submit"),
    "consent_no": ("不同意", "Do not agree"),
    "consent_refused": (
        "好的，未经您的同意，我们不会把投诉推送给企业。草稿已为您保留：回复「同意」即可提交，"
        "回复「取消」放弃。",
        "Understood: without your consent nothing is sent to the business. Your draft is "
        "kept: send \"agree\" to submit or \"cancel\" to discard it.",
    ),
    "submitted": (
        "投诉已提交！编号：{reference}\n已提交给「{enterprise}」。按照ODR规则，企业应在 {deadline} "
        "前与您联系协商。回复「查询 {reference}」随时查看进度。",
        "Complaint submitted! Reference: {reference}\nIt has gone to \"{enterprise}\". "
        "Under the ODR rules the business must contact you by {deadline}. Send "
        "\"status {reference}\" any time to check progress.",
    ),
    "cancelled": ("已取消本次投诉，草稿已删除。", "Cancelled; the draft has been discarded."),
    "nothing_to_cancel": (
        "您当前没有正在填写的投诉。",
        "You have no complaint in progress.",
    ),
    "evidence_saved": (
        "已收到证据照片（共 {count} 张）。",
        "Photo received as evidence ({count} in total).",
    ),
    "evidence_no_case": (
        "已收到照片。如需投诉请先回复「投诉」，照片可以在填写时发送。",
        "Photo received. To file a complaint send \"complain\" first; you can send photos "
        "while filling it in.",
    ),
    # --- status --------------------------------------------------------------------------
    "status_none": (
        "您还没有提交过投诉。回复「投诉」开始。",
        "You have not filed any complaint yet. Send \"complain\" to start.",
    ),
    "status_list": ("您的投诉：\n{lines}\n回复「查询 编号」查看详情。", "Your complaints:\n{lines}\nSend \"status <ref>\" for details."),
    "status_line": (
        "{reference} {merchant}｜{status}｜{next}{deadline}",
        "{reference} {merchant} | {status} | {next}{deadline}",
    ),
    "status_detail": (
        "投诉 {reference}\n商家：{merchant}\n商品/服务：{product}\n状态：{status}\n"
        "下一步：{next}\n处理期限：{deadline}\n最新消息：{last}",
        "Complaint {reference}\nBusiness: {merchant}\nGoods/service: {product}\n"
        "Status: {status}\nNext: {next}\nDeadline: {deadline}\nLatest message: {last}",
    ),
    "status_not_found": (
        "没有找到您名下编号为 {reference} 的投诉，请核对编号。",
        "You have no complaint with reference {reference}. Please check the number.",
    ),
    "no_messages": ("暂无", "none yet"),
    "deadline_suffix": ("，期限 {deadline}", ", due {deadline}"),
    "withdrawn": ("投诉 {reference} 已撤回。", "Complaint {reference} has been withdrawn."),
    "cannot_withdraw": (
        "投诉 {reference} 当前状态为「{status}」，不能撤回。",
        "Complaint {reference} is {status} and cannot be withdrawn.",
    ),
    "withdraw_usage": ("请回复「撤回 编号」，例如：撤回 TS20261122000001", "Send \"withdraw <ref>\", e.g. withdraw TS20261122000001"),
    # --- staff in chat ---------------------------------------------------------------------
    "bind_ok": (
        "绑定成功！您现在是「{enterprise}」的客服。新投诉会推送到这里。\n"
        "回复「列表」查看待处理投诉；「帮助」查看客服指令。",
        "Bound! You are now customer service for \"{enterprise}\". New complaints will "
        "arrive here. Send \"列表\" for open cases, \"help\" for staff commands.",
    ),
    "bind_failed": (
        "绑定码无效、已使用或已过期，请向管理员索取新的绑定码。",
        "That binding code is invalid, used or expired. Ask your admin for a new one.",
    ),
    "bind_locked": (
        "绑定尝试次数过多，请一小时后再试。",
        "Too many binding attempts. Please try again in an hour.",
    ),
    "bind_usage": ("请回复「绑定 绑定码」。", "Send \"绑定 <code>\" (bind <code>)."),
    "unbound": ("已解除绑定，您将不再收到企业投诉通知。", "Unbound: no more complaint notices here."),
    "not_bound": ("您还没有绑定企业客服身份。", "You are not bound as enterprise staff."),
    "staff_help": (
        "客服指令：\n· 列表 — 待处理投诉\n· 受理 编号\n· 回复 编号 内容\n"
        "· 处理 编号 — 之后直接发送的文字都回复该投诉\n· 方案 编号 内容 — 提出解决方案\n"
        "· 拒绝 编号 理由\n· 办结 编号 结果 — 和解方案履行完毕\n· 解绑",
        "Staff commands (Chinese words):\n· 列表 — open cases\n· 受理 <ref> — accept\n"
        "· 回复 <ref> <text> — reply\n· 处理 <ref> — then plain text goes to that case\n"
        "· 方案 <ref> <text> — make an offer\n· 拒绝 <ref> <reason> — refuse\n"
        "· 办结 <ref> <result> — settlement carried out\n· 解绑 — unbind",
    ),
    "staff_list_empty": ("目前没有待处理的投诉。", "No open cases."),
    "staff_list": ("待处理投诉（按期限排序）：\n{lines}", "Open cases (by deadline):\n{lines}"),
    "staff_list_line": ("{ref}｜{status}｜期限 {deadline}｜{product}",
                        "{ref} | {status} | due {deadline} | {product}"),
    "staff_accepted": (
        "已受理 {ref}。消费者：{name}，手机 {phone}，地址 {address}。\n"
        "回复「回复 {ref} 内容」与消费者沟通，或「处理 {ref}」后直接发送文字。",
        "Accepted {ref}. Consumer: {name}, mobile {phone}, address {address}.\n"
        "Send \"回复 {ref} <text>\" or \"处理 {ref}\" and then plain text.",
    ),
    "staff_replied": ("已发送给消费者（{ref}）。", "Sent to the consumer ({ref})."),
    "staff_proposed": ("方案已发送，等待消费者确认（{ref}）。", "Offer sent; waiting for the consumer ({ref})."),
    "staff_refused": ("已告知消费者（{ref}），状态：和解未成。", "The consumer was told ({ref}); not settled."),
    "staff_settled": ("已办结 {ref}，已请消费者评价。", "Closed {ref}; the consumer is asked to rate it."),
    "staff_active": (
        "当前处理：{ref}（{status}）。之后直接发送的文字都会回复该投诉的消费者。",
        "Now handling {ref} ({status}). Plain text you send goes to its consumer.",
    ),
    "staff_no_active": (
        "请先用「处理 编号」选择投诉，或用「回复 编号 内容」。",
        "Pick a case with \"处理 <ref>\" first, or use \"回复 <ref> <text>\".",
    ),
    "staff_usage": (
        "请写明编号和内容，例如：{example}",
        "Give the reference and the text, e.g. {example}",
    ),
    "case_not_found": (
        "没有找到编号为 {ref} 的投诉，或您无权查看。",
        "No complaint {ref} that you may see.",
    ),
    "illegal_action": (
        "投诉 {ref} 当前状态为「{status}」，不能这样操作。",
        "Complaint {ref} is {status}; that action is not possible now.",
    ),
    "empty_text": ("内容不能为空。", "The text must not be empty."),
    "text_too_long": (
        "内容太长（{length} 字），请控制在 {limit} 字以内。",
        "Too long ({length} characters); keep it under {limit}.",
    ),
    # --- consumer in the negotiation ---------------------------------------------------------
    "relayed": ("已转达给「{enterprise}」（{ref}）。", "Passed on to \"{enterprise}\" ({ref})."),
    "which_case": (
        "您有多个进行中的投诉，这条消息要发给哪一个？",
        "You have several open complaints. Which one is this message for?",
    ),
    "no_proposal": ("您目前没有待确认的方案。", "There is no offer waiting for your answer."),
    "which_proposal": (
        "您有多个待确认的方案，请注明编号，例如「接受 {ref}」。",
        "Several offers wait for you; add the reference, e.g. \"accept {ref}\".",
    ),
    "proposal_accepted": (
        "您已接受方案，投诉 {ref} 和解成功。企业履行后会告知您，届时请为处理打分。",
        "You accepted the offer: {ref} is settled. The business will tell you when it is "
        "carried out; then please rate it.",
    ),
    "proposal_rejected": (
        "已告知企业您不接受该方案（{ref}），协商继续。",
        "The business was told you reject the offer ({ref}); the negotiation goes on.",
    ),
    "rate_usage": ("请回复「评价 1-5」，例如：评价 5", "Send \"rate 1-5\", e.g. rate 5"),
    "rate_confirm": (
        "确认给投诉 {ref}（{enterprise}）打 {stars} 星吗？",
        "Rate complaint {ref} ({enterprise}) {stars} out of 5?",
    ),
    "rate_yes": ("确认", "Confirm"),
    "rate_no": ("取消", "Cancel"),
    "rated": ("感谢您的评价！", "Thank you for your rating!"),
    "rate_cancelled": ("好的，未评价。", "OK, not rated."),
    "nothing_to_rate": (
        "您目前没有可以评价的投诉（和解成功后才能评价）。",
        "You have no complaint to rate yet (rating comes after a settlement).",
    ),
    "extended": (
        "好的，已为投诉 {ref} 继续等待，新的处理期限：{deadline}。",
        "OK, {ref} waits longer; the new deadline is {deadline}.",
    ),
    "extend_usage": (
        "请回复「继续等待 天数」，天数为 1-30 个工作日，例如：继续等待 5",
        "Send \"wait <days>\" with 1-30 working days, e.g. wait 5",
    ),
    "closed_by_you": ("投诉 {ref} 已结束。", "Complaint {ref} is closed."),
    "which_overdue": (
        "请注明编号，例如「继续等待 5 TS20261122000001」或「结束 TS20261122000001」。",
        "Add the reference, e.g. \"wait 5 TS20261122000001\" or \"close TS20261122000001\".",
    ),
    "nothing_overdue": (
        "您没有已超期或和解未成的投诉。",
        "You have no overdue or unsettled complaint.",
    ),
    "escalate_usage": ("请回复「转投诉 编号」。", "Send \"escalate <ref>\"."),
    "escalated": (
        "投诉 {ref} 已转为向市场监管部门投诉。请将以下材料提交至全国12315平台"
        "（https://www.12315.cn）或拨打 12315：\n{pack}\n可打印或存为 PDF 的完整材料（30 天内有效）：{link}",
        "Complaint {ref} is escalated to the market regulator. Submit the following on the "
        "national 12315 platform (https://www.12315.cn) or call 12315:\n{pack}\n"
        "Printable pack (valid 30 days): {link}",
    ),
    # --- states, actors --------------------------------------------------------------------
    "status.draft": ("填写中", "being filled in"),
    "status.submitted": ("已提交，待企业受理", "submitted, waiting for the business"),
    "status.accepted": ("企业已受理", "accepted by the business"),
    "status.negotiating": ("协商中", "in negotiation"),
    "status.proposed": ("企业已提出方案，待您确认", "the business made an offer; your answer is needed"),
    "status.settled": ("和解成功", "settled"),
    "status.not_settled": ("和解未成", "not settled"),
    "status.overdue": ("企业超期未处理", "overdue: the business did not act in time"),
    "status.escalated": ("已转市场监管部门", "escalated to the market regulator"),
    "status.withdrawn": ("已撤回", "withdrawn"),
    "status.closed": ("已办结", "closed"),
    "next.consumer": ("等待您的答复", "your answer is needed"),
    "next.enterprise": ("等待企业处理", "waiting for the business"),
    "next.either": ("双方协商中", "both sides are talking"),
    "next.none": ("无需操作", "nothing to do"),
    "sender.consumer": ("您", "You"),
    "sender.enterprise": ("企业", "Business"),
    "sender.system": ("系统", "System"),
}


def text(lang: str, key: str, **values: Any) -> str:
    zh, en = _CATALOGUE[key]
    template = en if lang == "en" else zh
    return template.format(**values) if values else template
