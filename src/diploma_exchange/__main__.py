"""``python -m diploma_exchange`` runs the command line."""

from diploma_exchange.cli import main

main()
