"""Interface texts in Kazakh, Russian and English, and choosing the reader's language.

A plain catalogue rather than gettext: three languages, a few hundred strings, and a test
that every key has all three and every key a template uses exists. Placeholders use
``str.format`` names; values filled in are escaped by the templates, never by this module.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
LANGUAGE_NAMES: Mapping[str, str] = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
DEFAULT_LANGUAGE = "en"

M: dict[str, dict[str, str]] = {
    # --- frame ---------------------------------------------------------------------------
    "app.name": {
        "en": "Diploma Exchange",
        "ru": "Обмен дипломами",
        "kk": "Дипломдар алмасу",
    },
    "app.tagline": {
        "en": "Digitally signed university diplomas, verifiable anywhere",
        "ru": "Дипломы вузов с цифровой подписью, которые можно проверить где угодно",
        "kk": "Кез келген жерде тексерілетін цифрлық қолтаңбасы бар университет дипломдары",
    },
    "nav.skip": {
        "en": "Skip to content",
        "ru": "Перейти к содержанию",
        "kk": "Мазмұнға өту",
    },
    "nav.language": {"en": "Language", "ru": "Язык", "kk": "Тіл"},
    "nav.home": {"en": "Home", "ru": "Главная", "kk": "Басты бет"},
    "nav.verify": {
        "en": "Verify a diploma",
        "ru": "Проверить диплом",
        "kk": "Дипломды тексеру",
    },
    "nav.graduate": {
        "en": "For graduates",
        "ru": "Выпускникам",
        "kk": "Түлектерге",
    },
    "footer.about": {
        "en": "Diplomas are W3C Verifiable Credentials signed by the issuing university; "
        "verification checks the signature, the issuer's accreditation and the revocation status.",
        "ru": "Дипломы — это проверяемые учётные данные W3C, подписанные выдавшим вузом; "
        "проверка охватывает подпись, аккредитацию вуза и статус отзыва.",
        "kk": "Дипломдар — берген университет қол қойған W3C тексерілетін тіркелгі деректері; "
        "тексеру қолтаңбаны, университеттің аккредитациясын және кері қайтарылу мәртебесін қамтиды.",
    },
    # --- home ----------------------------------------------------------------------------
    "home.title": {
        "en": "Verify and share university diplomas",
        "ru": "Проверка и передача дипломов",
        "kk": "Дипломдарды тексеру және бөлісу",
    },
    "home.verifier.title": {
        "en": "I received a diploma",
        "ru": "Мне прислали диплом",
        "kk": "Маған диплом жіберілді",
    },
    "home.verifier.text": {
        "en": "Upload the diploma file, the PDF, or a photo of its QR code, or open the link "
        "you were given, and see at once whether it is authentic.",
        "ru": "Загрузите файл диплома, PDF или фото его QR-кода либо откройте присланную "
        "ссылку — и сразу узнаете, подлинный ли он.",
        "kk": "Диплом файлын, PDF-ті немесе оның QR-кодының фотосын жүктеңіз не берілген "
        "сілтемені ашыңыз — оның түпнұсқа екенін бірден көресіз.",
    },
    "home.graduate.title": {
        "en": "I am a graduate",
        "ru": "Я выпускник",
        "kk": "Мен түлекпін",
    },
    "home.graduate.text": {
        "en": "Enter the claim code from your university to download your diploma and "
        "share it with the links you control.",
        "ru": "Введите код получения от вашего вуза, чтобы скачать диплом и делиться им "
        "по ссылкам, которыми управляете вы.",
        "kk": "Дипломыңызды жүктеп алу және оны өзіңіз басқаратын сілтемелер арқылы бөлісу "
        "үшін университеттен алған алу кодын енгізіңіз.",
    },
    "home.graduate.action": {
        "en": "Claim my diploma",
        "ru": "Получить мой диплом",
        "kk": "Дипломымды алу",
    },
    # --- claim ---------------------------------------------------------------------------
    "claim.title": {
        "en": "Claim your diploma",
        "ru": "Получение диплома",
        "kk": "Дипломды алу",
    },
    "claim.intro": {
        "en": "Your university gave you a one-time claim code with your diploma. Enter it to "
        "open your private page. The code works once; keep this browser signed in or ask "
        "your university for a new code later.",
        "ru": "Вместе с дипломом вуз выдал вам одноразовый код получения. Введите его, чтобы "
        "открыть личную страницу. Код действует один раз; позже новый код можно запросить в вузе.",
        "kk": "Университет дипломмен бірге сізге бір реттік алу кодын берді. Жеке бетіңізді "
        "ашу үшін оны енгізіңіз. Код бір рет жарамды; кейін жаңа кодты университеттен сұрай аласыз.",
    },
    "claim.code": {"en": "Claim code", "ru": "Код получения", "kk": "Алу коды"},
    "claim.code.help": {
        "en": "25 letters and digits, for example K7M2Q-8ZT4W-0PXDR-3HV9B-CE61N",
        "ru": "25 букв и цифр, например K7M2Q-8ZT4W-0PXDR-3HV9B-CE61N",
        "kk": "25 әріп пен сан, мысалы K7M2Q-8ZT4W-0PXDR-3HV9B-CE61N",
    },
    "claim.submit": {
        "en": "Open my diploma",
        "ru": "Открыть мой диплом",
        "kk": "Дипломымды ашу",
    },
    # --- graduate page -------------------------------------------------------------------
    "me.title": {"en": "My diploma", "ru": "Мой диплом", "kk": "Менің дипломым"},
    "me.downloads": {"en": "Download", "ru": "Скачать", "kk": "Жүктеп алу"},
    "me.download.json": {
        "en": "Signed diploma (JSON)",
        "ru": "Подписанный диплом (JSON)",
        "kk": "Қол қойылған диплом (JSON)",
    },
    "me.download.pdf": {
        "en": "Diploma and supplement (PDF)",
        "ru": "Диплом и приложение (PDF)",
        "kk": "Диплом және қосымша (PDF)",
    },
    "me.download.log": {
        "en": "Transparency log proof (JSON)",
        "ru": "Доказательство из журнала прозрачности (JSON)",
        "kk": "Ашықтық журналының дәлелі (JSON)",
    },
    "me.download.log.help": {
        "en": "Keep it with the signed diploma: it proves, without a network connection, that "
        "your university's national centre logged the diploma when it was issued. The PDF "
        "already carries it inside.",
        "ru": "Храните его вместе с подписанным дипломом: оно без подключения к сети "
        "доказывает, что национальный центр внёс диплом в журнал при его выдаче. PDF уже "
        "содержит его внутри.",
        "kk": "Оны қол қойылған дипломмен бірге сақтаңыз: ол желіге қосылмай-ақ ұлттық "
        "орталықтың дипломды берілген кезде журналға енгізгенін дәлелдейді. PDF ішінде ол "
        "бұрыннан бар.",
    },
    "me.download.pdf.help": {
        "en": "The PDF carries the signed diploma inside and a QR code to your diploma link: "
        "the same link in every copy you download, valid as long as the diploma is. You can "
        "withdraw it below; the QR codes already printed then stop working, and your next PDF "
        "gets a new diploma link.",
        "ru": "PDF содержит подписанный диплом и QR-код ссылки на ваш диплом: одной и той же "
        "во всех загруженных копиях и действующей, пока действителен диплом. Её можно "
        "отозвать ниже; тогда уже напечатанные QR-коды перестанут работать, а следующий PDF "
        "получит новую ссылку.",
        "kk": "PDF ішінде қол қойылған диплом және диплом сілтемесінің QR-коды бар: ол барлық "
        "жүктелген көшірмелерде бірдей және диплом жарамды болғанша жарамды. Оны төменде кері "
        "қайтарып алуға болады; сонда басылған QR-кодтар жұмыс істемей қалады, ал келесі PDF "
        "жаңа сілтеме алады.",
    },
    "me.diploma_state": {
        "en": "Status of the diploma",
        "ru": "Статус диплома",
        "kk": "Дипломның мәртебесі",
    },
    "state.active": {"en": "Active", "ru": "Действителен", "kk": "Жарамды"},
    "state.suspended": {
        "en": "Suspended by the university",
        "ru": "Приостановлен вузом",
        "kk": "Университет тоқтата тұрған",
    },
    "state.revoked": {
        "en": "Revoked by the university",
        "ru": "Отозван вузом",
        "kk": "Университет кері қайтарып алған",
    },
    "links.title": {
        "en": "Verification links",
        "ru": "Ссылки для проверки",
        "kk": "Тексеру сілтемелері",
    },
    "links.intro": {
        "en": "Give a link to a university or employer. Each link has its own expiry and "
        "optional PIN, and you can revoke it at any time. Only you can see this list.",
        "ru": "Отправьте ссылку вузу или работодателю. У каждой ссылки свой срок и "
        "необязательный PIN; её можно отозвать в любой момент. Этот список видите только вы.",
        "kk": "Сілтемені университетке немесе жұмыс берушіге жіберіңіз. Әр сілтеменің өз "
        "мерзімі және қосымша PIN-коды бар; оны кез келген уақытта кері қайтаруға болады. "
        "Бұл тізімді тек сіз көресіз.",
    },
    "links.new": {"en": "New link", "ru": "Новая ссылка", "kk": "Жаңа сілтеме"},
    "links.label": {
        "en": "Label (for you)",
        "ru": "Название (для вас)",
        "kk": "Атауы (өзіңіз үшін)",
    },
    "links.label.help": {
        "en": "For example: University of Tokyo admissions",
        "ru": "Например: приёмная комиссия Токийского университета",
        "kk": "Мысалы: Токио университетінің қабылдау комиссиясы",
    },
    "links.expiry": {
        "en": "Link valid for",
        "ru": "Срок действия ссылки",
        "kk": "Сілтеменің жарамдылық мерзімі",
    },
    "links.days": {"en": "{n} days", "ru": "{n} дн.", "kk": "{n} күн"},
    "links.pin": {
        "en": "PIN (optional, 4–12 digits)",
        "ru": "PIN (необязательно, 4–12 цифр)",
        "kk": "PIN (міндетті емес, 4–12 сан)",
    },
    "links.pin.help": {
        "en": "Tell the PIN separately from the link, e.g. by phone.",
        "ru": "Сообщите PIN отдельно от ссылки, например по телефону.",
        "kk": "PIN-кодты сілтемеден бөлек хабарлаңыз, мысалы телефон арқылы.",
    },
    "links.create": {
        "en": "Create link",
        "ru": "Создать ссылку",
        "kk": "Сілтеме жасау",
    },
    "links.none": {
        "en": "You have not created any links yet.",
        "ru": "Вы ещё не создали ни одной ссылки.",
        "kk": "Сіз әлі бірде-бір сілтеме жасаған жоқсыз.",
    },
    "links.col.label": {"en": "Label", "ru": "Название", "kk": "Атауы"},
    "links.col.created": {"en": "Created", "ru": "Создана", "kk": "Жасалған"},
    "links.col.expires": {
        "en": "Link expires",
        "ru": "Ссылка истекает",
        "kk": "Сілтеме мерзімі",
    },
    "links.col.state": {"en": "State", "ru": "Состояние", "kk": "Күйі"},
    "links.col.pin": {"en": "PIN", "ru": "PIN", "kk": "PIN"},
    "links.col.activity": {"en": "Activity", "ru": "Активность", "kk": "Белсенділік"},
    "links.col.actions": {"en": "Actions", "ru": "Действия", "kk": "Әрекеттер"},
    "links.opened": {
        "en": "opened {n} times, {d} downloads",
        "ru": "открыта {n} раз, скачиваний: {d}",
        "kk": "{n} рет ашылды, {d} рет жүктелді",
    },
    "links.log": {"en": "Access log", "ru": "Журнал доступа", "kk": "Кіру журналы"},
    "links.revoke": {"en": "Revoke", "ru": "Отозвать", "kk": "Кері қайтару"},
    "links.revoke.named": {
        "en": "Revoke link “{label}”",
        "ru": "Отозвать ссылку «{label}»",
        "kk": "«{label}» сілтемесін кері қайтару",
    },
    "links.untitled": {"en": "(no label)", "ru": "(без названия)", "kk": "(атаусыз)"},
    "links.purpose.pdf": {
        "en": "QR code of a PDF",
        "ru": "QR-код в PDF",
        "kk": "PDF ішіндегі QR-код",
    },
    "links.purpose.diploma": {
        "en": "Diploma link: the QR code of your PDFs",
        "ru": "Ссылка на диплом: QR-код ваших PDF",
        "kk": "Диплом сілтемесі: PDF файлдарыңыздағы QR-код",
    },
    "links.no_expiry": {
        "en": "while the diploma is valid",
        "ru": "пока действителен диплом",
        "kk": "диплом жарамды болғанша",
    },
    "yes": {"en": "yes", "ru": "да", "kk": "иә"},
    "no": {"en": "no", "ru": "нет", "kk": "жоқ"},
    "linkstate.active": {"en": "Active", "ru": "Активна", "kk": "Белсенді"},
    "linkstate.expired": {"en": "Expired", "ru": "Истекла", "kk": "Мерзімі өтті"},
    "linkstate.revoked": {"en": "Revoked", "ru": "Отозвана", "kk": "Кері қайтарылды"},
    "linkstate.locked": {
        "en": "Locked (wrong PINs)",
        "ru": "Заблокирована (неверные PIN)",
        "kk": "Бұғатталды (қате PIN)",
    },
    "event.opened": {"en": "opened", "ru": "открыта", "kk": "ашылды"},
    "event.pin-failed": {"en": "wrong PIN", "ru": "неверный PIN", "kk": "қате PIN"},
    "event.pin-accepted": {"en": "PIN accepted", "ru": "PIN принят", "kk": "PIN қабылданды"},
    "event.locked": {"en": "locked", "ru": "заблокирована", "kk": "бұғатталды"},
    "event.refused": {
        "en": "refused (link no longer active)",
        "ru": "отказано (ссылка неактивна)",
        "kk": "бас тартылды (сілтеме белсенді емес)",
    },
    "event.downloaded-json": {
        "en": "downloaded the signed diploma",
        "ru": "скачан подписанный диплом",
        "kk": "қол қойылған диплом жүктелді",
    },
    "event.downloaded-pdf": {"en": "downloaded the PDF", "ru": "скачан PDF", "kk": "PDF жүктелді"},
    "event.downloaded-report": {
        "en": "downloaded the verification report",
        "ru": "скачан отчёт о проверке",
        "kk": "тексеру есебі жүктелді",
    },
    "event.country.unknown": {
        "en": "country unknown",
        "ru": "страна неизвестна",
        "kk": "елі белгісіз",
    },
    "me.signout": {"en": "Sign out", "ru": "Выйти", "kk": "Шығу"},
    "me.signout.everywhere": {
        "en": "Sign out on all devices",
        "ru": "Выйти на всех устройствах",
        "kk": "Барлық құрылғыдан шығу",
    },
    "created.title": {
        "en": "Your new verification link",
        "ru": "Ваша новая ссылка для проверки",
        "kk": "Жаңа тексеру сілтемеңіз",
    },
    "created.once": {
        "en": "Copy the link now: for your security it is shown only once. If you lose it, "
        "revoke it and create a new one.",
        "ru": "Скопируйте ссылку сейчас: в целях безопасности она показывается только один "
        "раз. Если вы её потеряете, отзовите её и создайте новую.",
        "kk": "Сілтемені қазір көшіріп алыңыз: қауіпсіздік үшін ол тек бір рет көрсетіледі. "
        "Жоғалтсаңыз, оны кері қайтарып, жаңасын жасаңыз.",
    },
    "created.link": {"en": "Link", "ru": "Ссылка", "kk": "Сілтеме"},
    "created.qr": {
        "en": "QR code of the link",
        "ru": "QR-код ссылки",
        "kk": "Сілтеменің QR-коды",
    },
    "created.expires": {
        "en": "The link stops working on {date}. This is the link's expiry, not the diploma's.",
        "ru": "Ссылка перестанет работать {date}. Это срок ссылки, а не диплома.",
        "kk": "Сілтеме {date} күні жұмысын тоқтатады. Бұл дипломның емес, сілтеменің мерзімі.",
    },
    "created.pin": {
        "en": "The viewer will be asked for the PIN you chose.",
        "ru": "У получателя будет запрошен выбранный вами PIN.",
        "kk": "Алушыдан сіз таңдаған PIN сұралады.",
    },
    "created.pdf": {
        "en": "Download the PDF with this link's QR code",
        "ru": "Скачать PDF с QR-кодом этой ссылки",
        "kk": "Осы сілтеменің QR-коды бар PDF жүктеу",
    },
    "created.back": {
        "en": "Back to my diploma",
        "ru": "Вернуться к моему диплому",
        "kk": "Дипломыма оралу",
    },
    # --- link states for viewers ----------------------------------------------------------
    "gone.title": {
        "en": "This verification link is no longer available",
        "ru": "Эта ссылка для проверки больше недоступна",
        "kk": "Бұл тексеру сілтемесі енді қолжетімсіз",
    },
    "gone.expired": {
        "en": "The link has expired.",
        "ru": "Срок действия ссылки истёк.",
        "kk": "Сілтеменің мерзімі өтті.",
    },
    "gone.revoked": {
        "en": "The graduate has withdrawn this link.",
        "ru": "Выпускник отозвал эту ссылку.",
        "kk": "Түлек бұл сілтемені кері қайтарып алды.",
    },
    "gone.locked": {
        "en": "The link was locked after too many wrong PINs.",
        "ru": "Ссылка заблокирована после слишком многих неверных PIN.",
        "kk": "Сілтеме тым көп қате PIN енгізілгеннен кейін бұғатталды.",
    },
    "gone.explain": {
        "en": "This says nothing about the diploma itself: the graduate chose how long the "
        "link works. Ask the graduate for a new link, or upload the diploma file or PDF.",
        "ru": "Это ничего не говорит о самом дипломе: срок ссылки выбрал выпускник. "
        "Попросите у выпускника новую ссылку или загрузите файл диплома либо PDF.",
        "kk": "Бұл дипломның өзі туралы ештеңе айтпайды: сілтеменің мерзімін түлек таңдады. "
        "Түлектен жаңа сілтеме сұраңыз немесе диплом файлын не PDF-ті жүктеңіз.",
    },
    "notfound.link": {
        "en": "No verification link has this address. Check that it was copied completely.",
        "ru": "Ссылки с таким адресом нет. Проверьте, что она скопирована полностью.",
        "kk": "Мұндай мекенжаймен сілтеме жоқ. Оның толық көшірілгенін тексеріңіз.",
    },
    "pin.title": {
        "en": "This link is protected by a PIN",
        "ru": "Эта ссылка защищена PIN-кодом",
        "kk": "Бұл сілтеме PIN-кодпен қорғалған",
    },
    "pin.intro": {
        "en": "The graduate gave you a PIN separately from the link.",
        "ru": "Выпускник сообщил вам PIN отдельно от ссылки.",
        "kk": "Түлек сізге PIN-кодты сілтемеден бөлек берді.",
    },
    "pin.label": {"en": "PIN", "ru": "PIN-код", "kk": "PIN-код"},
    "pin.submit": {"en": "Show the diploma", "ru": "Показать диплом", "kk": "Дипломды көрсету"},
    "pin.wrong": {
        "en": "That PIN is not right. After too many wrong attempts the link locks.",
        "ru": "Неверный PIN. После слишком многих ошибок ссылка блокируется.",
        "kk": "PIN қате. Тым көп қателіктен кейін сілтеме бұғатталады.",
    },
    # --- verify (upload) -------------------------------------------------------------------
    "upload.title": {
        "en": "Verify a diploma",
        "ru": "Проверка диплома",
        "kk": "Дипломды тексеру",
    },
    "upload.intro": {
        "en": "Use any one of these. Nothing you upload is stored.",
        "ru": "Выберите любой способ. Загруженное не сохраняется.",
        "kk": "Кез келген тәсілді таңдаңыз. Жүктелген ештеңе сақталмайды.",
    },
    "upload.file": {
        "en": "Diploma file: signed JSON, PDF from this service, or a photo or scan of its QR code",
        "ru": "Файл диплома: подписанный JSON, PDF этого сервиса или фото либо скан его QR-кода",
        "kk": "Диплом файлы: қол қойылған JSON, осы қызметтің PDF-і немесе оның QR-кодының "
        "фотосы не сканы",
    },
    "upload.file.help": {
        "en": "Drag and drop the file here, or choose it. Up to {mb} MB.",
        "ru": "Перетащите файл сюда или выберите его. До {mb} МБ.",
        "kk": "Файлды осында сүйреп әкеліңіз немесе таңдаңыз. {mb} МБ-қа дейін.",
    },
    "upload.paste": {
        "en": "Or paste the signed JSON",
        "ru": "Или вставьте подписанный JSON",
        "kk": "Немесе қол қойылған JSON-ды қойыңыз",
    },
    "upload.link": {
        "en": "Or enter a verification link",
        "ru": "Или введите ссылку для проверки",
        "kk": "Немесе тексеру сілтемесін енгізіңіз",
    },
    "upload.country": {
        "en": "Receiving country for a recognition statement (optional)",
        "ru": "Страна признания для заключения о признании (необязательно)",
        "kk": "Тану туралы қорытынды үшін қабылдаушы ел (міндетті емес)",
    },
    "upload.submit": {"en": "Verify", "ru": "Проверить", "kk": "Тексеру"},
    "upload.nothing": {
        "en": "Choose a file, paste JSON or enter a link.",
        "ru": "Выберите файл, вставьте JSON или введите ссылку.",
        "kk": "Файлды таңдаңыз, JSON қойыңыз немесе сілтеме енгізіңіз.",
    },
    "upload.again": {
        "en": "Verify another diploma",
        "ru": "Проверить другой диплом",
        "kk": "Басқа дипломды тексеру",
    },
    # --- verification result -----------------------------------------------------------------
    "result.title": {
        "en": "Verification result",
        "ru": "Результат проверки",
        "kk": "Тексеру нәтижесі",
    },
    "verdict.valid": {
        "en": "Valid: this diploma is authentic and in force",
        "ru": "Действителен: диплом подлинный и не отозван",
        "kk": "Жарамды: диплом түпнұсқа және күшінде",
    },
    "verdict.invalid": {
        "en": "Invalid: do not rely on this diploma",
        "ru": "Недействителен: на этот диплом нельзя полагаться",
        "kk": "Жарамсыз: бұл дипломға сенуге болмайды",
    },
    "verdict.indeterminate": {
        "en": "Could not be fully verified",
        "ru": "Не удалось полностью проверить",
        "kk": "Толық тексеру мүмкін болмады",
    },
    "verdict.valid.text": {
        "en": "The university's signature is intact, the university is accredited by a "
        "trusted national centre, and the diploma has not been revoked or suspended.",
        "ru": "Подпись вуза не нарушена, вуз аккредитован доверенным национальным центром, "
        "диплом не отозван и не приостановлен.",
        "kk": "Университеттің қолтаңбасы бұзылмаған, университет сенімді ұлттық орталықта "
        "аккредиттелген, диплом кері қайтарылмаған және тоқтатылмаған.",
    },
    "verdict.invalid.text": {
        "en": "At least one check failed (see below): the diploma was altered, revoked or "
        "suspended, or its issuer is not who it claims to be.",
        "ru": "Как минимум одна проверка не пройдена (см. ниже): диплом изменён, отозван или "
        "приостановлен, либо издатель не тот, за кого себя выдаёт.",
        "kk": "Кемінде бір тексеру өтпеді (төменде қараңыз): диплом өзгертілген, кері "
        "қайтарылған не тоқтатылған, немесе беруші өзі айтқан ұйым емес.",
    },
    "verdict.indeterminate.text": {
        "en": "Nothing failed, but something could not be checked (see below), for example "
        "an unreachable status list or an issuer no trusted centre has listed.",
        "ru": "Ни одна проверка не провалена, но что-то проверить не удалось (см. ниже), "
        "например недоступен список статусов или издатель не внесён ни одним доверенным центром.",
        "kk": "Ешбір тексеру сәтсіз болмады, бірақ бір нәрсені тексеру мүмкін болмады "
        "(төменде қараңыз), мысалы мәртебе тізімі қолжетімсіз немесе берушіні ешбір сенімді "
        "орталық тіркемеген.",
    },
    "checks.title": {
        "en": "What was checked",
        "ru": "Что проверено",
        "kk": "Тексеру тармақтары",
    },
    "checks.details": {
        "en": "Technical detail",
        "ru": "Технические подробности",
        "kk": "Техникалық мәлімет",
    },
    "checks.mandatory": {"en": "required", "ru": "обязательная", "kk": "міндетті"},
    "checkstatus.passed": {"en": "Passed", "ru": "Пройдена", "kk": "Өтті"},
    "checkstatus.failed": {"en": "Failed", "ru": "Не пройдена", "kk": "Өтпеді"},
    "checkstatus.error": {
        "en": "Could not be checked",
        "ru": "Не удалось проверить",
        "kk": "Тексеру мүмкін болмады",
    },
    "checkstatus.skipped": {"en": "Not applicable", "ru": "Не применяется", "kk": "Қолданылмайды"},
    "check.format.schema": {
        "en": "Format: the diploma follows the shared diploma schema",
        "ru": "Формат: диплом соответствует общей схеме дипломов",
        "kk": "Пішім: диплом ортақ диплом схемасына сәйкес",
    },
    "check.proof.signature": {
        "en": "Signature: the content is exactly what the university signed",
        "ru": "Подпись: содержимое в точности то, что подписал вуз",
        "kk": "Қолтаңба: мазмұны университет қол қойғанмен дәл сәйкес",
    },
    "check.proof.key-binding": {
        "en": "Signing key: the key belongs to the named university",
        "ru": "Ключ подписи: ключ принадлежит указанному вузу",
        "kk": "Қолтаңба кілті: кілт аталған университетке тиесілі",
    },
    "check.proof.coverage": {
        "en": "Coverage: everything checked is covered by the university's signature",
        "ru": "Охват подписи: всё проверяемое содержимое покрыто подписью вуза",
        "kk": "Қолтаңба аясы: тексерілетін мазмұнның бәрі университет қолтаңбасымен қамтылған",
    },
    "check.issuance.record": {
        "en": "Issuance record: the university's service recorded this exact diploma as issued",
        "ru": "Реестр выдачи: сервис вуза зарегистрировал выдачу именно этого диплома",
        "kk": "Беру тізілімі: университет қызметі дәл осы дипломның берілгенін тіркеген",
    },
    "check.document.seal": {
        "en": "PDF seal: the PDF is sealed by the university under a certificate of the "
        "national centre, and unchanged since",
        "ru": "Печать PDF: PDF заверен электронной печатью вуза с сертификатом национального "
        "центра и с тех пор не изменялся",
        "kk": "PDF мөрі: PDF ұлттық орталық сертификатымен университеттің электрондық мөрімен "
        "бекітілген және содан бері өзгермеген",
    },
    "check.issuance.log": {
        "en": "Transparency log: the diploma is in the national centre's public issuance log, "
        "logged while the university's key was valid",
        "ru": "Журнал прозрачности: диплом есть в открытом журнале выдачи национального центра "
        "и внесён туда, пока ключ вуза был действителен",
        "kk": "Ашықтық журналы: диплом ұлттық орталықтың ашық беру журналында бар және "
        "университет кілті жарамды кезде енгізілген",
    },
    "check.key.validity": {
        "en": "Key validity: the key was valid when the diploma was signed",
        "ru": "Срок ключа: ключ был действителен в момент подписания",
        "kk": "Кілттің жарамдылығы: қол қойылған кезде кілт жарамды болған",
    },
    "check.validity.period": {
        "en": "Dates: the diploma is within its validity period",
        "ru": "Даты: диплом в пределах срока действия",
        "kk": "Күндер: диплом жарамдылық мерзімі ішінде",
    },
    "check.issuer.trust": {
        "en": "Issuer: the university is known to a trusted national information centre",
        "ru": "Издатель: вуз известен доверенному национальному информационному центру",
        "kk": "Беруші: университет сенімді ұлттық ақпарат орталығына белгілі",
    },
    "check.issuer.accreditation": {
        "en": "Accreditation: the university was accredited for this qualification when it issued it",
        "ru": "Аккредитация: вуз был аккредитован на эту квалификацию на дату выдачи",
        "kk": "Аккредитация: берілген күні университет осы біліктілікке аккредиттелген",
    },
    "check.status.revocation": {
        "en": "Revocation: the university has not revoked the diploma",
        "ru": "Отзыв: вуз не отозвал диплом",
        "kk": "Кері қайтару: университет дипломды кері қайтармаған",
    },
    "check.status.suspension": {
        "en": "Suspension: the diploma is not suspended",
        "ru": "Приостановка: диплом не приостановлен",
        "kk": "Тоқтата тұру: диплом тоқтатылмаған",
    },
    "check.status.other": {
        "en": "Other status: no other status flag is set",
        "ru": "Прочий статус: других отметок статуса нет",
        "kk": "Басқа мәртебе: басқа мәртебе белгісі жоқ",
    },
    "check.format.detected": {
        "en": "Format: which kind of credential this is",
        "ru": "Формат: вид предъявленного документа",
        "kk": "Пішім: ұсынылған құжаттың түрі",
    },
    "check.format.envelope": {
        "en": "Envelope: the token's own claims agree with the diploma it carries",
        "ru": "Оболочка: собственные поля токена согласуются с дипломом внутри",
        "kk": "Қабық: токеннің өз өрістері ішіндегі дипломмен сәйкес",
    },
    "check.proof.disclosures": {
        "en": "Disclosures: every revealed detail is one the university signed",
        "ru": "Раскрытые сведения: каждое раскрытое сведение подписано вузом",
        "kk": "Ашылған мәліметтер: әр ашылған мәліметке университет қол қойған",
    },
    "check.proof.holder-binding": {
        "en": "Holder: the person presenting it holds the diploma's key",
        "ru": "Владелец: предъявитель владеет ключом диплома",
        "kk": "Иесі: ұсынушы дипломның кілтін иеленеді",
    },
    "check.proof.integrity": {
        "en": "Integrity: the certificate's fingerprint matches its blockchain receipt",
        "ru": "Целостность: отпечаток сертификата совпадает с квитанцией блокчейна",
        "kk": "Тұтастық: сертификаттың таңбасы блокчейн түбіртегіне сәйкес",
    },
    "check.proof.anchor": {
        "en": "Blockchain anchor: the receipt is recorded in the named transaction",
        "ru": "Запись в блокчейне: квитанция записана в указанной транзакции",
        "kk": "Блокчейндегі жазба: түбіртек көрсетілген транзакцияда жазылған",
    },
    "check.issuer.profile": {
        "en": "Issuer profile: the issuer's published profile is the one named",
        "ru": "Профиль издателя: опубликованный профиль издателя совпадает с указанным",
        "kk": "Беруші профилі: берушінің жарияланған профилі аталғанмен сәйкес",
    },
    "check.presentation.credentials": {
        "en": "Presented credentials: every credential in the presentation verified",
        "ru": "Предъявленные документы: каждый документ в предъявлении проверен",
        "kk": "Ұсынылған құжаттар: ұсынудағы әр құжат тексерілді",
    },
    "diploma.title": {"en": "The diploma", "ru": "Диплом", "kk": "Диплом"},
    "diploma.title_unverified": {
        "en": "What the file claims (not verified)",
        "ru": "Что заявлено в файле (не проверено)",
        "kk": "Файлда мәлімделгені (тексерілмеген)",
    },
    "diploma.note_unverified": {
        "en": "These details could not be verified: they are shown only as the file states "
        "them. Do not rely on them until the verification is complete.",
        "ru": "Эти сведения не удалось проверить: они показаны только так, как указаны в "
        "файле. Не полагайтесь на них до завершения проверки.",
        "kk": "Бұл мәліметтерді тексеру мүмкін болмады: олар файлда көрсетілгендей ғана "
        "берілген. Тексеру аяқталғанға дейін оларға сүйенбеңіз.",
    },
    "verdict.invalid.warning": {
        "en": "Warning: this file is not a valid diploma. Do not accept it. Its content is not "
        "shown, because it may be forged or altered.",
        "ru": "Внимание: этот файл не является действительным дипломом. Не принимайте его. "
        "Его содержимое не показывается, так как оно может быть подделано или изменено.",
        "kk": "Назар аударыңыз: бұл файл жарамды диплом емес. Оны қабылдамаңыз. Мазмұны "
        "көрсетілмейді, себебі ол жалған немесе өзгертілген болуы мүмкін.",
    },
    "recognition.only_valid": {
        "en": "A recognition comparison is offered only for a diploma that verified as valid.",
        "ru": "Сравнение для признания предлагается только для диплома, успешно прошедшего "
        "проверку.",
        "kk": "Тану үшін салыстыру тек тексеруден сәтті өткен дипломға ұсынылады.",
    },
    "diploma.note_content": {
        "en": "Shown from the signed credential itself, not from any PDF text.",
        "ru": "Показано по самим подписанным данным, а не по тексту PDF.",
        "kk": "PDF мәтінінен емес, қол қойылған деректердің өзінен көрсетілген.",
    },
    "diploma.holder": {"en": "Holder", "ru": "Владелец", "kk": "Иегері"},
    "diploma.birth": {"en": "Date of birth", "ru": "Дата рождения", "kk": "Туған күні"},
    "diploma.qualification": {"en": "Qualification", "ru": "Квалификация", "kk": "Біліктілік"},
    "diploma.field": {"en": "Field of study", "ru": "Область обучения", "kk": "Оқу саласы"},
    "diploma.specialization": {"en": "Specialization", "ru": "Специализация", "kk": "Мамандану"},
    "diploma.programme": {"en": "Programme code", "ru": "Код программы", "kk": "Бағдарлама коды"},
    "diploma.institution": {"en": "Institution", "ru": "Организация", "kk": "Оқу орны"},
    "diploma.awarded": {"en": "Awarded on", "ru": "Дата присуждения", "kk": "Берілген күні"},
    "diploma.number": {"en": "Diploma number", "ru": "Номер диплома", "kk": "Диплом нөмірі"},
    "diploma.level": {"en": "Level", "ru": "Уровень", "kk": "Деңгейі"},
    "diploma.credits": {"en": "Credits", "ru": "Кредиты", "kk": "Кредиттер"},
    "diploma.length": {
        "en": "Official length",
        "ru": "Нормативный срок",
        "kk": "Нормативтік мерзімі",
    },
    "diploma.mode": {"en": "Mode of study", "ru": "Форма обучения", "kk": "Оқу нысаны"},
    "diploma.languages": {
        "en": "Language of instruction",
        "ru": "Язык обучения",
        "kk": "Оқыту тілі",
    },
    "diploma.results": {"en": "Overall result", "ru": "Общий результат", "kk": "Жалпы нәтиже"},
    "diploma.transcript": {"en": "Transcript", "ru": "Выписка оценок", "kk": "Бағалар тізімі"},
    "diploma.course.code": {"en": "Code", "ru": "Код", "kk": "Коды"},
    "diploma.course.title": {"en": "Course", "ru": "Дисциплина", "kk": "Пән"},
    "diploma.course.credits": {"en": "Credits", "ru": "Кредиты", "kk": "Кредит"},
    "diploma.course.grade": {"en": "Grade", "ru": "Оценка", "kk": "Баға"},
    "diploma.course.term": {"en": "Term", "ru": "Семестр", "kk": "Семестр"},
    "diploma.valid_until": {
        "en": "Diploma valid until",
        "ru": "Диплом действителен до",
        "kk": "Диплом жарамды мерзімі",
    },
    "diploma.no_expiry": {
        "en": "The diploma itself does not expire.",
        "ru": "Сам диплом бессрочный.",
        "kk": "Дипломның өзі мерзімсіз.",
    },
    "diploma.id": {"en": "Credential identifier", "ru": "Идентификатор", "kk": "Идентификатор"},
    "issuer.title": {
        "en": "Issuer and who vouches for it",
        "ru": "Издатель и кто за него ручается",
        "kk": "Беруші және оған кепілдік беретін орган",
    },
    "issuer.did": {
        "en": "Issuer identifier (DID)",
        "ru": "Идентификатор издателя (DID)",
        "kk": "Беруші идентификаторы (DID)",
    },
    "link.expires": {
        "en": "This link works until {date} (set by the graduate; not the diploma's validity).",
        "ru": "Ссылка действует до {date} (срок задал выпускник; это не срок диплома).",
        "kk": "Сілтеме {date} дейін жұмыс істейді (мерзімді түлек белгіледі; бұл дипломның мерзімі емес).",
    },
    "recognition.title": {
        "en": "Recognition in your country",
        "ru": "Признание в вашей стране",
        "kk": "Сіздің еліңізде тану",
    },
    "recognition.intro": {
        "en": "Pick the receiving country to see how this qualification compares with its "
        "national framework (Tokyo and Lisbon Recognition Conventions).",
        "ru": "Выберите страну, чтобы увидеть, как эта квалификация соотносится с её "
        "национальной рамкой (Токийская и Лиссабонская конвенции о признании).",
        "kk": "Бұл біліктіліктің қабылдаушы елдің ұлттық шеңберімен қалай салыстырылатынын "
        "көру үшін елді таңдаңыз (Токио және Лиссабон тану конвенциялары).",
    },
    "recognition.country": {"en": "Receiving country", "ru": "Страна", "kk": "Қабылдаушы ел"},
    "recognition.show": {"en": "Compare", "ru": "Сравнить", "kk": "Салыстыру"},
    "recognition.outcome": {"en": "Outcome", "ru": "Итог", "kk": "Қорытынды"},
    "recognition.comparable": {
        "en": "Comparable qualification",
        "ru": "Сопоставимая квалификация",
        "kk": "Салыстырмалы біліктілік",
    },
    "recognition.criteria": {"en": "Criteria", "ru": "Критерии", "kk": "Өлшемдер"},
    "recognition.substantial": {
        "en": "substantial difference",
        "ru": "существенное различие",
        "kk": "елеулі айырмашылық",
    },
    "recognition.reasoning": {
        "en": "Reasoning and sources",
        "ru": "Обоснование и источники",
        "kk": "Негіздеме және дереккөздер",
    },
    "recognition.english_note": {
        "en": "Each step cites its sources; quotations are in the sources' own language.",
        "ru": "Каждый шаг ссылается на источники; цитаты приводятся на языке источника.",
        "kk": "Әр қадам дереккөздерге сілтейді; дәйексөздер дереккөздің тілінде берілген.",
    },
    "recognition.not_for_invalid": {
        "en": "No recognition statement for a diploma that did not verify.",
        "ru": "Для непроверенного диплома заключение о признании не выдаётся.",
        "kk": "Тексеруден өтпеген дипломға тану туралы қорытынды берілмейді.",
    },
    "recognition.level": {
        "en": "Level in the receiving system",
        "ru": "Уровень в системе принимающей страны",
        "kk": "Қабылдаушы елдің жүйесіндегі деңгей",
    },
    "recognition.purpose": {
        "en": "Purpose of recognition",
        "ru": "Цель признания",
        "kk": "Тану мақсаты",
    },
    "recognition.purpose.help": {
        "en": "Optional. Some comparisons hold for one purpose only (for example admission to "
        "doctoral studies but not employment).",
        "ru": "Необязательно. Некоторые сопоставления действуют только для одной цели "
        "(например, для приёма в докторантуру, но не для трудоустройства).",
        "kk": "Міндетті емес. Кейбір салыстырулар тек бір мақсат үшін жарамды (мысалы, "
        "докторантураға қабылдау үшін, бірақ жұмысқа орналасу үшін емес).",
    },
    "recognition.required_field": {
        "en": "Required field of study (ISCED-F code)",
        "ru": "Требуемая область образования (код МСКО-О)",
        "kk": "Талап етілетін білім саласы (ХСБЖ-С коды)",
    },
    "recognition.required_field.help": {
        "en": "Optional, 2 to 4 digits, e.g. 0613 for software development: the field then "
        "becomes a criterion.",
        "ru": "Необязательно, 2–4 цифры, например 0613 (разработка программного обеспечения): "
        "тогда область становится критерием.",
        "kk": "Міндетті емес, 2–4 цифр, мысалы 0613 (бағдарламалық қамтамасыз етуді "
        "әзірлеу): сонда сала өлшемге айналады.",
    },
    "recognition.credits_recognised": {
        "en": "Credits recognised as periods of study",
        "ru": "Зачитываемый объём обучения",
        "kk": "Оқу кезеңі ретінде есепке алынатын кредиттер",
    },
    "recognition.by_purpose": {
        "en": "Outcome by purpose",
        "ru": "Итог в зависимости от цели",
        "kk": "Мақсатқа байланысты қорытынды",
    },
    "recognition.missing": {
        "en": "Missing information",
        "ru": "Недостающие сведения",
        "kk": "Жетіспейтін мәліметтер",
    },
    "recognition.document": {
        "en": "supplied by",
        "ru": "подтверждается документом",
        "kk": "растайтын құжат",
    },
    "recognition.contradictions": {
        "en": "Contradictions in the facts",
        "ru": "Противоречия в сведениях",
        "kk": "Мәліметтердегі қайшылықтар",
    },
    "compare.title": {
        "en": "Compare a qualification described by hand",
        "ru": "Сопоставить квалификацию по описанию",
        "kk": "Сипаттама бойынша біліктілікті салыстыру",
    },
    "compare.intro": {
        "en": "For a paper diploma: describe the qualification and choose the receiving "
        "country. Leave out what you do not know; the comparison says which fact is missing "
        "and which document supplies it.",
        "ru": "Для диплома на бумаге: опишите квалификацию и выберите страну. Оставьте "
        "пустым то, чего вы не знаете; в сопоставлении будет указано, каких сведений не "
        "хватает и какой документ их подтверждает.",
        "kk": "Қағаз диплом үшін: біліктілікті сипаттап, қабылдаушы елді таңдаңыз. "
        "Білмейтін мәліметті бос қалдырыңыз; салыстыруда қандай мәлімет жетіспейтіні және "
        "оны қандай құжат растайтыны көрсетіледі.",
    },
    "compare.advisory": {
        "en": "Advisory comparison.",
        "ru": "Консультативное сопоставление.",
        "kk": "Кеңес беру сипатындағы салыстыру.",
    },
    "compare.notice": {
        "en": "The facts are self-declared and have not been verified by the National "
        "Information Centre; nothing here asserts that the qualification exists or that its "
        "institution is accredited. It is not a recognition statement and is not signed.",
        "ru": "Сведения указаны заявителем и не проверены Национальным информационным "
        "центром; ничто здесь не подтверждает существование квалификации или аккредитацию "
        "организации. Это не заключение о признании, и оно не подписано.",
        "kk": "Мәліметтерді өтініш беруші көрсеткен, оларды Ұлттық ақпарат орталығы "
        "тексермеген; мұнда біліктіліктің бар екені немесе ұйымның аккредиттелгені "
        "расталмайды. Бұл тану туралы қорытынды емес және оған қол қойылмаған.",
    },
    "compare.qualification": {
        "en": "The qualification",
        "ru": "Квалификация",
        "kk": "Біліктілік",
    },
    "compare.awarding": {
        "en": "Awarding country",
        "ru": "Страна выдачи",
        "kk": "Берген ел",
    },
    "compare.type": {
        "en": "Type of qualification",
        "ru": "Вид квалификации (документа об образовании)",
        "kk": "Біліктілік (білім туралы құжат) түрі",
    },
    "compare.type.help": {
        "en": "As named in the awarding country; former types are listed too.",
        "ru": "Как называется в стране выдачи; прежние виды тоже перечислены.",
        "kk": "Берген елдегі атауы бойынша; бұрынғы түрлері де көрсетілген.",
    },
    "compare.isced_level": {
        "en": "ISCED 2011 level or programme code (e.g. 6 or 645)",
        "ru": "Уровень или код программы МСКО 2011 (например, 6 или 645)",
        "kk": "ХСБЖ 2011 деңгейі немесе бағдарлама коды (мысалы, 6 немесе 645)",
    },
    "compare.isced_field": {
        "en": "Field of study (ISCED-F 2013 code)",
        "ru": "Область образования (код МСКО-О 2013)",
        "kk": "Білім саласы (ХСБЖ-С 2013 коды)",
    },
    "compare.nqf_level": {
        "en": "Level in the awarding country's framework",
        "ru": "Уровень национальной рамки квалификаций страны выдачи",
        "kk": "Берген елдің ұлттық біліктілік шеңберіндегі деңгейі",
    },
    "compare.length_years": {
        "en": "Official length (years, full time)",
        "ru": "Нормативный срок обучения (лет, очная форма)",
        "kk": "Нормативтік оқу мерзімі (жыл, күндізгі нысан)",
    },
    "compare.credits": {
        "en": "Credits",
        "ru": "Трудоёмкость (кредиты, зачётные единицы)",
        "kk": "Академиялық кредиттер",
    },
    "compare.credits.help": {
        "en": "A number, or a range such as 180-240 when the documents give one.",
        "ru": "Число или диапазон, например 180-240, если документы указывают диапазон.",
        "kk": "Сан немесе құжаттарда көрсетілсе, 180-240 сияқты аралық.",
    },
    "compare.credit_system": {
        "en": "Credit system",
        "ru": "Система кредитов",
        "kk": "Кредиттер жүйесі",
    },
    "compare.award_date": {
        "en": "Date of award",
        "ru": "Дата выдачи",
        "kk": "Берілген күні",
    },
    "compare.institution_type": {
        "en": "Kind of awarding institution",
        "ru": "Тип организации, выдавшей документ",
        "kk": "Құжатты берген ұйымның түрі",
    },
    "compare.institution_tier": {
        "en": "Status of the institution (where a comparison depends on it)",
        "ru": "Статус организации (если от него зависит сопоставление)",
        "kk": "Ұйымның мәртебесі (салыстыру соған байланысты болса)",
    },
    "compare.prior_qualification": {
        "en": "Qualification that gave access to it",
        "ru": "Предшествующий документ об образовании",
        "kk": "Оған қол жеткізуге негіз болған біліктілік",
    },
    "compare.prior_qualification.help": {
        "en": "A type id (e.g. cn.bachelor) or a level such as bachelor.",
        "ru": "Идентификатор вида (например, cn.bachelor) или уровень, например bachelor.",
        "kk": "Түр идентификаторы (мысалы, cn.bachelor) немесе bachelor сияқты деңгей.",
    },
    "compare.completed": {
        "en": "Programme completed?",
        "ru": "Программа освоена полностью?",
        "kk": "Бағдарлама толық меңгерілді ме?",
    },
    "compare.completed.yes": {
        "en": "Yes, a final qualification",
        "ru": "Да, документ об образовании и о квалификации",
        "kk": "Иә, білімі және біліктілігі туралы құжат",
    },
    "compare.completed.no": {
        "en": "No, studies not completed (certificate of study, transcript)",
        "ru": "Нет, обучение не завершено (справка об обучении)",
        "kk": "Жоқ, оқу аяқталмаған (оқу туралы анықтама)",
    },
    "compare.request": {
        "en": "Where and why",
        "ru": "Где и для чего",
        "kk": "Қайда және не үшін",
    },
    "compare.result": {
        "en": "Comparison",
        "ru": "Сопоставление",
        "kk": "Салыстыру",
    },
    "institution.university": {"en": "University", "ru": "Университет", "kk": "Университет"},
    "institution.university-of-applied-sciences": {
        "en": "University of applied sciences (Fachhochschule, HBO)",
        "ru": "Университет прикладных наук (Fachhochschule, HBO)",
        "kk": "Қолданбалы ғылымдар университеті (Fachhochschule, HBO)",
    },
    "institution.college": {"en": "College", "ru": "Колледж", "kk": "Колледж"},
    "institution.junior-college": {
        "en": "Junior college",
        "ru": "Младший колледж (junior college)",
        "kk": "Кіші колледж (junior college)",
    },
    "institution.research-institute": {
        "en": "Research institute",
        "ru": "Научная организация (научно-исследовательский институт)",
        "kk": "Ғылыми ұйым (ғылыми-зерттеу институты)",
    },
    "institution.arts-institution": {
        "en": "Institution of the arts",
        "ru": "Образовательная организация в сфере искусств",
        "kk": "Өнер саласындағы білім беру ұйымы",
    },
    "nav.compare": {
        "en": "Compare a paper diploma",
        "ru": "Сопоставить диплом на бумаге",
        "kk": "Қағаз дипломды салыстыру",
    },
    "recognition.signed": {
        "en": "Get a signed recognition statement (JSON)",
        "ru": "Получить подписанное заключение о признании (JSON)",
        "kk": "Қол қойылған тану қорытындысын алу (JSON)",
    },
    "downloads.title": {"en": "Downloads", "ru": "Скачать", "kk": "Жүктеп алу"},
    "downloads.credential": {
        "en": "Original signed diploma (JSON)",
        "ru": "Исходный подписанный диплом (JSON)",
        "kk": "Бастапқы қол қойылған диплом (JSON)",
    },
    "downloads.report": {
        "en": "Verification report (JSON)",
        "ru": "Отчёт о проверке (JSON)",
        "kk": "Тексеру есебі (JSON)",
    },
    "downloads.pdf": {"en": "Diploma PDF", "ru": "Диплом в PDF", "kk": "Диплом PDF"},
    "checked_at": {
        "en": "Checked on {date} (UTC)",
        "ru": "Проверено {date} (UTC)",
        "kk": "Тексерілген уақыты {date} (UTC)",
    },
    # --- errors ------------------------------------------------------------------------------
    "error.title": {
        "en": "Something is not right",
        "ru": "Что-то не так",
        "kk": "Бір нәрсе дұрыс емес",
    },
    "error.retry_after": {
        "en": "Too many attempts. Try again in {n} seconds.",
        "ru": "Слишком много попыток. Повторите через {n} с.",
        "kk": "Әрекеттер тым көп. {n} секундтан кейін қайталаңыз.",
    },
    "error.back": {"en": "Go back", "ru": "Назад", "kk": "Артқа"},
    "err.claim-code-malformed": {
        "en": "A claim code has 25 letters and digits, as printed by your university.",
        "ru": "Код получения состоит из 25 букв и цифр, как его выдал вуз.",
        "kk": "Алу коды университет берген түрде 25 әріп пен саннан тұрады.",
    },
    "err.claim-code-unknown": {
        "en": "This claim code is not known. Check it against the one your university gave you.",
        "ru": "Такой код получения неизвестен. Сверьте его с кодом, выданным вузом.",
        "kk": "Мұндай алу коды белгісіз. Оны университет берген кодпен салыстырыңыз.",
    },
    "err.claim-code-used": {
        "en": "This claim code was already used. If that was not you, ask your university for a new one.",
        "ru": "Этот код уже использован. Если это были не вы, запросите новый код в вузе.",
        "kk": "Бұл код бұрын пайдаланылған. Егер бұл сіз болмасаңыз, университеттен жаңа код сұраңыз.",
    },
    "err.claim-code-replaced": {
        "en": "This claim code was replaced by a newer one from your university.",
        "ru": "Этот код заменён более новым кодом от вуза.",
        "kk": "Бұл кодты университет жаңа кодпен ауыстырды.",
    },
    "err.claim-code-expired": {
        "en": "This claim code has expired. Ask your university for a new one.",
        "ru": "Срок действия кода истёк. Запросите новый код в вузе.",
        "kk": "Кодтың мерзімі өтті. Университеттен жаңа код сұраңыз.",
    },
    "err.csrf-failed": {
        "en": "The form is out of date. Reload the page and try again.",
        "ru": "Форма устарела. Обновите страницу и повторите.",
        "kk": "Пішін ескірген. Бетті жаңартып, қайталаңыз.",
    },
    "err.link-expiry-out-of-range": {
        "en": "Choose how many days the link lasts (1 to 365).",
        "ru": "Выберите срок действия ссылки (от 1 до 365 дней).",
        "kk": "Сілтеменің мерзімін таңдаңыз (1-ден 365 күнге дейін).",
    },
    "err.link-label-too-long": {
        "en": "The label is too long (at most 120 characters).",
        "ru": "Название слишком длинное (не более 120 символов).",
        "kk": "Атауы тым ұзын (ең көбі 120 таңба).",
    },
    "err.pin-malformed": {
        "en": "A PIN is 4 to 12 digits.",
        "ru": "PIN состоит из 4–12 цифр.",
        "kk": "PIN 4–12 саннан тұрады.",
    },
    "err.too-many-links": {
        "en": "You have too many active links; revoke some first.",
        "ru": "Слишком много активных ссылок; сначала отзовите часть из них.",
        "kk": "Белсенді сілтемелер тым көп; алдымен кейбірін кері қайтарыңыз.",
    },
    "err.pdf-no-credential": {
        "en": "This PDF has no signed diploma inside. Upload the JSON file, or a photo of the QR code.",
        "ru": "В этом PDF нет подписанного диплома. Загрузите файл JSON или фото QR-кода.",
        "kk": "Бұл PDF ішінде қол қойылған диплом жоқ. JSON файлын немесе QR-кодтың фотосын жүктеңіз.",
    },
    "err.pdf-unreadable": {
        "en": "This PDF could not be read.",
        "ru": "Не удалось прочитать этот PDF.",
        "kk": "Бұл PDF оқылмады.",
    },
    "err.pdf-encrypted": {
        "en": "This PDF is encrypted; upload the original from the graduate.",
        "ru": "PDF зашифрован; загрузите оригинал от выпускника.",
        "kk": "PDF шифрланған; түлектен түпнұсқасын жүктеңіз.",
    },
    "err.pdf-too-many-pages": {
        "en": "This PDF has too many pages to be a diploma from this service.",
        "ru": "В PDF слишком много страниц для диплома этого сервиса.",
        "kk": "Бұл PDF-те осы қызметтің дипломы үшін беттер тым көп.",
    },
    "err.pdf-attachment-too-large": {
        "en": "The file inside this PDF is too large.",
        "ru": "Вложенный в PDF файл слишком велик.",
        "kk": "PDF ішіндегі файл тым үлкен.",
    },
    "err.image-too-large": {
        "en": "The image is too large; take a smaller photo of the QR code.",
        "ru": "Изображение слишком большое; сделайте фото QR-кода меньшего размера.",
        "kk": "Сурет тым үлкен; QR-кодтың кішірек фотосын түсіріңіз.",
    },
    "err.image-unreadable": {
        "en": "This file is not an image we can read (PNG, JPEG, WebP, GIF, BMP or TIFF).",
        "ru": "Не удалось прочитать изображение (PNG, JPEG, WebP, GIF, BMP или TIFF).",
        "kk": "Бұл файлды сурет ретінде оқу мүмкін болмады (PNG, JPEG, WebP, GIF, BMP не TIFF).",
    },
    "err.qr-not-found": {
        "en": "No QR code was found in the image. Photograph the code straight on, in good light.",
        "ru": "На изображении не найден QR-код. Сфотографируйте код прямо, при хорошем освещении.",
        "kk": "Суретте QR-код табылмады. Кодты тура, жақсы жарықта түсіріңіз.",
    },
    "err.qr-not-a-link": {
        "en": "The QR code does not hold a verification link.",
        "ru": "QR-код не содержит ссылку для проверки.",
        "kk": "QR-кодта тексеру сілтемесі жоқ.",
    },
    "err.unsupported-upload": {
        "en": "Upload a signed JSON credential, a PDF diploma or an image of its QR code.",
        "ru": "Загрузите подписанный JSON, PDF-диплом или изображение его QR-кода.",
        "kk": "Қол қойылған JSON, PDF диплом немесе оның QR-кодының суретін жүктеңіз.",
    },
    "err.upload-too-large": {
        "en": "The file is too large.",
        "ru": "Файл слишком большой.",
        "kk": "Файл тым үлкен.",
    },
    "err.upload-empty": {
        "en": "The file is empty.",
        "ru": "Файл пустой.",
        "kk": "Файл бос.",
    },
    "err.link-malformed": {
        "en": "Enter a full https:// address.",
        "ru": "Введите полный адрес https://.",
        "kk": "Толық https:// мекенжайын енгізіңіз.",
    },
    "err.link-unreachable": {
        "en": "The link could not be opened from this service.",
        "ru": "Не удалось открыть ссылку с этого сервиса.",
        "kk": "Сілтемені осы қызметтен ашу мүмкін болмады.",
    },
    "err.country-required": {
        "en": "Choose a receiving country.",
        "ru": "Выберите страну.",
        "kk": "Қабылдаушы елді таңдаңыз.",
    },
    "err.link-not-found": {
        "en": "No verification link has this address. Check that it was copied completely.",
        "ru": "Ссылки с таким адресом нет. Проверьте, что она скопирована полностью.",
        "kk": "Мұндай мекенжаймен сілтеме жоқ. Оның толық көшірілгенін тексеріңіз.",
    },
}


def translate(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` (English, then the key itself, as fallbacks)."""
    entry = M.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get(DEFAULT_LANGUAGE) or key
    return text.format(**values) if values else text


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page language: ``?lang=``, then the ``dx_lang`` cookie, then Accept-Language."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return str(candidate)
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "")[:512].split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            weighted.append((-quality, position, primary))
    return min(weighted)[2] if weighted else DEFAULT_LANGUAGE


def _merge_feature_texts() -> None:
    from diploma_exchange.web.wallet_texts import TEXTS as wallet_texts

    M.update(wallet_texts)


_merge_feature_texts()
