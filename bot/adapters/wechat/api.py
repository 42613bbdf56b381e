"""An async client for the WeChat official-account API (aiohttp, configurable base URL).

wechatpy's client is synchronous and hard-codes the token URL (DESIGN §4), so this one
is ours. The access token comes from a :class:`TokenCache` shared by all workers; a
token error (40001 / 42001 / 40014) refreshes it once and retries the call once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp

from bot.adapters.wechat.ports import AccessToken, TokenCache

log = logging.getLogger(__name__)
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
TIMEOUT = aiohttp.ClientTimeout(total=10.0)
MAX_MEDIA_BYTES = 20 * 1024 * 1024
T = TypeVar("T")


class WechatApiError(Exception):
    """The API answered with a non-zero ``errcode``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


class WechatTransportError(Exception):
    """No usable answer (network, HTTP status, not JSON): worth retrying later."""


class WechatApi:
    def __init__(self, api_base: str, app_id: str, app_secret: str, tokens: TokenCache,
                 token_endpoint: str = "stable_token") -> None:
        self._base = api_base.rstrip("/")
        self._app_id = app_id
        self._secret = app_secret
        self._tokens = tokens
        self._token_endpoint = token_endpoint
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send_text(self, openid: str, content: str) -> None:
        await self.post("/cgi-bin/message/custom/send",
                        {"touser": openid, "msgtype": "text", "text": {"content": content}})

    async def send_image(self, openid: str, media_id: str) -> None:
        await self.post("/cgi-bin/message/custom/send",
                        {"touser": openid, "msgtype": "image", "image": {"media_id": media_id}})

    async def upload_image(self, filename: str, data: bytes, content_type: str) -> str:
        """Upload temporary media (WeChat keeps it 3 days) for an image message; its
        ``media_id``. Multipart, the file in the field ``media``."""
        async def upload(token: str) -> dict[str, Any]:
            form = aiohttp.FormData()  # built per call: a retried request needs a fresh one
            form.add_field("media", data, filename=filename, content_type=content_type)
            return await self._request("POST", "/cgi-bin/media/upload",
                                       params={"access_token": token, "type": "image"},
                                       data=form)

        answer = await self._with_token(upload)
        media_id = answer.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise WechatTransportError("media upload answered without media_id")
        return media_id

    async def send_template(self, openid: str, template_id: str, data: dict[str, str],
                            url: str = "") -> None:
        payload: dict[str, Any] = {"touser": openid, "template_id": template_id,
                                   "data": {k: {"value": v} for k, v in data.items()}}
        if url:
            payload["url"] = url
        await self.post("/cgi-bin/message/template/send", payload)

    async def create_menu(self, buttons: list[dict[str, str]]) -> None:
        await self.post("/cgi-bin/menu/create", {"button": buttons})

    async def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return await self._with_token(lambda token: self._json("POST", path, token, body))

    async def media(self, media_id: str) -> bytes:
        """Download a user's upload (images: WeChat keeps them 3 days)."""
        async def get(token: str) -> bytes:
            return await self._bytes("/cgi-bin/media/get", token, media_id)

        return await self._with_token(get)

    async def _with_token(self, call: Callable[[str], Awaitable[T]]) -> T:
        token = await self._tokens.get()
        if token is None:
            token = await self._tokens.refresh(None, self._fetch)
        try:
            return await call(token)
        except WechatApiError as exc:
            if exc.code not in TOKEN_ERRORS:
                raise
            log.warning("WeChat access token rejected (%s); refreshing once", exc.code)
            fresh = await self._tokens.refresh(token, self._fetch_forced)
            return await call(fresh)

    async def _fetch(self) -> AccessToken:
        return await self._fetch_token(force=False)

    async def _fetch_forced(self) -> AccessToken:
        return await self._fetch_token(force=True)

    async def _fetch_token(self, force: bool) -> AccessToken:
        if self._token_endpoint == "token":
            params = {"grant_type": "client_credential", "appid": self._app_id,
                      "secret": self._secret}
            answer = await self._request("GET", "/cgi-bin/token", params=params)
        else:
            payload = {"grant_type": "client_credential", "appid": self._app_id,
                       "secret": self._secret, "force_refresh": force}
            answer = await self._request("POST", "/cgi-bin/stable_token",
                                         data=json.dumps(payload).encode())
        value, expires = answer.get("access_token"), answer.get("expires_in", 7200)
        if not isinstance(value, str) or not value or not isinstance(expires, int):
            raise WechatTransportError("token answer without access_token")
        log.info("fetched a new WeChat access token (valid %d s)", expires)
        return AccessToken(value, expires)

    async def _json(self, method: str, path: str, token: str, body: bytes) -> dict[str, Any]:
        return await self._request(method, path, params={"access_token": token}, data=body)

    async def _request(self, method: str, path: str, params: dict[str, str] | None = None,
                       data: bytes | aiohttp.FormData | None = None) -> dict[str, Any]:
        session = self._open_session()
        is_json = isinstance(data, bytes) and bool(data)
        headers = {"Content-Type": "application/json; charset=utf-8"} if is_json else None
        try:
            async with session.request(method, self._base + path, params=params, data=data,
                                       headers=headers) as response:
                if response.status != 200:
                    raise WechatTransportError(f"HTTP {response.status} from {path}")
                raw = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise WechatTransportError(f"{type(exc).__name__} calling {path}") from exc
        return _checked(raw, path)

    async def _bytes(self, path: str, token: str, media_id: str) -> bytes:
        session = self._open_session()
        params = {"access_token": token, "media_id": media_id}
        try:
            async with session.get(self._base + path, params=params) as response:
                if response.status != 200:
                    raise WechatTransportError(f"HTTP {response.status} from {path}")
                raw = await read_limited(response.content, MAX_MEDIA_BYTES)
                is_json = response.content_type in {"application/json", "text/plain"}
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise WechatTransportError(f"{type(exc).__name__} calling {path}") from exc
        if is_json or raw[:1] == b"{":  # errors come back as JSON instead of the file
            _checked(raw, path)
            raise WechatTransportError(f"{path} answered JSON without an error code")
        return raw

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise WechatTransportError("WeChat API client is not started")
        return self._session


def _checked(raw: bytes, path: str) -> dict[str, Any]:
    try:
        answer = json.loads(raw)
    except ValueError as exc:
        raise WechatTransportError(f"{path} answered something that is not JSON") from exc
    if not isinstance(answer, dict):
        raise WechatTransportError(f"{path} answered {type(answer).__name__}, not an object")
    code = answer.get("errcode", 0)
    if isinstance(code, int) and code != 0:
        raise WechatApiError(code, str(answer.get("errmsg", "")))
    return answer


async def read_limited(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """The whole stream, or :class:`WechatTransportError` past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise WechatTransportError(f"download larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
