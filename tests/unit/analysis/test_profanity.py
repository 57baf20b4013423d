"""Profanity and insults as a reader sees them: disguised мат is caught, innocent look-alikes are not,
insults count when aimed at someone."""

from __future__ import annotations

import pytest
from vkc.analysis.deobfuscate import looks_disguised, raw_candidates, skeletons
from vkc.analysis.morphology import default_morphology
from vkc.analysis.profanity import ProfanityDetector, is_profane_word
from vkc.analysis.tokenize import tokenize


@pytest.fixture(scope="module")
def detector() -> ProfanityDetector:
    return ProfanityDetector(default_morphology())


@pytest.mark.parametrize(
    ("token", "reading"),
    [
        ("xyйня", "хуйня"),  # Latin x, y inside a Cyrillic word
        ("nизда", "пизда"),  # Latin n for п
        ("Пиzдец", "пиздец"),
        ("6ля", "бля"),  # digit for a letter
        ("пи3дец", "пиздец"),
        ("оху3ть", "охуеть"),  # 3 as a mirrored е
        ("д0лб0ёб", "долбоеб"),
        ("бляяяять", "блять"),  # repeats
        ("ССУКА", "сука"),
        ("pizdec", "пиздец"),  # transliteration
        ("blyat", "блят"),
        ("nahuy", "нахуй"),
    ],
)
def test_skeleton_reads_the_disguise(token: str, reading: str) -> None:
    assert reading in skeletons(token)


def test_english_words_are_not_transliterated_into_roots() -> None:
    assert skeletons("ebay") == ()
    assert not is_profane_word("job")  # "jo" is not read as "ё" in "ёб"
    assert not is_profane_word("huge")


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("Это х.у.й.н.я полная", "хуйня"),
        ("П и з д е ц с водой", "пиздецс"),  # a trailing one-letter word may stick; the root still starts it
        ("Бл-я, опять", "бля"),
        ("Н_а_х_у_й такие", "нахуй"),
        ("Ну 3.14здец", "пиздец"),
    ],
)
def test_spelled_apart_words_are_joined(text: str, joined: str) -> None:
    assert looks_disguised(text, tokenize(text))
    assert joined in raw_candidates(text)[0]


@pytest.mark.parametrize("text", ["х*й", "П...ц, опять", "Ох..ли совсем", "Бл@@@ть", "*банный роутер", "П%здец сервис"])
def test_symbols_that_hide_letters_become_patterns(text: str) -> None:
    assert looks_disguised(text, tokenize(text))
    assert raw_candidates(text)[1]


@pytest.mark.parametrize("text", ["Пишите в тг @katya_hot", "кто-нибудь знает", "Привет всем, как дела"])
def test_plain_text_takes_the_fast_path(text: str) -> None:
    assert raw_candidates(text)[1] == [] or not looks_disguised(text, tokenize(text))


DISGUISED = [
    "Это xyйня полная, а не ремонт",
    "Опять nиздец с водой",
    "3.14здец, а не дороги",
    "6ля, опять отключили свет",
    "Пи3дец с интернетом",
    "Оху3ть, опять перекрыли мост",
    "Это просто п@здец",
    "Х*йня, а не отопление",
    "П#здец, снова нет сети",
    "Бл*дь, опять списали",
    "Е**ть, какая пробка",
    "Х..ня какая-то с расписанием",
    "П...ц, опять яма",
    "Пздц, опять перекопали",
    "Бл, опять воды нет",
    "Это х.у.й.н.я полная",
    "П и з д е ц с водой",
    "Бл-я, опять нет связи",
    "Н_а_х_у_й такие законы",
    "Бляяяяять, снова авария",
    "Ссссука, опять сверлят",
    "Blyat, opyat dorogi perekopali",
    "Pizdec s vodoy",
    "Internet huinya polnaya",
    "ПиЗдЕц на дорогах",
    "Пизд€ц пересолено",
    "Где мой заказ, ёб вашу мать?",
    "Хули вы молчите?",
    "Мудацкий сервис",
    "Соседи уебки",
]


@pytest.mark.parametrize("text", DISGUISED)
def test_disguised_mat_is_profanity(detector: ProfanityDetector, text: str) -> None:
    assert detector.detect(text, tokenize(text)).profanity, text


