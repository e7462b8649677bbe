"""The page frame: the language menu and the login page's title."""
from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse


def _options(html: str) -> list[str]:
    menu = html[html.index('data-testid="language"'):].split("</select>")[0]
    return re.findall(r"<option [^>]*>([^<]+)</option>", menu)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_language_menu_names_each_language_in_its_own_script(
        tree, make_user, client, language):
    client.force_login(make_user("unit_admin", tree["a"], language=language))
    html = client.get(reverse("home")).content.decode()
    assert _options(html) == ["简体中文", "English"]


@pytest.mark.parametrize("language, heading", [("zh-hans", "<h1>防范</h1>"),
                                               ("en", "<h1>防范 · Fangfan</h1>")])
def test_login_page_names_the_app_once(db, client, language, heading):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("login")).content.decode()
    assert heading in html and "防范 · 防范" not in html
