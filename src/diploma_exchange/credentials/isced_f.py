"""ISCED-F 2013: the fields of education and training, and what an issued diploma may name.

Source: UNESCO Institute for Statistics, *International Standard Classification of
Education: Fields of education and training 2013 (ISCED-F 2013)*, Montreal 2014, Appendix 1
"ISCED fields of education and training" (broad, narrow and detailed fields), and *ISCED-F
2013 - Detailed field descriptions*, UIS 2015,
https://uis.unesco.org/sites/default/files/documents/international-standard-classification-of-education-fields-of-education-and-training-2013-detailed-field-descriptions-2015-en.pdf
(the same list; the classification is public reference material of UNESCO, reproduced here
as codes and English titles only).

Codes are strings: a broad field has two digits, a narrow field three, a detailed field four,
and the leading zero is part of the code ("0613", never 613). Besides the listed detailed
fields, ISCED-F 2013 §4 (coding) defines for every field: a last digit 0 for "not further
defined", 8 for "inter-disciplinary programmes and qualifications" (at broad level, ``BB88``)
and 9 for "not elsewhere classified"; ``9999`` is "field unknown". A diploma names one
detailed (four-digit) code.

The titles in Kazakh and Russian (:func:`field_name`) are in the shared gettext catalogues
(``isced.<code>``, beside the English ones, which a test keeps equal to the tables here),
worded after the terminology of Kazakhstan's classifier of higher-education fields (order
No. 569 of the Ministry of Education and Science, 2018, which is built on ISCED-F 2013)
where it names the same field; they are this project's translation, not UNESCO's.
"""

from __future__ import annotations

from typing import Final

from diploma_exchange import i18n

#: Broad fields (two digits).
BROAD: Final[dict[str, str]] = {
    "00": "Generic programmes and qualifications",
    "01": "Education",
    "02": "Arts and humanities",
    "03": "Social sciences, journalism and information",
    "04": "Business, administration and law",
    "05": "Natural sciences, mathematics and statistics",
    "06": "Information and Communication Technologies (ICTs)",
    "07": "Engineering, manufacturing and construction",
    "08": "Agriculture, forestry, fisheries and veterinary",
    "09": "Health and welfare",
    "10": "Services",
}

#: Narrow fields (three digits).
NARROW: Final[dict[str, str]] = {
    "001": "Basic programmes and qualifications",
    "002": "Literacy and numeracy",
    "003": "Personal skills and development",
    "011": "Education",
    "021": "Arts",
    "022": "Humanities (except languages)",
    "023": "Languages",
    "031": "Social and behavioural sciences",
    "032": "Journalism and information",
    "041": "Business and administration",
    "042": "Law",
    "051": "Biological and related sciences",
    "052": "Environment",
    "053": "Physical sciences",
    "054": "Mathematics and statistics",
    "061": "Information and Communication Technologies (ICTs)",
    "071": "Engineering and engineering trades",
    "072": "Manufacturing and processing",
    "073": "Architecture and construction",
    "081": "Agriculture",
    "082": "Forestry",
    "083": "Fisheries",
    "084": "Veterinary",
    "091": "Health",
    "092": "Welfare",
    "101": "Personal services",
    "102": "Hygiene and occupational health services",
    "103": "Security services",
    "104": "Transport services",
}

#: Detailed fields (four digits), as listed in Appendix 1.
DETAILED: Final[dict[str, str]] = {
    "0011": "Basic programmes and qualifications",
    "0021": "Literacy and numeracy",
    "0031": "Personal skills and development",
    "0111": "Education science",
    "0112": "Training for pre-school teachers",
    "0113": "Teacher training without subject specialisation",
    "0114": "Teacher training with subject specialisation",
    "0211": "Audio-visual techniques and media production",
    "0212": "Fashion, interior and industrial design",
    "0213": "Fine arts",
    "0214": "Handicrafts",
    "0215": "Music and performing arts",
    "0221": "Religion and theology",
    "0222": "History and archaeology",
    "0223": "Philosophy and ethics",
    "0231": "Language acquisition",
    "0232": "Literature and linguistics",
    "0311": "Economics",
    "0312": "Political sciences and civics",
    "0313": "Psychology",
    "0314": "Sociology and cultural studies",
    "0321": "Journalism and reporting",
    "0322": "Library, information and archival studies",
    "0411": "Accounting and taxation",
    "0412": "Finance, banking and insurance",
    "0413": "Management and administration",
    "0414": "Marketing and advertising",
    "0415": "Secretarial and office work",
    "0416": "Wholesale and retail sales",
    "0417": "Work skills",
    "0421": "Law",
    "0511": "Biology",
    "0512": "Biochemistry",
    "0521": "Environmental sciences",
    "0522": "Natural environments and wildlife",
    "0531": "Chemistry",
    "0532": "Earth sciences",
    "0533": "Physics",
    "0541": "Mathematics",
    "0542": "Statistics",
    "0611": "Computer use",
    "0612": "Database and network design and administration",
    "0613": "Software and applications development and analysis",
    "0711": "Chemical engineering and processes",
    "0712": "Environmental protection technology",
    "0713": "Electricity and energy",
    "0714": "Electronics and automation",
    "0715": "Mechanics and metal trades",
    "0716": "Motor vehicles, ships and aircraft",
    "0721": "Food processing",
    "0722": "Materials (glass, paper, plastic and wood)",
    "0723": "Textiles (clothes, footwear and leather)",
    "0724": "Mining and extraction",
    "0731": "Architecture and town planning",
    "0732": "Building and civil engineering",
    "0811": "Crop and livestock production",
    "0812": "Horticulture",
    "0821": "Forestry",
    "0831": "Fisheries",
    "0841": "Veterinary",
    "0911": "Dental studies",
    "0912": "Medicine",
    "0913": "Nursing and midwifery",
    "0914": "Medical diagnostic and treatment technology",
    "0915": "Therapy and rehabilitation",
    "0916": "Pharmacy",
    "0917": "Traditional and complementary medicine and therapy",
    "0921": "Care of the elderly and of disabled adults",
    "0922": "Child care and youth services",
    "0923": "Social work and counselling",
    "1011": "Domestic services",
    "1012": "Hair and beauty services",
    "1013": "Hotel, restaurants and catering",
    "1014": "Sports",
    "1015": "Travel, tourism and leisure",
    "1021": "Community sanitation",
    "1022": "Occupational health and safety",
    "1031": "Military and defence",
    "1032": "Protection of persons and property",
    "1041": "Transport services",
}


