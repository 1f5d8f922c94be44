"""All settings, read from the environment in one place (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, IPvAnyNetwork, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.matching.scoring import ScoreWeights

# The deployment's own secrets, made once in the data directory when the settings give none: a
# backup does not hold them (keep them apart), and a restore over a directory carries them along.
DATA_KEY_FILE = "data-key"  # seals secrets stored in the graph (engine.services.secret_box)
TOKEN_SECRET_FILE = "token-secret"  # signs sign-in tokens (api.auth.tokens)
DEPLOYMENT_FILES = (DATA_KEY_FILE, TOKEN_SECRET_FILE)


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "lianjian"


class Settings(BaseSettings):
    """Configuration of a lianjian process. Environment variables are prefixed ``LIANJIAN_``;
    the Neo4j ones also answer to their usual names (``NEO4J_URI`` …)."""

    model_config = SettingsConfigDict(env_prefix="LIANJIAN_", extra="ignore", populate_by_name=True)

    backend: Literal["auto", "falkordb", "neo4j"] = Field(
        "auto", description="graph store: auto = neo4j when NEO4J_URI is set, else embedded FalkorDB"
    )
    data_dir: Path = Field(default_factory=_default_data_dir, description="embedded store's data directory")
    graph: str = Field("lianjian", description="graph (FalkorDB key) holding the data")
    falkordb_socket: Path | None = Field(
        None, description="unix socket of a FalkorDB server to use instead of starting one"
    )

    neo4j_uri: str | None = Field(None, validation_alias=AliasChoices("NEO4J_URI", "LIANJIAN_NEO4J_URI"))
    neo4j_user: str = Field("neo4j", validation_alias=AliasChoices("NEO4J_USER", "LIANJIAN_NEO4J_USER"))
    neo4j_password: str = Field(
        "neo4j", validation_alias=AliasChoices("NEO4J_PASSWORD", "LIANJIAN_NEO4J_PASSWORD")
    )
    neo4j_database: str = Field(
        "neo4j", validation_alias=AliasChoices("NEO4J_DATABASE", "LIANJIAN_NEO4J_DATABASE")
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="what the lianjian command logs (the store's start-up lines, access logs: INFO)"
    )
    log_format: Literal["json", "text"] = Field(
        "json",
        description="log lines of serve and worker: json (one object per line, with the request id) or "
        "text; demo --serve logs text unless this is set",
    )
    metrics_token: SecretStr | None = Field(
        None, description="when set, GET /metrics asks for it as a bearer token (unset: open to all)"
    )
    metrics_networks: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description='when set, GET /metrics answers only clients in these networks (JSON: ["10.0.0.0/8"])',
    )
    ready_timeout_seconds: float = Field(
        2.0, gt=0, le=60, description="how long GET /health/ready waits for the graph store to answer"
    )
    worker_metrics_port: int | None = Field(
        None, ge=1, le=65535, description="when set, lianjian worker serves /metrics on this port of host"
    )
    batch_size: int = Field(2000, ge=1, le=50000, description="rows per UNWIND batch in bulk loads")
    host: str = Field("127.0.0.1", description="address the API listens on")
    port: int = Field(8000, ge=1, le=65535, description="port the API listens on")

    secret_key: SecretStr | None = Field(
        None, description="signs sign-in tokens; when unset one is generated once in the data directory"
    )
    data_key: SecretStr | None = Field(
        None,
        description="32 bytes in base64 that seal secrets stored in the graph (TOTP seeds, AES-256-GCM); "
        "when unset one is generated once in the data directory as data-key",
    )
    token_minutes: int = Field(480, ge=1, le=10080, description="how long a sign-in token is valid")
    signin_window_minutes: int = Field(
        15, ge=1, le=1440, description="failed sign-ins are counted over this window (per name, per address)"
    )
    signin_slow_after: int = Field(
        3, ge=1, le=1000, description="after this many failures the next attempt waits signin_slow_seconds"
    )
    signin_slow_seconds: int = Field(
        5, ge=1, le=3600, description="seconds a slowed name or address waits after its last failure (429)"
    )
    signin_lock_after: int = Field(5, ge=1, le=1000, description="failures that lock the tried name (423)")
    signin_address_slow_after: int = Field(
        10, ge=1, le=10000, description="failures from one address before its next attempt waits (429)"
    )
    signin_address_lock_after: int = Field(
        30,
        ge=1,
        le=10000,
        description="failures from one address that lock it (429); an office may share one",
    )
    signin_lock_minutes: float = Field(
        15, gt=0, le=1440, description="how long a lock lasts; even the right password is refused meanwhile"
    )
    totp_required_roles: str = Field(
        "", description="comma-separated roles that must sign in with TOTP (e.g. 'admin'); '' for none"
    )
    password_min_length: int = Field(10, ge=8, le=128, description="shortest password accepted")

    points_per_hour: float = Field(
        10.0, ge=0, le=1000, description="points credited to a provider per hour once its hours are confirmed"
    )
    daily_hours_cap: float = Field(
        12.0, ge=1, le=24, description="hours a provider may log per Beijing calendar day, over all projects"
    )
    points_per_rating_star: int = Field(
        2, ge=0, le=1000, description="points credited to the rated party per star of a rating"
    )
    points_for_evaluating: int = Field(
        1, ge=0, le=1000, description="points credited to whoever gives an evaluation"
    )
    response_hours: int = Field(
        24, ge=1, le=720, description="a need counts as responded to when first claimed within these hours"
    )

    intake_per_contact_per_day: int = Field(
        5, ge=1, le=10000, description="requests (诉求) one phone or email may submit in 24 hours"
    )
    intake_per_address_per_day: int = Field(
        10, ge=1, le=10000, description="requests (诉求) one address or place may receive in 24 hours"
    )

    smtp_host: str | None = Field(
        None, description="SMTP server notifications are mailed through (unset: no mail)"
    )
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP server's port")
    smtp_from: str = Field("lianjian@localhost", description="sender address of notification mail")
    notify_max_attempts: int = Field(
        5, ge=1, le=100, description="delivery attempts before a notification fails"
    )
    notify_backoff_seconds: float = Field(
        30.0, ge=0, le=86400, description="first retry delay of a failed delivery; doubles per attempt"
    )
    notify_lease_seconds: float = Field(
        60.0, ge=1, le=3600, description="how long a worker holds a notification it is delivering"
    )
    notify_interval_seconds: float = Field(5.0, gt=0, le=3600, description="how often the worker delivers")
    evaluation_reminder_days: int = Field(
        3, ge=1, le=365, description="days after completion a secretary is reminded to rate the provider"
    )
    agreement_warning_days: int = Field(
        30, ge=1, le=365, description="days before an agreement's end its secretaries and unit are warned"
    )
    personal_data_retention_days: int = Field(
        180,
        ge=1,
        le=3650,
        description="days after a need closed (unchanged since) that its address and its requests' "
        "contacts are removed by the worker's purge_personal_data job (PIPL)",
    )

    audit_seal_seconds: float = Field(
        5.0, gt=0, le=3600, description="the API seals new audit entries into the hash chain this often"
    )
    audit_seal_batch: int = Field(500, ge=1, le=10000, description="audit entries sealed per statement")

    match_weights: ScoreWeights = Field(
        default_factory=ScoreWeights,
        description="points per feature of a matching score (JSON in LIANJIAN_MATCH_WEIGHTS)",
    )

    dispatch_executor: Literal["auto", "serial", "dask"] = Field(
        "auto",
        description="where a dispatch run's street partitions are solved: serial, dask (a cluster, or a "
        "LocalCluster of dispatch_workers processes), auto = dask when installed and an address is set",
    )
    dispatch_dask_address: str | None = Field(
        None, description="address of a Dask scheduler (tcp://host:8786) for dispatch runs"
    )
    dispatch_workers: int = Field(2, ge=1, le=256, description="workers of the local Dask cluster")
    dispatch_dask_min_streets: int = Field(
        20, ge=2, le=100000, description="with auto: fewer streets than this are solved serially"
    )

    @property
    def resolved_backend(self) -> Literal["falkordb", "neo4j"]:
        """The backend in use once ``auto`` is decided."""
        if self.backend == "auto":
            return "neo4j" if self.neo4j_uri else "falkordb"
        return self.backend


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
