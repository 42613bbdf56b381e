"""Understanding complaints: classification, field extraction, enterprise matching, intent.

Pure functions over text. Importing the package loads no dictionary and no model: the
tokenizer and the classifier load on first use, or up front with :func:`warm_up`.
"""

from nlp.classify import classify
from nlp.extract import (
    extract,
    parse_amount,
    parse_channel,
    parse_date,
    parse_demands,
    parse_mobile,
    parse_order_no,
    parse_phone,
)
from nlp.intent import detect_intent
from nlp.match import EnterpriseIndex
from nlp.tokenizer import warm_up
from nlp.types import Classification, EnterpriseRecord, Entities, Intent, MatchResult

__all__ = [
    "Classification", "EnterpriseIndex", "EnterpriseRecord", "Entities", "Intent", "MatchResult",
    "classify", "detect_intent", "extract", "parse_amount", "parse_channel", "parse_date",
    "parse_demands", "parse_mobile", "parse_order_no", "parse_phone", "warm_up",
]
