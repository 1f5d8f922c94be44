"""Secrets sealed at rest (engine.services.secret_box): what is sealed opens only for its owner
under the same key, any change to it is refused, and the key comes from the settings or a file made
once in the data directory."""

from __future__ import annotations

import base64
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from engine.services.secret_box import SecretBox, SecretBoxError, is_sealed
from engine.settings import DATA_KEY_FILE, Settings

KEY = bytes(range(32))
owners = st.text(min_size=1, max_size=40)


@given(plain=st.text(max_size=200), owner=owners)
def test_a_sealed_value_opens_to_itself_for_its_owner(plain: str, owner: str) -> None:
    box = SecretBox(KEY)
    sealed = box.seal(plain, owner=owner)
    assert is_sealed(sealed) and box.open(sealed, owner=owner) == plain
    assert box.seal(plain, owner=owner) != sealed  # a fresh nonce each time


@given(plain=st.text(min_size=1, max_size=60), owner=owners, other=owners)
def test_it_does_not_open_for_another_owner_or_under_another_key(plain: str, owner: str, other: str) -> None:
    sealed = SecretBox(KEY).seal(plain, owner=owner)
    if other != owner:
        with pytest.raises(SecretBoxError):
            SecretBox(KEY).open(sealed, owner=other)
    with pytest.raises(SecretBoxError):
        SecretBox(bytes(32)).open(sealed, owner=owner)


@given(plain=st.text(max_size=60), at=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_any_change_to_the_sealed_bytes_is_refused(plain: str, at: int, flip: int) -> None:
    box = SecretBox(KEY)
    sealed = box.seal(plain, owner="acc-1")
    raw = bytearray(base64.urlsafe_b64decode(sealed.removeprefix("enc1:")))
    raw[at % len(raw)] ^= flip
    with pytest.raises(SecretBoxError):
        box.open("enc1:" + base64.urlsafe_b64encode(bytes(raw)).decode(), owner="acc-1")


def test_a_value_stored_before_sealing_is_read_as_it_is() -> None:
    assert not is_sealed("JBSWY3DPEHPK3PXP")
    assert SecretBox(KEY).open("JBSWY3DPEHPK3PXP", owner="acc-1") == "JBSWY3DPEHPK3PXP"
    with pytest.raises(SecretBoxError):
        SecretBox(KEY).open("enc1:not-base64-at-all!", owner="acc-1")


def test_the_key_is_made_once_in_the_data_directory_and_shared(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with ThreadPoolExecutor(max_workers=8) as pool:  # processes starting at the same moment
        boxes = list(pool.map(lambda _: SecretBox.from_settings(settings), range(8)))
    key_file = tmp_path / "data" / DATA_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path / "data")) == [DATA_KEY_FILE]  # no draft left behind
    sealed = boxes[0].seal("JBSWY3DPEHPK3PXP", owner="acc-1")
    assert all(b.open(sealed, owner="acc-1") == "JBSWY3DPEHPK3PXP" for b in boxes)
    other = SecretBox.from_settings(Settings(data_dir=tmp_path / "elsewhere"))
    with pytest.raises(SecretBoxError):
        other.open(sealed, owner="acc-1")


def test_the_key_in_the_settings_wins_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    key = base64.b64encode(KEY).decode()
    settings = Settings(data_dir=tmp_path / "data", data_key=SecretStr(key))
    sealed = SecretBox.from_settings(settings).seal("s", owner="a")
    assert SecretBox(KEY).open(sealed, owner="a") == "s"
    assert not (tmp_path / "data" / DATA_KEY_FILE).exists()
    for bad in ("too-short", base64.b64encode(bytes(16)).decode()):
        with pytest.raises(ValueError):
            SecretBox.from_settings(Settings(data_dir=tmp_path / "data", data_key=SecretStr(bad)))
