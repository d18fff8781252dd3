"""The GraphQL gateway: a Litestar application serving a Strawberry schema (HTTP concerns only)."""
