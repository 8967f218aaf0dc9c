"""Exit 0 when the PostgreSQL server in the URL answers, 1 otherwise (used by `make test`)."""

import sys

import environ

url = sys.argv[1]
config = environ.Env.db_url_config(url)
if "postgresql" not in config["ENGINE"]:
    sys.exit(1)
try:
    import psycopg

    psycopg.connect(
        host=config.get("HOST") or "127.0.0.1",
        port=config.get("PORT") or 5432,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname=config.get("NAME") or "postgres",
        connect_timeout=3,
    ).close()
except Exception:
    sys.exit(1)
