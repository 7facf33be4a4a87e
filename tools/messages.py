"""Add or change interface texts in the three catalogues at once.

    python tools/messages.py new-texts.json

``new-texts.json`` maps message ids to their texts: ``{"links.title": {"kk": "...", "ru":
"...", "en": "..."}}``; a plural message gives a list of forms per language, as many as the
language's CLDR rule has (kk 2, ru 3, en 2): ``{"links.days": {"ru": ["{n} день", "{n} дня",
"{n} дней"], ...}}``. Every message needs all three languages; the catalogues stay in the
order they are in, with new messages at the end.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from diploma_exchange.i18n import LANGUAGES, catalogue_path


def main(path: str) -> int:
    texts: dict[str, dict[str, str | list[str]]] = json.loads(Path(path).read_text())
    for key, by_lang in texts.items():
        missing = set(LANGUAGES) - set(by_lang)
        if missing:
            print(f"{key}: no text for {sorted(missing)}", file=sys.stderr)
            return 1
    for lang in LANGUAGES:
        po = catalogue_path(lang)
        with po.open("rb") as handle:
            catalogue = read_po(handle, locale=lang)
        for key, by_lang in texts.items():
            value = by_lang[lang]
            if key in catalogue:
                del catalogue[key]
            if isinstance(value, list):
                catalogue.add((key, key), tuple(value))
            else:
                catalogue.add(key, value)
        out = io.BytesIO()
        write_po(out, catalogue, width=100, sort_output=False)
        po.write_bytes(out.getvalue())
    print(f"{len(texts)} message(s) written to {len(LANGUAGES)} catalogues")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
