"""The reservation API: Blazar's v1 REST API over the store."""
