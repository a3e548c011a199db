"""Storage: the one SQL schema (SQLite embedded, PostgreSQL in production) and the Store. SQL lives here only."""
