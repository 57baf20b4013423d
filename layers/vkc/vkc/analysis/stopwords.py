"""Stopword lists (data only): Russian function words and VK filler for top terms; English
function words for top terms and, with a few very common comment words, for language ID."""

from __future__ import annotations

_RU = """
а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже
для до его ее ей ему если есть еще же за здесь и из или им их к как какой когда кто ли либо
мне много может можно мой мы на над надо наш не него нее нет ни них но ну о об один он она
они оно от очень по под при про раз с сам свой себя со так также такой там тебя тем то тогда
того тоже только том ты у уже хотя чего чем что чтобы эта эти это этот я
быть мочь сказать говорить стать знать хотеть делать сделать есть иметь идти пойти давать
дать весь этот тот такой свой который сей каждый другой
год раз день время человек дело вопрос ответ комментарий пост запись группа
спасибо пожалуйста привет здравствуйте ок окей ага да нет норм
просто вообще ещё уже сейчас тут там здесь вот потом почему зачем
"""

_EN = """
the a an and or but if of to in on at by for with from about as is are was were be been being
have has had do does did not no yes this that these those it its i you he she we they me my
your our their his her them us will would can could should shall may might must so than then
there here what which who whom when where why how all any some each very just also too only
"""

_EN_COMMON = "good great bad nice cool post service thanks thank please love like best worst lol wow"

RU_STOPWORDS = frozenset(_RU.split())
EN_FUNCTION_WORDS = frozenset(_EN.split())
# Words that make a short Latin-script comment recognisably English.
EN_MARKERS = EN_FUNCTION_WORDS | frozenset(_EN_COMMON.split())
