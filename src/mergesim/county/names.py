"""Readable place names from a syllable list (pinyin-like), unique within a county.

Names only label maps and tables; they carry no meaning. Two syllables give 1,600 distinct
names, three are used when those run out.
"""

from __future__ import annotations

import numpy as np

_FIRST = (
    "Bai Bei Chang Chen Da Dong Feng Fu Gao Gu Guan Hai He Hong Hua Huang Jin Jing Kang Lan "
    "Le Li Lian Lin Liu Long Ma Mei Nan Ping Qing Quan Shi Shui Song Tai Tian Xi Yang Yun"
).split()
_SECOND = (
    "ba bei chi chong dian gang gou guan he hu jia kou ling lou men miao ping po qiao quan "
    "shan shi tai tan tang tian tun wan wei xi xiang yan yang yuan zhai zhen zhong zhou zi zui"
).split()


def make_names(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct names, e.g. ``"Baihe"``, drawn without replacement.

    Args:
        n: Number of names.
        rng: The county's random stream.
    """
    two = [a + b for a in _FIRST for b in _SECOND]
    pool = two
    if n > len(two):
        pool = two + [a + b + c for a in _FIRST for b in _SECOND for c in _SECOND[:20]]
    if n > len(pool):
        pool = pool + [f"Place{i}" for i in range(n - len(pool))]
    idx = rng.permutation(len(pool))[:n]
    return np.array([pool[i] for i in idx], dtype=object)
