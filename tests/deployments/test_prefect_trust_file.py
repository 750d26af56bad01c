"""The one-certificate trust file for plain-HTTP Prefect APIs (``deployments.prefect_env.plain_http_trust``).

Prefect builds a TLS context for every API client it creates; from the whole CA bundle that costs ~50 ms of CPU
each time. Over plain HTTP no certificate is checked, so the processes get a file of one certificate instead.
Every test of the running stack (``tests/harness.py`` starts `run` on plain HTTP) has its Prefect clients built
from this file.
"""

import ssl

import pytest

from deployments.prefect_env import plain_http_trust, prefect_environment
from services.core.settings import Settings


@pytest.fixture
def no_cert_file_set(monkeypatch):
    monkeypatch.delenv("PREFECT_API_SSL_CERT_FILE", raising=False)


def test_plain_http_apis_get_a_one_certificate_file(tmp_path, no_cert_file_set):
    env = prefect_environment(Settings(data_dir=tmp_path, prefect_port=4999))
    trust = env["PREFECT_API_SSL_CERT_FILE"]
    assert trust == str(tmp_path / "prefect" / "plain-http-trust.pem")
    context = ssl.create_default_context(cafile=trust)
    assert len(context.get_ca_certs()) == 1

    # the same file again for the next process: not rewritten
    before = (tmp_path / "prefect" / "plain-http-trust.pem").stat().st_mtime_ns
    assert plain_http_trust(Settings(data_dir=tmp_path, prefect_port=4999)) == {"PREFECT_API_SSL_CERT_FILE": trust}
    assert (tmp_path / "prefect" / "plain-http-trust.pem").stat().st_mtime_ns == before


@pytest.mark.parametrize("given", [
    {"prefect_api_url": "https://prefect.park.example/api"},
    {"prefect_server_urls": "http://10.0.0.5:4200/api,https://10.0.0.6:4200/api"},
])
def test_any_https_api_keeps_prefects_own_trust(tmp_path, no_cert_file_set, given):
    assert plain_http_trust(Settings(data_dir=tmp_path, **given)) == {}
    assert "PREFECT_API_SSL_CERT_FILE" not in prefect_environment(Settings(data_dir=tmp_path, **given))
    assert not (tmp_path / "prefect" / "plain-http-trust.pem").exists()


def test_an_operators_own_trust_file_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_API_SSL_CERT_FILE", "/etc/park/prefect-ca.pem")
    assert plain_http_trust(Settings(data_dir=tmp_path)) == {}
