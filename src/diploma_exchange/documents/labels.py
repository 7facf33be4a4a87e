"""Fixed texts of the PDF diploma and Diploma Supplement in Kazakh, Russian and English.

Every entry maps a label id to its Kazakh (``kk``), Russian (``ru``) and English (``en``)
text; a unit test checks that all three are present. Section titles follow the Diploma
Supplement model of the European Commission, the Council of Europe and UNESCO.
"""

from __future__ import annotations

from typing import Final

from diploma_exchange.documents.view import LANGUAGES

LABELS: Final[dict[str, dict[str, str]]] = {
    # ---- diploma page ---------------------------------------------------------------------
    "diploma_title": {"kk": "ДИПЛОМ", "ru": "ДИПЛОМ", "en": "DIPLOMA"},
    "holder_of_diploma": {
        "kk": "Диплом иесі",
        "ru": "Обладатель диплома",
        "en": "Holder of the diploma",
    },
    "qualification_awarded": {
        "kk": "Берілген біліктілік",
        "ru": "Присвоенная квалификация",
        "en": "Qualification awarded",
    },
    "with_honours": {"kk": "Үздік диплом", "ru": "Диплом с отличием", "en": "With honours"},
    "scan_to_verify": {
        "kk": "Тексеру үшін сканерлеңіз",
        "ru": "Отсканируйте для проверки",
        "en": "Scan to verify",
    },
    "verify_without_qr": {
        "kk": "Тексеру үшін осы PDF файлын немесе credential.json файлын жүктеңіз",
        "ru": "Для проверки загрузите этот PDF-файл или файл credential.json",
        "en": "To verify, upload this PDF file or the credential.json file",
    },
    "authenticity_note": {
        "kk": "Бұл құжат цифрлық дипломның көрнекі көшірмесі. Түпнұсқа болып PDF файлына "
        "ендірілген цифрлық қолтаңбамен қол қойылған credential.json файлы саналады.",
        "ru": "Этот документ является визуальной копией цифрового диплома. Подлинником "
        "является встроенный в PDF-файл файл credential.json, подписанный цифровой подписью.",
        "en": "This document is a visual copy of a digital diploma. The authoritative record "
        "is the digitally signed credential.json file embedded in this PDF.",
    },
    # ---- running header and footer --------------------------------------------------------
    "supplement_title": {
        "kk": "ДИПЛОМҒА ҚОСЫМША",
        "ru": "ПРИЛОЖЕНИЕ К ДИПЛОМУ",
        "en": "DIPLOMA SUPPLEMENT",
    },
    "page": {"kk": "Бет", "ru": "Стр.", "en": "Page"},
    "supplement_preface": {
        "kk": "Бұл дипломға қосымша Еуропалық Комиссия, Еуропа Кеңесі және ЮНЕСКО әзірлеген "
        "үлгі бойынша жасалған. Онда біліктілік иегері аяқтаған оқудың сипаты, деңгейі, "
        "мазмұны және мәртебесі сипатталады.",
        "ru": "Настоящее приложение к диплому составлено по модели, разработанной Европейской "
        "комиссией, Советом Европы и ЮНЕСКО. В нём описываются характер, уровень, "
        "содержание и статус обучения, завершённого владельцем квалификации.",
        "en": "This Diploma Supplement follows the model developed by the European "
        "Commission, the Council of Europe and UNESCO. It describes the nature, level, "
        "content and status of the studies completed by the holder of the qualification.",
    },
    # ---- section headings ---------------------------------------------------------------
    "section_1": {
        "kk": "Біліктілік иегері туралы мәліметтер",
        "ru": "Сведения о владельце квалификации",
        "en": "Information identifying the holder of the qualification",
    },
    "section_2": {
        "kk": "Біліктілік туралы мәліметтер",
        "ru": "Сведения о квалификации",
        "en": "Information identifying the qualification",
    },
    "section_3": {
        "kk": "Біліктіліктің деңгейі мен оқу ұзақтығы туралы мәліметтер",
        "ru": "Сведения об уровне квалификации и продолжительности обучения",
        "en": "Information on the level and duration of the qualification",
    },
    "section_4": {
        "kk": "Аяқталған бағдарлама және алынған нәтижелер туралы мәліметтер",
        "ru": "Сведения о завершённой программе и полученных результатах",
        "en": "Information on the programme completed and the results obtained",
    },
    "section_5": {
        "kk": "Біліктіліктің қолданылуы туралы мәліметтер",
        "ru": "Сведения о назначении квалификации",
        "en": "Information on the function of the qualification",
    },
    "section_6": {
        "kk": "Қосымша мәліметтер",
        "ru": "Дополнительные сведения",
        "en": "Additional information",
    },
    "section_7": {
        "kk": "Қосымшаның куәландырылуы",
        "ru": "Заверение приложения",
        "en": "Certification of the supplement",
    },
    "section_8": {
        "kk": "Ұлттық жоғары білім беру жүйесі туралы мәліметтер",
        "ru": "Сведения о национальной системе высшего образования",
        "en": "Information on the national higher education system",
    },
    # ---- field labels -------------------------------------------------------------------
    "full_name": {"kk": "Толық аты-жөні", "ru": "Полное имя", "en": "Full name"},
    "family_name": {"kk": "Тегі", "ru": "Фамилия", "en": "Family name(s)"},
    "given_name": {"kk": "Аты", "ru": "Имя", "en": "Given name(s)"},
    "date_of_birth": {"kk": "Туған күні", "ru": "Дата рождения", "en": "Date of birth"},
    "student_id": {
        "kk": "Білім алушының сәйкестендіру нөмірі",
        "ru": "Идентификационный номер обучающегося",
        "en": "Student identification number",
    },
    "qualification_name": {
        "kk": "Біліктіліктің атауы",
        "ru": "Наименование квалификации",
        "en": "Name of qualification",
    },
    "degree": {"kk": "Дәреже", "ru": "Степень", "en": "Degree"},
    "field_of_study": {
        "kk": "Негізгі оқу саласы",
        "ru": "Основная область обучения",
        "en": "Main field of study",
    },
    "specialization": {"kk": "Мамандану", "ru": "Специализация", "en": "Specialization"},
    "programme_code": {
        "kk": "Білім беру бағдарламасының коды",
        "ru": "Код образовательной программы",
        "en": "Programme code",
    },
    "isced_field": {"kk": "ISCED-F коды", "ru": "Код ISCED-F", "en": "ISCED-F code"},
    "awarding_institution": {
        "kk": "Біліктілікті берген ұйымның атауы мен мәртебесі",
        "ru": "Наименование и статус организации, присвоившей квалификацию",
        "en": "Name and status of the awarding institution",
    },
    "institution_location": {
        "kk": "Ұйымның орналасқан жері",
        "ru": "Местонахождение организации",
        "en": "Location of the institution",
    },
    "administering_institution": {
        "kk": "Оқуды жүргізген ұйымның атауы мен мәртебесі",
        "ru": "Наименование и статус организации, осуществлявшей обучение",
        "en": "Name and status of the institution administering studies",
    },
    "same_as_awarding": {
        "kk": "2.3-тармақтағыдай",
        "ru": "Как в п. 2.3",
        "en": "As in 2.3",
    },
    "issuer_id": {
        "kk": "Берушінің идентификаторы (DID)",
        "ru": "Идентификатор эмитента (DID)",
        "en": "Issuer identifier (DID)",
    },
    "languages_of_instruction": {
        "kk": "Оқыту және емтихан тілі",
        "ru": "Язык обучения и экзаменов",
        "en": "Language(s) of instruction and examination",
    },
    "level": {
        "kk": "Біліктілік деңгейі",
        "ru": "Уровень квалификации",
        "en": "Level of the qualification",
    },
    "official_length": {
        "kk": "Бағдарламаның ресми ұзақтығы",
        "ru": "Официальная продолжительность программы",
        "en": "Official duration of the programme",
    },
    "credits": {"kk": "Кредиттер", "ru": "Кредиты", "en": "Credits"},
    "access_requirements": {
        "kk": "Оқуға түсу талаптары",
        "ru": "Требования к поступлению",
        "en": "Access requirement(s)",
    },
    "mode_of_study": {"kk": "Оқу нысаны", "ru": "Форма обучения", "en": "Mode of study"},
    "study_period": {"kk": "Оқу кезеңі", "ru": "Период обучения", "en": "Period of study"},
    "programme_requirements": {
        "kk": "Бағдарлама талаптары",
        "ru": "Требования программы",
        "en": "Programme requirements",
    },
    "programme_description": {
        "kk": "Бағдарламаның сипаттамасы",
        "ru": "Описание программы",
        "en": "Programme description",
    },
    "transcript": {
        "kk": "Пәндер, кредиттер және бағалар",
        "ru": "Дисциплины, кредиты и оценки",
        "en": "Programme details, credits gained and grades obtained",
    },
    "transcript_empty": {
        "kk": "Цифрлық дипломда пәндер тізімі жоқ.",
        "ru": "Цифровой диплом не содержит перечня дисциплин.",
        "en": "The credential contains no transcript.",
    },
    "transcript_rows_omitted": {
        "kk": "Кейбір жолдар көрсетілмеген; толық тізім ендірілген цифрлық дипломда.",
        "ru": "Часть строк не показана; полный перечень содержится во встроенном цифровом дипломе.",
        "en": "Some rows are not shown; the embedded credential has the complete list.",
    },
    "col_code": {"kk": "Код", "ru": "Код", "en": "Code"},
    "col_title": {
        "kk": "Пәннің атауы",
        "ru": "Наименование дисциплины",
        "en": "Course title",
    },
    "col_credits": {"kk": "Кредит", "ru": "Кредиты", "en": "Credits"},
    "col_grade": {"kk": "Баға", "ru": "Оценка", "en": "Grade"},
    "col_points": {"kk": "Балл", "ru": "Балл", "en": "Points"},
    "col_term": {"kk": "Семестр", "ru": "Семестр", "en": "Term"},
    "grading_scheme": {
        "kk": "Бағалау жүйесі",
        "ru": "Система оценивания",
        "en": "Grading scheme",
    },
    "overall_result": {
        "kk": "Жалпы нәтиже",
        "ru": "Общий результат",
        "en": "Overall classification",
    },
    "honours": {"kk": "Үздік белгісі", "ru": "Отличие", "en": "Honours"},
    "access_to_further_study": {
        "kk": "Әрі қарай оқуға мүмкіндік",
        "ru": "Доступ к дальнейшему обучению",
        "en": "Access to further study",
    },
    "professional_status": {
        "kk": "Кәсіби мәртебе",
        "ru": "Профессиональный статус",
        "en": "Professional status",
    },
    "additional_information": {
        "kk": "Қосымша ақпарат",
        "ru": "Дополнительная информация",
        "en": "Additional information",
    },
    "information_sources": {
        "kk": "Қосымша ақпарат көздері",
        "ru": "Источники дополнительной информации",
        "en": "Further information sources",
    },
    "verification_address": {
        "kk": "Тексеру мекенжайы",
        "ru": "Адрес для проверки",
        "en": "Verification address",
    },
    "credential_id": {
        "kk": "Цифрлық дипломның идентификаторы",
        "ru": "Идентификатор цифрового диплома",
        "en": "Credential ID",
    },
    "award_date": {"kk": "Берілген күні", "ru": "Дата выдачи", "en": "Date of award"},
    "diploma_number": {"kk": "Диплом нөмірі", "ru": "Номер диплома", "en": "Diploma number"},
    "valid_until": {"kk": "Жарамдылық мерзімі", "ru": "Действителен до", "en": "Valid until"},
    "signature": {"kk": "Қолтаңба", "ru": "Подпись", "en": "Signature"},
    "signature_note": {
        "kk": "Цифрлық қолтаңбамен қол қойылған; түпнұсқа болып ендірілген цифрлық диплом "
        "(credential.json) саналады.",
        "ru": "Подписано цифровой подписью; подлинником является встроенный цифровой диплом "
        "(credential.json).",
        "en": "Digitally signed; the embedded credential (credential.json) is authoritative.",
    },
    "generated_at": {
        "kk": "Құжаттың жасалған уақыты",
        "ru": "Дата формирования документа",
        "en": "Generated at",
    },
    "national_system_kz": {
        "kk": "Қазақстан Республикасындағы жоғары және жоғары оқу орнынан кейінгі білім үш "
        "деңгейден тұрады: бакалавриат (кемінде 240 академиялық кредит, әдетте 4 жыл; "
        "ҰБШ-ның 6-деңгейі), магистратура (60–120 кредит, 1–2 жыл; 7-деңгей) және "
        "докторантура (философия докторы (PhD) немесе бейіні бойынша доктор, кемінде 180 "
        "кредит, 3 жыл; 8-деңгей). Қазақстан 2010 жылдан бастап Еуропалық жоғары білім беру "
        "кеңістігіне (Болон процесі) кіреді; бір академиялық кредит 30 академиялық сағатқа "
        "тең және бір ECTS кредитіне сәйкес келеді. Білім A-дан F-ке дейінгі әріптік "
        "шкаламен, 4,0-ден 0-ге дейінгі сандық баламамен (GPA) бағаланады. Біліктіліктер "
        "Қазақстан Республикасының Ұлттық біліктілік шеңберіне (ҰБШ) сәйкестендірілген.",
        "ru": "Высшее и послевузовское образование в Республике Казахстан включает три "
        "уровня: бакалавриат (не менее 240 академических кредитов, как правило 4 года; "
        "6-й уровень НРК), магистратуру (60–120 кредитов, 1–2 года; 7-й уровень) и "
        "докторантуру (доктор философии (PhD) или доктор по профилю, не менее 180 кредитов, "
        "3 года; 8-й уровень). С 2010 года Казахстан входит в Европейское пространство "
        "высшего образования (Болонский процесс); один академический кредит равен 30 "
        "академическим часам и соответствует одному кредиту ECTS. Знания оцениваются по "
        "буквенной шкале от A до F с цифровым эквивалентом от 4,0 до 0 (GPA). Квалификации "
        "соотнесены с Национальной рамкой квалификаций Республики Казахстан (НРК).",
        "en": "Higher and postgraduate education in the Republic of Kazakhstan has three "
        "cycles: bachelor's programmes (at least 240 academic credits, usually 4 years; "
        "KZ-NQF level 6), master's programmes (60–120 credits, 1–2 years; level 7) and "
        "doctoral programmes (Doctor of Philosophy (PhD) or doctor by profile, at least 180 "
        "credits, 3 years; level 8). Kazakhstan has been part of the European Higher "
        "Education Area (Bologna Process) since 2010; one academic credit equals 30 academic "
        "hours and corresponds to one ECTS credit. Students are assessed on a letter scale "
        "from A to F with grade points from 4.0 to 0 (GPA). Qualifications are referenced "
        "to the National Qualifications Framework of the Republic of Kazakhstan (KZ-NQF).",
    },
    "national_system_generic": {
        "kk": "Біліктілікті берген ұйымның еліндегі жоғары білім беру жүйесі туралы "
        "мәліметтерді сол елдің ENIC-NARIC ұлттық ақпараттық орталығынан алуға болады "
        "(www.enic-naric.net).",
        "ru": "Сведения о системе высшего образования страны организации, присвоившей "
        "квалификацию, можно получить в национальном информационном центре ENIC-NARIC этой "
        "страны (www.enic-naric.net).",
        "en": "Information on the higher education system of the awarding institution's "
        "country is available from that country's national ENIC-NARIC information centre "
        "(www.enic-naric.net).",
    },
    # ---- grading table, signatories, certification (4.4, 7.1-7.4) --------------------------
    "col_letter": {"kk": "Әріптік баға", "ru": "Буквенная оценка", "en": "Letter grade"},
    "col_percent": {"kk": "Пайыз", "ru": "Процент", "en": "Per cent"},
    "col_meaning": {
        "kk": "Дәстүрлі жүйе бойынша",
        "ru": "По традиционной системе",
        "en": "Traditional scale",
    },
    "grade_excellent": {"kk": "өте жақсы", "ru": "отлично", "en": "excellent"},
    "grade_good": {"kk": "жақсы", "ru": "хорошо", "en": "good"},
    "grade_satisfactory": {
        "kk": "қанағаттанарлық",
        "ru": "удовлетворительно",
        "en": "satisfactory",
    },
    "grade_fail": {"kk": "қанағаттанарлықсыз", "ru": "неудовлетворительно", "en": "fail"},
    "pass_mark": {"kk": "Өту бағасы", "ru": "Проходная оценка", "en": "Pass mark"},
    "gpa": {
        "kk": "Орташа өлшенген балл (GPA)",
        "ru": "Средневзвешенный балл (GPA)",
        "en": "Cumulative grade point average (GPA)",
    },
    "gpa_scale": {"kk": "GPA шкаласы", "ru": "Шкала GPA", "en": "GPA scale"},
    "gpa_pass_mark": {
        "kk": "GPA бойынша ең төменгі өту балы",
        "ru": "Минимальный проходной GPA",
        "en": "Minimum GPA to graduate",
    },
    "signatories": {"kk": "Қол қойған", "ru": "Подписали", "en": "Signed by"},
    "certification_date": {"kk": "Күні", "ru": "Дата", "en": "Date"},
    "capacity": {"kk": "Лауазымы", "ru": "Должность", "en": "Capacity"},
    "official_seal": {
        "kk": "Ресми мөр",
        "ru": "Официальная печать",
        "en": "Official stamp or seal",
    },
    "seal_note": {
        "kk": "Мөрдің орнына: цифрлық дипломға (credential.json) университеттің цифрлық "
        "қолтаңбасы қойылған; бұл PDF университеттің PAdES электрондық мөрімен бекітілуі мүмкін.",
        "ru": "Вместо печати: цифровой диплом (credential.json) подписан цифровой подписью "
        "университета; этот PDF может быть заверен электронной печатью университета (PAdES).",
        "en": "In place of a stamp: the digital diploma (credential.json) carries the "
        "university's digital signature; this PDF may also carry the university's electronic "
        "seal (PAdES).",
    },
    "no_signatories": {
        "kk": "Университет профилінде қол қоюшылар көрсетілмеген; цифрлық қолтаңбаны қараңыз.",
        "ru": "Подписанты не указаны в профиле университета; см. цифровую подпись.",
        "en": "The university's profile names no signatories; see the digital signature.",
    },
    "criteria_default": {
        "kk": "Бекітілген білім беру бағдарламасының барлық компоненттерін, оның ішінде "
        "қорытынды аттестаттауды аяқтау.",
        "ru": "Освоение всех компонентов утверждённой образовательной программы, включая "
        "итоговую аттестацию.",
        "en": "Completion of all components of the approved educational programme, including "
        "the final attestation.",
    },
    "further_first_cycle": {
        "kk": "Бакалавриат (бірінші цикл) бағдарламаларына түсуге құқық береді.",
        "ru": "Даёт право на поступление на программы бакалавриата (первый цикл).",
        "en": "Gives access to first-cycle (bachelor's) programmes.",
    },
    "further_second_cycle": {
        "kk": "Магистратура (екінші цикл) бағдарламаларына түсуге құқық береді.",
        "ru": "Даёт право на поступление на программы магистратуры (второй цикл).",
        "en": "Gives access to second-cycle (master's) programmes.",
    },
    "further_third_cycle": {
        "kk": "Докторантура (үшінші цикл) бағдарламаларына түсуге құқық береді.",
        "ru": "Даёт право на поступление на программы докторантуры (третий цикл).",
        "en": "Gives access to third-cycle (doctoral) programmes.",
    },
    "further_highest": {
        "kk": "Ең жоғары академиялық біліктілік (үшінші цикл).",
        "ru": "Высшая академическая квалификация (третий цикл).",
        "en": "Highest academic qualification (third cycle).",
    },
    # ---- values -------------------------------------------------------------------------
    "degree_BachelorDegree": {
        "kk": "Бакалавр дәрежесі",
        "ru": "Степень бакалавра",
        "en": "Bachelor's degree",
    },
    "degree_MasterDegree": {
        "kk": "Магистр дәрежесі",
        "ru": "Степень магистра",
        "en": "Master's degree",
    },
    "degree_ResearchDoctorate": {
        "kk": "Философия докторы (PhD) дәрежесі",
        "ru": "Степень доктора философии (PhD)",
        "en": "Research doctorate (PhD)",
    },
    "degree_DoctoralDegree": {
        "kk": "Доктор дәрежесі",
        "ru": "Степень доктора",
        "en": "Doctoral degree",
    },
    "degree_ProfessionalDoctorate": {
        "kk": "Бейіні бойынша доктор дәрежесі",
        "ru": "Степень доктора по профилю",
        "en": "Professional doctorate",
    },
    "degree_AssociateDegree": {
        "kk": "Қолданбалы бакалавр",
        "ru": "Прикладной бакалавр",
        "en": "Associate degree",
    },
    "mode_full-time": {"kk": "күндізгі", "ru": "очная", "en": "full-time"},
    "mode_part-time": {
        "kk": "толық емес оқу жүктемесімен",
        "ru": "с неполной учебной нагрузкой",
        "en": "part-time",
    },
    "mode_evening": {"kk": "кешкі", "ru": "вечерняя", "en": "evening"},
    "mode_extramural": {"kk": "сырттай", "ru": "заочная", "en": "extramural"},
    "mode_distance": {"kk": "қашықтықтан", "ru": "дистанционная", "en": "distance"},
    "mode_blended": {"kk": "аралас", "ru": "смешанная", "en": "blended"},
    "lang_kk": {"kk": "қазақ тілі", "ru": "казахский", "en": "Kazakh"},
    "lang_ru": {"kk": "орыс тілі", "ru": "русский", "en": "Russian"},
    "lang_en": {"kk": "ағылшын тілі", "ru": "английский", "en": "English"},
    # Plural forms after a number: Kazakh has none, Russian has three (1 год, 2 года, 5 лет).
    "year_one": {"kk": "жыл", "ru": "год", "en": "year"},
    "year_few": {"kk": "жыл", "ru": "года", "en": "years"},
    "year_many": {"kk": "жыл", "ru": "лет", "en": "years"},
    "month_one": {"kk": "ай", "ru": "месяц", "en": "month"},
    "month_few": {"kk": "ай", "ru": "месяца", "en": "months"},
    "month_many": {"kk": "ай", "ru": "месяцев", "en": "months"},
}


