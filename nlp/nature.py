"""Problem nature (TAXONOMY §2): the model's probabilities, then the precedence of cues.

Quality is what every complaint sounds like ("坏了", "差"), so it is the residual class:
when the text carries cues of a more specific nature (fake, injury, refusal of remedy,
broken promise, overcharge, untrue advertising, short weight, insult), that nature wins
unless the model is very sure of quality and the cue evidence is thin.
"""

from __future__ import annotations

from nlp.rules import nature_votes

CUE_SHARE = 0.6  # weight of the cue distribution against the model among specific natures
QUALITY_OVERRIDE = 0.9  # model probability of quality that beats thin cue evidence
THIN_EVIDENCE = 1.0
FULL_EVIDENCE = 1.5
WEAK_ONLY = 0.5  # below this the cues are one weak word (说是, 客服, 预订): the model decides  # cue weight at which the cues get their full share against the model


def decide_nature(model_probs: dict[str, float], norm: str) -> tuple[str, float]:
    """Nature label and a confidence in 0..1."""
    votes = nature_votes(norm)
    specific = {k: v for k, v in votes.items() if k != "quality"}
    if "after_sales" in specific and "quality" not in votes and ("contract" in specific or "price" in specific):
        # No defect: unanswered service around a late, missing or cancelled order is still
        # the broken promise, and around a price drop still the price (eval README: after-sales
        # is a defect plus the refusal).
        del specific["after_sales"]
    if specific:
        total = sum(specific.values())
        quality = model_probs.get("quality", 0.0)
        thin = total <= THIN_EVIDENCE and quality >= QUALITY_OVERRIDE
        only_weak = total < WEAK_ONLY and quality >= max(model_probs.values())
        if thin or only_weak:
            return "quality", round(quality, 4)
        share = CUE_SHARE * min(1.0, total / FULL_EVIDENCE)
        labels = set(specific) | {k for k in model_probs if k != "quality"}
        scores = {
            k: share * specific.get(k, 0.0) / total + (1 - share) * model_probs.get(k, 0.0)
            for k in labels
        }
        best = max(scores, key=scores.__getitem__)
        return best, round(min(1.0, scores[best]), 4)
    if model_probs:
        best = max(model_probs, key=model_probs.__getitem__)
        return best, round(model_probs[best], 4)
    if votes:
        best = max(votes, key=votes.__getitem__)
        return best, 0.3
    return "other", 0.0
