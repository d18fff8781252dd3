"""GraphQL for halls: registration (platform operators) and the caller's hall."""
