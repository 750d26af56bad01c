"""Environment for every process that talks to Prefect: local home, our API, no telemetry.

Set before ``prefect`` is imported (its settings are read from the environment). With ``GC_REDIS_URL``, the
Prefect servers and their background services share events, caches, leases and scheduling through Redis
(``prefect-redis``), as Prefect's guide to scaling a self-hosted server asks for several API servers.
"""

import os
from pathlib import Path

import certifi

from services.core.settings import REPO_ROOT, Settings


def prefect_environment(settings: Settings) -> dict[str, str]:
    env = {
        "PREFECT_HOME": str(settings.prefect_home),
        "PREFECT_API_URL": settings.effective_prefect_api_url,
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOCAL_STORAGE_PATH": str(settings.prefect_home / "storage"),
        "PREFECT_UI_API_URL": settings.prefect_api_url.rstrip("/") or f"http://127.0.0.1:{settings.prefect_port}/api",
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(settings.prefect_port),
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",  # a resumed review run starts within a second
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p),
    }
    if settings.prefect_database_url:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = settings.prefect_database_url
    env.update(plain_http_trust(settings))
    if settings.redis_url:
        env.update(redis_environment(settings.redis_url))
    return env


def plain_http_trust(settings: Settings) -> dict[str, str]:
    """``PREFECT_API_SSL_CERT_FILE`` naming a file of one certificate, when every Prefect API is plain HTTP.

    Why: Prefect builds a TLS context for every API client it creates (several per task run) from the whole CA
    bundle, about 50 ms of CPU each: 18 % of the task worker's time while it carried a backlog to the 受理通知书
    (py-spy, ``bench/README.md``). Over plain HTTP no certificate is ever checked, and a one-certificate file
    loads in under a millisecond. Left alone when any API URL is HTTPS or the variable is already set.
    """
    urls = [settings.effective_prefect_api_url, *settings.prefect_servers]
    if os.environ.get("PREFECT_API_SSL_CERT_FILE") or not all(url.startswith("http://") for url in urls):
        return {}
    path = settings.prefect_home / "plain-http-trust.pem"
    if not path.exists():
        bundle = Path(certifi.where()).read_text()
        first = bundle[bundle.index(_BEGIN):bundle.index(_END) + len(_END)] + "\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}")  # two processes starting at once: one rename wins
        partial.write_text(first)
        partial.replace(path)
    return {"PREFECT_API_SSL_CERT_FILE": str(path)}


_BEGIN, _END = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"

TASK_PARAMETERS_BLOCK = "greenchannel-task-parameters"
TASK_PARAMETERS_TTL_SECONDS = 14 * 24 * 3600  # a hand-over waits in a queue for minutes, not weeks


def redis_environment(redis_url: str) -> dict[str, str]:
    """Prefect's server settings for several API servers and service processes on one database; and where a
    queued background task keeps its parameters (by default a file in the *caller's* local storage, which a task
    worker on another machine cannot read): a Redis block every machine reads (``save_task_parameters_block``)."""
    return {"PREFECT_TASKS_SCHEDULING_DEFAULT_STORAGE_BLOCK": f"redis-database/{TASK_PARAMETERS_BLOCK}",
            "PREFECT_SERVER_EVENTS_MESSAGING_BROKER": "prefect_redis.messaging",
            "PREFECT_SERVER_EVENTS_MESSAGING_CACHE": "prefect_redis.messaging",
            "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
            "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
            "PREFECT_REDIS_MESSAGING_URL": redis_url,
            "PREFECT_SERVER_DOCKET_URL": redis_url}


def apply(settings: Settings) -> None:
    os.environ.update(prefect_environment(settings))


def save_task_parameters_block(redis_url: str) -> None:
    """Create or update the Redis block named by ``PREFECT_TASKS_SCHEDULING_DEFAULT_STORAGE_BLOCK`` (idempotent;
    needs the Prefect API)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect_redis import RedisDatabase

    block = RedisDatabase.from_connection_string(redis_url)
    block.key_ttl = TASK_PARAMETERS_TTL_SECONDS
    with temporary_settings({PREFECT_API_URL: os.environ["PREFECT_API_URL"]}):  # never an ephemeral server
        block.save(TASK_PARAMETERS_BLOCK, overwrite=True)
