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


def decide_nature(model_probs: dict[str, float], norm: str) -> tuple[str, float]:
    """Nature label and a confidence in 0..1."""
    votes = nature_votes(norm)
    specific = {k: v for k, v in votes.items() if k != "quality"}
    if specific:
        total = sum(specific.values())
        if model_probs.get("quality", 0.0) >= QUALITY_OVERRIDE and total <= THIN_EVIDENCE:
            return "quality", round(model_probs["quality"], 4)
        scores = {
            k: CUE_SHARE * v / total + (1 - CUE_SHARE) * model_probs.get(k, 0.0)
            for k, v in specific.items()
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
