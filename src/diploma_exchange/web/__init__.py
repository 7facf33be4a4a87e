"""The browser front end (HTML pages, no JavaScript)."""
