"""Graduates' access and verification links: secrets, PINs and link lifecycle rules.

Pure functions and value objects; the database side lives in ``services.sharing``.
"""
