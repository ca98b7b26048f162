"""Messages to users: in the app and by mail."""
