"""EnterpriseIndex: a name as a consumer writes it → an enrolled enterprise, or None."""

from __future__ import annotations

import pytest

from nlp import EnterpriseIndex, EnterpriseRecord, MatchResult

REGISTRY = (
    EnterpriseRecord("AS001", "鞍山鑫汇国际时代广场有限公司", ("鑫汇广场",), "铁东区", "鞍山市铁东区"),
    EnterpriseRecord("AS004", "千盛百货（鞍山店）", (), "铁东区", "鞍山市铁东区"),
    EnterpriseRecord("ZY002", "千盛百货（张掖店）", (), "甘州区", "张掖市甘州区"),
    EnterpriseRecord("ZY001", "张掖七彩丹霞旅游开发有限公司", ("七彩丹霞",), "临泽县", "张掖市临泽县"),
    EnterpriseRecord("ZY012", "山丹军马场旅游开发有限公司", ("山丹马场",), "山丹县", "张掖市山丹县"),
    EnterpriseRecord("ZY010", "张掖华联商厦有限公司", ("张掖华联",), "甘州区", "张掖市甘州区"),
    EnterpriseRecord("AS021", "鞍山新东方培训学校", ("鞍山新东方",), "铁东区", "鞍山市铁东区"),
    EnterpriseRecord("AS002", "鞍山兴隆大家庭商业集团有限公司", ("兴隆大家庭",), "铁东区", "鞍山市铁东区"),
    EnterpriseRecord("AS003", "鞍山兴隆百货有限公司铁西分公司", (), "铁西区", "鞍山市铁西区"),
    EnterpriseRecord("AS013", "鞍山华润万家超市有限公司", ("华润万家",), "铁东区", "鞍山市铁东区"),
    EnterpriseRecord("ZY005", "张掖市万佳超市有限公司", ("万佳超市",), "甘州区", "张掖市甘州区"),
    EnterpriseRecord("AS024", "海底捞火锅（鞍山万象汇店）", (), "铁东区", "鞍山市铁东区万象汇"),
    EnterpriseRecord("ZY014", "海底捞火锅（张掖万达店）", (), "甘州区", "张掖市甘州区"),
    EnterpriseRecord("ZY011", "张掖金张掖大酒店有限公司", ("金张掖大酒店",), "甘州区", "张掖市甘州区"),
    EnterpriseRecord("OT004", "北京京东世纪贸易有限公司", ("京东",), "大兴区", "北京市"),
    EnterpriseRecord("OT007", "中国移动通信集团辽宁有限公司鞍山分公司", ("鞍山移动",), "铁东区", "鞍山市铁东区"),
)


@pytest.fixture(scope="module")
def index() -> EnterpriseIndex:
    return EnterpriseIndex(REGISTRY)


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        pytest.param("鞍山鑫汇国际时代广场有限公司", None, "AS001", id="merchant-exact"),
        pytest.param("鑫汇广场", None, "AS001", id="merchant-alias"),
        pytest.param("鑫汇", None, "AS001", id="merchant-abbreviation"),
        pytest.param("鑫惠国际时代广场", None, "AS001", id="merchant-homophone"),
        pytest.param("鑫汇国际时代广常", None, "AS001", id="merchant-typo"),
        pytest.param("七采丹霞", None, "ZY001", id="merchant-homophone-scenic-spot"),
        pytest.param("山单军马场", None, "ZY012", id="merchant-homophone-county-in-name"),
        pytest.param("我在鑫汇国际时代广场买的洗衣机", None, "AS001", id="merchant-in-a-sentence"),
        pytest.param("千盛百货张掖店", None, "ZY002", id="merchant-store-location"),
        pytest.param("千盛百货", "张掖", "ZY002", id="merchant-city-hint"),
        pytest.param("千盛百货", "鞍山市", "AS004", id="merchant-city-hint-other-branch"),
        pytest.param("海底捞万象汇店", None, "AS024", id="merchant-branch-word-glued-to-name"),
        pytest.param("华润玩家超市", None, "AS013", id="merchant-homophone-inside-more-name"),
        pytest.param("京东上买的手机", None, "OT004", id="merchant-in-a-sentence-before-a-verb"),
        pytest.param("在鞍山移动营业厅办的套餐", None, "OT007", id="merchant-business-word-after-name"),
        pytest.param("金张掖大饭店", None, "ZY011", id="merchant-word-of-two-business-kinds"),
        pytest.param("中国移动", "鞍山", "OT007", id="merchant-chain-branch-with-city-hint"),
    ],
)
def test_match_finds_the_enterprise(
    index: EnterpriseIndex, text: str, hint: str | None, expected: str
) -> None:
    result = index.match(text, hint)
    assert result.enterprise_id == expected
    assert result.candidates[0][0] == expected
    assert 0.8 <= result.score <= 1.0


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        pytest.param("沃尔玛", None, id="merchant-not-enrolled"),
        pytest.param("华联超市", None, id="merchant-other-kind-of-business"),
        pytest.param("鞍山新东方烹饪学校", None, id="merchant-longer-different-name"),
        pytest.param("千盛百货", "兰州", id="merchant-branch-in-another-city"),
        pytest.param("商场", None, id="merchant-generic-word"),
        pytest.param("", None, id="merchant-empty"),
        pytest.param("兴隆", None, id="merchant-bare-brand-of-two-enterprises"),
        pytest.param("中国移动", None, id="merchant-chain-name-without-location"),
    ],
)
def test_match_returns_none_when_not_enrolled(
    index: EnterpriseIndex, text: str, hint: str | None
) -> None:
    assert index.match(text, hint).enterprise_id is None


def test_confusable_pair_without_hint_returns_candidates_to_choose_from(
    index: EnterpriseIndex,
) -> None:
    result = index.match("千盛百货")
    assert result.enterprise_id is None
    assert {eid for eid, _ in result.candidates[:2]} == {"AS004", "ZY002"}


def test_candidates_are_ranked_and_bounded(index: EnterpriseIndex) -> None:
    result = index.match("百货")
    assert isinstance(result, MatchResult)
    assert len(result.candidates) <= 5
    scores = [score for _, score in result.candidates]
    assert scores == sorted(scores, reverse=True)


def test_len_counts_enrolled_enterprises(index: EnterpriseIndex) -> None:
    assert len(index) == len(REGISTRY)
    assert len(EnterpriseIndex([])) == 0
    assert EnterpriseIndex([]).match("鑫汇").enterprise_id is None
