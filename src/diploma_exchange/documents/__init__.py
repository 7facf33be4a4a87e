"""Documents: the human-readable view of a diploma, the PDF diploma with its Diploma
Supplement and QR code, and extraction of a credential from uploads (PDF, QR image)."""
