"""The access room: users, roles, entity scope and API tokens, shared by the API and the CLI."""