INNOCENT = [
    "Экипаж корабля спасли",
    "Курс рубля снова упал",
    "Меньше употреблять сахара",
    "Решила застраховать квартиру",
    "Скипидарные ванны",
    "Не хотел никого оскорблять",
    "Суп хочется хлебать ложкой",
    "Небо сегодня красивое",
    "Мы тебя ждём",
    "Сабля времён войны",
    "Курс продолжает колебаться",
    "Психиатр принимает по записи",
    "Ипотека под 6%",
    "Наша команда заняла второе место",
    "Потребление электроэнергии выросло",
    "Страхуй машину заранее",
    "Подстрахуйте меня завтра",
    "Оскорбление чести и достоинства — это статья",
    "Мандарины абхазские",
    "Смартфон Huawei пришёл быстро",
    "Херес к сырной тарелке",
    "Хулиганы разрисовали остановку",
    "Живём на хуторе",
    "Погода хуже, чем вчера",
    "Вебинар завтра в 19:00",
    "Бляха на ремне у деда",
    "Сукно для бильярдного стола",
    "Наша сука лабрадора ощенилась, щенков отдаём",
    "Пизанская башня тоже падает",
    "Блин, опять воду отключили",
    "Капец, автобус опять не пришёл",
    "Жесть какая, весь двор затопило",
    "Пипец, я в шоке",
    "Хз, я не в курсе",
    "good job",
    "Я работаю на ebay",
    "т.е. всё нормально",
    "Похудеть к лету",
]


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_look_alikes_are_clean(detector: ProfanityDetector, text: str) -> None:
    r = detector.detect(text, tokenize(text))
    assert not r.profanity, (text, r.terms)
    assert not r.insult, (text, r.terms)


@pytest.mark.parametrize(
    "text",
    [
        "Ты дебил? Читать не умеешь",
        "Идиоты в администрации опять всё решили за нас",
        "Дегенераты, кто так кладёт асфальт",
        "Тупая овца на кассе нахамила",
        "Вы там в техподдержке совсем тупые?",
        "Мэр — клоун",
        "Клоуны, а не банк",
        "Эй, олень на белой приоре, научись парковаться",
        "Кладовщики — крысы, воруют из посылок",
        "Мерзкая продавщица, хамит всем",
        "Иди поплачь, неудачник",
        "Ты совсем больная?",
        "Д*бил на самокате",
        "Д.е.б.и.л.ы, кто так строит",
        "Дебииилы, сколько можно",
        "Мр@зи в администрации",
        "Депутаты — ворьё и бестолочи",
        "Ты просто тормоз",
    ],
)
def test_insults_aimed_at_people(detector: ProfanityDetector, text: str) -> None:
    r = detector.detect(text, tokenize(text))
    assert r.insult, text


@pytest.mark.parametrize(
    "text",
    [
        "Заткнись уже, никто тебя не спрашивал",
        "Рот закрой и иди сам убирай",
        "Закрой варежку",
        "Пошёл вон отсюда",
        "Иди лесом со своими квитанциями",
        "Да пошли вы со своим интернетом",
        "Вали отсюда",
        "Чтоб вы сдохли со своими тарифами",
        "Не вякай, если не понимаешь",
        "Засунь свои извинения куда подальше",
        "Тебя забыли спросить",
        "Ты вообще нормальный? Мозгов нет совсем?",
        "Иди на хрен со своими советами",
        "Закрой хлебальник",
    ],
)
def test_rude_phrases_are_insults(detector: ProfanityDetector, text: str) -> None:
    assert detector.detect(text, tokenize(text)).insult, text


@pytest.mark.parametrize(
    "text",
    [
        "На трассе сбили оленя",
        "В контактном зоопарке есть козёл",
        "В подвале завелись крысы, вызовите дезинсекцию",
        "Клоун в цирке был очень смешной",
        "Перечитываю «Идиота» Достоевского",
        "Слово «дебил» раньше было медицинским термином",
        "Назвать человека дураком — уже оскорбление",
        "Я как дура поверила и перевела деньги",
        "Какой я идиот, забыл паспорт",
        "Чувствую себя лохом",
        "Нож совсем тупой, даже хлеб не режет",
        "Тупая боль в колене",
        "Больной человек лежал в коридоре",
        "Играли вечером в дурака",
        "Пошли гулять в парк",
        "Сделают как обычно, на отвали",
        "Иди вон туда, там вход",
        "Тормоза отказали на спуске",
    ],
)
def test_insult_words_not_aimed_at_anyone_are_clean(detector: ProfanityDetector, text: str) -> None:
    r = detector.detect(text, tokenize(text))
    assert not r.insult, (text, r.terms)
    assert not r.profanity, (text, r.terms)


def test_terms_are_reported_as_written(detector: ProfanityDetector) -> None:
    r = detector.detect("Это п@здец, заткнись", tokenize("Это п@здец, заткнись"))
    assert r.profanity
    assert r.insult
    assert r.terms == ("п@здец", "заткнись")


@pytest.mark.parametrize(
    "text",
    [
        "Это х.у.й.н.я полная",
        "П и з д е ц с водой",
        "Бл-я, опять",
        "а б в",
        "а б, в г",
        "в доме у нас",
        "я",
        "-я",
        "Привет всем, как дела",
        "",
    ],
)
def test_the_one_letter_hint_answers_as_the_token_walk(text: str) -> None:
    """The analyzer passes whether a token is one character long; the answer stays the walk's."""
    tokens = tokenize(text)
    one_letter = [t.end - t.start == 1 for t in tokens]
    assert looks_disguised(text, tokens, one_letter) is looks_disguised(text, tokens)
