"""The package's own jieba tokenizer: domain words stay whole; the global jieba is untouched."""

from __future__ import annotations

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nlp
from nlp import EnterpriseIndex, EnterpriseRecord
from nlp.segment import fast_cut
from nlp.tokenizer import add_words, cut, get_tokenizer


def test_own_tokenizer_not_the_global_one() -> None:
    assert get_tokenizer() is not jieba.dt


@pytest.mark.parametrize(
    "word",
    [
        pytest.param("纸尿裤", id="token-product"),
        pytest.param("帮宝适", id="token-brand"),
        pytest.param("退货退款", id="token-complaint-vocabulary"),
        pytest.param("官方旗舰店", id="token-shop-suffix"),
    ],
)
def test_domain_words_stay_whole(word: str) -> None:
    assert word in cut(f"我在网上买的{word}有问题")


def test_enrolled_names_become_tokens_without_touching_global_jieba() -> None:
    add_words(["鑫汇国际时代广场"])
    assert "鑫汇国际时代广场" in cut("我在鑫汇国际时代广场买的")
    assert "鑫汇国际时代广场" not in jieba.dt.FREQ


def test_building_an_index_enrols_its_names() -> None:
    EnterpriseIndex([EnterpriseRecord("ZY004", "张掖新乐超市连锁有限公司", ("欣乐多超市",))])
    assert "欣乐多超市" in cut("昨天在欣乐多超市买的牛奶")


def test_warm_up_is_idempotent() -> None:
    nlp.warm_up()
    tokenizer = get_tokenizer()
    nlp.warm_up()
    assert get_tokenizer() is tokenizer


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=120), st.sampled_from([
    "我在鑫汇国际时代广场花了3299元买的洗衣机坏了，要求退货退款！",
    "iPhone13 Pro 128G 屏幕有坏点 call 400-123-4567 #售后",
    "2025年3月5日 在京东自营买的 ThinkPad X1，用了3天就黑屏 ...",
])))
def test_fast_segmentation_equals_jieba(text: str) -> None:
    tokenizer = get_tokenizer()
    assert fast_cut(tokenizer, text) == list(tokenizer.cut(text, HMM=False))
