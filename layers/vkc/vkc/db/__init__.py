"""PostgreSQL access: engine, ORM models, migrations."""
