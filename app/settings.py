"""Every setting once, typed, with a help string. The only module that reads the environment."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"


class SettingsError(RuntimeError):
    """A setting is missing or wrong; raised at start-up with a message that says which."""


def _doc(help_text: str, **kwargs: object) -> object:
    return field(metadata={"help": help_text}, **kwargs)  # type: ignore[call-overload]


@dataclass(frozen=True)
class Settings:
    environment: str = _doc("'development' (default), 'test' or 'production'.", default="development")
    database_url: str = _doc(
        "SQLAlchemy URL of the database. Default: a SQLite file under ./var/.",
        default=f"sqlite:///{VAR_DIR / 'godialog.db'}",
    )
    redis_url: str | None = _doc(
        "Redis URL for pub/sub between app processes. Default: none (in-process broker).",
        default=None,
    )
    secret_key: str = _doc(
        "Key that signs session cookies and tokens. Generated into ./var/ in development; "
        "required in production.",
        default="",
    )
    base_url: str = _doc("Public address of the app, e.g. https://godialog.example.dk.",
                         default="http://localhost:8000")
    upload_dir: Path = _doc("Folder for uploaded materials (outside static/).", default=VAR_DIR / "uploads")
    max_upload_bytes: int = _doc("Largest upload accepted, in bytes.", default=10 * 1024 * 1024)
    default_locale: str = _doc("Language of the UI when nothing else says: 'da' or 'en'.", default="da")
    mail_backend: str = _doc("'console' (prints mails, default), 'memory' (tests) or 'smtp'.",
                             default="console")
    mail_from: str = _doc("Sender address of e-mails.", default="GoDialog <noreply@godialog.local>")
    smtp_host: str = _doc("SMTP host when MAIL_BACKEND=smtp.", default="localhost")
    smtp_port: int = _doc("SMTP port when MAIL_BACKEND=smtp.", default=25)
    event_log_keep: int = _doc("Events kept per room in the log (closed rooms are pruned to this).",
                               default=5000)
    ws_send_queue: int = _doc("Live events queued per socket before it is closed as too slow.",
                              default=1000)
    ws_heartbeat_seconds: float = _doc("Mean interval of socket heartbeats (randomised +-25%).",
                                       default=15.0)
    hub_check_seconds: float = _doc("How often the hub checks active rooms against the log.",
                                    default=3.0)
    command_rate: float = _doc("Socket commands per second allowed per socket (burst = 4x).",
                               default=10.0)
    ws_max_command_bytes: int = _doc(
        "Largest client command accepted, in bytes: a bigger one is answered with a too_large error "
        "(the serving flag --ws-max-size closes the socket for frames above that).", default=16384)
    ws_token_max_age: int = _doc("Seconds a signed socket token (?token=, projector and guests) stays valid.",
                                 default=12 * 60 * 60)
    ws_ticket_seconds: int = _doc(
        "Seconds the room ticket given with hello admits a reconnect without the database (a reconnect "
        "storm costs no permission queries; taking away access reaches reconnects after this).", default=120)
    hub_linger_seconds: float = _doc(
        "Seconds a room stays subscribed after its last local socket left (reconnects find it warm).",
        default=15.0)
    presence_ttl_seconds: float = _doc(
        "Seconds a socket counts as present without a refresh (a vanished process drops out after this).",
        default=30.0)
    presence_refresh_seconds: float = _doc("How often each process refreshes its sockets' presence.",
                                           default=10.0)
    redis_prefix: str = _doc("Prefix of Redis channels and keys (lets several deployments share one Redis).",
                             default="godialog")
    log_prune_seconds: float = _doc("How often the event log and old command receipts are pruned.",
                                    default=3600.0)
    command_receipt_days: int = _doc("Days a command receipt is kept (a resend after that runs again).",
                                     default=7)
    ws_commands_in_flight: int = _doc(
        "Commands of one socket that may run at once (only those that do not depend on each other's "
        "order, like idea.submit; the others run one by one).", default=4)
    db_write_threads: int = _doc(
        "Worker threads per process for transactions (commands, form posts). With DB_READ_THREADS it "
        "should stay within the database pool (10), so no thread waits for a connection.", default=6)
    db_read_threads: int = _doc(
        "Worker threads per process for socket admissions and replays: a reconnect storm waits for these, "
        "not for the threads of commands.", default=4)
    gil_switch_interval: float = _doc(
        "sys.setswitchinterval for the app process, in seconds: small, so a transaction's thread gets the "
        "GIL back soon after each database round trip while the event loop fans out. 0 keeps Python's.",
        default=0.0005)
    demo: bool = _doc("Load the demo project on start (make run).", default=False)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def cookie_secure(self) -> bool:
        return self.base_url.startswith("https://")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Read settings from the environment (upper-case names), then apply overrides."""
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.type, raw)
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        if not settings.secret_key:
            if settings.is_production:
                raise SettingsError("SECRET_KEY must be set in production (a long random string).")
            settings = _with_dev_secret(settings)
        return settings

    @classmethod
    def documented(cls) -> list[tuple[str, str]]:
        return [(f.name.upper(), f.metadata.get("help", "")) for f in fields(cls)]


def _convert(kind: object, raw: str) -> object:
    kind = str(kind)
    if "bool" in kind:
        return raw.lower() in {"1", "true", "yes", "on"}
    if kind.startswith("int"):
        return int(raw)
    if kind.startswith("float"):
        return float(raw)
    if "Path" in kind:
        return Path(raw)
    return raw


def _with_dev_secret(settings: Settings) -> Settings:
    from dataclasses import replace

    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        key = key_file.read_text().strip()
    else:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
    return replace(settings, secret_key=key)
