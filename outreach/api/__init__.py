"""The JSON API for partner systems (`/api/v1`): tokens, their scoping, and the endpoints."""
