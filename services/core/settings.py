"""Settings for every process of Green Channel, read from ``GC_…`` environment variables.

One place decides where data lives (``GC_DATA_DIR``), which database is used
(``GC_DATABASE_URL``; SQLite file under the data folder by default, PostgreSQL in production)
and how Prefect is reached. Nothing here talks to the network.
"""

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GC_", extra="ignore")

    data_dir: Path = Field(default=REPO_ROOT / "data", description="SQLite file, Prefect home, documents")
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite in data_dir")
    secret_key: str = Field(default="", description="signs session cookies and API tokens")
    secure_cookies: bool = Field(default=False, description="set the Secure flag (behind HTTPS)")
    prefect_api_url: str = Field(default="", description="external Prefect API; empty: `run` starts one")
    prefect_ui_url: str = Field(default="", description="base URL of the Prefect UI for links")
    prefect_port: int = 4200
    prefect_database_url: str = Field(default="", description="Prefect server DB; empty: SQLite")
    prefect_server_urls: str = Field(
        default="", description="every Prefect API server, comma-separated (each keeps its own queue of background "
                                "tasks: a worker subscribes to all of them); empty: the one API URL")
    redis_url: str = Field(default="", description="Redis for Prefect's messaging and services when several Prefect "
                                                   "servers share one database; empty: in-memory (one server)")
    file_store: Literal["local", "database"] = Field(
        default="local", description="where generated documents and uploads are kept: the data folder (one machine), "
                                     "or the database (shared by every instance)")
    issuer_name: str = "东莞市战略性新兴产业基地绿色通道服务中心"
    issuer_short: str = "东莞绿通"
    certificates_file: str = Field(default="", description="拿地即开工 certificates of the park (TOML: issuing "
                                   "authorities, seal texts, 证号 series, cadastral codes); empty: the bundled 东莞 "
                                   "file services/land_to_start/data/certificates.toml")
    mu_evaluation_file: str = Field(default="", description="the park's 亩均效益综合评价办法 (TOML: indicators, "
                                    "weights, A/B/C/D class limits); empty: the bundled illustrative "
                                    "services/standard_land/data/mu_evaluation.toml")
    eia_commitment_file: str = Field(default="", description="the park's 环评告知承诺制 configuration (TOML: positive "
                                     "list with its source and date; may name its exemption_file and simplified_file); "
                                     "empty: the bundled illustrative services/eia/data/eia_commitment.toml")
    signing_pkcs12: str = Field(default="", description="the issuer's signing key and certificate (PKCS#12 file); "
                                                   "empty: a demo CA and certificate generated into data_dir")
    signing_pkcs12_passphrase: str = Field(default="", description="passphrase of signing_pkcs12")
    signing_trust_root: str = Field(default="", description="CA certificate (PEM) that issued signing_pkcs12's "
                                                        "certificate; the 文书查验 page trusts signatures up to it")
    signing_tsa_url: str = Field(default="", description="RFC 3161 time-stamping service for the signatures; "
                                                     "empty: no timestamp")
    seal_image: str = Field(default="", description="印章 of the issuer (GC_ISSUER_NAME), PNG or SVG, printed over the "
                            "date of the documents it signs; empty: a demo seal marked 演示印章 on every document")
    handler_phone: str = "0769-22830000"
    platform_name: str = Field(default="东莞市产业项目绿色通道服务平台",
                               description="the platform's name in page titles (the park's own name goes here)")
    supervisor_name: str = Field(default="东莞市绿色通道产业园区管理委员会",
                                 description="监管方 named in commitment letters and supervision agreements")
    indicator_margin: Decimal = Field(default=Decimal("0.10"), ge=0, lt=1,
                                      description="a planned value this close to its threshold is 临界 (at risk)")
    sla_sweep_minutes: int = Field(default=10, ge=0, description="how often the SLA sweep runs; 0 = not scheduled")
    progress_report_cron: str = Field(default="0 8 * * 1", description="weekly 办理进度报告 (China time); empty = off")
    supplement_working_days: int = Field(default=10, ge=1, description="补正期限 stated on the 一次性告知书")
    agent_reply_working_days: int = Field(default=1, ge=1,
                                          description="限时回复: an assigned agent contacts the enterprise within")
    agency_name: str = Field(default="东莞市绿色通道代办服务中心", description="受托方 named on 代办 mandates")
    max_upload_mb: int = Field(default=20, ge=1, description="largest file accepted for 补正 material")
    dispatch_sweep_seconds: float = Field(default=30.0, description="how often lost hand-overs are retried")
    stuck_after_seconds: int = Field(default=120, ge=0,
                                     description="a run that should have moved this long ago is repaired")
    task_worker_stale_seconds: float = Field(
        default=60.0, gt=0, description="a task worker without a heartbeat this long is not ready; twice, replaced")
    task_worker_max_rss_mb: int = Field(default=1536, ge=0,
                                        description="a task worker using more memory is recycled (0 = no limit)")
    login_max_failures: int = Field(default=5, ge=1, description="failed sign-ins per account and address")
    login_window_minutes: int = 15
    login_account_max_failures: int = Field(default=100, ge=1,
                                            description="failed sign-ins per account from all addresses together")
    verify_per_minute: int = Field(default=10, ge=1, description="文书查验 lookups per client address a minute")
    api_token_hours: int = 8
    smtp_host: str = Field(default="", description="SMTP server for notification e-mail; empty: e-mail is off")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP port (25 relay, 587 submission)")
    smtp_username: str = Field(default="", description="SMTP login; empty: no authentication")
    smtp_password: str = Field(default="", description="SMTP password for smtp_username")
    smtp_starttls: bool = Field(default=False, description="upgrade the SMTP connection with STARTTLS")
    mail_from: str = Field(default="greenchannel@localhost", description="From address of notification e-mail")
    public_base_url: str = Field(default="http://127.0.0.1:8000",
                                 description="the site's address as users reach it: links in e-mail, the 扫码查验 "
                                             "QR code on documents")
    map_tile_url: str = Field(default="", description="公开地块地图的底图瓦片地址 (Leaflet URL template, e.g. 天地图 "
                                                    "WMTS with your key); empty: parcel outlines on a plain background")
    map_tile_subdomains: str = Field(default="abc", description="values of {s} in map_tile_url (天地图: 01234567)")
    map_tile_attribution: str = Field(default="", description="底图 credit shown on the map, e.g. 天地图 审图号")
    oidc_issuer: str = Field(default="", description="统一身份认证: the OpenID Connect provider's issuer URL; "
                                                     "empty: single sign-on is off")
    oidc_client_id: str = Field(default="", description="this site's client id at the provider")
    oidc_client_secret: str = Field(default="", description="this site's client secret at the provider")
    oidc_button: str = Field(default="统一身份认证登录", description="the sign-in page's button for single sign-on")
    oidc_role_claim: str = Field(default="gc_role", description="claim naming the role: enterprise, agent, reviewer, "
                                                                "supervisor (or 企业, 代办专员, 部门审查员 …)")
    oidc_department_claim: str = Field(default="department", description="claim naming a staff member's department")
    oidc_uscc_claim: str = Field(default="uscc", description="claim carrying an enterprise's 统一社会信用代码")
    oidc_enterprise_claim: str = Field(default="enterprise_name", description="claim naming the enterprise")

    @property
    def single_sign_on(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'greenchannel.db'}"

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def prefect_home(self) -> Path:
        return self.data_dir / "prefect"

    @property
    def effective_secret_key(self) -> str:
        """A stable per-installation key: given, or generated once into the data folder."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            import secrets

            self.data_dir.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()

    @property
    def effective_prefect_api_url(self) -> str:
        """The Prefect API every process talks to: the given one, or the server ``run`` starts here."""
        return self.prefect_api_url.rstrip("/") or f"http://127.0.0.1:{self.prefect_port}/api"

    @property
    def prefect_servers(self) -> list[str]:
        """Every Prefect API server a task worker must subscribe to (each queues background tasks in memory)."""
        given = [url.strip().rstrip("/") for url in self.prefect_server_urls.split(",") if url.strip()]
        return given or [self.effective_prefect_api_url]

    def prefect_ui_base(self) -> str:
        if self.prefect_ui_url:
            return self.prefect_ui_url.rstrip("/")
        if self.prefect_api_url:
            return self.prefect_api_url.rstrip("/").removesuffix("/api")
        return f"http://127.0.0.1:{self.prefect_port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
