"""HTTP in and out: auth, roles and scopes, schemas, error mapping, the web console and the CLI."""
