"""Complaint classification: category, nature, demands, channel, prepaid (TAXONOMY §1-4).

A linear model trained on our own corpus (nlp/train.py) gives probabilities; lexicon
rules add evidence where word lists are more reliable (product names, cue words).
"""

from __future__ import annotations

from nlp.channel import channel_scores
from nlp.demands import demands_in_narrative
from nlp.features import features
from nlp.lexicon.categories import kind_of
from nlp.model_store import load_model
from nlp.nature import decide_nature
from nlp.rules import category_votes, prepaid_cue
from nlp.text import clip, normalize, own_words
from nlp.tokenizer import cut
from nlp.types import Classification

# How much the rule votes count against the model's probabilities (0..1).
RULE_WEIGHT = {"category": 0.45, "channel": 0.5}
_DEFAULTS = {"category": "X00", "nature": "other", "channel": "unknown"}


def _blend(model_probs: dict[str, float], votes: dict[str, float], head: str) -> tuple[str, float]:
    """Best label and its blended score; rule votes are turned into a distribution first."""
    total = sum(votes.values())
    weight = RULE_WEIGHT[head] if total > 0 else 0.0
    if not model_probs:
        weight = 1.0 if total > 0 else 0.0
    scores: dict[str, float] = {k: (1.0 - weight) * p for k, p in model_probs.items()}
    for label, vote in votes.items():
        scores[label] = scores.get(label, 0.0) + weight * vote / total
    if not scores:
        return _DEFAULTS[head], 0.0
    best = max(scores, key=scores.__getitem__)
    return best, round(min(1.0, scores[best]), 4)


def classify(text: str) -> Classification:
    """Labels for a complaint text; empty or meaningless input gets low confidences."""
    norm = normalize(clip(text or ""))
    own = own_words(norm)
    words = cut(norm)
    model = load_model()
    feats = features(norm, words)
    indices = model.indices(feats) if model is not None else []
    if not indices and not norm.strip():
        return _empty()
    probs = model.predict(indices, len(feats)) if model is not None else {}
    category, category_conf = _blend(probs.get("category", {}), category_votes(words), "category")
    nature, nature_conf = decide_nature(probs.get("nature", {}), own)
    channel, channel_conf = _blend(probs.get("channel", {}), channel_scores(norm), "channel")
    prepaid_probs = probs.get("prepaid", {})
    cue = prepaid_cue(norm)
    prepaid = cue == 1.0 or (cue > 0 and prepaid_probs.get("yes", 1.0) >= 0.5)
    return Classification(
        category=category,
        category_confidence=category_conf,
        kind=kind_of(category),
        nature=nature,
        nature_confidence=nature_conf,
        demands=demands_in_narrative(own),
        channel=channel,
        channel_confidence=channel_conf,
        prepaid=prepaid,
    )


def _empty() -> Classification:
    return Classification(
        category="X00", category_confidence=0.0, kind="other", nature="other",
        nature_confidence=0.0, demands=(), channel="unknown", channel_confidence=0.0,
        prepaid=False,
    )