def label(key: str, lang: str) -> str:
    """The text of label ``key`` in ``lang`` (English if ``lang`` is not one of ours).

    Raises:
        KeyError: ``key`` is not a label (a programming error, not bad input).
    """
    texts = LABELS[key]
    return texts.get(lang) or texts["en"]


def trilingual(key: str, sep: str = " / ") -> str:
    """Label ``key`` in Kazakh, Russian and English, joined by ``sep``; repeats are dropped.

    Raises:
        KeyError: ``key`` is not a label.
    """
    out: list[str] = []
    for lang in LANGUAGES:
        text = label(key, lang)
        if text not in out:
            out.append(text)
    return sep.join(out)


def with_count(count: int, unit: str, lang: str) -> str:
    """``count`` followed by ``unit`` ("year" or "month") in the plural form ``lang`` needs.

    Raises:
        KeyError: ``unit`` has no plural labels.
    """
    if lang == "ru":
        tens, ones = count % 100, count % 10
        if ones == 1 and tens != 11:
            form = "one"
        elif 2 <= ones <= 4 and not 12 <= tens <= 14:
            form = "few"
        else:
            form = "many"
    else:
        # Kazakh nouns stay singular after a numeral; English only distinguishes one.
        form = "one" if count == 1 else "many"
    return f"{count} {label(f'{unit}_{form}', lang)}"


__all__ = ["LABELS", "label", "trilingual", "with_count"]
