"""Socialisation: group sessions for companies, and the yearly coverage of the branch."""
