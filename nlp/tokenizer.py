"""The package's own jieba tokenizer with a domain dictionary, loaded lazily or by warm_up().

Never the global ``jieba`` instance: other code in the process must not see (or change)
our vocabulary. The main dictionary is a frequency-pruned copy of jieba's own (written by
``python -m nlp.train``, see nlp/model/README.md) so that start-up stays well under a second;
jieba's full dictionary is the fallback when the pruned file is missing.
"""

from __future__ import annotations

import gzip
import io
import logging
import threading
import warnings
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

with warnings.catch_warnings():
    # jieba 0.42 may warn about pkg_resources or invalid escapes on first import.
    warnings.simplefilter("ignore")
    import jieba

from nlp.lexicon.categories import PRODUCTS
from nlp.lexicon.cues import COMPLAINT_WORDS, NATURE_CUES, PREPAID_CUES
from nlp.lexicon.names import BRANDS, CAR_BRANDS, CAR_MODELS, PLATFORMS, SHOP_SUFFIXES
from nlp.segment import fast_cut

MODEL_DIR = Path(__file__).resolve().parent / "model"
BASE_DICT = MODEL_DIR / "base_dict.txt.gz"

_lock = threading.Lock()
_state: dict[str, jieba.Tokenizer] = {}
_pending: set[str] = set()  # enrolled names waiting for the tokenizer's next use

# Frequencies for our words: high enough to win over jieba's splits of unknown names.
_DOMAIN_FREQ = 20000


def domain_words() -> list[tuple[str, str]]:
    """(word, part-of-speech tag) pairs of the domain dictionary."""
    words: list[tuple[str, str]] = []
    for items in PRODUCTS.values():
        words.extend((w, "n") for w in items)
    words.extend((w, "nt") for w in PLATFORMS)
    words.extend((w, "nz") for w in BRANDS)
    words.extend((w, "nz") for w in CAR_BRANDS)
    words.extend((w, "nz") for w in CAR_MODELS if len(w) >= 2)
    words.extend((w, "n") for w in SHOP_SUFFIXES if len(w) >= 2)
    for items in NATURE_CUES.values():
        words.extend((w, "v") for w in items if not w.isascii())
    words.extend((w, "v") for w in PREPAID_CUES if not w.isascii())
    words.extend((w, "n") for w in COMPLAINT_WORDS)
    return words


def _dictionary_lines() -> bytes:
    lines = [f"{word} {_DOMAIN_FREQ} {tag}" for word, tag in domain_words() if " " not in word]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _build() -> jieba.Tokenizer:
    logging.getLogger("jieba").setLevel(logging.WARNING)  # it logs its cache and timings
    tokenizer = jieba.Tokenizer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if BASE_DICT.exists():
            with gzip.open(BASE_DICT, "rb") as handle:
                freq, total = tokenizer.gen_pfdict(handle)
            tokenizer.FREQ, tokenizer.total = freq, total
            tokenizer.initialized = True
        else:
            tokenizer.initialize()
        tokenizer.load_userdict(io.BytesIO(_dictionary_lines()))
    return tokenizer


def get_tokenizer() -> jieba.Tokenizer:
    """The shared tokenizer, built on first use (thread-safe); pending names are added."""
    tokenizer = _state.get("tokenizer")
    if tokenizer is None or _pending:
        with _lock:
            tokenizer = _state.get("tokenizer")
            if tokenizer is None:
                tokenizer = _build()
                _state["tokenizer"] = tokenizer
            _add_pending(tokenizer)
    return tokenizer


def _add_pending(tokenizer: jieba.Tokenizer) -> None:
    if not _pending:
        return
    for word in sorted(_pending):
        tokenizer.add_word(word, _DOMAIN_FREQ, "nt")
    _pending.clear()
    cut.cache_clear()


def enrol_names(names: Iterable[str]) -> None:
    """Enterprise names and aliases to keep as single tokens (issue 5: added at start and
    when the registry changes). Cheap: they are added at the tokenizer's next use."""
    fresh = {n.strip() for n in names if len(n.strip()) >= 2 and " " not in n.strip()}
    with _lock:
        _pending.update(fresh)


def add_words(words: Iterable[str]) -> None:
    """Enrol words now (loads the tokenizer if needed)."""
    enrol_names(words)
    get_tokenizer()


@lru_cache(maxsize=256)
def cut(text: str) -> tuple[str, ...]:
    """Words of a (normalised) text, as jieba's ``cut(text, HMM=False)`` with our dictionary
    (see nlp/segment.py); cached because classify and extract share inputs."""
    return tuple(fast_cut(get_tokenizer(), text))


def warm_up() -> None:
    """Load the tokenizer and the classifier model; idempotent, call off the event loop."""
    get_tokenizer()
    cut("我在商场买的洗衣机坏了要求退货")
    from nlp.model_store import load_model  # local: keeps `import nlp` free of model IO

    load_model()
