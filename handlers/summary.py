"""The confirmation summary shown before consent and submission."""

from __future__ import annotations

import nlp
from bot.core.messages import Choice
from handlers.labels import CATEGORY_LABELS, FIELD_LABELS, NATURE_LABELS, label
from handlers.prefill import display_value
from handlers.state import Reply, State
from handlers.texts import text

SHOWN = (
    "merchant", "merchant_address", "product", "purchase_date", "amount", "channel", "facts",
    "demands", "order_no", "consumer_name", "consumer_phone", "consumer_address",
)


def summary_reply(state: State) -> Reply:
    lang, draft = state.lang, state.draft
    lines = []
    for key in SHOWN:
        if key == "order_no" and not draft.get(key):
            continue
        value = draft.get(key)
        if key == "merchant" and draft.get("_enterprise_name"):
            value = str(draft["_enterprise_name"])
        shown = display_value(key, value, lang)
        if key == "facts" and len(shown) > 120:
            shown = shown[:120] + "…"
        lines.append(f"· {label(FIELD_LABELS, key, lang)}：{shown}")
    labels = nlp.classify(f"{draft.get('product', '')} {draft.get('facts', '')}")
    lines.append(f"· {label(FIELD_LABELS, 'category', lang)}："
                 f"{label(CATEGORY_LABELS, labels.category, lang)}")
    lines.append(f"· {label(FIELD_LABELS, 'nature', lang)}："
                 f"{label(NATURE_LABELS, labels.nature, lang)}")
    evidence = draft.get("evidence") or []
    if evidence:
        lines.append(f"· 证据照片：{len(evidence)} 张" if lang != "en"
                     else f"· Photos: {len(evidence)}")
    choices = (Choice("1", text(lang, "confirm_yes")), Choice("2", text(lang, "confirm_edit")),
               Choice("3", text(lang, "confirm_cancel")))
    return Reply(text(lang, "summary", lines="\n".join(lines)), choices)
