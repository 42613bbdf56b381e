"""Memory a serving process does not need to hold (issue 8: one process ≤ 250 MB)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.server_process import REPO

MATCH_IN_A_BUILT_APP = """
import sys
from bot.app import build_components
from bot.config import Config
from storage.people import EnterpriseRow

parts = build_components(Config())
parts.registry.replace([EnterpriseRow("as-xinhui", "鞍山鑫汇购物广场有限公司", ("鑫汇购物广场",),
                                      None, "辽宁省鞍山市铁东区", "胜利南路12号", ("G01",))])
found = parts.registry.match("我在新汇购物广场买的洗衣机坏了", None).enterprise
print(found.id if found else None)
print("pinyin-read" if "pypinyin.constants" in sys.modules else "pinyin-unused")
print("phrases-loaded" if "pypinyin.phrases_dict" in sys.modules else "no-phrases")
"""


def test_the_matcher_reads_pinyin_without_loading_pypinyins_phrases() -> None:
    # 新汇 for 鑫汇: the same syllables (xin hui), found through the characters' readings.
    done = subprocess.run([sys.executable, "-c", MATCH_IN_A_BUILT_APP], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["as-xinhui", "pinyin-read", "no-phrases"]
