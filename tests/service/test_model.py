import hashlib

import pytest

from pullcoach import model
from pullcoach.cli import main
from pullcoach.errors import ModelError


def test_default_model_is_assembled_and_verified(tmp_path):
    d = model.ensure_default(tmp_path)
    assert (d / "model.bin").stat().st_size > 100_000_000
    with open(d / "model.bin", "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == model.SHA256
    for name in model.SIDE_FILES:
        assert (d / name).is_file()
    # second call reuses the verified copy
    mtime = (d / "model.bin").stat().st_mtime_ns
    assert model.ensure_default(tmp_path) == d
    assert (d / "model.bin").stat().st_mtime_ns == mtime


def test_a_corrupted_cache_is_rebuilt(tmp_path):
    d = model.ensure_default(tmp_path)
    with open(d / "model.bin", "r+b") as f:
        f.write(b"\0" * 16)
        f.truncate(1000)
    assert model.ensure_default(tmp_path) == d
    assert (d / "model.bin").stat().st_size > 100_000_000


def test_missing_packages_name_the_three_ways(tmp_path, monkeypatch):
    monkeypatch.setattr(model, "PARTS", ("no_such_pkg_one", "no_such_pkg_two"))
    with pytest.raises(ModelError) as err:
        model.resolve(None, cache=tmp_path)
    msg = str(err.value)
    assert "pip install" in msg and "--model DIR" in msg and "--model NAME" in msg


def test_directory_without_model_bin_is_refused(tmp_path):
    with pytest.raises(ModelError, match="no model.bin"):
        model.resolve(str(tmp_path))


def test_size_names_and_local_dirs_pass_through(tmp_path):
    assert model.resolve("small") == "small"
    (tmp_path / "model.bin").write_bytes(b"x")
    assert model.resolve(str(tmp_path)) == str(tmp_path)
    with pytest.raises(ModelError, match=r"unknown model .*\(base, .*tiny.*\); leave --model out") as got:
        model.resolve("not-a-model")
    assert "pip install" not in str(got.value)  # the bundled model is there: no install advice
    assert model.resolve("Systran/faster-whisper-small") == "Systran/faster-whisper-small"
    for missing in (str(tmp_path / "nope"), "./nope", "~/nope/model", str(tmp_path / "a" / "b")):
        with pytest.raises(ModelError, match="no such directory"):
            model.resolve(missing)


def test_cli_missing_model_is_one_line_no_traceback(tmp_path, capsys):
    code = main(["replay", "tests/fixtures/audio/en_push.flac", "--model", str(tmp_path)])
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("pullcoach: ") and err.count("\n") == 1 and "Traceback" not in err


def test_a_file_given_as_model_is_called_a_file(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"x")
    with pytest.raises(ModelError, match="is a file, not a directory"):
        model.resolve(str(tmp_path / "model.bin"))
