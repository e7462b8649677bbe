"""Words that name a protected trait (INF-4): the ledger records what a person did and
why that is a concern, never who the person is. Seed 002 forbids discriminatory
practice "for any reason"; ethnicity, religion, health and origin are also sensitive
personal information under PIPL Art. 28. A text of the ledger naming one of these is
refused with the reason (docs/concerns.md lists them).

Chinese words are matched anywhere in the text (Chinese has no spaces); English words
as whole words, so that a name such as "Huimin" is not taken for "Hui"."""
from __future__ import annotations

import re

# Ethnicity and origin.
ETHNICITY_ORIGIN_ZH = ("民族", "族别", "维吾尔", "维族", "回族", "藏族", "哈萨克", "少数民族",
                       "籍贯", "户籍地", "出生地", "原籍", "祖籍", "新疆籍", "西藏籍", "外籍")
# Religion and belief.
RELIGION_ZH = ("宗教", "信仰", "信教", "教徒", "穆斯林", "伊斯兰", "清真", "做礼拜", "基督",
               "天主", "佛教", "道教", "寺庙", "清真寺", "教堂")
# Health.
HEALTH_ZH = ("病史", "精神病", "精神疾病", "精神障碍", "心理疾病", "抑郁", "残疾", "诊断",
             "病情", "服药")
PROTECTED_ZH = ETHNICITY_ORIGIN_ZH + RELIGION_ZH + HEALTH_ZH

PROTECTED_EN = ("ethnicity", "ethnic", "race", "racial", "uyghur", "uighur", "hui",
                "tibetan", "kazakh", "minority", "religion", "religious", "faith", "belief",
                "muslim", "islam", "islamic", "mosque", "christian", "church", "catholic",
                "buddhist", "buddhism", "taoist", "prayer", "mental illness", "psychiatric",
                "medical history", "diagnosis", "diagnosed", "depression", "disability",
                "disabled", "birthplace", "place of origin", "hometown", "native place")

_EN = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in PROTECTED_EN) + r")\b",
                 re.IGNORECASE)


def protected_word(text: str | None) -> str | None:
    """The first protected-trait word in `text`, or None."""
    if not text:
        return None
    for word in PROTECTED_ZH:
        if word in text:
            return word
    found = _EN.search(text)
    return found.group(0) if found else None
