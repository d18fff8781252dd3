"""GraphQL for the catalog: the public service catalog and hall admins' item commands."""
