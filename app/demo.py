"""`python -m app.demo`: load the demo project (once) and print where to log in."""

from __future__ import annotations

from app.db import Database
from app.services.demo import DEMO_ACCOUNTS, DEMO_INVITE_TOKEN, DEMO_PASSWORD, load_demo
from app.settings import Settings


def main() -> None:
    settings = Settings.from_env()
    db = Database(settings.database_url)
    loaded, _events = db.run(load_demo)
    db.dispose()
    base = settings.base_url.rstrip("/")
    print()
    print("GoDialog demo " + ("loaded." if loaded else "is already there (nothing changed)."))
    print(f"  Open {base}/login and log in as:")
    for name, email, role in DEMO_ACCOUNTS:
        print(f"    {email:<22} password {DEMO_PASSWORD}   {name}, {role}")
    print(f"  Join as a citizen (no password): {base}/join/{DEMO_INVITE_TOKEN}")
    print()


if __name__ == "__main__":
    main()
