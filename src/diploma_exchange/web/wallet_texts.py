"""Interface texts of the graduate's wallet page (merged into :data:`i18n.M`)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "wallet.title": {
        "en": "Your diploma in a digital wallet",
        "ru": "Ваш диплом в цифровом кошельке",
        "kk": "Дипломыңыз цифрлық әмиянда",
    },
    "wallet.intro": {
        "en": "Scan the code with a wallet app (OpenID4VCI) to keep your diploma in it. "
        "The SD-JWT copy lets you show an employer the degree without your date of birth "
        "or grades.",
        "ru": "Отсканируйте код приложением-кошельком (OpenID4VCI), чтобы хранить диплом в нём. "
        "Копия SD-JWT позволяет показать работодателю степень без даты рождения и оценок.",
        "kk": "Дипломды әмиянда сақтау үшін кодты әмиян қосымшасымен (OpenID4VCI) сканерлеңіз. "
        "SD-JWT көшірмесі жұмыс берушіге туған күніңіз бен бағаларыңызсыз дәрежені көрсетуге "
        "мүмкіндік береді.",
    },
    "wallet.formats": {"en": "Formats", "ru": "Форматы", "kk": "Пішімдер"},
    "wallet.format.ldp": {
        "en": "The signed diploma (W3C Data Integrity, ldp_vc)",
        "ru": "Подписанный диплом (W3C Data Integrity, ldp_vc)",
        "kk": "Қол қойылған диплом (W3C Data Integrity, ldp_vc)",
    },
    "wallet.format.sdjwt": {
        "en": "Selective disclosure copy (SD-JWT VC)",
        "ru": "Копия с выборочным раскрытием (SD-JWT VC)",
        "kk": "Таңдап ашылатын көшірме (SD-JWT VC)",
    },
    "wallet.txcode": {
        "en": "Protect the offer with a one-time code",
        "ru": "Защитить предложение одноразовым кодом",
        "kk": "Ұсынысты бір реттік кодпен қорғау",
    },
    "wallet.create": {
        "en": "Show the wallet code",
        "ru": "Показать код для кошелька",
        "kk": "Әмиян кодын көрсету",
    },
    "wallet.qr": {
        "en": "Scan with your wallet",
        "ru": "Отсканируйте кошельком",
        "kk": "Әмиянмен сканерлеңіз",
    },
    "wallet.open": {
        "en": "Open in a wallet on this device",
        "ru": "Открыть в кошельке на этом устройстве",
        "kk": "Осы құрылғыдағы әмиянда ашу",
    },
    "wallet.txcode.shown": {
        "en": "Your wallet will ask for this code: {code}",
        "ru": "Кошелёк запросит этот код: {code}",
        "kk": "Әмиян осы кодты сұрайды: {code}",
    },
    "wallet.expires": {
        "en": "The offer works once, until {time}.",
        "ru": "Предложение действует один раз, до {time}.",
        "kk": "Ұсыныс бір рет, {time} дейін жарамды.",
    },
    "wallet.sent": {
        "en": "Where your diploma was sent",
        "ru": "Куда отправлен ваш диплом",
        "kk": "Дипломыңыз қайда жіберілді",
    },
    "wallet.none": {
        "en": "Not sent to any wallet yet.",
        "ru": "Пока не отправлен ни в один кошелёк.",
        "kk": "Әзірге ешбір әмиянға жіберілмеген.",
    },
    "wallet.when": {"en": "When", "ru": "Когда", "kk": "Қашан"},
    "wallet.format": {"en": "Format", "ru": "Формат", "kk": "Пішім"},
    "wallet.holder": {"en": "Wallet key", "ru": "Ключ кошелька", "kk": "Әмиян кілті"},
    "wallet.link": {
        "en": "Put the diploma in a digital wallet",
        "ru": "Добавить диплом в цифровой кошелёк",
        "kk": "Дипломды цифрлық әмиянға қосу",
    },
    "wallet.back": {
        "en": "Back to your diploma",
        "ru": "Назад к диплому",
        "kk": "Дипломға оралу",
    },
    "vp.title": {
        "en": "Ask a graduate's wallet for a diploma",
        "ru": "Запросить диплом из кошелька выпускника",
        "kk": "Түлектің әмиянынан дипломды сұрау",
    },
    "vp.intro": {
        "en": "Choose what you need to see; the graduate scans the code with their wallet "
        "(OpenID4VP) and shares only that.",
        "ru": "Выберите, что вам нужно увидеть; выпускник сканирует код кошельком (OpenID4VP) "
        "и передаёт только это.",
        "kk": "Көру қажет мәліметтерді таңдаңыз; түлек кодты әмиянмен (OpenID4VP) сканерлеп, "
        "тек соны ғана бөліседі.",
    },
    "vp.fields": {"en": "Fields", "ru": "Сведения", "kk": "Мәліметтер"},
    "vp.create": {
        "en": "Show the request code",
        "ru": "Показать код запроса",
        "kk": "Сұрау кодын көрсету",
    },
    "vp.qr": {
        "en": "The graduate scans this with their wallet",
        "ru": "Выпускник сканирует это кошельком",
        "kk": "Түлек мұны әмиянмен сканерлейді",
    },
    "vp.result": {
        "en": "See the answer",
        "ru": "Посмотреть ответ",
        "kk": "Жауапты көру",
    },
    "vp.pending": {
        "en": "No answer yet. Reload this page after the graduate has shared the diploma.",
        "ru": "Ответа пока нет. Обновите страницу, когда выпускник передаст диплом.",
        "kk": "Әзірге жауап жоқ. Түлек дипломды бөліскеннен кейін бетті жаңартыңыз.",
    },
    "vp.verdict": {"en": "Result", "ru": "Результат", "kk": "Нәтиже"},
    "vp.missing": {
        "en": "Not shared: {fields}",
        "ru": "Не передано: {fields}",
        "kk": "Бөлісілмеген: {fields}",
    },
    "vp.shown": {"en": "Shared", "ru": "Передано", "kk": "Бөлісілген"},
    "vp.link": {
        "en": "Ask a wallet for the diploma instead",
        "ru": "Или запросить диплом из кошелька",
        "kk": "Немесе дипломды әмияннан сұрау",
    },
}
