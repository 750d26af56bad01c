"""Environment for every process that talks to Prefect: local home, our API, no telemetry.

Set before ``prefect`` is imported (its settings are read from the environment). With ``GC_REDIS_URL``, the
Prefect servers and their background services share events, caches, leases and scheduling through Redis
(``prefect-redis``), as Prefect's guide to scaling a self-hosted server asks for several API servers.
"""

import os

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
    if settings.redis_url:
        env.update(redis_environment(settings.redis_url))
    return env


def redis_environment(redis_url: str) -> dict[str, str]:
    """Prefect's server settings for several API servers and service processes on one database."""
    return {"PREFECT_SERVER_EVENTS_MESSAGING_BROKER": "prefect_redis.messaging",
            "PREFECT_SERVER_EVENTS_MESSAGING_CACHE": "prefect_redis.messaging",
            "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
            "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
            "PREFECT_REDIS_MESSAGING_URL": redis_url,
            "PREFECT_SERVER_DOCKET_URL": redis_url}


def apply(settings: Settings) -> None:
    os.environ.update(prefect_environment(settings))
