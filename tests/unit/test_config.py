"""Configuration: defaults without a file, env overrides, errors that name the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def test_defaults_need_no_file() -> None:
    config = load_config(env={})
    assert (config.server.host, config.server.port) == ("127.0.0.1", 8080)
    assert config.database.url.startswith("sqlite+aiosqlite:///./var/")
    assert not config.wechat.enabled
    assert not config.telegram.enabled


def test_example_file_documents_every_key() -> None:
    config = load_config(EXAMPLE, env={})
    text = EXAMPLE.read_text(encoding="utf-8")
    for section in ("server", "database", "wechat", "telegram", "odr", "relay",
                    "media", "log"):
        for key in getattr(config, section).__dataclass_fields__:
            assert f"\n{key} =" in text or f"\n# {key} =" in text, f"[{section}] {key}"


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[server]\nport = 9000\n[wechat]\ntoken = "file"\n')
    config = load_config(path, env={"ODRBOT_SERVER_PORT": "9100", "ODRBOT_WECHAT_TOKEN": "env"})
    assert config.server.port == 9100
    assert config.wechat.token == "env"


@pytest.mark.parametrize(
    ("content", "env", "names"),
    [
        pytest.param("[server]\nport = 70000\n", {}, "[server] port", id="port-range"),
        pytest.param("", {"ODRBOT_SERVER_PORT": "abc"}, "ODRBOT_SERVER_PORT", id="env-not-int"),
        pytest.param("[server]\nprot = 1\n", {}, "prot", id="unknown-key"),
        pytest.param("[sever]\n", {}, "sever", id="unknown-section"),
        pytest.param("[wechat]\nenabled = true\n", {}, "[wechat] token", id="wechat-missing"),
        pytest.param('[telegram]\nmode = "push"\n', {}, "[telegram] mode", id="bad-mode"),
        pytest.param('[wechat]\nenabled = true\ntoken = "t"\napp_id = "a"\napp_secret = "s"\n'
                     'encoding_aes_key = "short"\n', {}, "encoding_aes_key", id="bad-aes-key"),
        pytest.param("[server]\nworkers = 0\n", {}, "[server] workers", id="no-workers"),
        pytest.param("[server]\nworkers = 2\n", {}, "need PostgreSQL", id="workers-on-sqlite"),
        pytest.param('[server]\nworkers = 2\n[database]\nurl = "postgresql+asyncpg://h/d"\n'
                     '[telegram]\nenabled = true\ntoken = "1:x"\nmode = "polling"\n', {},
                     "Telegram polling", id="workers-with-polling"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, content: str, env: dict[str, str],
                             names: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=re.escape(names)):
        load_config(path, env=env)
