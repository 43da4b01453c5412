"""Config-provider references resolved the way Connect's env, file and directory providers read them."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.exceptions import SecretReferenceError
from connectors.references import resolve


def test_env_file_and_dir_references(tmp_path: Path) -> None:
    props = tmp_path / "capture.properties"
    props.write_text("# capture user\nuser = debezium\npassword=s3cr=t:x\n")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "pw").write_text("from-a-dir\n")
    assert resolve("${env:PW}", {"PW": "from-env"}).get_secret_value() == "from-env"
    assert resolve(f"${{file:{props}:password}}", {}).get_secret_value() == "s3cr=t:x"
    assert resolve(f"${{dir:{tmp_path / 'secrets'}:pw}}", {}).get_secret_value() == "from-a-dir"


def test_unresolvable_references_name_the_reference_not_a_value(tmp_path: Path) -> None:
    with pytest.raises(SecretReferenceError, match="PW is not set"):
        resolve("${env:PW}", {})
    props = tmp_path / "capture.properties"
    props.write_text("password=hidden-value\n")
    with pytest.raises(SecretReferenceError) as info:
        resolve(f"${{file:{props}:pass}}", {})
    assert "has no key 'pass'" in str(info.value) and "hidden-value" not in str(info.value)
