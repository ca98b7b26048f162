"""The installable web app and the officer's day on the phone: the manifest, the service
worker, the day's tasks and companies for reading offline, and steps logged offline sent
once (an idempotency key) when the connection returns."""
