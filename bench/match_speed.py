"""Matcher speed against 10,000 enrolled enterprises (synthetic registry + ours).

    .venv/bin/python bench/match_speed.py [--size 10000]

Prints build time, and median / p95 time per match for the bench cases and for noisy
synthetic queries; also the bench cases' accuracy against the big registry (the synthetic
names are distractors: the expected answers must not change).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from match_eval import load_cases, load_registry  # noqa: E402

from nlp import EnterpriseIndex, EnterpriseRecord  # noqa: E402

SYLLABLES = (
    "华 鑫 汇 隆 兴 盛 达 丰 源 泰 福 瑞 祥 康 宁 安 和 顺 利 通 金 银 宝 鼎 恒 永 昌 荣 嘉 佳 美 新 联 "
    "信 诚 德 天 海 山 川 明 光 辉 星 月 阳 春 秋 龙 凤 鹏 博 远 宏 伟 正 中 东 西 南 北 益 民 乐 家"
).split()
TYPES = ("超市", "商场", "购物广场", "大药房", "家电城", "酒店", "美发店", "健身俱乐部", "培训学校",
         "汽车销售服务有限公司", "装饰工程有限公司", "物业服务有限公司", "旅行社", "口腔诊所", "餐饮有限公司",
         "服装店", "家具城", "眼镜店", "农资有限公司", "景区管理处")
PLACES = ("鞍山", "鞍山市铁东区", "鞍山市铁西区", "鞍山市立山区", "海城", "张掖", "张掖市甘州区", "临泽县",
          "高台县", "山丹县", "沈阳", "兰州", "大连", "")


def synthetic(size: int, taken: str = "", seed: int = 5) -> list[EnterpriseRecord]:
    """Distractor enterprises; brands found in ``taken`` (our names and cases) are skipped,
    so that no synthetic record is a duplicate of an enrolled one."""
    rng = random.Random(seed)
    out: list[EnterpriseRecord] = []
    while len(out) < size:
        brand = "".join(rng.sample(SYLLABLES, rng.choice((2, 2, 3))))
        if brand in taken:
            continue
        i = len(out)
        place = rng.choice(PLACES)
        kind = rng.choice(TYPES)
        out.append(EnterpriseRecord(id=f"SY{i:05d}", name=f"{place}{brand}{kind}",
                                    aliases=(brand + kind[:2],), district=place[-3:]))
    return out


def _timed(index: EnterpriseIndex, queries: list[tuple[str, str | None]]) -> list[float]:
    times = []
    for text, hint in queries:
        start = time.perf_counter()
        index.match(text, hint)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    size = int(sys.argv[sys.argv.index("--size") + 1]) if "--size" in sys.argv else 10_000
    ours = load_registry()
    cases = load_cases()
    taken = " ".join([r.name for r in ours] + [a for r in ours for a in r.aliases]
                     + [c["text"] for c in cases])
    records = synthetic(size - len(ours), taken) + ours
    start = time.perf_counter()
    index = EnterpriseIndex(records)
    build = time.perf_counter() - start
    case_queries = [(c["text"], c.get("city_hint")) for c in cases]
    rng = random.Random(9)
    noisy = [(r.name[rng.randint(0, 3):], None) for r in rng.sample(records, 500)]
    _timed(index, case_queries[:20])  # warm caches
    t_cases = _timed(index, case_queries)
    t_noisy = _timed(index, noisy)
    right = sum(index.match(c["text"], c.get("city_hint")).enterprise_id == c["expected"]
                for c in cases)
    wrong = sum(
        (got := index.match(c["text"], c.get("city_hint")).enterprise_id) is not None
        and got != c["expected"] for c in cases
    )
    ms = 1000.0
    sys.stdout.write(
        f"registry: {len(index)} enterprises; build {build:.2f} s\n"
        f"bench cases ({len(cases)}): median {statistics.median(t_cases) * ms:.3f} ms, "
        f"p95 {sorted(t_cases)[int(0.95 * len(t_cases))] * ms:.3f} ms; "
        f"top-1 {right / len(cases):.3f}, wrong {wrong / len(cases):.3f}\n"
        f"noisy synthetic ({len(noisy)}): median {statistics.median(t_noisy) * ms:.3f} ms, "
        f"p95 {sorted(t_noisy)[int(0.95 * len(t_noisy))] * ms:.3f} ms\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
