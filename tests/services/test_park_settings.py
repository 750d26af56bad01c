"""The park's own names and phone come from settings on every page (GC_ISSUER_NAME, GC_HANDLER_PHONE,
GC_PLATFORM_NAME), not from the templates: a second park changes settings, not code."""

from forms.web import templates
from services.core.settings import get_settings


def test_every_page_says_the_parks_names_and_phone_from_settings(monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "issuer_name", "苏州工业园区企业服务中心")
    monkeypatch.setattr(settings, "handler_phone", "0512-66680000")
    monkeypatch.setattr(settings, "platform_name", "苏州工业园区绿色通道服务平台")
    html = templates.env.get_template("login.html").render(user=None, csrf_token="x", next="/", username="")
    assert "<title>登录 · 苏州工业园区绿色通道服务平台</title>" in html
    assert "苏州工业园区企业服务中心 · 咨询电话 0512-66680000" in html
    assert "东莞" not in html and "0769" not in html
