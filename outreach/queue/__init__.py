"""Long work off the web request: background jobs run by Huey workers (`flask worker`)."""
