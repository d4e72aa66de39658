"""The reservation store's schema, engine wiring and migrations."""
