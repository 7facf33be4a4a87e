"""Wallet protocols: OpenID for Verifiable Credential Issuance 1.0 (issuing a graduate's
diploma into their own wallet) and OpenID for Verifiable Presentations 1.0 (asking a wallet
for it). Domain core: no web framework, no database."""
