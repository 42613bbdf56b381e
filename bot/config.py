"""Configuration: TOML file plus ``ODRBOT_<SECTION>_<KEY>`` environment overrides.

Read once at start and validated; every error names the offending key, so an operator can
fix it without reading code. No file is needed for the defaults (DESIGN §5).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url


class ConfigError(ValueError):
    """A configuration value is missing or invalid; the message names the key."""


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""
    """Base URL users reach the server at (for links); defaults to http://host:port."""
    secret_key: str = ""
    """Signs links (escalation packs); empty: one is generated and kept in the database."""
    workers: int = 1
    """Processes serving the same port (PostgreSQL only: SQLite has one writer)."""


@dataclass(frozen=True)
class DatabaseConfig:
    url: str = "sqlite+aiosqlite:///./var/odrbot.sqlite3"
    echo: bool = False


@dataclass(frozen=True)
class WechatConfig:
    enabled: bool = False
    token: str = ""
    app_id: str = ""
    app_secret: str = ""
    encoding_aes_key: str = ""
    api_base: str = "https://api.weixin.qq.com"
    reply_budget_seconds: float = 4.0
    spool_dir: str = "./var/wechat-spool"
    """Messages answered "success" before their turn committed wait here (fsync'd)."""
    template_id: str = ""
    token_endpoint: str = "stable_token"
    """Where the access token comes from: ``stable_token`` (recommended) or ``token``."""


@dataclass(frozen=True)
class TelegramConfig:
    enabled: bool = False
    token: str = ""
    webhook_secret: str = ""
    mode: str = "webhook"
    api_base: str = "https://api.telegram.org"
    poll_timeout: int = 30
    """Long-poll seconds of one getUpdates call (polling mode)."""
    proxy: str = ""
    """HTTP proxy for reaching the Bot API (servers in mainland China need one)."""


@dataclass(frozen=True)
class OdrConfig:
    deadline_working_days: int = 10
    """The enterprise must negotiate a result within this many working days."""
    accept_working_days: int = 10
    """... and accept (first response) within this many; districts may be stricter."""
    calendar_file: str = ""
    """Optional TOML with extra or overriding years of holidays / make-up working days."""
    rules_file: str = ""
    """Optional TOML with per-district and per-enterprise deadline rules."""
    proposal_reminder_days: str = "2,5"
    settlement_check_days: int = 7
    extend_default_days: int = 5
    retention_days: int = 1095
    """Personal data of closed cases may be erased after this many days (PIPL)."""


@dataclass(frozen=True)
class RelayConfig:
    max_attempts: int = 8
    base_delay_seconds: float = 1.0
    max_delay_seconds: float = 300.0
    batch_size: int = 100


@dataclass(frozen=True)
class MediaConfig:
    dir: str = "./var/media"


@dataclass(frozen=True)
class LogConfig:
    level: str = "INFO"