def _conventional() -> dict[str, str]:
    """The four-digit codes the coding conventions add to the listed detailed fields."""
    codes: dict[str, str] = {"9999": "Field unknown"}
    for broad, name in BROAD.items():
        codes[broad + "00"] = f"{name}, not further defined"
        codes[broad + "88"] = f"Inter-disciplinary programmes and qualifications involving {name}"
    for narrow, name in NARROW.items():
        codes[narrow + "0"] = f"{name}, not further defined"
        codes[narrow + "9"] = f"{name}, not elsewhere classified"
    return codes


#: Every four-digit code a diploma may carry, with its English title.
FOUR_DIGIT_CODES: Final[dict[str, str]] = {**_conventional(), **DETAILED}


def field_title(code: str) -> str | None:
    """The English title of a four-digit ISCED-F 2013 code, or None when it is not one."""
    return FOUR_DIGIT_CODES.get(code)


def check_detailed_field(code: str) -> str | None:
    """Why ``code`` is not a four-digit ISCED-F 2013 field (None when it is one), naming the
    likely cause: a spreadsheet that dropped the leading zero, or a broad or narrow field
    given where the detailed one is needed."""
    if code in FOUR_DIGIT_CODES:
        return None
    padded = code.zfill(4) if code.isdigit() and len(code) < 4 else None
    if padded is not None and padded in DETAILED:
        return (
            f"{code} is not an ISCED-F 2013 code: it is probably {padded} "
            f"({DETAILED[padded]}) with its leading zero dropped by a spreadsheet; "
            "format the column as text and write the four digits"
        )
    for length, level, table in ((2, "broad", BROAD), (3, "narrow", NARROW)):
        candidate = code if len(code) == length else None
        if candidate is None and code.isdigit() and len(code) == length - 1:
            candidate = code.zfill(length)
        if candidate is not None and candidate in table:
            examples = ", ".join(
                f"{c} ({t})" for c, t in DETAILED.items() if c.startswith(candidate)
            )
            dropped = " (its leading zero dropped?)" if candidate != code else ""
            return (
                f"{code}{dropped} is the ISCED-F 2013 {level} field {candidate} "
                f"({table[candidate]}); a diploma names its detailed four-digit field: "
                f"{examples}"
            )
    return (
        f"{code} is not an ISCED-F 2013 field code; use the four-digit detailed field, "
        "e.g. 0613 (Software and applications development and analysis)"
    )


def field_name(code: str | None, lang: str) -> str | None:
    """The title of an ISCED-F 2013 field (broad, narrow or four-digit, the coding
    conventions' codes included) in ``lang`` (kk, ru or en), or None when ``code`` is none.

    Raises:
        MissingTranslation: a catalogue lacks the field (a bug, kept out by a test).
    """
    if not code:
        return None
    if code in BROAD or code in NARROW or code in DETAILED:
        return i18n.translate(lang, f"isced.{code}")
    if code == "9999":
        return i18n.translate(lang, "isced.unknown")
    if len(code) != 4:
        return None
    broad, narrow = code[:2], code[:3]
    if code.endswith("00") and broad in BROAD:
        return i18n.translate(lang, "isced.nfd", name=field_name(broad, lang))
    if code.endswith("88") and broad in BROAD:
        return i18n.translate(lang, "isced.inter", name=field_name(broad, lang))
    if narrow in NARROW and code[3] in "09":
        key = "isced.nfd" if code[3] == "0" else "isced.nec"
        return i18n.translate(lang, key, name=field_name(narrow, lang))
    return None


def field_text(text: str | None, code: str | None, lang: str) -> str | None:
    """``text`` (a diploma's own ``fieldOfStudy``) in ``lang`` when it is the English title
    of the broad, narrow or detailed field of ``code``; None when it is anything else (the
    university's own words, shown as they are)."""
    if not text or not code:
        return None
    wanted = " ".join(text.split()).casefold()
    for prefix, table in ((code[:2], BROAD), (code[:3], NARROW), (code, DETAILED)):
        title = table.get(prefix)
        if title is not None and title.casefold() == wanted:
            return field_name(prefix, lang)
    return None
