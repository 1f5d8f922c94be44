"""Chinese name pools for the demo: people, places, compounds, units, feature branches."""

from __future__ import annotations

import random

from engine.demo.builder import Weighted

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_TABLE = Weighted((name, max(1.0, 30.0 - i * 0.3)) for i, name in enumerate(SURNAMES))
GIVEN_MALE = "伟刚勇军杰涛明强磊洋勋斌波辉鹏华飞鑫宇浩凯俊峰建国志平海林东文彬超亮晨阳成康健庆荣忠"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英兰萍红梅琳雪莉洁婷倩颖慧佳欣悦琴燕云蓉凤瑶晶珊薇丹"
MOBILE_PREFIXES = (
    "139",
    "138",
    "137",
    "136",
    "135",
    "150",
    "151",
    "158",
    "159",
    "187",
    "188",
    "133",
    "153",
    "189",
)

# Syllables that make plausible place names (街道, 社区, 小区, 品牌).
PLACE_FIRST = "金翠华龙青碧春明安东西南北新光永丰和宝福盛兴锦瑞康泰云滇昌茂德顺祥鼎嘉惠翔彩桃梅兰竹"
PLACE_SECOND = "湖山华城坝桥门苑园河川坡林台亭湾溪坪塘岗源庄桥营关泉渡堤"
BRAND_CHARS = "鼎盛华信远达恒泰嘉和锦程瑞丰宏图宇航金桥汇通德润天成博雅中诚新创立邦康宁普惠同仁晟"
ROADS = (
    "人民路", "青年路", "北京路", "东风路", "环城路", "白塔路", "金碧路", "南屏街", "滇池路", "穿金路",
    "学府路", "西昌路", "建设路", "春城路", "关上路", "拓东路", "书林街", "园西路", "龙泉路", "虹山路",
)  # fmt: skip
OLD_COMPOUND_SUFFIXES = ("厂宿舍", "新村", "家属院", "小区", "大院")
NEW_COMPOUND_SUFFIXES = ("花园", "华府", "苑", "雅居", "公馆", "小区", "城")

INTEREST_THEMES = (
    "太极拳",
    "棋艺",
    "书画",
    "合唱",
    "广场舞",
    "摄影",
    "读书",
    "健步走",
    "乒乓球",
    "戏曲",
    "园艺",
)
OCCUPATIONAL_THEMES = ("医护", "教师", "法律", "退役军人", "个体工商户", "物业从业者", "快递小哥")


def person_name(rng: random.Random, gender: str) -> str:
    """A Chinese full name: a common surname and one or two given characters."""
    surname = SURNAME_TABLE.draw(rng)
    pool = GIVEN_MALE if gender == "male" else GIVEN_FEMALE
    given = rng.choice(pool) if rng.random() < 0.35 else rng.choice(pool) + rng.choice(pool)
    return surname + given


def mobile(rng: random.Random) -> str:
    """A mainland mobile number such as 13912345678."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


class UniqueNames:
    """Draws names that have not been drawn before, so areas and units stay distinguishable."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()  # membership only: never iterated, so order cannot leak

    def take(self, name: str, qualifier: str = "") -> str:
        """``name`` if unused, else ``name（qualifier）``, else ``name（k）`` with the first free k."""
        candidates = [name, f"{name}（{qualifier}）"] if qualifier else [name]
        for candidate in candidates:
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        k = 2
        while f"{name}（{k}）" in self.used:
            k += 1
        self.used.add(f"{name}（{k}）")
        return f"{name}（{k}）"

    def place(self, suffix: str = "") -> str:
        """A fresh place name such as 翠湖 (with ``suffix``: 翠湖花园); three characters when two run out."""
        for attempt in range(60):
            first = self.rng.choice(PLACE_FIRST)
            middle = self.rng.choice(PLACE_FIRST) if attempt >= 30 else ""
            name = f"{first}{middle}{self.rng.choice(PLACE_SECOND)}{suffix}"
            if name not in self.used:
                self.used.add(name)
                return name
        return self.take(name)

    def brand(self) -> str:
        """A two-character company brand such as 鼎盛 (brands may repeat across businesses)."""
        a, b = self.rng.sample(BRAND_CHARS, 2)
        return a + b