@dataclass(frozen=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    wechat: WechatConfig = field(default_factory=WechatConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    odr: OdrConfig = field(default_factory=OdrConfig)
    relay: RelayConfig = field(default_factory=RelayConfig)
    media: MediaConfig = field(default_factory=MediaConfig)
    log: LogConfig = field(default_factory=LogConfig)

    @property
    def base_url(self) -> str:
        return self.server.public_url.rstrip("/") or f"http://{self.server.host}:{self.server.port}"


def _coerce(key: str, value: Any, target: type) -> Any:
    if target is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on"}:
            return True
        if isinstance(value, str) and value.lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    if target is int:
        if isinstance(value, bool):
            raise ConfigError(f"{key}: expected an integer, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected an integer, got {value!r}") from None
    if target is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected a number, got {value!r}") from None
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected a string, got {value!r}")
    return value


_TYPES = {"bool": bool, "int": int, "float": float, "str": str}


def _section(name: str, cls: type, raw: Mapping[str, Any], env: Mapping[str, str]) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ConfigError(f"[{name}] {sorted(unknown)[0]}: unknown key")
    values: dict[str, Any] = {}
    for fname, fdef in known.items():
        target = _TYPES[str(fdef.type)]
        env_key = f"ODRBOT_{name.upper()}_{fname.upper()}"
        if env_key in env:
            values[fname] = _coerce(env_key, env[env_key], target)
        elif fname in raw:
            values[fname] = _coerce(f"[{name}] {fname}", raw[fname], target)
    return cls(**values)


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the TOML file (optional) and apply environment overrides, then validate."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
    sections = {f.name: f for f in dataclasses.fields(Config)}
    unknown = set(raw) - set(sections)
    if unknown:
        raise ConfigError(f"[{sorted(unknown)[0]}]: unknown section")
    built: dict[str, Any] = {}
    for name in sections:
        section_raw = raw.get(name, {})
        if not isinstance(section_raw, dict):
            raise ConfigError(f"[{name}]: expected a table")
        cls = type(getattr(Config(), name))
        built[name] = _section(name, cls, section_raw, env)
    config = Config(**built)
    validate(config)
    return config


def validate(config: Config) -> None:
    if not 0 < config.server.port < 65536:
        raise ConfigError(f"[server] port: must be 1-65535, got {config.server.port}")
    if not config.database.url:
        raise ConfigError("[database] url: must not be empty")
    _validate_workers(config)
    if config.telegram.mode not in {"webhook", "polling"}:
        raise ConfigError(f"[telegram] mode: must be webhook or polling, got {config.telegram.mode!r}")
    if config.wechat.enabled:
        for key in ("token", "app_id", "app_secret"):
            if not getattr(config.wechat, key):
                raise ConfigError(f"[wechat] {key}: required when [wechat] enabled = true")
    _validate_wechat_keys(config.wechat)
    if config.telegram.enabled:
        if not config.telegram.token:
            raise ConfigError("[telegram] token: required when [telegram] enabled = true")
        if config.telegram.mode == "webhook" and not config.telegram.webhook_secret:
            raise ConfigError("[telegram] webhook_secret: required in webhook mode")
    for key in ("deadline_working_days", "accept_working_days", "settlement_check_days",
                "extend_default_days", "retention_days"):
        if getattr(config.odr, key) < 1:
            raise ConfigError(f"[odr] {key}: must be at least 1")
    if config.relay.max_attempts < 1:
        raise ConfigError("[relay] max_attempts: must be at least 1")


def _validate_workers(config: Config) -> None:
    workers = config.server.workers
    if workers < 1:
        raise ConfigError(f"[server] workers: must be at least 1, got {workers}")
    if workers == 1:
        return
    if make_url(config.database.url).get_backend_name() != "postgresql":
        raise ConfigError("[server] workers: several workers need PostgreSQL "
                          "([database] url = \"postgresql+asyncpg://...\"); SQLite has one writer, "
                          "use workers = 1")
    if config.telegram.enabled and config.telegram.mode == "polling":
        raise ConfigError("[server] workers: Telegram polling allows one poller; use "
                          "[telegram] mode = \"webhook\" with several workers")


def wechat_aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key behind the console's 43-character EncodingAESKey.

    Checked at start, so a mistyped key fails with a message naming it instead of every
    safe-mode request failing later (issue 3)."""
    bad = ConfigError("[wechat] encoding_aes_key: must be the 43 letters and digits of the "
                      "EncodingAESKey shown in the console (设置与开发 → 基本配置)")
    if len(encoding_aes_key) != 43 or not encoding_aes_key.isascii():
        raise bad
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise bad from None
    if len(key) != 32:
        raise bad
    return key


def _validate_wechat_keys(wechat: WechatConfig) -> None:
    if wechat.encoding_aes_key:
        wechat_aes_key(wechat.encoding_aes_key)
    if not 0 < wechat.reply_budget_seconds < 5:
        raise ConfigError("[wechat] reply_budget_seconds: must be above 0 and below 5 "
                          "(WeChat waits 5 seconds for the passive reply)")
    if wechat.token_endpoint not in {"stable_token", "token"}:
        raise ConfigError("[wechat] token_endpoint: must be stable_token or token, "
                          f"got {wechat.token_endpoint!r}")
