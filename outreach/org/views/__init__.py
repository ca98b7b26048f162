"""The pages of accounts and branches: signing in, the home page, the admin pages."""
