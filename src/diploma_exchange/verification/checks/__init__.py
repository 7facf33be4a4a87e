"""The verifier's checks, one module per family, run in the order of
:data:`diploma_exchange.verification.verifier.ORDER`:

- :mod:`.proof` - ``proof.signature``, ``proof.key-binding`` (fixes the secured document)
- :mod:`.coverage` - ``proof.coverage`` (nothing unsigned changes what the checks read)
- :mod:`.format` - ``format.schema``
- :mod:`.issuance` - ``issuance.record`` ("issued here")
- :mod:`.log` - ``issuance.log`` (the issuer NIC's transparency log)
- :mod:`.keys` - ``key.validity``
- :mod:`.dates` - ``validity.period``
- :mod:`.trust` - ``issuer.trust``
- :mod:`.accreditation` - ``issuer.accreditation``
- :mod:`.status` - ``status.revocation``, ``status.suspension``, ``status.other``

Each takes the :class:`~diploma_exchange.verification.state.Examined` state and its look-ups,
and returns checks; none raises for a bad credential.
"""
