"""GraphQL for halls: registration (platform operators), the caller's hall and its policies."""
