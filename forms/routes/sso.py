"""统一身份认证: sign in through the park's OpenID Connect provider (authlib's Starlette client, authorization code
flow with the provider's discovery document). Who the claims make the person is decided in
``services.accounts.single_sign_on``; a refusal is an error page in Chinese (403) and writes nothing."""

import warnings

import httpx
from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():  # authlib 1.9 announces on import that its httpx client moves to httpx2: not ours
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from forms.deps import SessionDep
from forms.routes.pages import _safe_next, finish_sign_in
from forms.web import page
from services.accounts import single_sign_on
from services.core.settings import Settings, get_settings

router = APIRouter(include_in_schema=False)
UNREACHABLE = "统一身份认证服务暂时无法访问，请稍后再试，或使用本系统的账户和密码登录。"
_clients: dict[tuple[str, str], OAuth] = {}


def _client(settings: Settings):
    """The provider's client for these settings (made once; the discovery document is read on first use)."""
    key = (settings.oidc_issuer, settings.oidc_client_id)
    if key not in _clients:
        oauth = OAuth()
        oauth.register("park", client_id=settings.oidc_client_id, client_secret=settings.oidc_client_secret,
                       server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
                       client_kwargs={"scope": "openid profile email", "timeout": 10})
        _clients[key] = oauth
    return _clients[key].create_client("park")


def _configured() -> Settings:
    settings = get_settings()
    if not settings.single_sign_on:
        raise HTTPException(status_code=404, detail="本园区未启用统一身份认证，请使用账户和密码登录。")
    return settings


@router.get("/login/sso")
async def sso_start(request: Request, next: str = "/applications"):
    client = _client(_configured())
    request.session["sso_next"] = _safe_next(next)
    try:
        return await client.authorize_redirect(request, str(request.url_for("sso_callback")))
    except (OAuthError, httpx.HTTPError, ValueError):
        return page(request, "error.html", status_code=503, status=503, message=UNREACHABLE)


@router.get("/login/sso/callback", name="sso_callback")
async def sso_callback(request: Request, session: SessionDep):
    settings = _configured()
    client = _client(settings)
    try:
        token = await client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or await client.userinfo(token=token))
    except OAuthError as error:
        message = "统一身份认证未完成（已取消或已过期），请重新登录。" if error.error in (
            "access_denied", "mismatching_state") else f"统一身份认证未完成：{error.error}"
        return page(request, "error.html", status_code=400, status=400, message=message)
    except (httpx.HTTPError, ValueError):
        return page(request, "error.html", status_code=503, status=503, message=UNREACHABLE)

    def sign_in():
        user = single_sign_on.account_for(session, settings, claims)  # SignOnRefused: 403 page, nothing kept
        return finish_sign_in(request, session, user, request.session.pop("sso_next", "/applications"))
    return await run_in_threadpool(sign_in)
