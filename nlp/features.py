"""Sparse string features shared by training and inference: jieba words + character n-grams.

Character uni- and bigrams cover Chinese runs only: trigrams doubled the cost per text and the
model's size for no measurable gain, jieba's words carry the longer units. Latin letters and
digits count as whole tokens (XC60 must not teach the model that "x" means cars). Function
characters (的, 是, 一...) are not unigram features: they would learn the corpus's style.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.lexicon.categories import PRODUCTS

# Digits to 0 and ASCII capitals to lower case, in one C-level pass (same length).
_FOLD = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0000000000abcdefghijklmnopqrstuvwxyz")
_RUNS = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+")
_SINGLE_WORDS = frozenset(w for words in PRODUCTS.values() for w in words if len(w) == 1)
_STOP_CHARS = frozenset(
    "的是一了不在有我这个们来上为和到以说时要就出会可也你对能而那得于着下自之过后里用道所然种事成多么"
    "去都同现当没动面起看定天分还进好小其些样心她他它本前开但因只从想实日意无与把此已使很最并应向被什等"
    "或己给次再才太又更吧呢吗啊呀哦嘛啦怎谁哪几每各该其就还都而且及将并被让叫请"
    "买购货品点大感子发商物头生爱美利半少难起真东西"
)


def _grams(run: str, out: set[str]) -> None:
    n = len(run)
    for i in range(n):
        if run[i] not in _STOP_CHARS:
            out.add(run[i])
        if i + 1 < n:
            out.add(run[i : i + 2])


def features(norm: str, words: Sequence[str]) -> list[str]:
    """Unique features: Chinese 1-2-grams, Latin/digit tokens (``a:``), words (``w:``)."""
    text = norm.lower().translate(_FOLD)
    out: set[str] = set()
    for run in _RUNS.findall(text):
        if run[0].isascii():
            out.add("a:" + run)
        else:
            _grams(run, out)
    for word in words:
        if (len(word) > 1 or word in _SINGLE_WORDS) and (not word.isascii() or word.isalnum()):
            out.add("w:" + (word if word.isalpha() and not word.isascii() else word.translate(_FOLD)))
    return list(out)
