"""Trust: accreditation of institutions by a NIC, and trust lists between NICs."""
