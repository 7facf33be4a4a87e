"""Reasoning messages of an assessment in English, Russian and Kazakh.

Russian wording follows the terminology of Federal Law No. 273-FZ "On Education in the Russian
Federation" (уровень образования, бакалавриат, специалитет, магистратура, признание иностранного
образования и (или) иностранной квалификации); Kazakh wording follows the Law of the Republic of
Kazakhstan "On Education" («Білім туралы», жоғары білім, бакалавриат, магистратура,
докторантура, біліктілік, білім туралы құжаттарды тану). "Substantial difference" is the
conventions' term: существенное различие / елеулі айырмашылық.

Every message is a template per language; parameters are either plain values (numbers, codes,
identifiers: the same in every language) or :class:`Localized` values (names, lists of names).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LANGUAGES = ("en", "ru", "kk")


@dataclass(frozen=True)
class Localized:
    """A value with a wording per language (``en`` always present)."""

    en: str
    ru: str | None = None
    kk: str | None = None

    def get(self, lang: str) -> str:
        """The wording in ``lang``, falling back to English."""
        value = getattr(self, lang, None)
        return value if isinstance(value, str) and value else self.en


OUTCOMES: dict[str, Localized] = {
    "comparable": Localized("comparable", "сопоставимо", "салыстырмалы"),
    "comparable-with-non-substantial-differences": Localized(
        "comparable with non-substantial differences",
        "сопоставимо с несущественными различиями",
        "елеусіз айырмашылықтармен салыстырмалы",
    ),
    "comparable-for-purpose": Localized(
        "comparable for the purposes named",
        "сопоставимо для указанных целей",
        "көрсетілген мақсаттар үшін салыстырмалы",
    ),
    "partial-recognition": Localized(
        "partial recognition (periods of study)",
        "частичное признание (периоды обучения)",
        "ішінара тану (оқу кезеңдері)",
    ),
    "not-a-completed-qualification": Localized(
        "not a completed qualification",
        "не является завершённой квалификацией",
        "аяқталған біліктілік емес",
    ),
    "substantial-difference": Localized(
        "substantial difference", "существенное различие", "елеулі айырмашылық"
    ),
    "insufficient-information": Localized(
        "insufficient information", "недостаточно информации", "ақпарат жеткіліксіз"
    ),
}

PURPOSES: dict[str, Localized] = {
    "admission-bachelor": Localized(
        "admission to bachelor's studies",
        "приём на обучение по программам бакалавриата",
        "бакалавриатқа қабылдау",
    ),
    "admission-master": Localized(
        "admission to master's studies",
        "приём на обучение по программам магистратуры",
        "магистратураға қабылдау",
    ),
    "admission-doctorate": Localized(
        "admission to doctoral studies",
        "приём на обучение по программам подготовки кадров высшей квалификации",
        "докторантураға қабылдау",
    ),
    "employment": Localized("employment", "трудоустройство", "жұмысқа орналасу"),
    "regulated-profession": Localized(
        "a regulated profession",
        "регулируемая профессиональная деятельность",
        "реттелетін кәсіптік қызмет",
    ),
    "academic-title": Localized(
        "use of the academic title",
        "использование учёной степени (звания)",
        "ғылыми дәрежені (атақты) пайдалану",
    ),
}

#: What each missing fact is and which document supplies it.
FIELDS: dict[str, Localized] = {
    "country": Localized("awarding country", "страна выдачи", "берген ел"),
    "qualification_type": Localized(
        "type of qualification",
        "вид квалификации (документа об образовании)",
        "біліктілік (білім туралы құжат) түрі",
    ),
    "isced_level": Localized("ISCED level", "уровень МСКО", "ХСБЖ деңгейі"),
    "nqf_level": Localized(
        "national qualifications framework level",
        "уровень национальной рамки квалификаций",
        "ұлттық біліктілік шеңберінің деңгейі",
    ),
    "length_years": Localized(
        "official length of the programme",
        "нормативный срок обучения",
        "бағдарламаның нормативтік оқу мерзімі",
    ),
    "credits": Localized("credits", "зачётные единицы (кредиты)", "кредиттер"),
    "institution_type": Localized(
        "type of the awarding institution",
        "тип организации, выдавшей документ",
        "құжатты берген ұйымның түрі",
    ),
    "institution_tier": Localized(
        "status of the awarding institution",
        "статус организации, выдавшей документ",
        "құжатты берген ұйымның мәртебесі",
    ),
    "prior_qualification": Localized(
        "prior qualification (basis of admission)",
        "предшествующее образование (основание приёма)",
        "алдыңғы білім (қабылдау негізі)",
    ),
    "isced_field": Localized(
        "field of study (ISCED-F)", "направление подготовки (МСКО-О)", "даярлау бағыты (ХСБЖ-О)"
    ),
    "field": Localized(
        "field of study (ISCED-F)", "направление подготовки (МСКО-О)", "даярлау бағыты (ХСБЖ-О)"
    ),
    "purpose": Localized("purpose of recognition", "цель признания", "танудың мақсаты"),
    "award_date": Localized("date of award", "дата выдачи", "берілген күні"),
    "institution_accredited": Localized(
        "accreditation of the institution", "аккредитация организации", "ұйымның аккредиттелуі"
    ),
    "completed": Localized(
        "whether the programme was completed",
        "завершено ли обучение по программе",
        "бағдарлама аяқталғаны",
    ),
    "achievement_type": Localized("kind of award", "вид документа", "құжат түрі"),
}

DOCUMENTS: dict[str, Localized] = {
    "country": Localized("the diploma", "документ об образовании", "білім туралы құжат"),
    "qualification_type": Localized(
        "the diploma and its Diploma Supplement (section 2.1)",
        "документ об образовании и приложение к нему (раздел 2.1 приложения к диплому)",
        "білім туралы құжат және оның қосымшасы (дипломға қосымшаның 2.1-бөлімі)",
    ),
    "isced_level": Localized(
        "the Diploma Supplement (section 3.1, level of the qualification)",
        "приложение к диплому (раздел 3.1, уровень квалификации)",
        "дипломға қосымша (3.1-бөлім, біліктілік деңгейі)",
    ),
    "nqf_level": Localized(
        "the Diploma Supplement (section 3.1, level of the qualification)",
        "приложение к диплому (раздел 3.1, уровень квалификации)",
        "дипломға қосымша (3.1-бөлім, біліктілік деңгейі)",
    ),
    "length_years": Localized(
        "the Diploma Supplement (section 3.2, official length) or the transcript",
        "приложение к диплому (раздел 3.2, нормативный срок) или академическая справка",
        "дипломға қосымша (3.2-бөлім, нормативтік мерзім) немесе транскрипт",
    ),
    "credits": Localized(
        "the transcript of records (total credits)",
        "выписка из зачётной ведомости (транскрипт) с общим объёмом кредитов",
        "кредиттердің жалпы көлемі көрсетілген транскрипт",
    ),
    "institution_type": Localized(
        "the Diploma Supplement (section 2.4, type and status of the institution)",
        "приложение к диплому (раздел 2.4, тип и статус организации)",
        "дипломға қосымша (2.4-бөлім, ұйымның түрі мен мәртебесі)",
    ),
    "institution_tier": Localized(
        "the national register of recognised institutions",
        "национальный реестр признанных организаций",
        "танылған ұйымдардың ұлттық тізілімі",
    ),
    "prior_qualification": Localized(
        "the previous diploma (Diploma Supplement section 3.3, access requirements)",
        "предшествующий документ об образовании (раздел 3.3 приложения к диплому)",
        "алдыңғы білім туралы құжат (дипломға қосымшаның 3.3-бөлімі)",
    ),
    "isced_field": Localized(
        "the Diploma Supplement (section 2.2, main fields of study)",
        "приложение к диплому (раздел 2.2, основные области обучения)",
        "дипломға қосымша (2.2-бөлім, негізгі оқу салалары)",
    ),
    "field": Localized(
        "the Diploma Supplement (section 2.2, main fields of study)",
        "приложение к диплому (раздел 2.2, основные области обучения)",
        "дипломға қосымша (2.2-бөлім, негізгі оқу салалары)",
    ),
    "purpose": Localized(
        "the application (state the purpose of recognition)",
        "заявление (указать цель признания)",
        "өтініш (тану мақсатын көрсету)",
    ),
    "award_date": Localized(
        "the diploma (date of award)",
        "документ об образовании (дата выдачи)",
        "білім туралы құжат (берілген күні)",
    ),
    "institution_accredited": Localized(
        "the verification report or the accreditation register",
        "отчёт о проверке или реестр аккредитации",
        "тексеру есебі немесе аккредиттеу тізілімі",
    ),
    "completed": Localized(
        "the diploma or the academic transcript",
        "документ об образовании или академическая справка",
        "білім туралы құжат немесе академиялық анықтама",
    ),
    "achievement_type": Localized("the diploma", "документ об образовании", "білім туралы құжат"),
}

_T: dict[str, dict[str, str]] = {
    "type": {
        "en": "Qualification: {type} ({country}), {category}; ISCED {isced}{nqf}.",
        "ru": "Квалификация: {type} ({country}), {category}; уровень МСКО {isced}{nqf}.",
        "kk": "Біліктілік: {type} ({country}), {category}; ХСБЖ деңгейі {isced}{nqf}.",
    },
    "type-inferred": {
        "en": "The qualification was identified as {type} from {basis}.",
        "ru": "Квалификация определена как {type} по данным: {basis}.",
        "kk": "Біліктілік мына деректер бойынша {type} ретінде анықталды: {basis}.",
    },
    "contradiction": {
        "en": "Contradiction: {detail}",
        "ru": "Противоречие: {detail}",
        "kk": "Қайшылық: {detail}",
    },
    "missing": {
        "en": "Needed to decide: {fields}. Supplied by: {documents}.",
        "ru": "Для решения необходимо: {fields}. Подтверждается документом: {documents}.",
        "kk": "Шешім үшін қажет: {fields}. Растайтын құжат: {documents}.",
    },
    "rule": {
        "en": "Published comparison for {receiving}: {result}{conditions}.",
        "ru": "Опубликованное сравнение для {receiving}: {result}{conditions}.",
        "kk": "{receiving} үшін жарияланған салыстыру: {result}{conditions}.",
    },
    "rules-undecided": {
        "en": "The published comparisons for {receiving} differ by {fields}, which is not given.",
        "ru": "Опубликованные сравнения для {receiving} различаются в зависимости от: {fields}; эти сведения не указаны.",
        "kk": "{receiving} үшін жарияланған салыстырулар мына деректерге байланысты ерекшеленеді: {fields}; бұл деректер көрсетілмеген.",
    },
    "purposes": {
        "en": "The comparison depends on the purpose of recognition: {options}.",
        "ru": "Результат сравнения зависит от цели признания: {options}.",
        "kk": "Салыстыру нәтижесі тану мақсатына байланысты: {options}.",
    },
    "match": {
        "en": "Comparable in {receiving}: {types} ({framework} level {level}).",
        "ru": "Сопоставимая квалификация в {receiving}: {types} (уровень {level} по {framework}).",
        "kk": "{receiving} елінде салыстырмалы біліктілік: {types} ({framework} бойынша {level} деңгей).",
    },
    "match-no-level": {
        "en": "Comparable in {receiving}: {types}.",
        "ru": "Сопоставимая квалификация в {receiving}: {types}.",
        "kk": "{receiving} елінде салыстырмалы біліктілік: {types}.",
    },
    "range": {
        "en": "Level {low} or {high} in {receiving}, depending on the {depends}.",
        "ru": "Уровень {low} или {high} в {receiving} в зависимости от: {depends}.",
        "kk": "{receiving} елінде {low} немесе {high} деңгей, тәуелді: {depends}.",
    },
    "nearest": {
        "en": "{receiving} has no qualification of this kind ({category}); the nearest at the same ISCED level {isced} is {types}.",
        "ru": "В {receiving} нет квалификации такого вида ({category}); ближайшая на том же уровне МСКО {isced}: {types}.",
        "kk": "{receiving} елінде мұндай біліктілік жоқ ({category}); ХСБЖ {isced} деңгейіндегі ең жақыны: {types}.",
    },
    "category-missing": {
        "en": "{receiving} has no {category} qualification (ISCED {isced}); the studies can be recognised as periods of study towards {towards}.",
        "ru": "В {receiving} нет квалификации вида «{category}» (МСКО {isced}); обучение может быть признано как периоды обучения по программе: {towards}.",
        "kk": "{receiving} елінде «{category}» біліктілігі жоқ (ХСБЖ {isced}); оқу {towards} бағдарламасы бойынша оқу кезеңдері ретінде танылуы мүмкін.",
    },
    "not-completed": {
        "en": "{type} certifies studies but not a completed programme: it is not a completed qualification and no degree type is comparable to it.",
        "ru": "{type} подтверждает обучение, но не завершение программы: это не завершённая квалификация, и сопоставимого вида документа нет.",
        "kk": "{type} оқуды растайды, бірақ бағдарламаның аяқталуын емес: бұл аяқталған біліктілік емес, салыстырмалы құжат түрі жоқ.",
    },
    "credits-recognised": {
        "en": "Credits that can be recognised as periods of study: {credits} ECTS.",
        "ru": "Кредиты, которые могут быть признаны как периоды обучения: {credits} ECTS.",
        "kk": "Оқу кезеңдері ретінде танылуы мүмкін кредиттер: {credits} ECTS.",
    },
    "no-degree": {
        "en": "{type} confers no degree; the degree is a separate document.",
        "ru": "{type} не присваивает учёную (академическую) степень; степень подтверждается отдельным документом.",
        "kk": "{type} академиялық дәреже бермейді; дәреже жеке құжатпен расталады.",
    },
    "agreement": {
        "en": "Agreement between the parties: {name}.",
        "ru": "Соглашение между сторонами: {name}.",
        "kk": "Тараптар арасындағы келісім: {name}.",
    },
    "convention": {
        "en": "{convention}: {source} {source_status}, {receiving} {receiving_status}.",
        "ru": "{convention}: {source} — {source_status}, {receiving} — {receiving_status}.",
        "kk": "{convention}: {source} — {source_status}, {receiving} — {receiving_status}.",
    },
    "regulated": {
        "en": "For a regulated profession the competent authority of {receiving} decides on professional recognition; this is an academic comparison.",
        "ru": "Для регулируемой профессиональной деятельности решение принимает уполномоченный орган {receiving}; настоящее заключение является академическим сравнением.",
        "kk": "Реттелетін кәсіптік қызмет үшін шешімді {receiving} уәкілетті органы қабылдайды; бұл академиялық салыстыру.",
    },
    "outcome": {
        "en": "Outcome: {outcome}.",
        "ru": "Итог: {outcome}.",
        "kk": "Қорытынды: {outcome}.",
    },
    "criterion": {
        "en": "{name}: {reason}",
        "ru": "{name}: {reason}",
        "kk": "{name}: {reason}",
    },
    "legacy-credits": {
        "en": "Awarded in {year}: check whether the credits are pre-reform Kazakh national credits (KZ-national-legacy, converted by cycle), not ECTS.",
        "ru": "Выдан в {year} году: проверьте, не указаны ли кредиты в прежней казахстанской национальной системе (KZ-national-legacy, пересчёт по уровню), а не в ECTS.",
        "kk": "{year} жылы берілген: кредиттер ECTS емес, бұрынғы қазақстандық ұлттық жүйеде (KZ-national-legacy) көрсетілмегенін тексеріңіз.",
    },
    "unknown-type": {
        "en": "Unknown qualification type {value}.",
        "ru": "Неизвестный вид квалификации {value}.",
        "kk": "Белгісіз біліктілік түрі {value}.",
    },
    "no-country-data": {
        "en": "No data for the awarding country {value}.",
        "ru": "Нет данных о системе образования страны выдачи {value}.",
        "kk": "Құжатты берген ел {value} туралы деректер жоқ.",
    },
    "ambiguous": {
        "en": "The qualification could be {types}: {basis} do not decide.",
        "ru": "Квалификация может быть одной из: {types}; сведений ({basis}) недостаточно.",
        "kk": "Біліктілік мыналардың бірі болуы мүмкін: {types}; деректер ({basis}) жеткіліксіз.",
    },
    "nothing-to-infer": {
        "en": "The type of qualification is not given and nothing identifies it.",
        "ru": "Вид квалификации не указан, и определить его не по чему.",
        "kk": "Біліктілік түрі көрсетілмеген және оны анықтауға дерек жоқ.",
    },
    "no-match-for": {
        "en": "No qualification of {country} matches {basis}.",
        "ru": "Ни одна квалификация {country} не соответствует: {basis}.",
        "kk": "{country} біліктіліктерінің ешқайсысы сәйкес келмейді: {basis}.",
    },
}

CATEGORIES: dict[str, Localized] = {
    "short-cycle": Localized(
        "short-cycle higher education",
        "краткий цикл высшего образования",
        "жоғары білімнің қысқа циклі",
    ),
    "bachelor": Localized("bachelor's level", "бакалавриат", "бакалавриат"),
    "bachelor-honours": Localized(
        "bachelor's (honours) level",
        "бакалавриат (с отличием, honours)",
        "бакалавриат (honours)",
    ),
    "long-first-degree": Localized(
        "long first degree (integrated programme)",
        "специалитет (непрерывная программа)",
        "ұзақ бірінші дәреже (үздіксіз бағдарлама)",
    ),
    "master": Localized("master's level", "магистратура", "магистратура"),
    "doctorate": Localized(
        "doctoral level", "подготовка кадров высшей квалификации (докторантура)", "докторантура"
    ),
    "higher-doctorate": Localized(
        "higher doctorate",
        "высшая научная степень (доктор наук)",
        "жоғары ғылыми дәреже (ғылым докторы)",
    ),
    "certificate-of-study": Localized(
        "certificate of studies (programme not completed)",
        "справка об обучении (программа не завершена)",
        "оқу туралы анықтама (бағдарлама аяқталмаған)",
    ),
}

DEPENDS: dict[str, Localized] = {
    "programme": Localized("programme", "программы обучения", "оқу бағдарламасына"),
    "institution": Localized(
        "awarding institution", "организации, выдавшей документ", "құжатты берген ұйымға"
    ),
    "field": Localized("field of study", "направления подготовки", "даярлау бағытына"),
    "purpose": Localized("purpose of recognition", "цели признания", "тану мақсатына"),
}

STATUSES: dict[str, Localized] = {
    "party": Localized("party", "участник", "қатысушы"),
    "signatory": Localized("signatory", "подписала", "қол қойған"),
    "ratified-not-in-force": Localized(
        "ratified, not yet in force",
        "ратифицировала, не вступила в силу",
        "ратификациялады, күшіне енбеген",
    ),
    "not-party": Localized("not a party", "не участник", "қатысушы емес"),
}

CONVENTIONS: dict[str, Localized] = {
    "tokyo": Localized(
        "Tokyo Convention (Asia-Pacific, 2011)",
        "Азиатско-Тихоокеанская региональная конвенция о признании квалификаций в области высшего образования (Токио, 2011)",
        "Жоғары білім саласындағы біліктіліктерді тану туралы Азия-Тынық мұхиты өңірлік конвенциясы (Токио, 2011)",
    ),
    "lisbon": Localized(
        "Lisbon Recognition Convention (1997)",
        "Конвенция о признании квалификаций, относящихся к высшему образованию в Европейском регионе (Лиссабон, 1997)",
        "Еуропа өңіріндегі жоғары білімге қатысты біліктіліктерді тану туралы конвенция (Лиссабон, 1997)",
    ),
    "global": Localized(
        "Global Convention (2019)",
        "Глобальная конвенция о признании квалификаций, относящихся к высшему образованию (2019)",
        "Жоғары білімге қатысты біліктіліктерді тану туралы жаһандық конвенция (2019)",
    ),
}

CRITERIA: dict[str, Localized] = {
    "level": Localized("level", "уровень", "деңгей"),
    "workload": Localized("workload", "трудоёмкость", "оқу көлемі"),
    "field": Localized("field of study", "направление подготовки", "даярлау бағыты"),
    "purpose-and-access": Localized(
        "purpose and access",
        "назначение и право на продолжение обучения",
        "мақсаты және оқуды жалғастыру құқығы",
    ),
    "quality-assurance": Localized(
        "quality assurance", "обеспечение качества", "сапаны қамтамасыз ету"
    ),
}


def render(message: str, /, **params: object) -> dict[str, str]:
    """The message ``message`` in every language, with ``params`` filled in.

    A :class:`Localized` parameter takes its wording per language; a list of them is joined;
    anything else is formatted as is.
    """
    out: dict[str, str] = {}
    for lang in LANGUAGES:
        values = {name: _value(value, lang) for name, value in params.items()}
        out[lang] = _T[message][lang].format(**values)
    return out


def _value(value: object, lang: str) -> str:
    if isinstance(value, Localized):
        return value.get(lang)
    if isinstance(value, list | tuple):
        sep = {"en": " or ", "ru": " или ", "kk": " немесе "}[lang]
        return sep.join(_value(v, lang) for v in value)
    if isinstance(value, Mapping):
        got = value.get(lang) or value.get("en")
        return str(got)
    return str(value)


def joined(values: list[Localized], sep: Mapping[str, str] | None = None) -> Localized:
    """Several localized values joined with commas (or ``sep`` per language)."""
    seps = dict(sep or {"en": ", ", "ru": ", ", "kk": ", "})
    return Localized(
        seps["en"].join(v.en for v in values),
        seps["ru"].join(v.get("ru") for v in values),
        seps["kk"].join(v.get("kk") for v in values),
    )


#: Criterion reasons (the five elements of the substantial-difference test).
_C: dict[str, dict[str, str]] = {
    "c-not-completed": {
        "en": "{type} does not complete a programme",
        "ru": "{type} не подтверждает завершение программы",
        "kk": "{type} бағдарламаның аяқталуын растамайды",
    },
    "c-credits-recognisable": {
        "en": "credits recognisable as periods of study",
        "ru": "кредиты могут быть признаны как периоды обучения",
        "kk": "кредиттер оқу кезеңдері ретінде танылуы мүмкін",
    },
    "c-credits-not-given": {
        "en": "credits not given (transcript of records)",
        "ru": "кредиты не указаны (нужна выписка из зачётной ведомости)",
        "kk": "кредиттер көрсетілмеген (транскрипт қажет)",
    },
    "c-no-next-cycle-certificate": {
        "en": "a certificate of study gives no access to the next cycle",
        "ru": "справка об обучении не даёт права на продолжение обучения на следующем уровне",
        "kk": "оқу туралы анықтама келесі деңгейде оқуды жалғастыру құқығын бермейді",
    },
    "c-published-level": {
        "en": "the published comparison places {type} at {types}",
        "ru": "опубликованное сравнение относит {type} к уровню: {types}",
        "kk": "жарияланған салыстыру {type} біліктілігін мына деңгейге жатқызады: {types}",
    },
    "c-category-missing": {
        "en": "{receiving} has no {category} qualification (ISCED {isced}); recognition as periods of study",
        "ru": "в {receiving} нет квалификации вида «{category}» (МСКО {isced}); признание как периодов обучения",
        "kk": "{receiving} елінде «{category}» біліктілігі жоқ (ХСБЖ {isced}); оқу кезеңдері ретінде тану",
    },
    "c-no-type": {
        "en": "the published comparison names no comparable type for {type}",
        "ru": "опубликованное сравнение не называет сопоставимой квалификации для {type}",
        "kk": "жарияланған салыстыру {type} үшін салыстырмалы біліктілікті атамайды",
    },
    "c-isced-range": {
        "en": "ISCED {source} vs ISCED {levels} depending on the programme",
        "ru": "МСКО {source} и МСКО {levels} в зависимости от программы",
        "kk": "ХСБЖ {source} және ХСБЖ {levels}, бағдарламаға байланысты",
    },
    "c-isced-differs": {
        "en": "ISCED {source} vs ISCED {target}",
        "ru": "МСКО {source} и МСКО {target}",
        "kk": "ХСБЖ {source} және ХСБЖ {target}",
    },
    "c-isced-nearest": {
        "en": "same ISCED level {level}; {category} vs {target_category} ({source} vs {target})",
        "ru": "тот же уровень МСКО {level}; {category} и {target_category} ({source} и {target})",
        "kk": "ХСБЖ деңгейі бірдей ({level}); {category} және {target_category} ({source} және {target})",
    },
    "c-isced-same": {
        "en": "same ISCED level {level} ({category})",
        "ru": "тот же уровень МСКО {level} ({category})",
        "kk": "ХСБЖ деңгейі бірдей: {level} ({category})",
    },
    "c-workload-no-type": {
        "en": "no comparable type to compare the workload with",
        "ru": "нет сопоставимой квалификации для сравнения трудоёмкости",
        "kk": "оқу көлемін салыстыратын салыстырмалы біліктілік жоқ",
    },
    "c-workload-unknown": {
        "en": "workload of {type} unknown (no credits or length given or in the data)",
        "ru": "трудоёмкость {type} неизвестна (не указаны кредиты или срок обучения)",
        "kk": "{type} оқу көлемі белгісіз (кредиттер немесе оқу мерзімі көрсетілмеген)",
    },
    "c-workload-target-unknown": {
        "en": "typical workload of {type} unknown",
        "ru": "типичная трудоёмкость {type} неизвестна",
        "kk": "{type} әдеттегі оқу көлемі белгісіз",
    },
    "c-workload-met": {
        "en": "{basis}; {types} typically {want} ECTS",
        "ru": "{basis}; для {types} обычно {want} ECTS",
        "kk": "{basis}; {types} үшін әдетте {want} ECTS",
    },
    "c-workload-short": {
        "en": "{basis}; {types} requires at least {want} ECTS (short by at least {short} ECTS)",
        "ru": "{basis}; для {types} требуется не менее {want} ECTS (недостаёт не менее {short} ECTS)",
        "kk": "{basis}; {types} үшін кемінде {want} ECTS қажет (кемінде {short} ECTS жетпейді)",
    },
    "c-basis-credits": {
        "en": "{value} {system} credits = {ects} ECTS",
        "ru": "{value} кредитов {system} = {ects} ECTS",
        "kk": "{value} {system} кредиті = {ects} ECTS",
    },
    "c-basis-years": {
        "en": "{years} years of full-time study (~{ects} ECTS)",
        "ru": "{years} лет очного обучения (~{ects} ECTS)",
        "kk": "{years} жыл күндізгі оқу (~{ects} ECTS)",
    },
    "c-basis-type": {
        "en": "typical workload of {type} (~{ects} ECTS)",
        "ru": "типичная трудоёмкость {type} (~{ects} ECTS)",
        "kk": "{type} әдеттегі оқу көлемі (~{ects} ECTS)",
    },
    "c-field-unknown": {
        "en": "field of study (ISCED-F) not given",
        "ru": "направление подготовки (МСКО-О) не указано",
        "kk": "даярлау бағыты (ХСБЖ-О) көрсетілмеген",
    },
    "c-field-bad": {
        "en": "{code} is not an ISCED-F 2013 code",
        "ru": "{code} не является кодом МСКО-О 2013",
        "kk": "{code} ХСБЖ-О 2013 коды емес",
    },
    "c-field-free": {
        "en": "ISCED-F {code} {name} (no field requirement)",
        "ru": "МСКО-О {code} {name} (требований к направлению нет)",
        "kk": "ХСБЖ-О {code} {name} (бағытқа талап жоқ)",
    },
    "c-field-met": {
        "en": "ISCED-F {code} {name} matches the required field {required}",
        "ru": "МСКО-О {code} {name} соответствует требуемому направлению {required}",
        "kk": "ХСБЖ-О {code} {name} талап етілетін {required} бағытына сәйкес",
    },
    "c-field-differs": {
        "en": "ISCED-F {code} {name} differs from the required field {required}",
        "ru": "МСКО-О {code} {name} отличается от требуемого направления {required}",
        "kk": "ХСБЖ-О {code} {name} талап етілетін {required} бағытынан өзгеше",
    },
    "c-purpose-no-type": {
        "en": "no comparable type",
        "ru": "нет сопоставимой квалификации",
        "kk": "салыстырмалы біліктілік жоқ",
    },
    "c-no-degree": {
        "en": "{type} certifies completion of studies but confers no degree, whereas {target} is a degree",
        "ru": "{type} подтверждает завершение обучения, но не присваивает степень, тогда как {target} — степень",
        "kk": "{type} оқудың аяқталғанын растайды, бірақ дәреже бермейді, ал {target} — дәреже",
    },
    "c-purpose-source-no-access": {
        "en": "for {purpose}: {type} gives no access to {level} studies in its own system",
        "ru": "для цели «{purpose}»: {type} не даёт права на обучение уровня «{level}» в своей системе",
        "kk": "«{purpose}» мақсаты үшін: {type} өз жүйесінде «{level}» деңгейінде оқу құқығын бермейді",
    },
    "c-purpose-met": {
        "en": "the comparable qualification gives access to {level} studies",
        "ru": "сопоставимая квалификация даёт право на обучение уровня «{level}»",
        "kk": "салыстырмалы біліктілік «{level}» деңгейінде оқу құқығын береді",
    },
    "c-purpose-target-no-access": {
        "en": "for {purpose}: {types} gives no access to {level} studies",
        "ru": "для цели «{purpose}»: {types} не даёт права на обучение уровня «{level}»",
        "kk": "«{purpose}» мақсаты үшін: {types} «{level}» деңгейінде оқу құқығын бермейді",
    },
    "c-regulated": {
        "en": "professional recognition is decided by the competent authority for the profession",
        "ru": "профессиональное признание осуществляет уполномоченный орган по данной профессии",
        "kk": "кәсіптік тануды осы кәсіп бойынша уәкілетті орган жүзеге асырады",
    },
    "c-access-undocumented": {
        "en": "whether {type} gives access to the next cycle is not documented; {target} does",
        "ru": "не подтверждено, даёт ли {type} право на обучение на следующем уровне; {target} даёт",
        "kk": "{type} келесі деңгейде оқу құқығын беретіні расталмаған; {target} береді",
    },
    "c-access-target-none": {
        "en": "{target} gives no access the source may lack",
        "ru": "{target} не даёт права, которого могло бы не быть у исходной квалификации",
        "kk": "{target} бастапқы біліктілікте болмауы мүмкін құқық бермейді",
    },
    "c-access-missing": {
        "en": "{type} gives no access to the next cycle; {target} does",
        "ru": "{type} не даёт права на обучение на следующем уровне; {target} даёт",
        "kk": "{type} келесі деңгейде оқу құқығын бермейді; {target} береді",
    },
    "c-access-both": {
        "en": "both give access to further study ({access})",
        "ru": "обе дают право на продолжение обучения ({access})",
        "kk": "екеуі де оқуды жалғастыру құқығын береді ({access})",
    },
    "c-qa-met": {
        "en": "the institution is accredited / quality assured",
        "ru": "организация аккредитована (качество обеспечено)",
        "kk": "ұйым аккредиттелген (сапасы қамтамасыз етілген)",
    },
    "c-qa-differs": {
        "en": "the awarding institution is not accredited or recognised",
        "ru": "организация, выдавшая документ, не аккредитована или не признана",
        "kk": "құжатты берген ұйым аккредиттелмеген немесе танылмаған",
    },
    "c-qa-unknown": {
        "en": "accreditation status not established; not itself a substantial difference (burden of proof on the assessing party)",
        "ru": "статус аккредитации не установлен; само по себе это не существенное различие (бремя доказывания лежит на оценивающей стороне)",
        "kk": "аккредиттеу мәртебесі анықталмаған; бұл өз алдына елеулі айырмашылық емес (дәлелдеу міндеті бағалаушы тарапта)",
    },
    "c-not-assessed": {
        "en": "not assessed: {why}",
        "ru": "не оценивалось: {why}",
        "kk": "бағаланбады: {why}",
    },
}
_T.update(_C)
